"""The import pipeline through its core API, on messy files written here, with the exact errors expected."""

from __future__ import annotations

import csv
import io
import json

import pytest

from observatorio.records.models import BatchStatus, Event, EventRevision, ImportBatch
from observatorio.records.pipeline import ImportFailed, rollback_batch, run_import
from observatorio.records.pipeline.crosswalk import set_label
from observatorio.records.pipeline.mapping import save_mapping
from observatorio.records.pipeline.report import batch_issues, write_report
from observatorio.records.pipeline.rollback import RollbackRefused
from tests.records.test_pipeline_fixtures import (  # noqa: F401 - fixtures
    BAD_RUT,
    CALLS_1461_ERRORS,
    CALLS_1461_WARNINGS,
    VALID_RUT,
    calls_file,
    calls_text,
    denuncias_file,
    territory,
)

pytestmark = pytest.mark.django_db


def errors_of(result):
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


def counts(result):
    return result.read, result.imported, result.duplicates, result.rejected


def test_messy_1461_dry_run_reports_every_problem_and_writes_no_record(calls_file):
    result = run_import(calls_file, "1461")
    assert counts(result) == (10, 5, 1, 4)
    assert errors_of(result) == CALLS_1461_ERRORS
    assert [(w.row, w.column, w.value, w.message) for w in result.warnings] == CALLS_1461_WARNINGS
    assert result.unmapped_categories == {"Fuegos artificiales": 2}
    assert result.errors[2].fix == 'map it with `observatorio crosswalk 1461 --set "Fuegos artificiales=CATEGORY"`'
    assert result.status == "dry_run"
    assert Event.objects.count() == 0
    batch = ImportBatch.objects.get(pk=result.batch)
    assert (batch.status, batch.rows_read, batch.rows_rejected, batch.error_count) == ("dry_run", 10, 4, 4)
    assert any("row 15 left out" in n for n in result.notes)  # the totals row
    assert result.mapping["columns"]["occurred_on"] == "Fecha" and result.mapping["attributes"] == {
        "resultado": "Resultado"}


def test_commit_places_each_event_and_flags_the_one_outside(calls_file, territory):
    result = run_import(calls_file, "1461", commit=True)
    assert result.status == "committed" and counts(result) == (10, 5, 1, 4)
    events = {e.external_id: e for e in Event.objects.all()}
    assert sorted(events) == ["1001", "1002", "1003", "1004", "1009"]
    uv = {code: area.id for code, (area, _) in territory.items()}
    got = {k: (e.precision, e.area_id, e.outside) for k, e in events.items()}
    assert got == {"1001": ("point", uv["UV-1"], False), "1002": ("point", uv["UV-2"], False),
                   "1003": ("address", uv["UV-4"], False), "1004": ("point", None, True),
                   "1009": ("none", None, False)}
    assert events["1002"].category.code == "amenaza-rina"
    assert events["1001"].occurred_time.isoformat() == "22:15:00"
    assert events["1001"].original["Dirección"] == "" and events["1001"].attributes == {"resultado": "Atendido"}
    assert all(e.batch_id == result.batch and len(e.content_hash) == 64 for e in events.values())


def test_the_same_file_twice_adds_nothing(calls_file):
    first = run_import(calls_file, "1461", commit=True)
    second = run_import(calls_file, "1461", commit=True)
    assert counts(second) == (10, 0, 6, 4)
    assert second.previous_batch == first.batch
    assert Event.objects.count() == 5


def test_mapping_a_label_then_rerunning_imports_only_the_rows_it_rejected(calls_file):
    run_import(calls_file, "1461", commit=True)
    from observatorio.records.models import Source

    entry, created = set_label(Source.objects.get(code="1461"), "Fuegos artificiales", "ruidos")
    assert created and entry.version == "1"
    again = run_import(calls_file, "1461", commit=True)
    assert counts(again) == (10, 2, 6, 2)
    assert again.unmapped_categories == {}
    assert set(Event.objects.values_list("external_id", flat=True)) >= {"1007", "1008"}


def test_a_correction_updates_the_event_keeps_its_previous_version_and_rollback_restores_it(calls_file, tmp_path):
    first = run_import(calls_file, "1461", commit=True)
    corrected = tmp_path / "llamados_1461_enero_v2.csv"
    corrected.write_bytes(calls_file.read_bytes().replace(b"1001;05-01-2024;22:15;Ruidos molestos",
                                                          b"1001;05-01-2024;22:15;Perros sueltos"))
    second = run_import(corrected, "1461", commit=True)
    assert counts(second) == (10, 1, 5, 4) and second.updated == 1
    event = Event.objects.get(external_id="1001")
    assert (event.original_label, event.category.code, event.batch_id) == ("Perros sueltos", "perros", first.batch)
    revision = EventRevision.objects.get(event=event)
    assert (revision.batch_id, revision.previous["original_label"]) == (second.batch, "Ruidos molestos")

    with pytest.raises(RollbackRefused, match="lotes posteriores"):
        rollback_batch(first.batch)
    undone = rollback_batch(second.batch)
    assert (undone.events_deleted, undone.events_restored) == (0, 1)
    event.refresh_from_db()
    assert (event.original_label, event.category.code) == ("Ruidos molestos", "ruidos")
    assert Event.objects.count() == 5 and not EventRevision.objects.exists()
    assert ImportBatch.objects.get(pk=second.batch).status == BatchStatus.ROLLED_BACK
    with pytest.raises(RollbackRefused, match="ya se revirtió"):
        rollback_batch(second.batch)
    assert rollback_batch(first.batch).events_deleted == 5
    assert Event.objects.count() == 0


def test_rollback_removes_exactly_its_own_records(calls_file, denuncias_file):
    calls = run_import(calls_file, "1461", commit=True)
    reports = run_import(denuncias_file, "denuncia", commit=True)
    rollback_batch(calls.batch)
    assert sorted(Event.objects.values_list("external_id", flat=True)) == ["2400011111-1", "2400011111-2"]
    assert set(Event.objects.values_list("batch_id", flat=True)) == {reports.batch}


def test_ruts_are_validated_and_only_their_keyed_hash_is_stored(denuncias_file, territory):
    from observatorio.records.identifiers import settings_key
    from observatorio.tables.rut import rut_key

    result = run_import(denuncias_file, "denuncia", commit=True)
    assert counts(result) == (5, 2, 0, 3)
    assert errors_of(result) == [
        (4, "Rut víctima", "12.***.**8-9", "RUT 12.***.**8-9 has the wrong check digit: expected 5"),
        (5, "UV", "UV-99", "no area has this code"),
        (6, "Edad víctima", "150", "an age is a whole number of years from 0 to 120"),
    ]
    events = list(Event.objects.order_by("external_id"))
    key = rut_key(VALID_RUT, settings_key())
    assert [e.victim_key for e in events] == [key, key]  # a repeat victim, counted without a name
    assert [(e.precision, e.area_id) for e in events] == [("area", territory["UV-1"][0].id),
                                                          ("area", territory["UV-2"][0].id)]
    assert [(e.victim_sex, e.victim_age_group) for e in events] == [("F", "30-44"), ("F", "30-44")]
    assert events[1].category.code == "robo-sorpresa"  # "ROBO POR SORPRESA" matched regardless of case
    stored = json.dumps([e.original for e in events]) + json.dumps(ImportBatch.objects.get(pk=result.batch).report)
    report = write_report(result.errors + result.warnings).decode("utf-8-sig")
    for raw in (VALID_RUT, BAD_RUT, "12345678", "345.678"):
        assert raw not in stored and raw not in report and raw not in json.dumps(result.as_dict())
    assert "Rut víctima" not in events[0].original


def test_an_import_interrupted_half_way_leaves_nothing(tmp_path, territory, monkeypatch):
    from observatorio.records.pipeline import write

    lon, lat = territory["UV-1"][1]
    lines = ["Folio;Fecha;Hora;Tipo;Latitud;Longitud"]
    lines += [f"{i};{1 + i % 28:02d}-03-2024;10:{i % 60:02d};Ruidos molestos;{lat:.5f};{lon:.5f}".replace(".", ",")
              for i in range(100)]
    path = tmp_path / "llamados_marzo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(write, "CHUNK", 10)
    seen = []

    def progress(stage, done, total):
        if stage == "write":
            seen.append(done)
            if done >= total // 2:
                raise KeyboardInterrupt("stopped half-way")

    with pytest.raises(KeyboardInterrupt):
        run_import(path, "1461", commit=True, progress=progress)
    assert seen == [10, 20, 30, 40, 50]
    assert Event.objects.count() == 0
    assert not ImportBatch.objects.filter(status=BatchStatus.COMMITTED).exists()
    assert run_import(path, "1461", commit=True).imported == 100  # and it runs cleanly afterwards


def test_a_missing_required_column_names_the_columns_there_are(tmp_path, territory):
    path = tmp_path / "llamados.csv"
    path.write_text("Folio;Día;Tipo\n1;05-01-2024;Ruidos molestos\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        run_import(path, "1461")
    assert caught.value.message == (
        "no hay columna para occurred_on (fecha del hecho) en llamados.csv (se buscó 'fecha', 'fecha hecho', "
        "'fecha delito', 'fecha ocurrencia', 'fecha evento', 'fecha llamado'); las columnas son: 'Folio', 'Día', "
        "'Tipo'")
    assert caught.value.fix == "asígnela con `observatorio mapping 1461 --set occurred_on=COLUMNA`"
    from observatorio.records.models import Source

    save_mapping(Source.objects.get(code="1461"), set_columns={"occurred_on": "Día"})
    assert run_import(path, "1461").imported == 1
    path.write_text("Folio;Fecha;Tipo\n1;05-01-2024;Ruidos molestos\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"no hay una columna «Día» en llamados.csv \(asignada a occurred_on\); "
                                           r"las columnas son: 'Folio', 'Fecha', 'Tipo'"):
        run_import(path, "1461")


def test_unknown_source_and_unreadable_file_fail_cleanly(tmp_path, db):
    path = tmp_path / "x.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0old excel")
    with pytest.raises(ImportFailed, match="no hay una fuente «nadie»"):
        run_import(path, "nadie")
    with pytest.raises(ImportFailed, match="Excel 97-2003"):
        run_import(path, "1461")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"], ids=["csv", "xlsx"])
def test_the_error_report_lists_every_problem(calls_file, fmt):
    result = run_import(calls_file, "1461")
    data = write_report(batch_issues(ImportBatch.objects.get(pk=result.batch)), fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["archivo", "fila", "columna", "valor", "problema", "cómo corregirlo", "gravedad", "código",
                       "detalle", "detalle de la corrección"]
    body = [(int(r[1]), r[2], r[3], r[8]) for r in rows[1:]]
    # A cell that starts like a formula ("-33.45, …") is written with a leading apostrophe (safe export).
    expected = [(row, column, "'" + value if value.startswith(("-", "=", "+", "@")) else value, message)
                for row, column, value, message in CALLS_1461_ERRORS + CALLS_1461_WARNINGS]
    assert body == expected
    assert {r[0] for r in rows[1:]} == {"llamados_1461_enero.csv"}
    # The problem and its fix in Spanish, worded by code; the pipeline's own words stay in the detail.
    assert rows[1][4:8] == ["La fecha no es válida.",
                            "Escriba la fecha como dd-mm-aaaa, dd/mm/aaaa o aaaa-mm-dd, con un día que exista.",
                            "error", "bad_date"]
    assert rows[-1][4:8] == ["La dirección no está en el callejero; el evento se guarda sin ubicación.",
                             "Revise calle y número, o agregue coordenadas.", "aviso", "address_not_found"]


def test_utm_coordinates_and_an_xlsx_with_a_title_row(tmp_path, territory):
    import openpyxl
    from pyproj import Transformer

    lon, lat = territory["UV-3"][1]
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True).transform(lon, lat)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Partes"
    sheet.append(["Partes policiales STOP - 2024"])
    sheet.append([])
    sheet.append(["Id evento", "Fecha", "Hora", "Delito", "Coord X", "Coord Y", "Cuadrante"])
    sheet.append(["E-1", "12-04-2024", "21:05", "Robo en lugar habitado", round(x, 1), round(y, 1), "C-12"])
    sheet.append(["E-2", "13-04-2024", "9:30", "Hurtos", "", "", "C-12"])
    path = tmp_path / "stop.xlsx"
    book.save(path)
    result = run_import(path, "stop", sheet="Partes", commit=True)
    assert counts(result) == (2, 2, 0, 0)
    e1, e2 = Event.objects.order_by("external_id")
    assert (e1.area_id, e1.precision, e1.attributes) == (territory["UV-3"][0].id, "point", {"cuadrante": "C-12"})
    assert (e2.precision, e2.area_id, e2.lon) == ("none", None, None)
    assert abs(e1.lon - lon) < 1e-5 and abs(e1.lat - lat) < 1e-5
