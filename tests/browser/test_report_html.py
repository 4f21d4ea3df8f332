"""A report's HTML page in a real browser: on a phone (390 px) nothing scrolls sideways, every chart is drawn
within the page, and the page asks no host for anything (it is one self-contained file)."""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_report_page_fits_the_screen_and_loads_nothing(browser, tmp_path, width):  # noqa: F811
    from observatorio.reports import render_html
    from tests.reports.test_render import MARKUP, report

    path = tmp_path / "informe.html"
    path.write_text(render_html.render(report(name=MARKUP)), encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(path.as_uri())
    assert asked == [path.as_uri()], f"the page asked for more than itself: {asked}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sizes = page.evaluate("Array.from(document.querySelectorAll('figure svg')).map(s => s.getBoundingClientRect()"
                          ".width)")
    assert len(sizes) == 3 and all(0 < w <= width for w in sizes)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=True)
    context.close()
