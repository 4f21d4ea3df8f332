"""The authority's home as each role meets it, on a desktop and on a phone: the comuna named, each family's
figures, no horizontal scroll."""

from __future__ import annotations

import pytest

from browser.test_demo_home import _log_in, demo  # noqa: F401 - shared fixtures
from browser.test_smoke import ARTIFACTS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

VIEWPORTS = ((1440, 900), (390, 844))
USERS = ("autoridad", "analista", "operador")
# What sticks out of the viewport, to say so when the page scrolls sideways.
WIDE = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_home_names_the_comuna_and_shows_each_family_on_desktop_and_phone(browser, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    for user in USERS:
        for width, height in VIEWPORTS:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="es-CL")
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            _log_in(page, live_server.url + "/", user, demo.password)
            page.wait_for_selector('[data-home="families"]', timeout=20_000)
            assert page.locator('[data-home="comuna"]').inner_text() == "Peñalolén"
            rows = page.locator("#families-table tbody tr[data-family]")
            assert rows.count() >= 5, (user, width)
            # Every family shows its month and year-to-date figures: a number or «reservado», never blank.
            for i in range(rows.count()):
                for figure in ("month", "month-before", "ytd", "ytd-before"):
                    text = rows.nth(i).locator(f'[data-figure="{figure}"]').inner_text().strip()
                    assert text == "reservado" or text.replace(".", "").isdigit(), (user, width, figure, text)
            total = page.locator("#families-table [data-family-total] [data-figure='month']").inner_text()
            assert total.replace(".", "").isdigit()
            for section in ("attention", "comparison", "freshness"):
                assert page.locator(f'[data-home="{section}"]').count() == 1
            assert page.locator("#mis-vistas").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (user, width, page.evaluate(WIDE))
            page.screenshot(path=str(ARTIFACTS / f"home-{user}-{width}.png"), full_page=width < 1000)
            context.close()
            assert errors == [], (user, width, errors)
