"""The one writer of a programme's activities and beneficiaries (issue #15, item 1).

Who may write: a member or the head of the programme's unit, or an administrator (as
:func:`observatorio.programmes.entry.can_enter` for indicators); authorities never.

* :func:`record_activity` — one activity (what, component, when, hours, where: an area or a point, participants).
* :func:`import_activities` — many at once from a CSV (UTF-8 or Latin-1, «;» or «,») or XLSX read by the
  project's readers (:mod:`observatorio.tables.readers`), validated cell by cell: every problem names the file,
  row, column and fix, and nothing is written while one remains.
* :func:`import_beneficiaries` — a list with a RUT column (any spelling :mod:`observatorio.tables.personal`
  recognises), the date first served and an optional area. RUTs are checked (check digit) and stored only as the
  keyed HMAC (:mod:`observatorio.records.identifiers`, as victims' RUTs); a person already counted by the
  programme is not counted again. The uploaded bytes go through a temporary folder deleted before returning.

Every write leaves an entry in the audit trail (:func:`observatorio.audit.record.record`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from observatorio.errors import N_, Text, UserError

from .models import Activity, Beneficiary, Level

MAX_PARTICIPANTS = 1_000_000
MAX_HOURS = 10_000


def can_record(user, programme) -> bool:
    """A member or the head of the programme's unit, or an administrator; an authority never."""
    from observatorio.accounts.roles import Role, user_roles

    if user is None or not user.is_authenticated:
        return False
    roles = user_roles(user)
    if Role.ADMIN in roles:
        return True
    if Role.AUTHORITY in roles:
        return False
    unit = programme.unit
    return unit.head.filter(pk=user.pk).exists() or unit.members.filter(pk=user.pk).exists()


def _check_allowed(user, programme) -> None:
    if not can_record(user, programme):
        raise UserError(N_("Solo la unidad responsable de «%(programme)s» (o un administrador) registra sus "
                           "actividades y beneficiarios."), programme=programme.name)


# --- one activity -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one value and the fix (Spanish templates, translated where shown)."""

    column: str
    message: Text
    fix: Text


def _problems(programme, *, title, date, end_date, hours, participants, lon, lat, component) -> list[Problem]:
    out = []
    if not (title or "").strip():
        out.append(Problem("actividad", Text(N_("falta el nombre de la actividad")),
                           Text(N_("escriba qué se hizo, p. ej. «Taller de parentalidad»"))))
    elif len(title.strip()) > 200:
        out.append(Problem("actividad", Text(N_("el nombre tiene más de 200 caracteres")),
                           Text(N_("acórtelo; los detalles van en observaciones"))))
    if date is not None and programme.start and date < programme.start:
        out.append(Problem("fecha", Text(N_("la fecha %(date)s es anterior al inicio del programa (%(start)s)"),
                                         date=f"{date:%d-%m-%Y}", start=f"{programme.start:%d-%m-%Y}"),
                           Text(N_("corrija la fecha o el inicio del programa"))))
    if date is not None and end_date is not None and end_date < date:
        out.append(Problem("fecha de término", Text(N_("la fecha de término es anterior a la de inicio")),
                           Text(N_("corrija una de las dos fechas"))))
    if hours is not None and not (0 <= hours <= MAX_HOURS):
        out.append(Problem("horas", Text(N_("las horas deben estar entre 0 y %(max)s"), max=MAX_HOURS),
                           Text(N_("escriba las horas que duró la actividad"))))
    if participants is not None and not (0 <= participants <= MAX_PARTICIPANTS) or \
            participants is not None and not float(participants).is_integer():
        out.append(Problem("participantes", Text(N_("los participantes deben ser un número entero, 0 o más")),
                           Text(N_("escriba cuántas personas participaron"))))
    if (lon is None) != (lat is None):
        out.append(Problem("latitud" if lat is None else "longitud",
                           Text(N_("un punto necesita latitud y longitud")),
                           Text(N_("escriba las dos coordenadas, o ninguna y elija un área"))))
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        out.append(Problem("latitud", Text(N_("las coordenadas están fuera de rango")),
                           Text(N_("escriba grados decimales, p. ej. latitud -33,48 y longitud -70,55"))))
    if component is not None and (component.programme_id != programme.pk or component.level != Level.COMPONENT):
        out.append(Problem("componente", Text(N_("el componente no es de este programa")),
                           Text(N_("elija uno de los componentes del marco lógico del programa"))))
    return out


def record_activity(programme, *, user, title: str, date: dt.date, component=None, end_date=None, hours=None,
                    area=None, lon=None, lat=None, participants: int = 0, notes: str = "") -> Activity:
    """Write one activity of ``programme`` (the unit's members and head, administrators)."""
    _check_allowed(user, programme)
    problems = _problems(programme, title=title, date=date, end_date=end_date, hours=hours,
                         participants=participants, lon=lon, lat=lat, component=component)
    if problems:
        p = problems[0]
        # The column's word is a field's name (models.Activity), already in the catalogue.
        raise UserError(N_("%(column)s: %(message)s. Solución: %(fix)s"), column=Text(p.column),
                        message=p.message, fix=p.fix)
    with transaction.atomic():
        activity = Activity.objects.create(
            programme=programme, component=component, title=title.strip(), date=date, end_date=end_date,
            hours=None if hours is None else Decimal(str(round(float(hours), 2))), area=area, lon=lon, lat=lat,
            participants=int(participants or 0), notes=(notes or "").strip())
        _audit(user, programme, "actividad", {"activity": activity.pk, "title": activity.title,
                                              "date": date.isoformat()})
    return activity


def _audit(user, programme, what: str, detail: dict) -> None:
    from observatorio.audit.models import Action
    from observatorio.audit.record import record

    record(Action.ACTIVITY, user=user, target=f"{programme.code} · {what}", detail=detail)


# --- uploads ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem of an uploaded file: where (file, row, column), what is wrong and the fix."""

    file: str
    row: int | None
    column: str
    message: Text
    fix: Text

    def translated(self, gettext=None) -> str:
        if self.row is None:
            return Text(N_("%(file)s, columna «%(column)s»: %(message)s. Solución: %(fix)s"), file=self.file,
                        column=self.column, message=self.message, fix=self.fix).translated(gettext)
        return Text(N_("%(file)s, fila %(row)s, columna «%(column)s»: %(message)s. Solución: %(fix)s"),
                    file=self.file, row=self.row, column=self.column, message=self.message,
                    fix=self.fix).translated(gettext)

    def __str__(self) -> str:
        return self.translated()


@dataclass
class UploadResult:
    """What an upload read (or wrote): ``rows`` valid rows, ``issues`` the problems (nothing written if any)."""

    file: str
    rows: list = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    written: int = 0
    already: int = 0  # beneficiaries: people the programme had already counted

    @property
    def ok(self) -> bool:
        return not self.issues


def _fold(name) -> str:
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-./]+", " ", text).strip()


ACTIVITY_COLUMNS = {
    "title": ("actividad", "nombre", "titulo", "que", "descripcion"),
    "date": ("fecha", "fecha de inicio", "inicio", "dia"),
    "end_date": ("fecha de termino", "termino", "fecha termino", "hasta"),
    "component": ("componente",),
    "hours": ("horas", "duracion horas", "duracion"),
    "area": ("area", "codigo area", "uv", "unidad vecinal", "sector"),
    "lat": ("latitud", "lat"),
    "lon": ("longitud", "lon", "lng"),
    "participants": ("participantes", "asistentes", "personas"),
    "notes": ("observaciones", "notas", "comentarios"),
}
REQUIRED_ACTIVITY = ("title", "date")


def _read(data: bytes, filename: str):
    """The uploaded bytes as a RawTable, through a temporary folder removed before returning."""
    from observatorio.records.pipeline.run import upload_limits
    from observatorio.tables.readers import ReadError, read_table

    name = Path(filename or "archivo.csv").name
    with tempfile.TemporaryDirectory(prefix="obs-programa-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read_table(path, limits=upload_limits())  # the imports' size and row limits (OBS_UPLOAD_*)
        except ReadError as error:
            raise UserError(Text("%(text)s", text=error.translated())) from error


def _columns(table, wanted: dict, required, file: str) -> tuple[dict, list[Issue]]:
    folded = {_fold(c): c for c in table.columns}
    found = {}
    for key, aliases in wanted.items():
        for alias in aliases:
            if alias in folded:
                found[key] = folded[alias]
                break
    issues = [Issue(file, None, wanted[key][0], Text(N_("falta la columna")),
                    Text(N_("agregue una columna «%(name)s» en la primera fila"), name=wanted[key][0]))
              for key in required if key not in found]
    return found, issues


def _areas():
    from observatorio.territory.models import Area

    by = {}
    for area in Area.objects.all():
        by.setdefault(_fold(area.code), area)
        by.setdefault(_fold(area.name), area)
    return by


def _cell_date(value, file, row, column, issues, *, required: bool):
    from observatorio.tables.parsing import ParseError, parse_date

    if not (value or "").strip():
        if required:
            issues.append(Issue(file, row, column, Text(N_("falta la fecha")),
                                Text(N_("escriba la fecha como dd-mm-aaaa, p. ej. 31-01-2025"))))
        return None
    try:
        return parse_date(value)
    except ParseError:
        issues.append(Issue(file, row, column, Text(N_("«%(value)s» no es una fecha"), value=value[:40]),
                            Text(N_("escriba la fecha como dd-mm-aaaa, p. ej. 31-01-2025"))))
        return None


def _cell_number(value, file, row, column, issues):
    from observatorio.tables.parsing import ParseError, parse_number

    if not (value or "").strip():
        return None
    try:
        number = parse_number(value)
    except ParseError:
        issues.append(Issue(file, row, column, Text(N_("«%(value)s» no es un número"), value=value[:40]),
                            Text(N_("escriba solo cifras, con coma decimal, p. ej. 1,5"))))
        return None
    return number if math.isfinite(number) else None


def _cell_area(value, areas, file, row, column, issues):
    if not (value or "").strip():
        return None
    area = areas.get(_fold(value))
    if area is None:
        issues.append(Issue(file, row, column, Text(N_("el área «%(value)s» no existe"), value=value[:60]),
                            Text(N_("escriba el código o el nombre de un área del territorio, o deje la celda "
                                    "vacía"))))
    return area


def read_activities(programme, data: bytes, *, filename: str) -> UploadResult:
    """The activities of an uploaded file, validated cell by cell (nothing written)."""
    table = _read(data, filename)
    file = table.file
    result = UploadResult(file)
    cols, result.issues = _columns(table, ACTIVITY_COLUMNS, REQUIRED_ACTIVITY, file)
    if result.issues:
        return result
    areas = _areas()
    components = {}
    for o in programme.objectives.filter(level=Level.COMPONENT):
        components[_fold(o.statement)] = o
        components[str(o.position)] = o
    if len(table) == 0:
        result.issues.append(Issue(file, None, ACTIVITY_COLUMNS["title"][0], Text(N_("el archivo no tiene filas")),
                                   Text(N_("escriba una actividad por fila bajo los títulos"))))
    for row, values in table.records():
        def cell(key, values=values):
            return values.get(cols[key], "") if key in cols else ""

        issues: list[Issue] = []
        date = _cell_date(cell("date"), file, row, cols["date"], issues, required=True)
        end_date = _cell_date(cell("end_date"), file, row, cols.get("end_date", ""), issues, required=False)
        hours = _cell_number(cell("hours"), file, row, cols.get("hours", ""), issues)
        participants = _cell_number(cell("participants"), file, row, cols.get("participants", ""), issues)
        lat = _cell_number(cell("lat"), file, row, cols.get("lat", ""), issues)
        lon = _cell_number(cell("lon"), file, row, cols.get("lon", ""), issues)
        area = _cell_area(cell("area"), areas, file, row, cols.get("area", ""), issues)
        component = None
        if cell("component").strip():
            component = components.get(_fold(cell("component")))
            if component is None:
                issues.append(Issue(file, row, cols["component"], Text(N_("el componente «%(value)s» no es de "
                                                                          "este programa"),
                                                                       value=cell("component")[:60]),
                                    Text(N_("escriba el número o el enunciado de un componente del marco lógico"))))
        title = cell("title").strip()
        for p in _problems(programme, title=title, date=date, end_date=end_date, hours=hours,
                           participants=participants, lon=lon, lat=lat, component=None):
            key = {"actividad": "title", "fecha": "date", "fecha de término": "end_date", "horas": "hours",
                   "participantes": "participants", "latitud": "lat", "longitud": "lon"}.get(p.column)
            issues.append(Issue(file, row, cols.get(key, p.column), p.message, p.fix))
        if issues:
            result.issues.extend(issues)
            continue
        result.rows.append({"row": row, "title": title, "date": date, "end_date": end_date, "hours": hours,
                            "participants": int(participants or 0), "lat": lat, "lon": lon, "area": area,
                            "component": component, "notes": cell("notes").strip()})
    return result


def import_activities(programme, data: bytes, *, filename: str, user, commit: bool = True) -> UploadResult:
    """Read the file and, when every cell is right and ``commit``, write all its activities (or none)."""
    _check_allowed(user, programme)
    result = read_activities(programme, data, filename=filename)
    if not result.ok or not commit:
        return result
    with transaction.atomic():
        Activity.objects.bulk_create([
            Activity(programme=programme, component=r["component"], title=r["title"], date=r["date"],
                     end_date=r["end_date"], area=r["area"], lon=r["lon"], lat=r["lat"],
                     hours=None if r["hours"] is None else Decimal(str(round(r["hours"], 2))),
                     participants=r["participants"], notes=r["notes"]) for r in result.rows])
        result.written = len(result.rows)
        _audit(user, programme, "actividades", {"file": result.file, "rows": result.written})
    return result


# --- beneficiaries ------------------------------------------------------------------------------------------------


BENEFICIARY_COLUMNS = {
    "date": ("fecha", "primera atencion", "fecha de ingreso", "fecha primera atencion", "ingreso", "fecha atencion"),
    "area": ACTIVITY_COLUMNS["area"],
}


def read_beneficiaries(programme, data: bytes, *, filename: str, key: bytes) -> UploadResult:
    """The beneficiaries of an uploaded file as ``{row, person_key, first_served, area}`` (the RUT hashed at
    once, never kept), validated cell by cell; several rows of one person keep the earliest date."""
    from observatorio.tables.parsing import ParseError
    from observatorio.tables.personal import is_rut_column
    from observatorio.tables.rut import rut_key

    table = _read(data, filename)
    file = table.file
    result = UploadResult(file)
    cols, result.issues = _columns(table, BENEFICIARY_COLUMNS, ("date",), file)
    ruts = [c for c in table.columns if is_rut_column(c)]
    if not ruts:
        result.issues.append(Issue(file, None, "RUT", Text(N_("falta la columna del RUT")),
                                   Text(N_("agregue una columna «RUT» con el RUT de cada persona"))))
    if result.issues:
        return result
    rut_col = ruts[0]
    areas = _areas()
    people: dict[str, dict] = {}
    for row, values in table.records():
        issues: list[Issue] = []
        raw = (values.get(rut_col) or "").strip()
        person = None
        if not raw:
            issues.append(Issue(file, row, rut_col, Text(N_("falta el RUT")),
                                Text(N_("escriba el RUT con su dígito verificador, p. ej. 11.111.111-1"))))
        else:
            try:
                person = rut_key(raw, key)
            except ParseError:
                issues.append(Issue(file, row, rut_col, Text(N_("el RUT no es válido (dígito verificador o "
                                                                "formato)")),
                                    Text(N_("revise los dígitos del RUT; el dígito después del guion se calcula "
                                            "de los otros"))))
        date = _cell_date(values.get(cols["date"], ""), file, row, cols["date"], issues, required=True)
        area = _cell_area(values.get(cols["area"], "") if "area" in cols else "", areas, file, row,
                          cols.get("area", ""), issues)
        if issues:
            result.issues.extend(issues)
            continue
        known = people.get(person)
        if known is None or date < known["first_served"]:
            people[person] = {"row": row, "person_key": person, "first_served": date,
                              "area": area if known is None or area is not None else known["area"]}
    result.rows = list(people.values())
    return result


def import_beneficiaries(programme, data: bytes, *, filename: str, user, commit: bool = True) -> UploadResult:
    """Read the file and, when every cell is right and ``commit``, count its new beneficiaries: ``written``
    new people, ``already`` people the programme had counted before (their first date kept, or moved earlier)."""
    from observatorio.records.identifiers import settings_key

    _check_allowed(user, programme)
    result = read_beneficiaries(programme, data, filename=filename, key=settings_key())
    if not result.ok or not commit:
        if result.ok:
            known = set(programme.beneficiaries.filter(person_key__in=[r["person_key"] for r in result.rows])
                        .values_list("person_key", flat=True))
            result.already = len(known)
            result.written = 0
        return result
    with transaction.atomic():
        keys = [r["person_key"] for r in result.rows]
        existing = {b.person_key: b for b in
                    Beneficiary.objects.select_for_update().filter(programme=programme, person_key__in=keys)}
        new, earlier = [], []
        for r in result.rows:
            old = existing.get(r["person_key"])
            if old is None:
                new.append(Beneficiary(programme=programme, person_key=r["person_key"],
                                       first_served=r["first_served"], area=r["area"]))
            elif r["first_served"] < old.first_served:
                old.first_served = r["first_served"]
                earlier.append(old)
        Beneficiary.objects.bulk_create(new)
        if earlier:
            Beneficiary.objects.bulk_update(earlier, ["first_served"])
        result.written, result.already = len(new), len(existing)
        _audit(user, programme, "beneficiarios", {"file": result.file, "new": result.written,
                                                  "already": result.already})
    return result
