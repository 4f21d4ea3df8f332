"""Is a row new, a duplicate, or a correction of a record already stored?

Two ways to recognise a record (DESIGN.md: re-importing adds nothing):

* its natural key: the source's own identifier (``external_id``: folio, RUC,
  call id), unique per source. The same identifier with the same content is
  a duplicate; with different content it is a *correction*: the stored event
  is updated and its previous values kept (`EventRevision`).
* its content hash, when the source gives no identifier: SHA-256 of the
  homologated values (date, time, label, place, people keys, attributes),
  so the same call exported again next month is a duplicate.

Within one file the first occurrence wins: a repeated row is a duplicate; a
repeated identifier with other values is rejected (which one is right cannot
be told). Aggregates (CEAD) use (area code, period, label) as natural key.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NEW, DUPLICATE, UPDATE, CONFLICT = 0, 1, 2, 3
SEP = "\x1f"


def _text(values) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return series.astype(object).where(series.notna(), "").astype(str)


def _text_field(values) -> pa.Array:
    """`_text` as an Arrow text array: missing values as '', others as `str` gives them."""
    from .write import text_array

    strings = text_array(values)
    if strings is not None:
        return strings
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.dtype.kind in "iu":
        # An integer's decimal text is the same from Arrow as from str().
        return pc.cast(pa.array(array), pa.large_string())
    if array.dtype == object:
        try:
            # Text with missing values (None, NaN) among it.
            return pc.fill_null(pa.array(array, type=pa.large_string(), from_pandas=True), "")
        except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
            pass
    return pa.array(_text(pd.Series(array)).tolist(), type=pa.large_string())


HASH_CHUNK_ROWS = 100_000


def hash_rows(parts: list) -> np.ndarray:
    """SHA-256 hex of the parts of each row joined by a unit separator."""
    if not parts or len(parts[0]) == 0:
        return np.empty(0, dtype=object)
    n = len(parts[0])
    out = np.empty(n, dtype=object)
    sha = hashlib.sha256
    separator = pa.scalar(SEP, pa.large_string())
    # Joined column by column in Arrow, then each row's bytes hashed straight from the joined buffer; a chunk
    # of rows at a time, so the joined text of a million rows is never held at once.
    for start in range(0, n, HASH_CHUNK_ROWS):
        stop = min(start + HASH_CHUNK_ROWS, n)
        joined = pc.binary_join_element_wise(*(_text_field(_rows(p, start, stop)) for p in parts), separator)
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)[joined.offset:joined.offset + len(joined) + 1]
        data = joined.buffers()[2]
        text = memoryview(data) if data is not None else memoryview(b"")
        bounds = offsets.tolist()
        out[start:stop] = [sha(text[a:b]).hexdigest() for a, b in zip(bounds[:-1], bounds[1:])]
        del joined, text, data
        pa.default_memory_pool().release_unused()
    return out


def _rows(values, start: int, stop: int):
    if isinstance(values, pd.Series):
        return values.iloc[start:stop].reset_index(drop=True)
    return values[start:stop]


def day_text(days: np.ndarray) -> pd.Series:
    """``np.datetime_as_string`` of days ("2024-01-05", "NaT" when missing) as Arrow text: the same text,
    without the 28-character NumPy strings and a million Python objects."""
    days = np.asarray(days).astype("datetime64[D]")
    text = pc.cast(pa.array(days, mask=np.isnat(days)), pa.large_string())
    return _arrow_text_series(pc.fill_null(text, "NaT"))


def rounded(values: np.ndarray, places: int = 6) -> pd.Series:
    """Coordinates as integer millionths of a degree (~0.1 m) in text, so re-exported floats hash the same."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    scaled = np.round(np.where(finite, values, 0.0) * 10 ** places).astype(np.int64)
    # Arrow text (an integer's decimal text is str()'s): a million Python strings would cost ~60 MB per column.
    text = pc.fill_null(pc.cast(pa.array(scaled, mask=~finite), pa.large_string()), "")
    return _arrow_text_series(text)


def _arrow_text_series(text: pa.Array) -> pd.Series:
    """A pandas text Series over the Arrow array itself (``pd.array`` would go through Python strings)."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([text])))


def per_distinct(values, function) -> pd.Series:
    """`function` applied once per distinct value (addresses and nationalities repeat a lot)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    mapped = np.asarray([function(u) for u in uniques.tolist()] or [""], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], dtype=object)


def classify(keys: np.ndarray, hashes: np.ndarray, candidate: np.ndarray, existing_by_key: dict,
             existing_hashes: set) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(status, target id, first position)`` per row.

    `keys` are natural keys ("" when the row has none), `hashes` content
    hashes, `candidate` the rows still in play (not rejected).
    `existing_by_key` maps a stored key to ``(id, hash)``; `existing_hashes`
    holds the hashes of stored records without a key. ``first position`` is,
    for an in-file duplicate or conflict, the position of the row it repeats.
    """
    n = len(keys)
    status = np.full(n, NEW, dtype=np.int8)
    target = np.full(n, -1, dtype=np.int64)
    first = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return status, target, first
    frame = pd.DataFrame({"key": pd.Series(keys, dtype=object), "hash": pd.Series(hashes, dtype=object)})
    pos = np.arange(n)
    has_key = (frame["key"] != "").to_numpy() & candidate
    no_key = ~(frame["key"] != "").to_numpy() & candidate

    if has_key.any():
        sub = frame[has_key]
        idx = pos[has_key]
        same = sub.duplicated(["key", "hash"], keep="first").to_numpy()
        firsts = sub.groupby("key", sort=False).cumcount().to_numpy() > 0
        first_pos = pd.Series(idx, index=sub.index).groupby(sub["key"], sort=False).transform("first").to_numpy()
        status[idx[same]] = DUPLICATE
        conflict = firsts & ~same
        status[idx[conflict]] = CONFLICT
        first[idx[same | conflict]] = first_pos[same | conflict]
    if no_key.any():
        sub = frame[no_key]
        idx = pos[no_key]
        same = sub.duplicated(["hash"], keep="first").to_numpy()
        first_pos = pd.Series(idx, index=sub.index).groupby(sub["hash"], sort=False).transform("first").to_numpy()
        status[idx[same]] = DUPLICATE
        first[idx[same]] = first_pos[same]

    fresh = candidate & (status == NEW)
    if existing_by_key and (fresh & has_key).any():
        rows = np.flatnonzero(fresh & has_key)
        stored = frame["key"].iloc[rows].map(existing_by_key)
        known = stored.notna().to_numpy()
        for r, entry in zip(rows[known].tolist(), stored[known].tolist()):
            event_id, stored_hash = entry
            if stored_hash == hashes[r]:
                status[r] = DUPLICATE
            else:
                status[r] = UPDATE
                target[r] = event_id
    if existing_hashes and (fresh & no_key).any():
        rows = np.flatnonzero(fresh & no_key)
        seen = frame["hash"].iloc[rows].isin(existing_hashes).to_numpy()
        status[rows[seen]] = DUPLICATE
    return status, target, first


def stored_event_keys(source_id: int) -> tuple[dict, set]:
    """``({external_id: (id, hash)}, {hash of events without id})`` for a source, in two queries."""
    from django.db import connection

    by_key, hashes = {}, set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT external_id, id, content_hash FROM records_event WHERE source_id = %s "
                       "AND external_id <> ''", [source_id])
        while rows := cursor.fetchmany(100_000):
            by_key.update((k, (i, h)) for k, i, h in rows)
        cursor.execute("SELECT DISTINCT content_hash FROM records_event WHERE source_id = %s AND external_id = '' "
                       "AND content_hash <> ''", [source_id])
        while rows := cursor.fetchmany(100_000):
            hashes.update(h for (h,) in rows)
    return by_key, hashes


def stored_count_keys(source_id: int) -> dict:
    """``{"area|period|label key": (id, "count")}`` for the aggregates of a source."""
    from django.db import connection

    from .names import name_key

    out = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_code, period_start, original_label, id, count FROM records_aggregatecount "
                       "WHERE source_id = %s", [source_id])
        label_keys: dict[str, str] = {}
        while rows := cursor.fetchmany(200_000):
            for code, period, label, i, count in rows:
                key = label_keys.get(label)
                if key is None:
                    key = label_keys[label] = name_key(label)
                period = period if isinstance(period, str) else period.isoformat()
                out[f"{code}{SEP}{period}{SEP}{key}"] = (i, str(count))
    return out
