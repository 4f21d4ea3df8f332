"""/informes/: the reports page, a run's page (progress, preview, download), its progress as JSON, the file
inline or as a download (audited), and the subscription to the monthly bulletin.

Who: analysts and administrators generate and read every report; authorities read and download only the
reports generated as public (their numbers went through disclosure control in the builder); operators and
users without a role are refused (docs/decisions.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from observatorio.accounts.roles import Role, allow, has_role
from observatorio.audit.models import Action
from observatorio.audit.record import record
from observatorio.errors import UserError
from observatorio.reports import runs
from observatorio.reports.kinds import registry
from observatorio.reports.models import ReportRun, ReportSubscription

from . import background
from .forms import ReportForm

WRITERS = (Role.ADMIN, Role.ANALYST)
READERS = (*WRITERS, Role.AUTHORITY)
HISTORY_ROWS = 50
CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
# The report's own page, shown inside the run's page: no script, nothing from another host, framed only here.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                  "frame-ancestors 'self'")


def may_generate(user) -> bool:
    return has_role(user, *WRITERS)


def visible_runs(user):
    """The runs ``user`` may see: all for analysts and administrators; the finished public ones otherwise."""
    runs_ = ReportRun.objects.select_related("created_by")
    if may_generate(user):
        return runs_
    return runs_.filter(public=True, status=ReportRun.Status.DONE)


def title_of(kind: str) -> str:
    module = registry().get(kind)
    return _(module.TITLE) if module is not None else kind


def _rows(queryset):
    return [{"run": run, "title": title_of(run.kind)} for run in queryset]


@allow(*READERS)
def reports_page(request):
    writer = may_generate(request.user)
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = runs.create(data["kind"], data["start"], data["end"], fmt=data["fmt"],
                                  language=data["language"], public=data["public"], user=request.user)
            except UserError as exc:
                form.add_error(None, str(exc))
            else:
                background.start(run)
                return redirect("informes:run", pk=run.pk)
    else:
        form = ReportForm() if writer else None
    subscription = ReportSubscription.objects.filter(user=request.user).first()
    return render(request, "reports/page.html", {
        "form": form, "history": _rows(visible_runs(request.user)[:HISTORY_ROWS]), "writer": writer,
        "subscription": subscription, "full_version": writer})


def _run_for(request, pk) -> ReportRun:
    return get_object_or_404(visible_runs(request.user), pk=pk)


@allow(*READERS)
def run_page(request, pk):
    run = _run_for(request, pk)
    return render(request, "reports/run.html", {"run": run, "title": title_of(run.kind),
                                                "running": run.status == ReportRun.Status.RUNNING})


@allow(*READERS)
def run_progress(request, pk):
    run = _run_for(request, pk)
    return JsonResponse({"status": run.status, "progress": run.progress, "error": run.error,
                         "status_name": run.get_status_display()}, json_dumps_params={"ensure_ascii": False})


def _file(request, pk, inline: bool):
    run = _run_for(request, pk)
    path = runs.path_of(run) if run.file else None
    if run.status != ReportRun.Status.DONE or path is None or not path.is_file():
        raise Http404(_("El informe no tiene archivo (aún en curso o fallido)."))
    if inline:  # a download (attachment) is audited by audit.middleware, as every download; a preview here
        record(Action.DOWNLOAD, request=request, target=request.path,
               detail={"informe": run.pk, "tipo": run.kind, "formato": run.format, "público": run.public,
                       "sha256": run.sha256, "vista previa": True})
    name = f"{run.kind}-{run.start:%Y-%m-%d}-{run.end:%Y-%m-%d}.{run.format}"
    response = FileResponse(path.open("rb"), as_attachment=not inline, filename=name,
                            content_type=CONTENT_TYPES[run.format])
    if inline:
        response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@allow(*READERS)
@xframe_options_sameorigin
def run_view(request, pk):
    return _file(request, pk, inline=True)


@allow(*READERS)
def run_download(request, pk):
    return _file(request, pk, inline=False)


@allow(*READERS)
@require_POST
def subscription(request):
    """Subscribe to the monthly bulletin (in the language chosen) or unsubscribe."""
    current = ReportSubscription.objects.filter(user=request.user).first()
    if request.POST.get("action") == "unsubscribe":
        if current is not None:
            current.delete()
        messages.success(request, _("Ya no recibirá el boletín mensual por correo."))
    else:
        language = request.POST.get("language") if request.POST.get("language") in runs.LANGUAGES else "es"
        ReportSubscription.objects.update_or_create(user=request.user, defaults={"language": language})
        if request.user.email:
            messages.success(request, _("Recibirá el boletín mensual en %(address)s.") % {"address": request.user.email})
        else:
            messages.warning(request, _("Suscripción guardada, pero su cuenta no tiene correo: pida a un "
                                        "administrador que lo agregue."))
    return redirect("informes:page")
