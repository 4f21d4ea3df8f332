"""The one bulk writer of events and counts: the import pipeline and the demo both write through here.

Django's ``bulk_create`` builds a model instance per row, which alone costs
more than the whole insert for a million events. Here the rows go straight
from columns (NumPy arrays, pandas Series or lists) to the database:
``executemany`` on SQLite, ``COPY … FROM STDIN`` through psycopg's
``cursor.copy`` on PostgreSQL. Values are converted per column, vectorised,
never per row. Always called inside the caller's transaction; `progress` is
called after every chunk and may raise to abort it (the transaction then
leaves nothing).

Column conventions (what `insert_events` accepts):

* ids (``*_id``): integers, a negative value or None means NULL;
* ``occurred_on``: ``datetime64``, ISO text or `datetime.date`;
* ``occurred_time``: seconds after midnight (negative means NULL), ``HH:MM[:SS]`` text, `datetime.time` or None;
* ``lon``/``lat``: floats, NaN means NULL;
* ``outside``: booleans;
* ``original``/``attributes``: JSON text already serialised (see `json_objects`) or dicts;
* text columns: strings (None means "");
* any column may be a scalar, repeated on every row; a missing column takes the model's default.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from django.db import connection, transaction

CHUNK = 50_000
SQLITE_CACHE_KB = 400_000
REBUILD_MIN_ROWS = 50_000  # below this, dropping and rebuilding indexes is not worth it

EVENT_COLUMNS = (
    "source_id", "batch_id", "external_id", "category_id", "original_label", "occurred_on", "occurred_time",
    "window_start", "window_end", "lon", "lat", "precision", "address", "area_id", "outside",
    "victim_sex", "victim_age_group", "victim_nationality", "victim_key",
    "offender_sex", "offender_age_group", "offender_nationality", "offender_key",
    "original", "attributes", "content_hash",
)
COUNT_COLUMNS = ("source_id", "batch_id", "area_id", "area_code", "period_start", "category_id", "original_label",
                 "count")

RESPONSE_COLUMNS = ("source_id", "batch_id", "external_id", "survey", "answered_on", "area_id", "weight",
                    "feels_unsafe", "victimized", "original", "attributes", "content_hash")

# Fields a correction may change, and that a rollback restores.
EVENT_UPDATABLE = tuple(c for c in EVENT_COLUMNS if c not in ("source_id", "batch_id", "external_id"))

ID, TEXT, DATE, TIME, DATETIME, FLOAT, BOOL, JSON, INT = "id", "text", "date", "time", "datetime", "float", "bool", \
    "json", "int"
_EVENT_KINDS = {
    "source_id": ID, "batch_id": ID, "category_id": ID, "area_id": ID, "occurred_on": DATE, "occurred_time": TIME,
    "window_start": DATETIME, "window_end": DATETIME, "lon": FLOAT, "lat": FLOAT, "outside": BOOL,
    "original": JSON, "attributes": JSON,
}
EVENT_KINDS = {c: _EVENT_KINDS.get(c, TEXT) for c in EVENT_COLUMNS}
COUNT_KINDS = {"source_id": ID, "batch_id": ID, "area_id": ID, "area_code": TEXT, "period_start": DATE,
               "category_id": ID, "original_label": TEXT, "count": INT}
RESPONSE_KINDS = {"source_id": ID, "batch_id": ID, "external_id": TEXT, "survey": TEXT, "answered_on": DATE,
                  "area_id": ID, "weight": FLOAT, "feels_unsafe": BOOL, "victimized": BOOL, "original": JSON,
                  "attributes": JSON, "content_hash": TEXT}
_REQUIRED = {"source_id", "occurred_on", "period_start", "count", "area_code"}
_DEFAULTS = {TEXT: "", ID: None, DATE: None, TIME: None, DATETIME: None, FLOAT: None, BOOL: False, JSON: "{}",
             INT: None}
EVENT_DEFAULTS = {"precision": "point"}


# --- values: one conversion per column -------------------------------------------------------------------------

def _length(columns: Mapping) -> int:
    lengths = {len(v) for v in columns.values() if _is_column(v)}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def _is_column(value) -> bool:
    return isinstance(value, np.ndarray | pd.Series | pd.Index | list | tuple)


def _nulls_to_none(values: np.ndarray, null: np.ndarray) -> list:
    if not null.any():
        return values.tolist()
    out = np.asarray(values.tolist(), dtype=object) if values.dtype != object else values.copy()
    out[null] = None
    return out.tolist()


def _ids(values) -> list:
    array = np.asarray(values)
    if array.dtype == object:
        series = pd.Series(array)
        null = series.isna().to_numpy()
        array = np.where(null, -1, series.fillna(-1)).astype(np.int64)
    elif array.dtype.kind == "f":
        array = np.where(np.isnan(array), -1, array).astype(np.int64)
    array = array.astype(np.int64, copy=False)
    return _nulls_to_none(array, array < 0)


def _ints(values) -> list:
    array = np.asarray(values)
    if array.dtype == object:
        return [None if v is None else int(v) for v in array.tolist()]
    return array.astype(np.int64, copy=False).tolist()


def _floats(values) -> list:
    array = np.asarray(pd.Series(values).astype(np.float64) if isinstance(values, list) or
                       np.asarray(values).dtype == object else values, dtype=np.float64)
    return _nulls_to_none(array, np.isnan(array))


def _bools(values) -> list:
    return np.asarray(values, dtype=bool).tolist()


def _texts(values) -> list:
    array = np.asarray(values, dtype=object)
    null = pd.isna(array)
    if null.any():
        array = array.copy()
        array[null] = ""
    return array.tolist()


def _dates(values) -> list:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
        text = np.datetime_as_string(days).astype(object)
        return _nulls_to_none(text, np.isnat(days))
    return [None if v is None or v is pd.NaT else v.isoformat() if isinstance(v, dt.date) else str(v)
            for v in array.tolist()]


_CLOCK = np.asarray([f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86_400)], dtype=object)


def _times(values) -> list:
    array = np.asarray(values)
    if array.dtype.kind == "m":
        array = array.astype("timedelta64[s]").astype(np.int64)
    if array.dtype.kind in "iu":
        seconds = array.astype(np.int64)
        null = (seconds < 0) | (seconds >= 86_400)
        return _nulls_to_none(_CLOCK[np.where(null, 0, seconds)], null)
    return [None if v is None or v != v else v.isoformat() if isinstance(v, dt.time) else str(v)
            for v in array.tolist()]


def _datetimes(values) -> list:
    ops = connection.ops
    out = []
    for v in np.asarray(values, dtype=object).tolist():
        if v is None or v is pd.NaT:
            out.append(None)
        else:
            v = pd.Timestamp(v).to_pydatetime() if not isinstance(v, dt.datetime) else v
            out.append(ops.adapt_datetimefield_value(v))
    return out


def _jsons(values) -> list:
    array = np.asarray(values, dtype=object)
    return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in array.tolist()]


_CONVERT = {ID: _ids, INT: _ints, FLOAT: _floats, BOOL: _bools, TEXT: _texts, DATE: _dates, TIME: _times,
            DATETIME: _datetimes, JSON: _jsons}


def _prepared(columns: Mapping, kinds: dict[str, str], defaults: dict, n: int) -> list[list]:
    unknown = set(columns) - set(kinds)
    if unknown:
        raise ValueError(f"unknown columns: {', '.join(sorted(unknown))}")
    out = []
    for name, kind in kinds.items():
        if name in columns:
            value = columns[name]
        elif name in _REQUIRED:
            raise ValueError(f"column {name!r} is required")
        else:
            value = defaults.get(name, _DEFAULTS[kind])
        if _is_column(value):
            out.append(_CONVERT[kind](value))
        else:
            # A scalar (the batch, the source, a default): converted once, repeated.
            out.append([_CONVERT[kind]([value])[0]] * n)
    return out


def _take(columns: Mapping, rows) -> dict:
    """The chosen rows of every column (scalars stay scalars)."""
    if rows is None:
        return dict(columns)
    rows = np.asarray(rows, dtype=np.int64)
    out = {}
    for name, value in columns.items():
        if isinstance(value, pd.Series | pd.Index):
            value = value.to_numpy()
        elif isinstance(value, list | tuple):
            value = np.asarray(value, dtype=object)
        out[name] = value[rows] if isinstance(value, np.ndarray) else value
    return out


# --- JSON objects, one text per row ---------------------------------------------------------------------------

_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
_ESCAPE = re.compile(_NEEDS_ESCAPE)


def _fragments(key: str, values, omit_empty: bool) -> np.ndarray:
    """``', "key": value'`` per row (StringDType), or '' where the value is omitted."""
    prefix = ", " + json.dumps(key, ensure_ascii=False) + ": "
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    else:
        # pandas 3 infers its string dtype from text, turning None into NaN; keep Python objects as they are.
        is_objects = isinstance(values, (list, tuple)) or getattr(values, "dtype", None) == object
        series = pd.Series(values, dtype=object) if is_objects else pd.Series(values)
    n = len(series)
    if n == 0:
        return np.empty(0, dtype=np.dtypes.StringDType())
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    # factorize folds None into NaN; JSON must keep them apart (null vs NaN).
    na = series.isna().to_numpy()
    if na.any():
        is_none = np.zeros(n, dtype=bool)
        is_none[na] = [v is None for v in series[na].tolist()]
        if is_none.any():
            codes = codes.copy()
            codes[is_none] = len(uniques)
            uniques = pd.Index([*uniques.tolist(), None], dtype=object)
    if len(uniques) <= max(1024, n // 4):
        # Few distinct values (most columns): serialise each once.
        texts = [prefix + json.dumps(_python(u), ensure_ascii=False) for u in uniques.tolist()]
        if omit_empty:
            texts = ["" if _empty(u) else t for u, t in zip(uniques.tolist(), texts)]
        return np.asarray(texts, dtype=np.dtypes.StringDType())[codes]
    text = series.astype(object)
    # One regex search over all the text at once: the pattern is single characters, so it finds one
    # in the whole exactly when some value holds one, and runs in C rather than once per row.
    if all(isinstance(u, str) for u in uniques[:1000].tolist()) and set(map(type, text.tolist())) <= {str} and \
            _ESCAPE.search("".join(text.tolist())) is None:
        # Many distinct plain strings (identifiers, addresses): quoting is all JSON needs.
        quoted = np.asarray(text.to_numpy(), dtype=np.dtypes.StringDType())
        out = np.strings.add(np.strings.add(prefix + '"', quoted), '"')
    else:
        out = np.asarray([prefix + json.dumps(_python(v), ensure_ascii=False) for v in text.tolist()],
                         dtype=np.dtypes.StringDType())
    if omit_empty:
        out[np.asarray([_empty(v) for v in text.tolist()], dtype=bool)] = ""
    return out


def _python(value):
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def json_objects(columns, n: int | None = None, *, omit_empty=()) -> np.ndarray:
    """One JSON object text per row, ``{"key": value, …}`` in the order of `columns` (a mapping or pairs).

    Each column is serialised with `json.dumps` once per distinct value (or, for
    columns of many distinct plain strings, just quoted), and the rows are
    assembled with NumPy's vectorised string functions: the same text
    ``json.dumps(dict(row), ensure_ascii=False)`` gives, for a million rows in
    about a second. Keys in `omit_empty` are left out of a row whose value is
    empty ('' or None). NaN serialises as ``NaN``, as Django's JSONField does. A column
    holds one type: values equal in Python (False and 0, 1 and 1.0, 0.0 and -0.0)
    share one serialisation, that of their first occurrence.
    """
    pairs = list(columns.items()) if isinstance(columns, Mapping) else list(columns)
    if n is None:
        n = _length(dict(pairs)) if pairs else 0
    if n == 0:
        return np.empty(0, dtype=object)
    if not pairs:
        return np.full(n, "{}", dtype=object)
    omit = set(omit_empty)
    parts = [_fragments(key, values, key in omit).tolist() for key, values in pairs]
    # Every fragment starts with ", ": drop the first separator and wrap the row in braces. Joined per
    # row in Python: NumPy's pairwise string additions copy every row once per column.
    out = np.empty(n, dtype=object)
    out[:] = ["{" + "".join(row)[2:] + "}" for row in zip(*parts)]
    return out


# --- inserts ---------------------------------------------------------------------------------------------------

def _insert(table: str, kinds: dict[str, str], defaults: dict, columns: Mapping, progress, stage: str,
            rows=None) -> int:
    columns = _take(columns, rows)
    total = _length(columns)
    if total == 0:
        return 0
    names = tuple(kinds)
    lists = _prepared(columns, kinds, defaults, total)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The commit need not wait for the WAL flush: a crash in the next instant loses the whole
            # import (it is atomic, nothing half-written), never corrupts. Applies to the caller's transaction.
            cursor.execute("SET LOCAL synchronous_commit = off")
            sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
            raw = cursor.cursor
            for start in range(0, total, CHUNK):
                stop = min(start + CHUNK, total)
                # write_row measured faster than a COPY text buffer built column-wise with NumPy strings
                # (50 s against 75 s for a million events): the server's index upkeep dominates either way.
                with raw.copy(sql) as copy:
                    for row in zip(*(col[start:stop] for col in lists)):
                        copy.write_row(row)
                done = stop
                if progress:
                    progress(stage, done, total)
        else:
            # The default 2 MB page cache thrashes on the random-order index inserts (external id,
            # dates) of a million rows; a larger cache for this connection makes it several times faster.
            cursor.execute("PRAGMA cache_size = -%d" % SQLITE_CACHE_KB)
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
            with transaction.atomic(), _sqlite_indexes_rebuilt(cursor, table, total):
                for start in range(0, total, CHUNK):
                    stop = min(start + CHUNK, total)
                    cursor.executemany(sql, zip(*(col[start:stop] for col in lists)))
                    done = stop
                    if progress:
                        progress(stage, done, total)
    return done


@contextlib.contextmanager
def _sqlite_indexes_rebuilt(cursor, table: str, adding: int):
    """Drop the table's indexes for a large insert and build them again afterwards.

    Ten indexes kept up to date row by row cost SQLite ~45 s per million events;
    building them from the finished table (one sort each) costs a few seconds. Worth
    it only when the insert at least doubles the table, so a small import into a
    big table keeps its indexes. Runs inside the caller's transaction (SQLite DDL is
    transactional): a failure restores the indexes, and a duplicate that breaks a
    unique index fails the index build, the same IntegrityError an insert would give.
    """
    cursor.execute(f"SELECT max(rowid) FROM {table}")
    stored = cursor.fetchone()[0] or 0
    if adding < REBUILD_MIN_ROWS or adding < stored:
        yield
        return
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                   "AND sql IS NOT NULL", [table])
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        cursor.execute(sql)


def insert_events(columns: Mapping[str, object], progress=None, *, rows=None, stage: str = "write") -> int:
    """Insert events given as ``{column: values}`` (see `EVENT_COLUMNS` and the module notes); rows written.

    `rows` (positions) writes only those rows of the columns. Ids are assigned in
    row order; a caller that needs them selects them back by batch
    (``Event.objects.filter(batch_id=…).order_by("id")``).
    """
    return _insert("records_event", EVENT_KINDS, EVENT_DEFAULTS, columns, progress, stage, rows)


def insert_responses(columns: Mapping[str, object], progress=None, *, rows=None, stage: str = "write") -> int:
    """Insert survey responses given as ``{column: values}`` (see `RESPONSE_COLUMNS`); rows written."""
    return _insert("records_surveyresponse", RESPONSE_KINDS, {}, columns, progress, stage, rows)


def insert_counts(columns: Mapping[str, object], progress=None, *, rows=None, stage: str = "write") -> int:
    """Insert aggregate counts given as ``{column: values}`` (see `COUNT_COLUMNS`); rows written."""
    return _insert("records_aggregatecount", COUNT_KINDS, {}, columns, progress, stage, rows)


# --- corrections -----------------------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def update_events(targets: list[int], columns: Mapping[str, object], positions: list[int], batch_id: int) -> int:
    """Apply corrections: keep each event's previous values in an `EventRevision`, then update it.

    `columns` are the import's columns (as for `insert_events`); `positions` the rows that correct `targets`.
    """
    from observatorio.records.models import Event, EventRevision

    if not targets:
        return 0
    current = {}
    for start in range(0, len(targets), 500):
        chunk = targets[start:start + 500]
        for row in Event.objects.filter(id__in=chunk).values("id", *EVENT_UPDATABLE):
            current[row.pop("id")] = {k: _plain(v) for k, v in row.items()}
    EventRevision.objects.bulk_create(
        [EventRevision(event_id=t, batch_id=batch_id, previous=current[t]) for t in targets], batch_size=1000)
    chosen = _take(columns, positions)
    lists = dict(zip(EVENT_KINDS, _prepared(chosen, EVENT_KINDS, EVENT_DEFAULTS, len(positions))))
    events = []
    # Window times go to the model as aware datetimes: the adapted database text would come back naive.
    moments = {c: [None if v is None or v is pd.NaT else pd.Timestamp(v).to_pydatetime()
                   for v in np.asarray(chosen[c], dtype=object).tolist()]
               for c in EVENT_UPDATABLE if EVENT_KINDS[c] == DATETIME and _is_column(chosen.get(c))}
    for i, t in enumerate(targets):
        values = {c: moments[c][i] if c in moments else lists[c][i] for c in EVENT_UPDATABLE}
        for key in ("original", "attributes"):
            values[key] = json.loads(values[key])
        events.append(Event(id=t, **values))
    Event.objects.bulk_update(events, list(EVENT_UPDATABLE), batch_size=500)
    return len(events)


def update_counts(targets: list[int], counts: list[int], batch_id: int) -> int:
    from observatorio.records.models import AggregateCount, CountRevision

    if not targets:
        return 0
    previous = dict(AggregateCount.objects.filter(id__in=targets).values_list("id", "count"))
    CountRevision.objects.bulk_create([CountRevision(count_id=t, batch_id=batch_id, previous_count=previous[t])
                                       for t in targets], batch_size=1000)
    AggregateCount.objects.bulk_update([AggregateCount(id=t, count=c) for t, c in zip(targets, counts)], ["count"],
                                       batch_size=500)
    return len(targets)
