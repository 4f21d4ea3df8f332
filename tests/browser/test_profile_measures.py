"""An area profile in a real browser: each measure its own row and line, the ranking measure named, on a phone."""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio import state
    from observatorio.demo.load import load_scenario
    from observatorio.records.measures import seed_measures

    state.reset()
    loaded = load_scenario(demo_scenario, show_progress=False)
    seed_measures()  # a transactional test's flush empties the measures migration 0008 seeded
    state.reset()
    yield loaded
    state.reset()


def _open(browser, live_server, user, password, url, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="es-CL")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.goto(live_server.url + url)
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#trend-chart .main-svg", timeout=15_000)
    return context, page


def _uv(name_index: int = 0) -> int:
    from observatorio import state

    return state.current().index.ids_at("uv")[name_index]


@pytest.mark.parametrize("user, width, sees_vif", [("analista", 1360, True), ("autoridad", 390, False)],
                         ids=["analyst-desktop", "authority-phone"])
def test_profile_shows_each_measure_apart(browser, live_server, demo, user, width, sees_vif):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(browser, live_server, user, demo.password, f"/area/{_uv()}/", width)
    rows = page.locator("#headline-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.indicator)")
    expected = ["casos-policiales", "denuncias", "llamados-1461", "patrullajes"] + (["casos-vif"] if sees_vif else [])
    assert rows == expected
    # One line per measure, named with its unit; never a line of sources added together.
    names = page.evaluate("document.getElementById('trend-chart').data.map(t => t.name)")
    measures = page.evaluate("document.getElementById('trend-chart').data.map(t => t.meta.measure)")
    assert set(measures) <= set(expected) and "llamados-1461" in measures
    assert "Llamados al 1461 (llamados)" in names
    # The authority's monthly police cases of one UV are all 1..4: withheld (docs/disclosure.md), no line drawn.
    assert ("casos-policiales" in measures and "Casos policiales (casos)" in names) is sees_vif
    assert not any("Denuncias y casos" in n for n in names)
    assert "Casos policiales" in page.locator("[data-fact='ranking-measure']").inner_text()
    assert page.locator("[data-fact='beside-rate']").get_attribute("data-measure") == "llamados-1461"
    if width <= 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"profile-measures-{user}.png"), full_page=True)
    context.close()
    assert page.errors == []
