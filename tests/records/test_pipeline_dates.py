"""Dates in the import: one order per column, inferred from the values that read only one way, refused when a
column mixes both orders, or given in the mapping (``date_format``) or with ``--date-format``."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from observatorio.cli import main
from observatorio.errors import UserError
from observatorio.records.models import Event, ImportBatch, Source, SourceMapping
from observatorio.records.pipeline import ImportFailed, run_import
from observatorio.records.pipeline.mapping import save_mapping
from tests.records.test_pipeline_fixtures import territory  # noqa: F401 - fixture
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 12, 31)


def _calls(tmp_path, dates, name="llamados.csv"):
    """A 1461 export whose Folio n has the date dates[n - 1]."""
    lines = ["Folio;Fecha;Hora;Tipo"] + [f"{i};{d};10:00;Ruidos molestos" for i, d in enumerate(dates, start=1)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored():
    return {int(e.external_id): e.occurred_on for e in Event.objects.all()}


def _notes(result):
    return [(n.code, n.params) for n in result.notices if n.code.startswith("dates_")]


def test_a_month_first_file_is_stored_on_the_true_dates(tmp_path, territory):
    path = _calls(tmp_path, ["12/11/2023", "12/13/2023", "01/02/2024", "02/29/2024", "03/03/2024"])
    result = run_import(path, "1461", commit=True, as_of=AS_OF)
    assert (result.imported, result.rejected) == (5, 0)
    assert _stored() == {1: dt.date(2023, 12, 11), 2: dt.date(2023, 12, 13), 3: dt.date(2024, 1, 2),
                         4: dt.date(2024, 2, 29), 5: dt.date(2024, 3, 3)}
    # Two values could be either (12/11 and 01/02; 03/03 reads the same): said, with the value that decided.
    assert _notes(result) == [("dates_month_first", {"column": "Fecha", "n": 2, "row": 3, "value": "12/13/2023"})]
    assert "column 'Fecha': 2 dates read as two different dates" in result.notices[-1].message


def test_a_day_first_file_is_stored_day_first(tmp_path, territory):
    path = _calls(tmp_path, ["12-11-2023", "13-12-2023", "01-02-2024"])
    result = run_import(path, "1461", commit=True, as_of=AS_OF)
    assert _stored() == {1: dt.date(2023, 11, 12), 2: dt.date(2023, 12, 13), 3: dt.date(2024, 2, 1)}
    assert _notes(result) == [("dates_day_first", {"column": "Fecha", "n": 2, "row": 3, "value": "13-12-2023"})]


def test_a_file_of_both_orders_refuses_the_rows_the_order_would_decide(tmp_path, territory):
    path = _calls(tmp_path, ["13/01/2024", "05/03/2024", "01/14/2024", "20/01/2024", "06/06/2024"])
    result = run_import(path, "1461", as_of=AS_OF)
    # Rows 2 and 4 (05/03 could be either, 01/14 only month-first) are refused; 13/01, 20/01 and 06/06 are sure.
    assert [(e.row, e.column, e.value, e.code) for e in result.errors] == [
        (3, "Fecha", "05/03/2024", "date_order_conflict"), (4, "Fecha", "01/14/2024", "date_order_conflict")]
    assert result.errors[0].message == (
        "the column mixes day-first and month-first dates: row 2 has '13/01/2024', a date only as dd-mm-yyyy, and "
        "row 4 has '01/14/2024', only as mm-dd-yyyy (values that read either way: 1)")
    assert result.errors[0].fix.startswith("give the date format explicitly")
    assert (result.imported, result.rejected) == (3, 2) and _notes(result) == []


def test_an_all_ambiguous_file_is_read_day_first_and_says_how_many(tmp_path, territory):
    path = _calls(tmp_path, ["05-01-2024", "06-01-2024", "07-01-2024", "07-07-2024", "2024-01-31"])
    result = run_import(path, "1461", commit=True, as_of=AS_OF)
    assert _stored()[1] == dt.date(2024, 1, 5)
    assert _notes(result) == [("dates_day_first_default", {"column": "Fecha", "n": 3})]


def test_the_explicit_format_overrides_inference_in_the_run_and_in_the_mapping(tmp_path, territory):
    path = _calls(tmp_path, ["05-01-2024", "06-01-2024", "13-01-2024"])
    result = run_import(path, "1461", as_of=AS_OF, record_dry_run=False, options={"date_format": "%m-%d-%Y"})
    # Under mm-dd-yyyy, 13-01-2024 is an error (no month 13), never a guess; no note: nothing was inferred.
    assert [(e.row, e.code, e.message) for e in result.errors] == [
        (4, "bad_date", "'13-01-2024' is not a date: there is no month 13")]
    assert result.errors[0].fix == "dates are read month-day-year; swap day and month if this is day-month-year"
    assert _notes(result) == [] and result.mapping["options"]["date_format"] == "%m-%d-%Y"

    source = Source.objects.get(code="1461")
    save_mapping(source, options={"date_format": "mm-dd-aaaa"})
    result = run_import(_calls(tmp_path, ["05-01-2024", "06-01-2024"]), "1461", commit=True, as_of=AS_OF)
    assert _stored() == {1: dt.date(2024, 5, 1), 2: dt.date(2024, 6, 1)}
    with pytest.raises(UserError, match="«dd/mm/aa» no es un formato de fecha"):
        save_mapping(source, options={"date_format": "dd/mm/aa"})

    # A bad format stored by other means stops the import whole, with the code worded for the pages.
    SourceMapping.objects.create(source=source, version=9, columns={}, options={"date_format": "%b %d"})
    with pytest.raises(ImportFailed, match="«%b %d» no es un formato de fecha") as info:
        run_import(path, "1461", as_of=AS_OF)
    assert info.value.code == "bad_date_format"


def test_xlsx_date_cells_serials_and_month_first_text(tmp_path, territory):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Folio", "Fecha", "Hora", "Tipo"])
    sheet.append([1, dt.datetime(2024, 1, 2), "10:00", "Ruidos molestos"])  # a real date cell: ISO, any order
    sheet.append([2, 45295, "10:00", "Ruidos molestos"])  # an Excel serial: 2024-01-04
    sheet.append([3, "01/05/2024", "10:00", "Ruidos molestos"])
    sheet.append([4, "01/25/2024", "10:00", "Ruidos molestos"])
    path = tmp_path / "llamados.xlsx"
    book.save(path)
    result = run_import(path, "1461", commit=True, as_of=AS_OF)
    assert result.rejected == 0
    assert _stored() == {1: dt.date(2024, 1, 2), 2: dt.date(2024, 1, 4), 3: dt.date(2024, 1, 5),
                         4: dt.date(2024, 1, 25)}
    assert _notes(result) == [("dates_month_first", {"column": "Fecha", "n": 1, "row": 5, "value": "01/25/2024"})]


def test_the_cli_takes_date_format_and_words_the_note(capsys, tmp_path, territory):
    path = _calls(tmp_path, ["05-01-2024", "06-01-2024"])
    assert main(["import", str(path), "--source", "1461", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "nota: Columna «Fecha»: 2 fechas pueden leerse como día-mes o como mes-día y ninguna fecha de la columna " \
           "lo decide: se leyeron día-mes-año" in out
    assert main(["import", str(path), "--source", "1461", "--quiet", "--json", "--date-format", "mm-dd-aaaa",
                 "--commit"]) == 0
    assert json.loads(capsys.readouterr().out)["note_codes"] == []
    assert _stored() == {1: dt.date(2024, 5, 1), 2: dt.date(2024, 6, 1)}
    with pytest.raises(SystemExit) as info:
        main(["import", str(path), "--source", "1461", "--date-format", "dd/mm/aa"])
    assert info.value.code == 2 and "'dd/mm/aa' no es un formato de fecha" in capsys.readouterr().err


def test_the_mapping_page_saves_the_date_format(client, web, personas, territory, tmp_path):
    path = _calls(tmp_path, ["05-01-2024", "06-01-2024"])
    login(client, "olga")
    token = token_of(upload(client, path))
    page = client.get(f"/cargas/archivo/{token}/columnas/")
    assert page.context["form"]["date_format"].initial == ""
    assert "Formato de fecha" in page.content.decode() and "Detectar" in page.content.decode()
    columns = {"external_id": "Folio", "occurred_on": "Fecha", "occurred_time": "Hora", "label": "Tipo"}

    client.post(f"/cargas/archivo/{token}/validar/")
    report = client.get(f"/cargas/archivo/{token}/informe/")
    assert [n["code"] for n in report.context["notes"]] == ["dates_day_first_default"]
    assert "se leyeron día-mes-año, como en Chile" in report.content.decode()

    client.post(f"/cargas/archivo/{token}/columnas/", {**columns, "date_format": "mm-dd-aaaa"})
    saved = SourceMapping.objects.order_by("-version").first()
    assert saved.options["date_format"] == "mm-dd-aaaa"
    assert client.get(f"/cargas/archivo/{token}/columnas/").context["form"]["date_format"].initial == "mm-dd-aaaa"
    client.post(f"/cargas/archivo/{token}/validar/")
    report = client.get(f"/cargas/archivo/{token}/informe/")
    assert report.context["notes"] == [] or all(not n["code"].startswith("dates_") for n in report.context["notes"])
    batch = ImportBatch.objects.order_by("-id").first()
    assert batch.mapping["options"]["date_format"] == "mm-dd-aaaa"

    # Back to «Detectar»: the option is removed, not stored empty.
    client.post(f"/cargas/archivo/{token}/columnas/", {**columns, "date_format": ""})
    assert "date_format" not in SourceMapping.objects.order_by("-version").first().options
