"""The import pages: upload → preview → columns → validation (dry run) → commit → history → rollback.

Every view is `allow(*LOADER_ROLES)` (authorities and users without a role
get 403, anonymous visitors the login page) and then checks the source with
`access.require_source`: an operator sees and acts only on their own
sources' uploads and batches. An upload belongs to the person who sent it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from observatorio import wording
from observatorio.accounts.roles import allow
from observatorio.audit.record import client_address
from observatorio.dashboard.numbers import number
from observatorio.errors import UserError
from observatorio.records.models import BatchStatus, Category, ImportBatch, Source
from observatorio.tables.personal import is_protected

from . import jobs, uploads
from .access import LOADER_ROLES, loadable_sources, may_map_labels, require_source
from .forms import LabelsForm, MappingForm, UploadForm

SHOWN_ISSUES = 500
READER_FAILURES = ("unreadable", "too_large")  # failures whose reason only the reader's message gives
HISTORY_PAGE = 50
STAGE_NAMES = {"read": gettext_lazy("Leyendo el archivo"), "validate": gettext_lazy("Validando cada fila"),
               "place": gettext_lazy("Ubicando en el territorio"), "dedupe": gettext_lazy("Buscando duplicados"),
               "write": gettext_lazy("Escribiendo los registros")}

loader_only = allow(*LOADER_ROLES)


def render(request, name, context=None, status=200):
    return django_render(request, name, context or {}, status=status)


def stage_name(stage):
    return str(STAGE_NAMES[stage]) if stage in STAGE_NAMES else ""


def _upload_for(request, token) -> uploads.Upload:
    upload = uploads.load(token)
    if upload.state.get("user") != request.user.pk:
        raise PermissionDenied
    source = Source.objects.filter(code=upload.state["source"]).first()
    if source is None:
        raise Http404
    require_source(request.user, source)
    upload.source = source
    return upload


def _batch_for(request, batch_id) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("source", "created_by"), pk=batch_id)
    require_source(request.user, batch.source)
    return batch


def _issue_rows(issues):
    rows = []
    for issue in issues[:SHOWN_ISSUES]:
        code = issue.get("code", "")
        # The sentence of the code, in the user's language; the pipeline's own message only for a code without one.
        rows.append({**issue, "spanish": wording.issue_text(code) or issue.get("message", ""),
                     "spanish_fix": wording.fix_text(code) or issue.get("fix", ""),
                     "severity_name": wording.severity_name(issue.get("severity", ""))})
    return rows


def _note_rows(notes):
    """Each note's sentence in the user's language and the English message; batches from before notes had
    codes stored the message alone."""
    rows = []
    for note in notes:
        if isinstance(note, str):
            note = {"code": "", "message": note}
        rows.append({**note, "spanish": wording.note_text(note.get("code", ""), note.get("params"))})
    return rows


def _failure(error: dict) -> dict:
    """A failure as the pages show it: the sentence for its code, its facts and what to do on the web (the
    pipeline's English message and its command-line fix stay in the CLI and the logs)."""
    code = "crash" if error.get("kind") == "crash" else error.get("code", "")
    detail, fix = wording.failure_detail(code, error.get("params")), wording.failure_fix(code)
    if code in READER_FAILURES:
        # The readers' reasons (encoding, NUL bytes, a broken workbook, a limit) have no codes yet: their own
        # message and fix are the only way to know what to do, and they never name a command.
        detail, fix = error.get("message", ""), error.get("fix") or fix
    return {**error, "spanish": wording.failure_text(code), "spanish_fix": fix, "spanish_detail": detail}


def _read_failure(exc, file_name: str) -> dict:
    """An unreadable upload, named by the name it was sent with (the reader saw a temporary one)."""
    from django.utils.translation import gettext

    words = [value.translated(gettext) if hasattr(value, "translated") else str(value)
             for value in (exc.message, exc.fix)]
    return _failure({"code": "unreadable", "message": f"{file_name}: {words[0]}", "fix": words[1],
                     "file": file_name})


@loader_only
def history(request):
    sources = loadable_sources(request.user)
    batches = ImportBatch.objects.filter(source__in=sources).select_related("source", "created_by")
    chosen = request.GET.get("fuente", "")
    if chosen:
        batches = batches.filter(source__code=chosen)
    page = Paginator(batches.order_by("-created_at", "-id"), HISTORY_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "records/history.html", {"page": page, "sources": sources, "chosen": chosen,
                                                    "committed": BatchStatus.COMMITTED})


@loader_only
@require_http_methods(["GET", "POST"])
def upload_file(request):
    from observatorio.records.pipeline.run import upload_limits
    from observatorio.tables.readers import ReadError, read_table

    if request.method == "POST" and _declared_size(request) > settings.UPLOAD_MAX_MB * 1024 * 1024 + 1024 * 1024:
        # Refused from its declared length, before the body is read into a temporary file.
        exc = uploads.TooLarge(_("el archivo enviado"), int(settings.UPLOAD_MAX_MB * 1024 * 1024))
        failure = _failure({"code": "too_large", "message": str(exc), "file": ""})
        return render(request, "records/upload.html", {"form": UploadForm(user=request.user), "failure": failure,
                                                       "step": "upload"}, status=413)
    posted = Source.objects.filter(code=request.POST.get("source", "")).first() if request.method == "POST" else None
    if posted is not None:
        # Naming a source outside one's scope is not a typo to correct in the form: it is refused.
        require_source(request.user, posted)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    failure = None
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        require_source(request.user, source)
        try:
            upload = uploads.create(form.cleaned_data["file"], user=request.user, source=source,
                                    sheet=form.cleaned_data["sheet"])
        except uploads.TooLarge as exc:
            failure = _failure({"code": "too_large", "message": str(exc), "file": exc.name})
            return render(request, "records/upload.html", {"form": form, "failure": failure, "step": "upload"},
                          status=413)
        try:
            table = read_table(upload.data_path, sheet=form.cleaned_data["sheet"] or None, limits=upload_limits())
        except ReadError as exc:
            # Nothing of an unreadable file is kept: not the file, not a batch.
            uploads.remove(upload)
            failure = _read_failure(exc, upload.state["file_name"])
        else:
            upload.update(preview=uploads.preview_of(table))
            return redirect("cargas:preview", token=upload.token)
    return render(request, "records/upload.html", {"form": form, "failure": failure, "step": "upload"},
                  status=422 if failure else 200)


def _declared_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@dataclass
class MappingState:
    """What the import pages know of a file's mapping: the source's fields, the column chosen for each and why,
    the mapping in force (None when it fails: `failure`), and the saved version."""

    fields: dict
    current: dict
    reasons: dict
    mapping: object
    failure: dict | None
    saved: dict | None

    def reason(self, name) -> str:
        how, looked_for = self.reasons.get(name, ("", ""))
        return wording.match_text(how, looked_for)


def _mapping_state(upload) -> MappingState:
    from observatorio.records.pipeline.fields import fields_for
    from observatorio.records.pipeline.issues import ImportFailed
    from observatorio.records.pipeline.mapping import partial_mapping, resolve_mapping
    from observatorio.records.pipeline.run import saved_mapping
    from observatorio.records.sources import config_for

    source = upload.source
    config = config_for(source.kind)
    columns = upload.state["preview"]["columns"]
    saved = saved_mapping(source)
    fields = fields_for(config.target)
    try:
        mapping = resolve_mapping(upload.state["file_name"], columns, source.code, config, saved)
    except ImportFailed as exc:
        current, reasons = partial_mapping(columns, config, saved)
        return MappingState(fields, current, reasons, None, _failure(exc.as_dict()), saved)
    return MappingState(fields, dict(mapping.columns), mapping.reasons, mapping, None, saved)


@loader_only
def preview(request, token):
    upload = _upload_for(request, token)
    state = _mapping_state(upload)
    data = upload.state["preview"]
    notes = _note_rows(data["notes"])
    return render(request, "records/preview.html", {
        "upload": upload.state, "token": token, "source": upload.source, "preview": data,
        "rows": list(zip(data["row_numbers"], data["first_rows"])), "notes": notes,
        "delimiter": wording.delimiter_name(data["delimiter"]) if data["delimiter"] else "",
        "mapped": [(name, spec.help, state.current[name], state.reason(name)) for name, spec in state.fields.items()
                   if state.current.get(name)],
        "failure": state.failure, "step": "preview"})


@loader_only
@require_http_methods(["GET", "POST"])
def mapping_page(request, token):
    from observatorio.records.pipeline.mapping import save_mapping

    upload = _upload_for(request, token)
    state = _mapping_state(upload)
    saved_options = (state.saved or {}).get("options") or {}
    form = MappingForm(request.POST or None, fields=state.fields, columns=upload.state["preview"]["columns"],
                       current=state.current, date_format=saved_options.get("date_format", ""),
                       reasons={name: state.reason(name) for name in state.current},
                       attributes=state.mapping.attributes if state.mapping else {})
    if request.method == "POST" and form.is_valid():
        set_columns, unset = form.changes(state.current)
        kept, dropped = form.attribute_changes()
        set_columns.update(kept)
        unset += dropped
        options = form.option_changes()
        try:
            row = save_mapping(upload.source, set_columns=set_columns, unset=unset, options=options,
                               user=request.user) if set_columns or unset or options else None
        except UserError:
            # A column of personal data mapped to a field that would store it raw: refused, nothing saved.
            named = [wording.failure_detail("protected_column", {"column": c}) for c in set_columns.values()
                     if is_protected(c)]
            problem = " ".join([wording.failure_text("protected_column"), *named])
            form.add_error(None, _("No se guardó: %(problem)s") % {"problem": problem})
        else:
            if row is not None:
                messages.success(request, _("Asignación de columnas guardada para la fuente %(source)s "
                                            "(versión %(v)s).") % {"source": upload.source.name, "v": row.version})
            else:
                messages.info(request, _("La asignación no cambió."))
            return redirect("cargas:preview", token=token)
    return render(request, "records/mapping.html", {
        "upload": upload.state, "token": token, "source": upload.source, "form": form, "failure": state.failure,
        "version": (state.saved or {}).get("version"), "step": "mapping", "protected": form.protected,
        "attributes": sorted((state.mapping.attributes if state.mapping else {}).items())})


def _start(request, upload, kind):
    if not upload.has_file:
        messages.error(request, _("Este archivo ya fue importado; súbalo de nuevo para otra carga."))
        return redirect("cargas:history")
    try:
        jobs.start(upload, kind, request.user, address=client_address(request))
    except jobs.JobRunning:
        messages.info(request, _("Ya hay un proceso en curso para este archivo."))
    return redirect("cargas:progress", token=upload.token)


@loader_only
@require_POST
def validate(request, token):
    return _start(request, _upload_for(request, token), jobs.DRY_RUN)


@loader_only
@require_POST
def commit(request, token):
    return _start(request, _upload_for(request, token), jobs.COMMIT)


def _next_url(upload, job) -> str:
    if job.get("status") != "done":
        return ""
    if job.get("kind") == jobs.COMMIT:
        return reverse("cargas:batch", args=[job["batch"]])
    return reverse("cargas:report", args=[upload.token])


@loader_only
def progress_page(request, token):
    upload = _upload_for(request, token)
    job = jobs.status(upload)
    if job["status"] == "idle":
        return redirect("cargas:preview", token=token)
    return render(request, "records/progress.html", {
        "upload": upload.state, "token": token, "source": upload.source, "job": job,
        "stage": stage_name(job["stage"]), "error": _failure(job["error"]) if job["error"] else None,
        "next": _next_url(upload, upload.job), "step": "validate" if job["kind"] == jobs.DRY_RUN else "commit"})


@loader_only
def progress_data(request, token):
    upload = _upload_for(request, token)
    job = jobs.status(upload)
    job["stage_name"] = stage_name(job["stage"])
    job["next"] = _next_url(upload, upload.job)
    if job["error"]:
        job["error"] = _failure(job["error"])
    return JsonResponse(job, json_dumps_params={"ensure_ascii": False})


def _report_context(batch):
    report = batch.report or {}
    return {
        "batch": batch, "errors": _issue_rows(report.get("errors", [])), "errors_total": report.get("errors_total", 0),
        "warnings": _issue_rows(report.get("warnings", [])), "warnings_total": report.get("warnings_total", 0),
        "notes": _note_rows(report.get("notes", [])),
        "unmapped": sorted((report.get("unmapped_categories") or {}).items(), key=lambda kv: (-kv[1], kv[0])),
        "shown_limit": SHOWN_ISSUES, "previous_batch": report.get("previous_batch"),
        # Every warning is counted by code (the stored list stops at 5,000); points outside the comuna are named.
        "outside": (report.get("warning_codes") or {}).get("point_outside", 0),
    }


def _categories():
    return [(c.code, f"{c.name} ({c.code})") for c in Category.objects.order_by("family", "name")]


@loader_only
def report_page(request, token):
    upload = _upload_for(request, token)
    batch_id = upload.state.get("dry_run_batch")
    if not batch_id:
        return redirect("cargas:preview", token=token)
    batch = get_object_or_404(ImportBatch, pk=batch_id, source=upload.source)
    context = _report_context(batch)
    labels_form = None
    if context["unmapped"] and may_map_labels(request.user):
        labels_form = LabelsForm(labels=context["unmapped"], categories=_categories())
    return render(request, "records/report.html", {
        **context, "upload": upload.state, "token": token, "source": upload.source, "labels_form": labels_form,
        "can_commit": upload.has_file and not upload.state.get("committed_batch"), "step": "validate",
        "committed_batch": upload.state.get("committed_batch")})


@loader_only
@require_POST
def map_labels(request, token):
    from observatorio.records.pipeline.crosswalk import set_label

    upload = _upload_for(request, token)
    if not may_map_labels(request.user):
        raise PermissionDenied
    batch = get_object_or_404(ImportBatch, pk=upload.state.get("dry_run_batch") or 0, source=upload.source)
    unmapped = _report_context(batch)["unmapped"]
    form = LabelsForm(request.POST, labels=unmapped, categories=_categories())
    if form.is_valid():
        chosen = form.chosen()
        for label, code in chosen:
            set_label(upload.source, label, code)
        if chosen:
            messages.success(request, _("%(n)s equivalencias guardadas; valide de nuevo para incluir esas filas.")
                             % {"n": len(chosen)})
    else:
        messages.error(request, _("Elija categorías de la lista."))
    return redirect("cargas:report", token=token)


@loader_only
def batch_page(request, batch_id):
    batch = _batch_for(request, batch_id)
    return render(request, "records/batch.html", {**_report_context(batch), "committed": BatchStatus.COMMITTED})


@loader_only
def batch_report(request, batch_id, fmt):
    from observatorio.records.pipeline.report import FORMATS, batch_issues, write_report

    batch = _batch_for(request, batch_id)
    if fmt not in FORMATS:
        raise Http404
    body = write_report(batch_issues(batch), fmt)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="informe_lote_{batch.id}.{fmt}"'
    return response


@loader_only
@require_http_methods(["GET", "POST"])
def rollback(request, batch_id):
    from observatorio.records.pipeline.rollback import RollbackRefused, rollback_batch

    batch = _batch_for(request, batch_id)
    refused = None
    if request.method == "POST":
        if request.POST.get("confirmar") != "si":
            refused = _("Marque la casilla de confirmación para revertir el lote.")
        else:
            try:
                result = rollback_batch(batch.id, user=request.user, address=client_address(request))
            except RollbackRefused as exc:
                refused = str(exc)
            else:
                messages.success(request, _("Lote %(id)s revertido. Eliminados: eventos %(events)s, conteos "
                                            "%(counts)s, respuestas de encuesta %(responses)s. Registros "
                                            "restaurados: %(restored)s.")
                                 % {"id": batch.id, "events": number(result.events_deleted),
                                    "counts": number(result.counts_deleted),
                                    "responses": number(result.responses_deleted),
                                    "restored": number(result.events_restored + result.counts_restored)})
                return redirect("cargas:batch", batch_id=batch.id)
    events = batch.events.count()
    return render(request, "records/rollback.html", {"batch": batch, "refused": refused, "events": events,
                                                     "committed": BatchStatus.COMMITTED},
                  status=409 if refused and request.method == "POST" and request.POST.get("confirmar") == "si"
                  else 200)
