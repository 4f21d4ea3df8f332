"""An area profile printed on A4 in a real browser: a header with the comuna, the area, the period and the
print date; every chart redrawn no wider than the page; a PDF with pages."""

from __future__ import annotations

import re

import pytest

from browser.test_profile_measures import _open, demo  # noqa: F401 - shared fixtures
from browser.test_smoke import ARTIFACTS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

A4_WIDTH_MM, MARGINS_MM = 210, 14 + 14  # profile.css's @page
PX_PER_MM = 96 / 25.4
CARD_PX = 2 * 1.25 * 16 + 2  # a card's horizontal padding (site.css) and border (panels.css, print)


def test_profile_prints_on_a4_with_header_and_charts_within_the_page(browser, live_server, demo):  # noqa: F811
    from observatorio import state
    from observatorio.dashboard import profile

    data = state.current()
    macro = data.index.ids_at("macrosector")[0]
    comuna = data.index.areas[data.index.ids_at("comuna")[0]].name
    start, end = profile.window(data.as_of)
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(browser, live_server, "analista", demo.password, f"/area/{macro}/", 1360)
    page.wait_for_selector("#locator-chart .main-svg")
    page.wait_for_selector("#breakdown-chart .main-svg")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(500)
    head = page.locator(".print-head")
    assert head.is_visible()
    text = head.inner_text()
    assert comuna in text and data.index.areas[macro].name in text
    assert start.strftime("%d-%m-%Y") in text and end.strftime("%d-%m-%Y") in text
    assert re.search(r"Impreso el \d{2}-\d{2}-\d{4}", text)
    assert not page.locator(".site-header").is_visible() and not page.locator("#print-page").is_visible()
    usable = (A4_WIDTH_MM - MARGINS_MM) * PX_PER_MM - CARD_PX  # inside a card on the page
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
        id: el.id, width: el.getBoundingClientRect().width,
        svg: el.querySelector('.main-svg') ? el.querySelector('.main-svg').getBoundingClientRect().width : 0}))""")
    assert {w["id"] for w in widths} >= {"locator-chart", "breakdown-chart", "trend-chart"}
    for w in widths:
        assert 0 < w["svg"] <= usable + 1, w
    page.screenshot(path=str(ARTIFACTS / "profile-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "profile-print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    assert page.errors == []
    context.close()


def test_a_click_on_the_board_choropleth_opens_the_area_profile(browser, live_server, demo):  # noqa: F811
    from observatorio import state

    comuna = state.current().index.ids_at("comuna")[0]
    context, page = _open(browser, live_server, "analista", demo.password, f"/area/{comuna}/", 1360)
    page.goto(live_server.url + "/tablero/?period=12m&level=macrosector")
    page.wait_for_selector("#fig-areas .main-svg")
    page.locator("#fig-areas").scroll_into_view_if_needed()
    # The centre of the first filled area's bounding box (a convex enough macrosector) receives the click.
    box = page.evaluate("""() => {
        const gd = document.getElementById('fig-areas');
        const i = gd.data.findIndex(t => t.meta && t.meta.profile);
        const path = gd.querySelectorAll('.scatterlayer .trace')[i].querySelector('path.js-fill');
        const r = path.getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2, url: gd.data[i].meta.profile};
    }""")
    page.mouse.move(box["x"], box["y"])
    page.wait_for_timeout(300)
    page.mouse.click(box["x"], box["y"])
    page.wait_for_url(re.compile(r".*/area/\d+/$"), timeout=10_000)
    assert page.url == live_server.url + box["url"]
    page.wait_for_selector("#locator-chart .main-svg")
    assert page.errors == []
    context.close()
