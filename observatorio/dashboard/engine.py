"""The dashboard's figures, aggregated from the columnar event snapshot.

Every function takes the snapshot, the :class:`Filters` and the territory
index and returns plain data; nothing here touches the database, so the same
code answers in milliseconds on SQLite and PostgreSQL. Statistics come from
:mod:`observatorio.analysis` (Poisson test, Empirical-Bayes rates, hour ×
weekday matrix); this module only selects and counts.

Most questions are answered from the snapshot's :class:`~.cube.Cube`: events
per (source, category, area) cell with running totals over days, so a window's
counts are a subtraction and the filters pick cells, not rows. Filters on the
time of day or weekday, and measures that leave out linked events, are answered
from the cube's running totals per weekday-hour slot when they choose no cells,
else by a scan of its two small codes per event (cell and slot) over the
window's rows (:func:`_scan`). Without a cube
(too many days × cells) the same questions are answered by scanning rows: the
snapshot is ordered by day, so a date window is a slice found by binary search;
the other filters are boolean look-up tables indexed by id, one gather per
column instead of a set-membership test. Both paths give the same answers
(tests/dashboard/test_board_cube.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from observatorio.analysis.compare import Verdict, poisson_rate_test, poisson_rate_tests
from observatorio.analysis.fdr import benjamini_hochberg
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.records import links
from observatorio.records.catalog import Catalog
from observatorio.records.snapshot import EventSnapshot, day_number, from_day_number
from observatorio.state import DataState
from observatorio.territory.index import TerritoryIndex

from .cube import HOURS, Cube, cube_of
from .filters import Filters

ALPHA = 0.05
# Fewest events (both windows together) a comparison must rest on before it may say "up" or "down": below it
# the verdict is FEW_EVENTS, "pocos eventos para concluir" (the reasoning is in docs/analysis.md).
MIN_EVENTS_FOR_TEST = 10
FEW_EVENTS = "few_events"  # the outcome of a comparison below MIN_EVENTS_FOR_TEST (labels.outcome_label)
COMPARES = ("previous", "last_year")  # what a period is compared with: the previous equivalent period, a year ago
DAILY_MAX_DAYS = 92  # up to a quarter, one point per day
WEEKLY_MAX_DAYS = 731  # up to two years, one point per week (weeks start on Monday)
TOP_AREAS = 10
NO_CATEGORY = -1


@dataclass(frozen=True)
class Taxonomy:
    """Names of categories and families, made once per catalog (:func:`taxonomy`)."""

    category_name: dict[int, str]
    category_family: dict[int, int]  # category id → family id (a family maps to itself)
    family_name: dict[int, str]

    def family_lut(self) -> np.ndarray:
        size = max([*self.category_family, 0]) + 2
        lut = np.full(size, NO_CATEGORY, dtype=np.int64)
        for cat, fam in self.category_family.items():
            lut[cat] = fam
        return lut


    @classmethod
    def of(cls, catalog: Catalog) -> Taxonomy:
        rows = catalog.category_rows
        return cls(category_name={i: n for i, n, _p in rows},
                   category_family={i: (p if p is not None else i) for i, _n, p in rows},
                   family_name={i: n for i, n, p in rows if p is None})


def taxonomy(state: DataState) -> Taxonomy:
    return state.memo("taxonomy", lambda: Taxonomy.of(state.catalog), on=("catalog",))


# --- selection ------------------------------------------------------------------------------------------------


def linked(state: DataState, measure: str) -> np.ndarray | None:
    """Per event, whether the measure leaves it out as linked to an event of its primary source (None: none)."""
    found = state.catalog.measure(measure)
    if found is None or not found.links:
        return None
    return state.memo(f"linked:{measure}", lambda: links.linked_rows(state.events, found), on=("events", "catalog"))


def link_summary(state: DataState, measure: str) -> links.LinkSummary | None:
    """How many events of the measure's other sources there are and how many it leaves out (None: one source)."""
    found = state.catalog.measure(measure)
    if found is None or not found.links:
        return None
    return links.summary(state.events, found, linked(state, measure))


def _cube(state: DataState, f: Filters) -> Cube | None:
    """The state's cube (None: too many days × cells, the rows are scanned)."""
    return cube_of(state)


def slot_table(f: Filters) -> np.ndarray | None:
    """Per cube slot (hour × 7 + weekday, hour 24: time unknown), whether it passes the filters' hours and
    weekdays; None without either filter. An hour filter leaves out the events of unknown time."""
    if not f.by_time:
        return None
    hours = f.hour_mask() if f.hours is not None else np.ones(HOURS, dtype=bool)
    days = np.zeros(7, dtype=bool)
    days[list(f.weekdays) if f.weekdays else slice(None)] = True
    return (hours[:, None] & days[None, :]).ravel()


def _no_scan(f: Filters) -> bool:
    """Whether the slot totals answer a time-filtered question: no cells chosen, no linked events left out."""
    return not (f.sources or f.categories or f.areas or f.links)


def _scan(state: DataState, cube: Cube, f: Filters, *, cells: bool = True) -> tuple[slice, np.ndarray | None]:
    """The cube's rows of the filters' window and a mask over them (None: all pass): the time filters, the
    events the measure leaves out and, with ``cells``, the chosen cells."""
    return cube.scan(day_number(f.start), day_number(f.end), select_cells(cube, f, state.index) if cells else None,
                     slot_table(f), linked(state, f.measure) if f.links else None)


def _total(state: DataState, cube: Cube, f: Filters) -> int:
    """Events of the filters' window, from the cube."""
    first, last = day_number(f.start), day_number(f.end)
    if not f.by_rows:
        return cube.total(first, last, select_cells(cube, f, state.index))
    if _no_scan(f):
        return int(cube.slot_counts(first, last)[slot_table(f)].sum())
    return _count(*_scan(state, cube, f))


def _lut(ids) -> np.ndarray:
    """Boolean table over ids 0..max(ids)+1; database ids start at 1, so slots 0 and the last are False."""
    ids = np.asarray([i for i in ids if i > 0], dtype=np.int64)
    table = np.zeros(int(ids.max()) + 2 if ids.size else 2, dtype=bool)
    table[ids] = True
    return table


def select(snap: EventSnapshot, f: Filters, index: TerritoryIndex, *, start: dt.date | None = None,
           end: dt.date | None = None, leave_out: np.ndarray | None = None) -> tuple[slice, np.ndarray | None]:
    """Rows of the window [start, end] (default: the filters' own) and a mask over that slice (None: all pass).

    ``leave_out``: per event, those the measure leaves out (:func:`linked`); pass it whenever ``f.links``.
    """
    window = snap.window(day_number(start or f.start), day_number(end or f.end))
    mask = None

    def narrow(column: np.ndarray, ids) -> None:
        nonlocal mask
        # mode="clip" sends -1 to slot 0 and ids beyond the table to its last slot, both False: no pass for max().
        passed = np.take(_lut(ids), column[window], mode="clip")
        mask = passed if mask is None else (mask & passed)

    if f.sources:
        narrow(snap.source, f.sources)
    if f.categories:
        narrow(snap.category, f.categories)
    if f.areas:
        narrow(snap.area, _wanted_areas(f, index))
    if f.hours is not None:
        # A table per minute of the day: one gather of the int16 column, no arithmetic over the rows. Unknown
        # times (-1) wrap to its last slot, which never passes.
        table = np.append(np.repeat(f.hour_mask()[:24], 60), False)
        passed = np.take(table, snap.minute[window], mode="wrap")
        mask = passed if mask is None else (mask & passed)
    if f.weekdays:
        table = np.zeros(7, dtype=bool)
        table[list(f.weekdays)] = True
        # 1970-01-01 was a Thursday (weekday 3 counting from Monday = 0).
        passed = table[(snap.day[window].astype(np.int64) + 3) % 7]
        mask = passed if mask is None else (mask & passed)
    if leave_out is not None:
        passed = ~leave_out[window]
        mask = passed if mask is None else (mask & passed)
    return window, mask


def select_in(state: DataState, f: Filters, *, start: dt.date | None = None,
              end: dt.date | None = None) -> tuple[slice, np.ndarray | None]:
    """:func:`select` over the state's events, leaving out the events the filters' measure leaves out."""
    return select(state.events, f, state.index, start=start, end=end,
                  leave_out=linked(state, f.measure) if f.links else None)


def _wanted_areas(f: Filters, index: TerritoryIndex) -> set[int]:
    wanted: set[int] = set()
    for area_id in f.areas:
        wanted |= index.descendants_or_self(area_id)
    return wanted


def select_cells(cube: Cube, f: Filters, index: TerritoryIndex) -> np.ndarray | None:
    """Positions of the cube's cells that pass the filters' sources, categories and areas (None: all)."""
    if not (f.sources or f.categories or f.areas):
        return None
    keep = None
    for column, ids in ((cube.cell_source, f.sources), (cube.cell_category, f.categories),
                        (cube.cell_area, _wanted_areas(f, index) if f.areas else ())):
        if ids:
            # Look-up tables as in select(): a gather per filter, cheaper than np.isin's sort or table setup.
            passed = np.take(_lut(ids), column, mode="clip")
            keep = passed if keep is None else (keep & passed)
    return np.flatnonzero(keep)


CELL_SCANS_KEPT = 256  # answers of 2,735 cells × 8 bytes at 5M events: ~6 MB at most


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # kept and shared by every request that asks the same: nobody may change it
    return array


def _window_cells(state: DataState, cube: Cube, f: Filters) -> tuple[np.ndarray, np.ndarray]:
    """The chosen cells and their events in the filters' window."""
    cells = select_cells(cube, f, state.index)
    if f.by_rows:
        # Every cell's count from one scan of the codes, then the chosen ones: cheaper than a gather per row.
        # The scan depends on the window, the time filters and the measure's left-out events only, and a page
        # asks it five times (categories, families, areas, the ranking, the choropleth): kept per question,
        # one scan serves them all (5 ms a scan of a year of nights at 5M events; docs/performance.md).
        question = (f.start, f.end, f.hours, f.weekdays, f.measure if f.links else "")
        counts = state.cache("cell-scans", CELL_SCANS_KEPT, on=("events", "catalog")).get(
            question, lambda: _read_only(cube.scan_cells(*_scan(state, cube, f, cells=False))))
    else:
        counts = cube.cell_counts(day_number(f.start), day_number(f.end))
    if cells is None:
        return np.arange(cube.cells), counts
    return cells, counts[cells]


def _take(snap: EventSnapshot, column: str, window: slice, mask: np.ndarray | None) -> np.ndarray:
    values = getattr(snap, column)[window]
    return values if mask is None else np.compress(mask, values)  # cube.COMPRESS: faster than values[mask]


def _count(window: slice, mask: np.ndarray | None) -> int:
    return int(window.stop - window.start) if mask is None else int(np.count_nonzero(mask))


# --- headline -------------------------------------------------------------------------------------------------


class Tested:
    """A test's verdict and the events it rests on (``verdict``, ``events``): show :attr:`outcome`."""

    verdict: Verdict
    events: int

    @property
    def few(self) -> bool:
        # None: suppressed by disclosure control (observatorio.disclosure), which hides only small counts.
        return self.events is None or self.events < MIN_EVENTS_FOR_TEST

    @property
    def outcome(self) -> str:
        """The verdict to show: FEW_EVENTS below the minimum, else the verdict's value (labels.outcome_label)."""
        return outcome(self.verdict, self.events)


@dataclass(frozen=True)
class Comparison(Tested):
    """The current window against another one. Show :attr:`outcome`, not :attr:`verdict`: the test's verdict
    stands only when the comparison rests on at least :data:`MIN_EVENTS_FOR_TEST` events."""

    start: dt.date
    end: dt.date
    count: int
    change: int  # current − this
    pct_change: float | None  # None when this window had no events
    p_value: float
    verdict: Verdict  # the exact test's at alpha, whatever the counts
    events: int  # what the comparison rests on: the current window's events plus this window's

    def as_dict(self) -> dict:
        """As the dashboard's JSON and ``observatorio figures --json`` give it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": self.count,
                "change": self.change, "pct_change": self.pct_change, "p_value": self.p_value,
                "events": self.events, "few_events": self.few, "verdict": self.outcome,
                "test_verdict": Verdict(self.verdict).value}


def outcome(verdict: Verdict, events: int) -> str:
    """A verdict as shown: FEW_EVENTS when it rests on fewer than MIN_EVENTS_FOR_TEST events, else its value."""
    return FEW_EVENTS if events is None or events < MIN_EVENTS_FOR_TEST else Verdict(verdict).value


@dataclass(frozen=True)
class Headline:
    start: dt.date
    end: dt.date
    days: int
    count: int
    per_day: float
    population: int | None
    rate: float | None  # per 1,000 inhabitants in the period
    previous: Comparison
    last_year: Comparison

    def as_dict(self) -> dict:
        """As the dashboard's JSON and ``observatorio figures --json`` give it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days,
                "count": self.count, "per_day": self.per_day, "population": self.population,
                "rate_per_1000": self.rate, "min_events": MIN_EVENTS_FOR_TEST,
                "previous": self.previous.as_dict(), "last_year": self.last_year.as_dict()}


# A page load asks every endpoint the same two comparisons, and the same figures recur across filters, so the
# answers (~0.1-0.3 ms each to compute) are kept.
_poisson_p = lru_cache(maxsize=4096)(poisson_rate_test)


def _compare(current: int, days: int, other: int, start: dt.date, end: dt.date, alpha: float) -> Comparison:
    other_days = (end - start).days + 1
    p = _poisson_p(current, days, other, other_days)
    rate_now, rate_then = current / days, other / other_days
    if p < alpha and rate_now != rate_then:
        verdict = Verdict.UP if rate_now > rate_then else Verdict.DOWN
    else:
        verdict = Verdict.NO_CHANGE
    pct = 100.0 * (current - other) / other if other else None
    return Comparison(start, end, other, current - other, pct, p, verdict, current + other)


def territory_population(f: Filters, index: TerritoryIndex, year: int) -> int | None:
    """Population in force for ``year`` of the filtered territory (the chosen areas, else the top level)."""
    if f.areas:
        roots = list(f.areas)
    else:
        roots = [a.id for a in index.areas.values() if a.parent_id is None]
    total, known = 0, False
    for area_id in roots:
        pop = _population_down(area_id, index, year)
        if pop is not None:
            total, known = total + pop, True
    return total if known else None


def _population_down(area_id: int, index: TerritoryIndex, year: int) -> int | None:
    """An area's own figure, else the sum of its children's."""
    own = index.population_in(area_id, year)
    if own is not None:
        return own
    children = [a.id for a in index.areas.values() if a.parent_id == area_id]
    figures = [p for p in (_population_down(c, index, year) for c in children) if p is not None]
    return sum(figures) if figures else None


def headline(state: DataState, f: Filters, *, alpha: float = ALPHA) -> Headline:
    """Events in the window, against the window before it and the same window a year earlier."""
    prev, last = f.previous(), f.last_year()
    index, cube = state.index, _cube(state, f)
    if cube is not None:
        count, n_prev, n_last = (_total(state, cube, w) for w in (f, prev, last))
    else:
        count = _count(*select_in(state, f))
        n_prev = _count(*select_in(state, f, start=prev.start, end=prev.end))
        n_last = _count(*select_in(state, f, start=last.start, end=last.end))
    population = territory_population(f, index, f.end.year)
    rate = float(crude_rate([count], [population])[0]) if population else None
    return Headline(f.start, f.end, f.days, count, count / f.days, population, rate,
                    _compare(count, f.days, n_prev, prev.start, prev.end, alpha),
                    _compare(count, f.days, n_last, last.start, last.end, alpha))


# --- trend ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    step: str  # "day" | "week" | "month"
    starts: list[dt.date]  # first day of each bin (the first and last bins may be cut by the window)
    counts: np.ndarray
    days: np.ndarray  # days of the window in each bin: fewer than the bin's length in a cut first or last bin

    def partial(self) -> np.ndarray:
        """Bins the window cuts short (a week of less than 7 days, a month missing days): their count is lower."""
        if self.step == "day":
            return np.zeros(len(self.starts), dtype=bool)
        if self.step == "week":
            full = np.full(len(self.starts), 7)
        else:
            full = np.array([calendar.monthrange(d.year, d.month)[1] for d in self.starts])
        return self.days < full


def trend_step(days: int) -> str:
    return "day" if days <= DAILY_MAX_DAYS else ("week" if days <= WEEKLY_MAX_DAYS else "month")


def trend(state: DataState, f: Filters, step: str | None = None) -> Trend:
    """Events per day, week or month of the window (``step``; default by the window's length, trend_step)."""
    first, last = day_number(f.start), day_number(f.end)
    snap, index, cube = state.events, state.index, _cube(state, f)
    if cube is not None:
        # Events per day of the window; the bins below weight each day by its count instead of each event by 1.
        if not f.by_rows:
            daily = cube.daily(first, last, select_cells(cube, f, index))
        elif _no_scan(f):
            daily = cube.slot_daily(first, last, slot_table(f))
        else:
            daily = cube.scan_daily(first, last, *_scan(state, cube, f))
        days, weights = np.arange(first, last + 1), daily
    else:
        window, mask = select_in(state, f)
        days, weights = _take(snap, "day", window, mask), None

    def binned(keys: np.ndarray, size: int) -> np.ndarray:
        out = np.bincount(keys, weights=weights, minlength=size)
        # Weighted bincount sums in float64: exact for counts below 2**53.
        return np.rint(out).astype(np.int64) if weights is not None else out

    step = step or trend_step(f.days)
    window_days = np.arange(first, last + 1)
    if step == "day":
        counts = binned(days - first, last - first + 1)
        in_bin = np.ones(counts.size, dtype=np.int64)
        starts = [f.start + dt.timedelta(days=i) for i in range(counts.size)]
    elif step == "week":
        # 1970-01-01 was a Thursday: day + 3 counts from a Monday.
        week0 = (first + 3) // 7
        counts = binned((days + 3) // 7 - week0, (last + 3) // 7 - week0 + 1)
        in_bin = np.bincount((window_days + 3) // 7 - week0, minlength=counts.size)
        starts = [max(f.start, from_day_number(7 * (week0 + i) - 3)) for i in range(counts.size)]
    else:
        month0 = f.start.year * 12 + f.start.month - 1
        # Month of each day of the window, looked up: converting millions of days to datetime64 is slower.
        months = window_days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        month_of = months + 1970 * 12 - month0
        counts = binned(month_of[days - first], int(month_of[-1]) + 1)
        in_bin = np.bincount(month_of, minlength=counts.size)
        starts = [max(f.start, dt.date((month0 + i) // 12, (month0 + i) % 12 + 1, 1)) for i in range(counts.size)]
    return Trend(step, starts, counts.astype(np.int64), in_bin.astype(np.int64))


# --- categories -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    ids: list[int]  # -1: no category
    names: list[str]
    counts: list[int]


def _breakdown(values: np.ndarray, names: dict[int, str], unnamed: str, weights=None) -> Breakdown:
    """Counts per id of ``values`` (one per event, or one per cell with its events as ``weights``)."""
    shifted = np.bincount(values + 1, weights=weights) if values.size else np.zeros(1, dtype=np.int64)
    if weights is not None:
        shifted = np.rint(shifted).astype(np.int64)
    present = np.flatnonzero(shifted)
    rows = sorted(((int(i) - 1, int(shifted[i])) for i in present), key=lambda r: (-r[1], names.get(r[0], "")))
    return Breakdown([r[0] for r in rows], [names.get(r[0], unnamed) for r in rows], [r[1] for r in rows])


def _categories(state: DataState, f: Filters) -> tuple[np.ndarray, np.ndarray | None]:
    """Category of each selected event, or of each selected cell with its events as weights."""
    snap, cube = state.events, _cube(state, f)
    if cube is not None:
        cells, counts = _window_cells(state, cube, f)
        return cube.cell_category[cells], counts
    return _take(snap, "category", *select_in(state, f)).astype(np.int64), None


def by_category(state: DataState, f: Filters) -> Breakdown:
    values, weights = _categories(state, f)
    return _breakdown(values, taxonomy(state).category_name, "Sin categoría", weights)


def by_family(state: DataState, f: Filters) -> Breakdown:
    values, weights = _categories(state, f)
    names = taxonomy(state)
    lut = names.family_lut()
    values = np.where((values >= 0) & (values < lut.size - 1), values, lut.size - 1)
    return _breakdown(lut[values], names.family_name, "Sin categoría", weights)


# --- hour × weekday -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourWeekday:
    matrix: np.ndarray  # (7, 24), Monday first
    without_time: int  # events left out because their time is unknown


_HOUR_OF_MINUTE = np.append(np.repeat(np.arange(24, dtype=np.intp), 60), 24)  # minute of the day → hour; -1 → 24


def hour_weekday(state: DataState, f: Filters) -> HourWeekday:
    """Events by weekday and hour, as :func:`~observatorio.analysis.timepatterns.hour_weekday_matrix` counts them.

    The matrix is counted straight from the day and minute columns: building millions of timestamps for
    the analysis function costs ten times more than the count (the tests check both agree).
    """
    snap, cube = state.events, _cube(state, f)
    if cube is not None:
        first, last = day_number(f.start), day_number(f.end)
        if _no_scan(f):
            slots = cube.slot_counts(first, last)
            if f.by_time:
                slots = np.where(slot_table(f), slots, 0)
        else:
            slots = cube.scan_slots(*_scan(state, cube, f))
        matrix = slots.reshape(HOURS, 7).T
        return HourWeekday(matrix[:, :24].astype(float), int(matrix[:, 24].sum()))
    window, mask = select_in(state, f)
    # Events per (day, hour) of the window, then the days added up by weekday: per row one gather and a few
    # integer operations, no division. Hour 24 holds the unknown times (minute -1 wraps to the table's end).
    first, days = day_number(f.start), f.days
    slot = (_take(snap, "day", window, mask) - np.int32(first)).astype(np.intp)
    slot *= 25
    slot += np.take(_HOUR_OF_MINUTE, _take(snap, "minute", window, mask), mode="wrap")
    per_day = np.bincount(slot, minlength=days * 25).reshape(days, 25)
    by_weekday = np.zeros((7, 25), dtype=np.int64)
    # 1970-01-01 was a Thursday (weekday 3 counting from Monday = 0).
    np.add.at(by_weekday, (np.arange(first, first + days) + 3) % 7, per_day)
    return HourWeekday(by_weekday[:, :24].astype(float), int(by_weekday[:, 24].sum()))


# --- areas ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    id: int
    code: str
    name: str
    count: int
    population: int | None
    rate: float | None  # per 1,000
    eb_rate: float | None  # global Empirical Bayes, per 1,000 (None without population)


@dataclass(frozen=True)
class AreaTable:
    level: str
    year: int  # population year asked for (in force for the window's end)
    rows: list[AreaRow]
    unplaced: int  # events of the selection with no area at this level

    def top(self, n: int = TOP_AREAS) -> list[AreaRow]:
        # A count suppressed by disclosure control (None) goes last: its place would bound it.
        return sorted(self.rows, key=lambda r: (r.count is None, -(r.count or 0), r.code))[:n]


def area_counts(state: DataState, f: Filters, level: str) -> tuple[np.ndarray, int]:
    """Events of the selection per area id of ``level`` (an array indexed by id), and those with no area there."""
    snap, index, cube = state.events, state.index, _cube(state, f)
    size = max(index.areas, default=0) + 1
    if cube is not None:
        cells, weights = _window_cells(state, cube, f)
        lifted = index.lift(cube.cell_area[cells], level) if cells.size else np.empty(0, dtype=np.int64)
        inside_level = lifted >= 0
        counts = np.rint(np.bincount(lifted[inside_level], weights=weights[inside_level], minlength=size)
                         ).astype(np.int64)
        unplaced = int(weights.sum() - weights[inside_level].sum())
    else:
        areas = _take(snap, "area", *select_in(state, f)).astype(np.int64)
        lifted = index.lift(areas, level) if areas.size else np.empty(0, dtype=np.int64)
        placed = lifted[lifted >= 0]
        counts = np.bincount(placed, minlength=size)
        unplaced = int(lifted.size - placed.size)
    return counts, unplaced


def by_area(state: DataState, f: Filters) -> AreaTable:
    """Counts per area at the filters' level, with crude and EB-smoothed rates per 1,000."""
    index, year = state.index, f.end.year
    counts, unplaced = area_counts(state, f, f.level)
    ids = index.ids_at(f.level)
    if f.areas:
        inside = _wanted_areas(f, index)
        # Ancestors of a chosen area are kept too, so choosing a UV at comuna level still shows its comuna.
        ids = [i for i in ids if i in inside or int(counts[i]) > 0]
    pops = [index.population_in(i, year) for i in ids]
    with_pop = [k for k, p in enumerate(pops) if p]
    eb: list[float | None] = [None] * len(ids)
    rate: list[float | None] = [None] * len(ids)
    if with_pop:
        events, people = [int(counts[ids[k]]) for k in with_pop], [pops[k] for k in with_pop]
        for k, crude, smoothed in zip(with_pop, crude_rate(events, people), eb_global(events, people).smoothed):
            rate[k], eb[k] = float(crude), float(smoothed)
    rows = []
    for k, area_id in enumerate(ids):
        info = index.areas[area_id]
        rows.append(AreaRow(area_id, info.code, info.name, int(counts[area_id]), pops[k], rate[k], eb[k]))
    return AreaTable(f.level, year, rows, unplaced)


# --- change by area -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaChange(Tested):
    id: int
    code: str
    name: str
    count: int  # events in the filters' window
    before: int  # events in the window compared with
    change: int  # count − before
    pct_change: float | None  # None when there were none before
    p_value: float  # exact Poisson test on the rates per day (poisson_rate_test with the windows' days)
    q_value: float | None  # Benjamini–Hochberg adjusted p-value; None when not tested (too few events)
    verdict: Verdict  # after FDR control across the tested areas
    events: int  # count + before: what the test rests on


@dataclass(frozen=True)
class AreaChanges:
    level: str
    compare: str  # one of COMPARES
    start: dt.date
    end: dt.date
    before_start: dt.date
    before_end: dt.date
    alpha: float  # the false discovery rate controlled
    tested: int  # areas with at least MIN_EVENTS_FOR_TEST events: the family FDR is controlled over
    threshold: float | None  # the BH threshold on p (None: nothing tested)
    rows: list[AreaChange]  # in the level's order (by code)
    unplaced: int  # events of the window with no area at this level
    unplaced_before: int


def compared_window(f: Filters, compare: str) -> Filters:
    """The filters over the window a period is compared with: ``previous`` or ``last_year``."""
    if compare not in COMPARES:
        raise ValueError(f"compare={compare!r}: use one of {COMPARES}")
    return f.previous() if compare == "previous" else f.last_year()


def area_changes(state: DataState, f: Filters, compare: str = "previous", *, alpha: float = ALPHA) -> AreaChanges:
    """Every area of the filters' level: events now and in the compared window, the exact test of equal
    rates per day, and a verdict after Benjamini–Hochberg FDR control across the areas.

    Areas whose two windows hold fewer than :data:`MIN_EVENTS_FOR_TEST` events together are not tested (their
    p-value is shown, but they do not enter the FDR family and their outcome is FEW_EVENTS). Leaving them out
    does not bias the procedure: the conditional test's p-value depends on how the n events split between the
    windows, while the choice depends on n alone.
    """
    other = compared_window(f, compare)
    index = state.index
    now, unplaced = area_counts(state, f, f.level)
    then, unplaced_before = area_counts(state, other, f.level)
    ids = index.ids_at(f.level)
    if f.areas:
        inside = _wanted_areas(f, index)
        ids = [i for i in ids if i in inside or int(now[i]) > 0 or int(then[i]) > 0]
    days, other_days = f.days, other.days
    counts = [(int(now[i]), int(then[i])) for i in ids]
    p_values = poisson_rate_tests([c for c, _ in counts], days, [b for _, b in counts], other_days).tolist()
    tested = np.array([c + b >= MIN_EVENTS_FOR_TEST for c, b in counts], dtype=bool)
    fdr = benjamini_hochberg(np.where(tested, p_values, np.nan), alpha) if ids else None
    rows = []
    for k, area_id in enumerate(ids):
        c, b = counts[k]
        verdict = Verdict.NO_CHANGE
        if fdr is not None and fdr.reject[k] and c / days != b / other_days:
            verdict = Verdict.UP if c / days > b / other_days else Verdict.DOWN
        info = index.areas[area_id]
        rows.append(AreaChange(area_id, info.code, info.name, c, b, c - b, 100.0 * (c - b) / b if b else None,
                               p_values[k], float(fdr.adjusted[k]) if tested[k] else None, verdict, c + b))
    threshold = fdr.threshold if fdr is not None and fdr.m else None
    return AreaChanges(f.level, compare, f.start, f.end, other.start, other.end, alpha, int(tested.sum()),
                       threshold, rows, unplaced, unplaced_before)
