"""Searching the trail: one filter form and one query, shared by the page and its CSV download."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from .models import Action, AuditEntry

# Actions whose entry names the account tried in ``target`` (no user signed in yet).
ATTEMPTS = (Action.SIGN_IN_FAILED, Action.LOCKED_OUT)


class TrailFilter(forms.Form):
    quien = forms.CharField(label=_("Usuario"), required=False, max_length=150)
    accion = forms.ChoiceField(label=_("Acción"), required=False, choices=[("", _("Todas"))] + list(Action.choices))
    desde = forms.DateField(label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    texto = forms.CharField(label=_("Texto"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        for name in ("desde", "hasta"):
            day = data.get(name)
            if day is not None and not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31)):
                self.add_error(name, _("Use una fecha entre 2000 y 2100."))
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            self.add_error("hasta", _("La fecha final es anterior a la inicial."))
        return data


def entries(filters: dict):
    """The entries matching the cleaned filters, newest first."""
    rows = AuditEntry.objects.all()
    if who := (filters.get("quien") or "").strip():
        rows = rows.filter(Q(username__iexact=who) | Q(action__in=ATTEMPTS, target__iexact=who))
    if action := filters.get("accion"):
        rows = rows.filter(action=action)
    if start := filters.get("desde"):
        rows = rows.filter(at__date__gte=start)
    if end := filters.get("hasta"):
        rows = rows.filter(at__date__lte=end)
    if text := (filters.get("texto") or "").strip():
        rows = rows.annotate(detail_text=Cast("detail", TextField())).filter(
            Q(target__icontains=text) | Q(username__icontains=text) | Q(address__icontains=text)
            | Q(detail_text__icontains=text))
    return rows.order_by("-at", "-id")
