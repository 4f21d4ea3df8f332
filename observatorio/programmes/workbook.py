"""The measurements workbook: a template the app makes, filled by the unit, read back cell by cell.

``template(indicators, year)`` writes one row per *entered* indicator × period of the year × area (the comuna,
and every area the indicator has a target or a measurement for), the cells the app fills locked (sheet
protection without a password: it prevents slips, not intent), the two value cells and the note open, with data
validation (numbers; counts not negative) where openpyxl allows; a sheet «Instrucciones» explains it in Spanish.
Every text cell goes through :func:`observatorio.tables.cells.safe_cell`.

``read(data, filename=..., user=...)`` checks every row and writes nothing: each problem names the sheet and
the cell («Hoja «Mediciones», celda E7»), what is wrong and the fix. ``commit(result, user=...)`` writes the rows
through :func:`observatorio.programmes.entry.enter` (origin *importada*) in one transaction, only when there is
no problem at all.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from observatorio.errors import N_, Text, UserError

SHEET = "Mediciones"
HELP_SHEET = "Instrucciones"
HEADERS = ("Código del indicador", "Indicador", "Área", "Período", "Numerador", "Denominador", "Observación",
           "Estado", "Qué es el numerador", "Qué es el denominador", "Unidad de medida")
CODE, NAME, AREA, PERIOD, NUM, DEN, NOTE, STATE, NUM_LABEL, DEN_LABEL, UNIT = range(1, 12)
HEADER_ROW, FIRST_ROW = 3, 4
COMUNA = "Comuna"
LETTERS = "ABCDEFGHIJK"
INSTRUCTIONS = (
    "Planilla de mediciones de indicadores del Observatorio.",
    "1. Complete solo las columnas «Numerador», «Denominador» (cuando la celda está abierta) y «Observación» de la "
    "hoja «Mediciones». Las demás celdas las llena la aplicación y están protegidas.",
    "2. Escriba números: 12 o 12,5 (coma decimal). Los conteos no pueden ser negativos y, en una proporción, el "
    "numerador no puede superar al denominador.",
    "3. Deje en blanco las filas que aún no tiene: no se importan.",
    "4. Las mediciones aprobadas o cerradas no se pueden cambiar; pida a un administrador que las reabra.",
    "5. No agregue filas ni cambie los códigos, las áreas o los períodos: se importan tal como la aplicación los "
    "escribió.",
    "6. Importe la planilla en la página del indicador o con «observatorio indicators import ARCHIVO» (primero una "
    "prueba; nada se escribe si hay un error).",
)


@dataclass(frozen=True)
class Issue:
    """One problem of the workbook: where (sheet and cell), what is wrong and the fix, each a Spanish
    :class:`~observatorio.errors.Text` the reader's language translates (:meth:`translated`)."""

    sheet: str
    cell: str
    message: Text
    fix: Text

    def translated(self, gettext=None) -> str:
        return Text(N_("Hoja «%(sheet)s», celda %(cell)s: %(message)s. %(fix)s"), sheet=self.sheet, cell=self.cell,
                    message=self.message, fix=self.fix).translated(gettext)

    def __str__(self) -> str:
        return self.translated()


@dataclass(frozen=True)
class Row:
    sheet_row: int
    indicator: object
    period: object
    area: object
    numerator: float | None
    denominator: float | None
    note: str


@dataclass
class ImportResult:
    filename: str
    year: int | None
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues

    def as_dict(self) -> dict:
        return {"file": self.filename, "year": self.year, "rows": len(self.rows), "skipped": self.skipped,
                "issues": [{"sheet": i.sheet, "cell": i.cell, "message": str(i.message), "fix": str(i.fix)}
                           for i in self.issues]}


def _entered(indicator) -> bool:
    return "ingresado" in (indicator.numerator, indicator.denominator)


def _areas_of(indicator, year: int) -> list:
    from observatorio.territory.models import Area

    from .models import Measurement, Target

    ids = set()
    for model in (Target, Measurement):
        ids |= set(model.objects.filter(indicator=indicator, period_start__year=year, area__isnull=False)
                   .values_list("area_id", flat=True))
    return [None, *Area.objects.filter(id__in=ids).order_by("code")]


def template(indicators, year: int) -> bytes:
    """The XLSX to fill: one row per entered indicator × period × area, locked where the app fills."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    from observatorio.tables.cells import safe_cell

    from .models import Approval, Measurement
    from .periods import periods_of

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"], ws["B1"] = "Año", int(year)
    ws["A1"].font = Font(bold=True)
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, col, header)
        cell.font = Font(bold=True)
    any_number = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                                allow_blank=True, showErrorMessage=True, error="Escriba un número, p. ej. 12,5",
                                errorTitle="No es un número")
    count = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, error="Un conteo es un número mayor o igual que 0",
                           errorTitle="Conteo no válido")
    ws.add_data_validation(any_number)
    ws.add_data_validation(count)
    open_fill = PatternFill("solid", fgColor="FFF7D6")
    r = FIRST_ROW
    for ind in indicators:
        if not _entered(ind):
            continue
        stored = {(m.period_start, m.area_id): m for m in Measurement.objects.filter(
            indicator=ind, period_start__year=year)}
        for area in _areas_of(ind, year):
            for period in periods_of(ind.periodicity, year):
                m = stored.get((period.start, getattr(area, "pk", None)))
                locked = m is not None and m.approval != Approval.ENTERED
                values = {CODE: ind.code, NAME: ind.name, AREA: COMUNA if area is None else area.code,
                          PERIOD: period.label(), STATE: m.get_approval_display() if m else "Sin medición",
                          NUM_LABEL: ind.numerator_label or str(ind.get_numerator_display()),
                          DEN_LABEL: (ind.denominator_label or str(ind.get_denominator_display()))
                          if ind.denominator else "", UNIT: ind.unit_label,
                          NUM: m.numerator if m else None, DEN: m.denominator if m else None,
                          NOTE: m.note if m else ""}
                for col, value in values.items():
                    cell = ws.cell(r, col, safe_cell(value) if isinstance(value, str) else value)
                    cell.protection = Protection(locked=True)
                for col, side in ((NUM, ind.numerator), (DEN, ind.denominator)):
                    if side == "ingresado" and not locked:
                        cell = ws.cell(r, col)
                        cell.protection = Protection(locked=False)
                        cell.fill = open_fill
                        (count if ind.kind in ("rate", "proportion") else any_number).add(cell.coordinate)
                if not locked:
                    ws.cell(r, NOTE).protection = Protection(locked=False)
                r += 1
    ws.cell(HEADER_ROW, NUM).comment = Comment("Solo las celdas amarillas se completan.", "Observatorio")
    for col, width in zip(range(1, 12), (26, 40, 14, 12, 14, 14, 30, 14, 36, 36, 14)):
        ws.column_dimensions[LETTERS[col - 1]].width = width
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may change
    help_ws = wb.create_sheet(HELP_SHEET)
    for i, line in enumerate(INSTRUCTIONS, start=1):
        help_ws.cell(i, 1, safe_cell(line))
    help_ws.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(raw) -> tuple[float | None, bool]:
    """(value, ok): a number cell, or text written the Chilean way; blank is (None, True)."""
    from observatorio.tables.parsing import parse_number

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, True
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, int | float):
        return float(raw), True
    try:
        return parse_number(str(raw)), True
    except ValueError:
        return None, False


def read(data: bytes, *, filename: str, user) -> ImportResult:
    """Every row checked; nothing written. Blank rows (no numerator, no denominator) are skipped."""
    from openpyxl import load_workbook

    from observatorio.territory.models import Area

    from . import entry
    from .models import Approval, Indicator, Measurement
    from .periods import parse

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise UserError(N_("%(file)s no es una planilla XLSX (%(reason)s): descargue la plantilla con "
                           "«observatorio indicators template» y complétela"), file=filename,
                        reason=type(exc).__name__) from None
    result = ImportResult(filename, None)

    def issue(cell: str, message: Text, fix: Text) -> None:
        result.issues.append(Issue(SHEET, cell, message, fix))

    if SHEET not in wb.sheetnames:
        result.issues.append(Issue(SHEET, "A1", Text(N_("la planilla no tiene la hoja «%(sheet)s» (tiene: %(sheets)s)"),
                                                     sheet=SHEET, sheets=", ".join(wb.sheetnames)),
                                   Text(N_("use la plantilla que produce la aplicación"))))
        return result
    rows = list(wb[SHEET].iter_rows(values_only=True))
    year = rows[0][1] if rows and len(rows[0]) > 1 else None
    if not isinstance(year, int):
        issue("B1", Text(N_("el año es %(value)s"), value=repr(year)),
              Text(N_("escriba el año de la plantilla, p. ej. 2025")))
        return result
    result.year = year
    header = tuple(rows[HEADER_ROW - 1][:len(HEADERS)]) if len(rows) >= HEADER_ROW else ()
    if header != HEADERS:
        issue(f"A{HEADER_ROW}", Text(N_("los encabezados no son los de la plantilla")),
              Text(N_("no cambie la fila %(row)s: %(headers)s"), row=HEADER_ROW, headers=", ".join(HEADERS)))
        return result
    indicators = {i.code: i for i in Indicator.objects.select_related("unit")}
    areas = {a.code.casefold(): a for a in Area.objects.all()}
    seen: dict[tuple, int] = {}
    for r, values in enumerate(rows[FIRST_ROW - 1:], start=FIRST_ROW):
        values = tuple(values) + (None,) * (len(HEADERS) - len(values))
        raw_num, raw_den = values[NUM - 1], values[DEN - 1]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (raw_num, raw_den)):
            if any(v not in (None, "") for v in values):
                result.skipped += 1
            continue
        before = len(result.issues)
        code = str(values[CODE - 1] or "").strip().lstrip("'")
        ind = indicators.get(code)
        if ind is None:
            issue(f"A{r}", Text(N_("el indicador %(code)s no existe"), code=repr(code)),
                  Text(N_("no cambie los códigos de la plantilla; descargue una nueva si el indicador cambió")))
            continue
        if not _entered(ind):
            issue(f"A{r}", Text(N_("«%(indicator)s» se calcula con los datos del observatorio"), indicator=ind.name),
                  Text(N_("borre la fila")))
            continue
        if not entry.can_enter(user, ind):
            issue(f"A{r}", Text(N_("%(user)s no puede ingresar mediciones de «%(indicator)s»"),
                                user=getattr(user, "username", "—"), indicator=ind.name),
                  Text(N_("solo los integrantes de la unidad %(unit)s y los administradores las ingresan"),
                       unit=ind.unit.name))
            continue
        area_text = str(values[AREA - 1] or "").strip()
        area = None
        if area_text and area_text.casefold() != COMUNA.casefold():
            area = areas.get(area_text.casefold())
            if area is None:
                issue(f"C{r}", Text(N_("el área %(code)s no existe"), code=repr(area_text)),
                      Text(N_("escriba «%(comuna)s» o el código de un área"), comuna=COMUNA))
        try:
            period = parse(str(values[PERIOD - 1] or ""), ind.periodicity)
        except UserError:
            issue(f"D{r}", Text(N_("el período %(value)s no es un período de «%(indicator)s»"),
                                value=repr(values[PERIOD - 1]), indicator=ind.name),
                  Text(N_("no cambie los períodos de la plantilla (p. ej. «ene 2025», «T1 2025»)")))
            continue
        if period.start.year != year:
            issue(f"D{r}", Text(N_("el período %(period)s no es del año %(year)s de la planilla"),
                                period=period.label(), year=year),
                  Text(N_("use una plantilla de %(year)s o corrija el período"), year=period.start.year))
        parsed = {}
        for col, raw, side in ((NUM, raw_num, ind.numerator), (DEN, raw_den, ind.denominator)):
            letter = LETTERS[col - 1]
            word = Text(N_("numerador") if col == NUM else N_("denominador"))
            value, ok = _number(raw)
            if not ok:
                issue(f"{letter}{r}", Text(N_("%(value)s no es un número"), value=repr(raw)),
                      Text(N_("escriba una cifra como 12 o 12,5")))
            elif value is not None and side != "ingresado":
                issue(f"{letter}{r}", Text(N_("el %(side)s de «%(indicator)s» lo calcula la aplicación"), side=word,
                                           indicator=ind.name), Text(N_("deje la celda vacía")))
            elif value is not None and ind.kind in ("rate", "proportion") and value < 0:
                issue(f"{letter}{r}", Text(N_("el %(side)s es %(value)s: un conteo no puede ser negativo"), side=word,
                                           value=f"{value:g}"), Text(N_("escriba 0 o un número positivo")))
            parsed[col] = value
        num, den = parsed[NUM], parsed[DEN]
        if ind.kind == "proportion" and num is not None and den is not None and num > den and \
                len(result.issues) == before:
            issue(f"E{r}", Text(N_("el numerador (%(num)s) es mayor que el denominador (%(den)s)"), num=f"{num:g}",
                                den=f"{den:g}"),
                  Text(N_("en una proporción los casos que cumplen no pueden ser más que el total: revise ambos")))
        key = (ind.code, period, getattr(area, "pk", None))
        if key in seen:
            issue(f"D{r}", Text(N_("la fila repite el indicador, el área y el período de la fila %(row)s"),
                                row=seen[key]), Text(N_("deje una sola fila por indicador, área y período")))
        seen[key] = r
        stored = Measurement.objects.filter(indicator=ind, period_start=period.start, period_end=period.end,
                                            area=area).first()
        if stored is not None and stored.approval != Approval.ENTERED:
            issue(f"E{r}", Text(N_("la medición de %(period)s está %(state)s"), period=period.label(),
                                state=stored.get_approval_display().lower()),
                  Text(N_("no se puede cambiar; pida a un administrador que la reabra o vacíe la fila")))
        if len(result.issues) == before:
            result.rows.append(Row(r, ind, period, area, num, den, str(values[NOTE - 1] or "").strip()))
    return result


def commit(result: ImportResult, *, user) -> int:
    """Write the rows (all or nothing); refuses a result with problems. Returns the rows written."""
    from django.db import transaction

    from . import entry
    from .models import Origin

    if result.issues:
        raise UserError(N_("%(file)s tiene %(n)s problemas: corríjalos y vuelva a importar; no se escribió nada"),
                        file=result.filename, n=len(result.issues))
    with transaction.atomic():
        for row in result.rows:
            entry.enter(row.indicator, row.period, row.area, row.numerator, row.denominator, user=user,
                        note=row.note, origin=Origin.IMPORTED)
    return len(result.rows)


def filename_for(year: int, unit_code: str | None = None) -> str:
    return f"mediciones-{unit_code + '-' if unit_code else ''}{year}-{dt.date.today():%Y%m%d}.xlsx"
