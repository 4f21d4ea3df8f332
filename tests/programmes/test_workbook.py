"""The measurements workbook: template → fill with openpyxl → import, errors per cell, dry run writes nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from observatorio.errors import UserError
from observatorio.programmes import entry, workbook
from observatorio.programmes.models import Measurement, MeasurementRevision

from .conftest import make_indicator


@pytest.fixture
def setup(people):
    unit = people["unit"]
    share = make_indicator(unit, code="share", name="Respondidas en plazo", numerator="ingresado",
                           denominator="ingresado", kind="proportion", factor=100, periodicity="trimestral")
    spent = make_indicator(unit, code="spent", name="Gasto", periodicity="semestral", polarity="lower_is_better")
    computed = make_indicator(unit, code="computed", numerator="actividades")
    return people, share, spent, computed


def rows_of(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data))[workbook.SHEET]
    return {(ws.cell(r, 1).value, ws.cell(r, 4).value): r for r in range(workbook.FIRST_ROW, ws.max_row + 1)}


def fill(data: bytes, values: dict) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb[workbook.SHEET]
    for ref, value in values.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_has_one_row_per_entered_indicator_and_period_and_locks_what_the_app_fills(setup):
    people, share, spent, computed = setup
    data = workbook.template([share, spent, computed], 2025)
    rows = rows_of(data)
    assert sorted(rows) == sorted([("share", f"T{q} 2025") for q in range(1, 5)] + [("spent", "S1 2025"),
                                                                                    ("spent", "S2 2025")])
    ws = load_workbook(io.BytesIO(data))[workbook.SHEET]
    r = rows[("spent", "S1 2025")]
    assert ws.protection.sheet
    assert ws.cell(r, workbook.NUM).protection.locked is False and ws.cell(r, workbook.DEN).protection.locked
    assert ws.cell(r, workbook.CODE).protection.locked and ws.cell(r, workbook.PERIOD).protection.locked
    assert any("E" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    assert workbook.HELP_SHEET in load_workbook(io.BytesIO(data)).sheetnames


def test_round_trip_dry_run_then_commit(setup):
    people, share, spent, _computed = setup
    data = workbook.template([share, spent], 2025)
    rows = rows_of(data)
    r1, r2 = rows[("share", "T1 2025")], rows[("spent", "S2 2025")]
    filled = fill(data, {f"E{r1}": 40, f"F{r1}": 50, f"G{r1}": "revisado", f"E{r2}": "1.234,5"})
    result = workbook.read(filled, filename="m.xlsx", user=people["mario"])
    assert result.ok and len(result.rows) == 2
    assert not Measurement.objects.exists(), "a dry run writes nothing"
    assert workbook.commit(result, user=people["mario"]) == 2
    m = Measurement.objects.get(indicator=share)
    assert (m.numerator, m.denominator, m.note, m.origin, m.entered_by) == (40, 50, "revisado", "importada",
                                                                            people["mario"])
    assert Measurement.objects.get(indicator=spent).numerator == 1234.5
    again = workbook.template([share], 2025)
    ws = load_workbook(io.BytesIO(again))[workbook.SHEET]
    assert ws.cell(rows_of(again)[("share", "T1 2025")], workbook.NUM).value == 40


def test_every_error_names_sheet_cell_and_fix_and_nothing_is_written(setup):
    people, share, spent, computed = setup
    m = entry.enter(share, share_period(share), None, 1, 2, user=people["mario"])  # T4, then locked
    entry.lock(entry.approve(m, user=people["hilda"]), user=people["hilda"])
    data = workbook.template([share, spent], 2025)
    rows = rows_of(data)
    t1, t2, t3, t4 = (rows[("share", f"T{q} 2025")] for q in range(1, 5))
    s1, s2 = rows[("spent", "S1 2025")], rows[("spent", "S2 2025")]
    filled = fill(data, {
        f"E{t1}": "muchos", f"F{t1}": 10,       # text in a number cell
        f"E{t2}": -3, f"F{t2}": 10,             # negative count
        f"E{t3}": 12, f"F{t3}": 10,             # numerator > denominator in a proportion
        f"E{t4}": 5, f"F{t4}": 6,               # a locked measurement
        f"A{s1}": "no-existe", f"E{s1}": 3,     # unknown indicator code
        f"D{s2}": "S1 2024", f"E{s2}": 4,       # a period outside the year
    })
    before = MeasurementRevision.objects.count()
    result = workbook.read(filled, filename="m.xlsx", user=people["mario"])
    cells = {i.cell: str(i) for i in result.issues}
    assert cells.keys() == {f"E{t1}", f"E{t2}", f"E{t3}", f"E{t4}", f"A{s1}", f"D{s2}"}
    assert cells[f"E{t1}"].startswith(f"Hoja «Mediciones», celda E{t1}: 'muchos' no es un número.")
    assert "negativo" in cells[f"E{t2}"] and "mayor que el denominador" in cells[f"E{t3}"]
    assert "cerrada" in cells[f"E{t4}"] and "no existe" in cells[f"A{s1}"] and "no es del año 2025" in cells[f"D{s2}"]
    from django.utils import translation

    with translation.override("en"):
        english = next(i for i in result.issues if i.cell == f"E{t1}").translated(translation.gettext)
    assert english == f"Sheet «Mediciones», cell E{t1}: 'muchos' is not a number. write a figure such as 12 or 12.5"
    with pytest.raises(UserError, match="no se escribió nada"):
        workbook.commit(result, user=people["mario"])
    assert MeasurementRevision.objects.count() == before


def share_period(share):
    from observatorio.programmes.periods import parse

    return parse("T4 2025", share.periodicity)


def test_who_may_import_and_what_is_not_a_workbook(setup):
    people, share, _spent, _computed = setup
    data = workbook.template([share], 2025)
    r = rows_of(data)[("share", "T1 2025")]
    filled = fill(data, {f"E{r}": 1, f"F{r}": 2})
    for who in ("ana", "otto", "bob"):
        result = workbook.read(filled, filename="m.xlsx", user=people[who])
        assert [i.cell for i in result.issues] == [f"A{r}"] and "no puede ingresar" in str(result.issues[0].message)
    assert workbook.read(filled, filename="m.xlsx", user=people["alice"]).ok
    with pytest.raises(UserError, match="no es una planilla XLSX"):
        workbook.read(b"not a workbook", filename="x.xlsx", user=people["alice"])
