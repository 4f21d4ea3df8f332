"""The events as columns (one NumPy array each), read from the database, and the data version.

Dashboards ask many small aggregate questions; answering them from NumPy arrays
is orders of magnitude faster than a GROUP BY per question, and it is the same
code on SQLite and PostgreSQL. Which columns a process holds, and when they are
read again, is :mod:`observatorio.state`'s business: this module only reads them
and keeps the :class:`DataVersion` counter every writer bumps.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.dispatch import Signal

from .models import DataVersion

EVENTS = "events"
EPOCH = dt.date(1970, 1, 1)
_CHUNK = 50_000  # rows fetched at a time: as Python tuples ~400 bytes each, so ~20 MB


# Sent once the transaction that bumped a data version has committed (``name``: which version), so that a
# large data state of this process starts reloading at once (observatorio.state).
data_changed = Signal()


def bump(name: str = EVENTS) -> int:
    """Record that the data changed; call inside the writer's transaction."""
    with transaction.atomic():
        row, _ = DataVersion.objects.select_for_update().get_or_create(name=name)
        DataVersion.objects.filter(pk=row.pk).update(version=F("version") + 1, token=uuid.uuid4().hex)
        transaction.on_commit(lambda: data_changed.send(sender=DataVersion, name=name))
    return current_version(name)


def current_version(name: str = EVENTS) -> int:
    return DataVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the unit of ``EventSnapshot.day``."""
    return (day - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@dataclass(frozen=True)
class EventSnapshot:
    """One row per event, one NumPy array per column, rows ordered by ``day`` then ``id``.

    ``day`` counts days since 1970-01-01; ``minute`` is minutes after midnight
    or -1 when the time is unknown; ``area`` is the finest area id or -1;
    ``source`` and ``category`` are database ids (-1 when missing).
    """

    version: int
    id: np.ndarray
    source: np.ndarray
    category: np.ndarray
    day: np.ndarray
    minute: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    area: np.ndarray
    outside: np.ndarray

    @property
    def size(self) -> int:
        return int(self.id.size)

    def window(self, first_day: int, last_day: int) -> slice:
        """The rows whose day lies in [first_day, last_day] (rows are ordered by day)."""
        # The bounds as the column's own type: a Python int makes NumPy cast all of ``day`` to int64 first
        # (~6 ms at 5M events, every call), a same-typed scalar is a plain binary search (~2 µs).
        low, high = np.clip([first_day, last_day], *_DAY_RANGE).astype(self.day.dtype)
        lo = int(self.day.searchsorted(low, side="left"))
        hi = int(self.day.searchsorted(high, side="right"))
        return slice(lo, max(lo, hi))

    def columns(self) -> dict[str, np.ndarray]:
        """The arrays by column name (what the column files hold)."""
        return {name: getattr(self, name) for name in _COLUMNS}

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in
                   ("id", "source", "category", "day", "minute", "lon", "lat", "area", "outside"))


_DAY_RANGE = (np.iinfo(np.int32).min, np.iinfo(np.int32).max)
_COLUMNS = ("id", "source", "category", "day", "minute", "lon", "lat", "area", "outside")
_ROW = np.dtype([("id", np.int64), ("source", np.int32), ("category", np.int32), ("day", np.int32),
                 ("minute", np.int16), ("lon", np.float64), ("lat", np.float64), ("area", np.int32),
                 ("outside", np.bool_)])
# SQL NULL cannot travel inside a NumPy integer/float row; these stand-ins are mapped back after the fetch.
_NO_COORD = 999.0

# Every column comes back as a plain number so that NumPy converts whole chunks of rows in C:
# no per-value date or time parsing in Python (that was most of the load time).
_SQLITE_SQL = (
    "SELECT id, source_id, COALESCE(category_id, -1), "
    "CAST(julianday(occurred_on) - 2440587.5 AS INTEGER), "
    "COALESCE(CAST(substr(occurred_time, 1, 2) AS INTEGER) * 60 + CAST(substr(occurred_time, 4, 2) AS INTEGER), -1), "
    f"COALESCE(lon, {_NO_COORD}), COALESCE(lat, {_NO_COORD}), COALESCE(area_id, -1), outside "
    "FROM records_event ORDER BY id"
)
_GENERIC_SQL = (
    "SELECT id, source_id, category_id, occurred_on, occurred_time, lon, lat, area_id, outside "
    "FROM records_event ORDER BY id"
)


def _to_day(value) -> int:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return (value - EPOCH).days


def _to_minute(value) -> int:
    if value is None:
        return -1
    if isinstance(value, str):
        value = dt.time.fromisoformat(value)
    return value.hour * 60 + value.minute


def _generic_rows(rows) -> list[tuple]:
    """Rows of an unknown backend, converted value by value (slow, but any database works)."""
    return [(r[0], r[1], -1 if r[2] is None else r[2], _to_day(r[3]), _to_minute(r[4]),
             _NO_COORD if r[5] is None else r[5], _NO_COORD if r[6] is None else r[6],
             -1 if r[7] is None else r[7], bool(r[8])) for r in rows]


def _row_columns(sql: str | None, progress=None) -> dict[str, np.ndarray]:
    """Columns from rows fetched through the DB-API: ``sql`` returns plain numbers, or None for the generic query.

    About 3 µs per event on SQLite, most of it the sqlite3 module building a Python tuple per row. Having
    SQLite build text instead (group_concat, parsed by pyarrow) was at best ~1.3x faster: SQLite formats
    numbers slowly too, and its REAL-to-text loses bits unless printed with '%!.20e' (~0.7 µs a value), so
    coordinates needed an integer encoding with an exactness check and a fallback (docs/performance.md).
    """
    columns = _Columns(count_events())
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql or _GENERIC_SQL)
        # fetchmany: a server-side cursor where the backend has one, so the driver does not hold every row at once.
        while rows := cursor.fetchmany(_CHUNK):
            table = np.array(rows if sql else _generic_rows(rows), dtype=_ROW)
            columns.add({name: table[name] for name in _COLUMNS})
            if progress is not None:
                progress.read += len(rows)
    return columns.finish()


def count_events() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM records_event")
        return int(cursor.fetchone()[0])


class _Columns:
    """The snapshot's columns, allocated once for the expected number of events and filled chunk by chunk.

    A list of chunks and then their concatenation held every column twice (~200 MB more at 5M events, on
    top of the snapshot being replaced). The count is a hint: an import committing between it and the
    rows only makes the arrays grow (or be cut) once.
    """

    def __init__(self, expected: int):
        self.arrays = {name: np.empty(expected, dtype=_ROW[name]) for name in _COLUMNS}
        self.filled = 0

    def add(self, chunk: dict[str, np.ndarray]) -> None:
        n = len(chunk["id"])
        end = self.filled + n
        for name in _COLUMNS:
            array = self.arrays[name]
            if end > array.size:
                array = self.arrays[name] = np.concatenate([array[:self.filled], np.empty(max(end, 2 * array.size)
                                                                                          - self.filled, array.dtype)])
            array[self.filled:end] = chunk[name]
        self.filled = end

    def finish(self) -> dict[str, np.ndarray]:
        return {name: array[:self.filled] for name, array in self.arrays.items()}


# PostgreSQL: the server writes each column in its binary wire form (the type's send function: big-endian,
# fixed width) and string_agg joins a range of ids into one bytea per column, which NumPy reads whole. The
# per-row work stays in the server's C code; the client gets a few large byte strings instead of a Python
# tuple per event (the row path took 4-8 s per million events, mostly turning rows into Python objects).
# COPY ... TO STDOUT (FORMAT BINARY) was no better: psycopg hands COPY data over one row per read(), ~3 µs each.
# (name, expression, NumPy dtype of what the expression sends)
_PG_COLUMNS = (
    ("id", "int8send(id)", ">i8"),
    # ::int4 fails on an id beyond int32, as the int32 arrays would.
    ("source", "int4send(source_id::int4)", ">i4"),
    ("category", "int4send(COALESCE(category_id, -1)::int4)", ">i4"),
    ("day", "int4send(occurred_on - DATE '1970-01-01')", ">i4"),
    # time's binary form is microseconds after midnight; all bits set (-1) stands for NULL. Cheaper for the
    # server than EXTRACT (numeric) or date_part, ~0.4 s per million events.
    ("minute", "COALESCE(time_send(occurred_time), '\\xffffffffffffffff'::bytea)", ">i8"),
    ("lon", f"float8send(COALESCE(lon, {_NO_COORD}))", ">f8"),
    ("lat", f"float8send(COALESCE(lat, {_NO_COORD}))", ">f8"),
    ("area", "int4send(COALESCE(area_id, -1)::int4)", ">i4"),
    ("outside", "boolsend(outside)", "u1"),
)
_PG_IDS_PER_CHUNK = 250_000  # a range of ids, so at most ~11 MB per fetched chunk
# One statement, so that every chunk comes from the same snapshot of the table (a query per range would
# see an import that commits in between); LATERAL runs one index range scan per range of ids.
_PG_SQL = (
    "SELECT c.* FROM (SELECT min(id) AS lo, max(id) AS hi FROM records_event) AS b "
    "CROSS JOIN generate_series(b.lo, b.hi, %(step)s) AS g(lo) "
    "CROSS JOIN LATERAL (SELECT count(*) AS n, "
    + ", ".join(f"string_agg({expr}, '')" for _, expr, _ in _PG_COLUMNS)
    + " FROM records_event WHERE id >= g.lo AND id < g.lo + %(step)s) AS c WHERE c.n > 0"
)


def _postgresql_columns(progress=None) -> dict[str, np.ndarray]:
    # A server-side cursor fetched one row (one range) at a time keeps one chunk in memory. Inside a
    # transaction it streams; outside one (autocommit) it would be a WITH HOLD cursor, stored whole on the
    # server before the first fetch.
    with transaction.atomic(), connection.chunked_cursor() as cursor, connection.wrap_database_errors:
        columns = _Columns(count_events())
        # psycopg's own cursor: binary results, so bytea arrives as bytes (text would be hex, twice the size).
        cursor.cursor.execute(_PG_SQL, {"step": _PG_IDS_PER_CHUNK}, binary=True)
        while (row := cursor.fetchone()) is not None:
            chunk = {}
            for (name, _, wire), data in zip(_PG_COLUMNS, row[1:]):
                values = np.frombuffer(data, dtype=wire)
                if name == "minute":
                    values = np.where(values < 0, -1, values // 60_000_000)
                chunk[name] = values
            columns.add(chunk)  # converted to the row path's types as they are copied in
            if progress is not None:
                progress.read += int(row[0])
    return columns.finish()


_LOADERS = {
    "postgresql": _postgresql_columns,
    "sqlite": lambda progress=None: _row_columns(_SQLITE_SQL, progress),
}


def load_snapshot(progress=None) -> EventSnapshot:
    """Read every event into arrays ordered by day, then id (seconds per million events: docs/performance.md).

    The day order lets a date window be a contiguous slice (``EventSnapshot.window``), found by
    binary search instead of a comparison over every event. ``progress.read`` counts the events read.
    """
    version = current_version()
    columns = _LOADERS.get(connection.vendor, lambda progress=None: _row_columns(None, progress))(progress)
    ids = columns["id"]
    if ids.size > 1 and not (ids[1:] > ids[:-1]).all():
        # Rows may come out of id order (a range's rows follow the server's scan); the order must not depend on it.
        order = np.lexsort((ids, columns["day"]))
    else:
        # Stable, so events of one day stay in id order; rows come by id, mostly already by day within a source.
        order = np.argsort(columns["day"], kind="stable")
    arrays = {}
    for name in _COLUMNS:
        column = columns.pop(name)[order]
        if name in ("lon", "lat"):
            column[column == _NO_COORD] = np.nan
        arrays[name] = np.ascontiguousarray(column)
    del columns, ids
    return EventSnapshot(version=version, **arrays)
