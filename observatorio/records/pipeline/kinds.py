"""What a batch writes: events, survey responses or aggregate counts, behind one small protocol.

`run.run_import` reads, validates, dedupes and writes every file the same
way; what differs by target is only here, as one `BatchKind` each:

* ``prepare``: place the rows (points and addresses → areas), build the values
  to store and, per row, the natural key and the content compared on it;
* ``existing_keys``: what the source already holds, for `dedupe.classify`;
* ``refuse_changed``: the stored records a row may not correct in place
  (survey responses have no revisions; events and counts are corrected);
* ``columns`` and ``insert``: the batch's columns as `write` takes them, and
  the write itself (new rows, corrections, the data version's bump).

Every method works on whole columns; nothing here loops over rows in Python
but the issues it reports.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd
import pyarrow as pa

from observatorio.tables.readers import Note

from . import dedupe
from .fields import AGGREGATE, EVENT, SURVEY
from .issues import WARNING, Issue
from .surveys import prepare_responses, refuse_changed, response_columns, stored_response_keys
from .write import text_json_objects


def _column(values: pd.DataFrame, name: str, n: int, default="") -> np.ndarray:
    if name in values:
        return values[name].to_numpy()
    return np.full(n, default, dtype=object)


class BatchKind(ABC):
    """One target of the import. Made per run with what validation produced; `prepare` runs first."""

    # How a conflict names the key: "the same {key_words} is on row N with other values".
    key_words = "identifier"

    def __init__(self, table, mapping, values: pd.DataFrame, area_index, source_id: int, name: str):
        self.table, self.mapping, self.values = table, mapping, values
        self.area_index, self.source_id, self.name = area_index, source_id, name
        self.n = len(table)
        self.prepared: dict = {}

    @abstractmethod
    def prepare(self, rejected: np.ndarray, issues: list, notes: list) -> tuple[np.ndarray, np.ndarray]:
        """Place and homologate every row; returns (natural keys, content) per row, as object arrays.
        May add warnings to ``issues`` and notes to ``notes``."""

    @abstractmethod
    def existing_keys(self) -> tuple[dict, set]:
        """``({key: (id, content)}, {content of stored records without key})`` for the source."""

    def refuse_changed(self, rows: np.ndarray, stored: np.ndarray, keys: np.ndarray) -> list[Issue]:
        """An error per row (position in ``rows``) that would change the stored record ``stored``
        when this kind does not correct records in place; by default corrections are allowed."""
        return []

    @abstractmethod
    def columns(self, batch_id: int) -> dict:
        """Every row's columns as the writer takes them."""

    @abstractmethod
    def insert(self, columns: dict, new: np.ndarray, updated: np.ndarray, stored: np.ndarray, batch_id: int,
               progress=None) -> None:
        """Write the rows ``new``, correct ``stored`` with the rows ``updated``, bump what readers see."""


class EventBatch(BatchKind):
    def prepare(self, rejected, issues, notes):
        self.prepared = _prepare_events(self.table, self.mapping, self.values, self.area_index, rejected, issues,
                                        notes, self.name)
        return _column(self.values, "external_id", self.n).astype(object), self.prepared["content_hash"]

    def existing_keys(self):
        return dedupe.stored_event_keys(self.source_id)

    def columns(self, batch_id):
        if "original" not in self.prepared:
            self.prepared["original"] = original_json(self.table, self.mapping)
        return _event_columns(self.prepared, self.values, self.source_id, batch_id, self.n)

    def insert(self, columns, new, updated, stored, batch_id, progress=None):
        from observatorio.records import snapshot

        from . import write

        write.insert_events(columns, progress=progress, rows=new)
        write.update_events(stored.tolist(), columns, updated.tolist(), batch_id)
        snapshot.bump()


class ResponseBatch(BatchKind):
    def prepare(self, rejected, issues, notes):
        self.prepared = prepare_responses(self.table, self.mapping, self.values, self.area_index, rejected, issues,
                                          notes, self.name)
        return _column(self.values, "external_id", self.n).astype(object), self.prepared["content_hash"]

    def existing_keys(self):
        return stored_response_keys(self.source_id)

    def refuse_changed(self, rows, stored, keys):
        return refuse_changed(rows, stored, keys, self.table, self.mapping, self.name)

    def columns(self, batch_id):
        return response_columns(self.prepared, self.values, self.source_id, batch_id, self.n)

    def insert(self, columns, new, updated, stored, batch_id, progress=None):
        from . import write

        write.insert_responses(columns, progress=progress, rows=new)  # refuse_changed left no update


class CountBatch(BatchKind):
    key_words = "area, period and category"

    def prepare(self, rejected, issues, notes):
        self.prepared = _prepare_counts(self.values, self.area_index, self.n)
        return self.prepared["natural_key"], self.prepared["count_text"]

    def existing_keys(self):
        return dedupe.stored_count_keys(self.source_id), set()

    def columns(self, batch_id):
        return _count_columns(self.prepared, self.values, self.source_id, batch_id)

    def insert(self, columns, new, updated, stored, batch_id, progress=None):
        from observatorio.records import snapshot

        from . import write

        write.insert_counts(columns, progress=progress, rows=new)
        write.update_counts(stored.tolist(), columns["count"][updated].tolist(), batch_id)
        snapshot.bump("counts")


KINDS: dict[str, type[BatchKind]] = {EVENT: EventBatch, SURVEY: ResponseBatch, AGGREGATE: CountBatch}


def _prepare_events(table, mapping, values, area_index, rejected, issues, notes, name) -> dict:
    from observatorio.records.models import AddressPoint

    from .geocode import Gazetteer, normalise_street
    from .names import name_key
    from .validate import attribute_values

    n = len(table)
    lon = _column(values, "lon", n, np.nan).astype(np.float64)
    lat = _column(values, "lat", n, np.nan).astype(np.float64)
    point = np.isfinite(lon) & np.isfinite(lat)
    address = _column(values, "address", n).astype(object)
    geocoded = np.zeros(n, dtype=bool)
    wanted = ~point & (address != "") & ~rejected
    if wanted.any():
        numbers = values["address_number"][wanted] if "address_number" in values else None
        if AddressPoint.objects.exists():
            g_lon, g_lat = Gazetteer.from_database().locate(values["address"][wanted], numbers)
            rows = np.flatnonzero(wanted)
            hit = np.isfinite(g_lon)
            lon[rows[hit]], lat[rows[hit]] = g_lon[hit], g_lat[hit]
            geocoded[rows[hit]] = True
            missed = rows[~hit]
        else:
            missed = np.flatnonzero(wanted)
            notes.append(Note("gazetteer_empty", "the address gazetteer is empty: addresses were not geocoded "
                                                 "(load one with `observatorio gazetteer FILE --commit`)"))
        column = mapping.columns.get("address", "")
        for p, text in zip(missed.tolist(), address[missed].tolist()):
            issues.append(Issue(name, int(table.row_numbers[p]), column, text, "the address is not in the gazetteer",
                                "check the street name and number, or give coordinates", "address_not_found",
                                WARNING))
    days = _column(values, "occurred_on", n, np.datetime64("NaT")).astype("datetime64[D]")
    area, outside = area_index.assign(lon, lat, days)
    if area_index.empty and (point | geocoded).any():
        notes.append(Note("no_boundaries", "no territory boundaries are set up: events were not assigned to areas"))
    if not area_index.empty:
        _warn_outside(table, mapping, lon, lat, (outside | (area < 0)) & (point | geocoded) & ~rejected, geocoded,
                      issues, name)
    code_ids = _column(values, "area_code_id", n, -1).astype(np.int64)
    located = np.isfinite(lon) & np.isfinite(lat)
    by_code = ~located & (code_ids >= 0)
    area[by_code] = code_ids[by_code]
    precision = np.full(n, "none", dtype=object)
    precision[by_code] = "area"
    precision[geocoded] = "address"
    precision[point] = "point"

    attributes = attribute_values(table, mapping)
    attr_names = sorted(attributes)
    attributes_json = text_json_objects(attr_names, [attributes[a] for a in attr_names], n)

    address_key = dedupe.per_distinct(address, lambda a: normalise_street(a) if a else "")
    label_key = _column(values, "label_key", n)
    when = pd.Series(_column(values, "occurred_time", n, -1))
    if "window_start" in values:
        # A window takes the slot of the (then unknown) time, so events without one keep their hashes.
        start, end = _column(values, "window_start", n, None), _column(values, "window_end", n, None)
        windowed = np.flatnonzero(pd.notna(start) & pd.notna(end))
        when = when.astype(object)
        when.iloc[windowed] = [f"{pd.Timestamp(a).isoformat()}/{pd.Timestamp(b).isoformat()}"
                               for a, b in zip(start[windowed], end[windowed])]
    # A field the file lacks hashes as '' on every row: one shared empty column, not a new one per field.
    empty = pd.Series(np.full(n, "", dtype=object), dtype=object)

    def part(name):
        return pd.Series(values[name].to_numpy(), dtype=object) if name in values else empty

    parts = [dedupe.day_text(days), when,
             pd.Series(label_key, dtype=object), dedupe.rounded(lon), dedupe.rounded(lat), address_key,
             part("area_code")]
    for f in ("victim_key", "victim_sex", "victim_age_group", "victim_nationality", "offender_key", "offender_sex",
              "offender_age_group", "offender_nationality"):
        if f not in values:
            parts.append(empty)
        else:
            parts.append(dedupe.per_distinct(values[f].to_numpy(), name_key) if f.endswith("nationality")
                         else part(f))
    parts.append(pd.Series(attributes_json))
    content_hash = dedupe.hash_rows(parts)
    del parts
    pa.default_memory_pool().release_unused()
    return {"lon": lon, "lat": lat, "area": area, "outside": outside, "precision": precision, "days": days,
            "attributes": attributes_json, "content_hash": content_hash}


def _warn_outside(table, mapping, lon, lat, far, geocoded, issues, name) -> None:
    """A warning per located event outside the comuna (or, without the comuna's boundary, outside every area):
    it is kept, without an area, and counted in the report (code ``point_outside``)."""
    if "lon" in mapping.columns:
        column = f"{mapping.columns['lon']}/{mapping.columns['lat']}"
    else:
        column = mapping.columns.get("address", "")
    for p in np.flatnonzero(far).tolist():
        how = "the address was geocoded to" if geocoded[p] else "the point"
        issues.append(Issue(name, int(table.row_numbers[p]), column, f"{lat[p]:.6f}, {lon[p]:.6f}",
                            f"{how} ({lat[p]:.6f}, {lon[p]:.6f}) is outside the comuna's boundary: the event is kept "
                            f"without an area", "check the coordinates (or the address), or give the area code",
                            "point_outside", WARNING))


def original_json(table, mapping) -> np.ndarray:
    """Each row's ``original``: the raw text of its mapped and attribute columns (never a protected one), RUTs
    in it masked. Built only for a write: a million rows' JSON is most of a dry run's memory otherwise."""
    from .validate import original_values

    kept, texts = original_values(table, mapping)
    return text_json_objects(kept, texts, len(table))


def _event_columns(prepared, values, source_id, batch_id, n) -> dict:
    """The event columns as `write.insert_events` takes them (ids -1 and NaN for NULL, seconds for times)."""
    text = {f: _column(values, f, n) for f in ("external_id", "label", "address", "victim_sex", "victim_age_group",
                                               "victim_nationality", "victim_key", "offender_sex",
                                               "offender_age_group", "offender_nationality", "offender_key")}
    return {
        "source_id": source_id, "batch_id": batch_id, "external_id": text["external_id"],
        "category_id": _column(values, "category_id", n, -1).astype(np.int64), "original_label": text["label"],
        "occurred_on": prepared["days"], "occurred_time": _column(values, "occurred_time", n, -1).astype(np.int64),
        "window_start": _column(values, "window_start", n, None), "window_end": _column(values, "window_end", n, None),
        "lon": prepared["lon"], "lat": prepared["lat"], "precision": prepared["precision"],
        "address": text["address"], "area_id": prepared["area"], "outside": prepared["outside"],
        **{f: text[f] for f in ("victim_sex", "victim_age_group", "victim_nationality", "victim_key", "offender_sex",
                                "offender_age_group", "offender_nationality", "offender_key")},
        "original": prepared["original"], "attributes": prepared["attributes"],
        "content_hash": prepared["content_hash"],
    }


def _prepare_counts(values, area_index, n) -> dict:
    code = _column(values, "area_code", n).astype(object)
    days = _column(values, "period_start", n, np.datetime64("NaT")).astype("datetime64[D]")
    label_key = _column(values, "label_key", n)
    key = pd.Series(code).str.cat([pd.Series(np.datetime_as_string(days)), pd.Series(label_key)], sep=dedupe.SEP)
    count = _column(values, "count", n, -1).astype(np.int64)
    area = area_index.codes_to_ids(pd.Series(code)) if area_index is not None else np.full(n, -1)
    return {"natural_key": key.to_numpy(dtype=object), "count_text": count.astype(str).astype(object), "days": days,
            "area": area, "count": count}


def _count_columns(prepared, values, source_id, batch_id) -> dict:
    n = len(prepared["count"])
    return {
        "source_id": np.full(n, source_id, dtype=np.int64), "batch_id": np.full(n, batch_id, dtype=np.int64),
        "area_id": prepared["area"],
        "area_code": _column(values, "area_code", n).astype(object),
        "period_start": prepared["days"],
        "category_id": _column(values, "category_id", n, -1).astype(np.int64),
        "original_label": _column(values, "label", n).astype(object),
        "count": prepared["count"],
    }
