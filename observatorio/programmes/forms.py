"""The web form of a measurement (a period's numerator and denominator), saved through programmes.entry."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatorio.programmes.models import Term
from observatorio.territory.models import Area


def error_text(form: forms.Form) -> str:
    """A form's errors on one line for a message: «Campo: error; Otro campo: error»."""
    return "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                     for f, e in form.errors.items())


def period_choices(indicator, today: dt.date | None = None) -> list[tuple[str, str]]:
    """The periods a unit may enter: this year's and last year's, up to the current one, newest first."""
    from observatorio.dashboard.numbers import spanish
    from observatorio.programmes.periods import periods_of

    today = today or timezone.localdate()
    lang = "es" if spanish() else "en"
    out = [p for year in (today.year - 1, today.year) for p in periods_of(indicator.periodicity, year)
           if p.start <= today]
    return [(f"{p.start.isoformat()}_{p.end.isoformat()}", p.label(lang)) for p in reversed(out)]


class MeasurementForm(forms.Form):
    period = forms.ChoiceField(label=_("Período"))
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label=_("Área"),
                                  empty_label=_("Comuna"))
    numerator = forms.FloatField(label=_("Numerador"), required=False)
    denominator = forms.FloatField(label=_("Denominador"), required=False)
    note = forms.CharField(label=_("Observación"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].choices = period_choices(indicator)
        areas = indicator.programme.target_areas.all() if indicator.programme_id else Area.objects.none()
        self.fields["area"].queryset = areas.order_by("level", "name")
        if indicator.numerator_label:
            self.fields["numerator"].help_text = indicator.numerator_label
        if indicator.denominator_label:
            self.fields["denominator"].help_text = indicator.denominator_label
        if indicator.numerator != Term.ENTERED:
            del self.fields["numerator"]
        if indicator.denominator != Term.ENTERED:
            del self.fields["denominator"]

    def clean_period(self):
        from observatorio.programmes.periods import Period

        start, end = self.cleaned_data["period"].split("_")
        return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))

    def clean(self):
        data = super().clean()
        data.setdefault("numerator", None)
        data.setdefault("denominator", None)
        return data
