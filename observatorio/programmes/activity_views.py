"""Registering a programme's activities and beneficiaries on its page (issue #15, item 1): one activity by a
form, many by an uploaded CSV or XLSX, a list of beneficiaries by an uploaded file. Thin over
:mod:`observatorio.programmes.activities` (the one writer, which checks who may write)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.errors import UserError
from observatorio.programmes import activities
from observatorio.programmes.forms import error_text
from observatorio.programmes.models import Level, Objective, Programme
from observatorio.territory.models import Area

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SHOWN_ISSUES = 30


class ActivityForm(forms.Form):
    title = forms.CharField(label=_lazy("Actividad"), max_length=200)
    component = forms.ModelChoiceField(queryset=Objective.objects.none(), required=False,
                                       label=_lazy("Componente"), empty_label="—")
    date = forms.DateField(label=_lazy("Fecha"), input_formats=["%d-%m-%Y", "%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"placeholder": "dd-mm-aaaa", "inputmode": "numeric"}),
                           help_text=_lazy("dd-mm-aaaa"))
    hours = forms.DecimalField(label=_lazy("Horas"), required=False, min_value=0, max_digits=7, decimal_places=2,
                               localize=True)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label=_lazy("Área"),
                                  empty_label="—")
    lat = forms.FloatField(label=_lazy("Latitud"), required=False, localize=True,
                           help_text=_lazy("O un punto: latitud y longitud en grados decimales."))
    lon = forms.FloatField(label=_lazy("Longitud"), required=False, localize=True)
    participants = forms.IntegerField(label=_lazy("Participantes"), min_value=0, initial=0)
    notes = forms.CharField(label=_lazy("Observaciones"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = programme.objectives.filter(level=Level.COMPONENT)
        self.fields["area"].queryset = Area.objects.order_by("level", "name")
        self.fields["area"].label_from_instance = lambda a: f"{a.name} ({a.get_level_display()})"


def _back(programme, anchor="actividades"):
    return redirect(reverse("programmes:programme", args=[programme.code]) + f"#{anchor}")


def _programme(request, code):
    programme = get_object_or_404(Programme.objects.select_related("unit"), code=code)
    if not activities.can_record(request.user, programme):
        raise PermissionDenied
    return programme


@allow(*ALL_ROLES)
@require_POST
def activity_add(request, code):
    programme = _programme(request, code)
    form = ActivityForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return _back(programme)
    d = form.cleaned_data
    try:
        activity = activities.record_activity(
            programme, user=request.user, title=d["title"], date=d["date"], component=d["component"],
            hours=d["hours"], area=d["area"], lat=d["lat"], lon=d["lon"], participants=d["participants"] or 0,
            notes=d["notes"])
    except UserError as error:
        messages.error(request, error.translated(_))
    else:
        messages.success(request, _("Actividad «%(title)s» registrada.") % {"title": activity.title})
    return _back(programme)


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise UserError(_("Elija un archivo CSV o XLSX para subir."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise UserError(_("El archivo pesa más de 20 MB: divídalo en partes."))
    return upload.name, upload.read()


def _report(request, result) -> None:
    shown = [issue.translated(_) for issue in result.issues[:SHOWN_ISSUES]]
    more = len(result.issues) - len(shown)
    text = _("No se guardó nada: %(n)s problemas en el archivo. ") % {"n": len(result.issues)} + " · ".join(shown)
    if more > 0:
        text += " " + _("(y %(n)s más)") % {"n": more}
    messages.error(request, text)


def _import(request, code, importer, anchor: str, success):
    """One upload view: ``importer`` (an ``activities.import_*``) reads the file; problems listed, nothing
    saved; else ``success(result)`` is the message."""
    programme = _programme(request, code)
    try:
        name, data = _upload(request)
        result = importer(programme, data, filename=name, user=request.user)
    except UserError as error:
        messages.error(request, error.translated(_))
        return _back(programme, anchor)
    if not result.ok:
        _report(request, result)
    else:
        messages.success(request, success(result))
    return _back(programme, anchor)


@allow(*ALL_ROLES)
@require_POST
def activities_upload(request, code):
    return _import(request, code, activities.import_activities, "actividades", lambda result: _(
        "%(n)s actividades registradas desde %(file)s.") % {"n": result.written, "file": result.file})


@allow(*ALL_ROLES)
@require_POST
def beneficiaries_upload(request, code):
    return _import(request, code, activities.import_beneficiaries, "beneficiarios", lambda result: _(
        "%(new)s beneficiarios nuevos; %(already)s ya estaban contados en el programa.") % {
        "new": result.written, "already": result.already})
