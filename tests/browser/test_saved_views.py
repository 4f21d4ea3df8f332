"""Saved views in a real browser (issue #14, point 9): bob saves the map with a layer switched on, finds the view
on the home page and opens its link; ana opens the same link and the page is hers (no event layers)."""

from __future__ import annotations

import pytest

from browser.test_smoke import browser, loaded, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def _sign_in(page, url, who):
    page.goto(url)
    page.fill("#id_username", who)
    page.fill("#id_password", f"{who}-pass-123")
    page.click("form.form button[type=submit]")


def test_save_a_view_find_it_on_home_and_open_the_link(page, browser, live_server, personas, loaded):  # noqa: F811
    _sign_in(page, live_server.url + "/mapa/?period=12m", "bob")
    page.wait_for_selector("#map-filters")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=20_000)  # drawn: its layers can be switched
    box = page.locator('input[data-layer="limites-uv"]')
    assert not box.is_checked()
    box.check()  # a layer switched on in the page changes its URL, and the view saves it
    page.wait_for_function("() => window.location.search.includes('limites-uv')")
    page.fill("#save-view-name", "Límites por UV")
    page.click("#guardar-vista button[type=submit]")
    page.wait_for_url("**/#mis-vistas")
    item = page.locator("#mis-vistas [data-saved-view]", has_text="Límites por UV")
    assert item.count() == 1
    link = item.locator("input[readonly]").input_value()
    assert "/vistas/" in link
    item.locator("a").first.click()
    page.wait_for_url("**/mapa/?**")
    assert "period=12m" in page.url
    assert "capa=limites-uv" in page.url and page.locator('input[data-layer="limites-uv"]').is_checked()
    assert page.problems == []

    # ana, the authority, opens bob's shared link: the same map, with her own role
    other = browser.new_context(viewport={"width": 1360, "height": 900}, locale="es-CL").new_page()
    try:
        _sign_in(other, link, "ana")
        other.wait_for_url("**/mapa/?**")
        assert "period=12m" in other.url
        assert other.locator("#map-filters").count() == 1
        assert other.locator('input[data-layer="eventos"]').count() == 0  # no single events for an authority
        assert "Límites por UV" not in other.goto(live_server.url + "/").text()  # not in her own list
    finally:
        other.context.close()
