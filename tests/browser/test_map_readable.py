"""A map you can read (#14 point 2), in a real browser: area names on the map, street names from a reference
layer, and a click on an area opens a panel whose "Ver perfil" goes to the area's profile."""

from __future__ import annotations

import pytest

from browser.test_map_profile import demo  # noqa: F401 - the demo loaded for a live server
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, demo, path):  # noqa: F811
    page.goto(live_server.url + path)
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)


def _label_texts(page, level: str) -> list:
    return page.evaluate(
        "(level) => [].concat(...document.getElementById('layer-map').data"
        ".filter(t => t.meta && t.meta.labels === level).map(t => t.text))", level)


def test_area_labels_and_a_click_on_an_area_opens_its_profile(page, live_server, demo):  # noqa: F811
    _sign_in(page, live_server, demo, "/mapa/")
    names = _label_texts(page, "macrosector")
    assert len(names) >= 2 and all(names)
    # Where the first macrosector's name is drawn, in the page's pixels: click there.
    x, y, area_id = page.evaluate(
        """() => {
          const gd = document.getElementById('layer-map');
          const t = gd.data.find(t => t.meta && t.meta.labels === 'macrosector');
          const L = gd._fullLayout, box = gd.getBoundingClientRect();
          return [box.left + L._size.l + L.xaxis.l2p(t.x[0]), box.top + L._size.t + L.yaxis.l2p(t.y[0]),
                  t.customdata[0][0]];
        }""")
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_selector("#area-popup:not([hidden])", timeout=5_000)
    assert page.locator("#area-popup-name").inner_text() == names[0]
    href = page.get_attribute("#area-popup-profile", "href")
    assert href == f"/area/{area_id}/"
    filtered = page.get_attribute("#area-popup-filter", "href")
    assert f"area={area_id}" in filtered and "level=macrosector" in filtered
    page.click("#area-popup-profile")
    page.wait_for_url(f"**/area/{area_id}/")
    assert names[0] in page.locator("h1").inner_text()


def test_street_names_and_search_zooms_to_a_street_and_writes_its_name(page, live_server, demo):  # noqa: F811
    from pathlib import Path

    from observatorio import state
    from observatorio.territory.references import import_reference

    streets = Path(__file__).parents[1] / "territory" / "data" / "reference_streets.geojson"
    import_reference(streets, "streets", "via", name="calles", commit=True)
    state.reset()
    _sign_in(page, live_server, demo, "/mapa/")
    hover = page.evaluate(
        "() => [].concat(...document.getElementById('layer-map').data"
        ".filter(t => t.meta && t.meta.layer === 'referencia-calles' && t.hoverinfo === 'text').map(t => t.text))")
    assert "AVENIDA GRECIA" in hover
    visible_labels = ("() => document.getElementById('layer-map').data.filter(t => t.meta && t.meta.zoom_labels"
                      " && t.visible !== false).length")
    assert page.evaluate(visible_labels) == 0  # the whole comuna: no street names written over it

    page.fill("#map-search-input", "AVENIDA GRECIA (calle)")
    page.click("#map-search button[type=submit]")
    page.wait_for_function("() => document.getElementById('map-search-status').textContent.length > 0")
    assert page.locator("#map-search-status").inner_text() == "AVENIDA GRECIA (calle)"
    page.wait_for_timeout(500)
    width = page.evaluate("() => { const r = document.getElementById('layer-map')._fullLayout.xaxis.range;"
                          " return Math.abs(r[1] - r[0]); }")
    assert width < 4_000
    page.wait_for_function(visible_labels + " === 1", timeout=5_000)
    assert page.locator("#layer-map text", has_text="AVENIDA GRECIA").count() >= 1  # written on the map

    # An area by its name: the map zooms out to it.
    option = page.evaluate("() => JSON.parse(document.getElementById('map-search-data').textContent)"
                           ".find(e => e.label.indexOf('(Macrosector)') > 0).label")
    page.fill("#map-search-input", option)
    page.click("#map-search button[type=submit]")
    page.wait_for_function("() => document.getElementById('map-search-status').textContent.length > 0")
    assert page.locator("#map-search-status").inner_text() == option

    # Every colour bar and legend below the map, none over it (a picture for whoever reviews it).
    page.goto(live_server.url + "/mapa/?period=custom&start=2024-01-01&end=2026-11-25&capa=referencia-calles"
              "&capa=limites-macrosector&capa=coropletico-count&capa=densidad&capa=gi&capa=grupos")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#layer-map").screenshot(path=str(ARTIFACTS / "map-readable.png"))
    plot_bottom, bars = page.evaluate(
        """() => { const box = document.querySelector('#layer-map .nsewdrag').getBoundingClientRect();
          return [box.bottom, [...document.querySelectorAll('#layer-map .colorbar, #layer-map .legend')]
            .map(e => e.getBoundingClientRect().top)]; }""")
    assert len(bars) >= 3 and all(top >= plot_bottom - 1 for top in bars)
