"""An import through the pages in a real browser: upload, preview, dry run, commit with live progress, history.

The commit runs in the server's background thread, as in production; the page
polls the progress endpoint and goes on to the result by itself when the job ends.
"""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def calls_csv(transactional_db, tmp_path, settings):
    from tests.records.test_pipeline_fixtures import calls_text, make_territory

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    path = tmp_path / "llamados_1461_enero.csv"
    path.write_bytes(calls_text(make_territory()).encode("latin-1"))
    return path


def test_upload_preview_dry_run_commit_and_history(page, live_server, personas,  # noqa: F811
                                                  calls_csv):
    from observatorio.records.models import Event, ImportBatch

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/cargas/nueva/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "olga-pass-123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/cargas/nueva/")
    assert page.locator("#id_source option").all_inner_texts() == ["Central 1461"]
    page.set_input_files("#id_file", str(calls_csv))
    page.click("#upload-form button[type=submit]")

    page.wait_for_selector("#preview-table")
    assert page.locator('[data-fact="encoding"]').inner_text() == "cp1252"
    assert page.locator('[data-fact="rows"]').inner_text() == "10"
    assert page.locator("#preview-table thead th").all_inner_texts()[1:4] == ["FOLIO", "FECHA", "HORA"]
    assert page.locator("#preview-table tbody tr").count() == 10
    page.screenshot(path=str(ARTIFACTS / "upload-preview.png"), full_page=True)

    page.click("#validate-button")
    # The progress page goes on to the report by itself when the dry run ends.
    page.wait_for_selector("#errors-table", timeout=20_000)
    assert page.locator('[data-count="read"]').inner_text() == "10"
    assert page.locator('[data-count="imported"]').inner_text() == "5"
    assert page.locator("#errors-table tbody tr").count() == 4
    assert page.locator("#unmapped-table tbody tr").count() == 1
    page.screenshot(path=str(ARTIFACTS / "upload-report.png"), full_page=True)

    page.click("#commit-button")
    # The commit's progress page polls until the batch is written, then shows the batch by itself.
    page.wait_for_selector("#batch-status", timeout=30_000)
    assert page.locator("#batch-status").inner_text() == "Importado"
    assert [page.locator(f'[data-count="{k}"]').inner_text() for k in ("read", "imported", "duplicates",
                                                                        "rejected")] == ["10", "5", "1", "4"]
    page.screenshot(path=str(ARTIFACTS / "upload-batch.png"), full_page=True)

    page.click("text=Historial de la fuente")
    page.wait_for_selector("#batches-table")
    batch = ImportBatch.objects.get(status="committed")
    row = page.locator(f'#batches-table tr[data-batch="{batch.id}"]')
    assert row.get_attribute("data-status") == "committed"
    assert row.locator("td.num").all_inner_texts()[1:5] == ["10", "5", "1", "4"]
    assert Event.objects.filter(batch=batch).count() == 5
    page.screenshot(path=str(ARTIFACTS / "upload-history.png"), full_page=True)

    assert page.problems == []
