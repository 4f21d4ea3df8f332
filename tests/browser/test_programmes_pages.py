"""The programmes pages on a phone (390 px) in a real browser: no sideways scroll, the status words visible
beside their colours (and their explanation readable without hovering), the charts drawn, no script errors."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from programmes.pages_world import build_world

from browser.test_smoke import ARTIFACTS, CHROMIUM_ARGS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, personas):
    return build_world(personas)


def _signed_in(browser, live_server, user, width):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="es-CL")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    return context, page


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_programme_pages_fit_a_phone_and_say_their_status_in_words(browser, live_server, world, personas):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _signed_in(browser, live_server, personas["ana"], 390)
    pages = {"programme": f"/programas/{world.programme.code}/", "indicator": f"/indicadores/{world.indicator.code}/",
             "goals": f"/metas/{world.year}/", "evaluation": f"/metas/{world.year}/evaluacion/",
             "scorecard": f"/metas/{world.year}/tablero/", "list": "/programas/"}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        if name == "indicator":
            page.wait_for_selector("#indicator-trend .main-svg", timeout=15_000)
            page.wait_for_selector("#indicator-xmr .main-svg", timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / f"programmes-{name}-390.png"), full_page=True)
        assert _overflow(page) <= 0, f"{url} scrolls sideways at 390 px"
        if name == "list":
            assert page.get_by_role("link", name="Línea 1461").is_visible()
            continue
        word = page.locator("main table .light__word").first
        assert word.is_visible() and word.inner_text() in ("cumple la meta", "no cumple la meta", "no concluyente",
                                                           "sin meta", "datos insuficientes")
        assert page.locator("main table .light").first.get_attribute("title")  # explained on hover as well
        if name in ("programme", "evaluation"):
            assert page.locator(".light-why").first.is_visible()  # and without hover, for phones
        if name in ("indicator", "goals", "scorecard"):  # the tables' legend is open above them
            assert page.locator(".light-legend[open] dd").first.is_visible()
    page.goto(live_server.url + pages["indicator"])
    page.wait_for_selector("#special-causes")
    assert "preocupación" in page.locator("#special-causes").inner_text()
    assert page.errors == []
    context.close()


def test_the_navigation_leads_to_programmes_and_goals(browser, live_server, world, personas):  # noqa: F811
    context, page = _signed_in(browser, live_server, personas["bob"], 390)
    page.goto(live_server.url + "/programas/")
    toggle = page.locator("#nav-toggle")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("link", name="Metas", exact=True).click()
    page.wait_for_url("**/metas/*/")
    assert page.locator("h1").inner_text().startswith("Metas de gestión")
    context.close()
