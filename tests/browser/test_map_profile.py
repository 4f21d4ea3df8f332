"""Map, area profile and sources pages in a real browser: change the measure, switch layers, open a profile,
download a GeoJSON."""

from __future__ import annotations

import json

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio import state
    from observatorio.demo.load import load_scenario
    from observatorio.records.measures import seed_measures

    state.reset()
    loaded = load_scenario(demo_scenario, show_progress=False)
    # A transactional test's flush empties the tables the migrations seeded: the measures too.
    seed_measures()
    state.reset()
    yield loaded
    state.reset()


def _traces(page, layer: str) -> int:
    return page.evaluate(
        "(key) => document.getElementById('layer-map').data.filter(t => t.meta && t.meta.layer === key"
        " && t.visible !== false).length", layer)


def _colour_bar_title(page) -> str:
    return page.evaluate(
        "() => document.getElementById('layer-map').data.filter(t => t.marker && t.marker.colorbar)"
        ".map(t => t.marker.colorbar.title.text).join('|')")


def test_change_the_measure_switch_layers_open_a_profile_and_download_geojson(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    # Three years of the small demo: enough events of either measure for a Gi* with classes.
    page.goto(live_server.url + "/mapa/?period=custom&start=2024-01-01&end=2026-11-25")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert _traces(page, "coropletico-count") == 32 and _traces(page, "gi") == 0
    assert page.locator("#map-title").inner_text().endswith("Casos policiales (casos)")
    assert _colour_bar_title(page).startswith("Casos policiales<br>casos")
    assert page.locator("svg .cbtitle").first.text_content().startswith("Casos policiales")

    # Change the measure: the map's title, the colour bar (the legend) and the table's heading follow.
    page.select_option("#f-measure", "llamados-1461")
    page.click("#map-filters button[type=submit]")
    page.wait_for_url("**measure=llamados-1461**")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert page.locator("#map-title").inner_text().endswith("Llamados al 1461 (llamados)")
    assert _colour_bar_title(page).startswith("Llamados al 1461<br>llamados")
    assert page.locator("svg .cbtitle").first.text_content().startswith("Llamados al 1461")
    assert "Casos policiales" not in _colour_bar_title(page)
    assert page.locator("#area-table thead").text_content().count("Llamados al 1461 (llamados)") == 1

    # Keyboard: the Gi* checkbox is reachable and toggled with Space; its traces are fetched and drawn.
    page.focus("#capa-gi")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('layer-map').data.some(t => t.meta && t.meta.layer === 'gi')")
    assert _traces(page, "gi") >= 1
    assert "capa=gi" in page.url and "measure=llamados-1461" in page.url  # the state is in the URL, ready to share
    legend = page.evaluate("() => document.getElementById('layer-map').data.filter(t => t.meta.layer === 'gi'"
                           " && t.legendgrouptitle).map(t => t.legendgrouptitle.text)")
    assert len(legend) == 1 and legend[0].startswith("Gi* · Llamados al 1461 (llamados) · n = ")
    assert page.locator("[data-note-for='gi']").inner_text().startswith("n = ")
    page.check("#capa-densidad")
    page.wait_for_function("() => document.getElementById('layer-map').data.some(t => t.meta.layer === 'densidad')")
    page.uncheck("#capa-coropletico")
    page.wait_for_timeout(300)
    assert _traces(page, "coropletico-count") == 0
    page.check("#capa-lugares")
    page.wait_for_function("() => document.getElementById('layer-map').data.some(t => t.meta.layer === 'lugares')")
    page.screenshot(path=str(ARTIFACTS / "map-layers-es.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("[data-download='gi-geojson']")
    assert download_info.value.suggested_filename.startswith("gi_llamados-1461_")
    collection = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert {f["properties"]["gi_bin"] for f in collection["features"]} <= {-3, -2, -1, 1, 2, 3}
    assert {f["properties"]["medida"] for f in collection["features"]} == {"Llamados al 1461"}

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


def test_a_week_of_police_cases_shows_a_caution_not_hot_spots(page, live_server, demo):  # noqa: F811
    page.goto(live_server.url + "/mapa/?period=7d&capa=limites-comuna&capa=coropletico-count")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    page.check("#capa-gi")
    page.wait_for_function("() => document.getElementById('layer-map').data.some(t => t.meta.layer === 'gi')")
    assert page.locator("#map-title").inner_text().endswith("Casos policiales (casos)")
    caution = page.locator("[data-caution-for='gi']")
    assert caution.is_visible() and caution.inner_text().startswith("Muy pocos eventos (n = ")
    modes = page.evaluate("() => document.getElementById('layer-map').data.filter(t => t.meta.layer === 'gi')"
                          ".map(t => t.mode)")
    assert modes == ["text"]  # the caution written on the map, no hot or cold cell
    # The month field shows only with the period «un mes», and takes mm-aaaa; applying keeps the hours across
    # midnight in the URL.
    assert page.locator("#f-month").is_hidden()
    page.select_option("#f-period", "month")
    page.fill("#f-month", "03-2026")
    page.select_option("#f-hour-from", "20")
    page.select_option("#f-hour-to", "6")
    page.click("#map-filters button[type=submit]")
    page.wait_for_url("**hour_to=6**")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert "period=month" in page.url and "month=03-2026" in page.url and "start=" not in page.url
    assert page.locator("[data-note-for='gi']").inner_text().startswith("n = ")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    # On a phone the filters, the map and its caution fit the width (wide tables scroll in their own box).
    wider = page.evaluate(
        "() => Array.from(document.querySelectorAll('#contenido *')).filter(e => !e.closest('.table-wrap')"
        " && e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className)")
    assert wider == []
    page.screenshot(path=str(ARTIFACTS / "map-caution-phone-es.png"), full_page=True)
    assert page.problems == []


def test_authority_map_has_no_event_layer(page, live_server, demo):  # noqa: F811
    page.goto(live_server.url + "/mapa/")
    page.fill("#id_username", "autoridad")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert page.locator("#capa-eventos").count() == 0
    assert page.problems == []
