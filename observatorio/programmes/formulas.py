"""An indicator's formula read from the data: each side of numerator / denominator × factor.

Every :class:`~observatorio.programmes.models.Term` has one reader here. The terms that count events go through
the dashboard's own selection (:func:`observatorio.dashboard.filters.filters_for` and
:func:`observatorio.dashboard.engine.select_in`), so an indicator counts a measure exactly as the dashboard does.
A side's options (the ``*_options`` JSON) narrow it:

``categories``  category or family codes (a family expands to its categories), narrowing the measure's own
``areas``       area codes, used when the reading is for the whole comuna (no area given)
``hours``       ``[from, to]``: events from from:00 up to to:00 (across midnight when to ≤ from), as the dashboard
``attribute``   MEASURE_MEDIAN: the event attribute whose median is taken (e.g. ``minutos_llegada`` of the 1461
                calls: minutes from the call to the arrival of the patrol)
``person``      REPEAT: ``victim`` (default) or ``offender``: whose keyed hash identifies the person
``hotspot_measure``  MEASURE_IN_HOTSPOTS / ACTIVITIES_IN_HOTSPOTS: the measure whose hot spots count
                (default: the side's own measure, else ``casos-policiales``)
``programme``   programme terms: a programme code (default: the indicator's programme)

*Current hot spots* (docs/decisions.md): the cells the map draws as hot (Gi* on its 100 m grid, 300 m
neighbourhood, FDR, any confidence) for the hotspot measure over the 365 days before the period starts — the hot
spots a programme could have known when the period began. Fewer events than the map's minimum: no hot spots, the
side is missing (not enough data), never zero.

A side that the unit enters (ENTERED) is None here: :mod:`observatorio.programmes.entry` stores it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np

from observatorio.errors import N_, Text, UserError

from .models import Term
from .periods import Period

DEFAULT_HOTSPOT_MEASURE = "casos-policiales"
HOTSPOT_DAYS = 365
STATE_TERMS = {Term.MEASURE, Term.MEASURE_MEDIAN, Term.MEASURE_IN_HOTSPOTS, Term.REPEAT, Term.ACTIVITIES_IN_HOTSPOTS,
               Term.POPULATION}
PROGRAMME_TERMS = {Term.ACTIVITIES, Term.ACTIVITY_HOURS, Term.ACTIVITIES_IN_HOTSPOTS, Term.PARTICIPANTS,
                   Term.BENEFICIARIES, Term.SPENT}
_CHUNK = 5000
SIDES_KEPT = 50_000
"""Sides kept per data state (a year of monthly readings of 20 indicators in 40 areas is ~10,000)."""


@dataclass(frozen=True)
class Sides:
    numerator: float | None
    denominator: float | None
    data_version: int | None
    """The version of the events the computed sides read (None: no side read events)."""


def compute(indicator, period: Period, area=None, *, state=None) -> Sides:
    """Both sides of ``indicator`` for ``period`` and ``area`` (an Area, its id, or None for the comuna).

    An entered side is None; a side that cannot be known (no hot spots yet, no values) is None too.
    """
    return compute_periods(indicator, [period], area, state=state)[0]


def compute_periods(indicator, periods: Sequence[Period], area=None, *, state=None) -> list[Sides]:
    """:func:`compute` for each of ``periods``, the same values: a programme's figures are read in one query
    for all the periods, not one per period."""
    terms = (Term(indicator.numerator), Term(indicator.denominator or Term.NONE))
    if state is None and STATE_TERMS & set(terms):
        from observatorio.state import current

        state = current()
    area_id = getattr(area, "pk", area)
    num = sides(indicator, "numerator", periods, area_id, state)
    den = sides(indicator, "denominator", periods, area_id, state)
    version = state.events.version if state is not None and STATE_TERMS & set(terms) else None
    return [Sides(n, d, version) for n, d in zip(num, den, strict=True)]


def sides(indicator, which: str, periods: Sequence[Period], area_id: int | None, state=None) -> list[float | None]:
    """:func:`side` for each period; a programme's activities and beneficiaries read once for all of them."""
    term = Term(getattr(indicator, which) or Term.NONE)
    if term in PROGRAMME_TERMS and term != Term.SPENT and len(periods) > 1:
        programme = _programme(indicator, getattr(indicator, f"{which}_options", None) or {})
        if term == Term.ACTIVITIES_IN_HOTSPOTS:
            return activities_in_hotspots_periods(state, programme, periods, area_id,
                                                  getattr(indicator, f"{which}_options", None) or {})
        return programme_figures(term, programme, periods, area_id)
    return [side(indicator, which, period, area_id, state) for period in periods]


def side(indicator, which: str, period: Period, area_id: int | None, state=None) -> float | None:
    """One side (``"numerator"`` or ``"denominator"``) of the formula."""
    term = Term(getattr(indicator, which) or Term.NONE)
    measure = getattr(indicator, f"{which}_measure", None)
    options = getattr(indicator, f"{which}_options", None) or {}
    if term == Term.NONE:
        return 1.0
    if term == Term.ENTERED:
        return None
    if term in PROGRAMME_TERMS:
        programme = _programme(indicator, options)
        if term == Term.ACTIVITIES_IN_HOTSPOTS:
            return activities_in_hotspots(state, programme, period, area_id, options)
        return programme_figure(term, programme, period, area_id)
    if state is None:
        from observatorio.state import current

        state = current()
    if term == Term.POPULATION:
        return kept(state, (term.value, None, "", period.start, period.end, area_id),
                    lambda: population(state, period, area_id))
    if measure is None:
        raise UserError(N_("el indicador %(code)s: el %(side)s cuenta una medida pero no dice cuál; elija la medida"),
                        code=indicator.code, side=_side_word(which))
    key = (term.value, measure.code, json.dumps(options, sort_keys=True, default=str), period.start, period.end,
           area_id)
    return kept(state, key, lambda: _measure_side(term, state, measure.code, period, area_id, options))


def kept(state, key: tuple, build) -> float | None:
    """A side read from the events, built once per data state (:meth:`DataState.cache`): the key says everything
    the side depends on besides the state (term, measure, options, period, area), so a new data state, an edited
    indicator or another area never finds a stale value (docs/decisions.md)."""
    return state.cache("programmes:sides", SIDES_KEPT).get(key, lambda: (build(),))[0]


def _measure_side(term: Term, state, measure: str, period: Period, area_id, options: dict) -> float | None:
    if term == Term.MEASURE:
        return float(count(state, measure, period, area_id, options))
    if term == Term.MEASURE_MEDIAN:
        return median_attribute(state, measure, period, area_id, options)
    if term == Term.MEASURE_IN_HOTSPOTS:
        return in_hotspots(state, measure, period, area_id, options)
    if term == Term.REPEAT:
        return float(repeat_events(state, measure, period, area_id, options))
    raise ValueError(f"unknown term {term!r}")


def _side_word(which: str) -> Text:
    return Text(N_("numerador") if which == "numerator" else N_("denominador"))


# --- terms over the events ------------------------------------------------------------------------------------


def filters(state, measure: str, period: Period, area_id: int | None, options: dict):
    """The dashboard's filters for the measure over the period, narrowed by the side's options."""
    from observatorio.dashboard.filters import filters_for

    catalog, index = state.catalog, state.index
    categories: list[int] = []
    for code in options.get("categories") or ():
        if code in catalog.family_children:
            categories.extend(catalog.family_children[code])
        elif code in catalog.category_id:
            categories.append(catalog.category_id[code])
        else:
            raise UserError(N_("la categoría %(code)s no existe: revise los filtros del indicador"), code=repr(code))
    if area_id is not None:
        areas = (int(area_id),)
    else:
        by_code = {a.code: a.id for a in index.areas.values()}
        missing = [c for c in options.get("areas") or () if c not in by_code]
        if missing:
            raise UserError(N_("el área %(code)s no existe: revise los filtros del indicador"), code=repr(missing[0]))
        areas = tuple(by_code[c] for c in options.get("areas") or ())
    f = filters_for(state, measure=measure, start=period.start, end=period.end, categories=categories, areas=areas)
    hours = options.get("hours")
    if hours:
        start, stop = (int(h) for h in hours)
        if not (0 <= start <= 23 and 0 <= stop <= 23):
            raise UserError(N_("horas %(hours)s: se esperan dos horas entre 0 y 23"), hours=repr(hours))
        f = dataclasses.replace(f, hours=(start, stop))
    return f


def _selected(state, f) -> tuple[slice, np.ndarray]:
    """The snapshot rows (a slice) and the mask of those that pass the filters."""
    from observatorio.dashboard.engine import select_in

    window, mask = select_in(state, f)
    if mask is None:
        mask = np.ones(window.stop - window.start, dtype=bool)
    return window, mask


def count(state, measure: str, period: Period, area_id=None, options=None) -> int:
    """Events of the measure in the period (and area), as the dashboard counts them."""
    window, mask = _selected(state, filters(state, measure, period, area_id, options or {}))
    return int(np.count_nonzero(mask))


def _event_ids(state, f) -> np.ndarray:
    window, mask = _selected(state, f)
    return state.events.id[window][mask]


def _in_chunks(ids, fields):
    from observatorio.records.models import Event

    ids = [int(i) for i in ids]
    for lo in range(0, len(ids), _CHUNK):
        yield from Event.objects.filter(id__in=ids[lo:lo + _CHUNK]).values_list(*fields)


def median_attribute(state, measure: str, period: Period, area_id=None, options=None) -> float | None:
    """Median of a numeric attribute of the measure's events (values that are not numbers are left out)."""
    options = options or {}
    name = options.get("attribute")
    if not name:
        raise UserError(N_("una mediana necesita el atributo del evento (opción «attribute», p. ej. "
                           "«minutos_llegada»)"))
    window, mask = _selected(state, filters(state, measure, period, area_id, options))
    values = attribute_values(state, name)[window][mask]
    values = values[~np.isnan(values)]
    return float(median(values.tolist())) if values.size else None


def attribute_values(state, name: str) -> np.ndarray:
    """The numeric value of the events' attribute ``name``, one per snapshot row (NaN: absent or not a number),
    read from the database once per version of the events."""
    def build() -> np.ndarray:
        from observatorio.records.models import Event

        snap = state.events
        values = np.full(snap.size, np.nan)
        if not snap.size:
            return values
        ids, numbers = [], []
        rows = Event.objects.filter(**{"attributes__has_key": name}).values_list("id", f"attributes__{name}")
        for pk, value in rows.iterator(chunk_size=_CHUNK):
            number = _number(value)
            if number is not None:
                ids.append(pk)
                numbers.append(number)
        if not ids:
            return values
        found = np.asarray(ids, dtype=snap.id.dtype)
        order = np.argsort(snap.id, kind="stable")
        at = order[np.searchsorted(snap.id, found, sorter=order).clip(max=snap.size - 1)]
        inside = snap.id[at] == found
        values[at[inside]] = np.asarray(numbers)[inside]
        return values

    return state.memo(f"programmes:attribute:{name}", build, on=("events",))


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def repeat_events(state, measure: str, period: Period, area_id=None, options=None) -> int:
    """Events in the period of persons (keyed hash of the RUT) with more than one event of the measure in it."""
    options = options or {}
    column = "offender_key" if options.get("person") == "offender" else "victim_key"
    keys = [k for (k,) in _in_chunks(_event_ids(state, filters(state, measure, period, area_id, options)), [column])
            if k]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    return sum(n for n in seen.values() if n > 1)


def population(state, period: Period, area_id=None) -> float | None:
    """Population in force in the period's last year of the area (or the comuna)."""
    from observatorio.dashboard.engine import territory_population
    from observatorio.dashboard.filters import filters_for

    f = filters_for(state, measure="", start=period.start, end=period.end,
                    areas=() if area_id is None else (int(area_id),))
    found = territory_population(f, state.index, period.end.year)
    return None if found is None else float(found)


# --- hot spots --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentHotspots:
    """The hot cells of the map's Gi* grid for a measure over the 365 days before a day."""

    measure: str
    start: dt.date
    end: dt.date
    territory: object  # dashboard.layers.base.Territory
    hot: np.ndarray | None  # bool per flat cell of the Gi* grid; None: too few events to say

    @property
    def cells(self) -> int:
        return 0 if self.hot is None else int(self.hot.sum())


def hotspots(state, measure: str, day: dt.date) -> CurrentHotspots | None:
    """The hot spots in force on ``day`` (the map's Gi* over the 365 days before it); None without boundaries.
    Built once per data state."""
    return state.cache("programmes:hotspots", 512).get((measure, day), lambda: (_hotspots(state, measure, day),))[0]


def _hotspots(state, measure: str, day: dt.date) -> CurrentHotspots | None:
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.layers.base import territory
    from observatorio.dashboard.layers.hotspots import hotspot_result

    end = day - dt.timedelta(days=1)
    start = day - dt.timedelta(days=HOTSPOT_DAYS)
    terr = territory(state, end)
    if terr is None:
        return None
    found = hotspot_result(state, terr, filters_for(state, measure=measure, start=start, end=end))
    hot = None if found.result is None else (found.result.bins(fdr=True) > 0).ravel()
    return CurrentHotspots(measure, start, end, terr, hot)


def _hotspot_measure(options: dict, own: str | None) -> str:
    return options.get("hotspot_measure") or own or DEFAULT_HOTSPOT_MEASURE


def in_hotspots(state, measure: str, period: Period, area_id=None, options=None) -> float | None:
    """Events of the measure in the period that lie in a current hot spot (None when there are none to know)."""
    from observatorio.dashboard.layers.base import placed

    options = options or {}
    spots = hotspots(state, _hotspot_measure(options, measure), period.start)
    if spots is None or spots.hot is None:
        return None
    cells = placed(state, spots.territory).gi
    window, mask = _selected(state, filters(state, measure, period, area_id, options))
    chosen = cells[window][mask]
    chosen = chosen[chosen >= 0]
    return float(np.count_nonzero(spots.hot[chosen]))


def activities_in_hotspots(state, programme, period: Period, area_id=None, options=None) -> float | None:
    """The programme's activities in the period whose point lies in a current hot spot."""
    return activities_in_hotspots_periods(state, programme, [period], area_id, options)[0]


def activities_in_hotspots_periods(state, programme, periods: Sequence[Period], area_id=None, options=None
                                   ) -> list[float | None]:
    """:func:`activities_in_hotspots` for each period, the activities read in one query."""
    options = options or {}
    if state is None:
        from observatorio.state import current

        state = current()
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    rows = list(_activities(programme, span, area_id, state).filter(lon__isnull=False, lat__isnull=False)
                .values_list("date", "lon", "lat"))
    out = []
    for period in periods:
        spots = hotspots(state, _hotspot_measure(options, None), period.start)
        if spots is None or spots.hot is None:
            out.append(None)
            continue
        out.append(_in_hot(spots, [(lon, lat) for day, lon, lat in rows if period.start <= day <= period.end]))
    return out


def _in_hot(spots: CurrentHotspots, rows: list) -> float:
    from observatorio.analysis.projection import to_metres

    if not rows:
        return 0.0
    lon, lat = np.array(rows, dtype=float).T
    x, y, _epsg = to_metres(lon, lat, spots.territory.epsg)
    grid, _inside = spots.territory.grid(_gi_cell())
    flat = grid.flat_index(x, y)
    return float(np.count_nonzero(spots.hot[flat[flat >= 0]]))


def _gi_cell() -> float:
    from observatorio.dashboard.layers.base import GI_CELL

    return GI_CELL


# --- terms of the programme -------------------------------------------------------------------------------------


def _programme(indicator, options: dict):
    from .models import Programme

    code = options.get("programme")
    if code:
        found = Programme.objects.filter(code=code).first()
        if found is None:
            raise UserError(N_("el programa %(code)s no existe: revise los filtros del indicador %(indicator)s"),
                            code=repr(code), indicator=indicator.code)
        return found
    if indicator.programme_id is None:
        raise UserError(N_("el indicador %(code)s cuenta actividades o beneficiarios pero no tiene programa: "
                           "asígnele uno"), code=indicator.code)
    return indicator.programme


def _areas_down(area_id, state=None) -> set[int] | None:
    if area_id is None:
        return None
    if state is None:
        from observatorio.state import current

        state = current()
    return state.index.descendants_or_self(int(area_id))


def _activities(programme, period: Period, area_id=None, state=None):
    rows = programme.activities.filter(date__gte=period.start, date__lte=period.end)
    wanted = _areas_down(area_id, state)
    return rows if wanted is None else rows.filter(area_id__in=wanted)


def programme_figure(term: Term, programme, period: Period, area_id=None) -> float | None:
    """Activities, hours, participants, new beneficiaries in the period; spending as recorded."""
    from django.db.models import Sum

    if term == Term.SPENT:
        # The programme records its executed spending as one running figure, not per period.
        return None if programme.spent is None else float(programme.spent)
    if term == Term.BENEFICIARIES:
        rows = programme.beneficiaries.filter(first_served__gte=period.start, first_served__lte=period.end)
        wanted = _areas_down(area_id)
        if wanted is not None:
            rows = rows.filter(area_id__in=wanted)
        return float(rows.count())
    rows = _activities(programme, period, area_id)
    if term == Term.ACTIVITIES:
        return float(rows.count())
    field = "hours" if term == Term.ACTIVITY_HOURS else "participants"
    return float(rows.aggregate(total=Sum(field))["total"] or 0)


def programme_figures(term: Term, programme, periods: Sequence[Period], area_id=None, state=None
                      ) -> list[float | None]:
    """:func:`programme_figure` for each period: the rows of all the periods read in one query and added up here
    (hours are decimals with two places: their sum is exact either way)."""
    if term == Term.SPENT:
        return [programme_figure(term, programme, period, area_id) for period in periods]
    wanted = _areas_down(area_id, state)
    if term == Term.BENEFICIARIES:
        rows, day, field = programme.beneficiaries.all(), "first_served", None
    else:
        rows, day = programme.activities.all(), "date"
        field = {Term.ACTIVITY_HOURS: "hours", Term.PARTICIPANTS: "participants"}.get(term)
    rows = rows.filter(**{f"{day}__gte": min(p.start for p in periods), f"{day}__lte": max(p.end for p in periods)})
    if wanted is not None:
        rows = rows.filter(area_id__in=wanted)
    found = list(rows.values_list(day, field) if field else rows.values_list(day, "id"))
    out = []
    for period in periods:
        inside = [value for when, value in found if period.start <= when <= period.end]
        out.append(float(len(inside)) if field is None else float(sum(v for v in inside if v is not None)))
    return out


# --- in words ---------------------------------------------------------------------------------------------------


def side_words(indicator, which: str) -> str:
    label = getattr(indicator, f"{which}_label", "")
    if label:
        return label
    term = Term(getattr(indicator, which) or Term.NONE)
    measure = getattr(indicator, f"{which}_measure", None)
    words = str(term.label)
    if measure is not None and term in (Term.MEASURE, Term.MEASURE_MEDIAN, Term.MEASURE_IN_HOTSPOTS, Term.REPEAT):
        words = f"{words}: {measure.name}"
    return words


def describe(indicator, lang: str = "es") -> str:
    """The formula in words: "Llamados atendidos en menos de 15 min / llamados × 100"."""
    from django.utils import translation

    with translation.override(lang):
        top = side_words(indicator, "numerator")
        if Term(indicator.denominator or Term.NONE) == Term.NONE:
            text = top
        else:
            text = f"{top} / {side_words(indicator, 'denominator')}"
        if indicator.factor and float(indicator.factor) != 1.0:
            text += f" × {_factor(float(indicator.factor), lang)}"
        return text


def _factor(value: float, lang: str) -> str:
    whole = int(value) if value.is_integer() else value
    if isinstance(whole, int):
        text = f"{whole:,}"
        return text.replace(",", ".") if lang.startswith("es") else text
    return f"{value:g}"
