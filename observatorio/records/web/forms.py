"""Forms of the import pages: the upload, the column mapping and the labels still without a category."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from observatorio.records.pipeline.fields import ATTRIBUTE_PREFIX
from observatorio.records.pipeline.names import name_key
from observatorio.tables.personal import is_protected

from .access import loadable_sources
from .uploads import SUFFIXES

UNMAPPED = ""
DETECT = ""
DATE_FORMATS = ((DETECT, _("Detectar (por las fechas que solo se leen de una forma; si ninguna, día-mes-año)")),
                ("dd-mm-aaaa", _("día-mes-año (dd-mm-aaaa)")), ("mm-dd-aaaa", _("mes-día-año (mm-dd-aaaa)")),
                ("aaaa-mm-dd", _("año-mes-día (aaaa-mm-dd)")))


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


def attribute_name(column: str) -> str:
    """The attribute a kept column is stored under: ``"Observación del operador"`` → ``observacion_del_operador``."""
    return name_key(column).replace(" ", "_")[:60] or "columna"


class MappingForm(forms.Form):
    """One choice per field of the source's target table: which column of this file holds it; the order of
    the dates (the mapping's ``date_format`` option), detected unless chosen; and which other columns are kept
    as the records' attributes. Columns of personal data (`tables.personal`) are never offered as attributes."""

    def __init__(self, *args, fields, columns, current, date_format=DETECT, reasons=None, attributes=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.target_fields = fields
        choices = [(UNMAPPED, _("— sin asignar —"))] + [(c, c) for c in columns]
        for name, spec in fields.items():
            label = f"{spec.help} ({name})"
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False,
                                                  initial=current.get(name, UNMAPPED),
                                                  help_text=(reasons or {}).get(name, ""))
            self.fields[name].required_field = spec.required
        self.kept = dict(attributes or {})  # attribute name → column, in force
        used = set(current.values())
        self.protected = [c for c in columns if is_protected(c) and c not in used]
        extra = [c for c in columns if c not in used and not is_protected(c)]
        if extra:
            self.fields["extra"] = forms.MultipleChoiceField(
                label=_("Otras columnas que se guardan como atributos"), choices=[(c, c) for c in extra],
                required=False, widget=forms.CheckboxSelectMultiple,
                initial=[c for c in self.kept.values() if c in extra],
                help_text=_("Marque las columnas que quiere conservar con cada registro (por ejemplo, el móvil o "
                            "el resultado). Las que no marque no se guardan."))
        formats = list(DATE_FORMATS)
        if date_format and date_format not in dict(formats):  # set from the command line, e.g. %m/%d/%Y
            formats.append((date_format, date_format))
        self.date_format = date_format or DETECT
        self.fields["date_format"] = forms.ChoiceField(
            label=_("Formato de fecha"), choices=formats, required=False, initial=self.date_format,
            help_text=_("Cómo leer fechas como 05-03-2024: «Detectar» sigue a las fechas que solo se leen de una "
                        "forma y rechaza una columna que mezcla ambos órdenes."))

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

    def attribute_changes(self) -> tuple[dict, list]:
        """``(set_columns, unset)`` for the kept columns: ``attr:NAME`` set for a newly ticked column, unset for
        one no longer ticked (a column chosen for a field is not kept twice)."""
        if "extra" not in self.fields:
            return {}, []
        ticked = set(self.cleaned_data.get("extra") or []) - {self.cleaned_data.get(n) for n in self.target_fields}
        name_of = {column: name for name, column in self.kept.items()}
        set_columns = {ATTRIBUTE_PREFIX + attribute_name(c): c for c in sorted(ticked) if c not in name_of}
        unset = [ATTRIBUTE_PREFIX + name for name, column in self.kept.items()
                 if column not in ticked and column in dict(self.fields["extra"].choices)]
        return set_columns, unset

    def option_changes(self) -> dict:
        """The mapping options to save: ``{"date_format": value}`` when it changed (None goes back to detecting)."""
        chosen = self.cleaned_data.get("date_format") or DETECT
        return {} if chosen == self.date_format else {"date_format": chosen or None}


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
