"""Headline figures and map data for the home page, from the data state.

Every figure counts one measure (records.measures): the default measure
(casos-policiales) is the headline, the other count measures stand beside it
with their own names and units, never added; the map colours UVs by the
headline measure. Counting is the dashboard engine's (:func:`engine.headline`,
:func:`engine.area_counts`) over filters built for the measure.

The reference date ("as of") is the latest event (``DataState.as_of``), not
the clock: a cut of data shows the same page whenever it is opened, and the
demo data never looks stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from django.utils.translation import gettext as _

from observatorio.analysis import periods
from observatorio.disclosure import policy, shapes
from observatorio.labels import outcome_label
from observatorio.records.measures import MeasureDef
from observatorio.records.models import Event
from observatorio.records.snapshot import from_day_number
from observatorio.state import DataState
from observatorio.territory.models import Level

from . import engine
from .filters import filters_for
from .layers.base import Territory
from .maps import MapArea
from .peers import RateRow, configured_peers, peer_rates

WINDOW_DAYS = 28
MAP_DAYS = 365
MAP_LEVELS = (Level.COMUNA, Level.MACROSECTOR, Level.UV)


@dataclass(frozen=True)
class MeasureFigure:
    """One measure's count in the window, with its comparisons (:func:`engine.headline`)."""

    code: str
    name: str
    unit: str
    figure: engine.Headline

    @property
    def count(self) -> int:
        return self.figure.count


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    window_start: dt.date  # first day of the current window
    previous_start: dt.date  # first day of the previous window
    previous_end: dt.date  # last day of the previous window
    main: MeasureFigure | None  # the default measure (casos-policiales), the page's headline
    beside: list[MeasureFigure]  # the other count measures with sources, shown beside it, never added
    comuna: str = ""  # the name of the comuna (or comunas) the figures count
    areas_by_level: dict[str, int] = field(default_factory=dict)
    population: int | None = None
    population_year: int | None = None

    @property
    def figures(self) -> list[MeasureFigure]:
        return ([self.main] if self.main else []) + self.beside

    @property
    def areas_total(self) -> int:
        return sum(self.areas_by_level.values())


def latest_event_date(state: DataState) -> dt.date | None:
    return state.as_of if state.events.size else None


def shown_measures(state: DataState, *, sensitive: bool) -> list[MeasureDef]:
    """The count measures with sources, the headline measure first (the default one when it has sources);
    sensitive measures only when ``sensitive``."""
    catalog = state.catalog
    measures = [m for m in catalog.count_measures if m.sources and (sensitive or not m.sensitive)]
    default = catalog.default_measure
    measures.sort(key=lambda m: m.code != (default.code if default else ""))
    return measures


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The home page's window: the ``WINDOW_DAYS`` days up to ``as_of`` (the dashboard's "28d")."""
    return periods.window("28d", as_of)


def headline(state: DataState, as_of: dt.date, *, sensitive: bool = False, scope=()) -> Headline:
    """Each shown measure's count in the last ``WINDOW_DAYS`` days up to ``as_of``, against the window before
    and the same days a year earlier, with its rate per 1,000 inhabitants (the engine's headline); for a
    reader aggregate-only for a measure (``scope``: the reader's event_scope) through disclosure control."""
    start, end = window(as_of)
    figures = []
    for measure in shown_measures(state, sensitive=sensitive):
        f = filters_for(state, measure=measure.code, start=start, end=end, period="28d")
        figure = engine.headline(state, f)
        guard = policy.guard_for(scope, measure, state.catalog)
        if guard is not None:
            figure = shapes.headline(figure, guard)
        figures.append(MeasureFigure(measure.code, measure.name, measure.unit, figure))
    previous_start, previous_end = periods.previous("28d", start, end)
    population, year = _population(state, as_of.year)
    return Headline(as_of, start, previous_start, previous_end, figures[0] if figures else None, figures[1:],
                    comuna_name(state), areas_by_level(state), population, year)


def comuna_name(state: DataState) -> str:
    index = state.index
    return " · ".join(sorted(index.areas[a].name for a in index.ids_at(Level.COMUNA)))


def areas_by_level(state: DataState) -> dict[str, int]:
    index = state.index
    return {level.value: len(index.ids_at(level.value)) for level in Level if index.ids_at(level.value)}


def _population(state: DataState, year: int) -> tuple[int | None, int | None]:
    """Population of the comunas in force for ``year`` (their own figure, else the sum of their UVs)."""
    index = state.index
    for level in (Level.COMUNA, Level.UV):
        found = {a: index.population_year(a, year) for a in index.ids_at(level)}
        found = {a: y for a, y in found.items() if y is not None}
        if found:
            return sum(index.population[a][y] for a, y in found.items()), max(found.values())
    return None, None


def map_measure(state: DataState) -> MeasureDef | None:
    """The measure the home map colours UVs by: the headline's (the default measure)."""
    shown = shown_measures(state, sensitive=False)
    return shown[0] if shown else None


def map_areas(state: DataState, terr: Territory | None, as_of: dt.date | None, scope=()) -> list[MapArea]:
    """Comuna, macrosectors and UVs of the territory drawn (``layers.territory(state, state.as_of)``, the
    boundaries in force on the "as of" day); UVs carry their 12-month count of :func:`map_measure`, small
    counts suppressed for a reader aggregate-only for it (``scope``: the reader's event_scope)."""
    if terr is None:
        return []
    uv_counts, hidden = _uv_counts(state, as_of, scope) if as_of else ({}, set())
    return [MapArea(shape, None if shape.id in hidden else uv_counts.get(shape.id, 0), shape.id in hidden)
            if shape.level == Level.UV and as_of else MapArea(shape)
            for level in MAP_LEVELS for shape in terr.shapes.get(level, [])]


def _uv_counts(state: DataState, as_of: dt.date, scope=()) -> tuple[dict[int, int], set[int]]:
    """The map measure's count in the last ``MAP_DAYS`` days per UV (finer areas rolled up to their UV), and
    the UVs whose count disclosure control suppresses (the dashboard's rule for the same window and level)."""
    measure = map_measure(state)
    if measure is None or Level.UV not in state.index.ancestor:
        return {}, set()
    f = filters_for(state, measure=measure.code, start=as_of - dt.timedelta(days=MAP_DAYS - 1), end=as_of)
    counts, unplaced = engine.area_counts(state, f, Level.UV)
    hidden: set[int] = set()
    guard = policy.guard_for(scope, measure, state.catalog)
    if guard is not None:
        ids = state.index.ids_at(Level.UV)
        mask, _out = shapes.area_hidden(state, f, Level.UV, guard)
        hidden = {int(a) for a, h in zip(ids, mask) if h}
    return {int(a): int(counts[a]) for a in np.flatnonzero(counts)}, hidden


def recent_events(scope: tuple | None, limit: int = 8) -> list[Event]:
    """The latest events of ``scope`` (:func:`observatorio.accounts.roles.event_scope` of the user): none for
    None, every source's for ``()``, else only the scope's sources'."""
    if scope is None:
        return []
    events = Event.objects.select_related("source", "category", "area").order_by("-occurred_on", "-id")
    if scope:
        events = events.filter(source_id__in=scope)
    return list(events[:limit])


# --- the authority's home: families, areas that need attention, comparison, freshness -------------------------

ATTENTION_LEVEL = Level.UV
ATTENTION_CLASSES = ("NEW_HOT", "INTENSIFYING_HOT")  # emerging classes read by name (analysis.emerging)


@dataclass(frozen=True)
class FamilyRow:
    """One family of the default measure: the last full month and the year to date, each against the same
    period a year earlier (:func:`engine.headline`'s ``last_year`` comparison); None: suppressed."""

    id: int
    code: str
    name: str
    month: int | None
    month_before: int | None
    month_outcome: str | None  # engine outcome (a Verdict's value or FEW_EVENTS); None: not shown
    ytd: int | None
    ytd_before: int | None
    ytd_outcome: str | None

    @property
    def month_label(self) -> str:
        return outcome_label(self.month_outcome) if self.month_outcome else ""

    @property
    def ytd_label(self) -> str:
        return outcome_label(self.ytd_outcome) if self.ytd_outcome else ""


@dataclass(frozen=True)
class Families:
    measure: MeasureDef
    month: tuple[dt.date, dt.date]
    month_before: tuple[dt.date, dt.date]
    ytd: tuple[dt.date, dt.date]
    ytd_before: tuple[dt.date, dt.date]
    total: FamilyRow  # every family together (the measure)
    rows: list[FamilyRow]
    guarded: bool = False


def _family_ids(state: DataState, code: str, family_id: int) -> tuple[int, ...]:
    return (family_id, *state.catalog.family_children.get(code, ()))


def families(state: DataState, as_of: dt.date, scope=()) -> Families | None:
    """The default measure by family: last full month and year to date up to ``as_of``, each against the same
    period a year earlier, with the exact test's outcome; families with no event in any of the four windows
    are left out. For a reader aggregate-only for the measure (``scope``), counts of 1..k−1 are suppressed
    with the other families and the measure's total (published) as the margin, a comparison with a hidden
    side says nothing, and a sensitive family's row is refused when its window is too short."""
    measure = map_measure(state)
    if measure is None:
        return None
    windows = {"last-month": periods.window("last-month", as_of), "ytd": periods.window("ytd", as_of)}

    def figure(code: str, categories=()) -> engine.Headline:
        start, end = windows[code]
        return engine.headline(state, filters_for(state, measure=measure.code, start=start, end=end, period=code,
                                                  level=Level.COMUNA, categories=categories))

    total = {code: figure(code) for code in windows}
    found = []
    for family_id, code, name in state.catalog.families:
        cats = _family_ids(state, code, family_id)
        got = {p: figure(p, cats) for p in windows}
        if any(h.count or h.last_year.count for h in got.values()):
            found.append((family_id, code, name, cats, got))
    guard = policy.guard_for(scope, measure, state.catalog)
    rows = [_family_row(i, c, n, g["last-month"], g["ytd"]) for i, c, n, _cats, g in found]
    if guard is not None:
        rows = _guard_families(state, measure, scope, found, total, rows)
    whole = _family_row(0, "", measure.name, total["last-month"], total["ytd"])
    if guard is not None:
        whole = _family_row(0, "", measure.name, shapes.headline(total["last-month"], guard),
                            shapes.headline(total["ytd"], guard))
    m, y = total["last-month"], total["ytd"]
    return Families(measure, (m.start, m.end), (m.last_year.start, m.last_year.end), (y.start, y.end),
                    (y.last_year.start, y.last_year.end), whole, rows, guard is not None)


def _family_row(family_id: int, code: str, name: str, month: engine.Headline, ytd: engine.Headline) -> FamilyRow:
    def shown(h: engine.Headline) -> str | None:
        return None if h.count is None or h.last_year.count is None else h.last_year.outcome

    return FamilyRow(family_id, code, name, month.count, month.last_year.count, shown(month), ytd.count,
                     ytd.last_year.count, shown(ytd))


def _guard_families(state, measure, scope, found, total, rows) -> list[FamilyRow]:
    """Suppress the families' counts per window against the measure's total (both published), and refuse a
    sensitive family's window shorter than the guard allows (policy.coarse_refusal)."""
    from observatorio.disclosure.suppress import list_with_total

    guard = policy.guard_for(scope, measure, state.catalog)
    hidden = {}
    for period in ("last-month", "ytd"):
        for side in ("now", "before"):
            counts = [(g[period].count if side == "now" else g[period].last_year.count) for *_x, g in found]
            whole = total[period].count if side == "now" else total[period].last_year.count
            # Events of no family are one more (unshown) cell of the total.
            mask, _extra, _t = list_with_total(counts, guard.k, extra=[max(whole - sum(counts), 0)], total=whole)
            hidden[period, side] = mask
    out = []
    for k, (row, (_i, _c, _n, cats, g)) in enumerate(zip(rows, found)):
        fam_guard = policy.guard_for(scope, measure, state.catalog, categories=cats)
        refused = {p: bool(policy.coarse_refusal(fam_guard, filters_for(
            state, measure=measure.code, start=g[p].start, end=g[p].end, level=Level.COMUNA), state.index))
            for p in ("last-month", "ytd")}

        def side(p, s, value, k=k, refused=refused):
            return None if refused[p] or hidden[p, s][k] else value

        month, month_before = side("last-month", "now", row.month), side("last-month", "before", row.month_before)
        ytd, ytd_before = side("ytd", "now", row.ytd), side("ytd", "before", row.ytd_before)
        out.append(FamilyRow(row.id, row.code, row.name, month, month_before,
                             row.month_outcome if month is not None and month_before is not None else None,
                             ytd, ytd_before, row.ytd_outcome if ytd is not None and ytd_before is not None else None))
    return out


@dataclass(frozen=True)
class AttentionItem:
    """An area that needs attention: a significant rise (after FDR) and/or new or intensifying hotspots."""

    id: int
    code: str
    name: str
    rise: engine.AreaChange | None = None  # last full month against the same month a year earlier
    hotspots: tuple[tuple[str, int], ...] = ()  # (emerging class label, cells whose centre lies in the area)


@dataclass(frozen=True)
class Attention:
    measure: MeasureDef
    changes: engine.AreaChanges | None
    emerging_quarters: list  # [(start, end)] of the emerging analysis ([] when not run)
    emerging_caution: str  # why no emerging hotspots could be told ("" when they could)
    items: list[AttentionItem]
    refusal: str = ""  # disclosure control refused areas this fine for the measure


def attention(state: DataState, terr: Territory | None, as_of: dt.date, scope=()) -> Attention | None:
    """UVs whose last full month rose significantly against the same month a year earlier (exact Poisson
    test, Benjamini–Hochberg FDR across the UVs: :func:`engine.area_changes`), and UVs holding cells the
    emerging hotspot analysis classes as new or intensifying hot spots (the map's layer, same grid and
    quarters); through disclosure control for an aggregate-only reader."""
    from observatorio.analysis.compare import Verdict

    measure = map_measure(state)
    if measure is None:
        return None
    start, end = periods.window("last-month", as_of)
    f = filters_for(state, measure=measure.code, start=start, end=end, period="last-month", level=ATTENTION_LEVEL)
    guard = policy.guard_for(scope, measure, state.catalog)
    refusal = policy.coarse_refusal(guard, f, state.index)
    if refusal or ATTENTION_LEVEL not in state.index.ancestor:
        return Attention(measure, None, [], "", [], refusal)
    changes = engine.area_changes(state, f, "last_year")
    if guard is not None:
        changes = shapes.changes(changes, guard, state, f, engine.compared_window(f, "last_year"))
    rises = {r.id: r for r in changes.rows if r.outcome == Verdict.UP.value}
    quarters, caution, cells = _emerging_cells(state, terr, as_of, measure, guard)
    items = []
    for shape in (terr.shapes.get(ATTENTION_LEVEL, []) if terr else []):
        found = tuple((label, n) for label, n in cells.get(shape.id, {}).items())
        if shape.id in rises or found:
            items.append(AttentionItem(shape.id, shape.code, shape.name, rises.pop(shape.id, None), found))
    index = state.index
    items += [AttentionItem(a, index.areas[a].code, index.areas[a].name, r) for a, r in rises.items()]
    items.sort(key=lambda i: (i.rise is None, i.rise.q_value if i.rise and i.rise.q_value is not None else 1.0,
                              -sum(n for _l, n in i.hotspots), i.name))
    return Attention(measure, changes, quarters, caution, items)


def _emerging_cells(state, terr, as_of, measure, guard) -> tuple[list, str, dict[int, dict[str, int]]]:
    """Per UV, how many of its cells (by centre) the emerging analysis classes new or intensifying hot, read
    from the map's layer (``layers.emerging.emerging_result``); classes read by enum name."""
    from observatorio.analysis.emerging import EmergingClass
    from observatorio.disclosure.grids import small_cells
    from observatorio.labels import emerging_label

    from .layers.base import cell_counts, placed
    from .layers.emerging import emerging_result

    if terr is None:
        return [], "", {}
    f = filters_for(state, measure=measure.code, start=as_of - dt.timedelta(days=MAP_DAYS - 1), end=as_of)
    built = emerging_result(state, terr, f)
    if built.result is None:
        caution = _("Muy pocos eventos por trimestre para identificar puntos calientes emergentes.") \
            if built.too_few else ""
        return built.quarters, caution, {}
    grid, codes = built.grid, built.result.codes
    if guard is not None:  # as the layer: a cell of 1..k−1 events over the quarters is not shown
        where = placed(state, terr)
        total = cell_counts(state, f, where.emerging, grid.size, built.quarters[0][0], built.quarters[-1][1])
        codes = np.where(small_cells(total.reshape(grid.shape), guard.k), -1, codes)
    wanted = [EmergingClass[name] for name in ATTENTION_CLASSES if name in EmergingClass.__members__]
    found = cells_by_area(grid, codes, wanted, terr.shapes.get(ATTENTION_LEVEL, []))
    out = {area: {emerging_label(cls): n for cls, n in per.items()} for area, per in found.items()}
    return built.quarters, "", out


def cells_by_area(grid, codes: np.ndarray, classes, areas) -> dict[int, dict]:
    """Per area (``AreaShape``s, in metres), how many cells of each of ``classes`` (emerging classes) have
    their centre inside it; ``codes``: each cell's position in ``analysis.emerging.CLASSES`` (−1: none)."""
    from observatorio.analysis.emerging import CLASSES

    out: dict[int, dict] = {}
    for cls in classes:
        rows, cols = np.nonzero(codes == CLASSES.index(cls))
        if rows.size == 0:
            continue
        xs, ys = grid.x0 + (cols + 0.5) * grid.cell, grid.y0 + (rows + 0.5) * grid.cell
        for shape in areas:
            n = int(shapely.contains_xy(shape.metric, xs, ys).sum())
            if n:
                out.setdefault(shape.id, {})[cls] = n
    return out


@dataclass(frozen=True)
class RateComparison:
    source: str  # the reference source's name (CEAD)
    year: int
    rows: list[RateRow]  # comuna, region, country, peers together, then each peer
    configured: bool = False  # the peers are the municipality's (OBS_PEER_COMUNAS), not the closest in population


def comparison(state: DataState, scope=()) -> RateComparison | None:
    """The comuna's rate per 100,000 against its region, the country and its peer comunas (:func:`peers_of`),
    from the default measure's reference source (CEAD's counts, every comuna) and the INE projections, for the
    latest calendar year the reference covers in all twelve months for the comuna. None when the territory is
    not one comuna, or the reference or the projections lack it."""
    measure = map_measure(state)
    comunas = state.index.ids_at(Level.COMUNA)
    if measure is None or measure.reference is None or len(comunas) != 1:
        return None
    cut = str(state.index.areas[comunas[0]].code)
    found = state.memo(f"home-comparison:{measure.code}:{cut}:{','.join(configured_peers())}",
                       lambda: _rates(state, measure, cut))
    if found is None:
        return None
    from .quality import _SourceOnly

    guard = policy.guard_for(scope, _SourceOnly((measure.reference,)), state.catalog)
    if guard is None:
        return found
    rows = [replace(r, cases=None if shapes.small(r.cases, guard.k) else r.cases)
            for r in found.rows]
    return replace(found, rows=rows)


def _rates(state: DataState, measure: MeasureDef, cut: str) -> RateComparison | None:
    """:func:`peers.peer_rates` over the last two calendar years of the data first, with the reference source's
    name and the comuna named as the territory when the projections do not name it."""
    as_of = latest_event_date(state)
    found = peer_rates(measure, cut, since=dt.date(as_of.year - 1, 1, 1) if as_of else None)
    if found is None:
        return None
    own = found.rows[0]
    if own.name == own.code:  # the projections have no name for it
        own = replace(own, name=state.index.areas[state.index.ids_at(Level.COMUNA)[0]].name)
    return RateComparison(state.catalog.source_name(measure.reference), found.year, [own, *found.rows[1:]],
                          configured=found.configured)


@dataclass(frozen=True)
class Freshness:
    name: str
    last_day: dt.date | None  # the latest day with a record (None: none)
    monthly: bool  # say only the month: aggregate counts (monthly), or a reader aggregate-only for the source
    last_import: dt.datetime | None


def freshness(state: DataState, scope=()) -> list[Freshness]:
    """Every source's latest record and last committed import, kept once per data state: the events' latest
    day from the snapshot, aggregate counts' latest month and surveys' latest answer from one MAX per source
    each (the sources page's monthly table costs seconds over CEAD's two million rows). A reader
    aggregate-only for a source (``scope``: their event_scope) is told the month, not the day."""
    from .quality import _SourceOnly

    found = state.memo("home-freshness", lambda: _freshness(state))
    return [Freshness(name, day, monthly or policy.guard_for(scope, _SourceOnly((sid,)), state.catalog) is not None,
                      when) for sid, name, day, monthly, when in found]


def _freshness(state: DataState) -> list[tuple]:
    from django.db.models import Max

    from observatorio.records.models import AggregateCount, BatchStatus, ImportBatch, Source, SurveyResponse

    snap = state.events
    latest: dict[int, tuple[dt.date, bool]] = {}
    if snap.size:
        order = np.argsort(snap.source, kind="stable")
        ids, first = np.unique(snap.source[order], return_index=True)
        last_days = np.maximum.reduceat(snap.day[order], first)
        latest = {int(i): (from_day_number(int(d)), False) for i, d in zip(ids, last_days)}
    for model, column, monthly in ((AggregateCount, "period_start", True), (SurveyResponse, "answered_on", False)):
        for sid, day in model.objects.values_list("source_id").annotate(d=Max(column)).order_by():
            if sid not in latest and day is not None:
                latest[sid] = (day, monthly)
    imports = dict(ImportBatch.objects.filter(status=BatchStatus.COMMITTED).values_list("source_id")
                   .annotate(t=Max("created_at")).order_by())
    return [(sid, name, *latest.get(sid, (None, False)), imports.get(sid))
            for sid, name in Source.objects.order_by("name").values_list("id", "name")]
