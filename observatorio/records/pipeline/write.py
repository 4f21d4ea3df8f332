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
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

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


def _values(columns: Mapping, kinds: dict[str, str], defaults: dict):
    """``(kind, value)`` for every column of the table, in order: given, defaulted, or refused."""
    unknown = set(columns) - set(kinds)
    if unknown:
        raise ValueError(f"unknown columns: {', '.join(sorted(unknown))}")
    for name, kind in kinds.items():
        if name in columns:
            yield kind, columns[name]
        elif name in _REQUIRED:
            raise ValueError(f"column {name!r} is required")
        else:
            yield kind, defaults.get(name, _DEFAULTS[kind])


def _prepared(columns: Mapping, kinds: dict[str, str], defaults: dict, n: int) -> list[list]:
    out = []
    for kind, value in _values(columns, kinds, defaults):
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

_LARGE = pa.large_string()


def text_array(values) -> pa.Array | None:
    """`values` as an Arrow text array when every one is a string (none missing); None otherwise."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array if isinstance(values.dtype, pd.StringDtype) else values.to_numpy()
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    return array.cast(_LARGE)


_JSON_ESCAPED = np.zeros(256, dtype=bool)
_JSON_ESCAPED[[*range(0x20), ord('"'), ord("\\")]] = True
_COPY_ESCAPED = b"\\\t\n\r"


def _holds_any(strings: pa.Array, marks: np.ndarray | bytes) -> bool:
    """Does any value of a large_string array hold one of the ASCII `marks` (a byte table, or a few bytes)?

    Read over the UTF-8 bytes at once (a regex per value is ~20 times slower):
    exact for ASCII marks, since the bytes of multi-byte characters are all >= 0x80.
    A few marks are searched for one by one (memchr; the JSON of a million rows
    is ~230 MB), many through a 256-entry table.
    """
    offsets, data = strings.buffers()[1], strings.buffers()[2]
    if data is None or len(strings) == 0:
        return False
    bounds = np.frombuffer(offsets, dtype=np.int64)[[strings.offset, strings.offset + len(strings)]]
    if isinstance(marks, bytes):
        text = memoryview(data)[bounds[0]:bounds[1]].tobytes()
        return any(bytes([m]) in text for m in marks)
    return bool(marks[np.frombuffer(data, dtype=np.uint8)[bounds[0]:bounds[1]]].any())


def _fragments(key: str, values, omit_empty: bool) -> pa.Array:
    """``', "key": value'`` per row, or '' where the value is omitted."""
    prefix = ", " + json.dumps(key, ensure_ascii=False) + ": "
    n = len(values)
    if n == 0:
        return pa.array([], type=_LARGE)
    strings = text_array(values)
    if strings is not None:
        # All text (every column of an import), done in Arrow.
        if not _holds_any(strings, _JSON_ESCAPED):
            # No quote, backslash or control character anywhere: quoting is all JSON needs.
            quoted = pc.binary_join_element_wise(pa.scalar(prefix + '"', _LARGE), strings, pa.scalar('"', _LARGE),
                                                 pa.scalar("", _LARGE))
            if omit_empty:
                quoted = pc.if_else(pc.equal(strings, ""), pa.scalar("", _LARGE), quoted)
            return quoted
        # Some value needs escaping: json.dumps once per distinct value.
        encoded = strings.dictionary_encode()
        texts = ["" if omit_empty and u == "" else prefix + json.dumps(u, ensure_ascii=False)
                 for u in encoded.dictionary.to_pylist()]
        return pa.array(texts, type=_LARGE).take(encoded.indices)
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    else:
        # pandas 3 infers its string dtype from text, turning None into NaN; keep Python objects as they are.
        is_objects = isinstance(values, (list, tuple)) or getattr(values, "dtype", None) == object  # noqa: E721 - a NumPy dtype equals object
        series = pd.Series(values, dtype=object) if is_objects else pd.Series(values)
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
    # Serialise each distinct value once (values equal in Python share the first one's text).
    texts = [prefix + json.dumps(_python(u), ensure_ascii=False) for u in uniques.tolist()]
    if omit_empty:
        texts = ["" if _empty(u) else t for u, t in zip(uniques.tolist(), texts)]
    return pa.array(texts, type=_LARGE).take(pa.array(codes))


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
    assembled column by column in Arrow: the same text
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
    parts = [_fragments(key, values, key in omit) for key, values in pairs]
    # Every fragment starts with ", ": drop the first separator and wrap the row in braces.
    joined = pc.binary_join_element_wise(*parts, pa.scalar("", _LARGE))
    rows = pc.binary_join_element_wise(pa.scalar("{", _LARGE), pc.utf8_slice_codeunits(joined, 2),
                                       pa.scalar("}", _LARGE), pa.scalar("", _LARGE))
    del parts, joined
    out = _python_strings(rows)
    del rows
    pa.default_memory_pool().release_unused()  # Arrow's allocator would keep the intermediates' memory
    return out


def _python_strings(strings: pa.Array) -> np.ndarray:
    """An object array of the texts, each distinct text one Python string: a million rows that repeat a few
    objects (attributes) cost 8 MB of references instead of a million strings."""
    encoded = strings.dictionary_encode()
    if len(encoded.dictionary) > len(strings) // 2:
        return strings.to_numpy(zero_copy_only=False).astype(object, copy=False)
    uniques = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    return uniques[encoded.indices.to_numpy(zero_copy_only=False)]


def text_json_objects(names: list[str], columns: list[pd.Series], n: int) -> np.ndarray:
    """`json_objects` of columns with every value as text ('' for missing): the content hash covers this exact text.

    What the import stores of a file's row (its original cells, its attributes), for events and survey responses.
    """
    if not names:
        return np.full(n, "{}", dtype=object)
    return json_objects([(name, series.fillna("").astype(str)) for name, series in zip(names, columns)], n)


# --- COPY text ---------------------------------------------------------------------------------------------------

_NUMBER_TYPES = {ID: pa.int64(), INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_()}
_CLOCK_TEXT = pa.array(_CLOCK.tolist(), type=_LARGE)


def _escaped(field: pa.Array) -> pa.Array:
    # COPY's text format: a backslash starts an escape and tab, newline and return end a field or a row.
    # One scan finds whether any value holds one (rare): then four replacements, else none.
    if not _holds_any(field, _COPY_ESCAPED):
        return field
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        field = pc.replace_substring(field, char, escaped)
    return field


def _with_nulls(field: pa.Array) -> pa.Array:
    return pc.fill_null(field, pa.scalar("\\N", _LARGE))


def _copy_field(values: list, kind: str) -> pa.Array:
    """A converted column (see `_CONVERT`) as PostgreSQL COPY text fields: NULL as ``\\N``, text escaped.

    Floats print in their shortest form that reads back to the same double.
    """
    if kind in _NUMBER_TYPES:
        return _with_nulls(pc.cast(pa.array(values, type=_NUMBER_TYPES[kind]), _LARGE))
    values = [v if v is None or isinstance(v, str) else v.isoformat() if isinstance(v, dt.datetime | dt.date)
              else str(v) for v in values]
    return _with_nulls(_escaped(pa.array(values, type=_LARGE)))


def _numbers(array: np.ndarray, null: np.ndarray | None) -> pa.Array:
    return _with_nulls(pc.cast(pa.array(array, mask=null if null is not None and null.any() else None), _LARGE))


def _fast_field(value, kind: str) -> pa.Array | None:
    """The common NumPy inputs of a column straight to COPY text in Arrow; None for anything else."""
    array = value.to_numpy() if isinstance(value, pd.Series | pd.Index) else value
    if not isinstance(array, np.ndarray):
        return None
    k = array.dtype.kind
    if kind == ID and k in "iu":
        array = array.astype(np.int64, copy=False)
        return _numbers(array, array < 0)
    if kind == INT and k in "iu":
        return _numbers(array.astype(np.int64, copy=False), None)
    if kind == FLOAT and k == "f":
        array = array.astype(np.float64, copy=False)
        return _numbers(array, np.isnan(array))
    if kind == BOOL and k == "b":
        return pc.cast(pa.array(array), _LARGE)
    if kind == DATE and k == "M":
        days = array.astype("datetime64[D]")
        return _with_nulls(pc.cast(pa.array(days, mask=np.isnat(days)), _LARGE))
    if kind == TIME and k in "iu":
        seconds = array.astype(np.int64)
        null = (seconds < 0) | (seconds >= 86_400)
        return _with_nulls(_CLOCK_TEXT.take(pa.array(np.where(null, 0, seconds), mask=null)))
    if kind in (TEXT, JSON) and k in "OU":
        try:
            # from_pandas: NaN and None are missing, which a text column writes as "" (as `_texts` does).
            field = pa.array(array, type=_LARGE, from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
            return None  # not all text (dicts for JSON, numbers): the general path
        if field.null_count:
            if kind == JSON:
                return None
            field = pc.fill_null(field, pa.scalar("", _LARGE))
        return _escaped(field)
    return None


def _copy_fields(columns: Mapping, kinds: dict[str, str], defaults: dict, n: int) -> list[pa.Array]:
    """Every column of the table as COPY text fields (see `_copy_field`), `n` rows each."""
    out = []
    for kind, value in _values(columns, kinds, defaults):
        if not _is_column(value):
            # A scalar (the batch, the source, a default): formatted once, repeated.
            out.append(pa.repeat(_copy_field(_CONVERT[kind]([value]), kind)[0], n).cast(_LARGE))
            continue
        field = _fast_field(value, kind)
        out.append(field if field is not None else _copy_field(_CONVERT[kind](value), kind))
    return out


def _copy_lines(fields: list[pa.Array]) -> pa.Array:
    """Every row as one line of COPY text (tab-separated, newline-terminated), joined column by column in Arrow.

    Formatting a million rows one at a time (psycopg's ``write_row``) costs ~9 s
    of Python; this costs about a second.
    """
    tab, newline, nothing = (pa.scalar(c, _LARGE) for c in ("\t", "\n", ""))
    return pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, tab), newline, nothing)


def _text_size(lines: pa.Array) -> int:
    """Bytes of text in a freshly built (unsliced) string array: its data buffer may be larger."""
    return int(np.frombuffer(lines.buffers()[1], dtype=np.int64)[len(lines)])


# --- inserts ---------------------------------------------------------------------------------------------------

def _insert(table: str, kinds: dict[str, str], defaults: dict, columns: Mapping, progress, stage: str,
            rows=None) -> int:
    columns = _take(columns, rows)
    total = _length(columns)
    if total == 0:
        return 0
    names = tuple(kinds)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The commit need not wait for the WAL flush: a crash in the next instant loses the whole
            # import (it is atomic, nothing half-written), never corrupts. Applies to the caller's transaction.
            cursor.execute("SET LOCAL synchronous_commit = off")
            sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
            raw = cursor.cursor
            fields = _copy_fields(columns, kinds, defaults, total)
            with transaction.atomic(), _bulk_load(cursor, table, total):
                # A writer thread sends each chunk while the next one is formatted: the server parses
                # and stores rows on one core while Python builds text on the other.
                with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                    for start in range(0, total, CHUNK):
                        stop = min(start + CHUNK, total)
                        lines = _copy_lines([field.slice(start, stop - start) for field in fields])
                        copy.write(memoryview(lines.buffers()[2])[:_text_size(lines)])
                        done = stop
                        if progress:
                            progress(stage, done, total)
        else:
            # The default 2 MB page cache thrashes on the random-order index inserts (external id,
            # dates) of a million rows; a larger cache for this connection makes it several times faster.
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB:d}")
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
            lists = _prepared(columns, kinds, defaults, total)
            with transaction.atomic(), _bulk_load(cursor, table, total):
                for start in range(0, total, CHUNK):
                    stop = min(start + CHUNK, total)
                    cursor.executemany(sql, zip(*(col[start:stop] for col in lists)))
                    done = stop
                    if progress:
                        progress(stage, done, total)
    return done


def is_bulk_load(cursor, table: str, adding: int) -> bool:
    """Does inserting `adding` rows at least double `table` (and is it large)?

    The highest id stands for the stored rows: read from the primary key in an
    instant, and never below the true count (deleted rows only make it larger,
    which keeps the indexes in place: the cautious side).
    """
    if adding < REBUILD_MIN_ROWS:
        return False
    cursor.execute(f"SELECT max(id) FROM {table}")
    stored = cursor.fetchone()[0] or 0
    return adding >= stored


@contextlib.contextmanager
def _bulk_load(cursor, table: str, adding: int):
    """For a bulk load, take the table's secondary indexes (and on PostgreSQL its foreign keys) away and put them back.

    Indexes kept up to date row by row cost SQLite ~45 s per million events and
    PostgreSQL ~18 s; building each from the finished table (one sort) costs a
    second or two. PostgreSQL also checks every foreign key of every row at
    commit (~18 s per million events, four keys); a key added back is checked
    for the whole table in one join (~0.4 s each). Only for a bulk load
    (`is_bulk_load`), so a small import into a big table keeps everything.

    Runs inside the caller's transaction (DDL is transactional on both
    databases): a failure restores the exact definitions read from the catalog,
    and a duplicate that breaks a unique index, or a row whose key points
    nowhere, fails the rebuild with the IntegrityError an insert would give.
    On PostgreSQL dropping an index locks the table until the commit, so other
    sessions reading the events wait for the load to finish (the dashboards
    read their cached snapshot and do not); see docs/decisions.md.
    """
    if not is_bulk_load(cursor, table, adding):
        yield
        return
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
        keys = cursor.fetchall()
        # ALTER TABLE refuses while rows written earlier in the transaction (the batch) have deferred key
        # checks pending on the tables involved: run those few checks now, defer again afterwards.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        # Sorting a million keys in memory rather than in temporary files.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, sql in indexes:
            cursor.execute(sql)
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
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
