"""The reports page in a real browser on a phone (390 px): the analyst asks for October's bulletin, the run's page
shows its progress and, when the server's background thread has finished, the preview and the download; no page
scrolls sideways and nothing breaks. Then the same without script: the run's page reloads itself."""

from __future__ import annotations

import pytest

from browser.test_demo_home import _log_in, demo  # noqa: F401 - shared fixture
from browser.test_smoke import ARTIFACTS, CHROMIUM_ARGS, browser  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture
def phone(browser, live_server, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="es-CL")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    # The PDF preview is drawn by chromium's own viewer (chrome-extension: and chrome: pages), which asks no host.
    page.on("request", lambda req: req.url.startswith((live_server.url, "data:", "chrome-extension:", "chrome:"))
            or page.problems.append(f"foreign request: {req.url}"))
    yield page
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_generate_a_bulletin_on_a_phone_and_see_it_finish(phone, live_server, demo):  # noqa: F811
    from observatorio.reports.models import ReportRun

    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, live_server.url + "/informes/", "analista", demo.password)
    assert fits(page), "the reports page scrolls sideways at 390 px"
    page.select_option("#id_kind", "boletin")
    page.fill("#id_month", "2026-10")
    page.click("#generate-button")
    page.wait_for_url(live_server.url + "/informes/*/")
    page.wait_for_selector("#download-link", timeout=60_000)  # reloaded by reports.js when the run ended
    run = ReportRun.objects.get()
    assert (run.status, run.progress, run.created_by.username) == ("done", 100, "analista")
    assert page.locator("#report-preview").get_attribute("src") == f"/informes/{run.pk}/ver/"
    assert run.sha256 in page.locator(".run-facts").inner_text()
    assert fits(page), "the run's page scrolls sideways at 390 px"
    page.screenshot(path=str(ARTIFACTS / "reports-run-390.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#download-link")
    download = info.value
    assert download.suggested_filename == "boletin-2026-10-01-2026-10-31.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    page.goto(live_server.url + "/informes/")
    row = page.locator(f'#reports-table tr[data-run="{run.pk}"]')
    assert row.get_attribute("data-status") == "done"
    assert "01-10-2026 – 31-10-2026" in row.inner_text()
    assert fits(page)
    page.screenshot(path=str(ARTIFACTS / "reports-page-390.png"), full_page=True)
    assert page.problems == []


def test_without_script_the_run_page_reloads_until_done(browser, live_server, demo, settings, tmp_path):  # noqa: F811
    from observatorio.reports.models import ReportRun

    settings.DATA_DIR = tmp_path
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="es-CL", java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server.url + "/informes/", "analista", demo.password)
    page.fill("#id_month", "2026-10")
    page.select_option("#id_fmt", "html")
    page.click("#generate-button")
    page.wait_for_selector("#download-link", timeout=60_000)  # the noscript refresh brought the finished page
    assert ReportRun.objects.get().status == "done"
    assert fits(page)
    context.close()
