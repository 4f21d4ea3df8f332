"""The 1461 operator of the demo imports the call centre's own export in a real browser, with no manual mapping.

The file has the centre's headers ("N° Folio", "Fecha del llamado", "Tipo de llamado"), its operators' words
("Ruidos", "Riña"…), the caller's name and phone, and one call outside the comuna. Nothing is mapped by hand:
the columns are found tolerantly, the labels are in the demo source's table, the progress pages move on by
themselves, and the report is in Spanish with the outside call counted as a warning.
"""

from __future__ import annotations

import re

import pytest

from browser.test_demo_home import _log_in, demo  # noqa: F401 - shared fixture
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures
from tests.records.test_operator_import import realistic_1461
from tests.records.test_wording import COMMAND

pytestmark = pytest.mark.browser


@pytest.fixture
def calls_export(demo, tmp_path, settings):  # noqa: F811
    from observatorio.records.models import Event

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    points = list(Event.objects.filter(source__code="1461", outside=False, lon__isnull=False)
                  .order_by("id").values_list("lon", "lat")[:24])
    path = tmp_path / "llamados_1461_noviembre.csv"
    path.write_bytes(realistic_1461(points).encode("cp1252"))
    return path, len(points) + 1


def test_the_operators_realistic_1461_file_imports_with_no_manual_mapping(page, live_server, demo,  # noqa: F811
                                                                          calls_export):
    from observatorio.records.models import Event, ImportBatch, SourceMapping

    path, rows = calls_export
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, live_server.url + "/cargas/nueva/", "operador", demo.password)
    assert page.locator("#id_source option").all_inner_texts() == ["Llamados al 1461 (ilustrativos)"]
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")

    page.wait_for_selector("#mapping-summary")
    assert page.locator("#mapping-summary tbody tr").count() == 7
    label = page.locator('#mapping-summary tr[data-field="label"]')
    assert "Tipo de llamado" in label.inner_text() and "«tipo llamado»" in label.inner_text()
    assert page.locator("[data-failure]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "operator-preview.png"), full_page=True)

    page.click("#validate-button")
    page.wait_for_selector("#counts", timeout=30_000)  # the progress page went on to the report by itself
    counts = {k: page.locator(f'[data-count="{k}"]').inner_text() for k in ("read", "imported", "rejected")}
    assert counts == {"read": str(rows), "imported": str(rows), "rejected": "0"}
    assert page.locator("#unmapped-table").count() == 0
    assert "1 punto está fuera de la comuna" in page.locator("#outside-count").inner_text()
    warnings = page.locator("#warnings-table tbody tr")
    assert warnings.count() == 1 and warnings.first.get_attribute("data-code") == "point_outside"
    report = page.locator("body").inner_text()
    assert "El punto está fuera de la comuna" in report and "outside the comuna" not in report
    assert COMMAND.search(report) is None
    assert re.search(r"Importar \d+ filas", page.locator("#commit-button").inner_text())
    page.screenshot(path=str(ARTIFACTS / "operator-report.png"), full_page=True)

    page.click("#commit-button")
    page.wait_for_selector("#batch-status", timeout=30_000)  # and the commit's to the batch
    assert page.locator("#batch-status").inner_text() == "Importado"
    batch = ImportBatch.objects.get(status="committed", file_name=path.name)
    assert (batch.rows_read, batch.rows_imported, batch.rows_rejected) == (rows, rows, 0)
    events = Event.objects.filter(batch=batch)
    assert events.count() == rows and events.filter(outside=True, area__isnull=True).count() == 1
    assert not SourceMapping.objects.exists()  # nothing was mapped by hand
    # The caller's name and phone are stored nowhere.
    assert all("Nombre del denunciante" not in e.original and "+56" not in f"{e.original}{e.attributes}"
               for e in events)
    page.screenshot(path=str(ARTIFACTS / "operator-batch.png"), full_page=True)
    assert page.problems == []
