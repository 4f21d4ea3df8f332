"""The cross table on a phone (390 × 844): drill down comuna → macrosector → UV and back up by the breadcrumb;
the page never scrolls sideways, the table scrolls inside its own box."""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser, loaded  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

# Twelve months and a half of the hand-counted dataset: wider than a phone, so the table must scroll inside.
QUERY = "measure=llamados-1461&period=custom&start=2025-03-01&end=2026-03-15"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.evaluate("(() => { const w = document.getElementById('cross-wrap');"
                        " return [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]; })()")
    assert box[0] > box[1] and box[2] == "auto", box  # wider than the screen, scrolled inside its box


def _rows(page) -> list[str]:
    return page.eval_on_selector_all("#cross-table tbody tr", "rows => rows.map(r => r.dataset.row)")


def test_drill_down_and_back_on_a_phone(browser, live_server, personas, loaded):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "bob-pass-123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.click("#nav-toggle")  # on a phone the navigation folds behind its button
    page.click(".site-nav a:has-text('Tabla cruzada')")
    page.wait_for_url("**/tabla/")
    page.goto(f"{live_server.url}/tabla/?{QUERY}")
    assert page.locator("h1").inner_text() == "Tabla cruzada"
    assert _rows(page) == ["13122"]
    total = page.locator('#cross-table tfoot td[data-col="total"]').inner_text()
    assert total == "11"  # the calls of the window: 9 in 2026, 2 in UV4 in 2025 (tests/web/dataset.py)
    _fits(page)

    page.click('[data-drill="13122"]')
    page.wait_for_selector('[data-drill="M1"]')
    assert _rows(page) == ["M1", "M2"]
    _fits(page)
    page.click('[data-drill="M2"]')
    page.wait_for_selector('#cross-table tbody tr[data-row="UV3"]')
    assert _rows(page) == ["UV3", "UV4"]
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "crosstab-phone.png"), full_page=True)

    page.click('#crumbs [data-crumb="1"]')  # back to the comuna's macrosectors
    page.wait_for_selector('[data-drill="M1"]')
    assert _rows(page) == ["M1", "M2"]
    page.click('#crumbs [data-crumb="0"]')  # and to the whole territory
    page.wait_for_selector('[data-drill="13122"]')
    assert _rows(page) == ["13122"]
    _fits(page)
    assert problems == []
    context.close()
