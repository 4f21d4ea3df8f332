"""The dashboard's filters: parsed from the URL by a bounded form, applied to the snapshot.

The filter state lives in the URL so that a view can be shared or bookmarked;
``Filters.to_query()`` writes it back. Parameters (all optional):

``measure``  the measure counted (records.measures; default casos-policiales): every figure counts one
``period``  7d | 28d | last-month | last-quarter | mtd | ytd | 12m | month | year | custom (default 28d);
           see :mod:`observatorio.analysis.periods`
``month``  YYYY-MM, with period=month; ``year`` YYYY, with period=year
``start``, ``end``  dates dd-mm-aaaa (as the form writes them) or ISO yyyy-mm-dd (older links), with
           period=custom (inclusive)
``family``  category family codes, e.g. familia-vif (repeatable; expands to its categories)
``category``  category codes (repeatable); both narrow the measure's own categories
``hour_from``, ``hour_to``  hours 0–23, both or neither: events from hour_from:00 up to hour_to:00 (exclusive),
           across midnight when hour_to ≤ hour_from (20 and 6: nights 20:00–05:59); events with no time
           are left out
``weekday``  0 (Monday) … 6 (Sunday), repeatable
``level``  territory level for breakdowns (default uv)
``area``  area ids (repeatable; an area includes its descendants)
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.analysis import periods
from observatorio.records.catalog import Catalog
from observatorio.records.measures import MeasureDef
from observatorio.records.snapshot import EventSnapshot, day_number
from observatorio.state import DataState
from observatorio.territory.index import TerritoryIndex

PERIODS = {
    "7d": gettext_noop("Últimos 7 días"),
    "28d": gettext_noop("Últimos 28 días"),
    "last-month": gettext_noop("Último mes completo"),
    "last-quarter": gettext_noop("Último trimestre completo"),
    "mtd": gettext_noop("Mes en curso"),
    "ytd": gettext_noop("Año a la fecha"),
    "12m": gettext_noop("Últimos 12 meses completos"),
    "month": gettext_noop("Un mes"),
    "year": gettext_noop("Un año"),
    "custom": gettext_noop("Personalizado"),
}
WEEKDAYS = (gettext_noop("Lunes"), gettext_noop("Martes"), gettext_noop("Miércoles"), gettext_noop("Jueves"),
            gettext_noop("Viernes"), gettext_noop("Sábado"), gettext_noop("Domingo"))
MAX_SPAN_DAYS = 366 * 20
# Dates a filter may name: comparisons reach a year back and forward, so far-off dates (0001-01-01, 9999-12-31)
# would overflow Python's dates; no record of the observatory falls outside these.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
MAX_CHOICES = 200
DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"]  # dd-mm-aaaa first: what the form shows; ISO: older links
MONTH_FORMATS = ["%m-%Y", "%Y-%m", "%m/%Y"]
# Each parameter in words, for the form's errors ("Desde: …", never "start: …").
FIELD_LABELS = {
    "measure": gettext_noop("Medida"), "period": gettext_noop("Período"), "month": gettext_noop("Mes"),
    "year": gettext_noop("Año"), "start": gettext_noop("Desde"), "end": gettext_noop("Hasta"),
    "family": gettext_noop("Familias de delitos"), "category": gettext_noop("Categorías"),
    "level": gettext_noop("Nivel territorial"), "area": gettext_noop("Áreas"),
    "hour_from": gettext_noop("Desde la hora"), "hour_to": gettext_noop("Hasta la hora"),
    "weekday": gettext_noop("Días de la semana"), "metric": gettext_noop("Indicador del mapa"),
    "compare": gettext_noop("Comparar con"), "sort": gettext_noop("Orden de la tabla"),
}
NOTHING = (0,)  # a selection no event has (ids start at 1): a measure without sources, or disjoint categories


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    period: str = "28d"
    sources: tuple[int, ...] = ()  # the measure's sources (NOTHING when it has none); empty: no restriction
    categories: tuple[int, ...] = ()  # the measure's categories narrowed by the chosen ones; empty: every one
    level: str = "uv"
    areas: tuple[int, ...] = ()  # empty: the whole territory
    measure: str = ""  # the measure's code
    links: bool = False  # the measure leaves out events linked to another source's (records.measures)
    hours: tuple[int, int] | None = None  # (from, to): from:00 up to to:00, across midnight when to <= from
    weekdays: tuple[int, ...] = ()  # 0 Monday … 6 Sunday; empty: every day
    # The codes as given in the URL, to write it back unchanged.
    query: dict = field(default_factory=dict, compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_time(self) -> bool:
        """Whether the time-of-day or weekday filters are set (the cube cannot answer those)."""
        return self.hours is not None or bool(self.weekdays)

    @property
    def by_rows(self) -> bool:
        """Whether only a scan of the events answers (time filters, or events left out as linked)."""
        return self.by_time or self.links

    def over(self, start: dt.date, end: dt.date) -> Filters:
        """The same filters over another window."""
        return Filters(start, end, "custom", self.sources, self.categories, self.level, self.areas, self.measure,
                       self.links, self.hours, self.weekdays, self.query)

    def previous(self) -> Filters:
        """The previous equivalent period (:func:`observatorio.analysis.periods.previous`): September for
        October, the quarter before, the same days a year earlier for year to date."""
        return self.over(*periods.previous(self.period, self.start, self.end))

    def last_year(self) -> Filters:
        """The same calendar period one year earlier (29 February becomes 28; whole months stay whole)."""
        return self.over(*periods.last_year(self.start, self.end))

    def hour_mask(self) -> np.ndarray | None:
        """Per hour 0–23 (index 24: time unknown), whether it passes the hour filter; None without one."""
        if self.hours is None:
            return None
        start, stop = self.hours
        hours = np.arange(24)
        passed = (hours >= start) & (hours < stop) if stop > start else (hours >= start) | (hours < stop)
        return np.append(passed, False)

    def to_query(self, **changes) -> str:
        params = {k: v for k, v in self.query.items() if v not in (None, "", [])}
        params.update({k: v for k, v in changes.items()})
        return urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


class FilterForm(forms.Form):
    measure = forms.ChoiceField(required=False)
    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False)
    month = forms.DateField(required=False, input_formats=MONTH_FORMATS, error_messages={
        "invalid": gettext_noop("escriba el mes como mm-aaaa (por ejemplo 03-2026).")})
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200)
    start = forms.DateField(required=False, input_formats=DATE_FORMATS, error_messages={
        "invalid": gettext_noop("escriba la fecha como dd-mm-aaaa (por ejemplo 31-01-2026).")})
    end = forms.DateField(required=False, input_formats=DATE_FORMATS, error_messages={
        "invalid": gettext_noop("escriba la fecha como dd-mm-aaaa (por ejemplo 31-01-2026).")})
    family = forms.MultipleChoiceField(required=False)
    category = forms.MultipleChoiceField(required=False)
    level = forms.ChoiceField(required=False)
    area = forms.TypedMultipleChoiceField(coerce=int, required=False)
    hour_from = forms.IntegerField(required=False, min_value=0, max_value=23)
    hour_to = forms.IntegerField(required=False, min_value=0, max_value=23)
    weekday = forms.TypedMultipleChoiceField(coerce=int, required=False,
                                             choices=[(str(i), name) for i, name in enumerate(WEEKDAYS)])

    # Its measure, family, category, level and area choices come from a data state: use form_class(state).

    def clean(self):
        data = super().clean()
        for name in ("month", "start", "end"):
            if data.get(name) is not None and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, _("la fecha %(day)s está fuera del rango admitido (%(first)s–%(last)s).")
                               % {"day": data[name].strftime("%d-%m-%Y"), "first": FIRST_DAY.year,
                                  "last": LAST_DAY.year})
        for name in ("family", "category", "area"):
            if len(data.get(name) or ()) > MAX_CHOICES:
                raise forms.ValidationError(_("demasiados valores en «%(field)s» (máximo %(n)s).")
                                            % {"field": _(FIELD_LABELS[name]), "n": MAX_CHOICES})
        if (data.get("hour_from") is None) != (data.get("hour_to") is None):
            raise forms.ValidationError(_("el filtro de horas necesita la hora de inicio y la de término."))
        if data.get("hour_from") is not None and data["hour_from"] == data["hour_to"]:
            raise forms.ValidationError(_("la hora de inicio y la de término son iguales: elija un intervalo."))
        if data.get("period") == "month" and not data.get("month"):
            raise forms.ValidationError(_("el período «un mes» necesita el mes (mm-aaaa)."))
        if data.get("period") == "year" and not data.get("year"):
            raise forms.ValidationError(_("el período «un año» necesita el año."))
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("un período personalizado necesita la fecha de inicio y la de "
                                              "término (dd-mm-aaaa)."))
            if end < start:
                raise forms.ValidationError(_("la fecha de término es anterior a la de inicio."))
            if (end - start).days > MAX_SPAN_DAYS:
                raise forms.ValidationError(_("el período no puede superar 20 años."))
        return data


def error_sentences(errors: dict[str, list[str]]) -> list[str]:
    """The form's errors as the page says them: each field by its label ("Desde: escriba la fecha como
    dd-mm-aaaa …"), an error of the whole form (``__all__``) or of disclosure control on its own."""
    lines = []
    for name, messages in errors.items():
        label = FIELD_LABELS.get(name)
        for message in messages:
            message = _(message)  # Django's own messages come translated; ours are gettext_noop'd above
            lines.append(f"{_(label)}: {message}" if label else message[:1].upper() + message[1:])
    return lines


def _set_choices(fields: dict, catalog: Catalog, index: TerritoryIndex) -> None:
    from observatorio.territory.models import Level

    fields["measure"].choices = [(m.code, m.name) for m in catalog.count_measures]
    fields["family"].choices = [(c, n) for _i, c, n in catalog.families]
    fields["category"].choices = [(c, n) for _i, c, n, _p in catalog.categories]
    labels = dict(Level.choices)
    fields["level"].choices = [(lv, labels.get(lv, lv)) for lv in index.levels()]
    fields["area"].choices = [(a.id, f"{a.code} {a.name}") for a in index.areas.values()]


def form_class(state: DataState) -> type[FilterForm]:
    """A FilterForm whose fields carry the state's choices, made once per state.

    Setting choices normalises them (Django walks every option): milliseconds per request otherwise.
    """
    def build() -> type[FilterForm]:
        cls = type("BoundFilterForm", (FilterForm,), {})
        cls.base_fields = copy.deepcopy(FilterForm.base_fields)
        _set_choices(cls.base_fields, state.catalog, state.index)
        return cls

    return state.memo("filter-form", build, on=("territory", "catalog"))


PARSED_SIZE = 256


def parse_filters(querydict, state: DataState) -> tuple[Filters | None, dict]:
    """Filters from the URL, or ``(None, errors)`` with the form's messages per field.

    A page load asks all its data endpoints with the same query string, and validating it with the form
    costs more than most answers (the form copies its fields and their choices), so valid filters are kept
    per state and query. Errors are not kept: they are rare, and in the reader's language.
    """
    if not hasattr(querydict, "lists"):
        return _parse(querydict, state)
    question = tuple((k, tuple(v)) for k, v in querydict.lists())
    kept = state.cache("filters", PARSED_SIZE)
    errors: dict = {}

    def build():
        filters, found = _parse(querydict, state)
        errors.update(found)
        return filters

    filters = kept.get(question, build)
    return filters, errors


def _parse(querydict, state: DataState) -> tuple[Filters | None, dict]:
    index, catalog, as_of = state.index, state.catalog, state.as_of
    form = form_class(state)(querydict)
    if not form.is_valid():
        return None, {k: [str(m) for m in v] for k, v in form.errors.items()}
    data = form.cleaned_data
    period = data.get("period") or "28d"
    if period == "custom":
        start, end = data["start"], data["end"]
    else:
        start, end = periods.window(period, as_of, month=data.get("month"), year=data.get("year"))
    measure = catalog.measure(data["measure"]) if data.get("measure") else catalog.default_measure
    # The form accepted only codes of the catalog, so every look-up below succeeds.
    chosen = {catalog.category_id[c] for c in data.get("category") or []}
    for family in data.get("family") or []:
        chosen |= set(catalog.family_children.get(family, ()))
    sources, categories, links = _selection(measure, chosen)
    levels = index.levels()
    level = data.get("level") or ("uv" if "uv" in levels else (levels[-1] if levels else "uv"))
    hours = (data["hour_from"], data["hour_to"]) if data.get("hour_from") is not None else None
    weekdays = tuple(sorted(set(data.get("weekday") or ()))) if len(set(data.get("weekday") or ())) < 7 else ()
    query = {
        "measure": data.get("measure") or "",
        "period": period,
        "month": data["month"].strftime("%Y-%m") if period == "month" else "",
        "year": str(data["year"]) if period == "year" else "",
        "start": start.isoformat() if period == "custom" else "",
        "end": end.isoformat() if period == "custom" else "",
        "family": list(data.get("family") or []),
        "category": list(data.get("category") or []),
        "hour_from": "" if hours is None else str(hours[0]),
        "hour_to": "" if hours is None else str(hours[1]),
        "weekday": [str(d) for d in weekdays],
        "level": data.get("level") or "",
        "area": [str(a) for a in data.get("area") or []],
    }
    return Filters(start, end, period, tuple(sources), categories, level, tuple(sorted(data.get("area") or [])),
                   measure.code if measure else "", links, hours, weekdays, query), {}


def _selection(measure: MeasureDef | None, chosen: set[int]) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """Sources, categories and whether linked events are left out, for a measure and chosen categories (which
    narrow the measure's own; none in common selects nothing)."""
    if measure is None:
        return NOTHING, tuple(sorted(chosen)), False
    categories = tuple(sorted(chosen))
    if measure.categories and chosen:
        categories = tuple(sorted(chosen & set(measure.categories))) or NOTHING
    elif measure.categories:
        categories = measure.categories
    return tuple(measure.sources) or NOTHING, categories, measure.links


def event_mask(snap: EventSnapshot, f: Filters, index: TerritoryIndex, *, dates: bool = True,
               linked: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the snapshot's events that pass the filters (``dates=False`` ignores the window).

    Written plainly (set membership, datetime arithmetic) as the reference the engine's faster selection is
    tested against; ``linked``: the events the measure leaves out (``engine.linked``).
    """
    mask = np.ones(snap.size, dtype=bool)
    if dates:
        mask &= (snap.day >= day_number(f.start)) & (snap.day <= day_number(f.end))
    if f.sources:
        mask &= np.isin(snap.source, np.asarray(f.sources, dtype=snap.source.dtype))
    if f.categories:
        mask &= np.isin(snap.category, np.asarray(f.categories, dtype=snap.category.dtype))
    if f.areas:
        wanted = set()
        for area_id in f.areas:
            wanted |= index.descendants_or_self(area_id)
        mask &= np.isin(snap.area, np.asarray(sorted(wanted), dtype=snap.area.dtype))
    if f.hours is not None:
        hour = snap.minute.astype(np.int64) // 60
        start, stop = f.hours
        inside = (hour >= start) & (hour < stop) if stop > start else (hour >= start) | (hour < stop)
        mask &= (snap.minute >= 0) & inside
    if f.weekdays:
        weekday = np.array([d.weekday() for d in snap.day.astype("datetime64[D]").astype(object)], dtype=np.int64)
        mask &= np.isin(weekday, np.asarray(f.weekdays))
    if linked is not None:
        mask &= ~linked
    return mask


def filters_for(state: DataState, *, measure: str, start: dt.date, end: dt.date, period: str = "custom",
                level: str = "uv", categories=(), areas=()) -> Filters:
    """Filters counting ``measure`` over [start, end], built in code rather than parsed from a URL (the home
    page, the area profiles, the command line); ``categories`` (ids, families already expanded) narrow the
    measure's own, as the URL's do; ``areas``: area ids. An unknown measure, or one without sources, counts
    nothing. ``period`` only chooses the previous equivalent period (:meth:`Filters.previous`)."""
    sources, selected, links = _selection(state.catalog.measure(measure), set(categories))
    query = {"measure": measure, "period": period, "level": level, "area": [str(a) for a in areas],
             "start": start.isoformat() if period == "custom" else "",
             "end": end.isoformat() if period == "custom" else ""}
    return Filters(start, end, period, tuple(sources), selected, level, tuple(sorted(areas)), measure, links,
                   query=query)
