"""Which file column holds each field: the saved mapping of a source, its defaults, and their checks.

The mapping in force for a source is its latest `SourceMapping` (versioned:
a change adds a version) laid over the defaults of its kind (`sources.py`).
Default names are matched against the file's columns ignoring case, accents
and separators, and failing that also stop-words ("de", "del", "la") and word
order ("Tipo de llamado" is the usual "tipo llamado"); `Mapping.reasons` says
which way each field was found. A saved column must exist in the file (written
the same way or differently). A
missing required field, or a mapped column the file lacks, stops the import
with a message that names the columns the file does have and the command
that fixes it (MapIt's "It will be one of these: …").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from observatorio.errors import N_, Text, UserError, as_text
from observatorio.tables.parsing import date_format_order
from observatorio.tables.personal import is_protected, protected_kind

from .fields import ATTRIBUTE_PREFIX, fields_for
from .issues import ImportFailed
from .names import column_key, name_key

LIST_LIMIT = 40


@dataclass
class Mapping:
    """The mapping used for one file: field → column, attribute → column, options, version."""

    columns: dict[str, str]
    attributes: dict[str, str] = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    version: int | None = None  # the SourceMapping version, None when only defaults were used
    # field → (SAVED | SAME_NAME | TOLERANT, the saved or usual name that found the column); not stored
    reasons: dict = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict:
        return {"columns": dict(self.columns), "attributes": dict(self.attributes), "options": dict(self.options),
                "version": self.version}


def _listed(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:LIST_LIMIT])
    return shown + (f" and {len(columns) - LIST_LIMIT} more" if len(columns) > LIST_LIMIT else "")


# Why a column was chosen for a field (`Mapping.reasons`), shown on the mapping page.
SAVED, SAME_NAME, TOLERANT = "saved", "same_name", "tolerant"


class ColumnIndex:
    """A file's columns looked up by a name written another way: first ignoring case, accents and separators
    (`names.name_key`), then also stop-words and word order (`names.column_key`)."""

    def __init__(self, columns: list[str]):
        self.columns = list(columns)
        self.by_key: dict[str, str] = {}
        self.by_tolerant: dict[str, str] = {}
        for column in self.columns:
            self.by_key.setdefault(name_key(column), column)
            self.by_tolerant.setdefault(column_key(column), column)

    def find(self, name: str) -> str | None:
        """The column that is `name` written differently (case, accents, separators, "de", order), or None."""
        if name in self.columns:
            return name
        return self.by_key.get(name_key(name)) or self.by_tolerant.get(column_key(name))

    def find_default(self, candidates: list[str], taken=(), exact_may_repeat=True) -> tuple[str, str, str] | None:
        """``(column, how, candidate)`` for the first of a field's usual names the file has: every candidate by
        its plain key first, then by its tolerant key. A column already `taken` is not chosen tolerantly (nor by
        its plain key, unless `exact_may_repeat`)."""
        for candidate in candidates:
            if candidate in self.by_key and (exact_may_repeat or self.by_key[candidate] not in taken):
                return self.by_key[candidate], SAME_NAME, candidate
        for candidate in candidates:
            column = self.by_tolerant.get(column_key(candidate))
            if column is not None and column not in taken:
                return column, TOLERANT, candidate
        return None


def default_columns(index: ColumnIndex, config, saved_columns: dict, chosen: dict, reasons: dict) -> None:
    """Add to `chosen` (field → column) what the kind's usual names find, and to `reasons` why."""
    for name, candidates in config.columns.items():
        if name in chosen or saved_columns.get(name) == "":
            continue
        found = index.find_default(candidates, taken=set(chosen.values()))
        if found:
            chosen[name], how, candidate = found
            reasons[name] = (how, candidate)


def partial_mapping(columns: list[str], config, saved: dict | None) -> tuple[dict, dict]:
    """``(field → column, reasons)`` that the saved mapping and the usual names find in a file whose mapping is
    incomplete (`resolve_mapping` failed), so the person can complete it; never raises."""
    index = ColumnIndex(columns)
    saved_columns = (saved or {}).get("columns") or {}
    chosen, reasons = {}, {}
    for name, column in saved_columns.items():
        found = index.find(column) if column else None
        if found and not name.startswith(ATTRIBUTE_PREFIX):
            chosen[name], reasons[name] = found, (SAVED, column)
    default_columns(index, config, saved_columns, chosen, reasons)
    return chosen, reasons


def resolve_mapping(file: str, columns: list[str], source_code: str, config, saved: dict | None = None,
                    options: dict | None = None) -> Mapping:
    """The mapping for a file with `columns`; raises `ImportFailed` naming what is missing.

    `saved` is ``{"columns": {field: column}, "options": {...}, "version": n}``
    from `SourceMapping`; a saved value of ``""`` unmaps a default.
    """
    target_fields = fields_for(config.target)
    index = ColumnIndex(columns)
    saved = saved or {}
    saved_columns = dict(saved.get("columns") or {})
    chosen: dict[str, str] = {}
    attributes: dict[str, str] = {}
    reasons: dict[str, tuple[str, str]] = {}

    def hint(name):
        return Text(N_("asígnela con `observatorio mapping %(source)s --set %(name)s=COLUMNA`"), source=source_code,
                    name=name)

    for name, column in saved_columns.items():
        if column == "":
            continue
        # Saved mappings are exact; but accept the same name written differently.
        match = index.find(column)
        if match is None:
            raise ImportFailed(file, Text(N_("no hay una columna «%(column)s» en %(file)s (asignada a %(name)s); las "
                                             "columnas son: %(columns)s"), column=column, file=file, name=name,
                                          columns=_listed(columns)), hint(name), code="mapped_column_missing",
                               params={"column": column})
        if name.startswith(ATTRIBUTE_PREFIX):
            attributes[name[len(ATTRIBUTE_PREFIX):]] = match
        elif name in target_fields:
            chosen[name] = match
            reasons[name] = (SAVED, column)
        else:
            raise ImportFailed(file, Text(N_("la asignación guardada nombra un campo desconocido «%(name)s»; los "
                                             "campos son: %(fields)s"), name=name, fields=", ".join(target_fields)),
                               Text(N_("quítelo con `observatorio mapping %(source)s --unset %(name)s`"),
                                    source=source_code, name=name),
                               code="unknown_field")
    default_columns(index, config, saved_columns, chosen, reasons)
    for name, candidates in config.attributes.items():
        key = ATTRIBUTE_PREFIX + name
        if name in attributes or saved_columns.get(key) == "":
            continue
        used = set(chosen.values()) | set(attributes.values())
        found = index.find_default(candidates, taken=used, exact_may_repeat=False)
        if found:
            attributes[name] = found[0]

    if getattr(config, "rest_as_attributes", False):
        # Surveys carry many questions besides the ones the observatory types: keep every other
        # column as an attribute (not RUTs), unless the saved mapping unmaps it (attr:NAME = "").
        used = set(chosen.values()) | set(attributes.values())
        for column in columns:
            if column not in used and not is_protected(column) and \
                    saved_columns.get(ATTRIBUTE_PREFIX + column) != "" and column not in attributes:
                attributes[column] = column

    for name, spec in target_fields.items():
        if spec.required and name not in chosen and not (spec.unless and spec.unless in chosen):
            expected = config.columns.get(name, [])
            looked = (Text(N_(" (se buscó %(names)s)"), names=", ".join(repr(c) for c in expected[:6]))
                      if expected else "")
            raise ImportFailed(file, Text(N_("no hay columna para %(name)s (%(help)s) en %(file)s%(looked)s; las "
                                             "columnas son: %(columns)s"), name=name, help=Text(spec.help), file=file,
                                          looked=looked, columns=_listed(columns)),
                               hint(name), code="required_column_missing",
                               params={"field": spec.help})
    if ("lon" in chosen) != ("lat" in chosen):
        have, lack = ("lon", "lat") if "lon" in chosen else ("lat", "lon")
        raise ImportFailed(file, Text(N_("%(have)s está asignado (columna «%(column)s») pero %(lack)s no; las "
                                         "columnas son: %(columns)s"), have=have, column=chosen[have], lack=lack,
                                      columns=_listed(columns)), hint(lack), code="half_coordinates")
    for part, whole in (("window_start_time", "window_start_on"), ("window_end_on", "window_start_on"),
                        ("window_end_time", "window_start_on")):
        if part in chosen and whole not in chosen:
            raise ImportFailed(file, Text(N_("%(part)s está asignado (columna «%(column)s») pero %(whole)s no: un "
                                             "intervalo necesita su fecha de inicio; las columnas son: %(columns)s"),
                                          part=part, column=chosen[part], whole=whole, columns=_listed(columns)),
                               hint(whole), code="half_window")
    refuse_protected(file, source_code, target_fields, chosen, attributes)
    merged_options = {**config.options, **(saved.get("options") or {}), **(options or {})}
    try:
        date_format_order(merged_options.get("date_format"))
    except ValueError as exc:
        raise ImportFailed(file, as_text(exc),
                           Text(N_("fíjelo con `observatorio mapping %(source)s --option date_format=dd-mm-aaaa` "
                                   "(o mm-dd-aaaa, aaaa-mm-dd; vacío: detectar)"), source=source_code),
                           code="bad_date_format") from None
    return Mapping(chosen, attributes, merged_options, saved.get("version"), reasons)


def protected_problem(name: str, column: str, target_fields: dict) -> Text | None:
    """Why `column` may not be mapped to `name` (a field or ``attr:NAME``), or None when it may.

    Columns whose header says they hold personal data (`tables.personal`) are
    never stored raw: a RUT column goes only to a RUT field (kept as its keyed
    hash); names, documents, phones and e-mails go nowhere.
    """
    kind = protected_kind(column)
    if kind is None:
        return None
    spec = target_fields.get(name)
    if kind == "rut" and spec is not None and spec.type == "rut":
        return None
    if kind == "rut":
        return Text(N_("la columna «%(column)s» contiene RUT: no puede asignarse a %(name)s (se guardaría tal "
                       "cual); solo puede ir a victim_rut u offender_rut, donde se guarda solo su clave cifrada"),
                    column=column, name=name)
    return Text(N_("la columna «%(column)s» contiene datos personales (un nombre, un número de documento, un "
                   "teléfono o un correo): no puede asignarse a %(name)s (se guardaría tal cual) ni a ningún otro "
                   "campo"), column=column, name=name)


def refuse_protected(file: str, source_code: str, target_fields: dict, chosen: dict, attributes: dict) -> None:
    pairs = list(chosen.items()) + [(ATTRIBUTE_PREFIX + a, c) for a, c in attributes.items()]
    for name, column in pairs:
        problem = protected_problem(name, column, target_fields)
        if problem:
            raise ImportFailed(file, Text("%(file)s: %(problem)s", file=file, problem=problem),
                               Text(N_("quítela de la asignación con `observatorio mapping %(source)s --unset "
                                       "%(name)s`"), source=source_code, name=name),
                               code="protected_column", params={"column": column})


def save_mapping(source, *, set_columns: dict[str, str] | None = None, unset: list[str] | None = None,
                 options: dict | None = None, user=None):
    """Store a new version of `source`'s mapping with these changes; returns the `SourceMapping`.

    ``set_columns`` maps fields (or ``attr:NAME``) to file columns; ``unset``
    removes a field (a default too: it is stored as ``""``); ``options``
    merges reading options (``crs``, ``crosswalk_version``, ``date_format``), ``None`` values
    removing one.
    """
    from django.db import transaction

    from observatorio.records.models import SourceMapping
    from observatorio.records.sources import config_for

    target_fields = fields_for(config_for(source.kind).target)
    for name in list(set_columns or {}) + list(unset or []):
        if not (name in target_fields or name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX)):
            raise UserError(gettext("campo desconocido «%(name)s»; los campos son: %(fields)s, o attr:NOMBRE para un "
                                    "atributo") % {"name": name, "fields": ", ".join(target_fields)})
    for name, column in (set_columns or {}).items():
        problem = protected_problem(name, column, target_fields) if column else None
        if problem:
            raise UserError(problem)
    try:
        date_format_order((options or {}).get("date_format"))
    except ValueError as exc:
        raise UserError(as_text(exc)) from None
    with transaction.atomic():
        last = SourceMapping.objects.select_for_update().filter(source=source).order_by("-version").first()
        columns = dict(last.columns) if last else {}
        merged = dict(last.options) if last else {}
        columns.update(set_columns or {})
        for name in unset or []:
            columns[name] = ""
        for key, value in (options or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return SourceMapping.objects.create(source=source, version=(last.version + 1) if last else 1,
                                            columns=columns, options=merged,
                                            created_by=user if getattr(user, "pk", None) else None)
