"""`run_import`: one file, one source, one batch — the single entry point of CLI and web.

Order of work (MODELS.md, after MapIt's import, without its faults):
read → map columns → validate every row → place (geocode, areas) →
recognise duplicates and corrections → write, all in one transaction, only
with ``commit=True``. Until the write nothing touches the records, and an
exception at any point (including one raised by the `progress` callback)
rolls the whole batch back. The path is the same for every target: what
differs between events, survey responses and aggregate counts (placing,
stored keys, whether a stored record may be corrected, columns, the write)
is one `kinds.BatchKind` each.

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from django.db import transaction

from observatorio.errors import N_, Text, as_text
from observatorio.importing import Report
from observatorio.tables.personal import is_rut_column
from observatorio.tables.readers import Note, ReadError, read_table

from . import dedupe
from .issues import ERROR, WARNING, ImportFailed, Issue, unreadable
from .kinds import KINDS
from .mapping import resolve_mapping

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
    raise ImportFailed("", Text(N_("no hay una fuente «%(code)s»; las fuentes son: %(codes)s; los tipos son: %(kinds)s"),
                                code=code, codes=", ".join(codes) if codes else Text(N_("(ninguna)")),
                                kinds=", ".join(SourceKind.values)),
                       N_("indique uno de esos códigos con --source, o un tipo para crear esa fuente"),
                       code="unknown_source")


def saved_mapping(source) -> dict | None:
    from observatorio.records.models import SourceMapping

    row = SourceMapping.objects.filter(source=source).order_by("-version").first()
    if row is None:
        return None
    return {"columns": row.columns, "options": row.options, "version": row.version}


def _checked_key(name: str, required: bool = False) -> bytes | None:
    """The RUT key checked against the database's fingerprint, so that any import with another key stops
    (a mismatch even when this file has no RUT); None when no key is configured and none is `required`."""
    from django.core.exceptions import ImproperlyConfigured

    from observatorio.records.identifiers import KeyMismatch, settings_key

    try:
        return settings_key()
    except KeyMismatch as exc:
        raise ImportFailed(name, as_text(exc), N_("restaure la clave de RUT original"),
                           code="rut_key_mismatch") from None
    except ImproperlyConfigured:
        if not required:
            return None
        from observatorio import env

        raise ImportFailed(name, Text(N_("no hay clave de RUT (OBS_RUT_KEY no está definida y %(file)s no existe): "
                                         "los RUT no pueden cifrarse. Si esta instalación ya tiene datos, restaure "
                                         "el archivo de la clave desde su respaldo (una clave nueva no coincidiría "
                                         "con los RUT guardados)"), file=env.rut_key_path()),
                           N_("en una instalación nueva, cree la clave una vez con `observatorio rut-key --create`"),
                           code="rut_key_missing") from None


def upload_limits():
    """The size, row and inflated-size limits of a file to import, from the settings (OBS_UPLOAD_*)."""
    from django.conf import settings

    from observatorio.tables.limits import Limits

    return Limits(max_bytes=int(settings.UPLOAD_MAX_MB * 1024 * 1024), max_rows=int(settings.UPLOAD_MAX_ROWS),
                  max_uncompressed_bytes=int(settings.UPLOAD_MAX_UNCOMPRESSED_MB * 1024 * 1024))


def run_import(path, source, *, sheet: str | None = None, commit: bool = False, user=None, progress=None,
               as_of: dt.date | None = None, file_name: str | None = None, record_dry_run: bool = True,
               options: dict | None = None, address: str | None = None) -> ImportResult:
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
    address : where the person importing is (a web upload), for the audit trail.

    Raises `ImportFailed` when nothing of the file can be imported.
    """
    from observatorio.records.models import BatchStatus, ImportBatch
    from observatorio.records.sources import config_for

    from .areas import AreaIndex
    from .crosswalk import load_crosswalk, seed_default_crosswalk
    from .validate import check_table

    clock = {"start": time.perf_counter()}
    marks: dict[str, float] = {}

    def mark(stage, done=1, total=1):
        # Arrow's allocator keeps freed memory for reuse; give it back between stages, so a million-row dry run
        # stays under 1 GB (benchmarks/bench_import_memory.py).
        pa.default_memory_pool().release_unused()
        now = time.perf_counter()
        marks[stage] = round(marks.get(stage, 0.0) + now - clock["start"], 3)
        clock["start"] = now
        if progress:
            progress(stage, done, total)

    path = Path(path)
    name = file_name or path.name
    rut_key = _checked_key(name)
    src = resolve_source(source)
    config = config_for(src.kind)
    seed_default_crosswalk(src, config)
    as_of = as_of or dt.date.today()
    try:
        table = read_table(path, sheet=sheet, limits=upload_limits())
    except ReadError as exc:
        raise unreadable(name, exc) from None
    table.file = name
    n = len(table)
    mark("read", n, n)

    mapping = resolve_mapping(name, table.columns, src.code, config, saved_mapping(src), options)
    crosswalk = load_crosswalk(src, mapping.options.get("crosswalk_version"))
    area_index = AreaIndex()
    needs_key = any(f in mapping.columns for f in ("victim_rut", "offender_rut"))
    if needs_key and rut_key is None:
        rut_key = _checked_key(name, required=True)
    checked = check_table(table, mapping, config.target, crosswalk=crosswalk, area_index=area_index,
                          rut_key=rut_key if needs_key else None, as_of=as_of,
                          source_code=src.code)
    mark("validate", n, n)
    notes = list(table.notes)
    notes += [Note("row_left_out", f"row {d.row} left out: {d.reason}", d.row, {"row": d.row}) for d in table.dropped]
    notes += checked.notes
    if checked.thousands_fixed:
        notes.append(Note("counts_read_as_thousands",
                          f"{checked.thousands_fixed} counts written like 1.04 were read as thousands (1.040), "
                          f"as the source option count_dot_is_thousands says", params={"n": checked.thousands_fixed}))
    for column in checked.protected_columns:
        if is_rut_column(column) or column in (mapping.columns.get("victim_rut"), mapping.columns.get("offender_rut")):
            notes.append(Note("rut_column", f"column {column!r} holds RUTs: it is never stored; only its keyed hash "
                                            f"is kept when it is mapped", params={"column": column}))
        else:
            notes.append(Note("personal_column", f"column {column!r} holds personal data (a name, document, phone "
                                                 f"or e-mail): it is never stored", params={"column": column}))

    values = checked.values
    rejected = checked.rejected.copy()
    issues = list(checked.issues)
    collector_rows = table.row_numbers

    kind = KINDS[config.target](table, mapping, values, area_index, src.id, name)
    keys, hashes = kind.prepare(rejected, issues, notes)
    mark("place", n, n)

    existing_by_key, existing_hashes = kind.existing_keys()
    status, target, first = dedupe.classify(np.asarray(keys, dtype=object), np.asarray(hashes, dtype=object),
                                            ~rejected, existing_by_key, existing_hashes)
    conflict = np.flatnonzero(status == dedupe.CONFLICT)
    key_col = mapping.columns.get("external_id", "")
    for p in conflict.tolist():
        issues.append(Issue(name, int(collector_rows[p]), key_col, str(keys[p]).replace(dedupe.SEP, " | "),
                            f"the same {kind.key_words} is on row {int(collector_rows[first[p]])} with other values",
                            "keep one of the two rows, or give each record its own identifier", "conflicting_row"))
    rejected[conflict] = True
    changed = np.flatnonzero((status == dedupe.UPDATE) & ~rejected)
    refused = kind.refuse_changed(changed, target[changed], keys)
    if refused:
        issues.extend(refused)
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
                    "warning_codes": dict(Counter(w.code for w in warnings)),
                    "unmapped_categories": unmapped, "notes": [n.as_dict() for n in notes],
                    "previous_batch": result.previous_batch})

    if commit:
        with transaction.atomic():
            batch = ImportBatch.objects.create(**batch_fields(BatchStatus.COMMITTED))
            kind.insert(kind.columns(batch.id), new, upd, target[upd], batch.id, progress=progress)
            result.batch = batch.id
            result.status = BatchStatus.COMMITTED
            _audit(result, user, address)  # in the batch's transaction: both or neither
        mark("write", len(new), len(new))
    else:
        if record_dry_run:
            result.batch = ImportBatch.objects.create(**batch_fields(BatchStatus.DRY_RUN)).id
        _audit(result, user, address)
    return result


def _audit(result: ImportResult, user, address: str | None) -> None:
    """The import in the audit trail: a dry run is ``importacion``, a commit ``confirmacion``."""
    from observatorio.audit.models import Action
    from observatorio.audit.record import record

    action = Action.COMMIT if result.status == "committed" else Action.IMPORT
    record(action, user=user if getattr(user, "pk", None) else None, address=address,
           target=f"lote {result.batch}: {result.file}" if result.batch else result.file,
           detail={"source": result.source, "file": result.file, "batch": result.batch, "sha256": result.sha256,
                   "read": result.read, "imported": result.imported, "rejected": result.rejected,
                   **_actor(user)})


def _actor(user) -> dict:
    """Who acted when no signed-in user did (a command run on the server): the system account."""
    if getattr(user, "pk", None):
        return {}
    import getpass

    try:
        return {"system_user": getpass.getuser()}
    except (KeyError, OSError):
        return {"system_user": ""}


__all__ = ["ImportFailed", "ImportResult", "resolve_source", "run_import"]
