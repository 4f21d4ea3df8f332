"""The scorecard of indicators (issue #15): rows of indicators, columns of periods or areas, a status per cell.

Pure over readings (:class:`observatorio.programmes.readings.IndicatorReading` or anything with the same
fields): the web page, its XLSX and PDF exports and any report build the same :class:`Scorecard` with
:func:`build` and only draw it differently. Nothing here reads the database.

A column is a period or an area. With period columns, an indicator whose periodicity is finer than the
columns' (monthly in quarterly columns) shows the *last* reading whose period ends inside the column; a
coarser one (yearly) shows only in the column where its period ends. With area columns, each cell is the
reading the caller chose for that area (the year's last, as :func:`place_by_area` expects).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from observatorio.analysis.indicator import Polarity, Status, Trend

UP, DOWN, FLAT = "▲", "▼", "▶"


@dataclass(frozen=True)
class Column:
    """A period (``start``/``end``) or an area (``area_id``) of the table."""

    key: str
    label: str
    start: dt.date | None = None
    end: dt.date | None = None
    area_id: int | None = None
    drill: bool = False
    """An area column whose children can be shown (the header links to them)."""


@dataclass(frozen=True)
class RowSpec:
    """What the table needs of an indicator."""

    indicator_id: int
    code: str
    name: str
    unit_label: str
    polarity: str
    group: str
    """The goal or programme the row is shown under."""


@dataclass(frozen=True)
class Cell:
    status: Status
    value: float | None = None
    target: float | None = None
    trend: Trend | None = None
    arrow: str = ""
    """▲ / ▼ / ▶ for the direction of a significant change ('' when none was tested)."""
    late: bool = False
    reading: object | None = None


EMPTY = Cell(Status.NOT_ENOUGH_DATA)


@dataclass(frozen=True)
class Row:
    spec: RowSpec
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Scorecard:
    columns: tuple[Column, ...]
    groups: tuple[tuple[str, tuple[Row, ...]], ...]
    counts: Mapping[Status, int] = field(default_factory=dict)
    """Cells per status, every status present (0 when none)."""

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for _group, rows in self.groups for row in rows)


def arrow(trend: Trend | None, polarity: str) -> str:
    """The direction of a significant change: improving is up for "higher is better", down for "lower is better".

    >>> arrow(Trend.IMPROVING, "lower_is_better"), arrow(Trend.INCREASING, "none"), arrow(Trend.NO_CHANGE, "none")
    ('▼', '▲', '▶')
    >>> arrow(None, "none"), arrow(Trend.NOT_TESTABLE, "none")
    ('', '')
    """
    if trend is None or trend is Trend.NOT_TESTABLE:
        return ""
    if trend is Trend.NO_CHANGE:
        return FLAT
    if trend in (Trend.INCREASING, Trend.DECREASING):
        return UP if trend is Trend.INCREASING else DOWN
    higher_good = Polarity(polarity) is not Polarity.LOWER_IS_BETTER
    return UP if (trend is Trend.IMPROVING) == higher_good else DOWN


def cell_of(reading, polarity: str) -> Cell:
    """One reading as a cell (a missing reading: "not enough data")."""
    if reading is None:
        return EMPTY
    return Cell(Status(reading.status), reading.value, reading.target, reading.trend,
                arrow(reading.trend, polarity), bool(reading.late), reading)


def place_by_period(readings: Iterable, columns: Sequence[Column]) -> dict[str, object]:
    """Column key → the last reading whose period ends inside the column."""
    out: dict[str, object] = {}
    for reading in sorted(readings, key=lambda r: r.period.end):
        for column in columns:
            if column.start is not None and column.start <= reading.period.end <= column.end:
                out[column.key] = reading
    return out


def place_by_area(readings: Mapping[int | None, object], columns: Sequence[Column]) -> dict[str, object]:
    """Column key → the reading given for the column's area."""
    return {c.key: readings[c.area_id] for c in columns if c.area_id in readings}


def build(specs: Sequence[RowSpec], columns: Sequence[Column], placed: Mapping[int, Mapping[str, object]]
          ) -> Scorecard:
    """The table: ``placed[indicator_id][column key]`` is the reading of each cell (absent: no data).

    Rows keep the order of ``specs`` within their group; groups appear in the order of their first row.
    """
    groups: dict[str, list[Row]] = {}
    counts: Counter = Counter({s: 0 for s in Status})
    for spec in specs:
        mine = placed.get(spec.indicator_id, {})
        cells = tuple(cell_of(mine.get(c.key), spec.polarity) for c in columns)
        counts.update(cell.status for cell in cells)
        groups.setdefault(spec.group, []).append(Row(spec, cells))
    return Scorecard(tuple(columns), tuple((g, tuple(rows)) for g, rows in groups.items()), dict(counts))
