"""The demo as a person meets it: log in, see the Peñalolén home page, nothing broken."""

from __future__ import annotations

import datetime as dt

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo_scenario):
    from observatorio import state
    from observatorio.demo.load import load_scenario
    from observatorio.records.measures import seed_measures

    state.reset()
    loaded = load_scenario(demo_scenario, show_progress=False)
    # A transactional test's flush empties the measures migration 0008 seeded: seed them again (idempotent).
    seed_measures()
    state.reset()
    yield loaded
    state.reset()


def _chilean(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _measure_counts(start, end) -> dict[str, int]:
    """Each count measure's events in [start, end] from the database (the demo's measures are single-source)."""
    from observatorio.records.models import Event, Measure, MeasureKind

    return {m.code: Event.objects.filter(source__in=m.sources.all(), occurred_on__gte=start,
                                         occurred_on__lte=end).count()
            for m in Measure.objects.filter(kind=MeasureKind.COUNT, sources__isnull=False).distinct()}


def _log_in(page, url, user, password):  # noqa: F811
    page.goto(url)
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(url)


def test_home_page_of_the_demo_has_no_console_errors(page, live_server, demo):  # noqa: F811
    from observatorio.records.models import Event

    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, live_server.url + "/", "analista", demo.password)
    page.wait_for_selector("#territory-map.js-plotly-plot svg.main-svg", timeout=15_000)

    # 5 macrosectors + 31 UVs + the comuna outline are drawn as traces.
    assert page.locator("#territory-map .scatterlayer .trace").count() >= 31
    assert page.locator(".kpis, [data-kpi]").count() == 0  # no cards of areas, inhabitants or events
    assert "Panorama del territorio" in page.locator("h1").inner_text()

    # The headline is the police cases of Peñalolén in the 28 days up to the latest event; every other count
    # measure stands beside it with its own figure; none is the sum over sources.
    as_of = Event.objects.latest("occurred_on").occurred_on
    start = as_of - dt.timedelta(days=27)
    expected = _measure_counts(start, as_of)
    assert "Cada medida por separado en Peñalolén" in page.locator("#measures-title").text_content()
    rows = page.locator("#measures-table tbody tr")
    shown = {rows.nth(i).get_attribute("data-measure"): rows.nth(i).locator('[data-figure="count"]').inner_text()
             for i in range(rows.count())}
    assert shown == {code: _chilean(n) for code, n in expected.items()}
    everything = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=as_of).count()
    assert _chilean(everything) not in shown.values()
    assert _chilean(sum(expected.values())) not in shown.values()
    page.screenshot(path=str(ARTIFACTS / "demo-home-es.png"), full_page=True)

    # A measure's name opens the dashboard on it.
    page.click('#measures-table tr[data-measure="casos-policiales"] th a')
    page.wait_for_url("**/tablero/?measure=casos-policiales")
    assert page.problems == []


def test_home_fits_a_phone_and_hides_sensitive_measures_from_the_authority(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()  # noqa: F811
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, live_server.url + "/", "autoridad", demo.password)
    page.wait_for_selector("#territory-map.js-plotly-plot svg.main-svg", timeout=15_000)
    codes = page.locator("#measures-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.measure)")
    assert codes[0] == "casos-policiales" and "llamados-1461" in codes and "casos-vif" not in codes
    # Nothing wider than the phone: the measures table scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "demo-home-phone-es.png"), full_page=True)
    context.close()
    assert errors == []
