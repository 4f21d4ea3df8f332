"""The three download formats of tables.cells: standard CSV, "Excel Chile" CSV and XLSX, read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
from openpyxl import load_workbook

from observatorio.tables.cells import csv_text, excel_chile_value, standard_value, xlsx_bytes

HEADERS = ["nombre", "cantidad", "tasa", "desde", "incompleto"]
ROWS = [["Robo", 12, 3.25, dt.date(2026, 1, 31), False],
        ["=HYPERLINK(\"http://x\")", np.int64(-3), np.float64(0.5), dt.date(2025, 12, 1), np.bool_(True)],
        ["reservado", "reservado", None, dt.date(2025, 11, 1), True]]


def test_standard_csv_is_for_programs():
    text = csv_text(HEADERS, ROWS)
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADERS
    assert rows[1] == ["Robo", "12", "3.25", "2026-01-31", "false"]
    assert rows[2] == ["'=HYPERLINK(\"http://x\")", "-3", "0.5", "2025-12-01", "true"]
    assert rows[3][:3] == ["reservado", "reservado", ""]


def test_excel_chile_csv_reads_as_a_chilean_spreadsheet_reads_it():
    about = [("Medida", "Casos policiales"), ("Período desde", dt.date(2026, 1, 1)), ("k", 5)]
    text = csv_text(HEADERS, ROWS, excel_chile=True, about=about)
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1] == ["Robo", "12", "3,25", "31-01-2026", "no"]
    assert rows[2] == ["'=HYPERLINK(\"http://x\")", "-3", "0,5", "01-12-2025", "sí"]
    assert rows[3][:2] == ["reservado", "reservado"]
    blank = rows.index([])
    assert blank == 4 and rows[5:] == [["Medida", "Casos policiales"], ["Período desde", "01-01-2026"], ["k", "5"]]
    # read back as numbers the Chilean way
    assert float(rows[1][2].replace(",", ".")) == 3.25


def test_excel_chile_values():
    assert excel_chile_value(1234.5) == "1234,5"  # no thousands mark
    assert excel_chile_value(1e-7) == "0,0000001"
    assert excel_chile_value(float("nan")) is None
    assert excel_chile_value(dt.datetime(2026, 2, 3, 4, 5)) == "03-02-2026 04:05"
    assert standard_value(dt.datetime(2026, 2, 3, 4, 5)) == "2026-02-03T04:05:00"
    assert excel_chile_value("-3,5") == "-3,5"


def test_xlsx_cells_are_typed_and_never_formulas():
    about = [("Medida", "Casos policiales"), ("Versión de datos", "7"), ("=peligro", "+1+1")]
    book = load_workbook(io.BytesIO(xlsx_bytes("tendencia", HEADERS, ROWS, about)))
    assert book.sheetnames == ["tendencia", "acerca"]
    sheet = book["tendencia"]
    header, first, second, third = list(sheet.iter_rows())
    assert [c.value for c in header] == HEADERS and header[0].font.bold
    assert first[1].value == 12 and first[1].data_type == "n"
    assert first[2].value == 3.25 and first[2].data_type == "n"
    assert first[3].is_date and first[3].value.date() == dt.date(2026, 1, 31)
    assert first[3].number_format == "dd-mm-yyyy"
    assert first[4].value is False and second[4].value is True
    assert second[0].value == "'=HYPERLINK(\"http://x\")" and second[0].data_type == "s"
    assert second[1].value == -3 and second[2].value == 0.5
    assert third[1].value == "reservado" and third[2].value is None
    notes = {row[0].value: row[1].value for row in book["acerca"].iter_rows()}
    assert notes == {"Medida": "Casos policiales", "Versión de datos": "7", "'=peligro": "'+1+1"}


def test_a_big_xlsx_keeps_its_types_and_its_guard():
    """10,000 rows (what the constant-memory writer is for), read back whole: every row typed as written and
    every formula-like text neutralised, with the "acerca" sheet after the table."""
    n, start = 10_000, dt.date(2024, 1, 1)
    rows = [[f"=CMD({i})" if i % 3 == 0 else f"UV {i}", np.int64(i), i / 8, start + dt.timedelta(days=i % 700),
             dt.datetime(2025, 1, 1, 6, 30) + dt.timedelta(hours=i), i % 2 == 0, float("nan") if i % 7 == 0 else 1.5]
            for i in range(n)]
    headers = ["nombre", "cantidad", "tasa", "desde", "hora", "par", "razón"]
    book = load_workbook(io.BytesIO(xlsx_bytes("grande", headers, rows, [("Filas", n)])), read_only=True)
    assert book.sheetnames == ["grande", "acerca"]
    read = list(book["grande"].iter_rows(values_only=True))
    assert len(read) == n + 1 and list(read[0]) == headers
    for i, row in enumerate(read[1:]):
        name, count, rate, since, hour, even, ratio = row
        assert name == (f"'=CMD({i})" if i % 3 == 0 else f"UV {i}"), i
        assert type(count) is int and count == i
        assert rate == i / 8 and isinstance(rate, (int, float))
        assert isinstance(since, dt.datetime) and since.date() == start + dt.timedelta(days=i % 700)
        assert hour == dt.datetime(2025, 1, 1, 6, 30) + dt.timedelta(hours=i)
        assert even is (i % 2 == 0)
        assert ratio == (None if i % 7 == 0 else 1.5)
    assert [list(r) for r in book["acerca"].iter_rows(values_only=True)] == [["Filas", n]]
    formats = load_workbook(io.BytesIO(xlsx_bytes("grande", headers, rows[:3])))["grande"]
    assert formats["D2"].number_format == "dd-mm-yyyy" and formats["E2"].number_format == "dd-mm-yyyy hh:mm"
    assert formats["A2"].data_type == "s" and formats["A2"].value == "'=CMD(0)"
