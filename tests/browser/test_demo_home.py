"""The demo as a person meets it: log in, see the Peñalolén home page, nothing broken."""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio.demo.load import load_scenario

    return load_scenario(demo_scenario, show_progress=False)


def test_home_page_of_the_demo_has_no_console_errors(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.wait_for_selector("#territory-map.js-plotly-plot svg.main-svg", timeout=15_000)

    # 5 macrosectors + 31 UVs + the comuna outline are drawn as traces.
    assert page.locator("#territory-map .scatterlayer .trace").count() >= 31
    assert page.locator('[data-kpi="areas"]').inner_text() == "37"
    assert page.locator('[data-kpi="population"]').inner_text() == "270.054"
    assert "Panorama del territorio" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "demo-home-es.png"), full_page=True)
    assert page.problems == []
