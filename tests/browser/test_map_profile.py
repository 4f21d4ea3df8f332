"""Map, area profile and sources pages in a real browser: switch layers, open a profile, download a GeoJSON."""

from __future__ import annotations

import json

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio import state
    from observatorio.demo.load import load_scenario

    state.reset()
    yield load_scenario(demo_scenario, show_progress=False)
    state.reset()


def _traces(page, layer: str) -> int:
    return page.evaluate(
        "(key) => document.getElementById('layer-map').data.filter(t => t.meta && t.meta.layer === key"
        " && t.visible !== false).length", layer)


def test_switch_layers_open_a_profile_and_download_geojson(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/mapa/?period=12m")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert _traces(page, "coropletico-count") == 32 and _traces(page, "gi") == 0

    # Keyboard: the Gi* checkbox is reachable and toggled with Space; its traces are fetched and drawn.
    page.focus("#capa-gi")
    page.keyboard.press("Space")
    page.wait_for_function("document.getElementById('layer-map').data.some(t => t.meta && t.meta.layer === 'gi')")
    assert _traces(page, "gi") >= 1
    assert "capa=gi" in page.url  # the state is in the URL, ready to share
    page.check("#capa-densidad")
    page.wait_for_function("document.getElementById('layer-map').data.some(t => t.meta.layer === 'densidad')")
    page.uncheck("#capa-coropletico")
    page.wait_for_timeout(300)
    assert _traces(page, "coropletico-count") == 0
    page.check("#capa-lugares")
    page.wait_for_function("document.getElementById('layer-map').data.some(t => t.meta.layer === 'lugares')")
    page.screenshot(path=str(ARTIFACTS / "map-layers-es.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("[data-download='gi-geojson']")
    collection = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert {f["properties"]["gi_bin"] for f in collection["features"]} <= {-3, -2, -1, 1, 2, 3}

    page.click(".map-main details.map-table summary")
    page.locator("#area-table tbody a").first.click()
    page.wait_for_selector("#trend-chart .main-svg", timeout=15_000)
    assert page.locator("[data-fact='population']").inner_text() != "—"
    assert page.locator("#headline-table tbody tr").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "area-profile-es.png"), full_page=True)

    page.locator(".breadcrumb a").first.click()  # up to the comuna
    page.wait_for_selector("#trend-chart .main-svg", timeout=15_000)
    assert "Peñalolén" in page.locator("h1").inner_text()

    page.goto(live_server.url + "/fuentes/")
    assert page.locator("#heat-table tbody tr").count() >= 5
    page.screenshot(path=str(ARTIFACTS / "sources-quality-es.png"), full_page=True)
    assert page.problems == []


def test_authority_map_has_no_event_layer(page, live_server, demo):  # noqa: F811
    page.goto(live_server.url + "/mapa/")
    page.fill("#id_username", "autoridad")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert page.locator("#capa-eventos").count() == 0
    assert page.problems == []
