"""``observatorio indicators compute|template|import`` on the small demo."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from observatorio import cli
from observatorio import state as holder
from observatorio.programmes import library, workbook
from observatorio.programmes.models import Measurement, Target
from observatorio.programmes.periods import period_containing

from .test_formulas import events_of


@pytest.fixture
def fresh(demo, db):
    holder.reset()
    yield
    holder.reset()


def run(capsys, *args) -> tuple[int, str]:
    code = cli.main(["--lang", "es", "indicators", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_library_covers_the_four_dimensions_and_installs_once(fresh, people):
    assert 10 <= len(library.LIBRARY) <= 15
    assert {s.dimension for s in library.LIBRARY} == {"eficacia", "eficiencia", "economia", "calidad"}
    assert all(s.definition for s in library.LIBRARY)
    first = library.install(people["unit"])
    assert len(first) == len(library.LIBRARY) and library.install(people["unit"]) == first


def test_compute_stores_the_closed_periods_and_prints_status_words(fresh, people, capsys):
    calls, rate = library.install(people["unit"], codes=["llamados-1461", "tasa-casos-policiales"])
    jan = period_containing("mensual", dt.date(2025, 1, 1))
    Target.objects.create(indicator=rate, period_start=jan.start, period_end=jan.end, value=1.0)
    code, out = run(capsys, "compute", "--year", "2025")
    assert code == 0, out
    stored = Measurement.objects.get(indicator=calls, period_start=jan.start, area__isnull=True)
    assert stored.numerator == events_of("llamados-1461", jan).count() and stored.origin == "calculada"
    assert Measurement.objects.filter(indicator=rate).count() == 12
    assert "tasa-casos-policiales ene 2025" in out and "no cumple la meta" in out.lower()
    code, out = run(capsys, "compute", "--year", "2025", "--json")
    readings = json.loads(out)
    first = next(r for r in readings if r["indicator_code"] == "tasa-casos-policiales" and r["period"] == "ene 2025")
    assert first["status"] == "not_met" and first["target"] == 1.0 and first["lower"] <= first["value"] <= first["upper"]
    assert Measurement.objects.filter(indicator=rate).count() == 12, "computing again adds no row"


def test_template_and_import_dry_run_then_commit(fresh, people, capsys, tmp_path):
    (share,) = library.install(people["unit"], codes=["ejecucion-presupuestaria"])
    path = tmp_path / "m.xlsx"
    code, out = run(capsys, "template", "-o", str(path), "--year", "2025", "--unit", "seguridad")
    assert code == 0 and path.exists(), out
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    ws = wb[workbook.SHEET]
    r = workbook.FIRST_ROW
    assert ws.cell(r, workbook.CODE).value == "ejecucion-presupuestaria"
    ws.cell(r, workbook.NUM).value, ws.cell(r, workbook.DEN).value = 450, 1000
    ws.cell(r + 1, workbook.NUM).value, ws.cell(r + 1, workbook.DEN).value = "mucho", 1000
    wb.save(path)
    code, out = run(capsys, "import", str(path), "--user", "mario", "--commit")
    assert code == 2 and f"Hoja «Mediciones», celda E{r + 1}: 'mucho' no es un número" in out
    assert not Measurement.objects.filter(indicator=share).exists()
    ws.cell(r + 1, workbook.NUM).value = 500
    wb.save(path)
    code, out = run(capsys, "import", str(path), "--user", "mario")
    assert code == 0 and "no se escribió nada" in out and not Measurement.objects.filter(indicator=share).exists()
    code, out = run(capsys, "import", str(path), "--user", "mario", "--commit")
    assert code == 0 and "escritas 2 mediciones" in out
    assert sorted(Measurement.objects.filter(indicator=share).values_list("numerator", flat=True)) == [450, 500]
    code, out = run(capsys, "import", str(path), "--user", "ana")
    assert code == 2 and "ana no puede ingresar" in out
