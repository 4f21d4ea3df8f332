"""The map on a 390 px phone: the filter panel folds behind its summary (as the dashboard's), the map comes
first, nothing scrolls sideways; on a desktop the filters stay open."""

from __future__ import annotations

import pytest

from browser.test_map_profile import demo  # noqa: F401 - the demo loaded for a live server
from browser.test_smoke import browser  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1360, "height": 900}


def _login(page, url, password):
    page.goto(url + "/mapa/")
    page.fill("#id_username", "analista")
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)


def test_the_map_filters_fold_on_a_phone_and_open_with_their_button(browser, live_server, demo):  # noqa: F811
    phone = browser.new_context(viewport=PHONE, locale="es-CL", is_mobile=True, has_touch=True)
    page = phone.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    _login(page, live_server.url, demo.password)
    fold = page.locator("#map-filters-fold")
    assert fold.evaluate("d => d.open") is False
    assert not page.locator("#f-measure").is_visible() and not page.locator("#apply-filters").is_visible()
    assert page.locator("#layer-map").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    summary = page.locator("#map-filters-fold > summary")
    assert summary.is_visible() and summary.inner_text().startswith("Filtros")
    box = summary.bounding_box()
    assert box["height"] >= 24 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    summary.click()
    assert fold.evaluate("d => d.open") is True and page.locator("#f-measure").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # The folded form still works: a measure applied from it reaches the map.
    page.select_option("#f-measure", "llamados-1461")
    page.click("#map-filters button[type=submit]")
    page.wait_for_url("**measure=llamados-1461**")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert page.locator("#map-filters-fold").evaluate("d => d.open") is False
    assert problems == []
    phone.close()

    desktop = browser.new_context(viewport=DESKTOP, locale="es-CL")
    page = desktop.new_page()
    _login(page, live_server.url, demo.password)
    assert page.locator("#map-filters-fold").evaluate("d => d.open") is True
    assert page.locator("#f-measure").is_visible()
    desktop.close()
