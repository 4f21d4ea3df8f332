"""Counts of the event snapshot pre-aggregated by day × cell, built once per snapshot.

A *cell* is one combination of (source, category, finest area) present in the
data: a few thousand at most for a municipality, against millions of events.
The cube keeps, for every cell, the running total of events up to each day
(prefix sums), so the events of any window in every cell are one subtraction
of two rows: window totals, categories, families and areas become sums over a
few thousand numbers instead of scans over millions of rows.

Hour × weekday needs the time of day, which the cells do not hold: the cube
keeps a running total per hour-weekday *slot* (hour × 7 + weekday, hour 24 for
a time unknown) for questions that choose no cells, and one small code per
event (its cell and its slot). A question that filters by time of day or
weekday, or leaves out linked events, is then a scan of those two codes over
the window's contiguous rows (:meth:`Cube.scan`), instead of a gather per
filtered column and arithmetic per row. Cells are numbered in (source,
category, area) order and slots hour first, so a measure's sources, a family's
categories or a band of hours are usually a few runs of consecutive codes,
tested by comparisons (no gather); other choices are one gather through a
small table. Without chosen cells and linked events it is no scan at all
(:meth:`Cube.slot_counts`).

When days × cells would not fit in :data:`MAX_ENTRIES` (dates spread over
decades, or tens of thousands of cells), :func:`cube_of` answers None and the
engine scans rows instead; the answers are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatorio.records.snapshot import EventSnapshot
from observatorio.state import DataState

MAX_ENTRIES = 40_000_000  # (days + 1) × cells; 160 MB of int32 at most
HOURS = 25  # hours 0-23 and 24: time of day unknown
SLOTS = HOURS * 7  # hour * 7 + weekday (Monday 0); an unknown time keeps its weekday
# COMPRESS: rows chosen by a boolean mask are taken with np.compress(mask, values), not values[mask]: the same
# array, 5-8 times faster on a million rows of scattered choices (NumPy 2.4: 0.8 against 6.3 ms for 1.3M codes
# half chosen): the scan of a year of nights counts its cells in 1.6 ms instead of 5 (docs/performance.md).

# Chosen codes in at most this many runs of consecutive values are compared, not looked up: one comparison
# pass costs about a quarter of a look-up over a million codes (0.11-0.13 against 0.41-0.55 ms, NumPy 2.4, a
# quiet machine), so from five runs the look-up is cheaper (it was 16, measured on a loaded machine).
MAX_RUNS = 4


@dataclass(frozen=True)
class Cube:
    first_day: int  # day number of the first day covered (the snapshot's earliest)
    days: int  # days covered: first_day .. first_day + days - 1
    cell_source: np.ndarray  # per cell
    cell_category: np.ndarray  # per cell, -1 none
    cell_area: np.ndarray  # per cell, -1 none
    prefix: np.ndarray  # (days + 1, cells): events before day first_day + d, per cell
    row_start: np.ndarray  # (days + 1,): first snapshot row of each day (the window slice)
    slot_prefix: np.ndarray  # (days + 1, SLOTS): events before each day, per hour-weekday slot
    row_cell: np.ndarray  # per snapshot row: its cell
    row_slot: np.ndarray  # per snapshot row: hour * 7 + weekday (Monday 0; hour 24: unknown)
    cell_pair: np.ndarray  # per cell: its (source, category) pair, numbered in cell order
    cell_place: np.ndarray  # per cell: its area, numbered 0 .. places - 1
    row_place: np.ndarray  # per snapshot row: its area as numbered in cell_place

    @property
    def cells(self) -> int:
        return int(self.cell_source.size)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in ("cell_source", "cell_category", "cell_area", "prefix",
                                                       "row_start", "slot_prefix", "row_cell", "row_slot", "cell_pair",
                                                       "cell_place", "row_place"))

    def _bounds(self, first: int, last: int) -> tuple[int, int]:
        """Prefix rows of the window [first, last] (day numbers), clipped to the days covered."""
        lo = min(max(first - self.first_day, 0), self.days)
        hi = min(max(last - self.first_day + 1, 0), self.days)
        return lo, max(lo, hi)

    def rows(self, first: int, last: int) -> slice:
        """The snapshot rows of the days [first, last]: the same slice as ``EventSnapshot.window``."""
        lo, hi = self._bounds(first, last)
        return slice(int(self.row_start[lo]), int(self.row_start[hi]))

    def cell_counts(self, first: int, last: int) -> np.ndarray:
        """Events of the days [first, last] in every cell (int64)."""
        lo, hi = self._bounds(first, last)
        return self.prefix[hi].astype(np.int64) - self.prefix[lo]

    def total(self, first: int, last: int, cells: np.ndarray | None) -> int:
        """Events of the days [first, last] in the chosen cells (None: all)."""
        if cells is None:
            window = self.rows(first, last)
            return window.stop - window.start
        return int(self.cell_counts(first, last)[cells].sum())

    def daily(self, first: int, last: int, cells: np.ndarray | None) -> np.ndarray:
        """Events per day for every day of [first, last] (zeros outside the days covered)."""
        out = np.zeros(last - first + 1, dtype=np.int64)
        lo, hi = self._bounds(first, last)
        if hi > lo:
            if cells is None:
                running = self.row_start[lo:hi + 1].astype(np.int64)
            else:
                running = self.prefix[lo:hi + 1][:, cells].sum(axis=1, dtype=np.int64)
            offset = self.first_day + lo - first
            out[offset:offset + hi - lo] = np.diff(running)
        return out

    def slot_counts(self, first: int, last: int) -> np.ndarray:
        """Events of [first, last] per slot (hour × 7 + weekday), every cell together: no scan."""
        lo, hi = self._bounds(first, last)
        return self.slot_prefix[hi].astype(np.int64) - self.slot_prefix[lo]

    def slot_daily(self, first: int, last: int, slot_ok: np.ndarray) -> np.ndarray:
        """Events per day of [first, last] in the slots passing ``slot_ok``, every cell together: no scan."""
        out = np.zeros(last - first + 1, dtype=np.int64)
        lo, hi = self._bounds(first, last)
        if hi > lo:
            running = self.slot_prefix[lo:hi + 1][:, slot_ok].sum(axis=1, dtype=np.int64)
            offset = self.first_day + lo - first
            out[offset:offset + hi - lo] = np.diff(running)
        return out

    def scan(self, first: int, last: int, cells: np.ndarray | None, slot_ok: np.ndarray | None,
             leave_out: np.ndarray | None = None) -> tuple[slice, np.ndarray | None]:
        """The rows of [first, last] and a mask over them (None: all pass): in the chosen cells (None: all), in
        the slots passing ``slot_ok`` (None: all), and not in ``leave_out`` (per event; None: none)."""
        window = self.rows(first, last)
        mask = None
        if cells is not None:
            mask = self._in_cells(cells, window)
        if slot_ok is not None:
            passed = among(slot_ok, self.row_slot[window])
            mask = passed if mask is None else (mask & passed)
        if leave_out is not None:
            passed = ~leave_out[window]
            mask = passed if mask is None else (mask & passed)
        return window, mask

    def _in_cells(self, cells: np.ndarray, window: slice) -> np.ndarray:
        """Per row of the window, whether its cell is among ``cells``. Chosen areas break the cells into many
        runs; then, when the choice is a product (pairs × areas, as the filters make it), the pairs are tested
        on the cell codes (a few runs) and the areas on the one-byte area codes, instead of one wide gather."""
        chosen = np.zeros(self.cells, dtype=bool)
        chosen[cells] = True
        if _runs(chosen) > MAX_RUNS:
            pairs = np.isin(self.cell_pair, self.cell_pair[cells])
            places = np.zeros(int(self.cell_place.max()) + 1, dtype=bool)
            places[self.cell_place[cells]] = True
            if np.array_equal(pairs & places[self.cell_place], chosen):
                return among(pairs, self.row_cell[window]) & among(places, self.row_place[window])
        return among(chosen, self.row_cell[window])

    def scan_daily(self, first: int, last: int, window: slice, mask: np.ndarray | None) -> np.ndarray:
        """Events per day of [first, last] among the scanned rows (the window of :meth:`scan` over those days)."""
        out = np.zeros(last - first + 1, dtype=np.int64)
        lo, hi = self._bounds(first, last)
        if hi > lo:
            bounds = self.row_start[lo:hi + 1] - window.start
            counts = np.diff(bounds) if mask is None else per_run(mask, bounds)
            offset = self.first_day + lo - first
            out[offset:offset + hi - lo] = counts
        return out

    def scan_cells(self, window: slice, mask: np.ndarray | None) -> np.ndarray:
        """Events per cell among the scanned rows (chosen by ``np.compress``: see COMPRESS)."""
        codes = self.row_cell[window]
        return np.bincount(codes if mask is None else np.compress(mask, codes), minlength=self.cells).astype(np.int64)

    def scan_slots(self, window: slice, mask: np.ndarray | None) -> np.ndarray:
        """Events per slot among the scanned rows."""
        codes = self.row_slot[window]
        return np.bincount(codes if mask is None else np.compress(mask, codes), minlength=SLOTS).astype(np.int64)


def per_run(mask: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """How many of ``mask`` pass between each pair of consecutive ``bounds`` (sorted, from 0 to ``mask.size``).
    One pass of sums per run, with no running total of 8 bytes a row: 6 times faster than a cumulative sum over
    1.5M rows, and it leaves no 12 MB array to be faulted in by the next answer."""
    starts = bounds[:-1]
    out = np.zeros(starts.size, dtype=np.int64)
    inside = int(np.searchsorted(starts, mask.size))  # runs starting at the end are empty
    if inside:
        out[:inside] = np.add.reduceat(mask.view(np.uint8), starts[:inside], dtype=np.int64)
    out[starts == bounds[1:]] = 0  # reduceat gives an empty run its first row's value
    return out


def among(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]``: per code, whether the boolean table passes it. When the passing codes make at most
    :data:`MAX_RUNS` runs of consecutive values, each run is one unsigned comparison over the codes (a
    subtraction that wraps below the run's start): for one or two runs 2-4 times faster than a gather, which
    widens every code to a 64-bit index first."""
    if _runs(table) > MAX_RUNS or codes.dtype.kind != "u":
        return lookup(table, codes)
    edges = np.diff(np.concatenate(([False], table, [False])).astype(np.int8))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = np.zeros(codes.size, dtype=bool)
    for start, stop in zip(starts, stops):
        out |= (codes - codes.dtype.type(start)) < codes.dtype.type(stop - start)
    return out


def _runs(table: np.ndarray) -> int:
    """How many runs of consecutive True values the boolean table holds."""
    return int(np.count_nonzero(table[1:] & ~table[:-1])) + int(table.size > 0 and table[0])


def lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]`` for a boolean table. Codes of one byte go through ``bytes.translate``, which does not
    widen every code to a 64-bit index first as NumPy's indexing does: 2-3 times faster over millions of rows."""
    if codes.dtype != np.uint8:
        return np.take(table, codes)
    full = np.zeros(256, dtype=np.uint8)
    full[:table.size] = table
    return np.frombuffer(codes.tobytes().translate(full.tobytes()), dtype=bool)


def _compact(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and each value's position among them, without sorting millions of rows."""
    lo = int(values.min())
    seen = np.bincount(values - lo)
    distinct = np.flatnonzero(seen)
    position = np.full(seen.size, -1, dtype=np.int64)
    position[distinct] = np.arange(distinct.size)
    return distinct + lo, position[values - lo]


def _smallest_int(n: int):
    return np.uint8 if n <= 255 else (np.uint16 if n <= 65_535 else np.int32)


def build_cube(snap: EventSnapshot, max_entries: int | None = None) -> Cube | None:
    """The cube of a snapshot ordered by day, or None when it would exceed ``max_entries``."""
    if snap.size == 0:
        return None
    first_day, last_day = int(snap.day[0]), int(snap.day[-1])
    days = last_day - first_day + 1
    sources, s_pos = _compact(snap.source)
    categories, c_pos = _compact(snap.category)
    areas, a_pos = _compact(snap.area)
    combined = (s_pos * categories.size + c_pos) * areas.size + a_pos
    del s_pos, c_pos
    present, row_cell = _compact(combined)
    del combined
    cells = present.size
    if (days + 1) * cells > (MAX_ENTRIES if max_entries is None else max_entries):
        return None
    cell_area = areas[present % areas.size]
    cell_category = categories[(present // areas.size) % categories.size]
    cell_source = sources[present // (areas.size * categories.size)]
    cell_pair = _compact(present // areas.size)[1]
    day_index = (snap.day - first_day).astype(np.int64)
    dtype = np.int32 if snap.size < 2**31 else np.int64
    prefix = np.zeros((days + 1, cells), dtype=dtype)
    # One bincount over a combined key, then a running sum down the days.
    np.cumsum(np.bincount(day_index * cells + row_cell, minlength=days * cells).reshape(days, cells),
              axis=0, out=prefix[1:])
    row_start = np.zeros(days + 1, dtype=np.int64)
    np.cumsum(np.bincount(day_index, minlength=days), out=row_start[1:])
    # 1970-01-01 was a Thursday: weekday (Monday 0) is (day + 3) % 7. A minute of -1 (unknown) is hour 24.
    minute = snap.minute.astype(np.int64)
    row_slot = np.where(minute >= 0, minute // 60, HOURS - 1) * 7 + (snap.day.astype(np.int64) + 3) % 7
    del minute
    slot_prefix = np.zeros((days + 1, SLOTS), dtype=dtype)
    np.cumsum(np.bincount(day_index * SLOTS + row_slot, minlength=days * SLOTS)
              .reshape(days, SLOTS), axis=0, out=slot_prefix[1:])
    del day_index
    return Cube(first_day, days, cell_source.astype(np.int64), cell_category.astype(np.int64),
                cell_area.astype(np.int64), prefix, row_start, slot_prefix,
                row_cell.astype(_smallest_int(cells)), row_slot.astype(np.uint8), cell_pair,
                (present % areas.size).astype(np.int64), a_pos.astype(_smallest_int(areas.size)))


_ARRAYS = ("cell_source", "cell_category", "cell_area", "prefix", "row_start", "slot_prefix", "row_cell", "row_slot",
           "cell_pair", "cell_place", "row_place")


def cube_of(state: DataState) -> Cube | None:
    """The cube of the state's events: built once for all processes (kept as files beside the events'
    columns, :meth:`DataState.shared`), and kept with the state and its successors while the events stand."""
    def arrays() -> dict | None:
        cube = build_cube(state.events)
        if cube is None:
            return None
        return {"first_day": np.array(cube.first_day), "days": np.array(cube.days),
                **{name: getattr(cube, name) for name in _ARRAYS}}

    def assemble() -> Cube | None:
        held = state.shared(f"cube-{MAX_ENTRIES}-hour-weekday-places", arrays)
        if held is None:
            return None
        return Cube(int(held["first_day"]), int(held["days"]), *(held[name] for name in _ARRAYS))

    return state.memo(f"cube:{MAX_ENTRIES}", assemble, on=("events",))
