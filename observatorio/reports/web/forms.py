"""The form that asks for a report: kind, period (a month, or from/to in dd-mm-aaaa), format, language, public."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.periods import month_end
from observatorio.reports.kinds import registry
from observatorio.reports.runs import FORMATS

DATE_FORMATS = ["%d-%m-%Y"]


def kind_choices():
    return [(kind, _(module.TITLE)) for kind, module in sorted(registry().items())]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Informe"))
    month = forms.CharField(label=gettext_lazy("Mes (boletín)"), required=False,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "aaaa-mm"}),
                            help_text=gettext_lazy("Un mes completo; o bien, desde y hasta."))
    start = forms.DateField(label=gettext_lazy("Desde"), required=False, input_formats=DATE_FORMATS,
                            widget=forms.TextInput(attrs={"placeholder": "dd-mm-aaaa", "inputmode": "numeric"}))
    end = forms.DateField(label=gettext_lazy("Hasta"), required=False, input_formats=DATE_FORMATS,
                          widget=forms.TextInput(attrs={"placeholder": "dd-mm-aaaa", "inputmode": "numeric"}))
    fmt = forms.ChoiceField(label=gettext_lazy("Formato"), choices=[(f, f.upper()) for f in FORMATS], initial="pdf")
    language = forms.ChoiceField(label=gettext_lazy("Idioma"), initial="es",
                                 choices=[("es", gettext_lazy("español")), ("en", gettext_lazy("inglés"))])
    public = forms.BooleanField(label=gettext_lazy("Versión pública (conteos pequeños «reservado»)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()

    def clean_month(self):
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("«%(text)s» no es un mes; elija uno (aaaa-mm)") % {"text": text}) from None

    def clean(self):
        data = super().clean()
        month, start, end = data.get("month"), data.get("start"), data.get("end")
        if self.errors:
            return data
        if month and (start or end):
            raise forms.ValidationError(_("Elija un mes o bien desde y hasta, no ambos."))
        if month:
            data["start"], data["end"] = month, month_end(month.year, month.month)
        elif not (start and end):
            raise forms.ValidationError(_("Indique el período: un mes, o desde y hasta (dd-mm-aaaa)."))
        elif end < start:
            self.add_error("end", _("«Hasta» es anterior a «Desde»; corrija una de las fechas."))
        return data
