"""The home page in a real browser: map drawn, numbers shown, nothing fetched from outside, no console errors.

Drives Debian's chromium through Playwright's sync API against pytest-django's
live server. Screenshots go to artifacts/ at the project root.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# tests/ is not a package, so pytest puts it on sys.path and its sub-packages import by their own names.
from web.dataset import EXPECTED, POPULATION, build_small_dataset

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told the code is really synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        reason = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("OBS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and OBS_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="es-CL")
    page = context.new_page()
    page.problems = []  # console errors, page errors, failed or foreign requests
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: page.problems.append(f"request failed: {req.url} {req.failure}"))
    page.on("request", lambda req: req.url.startswith(live_server.url)
            or req.url.startswith("data:") or page.problems.append(f"foreign request: {req.url}"))
    yield page
    context.close()


def _chilean(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@pytest.fixture
def loaded(transactional_db):
    """The hand-counted web dataset (the demo itself is test_demo_home.py); returns the headline the page must show."""
    from observatorio import state
    from observatorio.dashboard import home_data
    from observatorio.records.measures import seed_measures

    build_small_dataset()
    seed_measures()  # a transactional test's flush empties the measures migration 0008 seeded

    state.reset()
    data = state.current()
    return home_data.headline(data, home_data.latest_event_date(data))


def test_home_with_data_in_spanish_then_english(page, live_server, personas, loaded):
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(live_server.url + "/")
    assert "/cuenta/ingresar/" in page.url
    assert page.locator("h1").inner_text() == "Ingresar al observatorio"
    page.fill("#id_username", "bob")
    page.fill("#id_password", "bob-pass-123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=15_000)
    assert page.locator("#territory-map.js-plotly-plot svg.main-svg").count() >= 1
    # One filled path per UV (4) in the plot's scatter layer.
    assert page.locator("#territory-map .scatterlayer .trace").count() >= 4
    # Each measure has its own row (the police cases first), never every source together; the old cards
    # (a headline count, areas, inhabitants) repeated what the blocks above say and are gone.
    cases = page.locator('#measures-table tr[data-measure="casos-policiales"]')
    assert cases.locator('[data-figure="count"]').inner_text() == _chilean(loaded.main.count)
    assert page.locator(".kpis, [data-kpi]").count() == 0
    assert (loaded.main.code, loaded.main.count, loaded.population) == (
        "casos-policiales", EXPECTED["stop"][0], POPULATION)
    assert page.locator("html").get_attribute("lang") == "es-CL"

    # The first Tab lands on the skip link, which becomes visible.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.locator("main").focus()
    page.screenshot(path=str(ARTIFACTS / "home-es.png"), full_page=True)

    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click(".lang-form button[type=submit]")
    page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=15_000)
    assert page.locator("h1").inner_text().startswith("Overview of the territory")
    assert page.locator("html").get_attribute("lang") == "en"
    assert cases.locator('[data-figure="rate"]').inner_text() == f"{loaded.main.figure.rate:.2f}"
    page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)

    assert page.problems == []


def test_user_without_role_sees_spanish_403(page, live_server, personas):
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", "charlie")
    page.fill("#id_password", "charlie-pass-123")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert "Acceso no permitido" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "403-es.png"))
    # 403 is the point of this page: Chromium logs the status as a console error, nothing else may.
    assert [p for p in page.problems if "403" not in p] == []


def test_every_page_fits_a_phone_for_the_administrator(browser, live_server, personas, loaded):
    """The administrator has the longest navigation (six links): on a 390 px phone it folds behind the «Menú»
    button, opens onto its own rows, and never widens a page (test_any_screen.py: the other roles)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-pass-123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    for path in ("/", "/tablero/", "/mapa/", "/fuentes/", "/cargas/"):
        page.goto(live_server.url + path)
        assert page.locator(".site-nav a", has_text="Administración").is_hidden(), path
        page.click("#nav-toggle")
        assert page.locator(".site-nav a", has_text="Administración").is_visible(), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
