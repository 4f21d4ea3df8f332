"""The same 1461 scenario through the CLI: the JSON summary equals the core's result."""

from __future__ import annotations

import json

import pytest

from observatorio.cli import main
from observatorio.records.models import Event, ImportBatch
from observatorio.records.pipeline import run_import
from tests.records.test_pipeline_fixtures import CALLS_1461_ERRORS, CALLS_1461_WARNINGS, calls_file, territory  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

KEYS = ("read", "imported", "updated", "duplicates", "rejected", "unmapped_categories")


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_json_matches_the_core_and_commit_batches_rollback(calls_file, capsys):
    core = run_import(calls_file, "1461", record_dry_run=False).as_dict()
    code, out, err = run_cli(capsys, "import", str(calls_file), "--source", "1461", "--json", "--quiet")
    assert code == 0, err
    data = json.loads(out)
    assert {k: data[k] for k in KEYS} == {k: core[k] for k in KEYS}
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in data["errors"]] == CALLS_1461_ERRORS
    assert data["status"] == "dry_run" and Event.objects.count() == 0

    code, out, err = run_cli(capsys, "import", str(calls_file), "--source", "1461", "--commit")
    assert code == 0
    assert "llamados_1461_enero.csv (registros): leídas 10, válidas 6, escritas 5" in out
    assert ["  importadas: 5", "  actualizadas: 0", "  duplicadas: 1", "  rechazadas: 4"] == \
        [line for line in out.splitlines() if line.startswith(("  importadas", "  actualizadas", "  duplicadas",
                                                                "  rechazadas"))]
    assert "'Fuegos artificiales': 2 filas" in out
    assert "escribiendo" in err or "leyendo" in err  # the progress bar, on stderr
    batch = ImportBatch.objects.get(status="committed")
    assert Event.objects.filter(batch=batch).count() == 5

    code, out, _ = run_cli(capsys, "batches", "--json")
    listed = json.loads(out)
    assert [(b["batch"], b["status"], b["imported"]) for b in listed][0] == (batch.id, "committed", 5)

    code, out, _ = run_cli(capsys, "batches", "--report", str(batch.id))
    assert out.splitlines()[0].startswith("archivo;fila;columna;valor")
    assert len(out.splitlines()) == 1 + len(CALLS_1461_ERRORS) + len(CALLS_1461_WARNINGS)  # errors and warnings

    code, out, _ = run_cli(capsys, "crosswalk", "1461", "--set", "Fuegos artificiales=ruidos")
    assert code == 0 and "'Fuegos artificiales' → ruidos" in out
    code, out, _ = run_cli(capsys, "import", str(calls_file), "--source", "1461", "--commit", "--json", "--quiet")
    second = json.loads(out)
    assert (second["imported"], second["duplicates"], second["rejected"]) == (2, 6, 2)

    code, out, _ = run_cli(capsys, "rollback", str(second["batch"]))
    assert code == 0 and "eliminados: eventos 2," in out
    assert Event.objects.count() == 5


def test_usage_errors_exit_2_with_the_fix(calls_file, tmp_path, capsys):
    code, _, err = run_cli(capsys, "import", str(calls_file), "--source", "nadie")
    assert code == 2 and "no hay una fuente «nadie»" in err
    bare = tmp_path / "sin_fecha.csv"
    bare.write_text("Folio;Tipo\n1;Ruidos molestos\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", str(bare), "--source", "1461")
    assert code == 2 and "observatorio mapping 1461 --set occurred_on=COLUMNA" in err
    code, _, err = run_cli(capsys, "mapping", "1461", "--set", "occurred_on")
    assert code == 2 and "--set lleva CLAVE=VALOR" in err
    code, _, err = run_cli(capsys, "rollback", "999")
    assert code == 2 and "no hay un lote 999" in err
    code, _, err = run_cli(capsys, "import", str(calls_file), "--source", "1461", "--crs", "EPSG:nada", "--quiet")
    assert code == 2 and "«EPSG:nada» no es un sistema de coordenadas" in err


def test_mapping_command_saves_a_version_used_by_the_next_import(tmp_path, territory, capsys):
    path = tmp_path / "llamados.csv"
    path.write_text("Folio;Día;Tipo\n1;05-01-2024;Ruidos molestos\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "mapping", "1461", "--set", "occurred_on=Día")
    assert code == 0 and "versión 1" in out and "occurred_on = 'Día'" in out
    code, out, _ = run_cli(capsys, "import", str(path), "--source", "1461", "--json", "--quiet")
    assert json.loads(out)["imported"] == 1 and json.loads(out)["mapping"]["version"] == 1


def test_gazetteer_command_loads_addresses(tmp_path, territory, capsys):
    from observatorio.records.models import AddressPoint

    lon, lat = territory["UV-2"][1]
    path = tmp_path / "direcciones.csv"
    path.write_text(f"calle;numero;lon;lat\nPje. Los Aromos;45;{lon};{lat}\nAv. Grecia;x;{lon};{lat}\n",
                    encoding="utf-8")
    code, out, _ = run_cli(capsys, "gazetteer", str(path), "--commit")
    assert code == 0 and "direcciones.csv (callejero): leídas 2, válidas 1, escritas 1" in out
    assert "  omitidas: 1" in out and "fila 3, numero: '': La dirección no tiene número." in out
    point = AddressPoint.objects.get(street_normalised="pasaje los aromos")
    assert (point.number, point.area_id) == (45, territory["UV-2"][0].id)
