"""Disclosure control in a real browser: the authority's dashboard on a phone says what is withheld, draws its
figures with gaps (no errors), refuses a sensitive measure over a week, and the analyst sees no notice."""

from __future__ import annotations

import pytest

from browser.test_demo_home import _log_in, demo  # noqa: F401 - the demo loaded for a live server
from browser.test_smoke import ARTIFACTS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def test_the_authority_dashboard_on_a_phone(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = live_server.url + "/tablero/?period=7d"
    _log_in(page, url, "autoridad", demo.password)
    notice = page.locator("[data-disclosure]")
    assert "k = 5" in notice.inner_text()
    page.wait_for_selector("#fig-areas.js-plotly-plot svg.main-svg", timeout=15_000)
    assert "reservado" in page.locator("body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "disclosure-board-phone.png"), full_page=True)
    page.goto(live_server.url + "/tablero/?period=7d&measure=casos-vif")
    assert "Dato sensible" in page.locator("#filter-errors").inner_text()
    page.goto(live_server.url + "/tablero/?period=12m&measure=casos-vif")
    assert "Dato sensible" in page.locator('[data-refused="horas"]').inner_text()
    context.close()
    assert errors == []


def test_the_analyst_sees_no_disclosure_notice(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(locale="es-CL")
    page = context.new_page()
    _log_in(page, live_server.url + "/tablero/?period=7d", "analista", demo.password)
    assert page.locator("[data-disclosure]").count() == 0
    context.close()
