"""Any screen (issue #14): on a 1440 px desktop and a 390 px phone, as the authority, the analyst and the operator,
no page scrolls sideways and the navigation folds behind a button on the phone; the dashboard shows its figures
before its filters there. The one filter form: dates typed dd-mm-aaaa filter as ISO dates do, the searchable
multi-select sends the same parameters, a selection without events says so and why, count axes have whole-number
ticks, and Plotly's toolbar speaks Spanish."""

from __future__ import annotations

import re

import pytest

from browser.test_board import demo  # noqa: F401 - the small demo, loaded per test
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# What each role may open (the uploads are for the analyst and the operator, not the authority).
PAGES = {
    "autoridad": ("/", "/tablero/", "/mapa/", "/fuentes/", "/informes/", "/cuenta/contrasena/",
                  "/cuenta/segundo-factor/"),
    "analista": ("/", "/tablero/", "/mapa/", "/fuentes/", "/cargas/", "/cargas/nueva/", "/informes/",
                 "/cuenta/contrasena/"),
    "operador": ("/", "/tablero/", "/mapa/", "/fuentes/", "/cargas/", "/cuenta/contrasena/"),
}


def _sign_in(context, live_server, user: str, password: str):
    page = context.new_page()
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    return page


def _overflow(page) -> int:
    """How far the page reaches past the window's width (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _pages(page, live_server, user: str) -> list[str]:
    """The role's pages and one area profile (the first linked from the home page's table or the dashboard)."""
    page.goto(live_server.url + "/tablero/?period=12m")
    profile = page.locator("#top-areas a[href*='/area/']").first.get_attribute("href")
    return [*PAGES[user], profile]


@pytest.mark.parametrize("user", list(PAGES))
def test_every_page_fits_a_desktop_and_a_phone(browser, live_server, demo, user):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    desktop = browser.new_context(viewport=DESKTOP, locale="es-CL")
    page = _sign_in(desktop, live_server, user, demo.password)
    paths = _pages(page, live_server, user)
    for path in paths:
        page.goto(live_server.url + path)
        assert _overflow(page) <= 0, (user, "desktop", path)
        if user == "analista" and path in ("/tablero/", "/mapa/"):
            page.screenshot(path=str(ARTIFACTS / f"desktop-{path.strip('/')}.png"), full_page=True)
        assert page.locator("#nav-toggle").is_hidden() and page.locator("#site-nav").is_visible(), path
    desktop.close()

    phone = browser.new_context(viewport=PHONE, locale="es-CL", is_mobile=True, has_touch=True)
    page = _sign_in(phone, live_server, user, demo.password)
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert _overflow(page) <= 0, (user, "phone", path)
        if user == "analista":
            slug = path.strip("/").replace("/", "-") or "inicio"
            page.screenshot(path=str(ARTIFACTS / f"phone-{slug}.png"))
        # The navigation is folded behind its button, which opens it.
        toggle = page.locator("#nav-toggle")
        assert toggle.is_visible() and page.locator("#site-nav").is_hidden(), path
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#site-nav a", has_text="Tablero").is_visible(), path
        assert _overflow(page) <= 0, (user, "phone, menu open", path)
        if path == "/tablero/":
            toggle.click()
            page.wait_for_selector("#fig-tendencia .main-svg", timeout=15_000)
            # The figures come first: the headline count in the first screen, the filters folded above it.
            kpi = page.locator('[data-kpi="count"]').bounding_box()
            assert kpi["y"] + kpi["height"] < PHONE["height"], kpi
            assert page.locator("#board-filters").is_hidden()
            page.locator("#filters-fold summary").click()
            assert page.locator("#board-filters").is_visible() and page.locator("#f-measure").is_visible()
            assert _overflow(page) <= 0, (user, "phone, filters open")
            page.screenshot(path=str(ARTIFACTS / f"phone-board-filters-{user}.png"), full_page=True)
            page.locator("#filters-fold summary").click()
            page.screenshot(path=str(ARTIFACTS / f"phone-board-{user}.png"))
    # On a phone choosing the language applies it (its button gives its room to the menu).
    assert page.locator(".lang-form button").is_hidden()
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en" and _overflow(page) <= 0
    phone.close()


def _count(page) -> int:
    return int(page.locator('[data-kpi="count"]').inner_text().replace(".", ""))


def test_filters_dates_search_empty_selection_axes_and_toolbar(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/tablero/?period=custom&start=2026-03-01&end=2026-03-31")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/tablero/?period=custom**")
    iso = _count(page)
    assert iso > 0
    # The dates are shown dd-mm-aaaa, whatever the browser's language, and typed so.
    assert page.locator("#f-start").input_value() == "01-03-2026"
    assert page.locator("#f-start").get_attribute("type") == "text"

    page.goto(live_server.url + "/tablero/")
    assert page.locator("#custom-dates").is_hidden() and page.locator("#month-picker").is_hidden()
    page.select_option("#f-period", "custom")
    assert page.locator("#custom-dates").is_visible() and page.locator("#month-picker").is_hidden()
    page.fill("#f-start", "01-03-2026")
    page.fill("#f-end", "31-03-2026")
    page.click("#apply-filters")
    page.wait_for_url("**start=01-03-2026**")
    assert "end=31-03-2026" in page.url and "month=" not in page.url
    assert _count(page) == iso
    assert "del 01-03-2026 al 31-03-2026" in page.locator(".kpis").inner_text()

    # The searchable multi-select: the native select is hidden, a search narrows the list, a tick chooses.
    assert page.locator("#f-category").is_hidden()
    page.fill("#f-category-search", "robo")
    shown = page.locator("#f-category + .picker .picker__item:visible")
    assert shown.count() >= 1
    assert all("robo" in shown.nth(i).inner_text().lower() for i in range(shown.count()))
    first = shown.first.locator("input")
    code = first.get_attribute("data-value")
    first.check()
    assert "Elegidos: 1" in page.locator("#f-category + .picker .picker__count").inner_text()
    page.click("#apply-filters")
    page.wait_for_url(f"**category={code}**")
    narrowed = _count(page)
    assert narrowed <= iso
    assert page.locator(f"#f-category + .picker input[data-value='{code}']").is_checked()

    # Few events (one week of the small demo, a handful a day): the count axes have whole-number ticks, once each.
    page.goto(live_server.url + "/tablero/?period=7d")
    page.wait_for_selector("#fig-tendencia .main-svg", timeout=15_000)
    ticks = page.locator("#fig-tendencia .ytick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in ticks), ticks
    assert len(set(ticks)) == len(ticks), ticks
    bars = page.locator("#fig-categorias .xtick text").all_text_contents()
    assert bars and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in bars) and len(set(bars)) == len(bars), bars
    # One number format: an axis without a format of its own groups thousands as the page does (1.500).
    ticks = page.evaluate("""() => {
        const div = document.createElement("div");
        div.style.width = "400px";
        document.body.appendChild(div);
        return window.ObsPlot.draw(div, {data: [{type: "bar", x: ["a", "b"], y: [1500, 3000]}],
                                         layout: {separators: ",.", yaxis: {dtick: 500}}})
            .then(() => Array.from(div.querySelectorAll(".ytick text")).map(t => t.textContent));
    }""")
    assert "1.500" in ticks and "3.000" in ticks, ticks
    # Plotly's toolbar in Spanish.
    assert page.locator("#fig-tendencia .modebar-btn[data-title='Descargar gráfico como PNG']").count() == 1
    assert page.locator("#fig-tendencia .modebar-btn[data-title='Download plot as a PNG']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "board-few-events.png"), full_page=True)

    # A selection without events: the message and its reason instead of empty charts.
    page.goto(live_server.url + "/tablero/?period=custom&start=01-01-2001&end=31-01-2001")
    message = page.locator("#empty-selection")
    assert message.is_visible()
    assert "Sin datos para esta selección" in message.inner_text()
    assert "queda fuera" in page.locator("[data-empty-reason]").inner_text()
    assert page.locator(".chart").count() == 0
    page.screenshot(path=str(ARTIFACTS / "board-empty-selection.png"), full_page=True)

    # A wrong date is said in words, with the field's label, never its parameter name.
    page.goto(live_server.url + "/tablero/?period=custom&start=31-02-2026&end=2026-03-31")
    errors = page.locator("#filter-errors").inner_text()
    assert "Desde: escriba la fecha como dd-mm-aaaa" in errors and "start" not in errors
    page.goto(live_server.url + "/tablero/?period=custom")
    assert "__all__" not in page.locator("#filter-errors").inner_text()

    # The map uses the same form: the same dates, the same picker.
    page.goto(live_server.url + "/mapa/?period=custom&start=01-03-2026&end=31-03-2026")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    assert page.locator("#map-filters #f-start").input_value() == "01-03-2026"
    assert page.locator("#map-filters #f-category").is_hidden()
    assert page.locator("#map-filters #f-category-search").is_visible()
    assert page.locator("#layer-map .modebar-btn[data-title='Descargar gráfico como PNG']").count() == 1
    page.goto(live_server.url + "/mapa/?period=custom&start=01-01-2001&end=31-01-2001")
    assert "queda fuera" in page.locator("#empty-selection [data-empty-reason]").inner_text()
    assert [p for p in page.problems if "400" not in p] == []  # the invalid filters above answer 400
