"""The dashboard in a real browser: figures drawn, a filter changes the numbers, a CSV downloads, no errors."""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio import state

    state.reset()
    from observatorio.demo.load import load_scenario

    yield load_scenario(demo_scenario, show_progress=False)
    state.reset()


def test_dashboard_filters_change_the_figures_and_csv_downloads(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/tablero/")
    page.fill("#id_username", "autoridad")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/tablero/")
    page.wait_for_selector("#fig-areas.js-plotly-plot svg.main-svg", timeout=15_000)
    for name in ("tendencia", "familias", "categorias", "horas", "areas"):
        assert page.locator(f"#fig-{name} .modebar-btn[data-title]").count() > 0, name  # PNG button present
    before = page.locator('[data-kpi="count"]').inner_text()
    page.screenshot(path=str(ARTIFACTS / "board-28d.png"), full_page=True)

    # A quick period, then a filter through the form: the URL carries the state and the figures change.
    page.click('.quick a[data-period="12m"]')
    page.wait_for_url("**period=12m**")
    after_period = page.locator('[data-kpi="count"]').inner_text()
    assert after_period != before
    page.check('input[name="source"][value="1461"]')
    page.click("#apply-filters")
    page.wait_for_url("**source=1461**")
    page.wait_for_selector("#fig-horas.js-plotly-plot svg.main-svg", timeout=15_000)
    filtered = page.locator('[data-kpi="count"]').inner_text()
    assert int(filtered.replace(".", "")) < int(after_period.replace(".", ""))
    page.screenshot(path=str(ARTIFACTS / "board-12m-1461.png"), full_page=True)

    with page.expect_download() as info:
        page.click('a[data-csv="areas"]')
    download = info.value
    assert download.suggested_filename.startswith("tablero-areas-")
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "codigo,nombre,eventos,poblacion,tasa_por_1000,tasa_eb_por_1000"
    assert len(text.splitlines()) == 32  # header and 31 UVs
    assert page.problems == []
