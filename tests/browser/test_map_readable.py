"""A map you can read (#14 point 2), in a real browser: area names on the map, street names from a reference
layer, and a click on an area opens a panel whose "Ver perfil" goes to the area's profile."""

from __future__ import annotations

import pytest

from browser.test_map_profile import demo  # noqa: F401 - the demo loaded for a live server
from browser.test_smoke import browser, page  # noqa: F401 - shared fixtures

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
