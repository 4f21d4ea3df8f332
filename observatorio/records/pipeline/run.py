"""`run_import`: one file, one source, one batch — the single entry point of CLI and web.

Order of work (MODELS.md, after MapIt's import, without its faults):
read → map columns → validate every row → place (geocode, areas) →
recognise duplicates and corrections → write, all in one transaction, only
with ``commit=True``. Until the write nothing touches the records, and an
exception at any point (including one raised by the `progress` callback)
rolls the whole batch back.

Counts (docs/import.md): ``read`` is the number of data rows the reader
returned (blank lines and a recognised totals row are not records; they are
reported in ``notes``, each a `Note` with a stable code the interface words in
the user's language). Every read row is exactly one of imported (new or
``updated``: a correction of a stored record), duplicate, or rejected, so
``read == imported + duplicates + rejected`` always.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction

from observatorio.importing import Report
from observatorio.tables.readers import Note, ReadError, read_table

from . import dedupe
from .fields import EVENT, SURVEY
from .issues import ERROR, WARNING, ImportFailed, Issue
from .mapping import resolve_mapping
from .surveys import prepare_responses, refuse_changed, response_columns, stored_response_keys
from .write import text_json_objects

REPORT_LIMIT = 5000  # issues stored with the batch; the result itself keeps them all


@dataclass
class ImportResult:
    file: str
    source: str
    sha256: str
    status: str  # "dry_run" or "committed"
    batch: int | None
    read: int
    imported: int
    updated: int
    duplicates: int
    rejected: int
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped_categories: dict[str, int] = field(default_factory=dict)
    # What the reader and the import decided on their own: code, English message, params (see `notes`).
    notices: list[Note] = field(default_factory=list)
    previous_batch: int | None = None
    mapping: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def added(self) -> int:
        return self.imported - self.updated

    @property
    def notes(self) -> list[str]:
        """The notices' English messages (CLI, JSON summary, logs)."""
        return [n.message for n in self.notices]

    def report(self) -> Report:
        """The one shape every import reports in (`observatorio.importing.Report`); its details are this
        result's own fields (imported, updated, duplicates, rejected, batch, unmapped categories, …)."""
        common = {"file", "read", "errors", "errors_total", "warnings", "warnings_total", "notes", "note_codes"}
        return Report(kind="records", file=self.file, read=self.read, valid=self.read - self.rejected,
                      written=self.imported, committed=self.status == "committed",
                      issues=self.errors + self.warnings, notes=self.notices,
                      details={k: v for k, v in self.as_dict().items() if k not in common})

    def as_dict(self, limit: int | None = None) -> dict:
        errors = self.errors if limit is None else self.errors[:limit]
        warnings = self.warnings if limit is None else self.warnings[:limit]
        return {
            "file": self.file, "source": self.source, "sha256": self.sha256, "status": self.status,
            "batch": self.batch, "read": self.read, "imported": self.imported, "updated": self.updated,
            "duplicates": self.duplicates, "rejected": self.rejected,
            "errors": [e.as_dict() for e in errors], "errors_total": len(self.errors),
            "warnings": [w.as_dict() for w in warnings], "warnings_total": len(self.warnings),
            "unmapped_categories": dict(self.unmapped_categories), "notes": self.notes,
            "note_codes": [n.code for n in self.notices],
            "previous_batch": self.previous_batch, "mapping": self.mapping, "seconds": self.seconds,
        }


def resolve_source(source):
    """A `Source` from an instance or a code; a code that is a source kind creates it on first use."""
    from observatorio.records.models import Source, SourceKind

    if isinstance(source, Source):
        return source
    code = str(source).strip()
    found = Source.objects.filter(code=code).first()
    if found is not None:
        return found
    if code in SourceKind.values:
        return Source.objects.create(code=code, name=SourceKind(code).label, kind=code)
    codes = sorted(Source.objects.values_list("code", flat=True))
    raise ImportFailed("", f"no source {code!r}; the sources are: {', '.join(codes) or '(none)'}; "
                           f"the kinds are: {', '.join(SourceKind.values)}",
                       "give one of those codes with --source, or a kind to create that source",
                       code="unknown_source")


def saved_mapping(source) -> dict | None:
    from observatorio.records.models import SourceMapping

    row = SourceMapping.objects.filter(source=source).order_by("-version").first()
    if row is None:
        return None
    return {"columns": row.columns, "options": row.options, "version": row.version}


def _column(values: pd.DataFrame, name: str, n: int, default="") -> np.ndarray:
    if name in values:
        return values[name].to_numpy()
    return np.full(n, default, dtype=object)


def run_import(path, source, *, sheet: str | None = None, commit: bool = False, user=None, progress=None,
               as_of: dt.date | None = None, file_name: str | None = None, record_dry_run: bool = True,
               options: dict | None = None) -> ImportResult:
    """Validate `path` as an export of `source` and, with ``commit=True``, write it as one batch.

    Parameters
    ----------
    path : file to read (CSV, XLSX, Parquet, GeoJSON).
    source : a `Source` or its code.
    sheet : Excel sheet (default: the first).
    commit : write; otherwise a dry run that writes only a batch record with the report
        (``record_dry_run=False`` writes nothing at all).
    user : who imports (stored on the batch).
    progress : ``progress(stage, done, total)``, called per stage ("read", "validate", "place",
        "dedupe", "write") and per written chunk; an exception it raises aborts the import.
    as_of : dates after it are errors (default: today).
    file_name : the name to record (web uploads live under a temporary name).
    options : mapping options for this run only (e.g. ``{"crs": "EPSG:32719"}``).

    Raises `ImportFailed` when nothing of the file can be imported.
    """
    from observatorio.records.identifiers import settings_key
    from observatorio.records.models import BatchStatus, ImportBatch
    from observatorio.records.sources import config_for

    from .areas import AreaIndex
    from .crosswalk import load_crosswalk, seed_default_crosswalk
    from .validate import check_table

    clock = {"start": time.perf_counter()}
    marks: dict[str, float] = {}

    def mark(stage, done=1, total=1):
        now = time.perf_counter()
        marks[stage] = round(marks.get(stage, 0.0) + now - clock["start"], 3)
        clock["start"] = now
        if progress:
            progress(stage, done, total)

    path = Path(path)
    name = file_name or path.name
    src = resolve_source(source)
    config = config_for(src.kind)
    seed_default_crosswalk(src, config)
    as_of = as_of or dt.date.today()
    try:
        table = read_table(path, sheet=sheet)
    except ReadError as exc:
        raise ImportFailed(name, f"{name}: {exc.message}", exc.fix, code="unreadable") from None
    table.file = name
    n = len(table)
    mark("read", n, n)

    mapping = resolve_mapping(name, table.columns, src.code, config, saved_mapping(src), options)
    crosswalk = load_crosswalk(src, mapping.options.get("crosswalk_version"))
    area_index = AreaIndex()
    needs_key = any(f in mapping.columns for f in ("victim_rut", "offender_rut"))
    checked = check_table(table, mapping, config.target, crosswalk=crosswalk, area_index=area_index,
                          rut_key=settings_key() if needs_key else None, as_of=as_of,
                          source_code=src.code)
    mark("validate", n, n)
    notes = list(table.notes)
    notes += [Note("row_left_out", f"row {d.row} left out: {d.reason}", d.row, {"row": d.row}) for d in table.dropped]
    if checked.thousands_fixed:
        notes.append(Note("counts_read_as_thousands",
                          f"{checked.thousands_fixed} counts written like 1.04 were read as thousands (1.040), "
                          f"as the source option count_dot_is_thousands says", params={"n": checked.thousands_fixed}))
    for column in checked.protected_columns:
        notes.append(Note("rut_column", f"column {column!r} holds RUTs: it is never stored; only its keyed hash is "
                                        f"kept when it is mapped", params={"column": column}))

    values = checked.values
    rejected = checked.rejected.copy()
    issues = list(checked.issues)
    collector_rows = table.row_numbers

    if config.target == EVENT:
        prepared = _prepare_events(table, mapping, values, area_index, rejected, issues, notes, name)
        mark("place", n, n)
        keys = _column(values, "external_id", n).astype(object)
        hashes = prepared["content_hash"]
    elif config.target == SURVEY:
        prepared = prepare_responses(table, mapping, values, area_index, rejected, issues, notes, name)
        mark("place", n, n)
        keys = _column(values, "external_id", n).astype(object)
        hashes = prepared["content_hash"]
    else:
        prepared = _prepare_counts(values, area_index, n)
        mark("place", n, n)
        keys = prepared["natural_key"]
        hashes = prepared["count_text"]

    src_id = src.id
    if config.target == EVENT:
        existing_by_key, existing_hashes = dedupe.stored_event_keys(src_id)
    elif config.target == SURVEY:
        existing_by_key, existing_hashes = stored_response_keys(src_id)
    else:
        existing_by_key, existing_hashes = dedupe.stored_count_keys(src_id), set()
    status, target, first = dedupe.classify(np.asarray(keys, dtype=object), np.asarray(hashes, dtype=object),
                                            ~rejected, existing_by_key, existing_hashes)
    conflict = np.flatnonzero(status == dedupe.CONFLICT)
    for p in conflict.tolist():
        key_col = mapping.columns.get("external_id", "")
        what = "identifier" if config.target == EVENT else "area, period and category"
        issues.append(Issue(name, int(collector_rows[p]), key_col, str(keys[p]).replace(dedupe.SEP, " | "),
                            f"the same {what} is on row {int(collector_rows[first[p]])} with other values",
                            "keep one of the two rows, or give each record its own identifier", "conflicting_row"))
    rejected[conflict] = True
    if config.target == SURVEY:
        changed = np.flatnonzero((status == dedupe.UPDATE) & ~rejected)
        issues.extend(refuse_changed(changed, target[changed], keys, table, mapping, name))
        rejected[changed] = True
    mark("dedupe", n, n)

    new = np.flatnonzero((status == dedupe.NEW) & ~rejected)
    upd = np.flatnonzero((status == dedupe.UPDATE) & ~rejected)
    duplicates = int(((status == dedupe.DUPLICATE) & ~rejected).sum())
    errors = sorted((i for i in issues if i.severity == ERROR), key=lambda i: (i.row, i.column))
    warnings = sorted((i for i in issues if i.severity == WARNING), key=lambda i: (i.row, i.column))
    unmapped = dict(sorted(checked.unmapped.items(), key=lambda kv: (-kv[1], kv[0])))

    previous = (ImportBatch.objects.filter(source=src, sha256=table.sha256, status=BatchStatus.COMMITTED)
                .order_by("created_at").first())
    if previous is not None:
        notes.append(Note("already_imported", f"this file was already imported in batch {previous.id} "
                                              f"({previous.created_at:%Y-%m-%d %H:%M}); rows already stored count "
                                              f"as duplicates", params={"batch": previous.id}))

    result = ImportResult(
        file=name, source=src.code, sha256=table.sha256, status=BatchStatus.DRY_RUN, batch=None, read=n,
        imported=len(new) + len(upd), updated=len(upd), duplicates=duplicates, rejected=int(rejected.sum()),
        errors=errors, warnings=warnings, unmapped_categories=unmapped, notices=notes,
        previous_batch=previous.id if previous else None, mapping=mapping.as_dict(), seconds=marks)

    def batch_fields(status_value):
        return dict(
            source=src, file_name=name[:300], sha256=table.sha256, created_by=user if getattr(user, "pk", None) else None,
            rows_read=result.read, rows_imported=result.imported, rows_duplicate=result.duplicates,
            rows_rejected=result.rejected, rows_updated=result.updated, error_count=len(errors),
            sheet=table.sheet or "", mapping=result.mapping, status=status_value,
            report={"errors": [e.as_dict() for e in errors[:REPORT_LIMIT]], "errors_total": len(errors),
                    "warnings": [w.as_dict() for w in warnings[:REPORT_LIMIT]], "warnings_total": len(warnings),
                    "unmapped_categories": unmapped, "notes": [n.as_dict() for n in notes],
                    "previous_batch": result.previous_batch})

    if commit:
        from observatorio.records import snapshot

        from . import write

        with transaction.atomic():
            batch = ImportBatch.objects.create(**batch_fields(BatchStatus.COMMITTED))
            if config.target == EVENT:
                columns = _event_columns(prepared, values, src_id, batch.id, n)
                write.insert_events(columns, progress=progress, rows=new)
                write.update_events(target[upd].tolist(), columns, upd.tolist(), batch.id)
                snapshot.bump()
            elif config.target == SURVEY:
                write.insert_responses(response_columns(prepared, values, src_id, batch.id, n), progress=progress,
                                       rows=new)
            else:
                columns = _count_columns(prepared, values, src_id, batch.id)
                write.insert_counts(columns, progress=progress, rows=new)
                write.update_counts(target[upd].tolist(), columns["count"][upd].tolist(), batch.id)
                snapshot.bump("counts")
        result.batch = batch.id
        result.status = BatchStatus.COMMITTED
        mark("write", len(new), len(new))
    elif record_dry_run:
        result.batch = ImportBatch.objects.create(**batch_fields(BatchStatus.DRY_RUN)).id
    return result


def _prepare_events(table, mapping, values, area_index, rejected, issues, notes, name) -> dict:
    from observatorio.records.models import AddressPoint

    from .geocode import Gazetteer, normalise_street
    from .names import name_key
    from .validate import attribute_values, looks_like_rut_column

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
    code_ids = _column(values, "area_code_id", n, -1).astype(np.int64)
    located = np.isfinite(lon) & np.isfinite(lat)
    by_code = ~located & (code_ids >= 0)
    area[by_code] = code_ids[by_code]
    precision = np.full(n, "none", dtype=object)
    precision[by_code] = "area"
    precision[geocoded] = "address"
    precision[point] = "point"

    attributes = attribute_values(table, mapping)
    protected = {c for c in table.columns if looks_like_rut_column(c)}
    protected |= {mapping.columns[f] for f in ("victim_rut", "offender_rut") if f in mapping.columns}
    kept = [c for c in table.columns if c not in protected]
    original = text_json_objects(kept, [table.frame[c] for c in kept], n)
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
    parts = [pd.Series(np.datetime_as_string(days)), when,
             pd.Series(label_key), dedupe.rounded(lon), dedupe.rounded(lat), address_key,
             pd.Series(_column(values, "area_code", n))]
    for f in ("victim_key", "victim_sex", "victim_age_group", "victim_nationality", "offender_key", "offender_sex",
              "offender_age_group", "offender_nationality"):
        col = _column(values, f, n)
        parts.append(dedupe.per_distinct(col, name_key) if f.endswith("nationality") else pd.Series(col))
    parts.append(pd.Series(attributes_json))
    return {"lon": lon, "lat": lat, "area": area, "outside": outside, "precision": precision, "days": days,
            "original": original, "attributes": attributes_json, "content_hash": dedupe.hash_rows(parts)}


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


__all__ = ["ImportFailed", "ImportResult", "resolve_source", "run_import"]
