"""Forms of the import pages: the upload, the column mapping and the labels still without a category."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .access import loadable_sources
from .uploads import SUFFIXES

UNMAPPED = ""


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Archivo"), help_text=_("CSV, XLSX, Parquet o GeoJSON, tal como lo envía la unidad."))
    source = forms.ModelChoiceField(label=_("Fuente"), queryset=None, empty_label=None, to_field_name="code")
    sheet = forms.CharField(label=_("Hoja (solo Excel)"), required=False, max_length=100,
                            help_text=_("Vacío: la primera hoja."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = loadable_sources(user)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        name = uploaded.name.lower()
        if not name.endswith(SUFFIXES):
            raise forms.ValidationError(
                _("El archivo debe ser CSV, TSV, TXT, XLSX, Parquet o GeoJSON (recibido: %(name)s)."),
                params={"name": uploaded.name})
        if uploaded.size == 0:
            raise forms.ValidationError(_("El archivo está vacío."))
        return uploaded


class MappingForm(forms.Form):
    """One choice per field of the source's target table: which column of this file holds it."""

    def __init__(self, *args, fields, columns, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_fields = fields
        choices = [(UNMAPPED, _("— sin asignar —"))] + [(c, c) for c in columns]
        for name, spec in fields.items():
            label = f"{spec.help} ({name})"
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False,
                                                  initial=current.get(name, UNMAPPED))
            self.fields[name].required_field = spec.required

    def clean(self):
        data = super().clean()
        for name, spec in self.target_fields.items():
            if spec.required and not data.get(name) and not (spec.unless and data.get(spec.unless)):
                self.add_error(name, _("Este campo es obligatorio: elija la columna que lo contiene."))
        if "lon" in self.target_fields and bool(data.get("lon")) != bool(data.get("lat")):
            self.add_error(None, _("Asigne las dos coordenadas (longitud y latitud) o ninguna."))
        return data

    def changes(self, current: dict) -> tuple[dict, list]:
        """``(set_columns, unset)`` that turn the mapping in force into the one chosen."""
        set_columns, unset = {}, []
        for name in self.target_fields:
            chosen = self.cleaned_data.get(name) or UNMAPPED
            if chosen == current.get(name, UNMAPPED):
                continue
            if chosen:
                set_columns[name] = chosen
            else:
                unset.append(name)
        return set_columns, unset


class LabelsForm(forms.Form):
    """A category for each label of the file that the source's crosswalk does not know yet."""

    def __init__(self, *args, labels, categories, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— dejar sin equivalencia —"))] + list(categories)
        self.labels = []
        for i, (label, count) in enumerate(labels):
            key = f"label_{i}"
            self.fields[key] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.fields[key].rows = count
            self.labels.append((key, label, count))

    def chosen(self) -> list[tuple[str, str]]:
        return [(label, self.cleaned_data[key]) for key, label, _count in self.labels if self.cleaned_data.get(key)]
