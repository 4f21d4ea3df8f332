"""The demo on Peñalolén's real geography (``demo --geography``) in a real browser: home, dashboard, map.

A test of its own, not the shared demo of the other browser tests: those assert the drawn demo's names and
shapes (docs/decisions.md). Skipped when ../shared/data is absent; screenshots go to artifacts/.
"""

from __future__ import annotations

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures
from tests.conftest import DEMO_AS_OF, SHARED_DATA

FOLDER = SHARED_DATA / "penalolen"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not FOLDER.is_dir(), reason=f"{FOLDER} is absent: the real geography lives in "
                                                             f"../shared/data beside the project")]


@pytest.fixture
def real_demo(transactional_db):
    from django.conf import settings

    from observatorio import state
    from observatorio.demo.load import load_scenario
    from observatorio.demo.scenario import build_scenario
    from observatorio.records.measures import seed_measures

    key = settings.RUT_HASH_KEY
    scenario = build_scenario("13122", seed=1, years=3, as_of=DEMO_AS_OF, n_events=3_000, geography=FOLDER,
                              key=key.encode() if isinstance(key, str) else bytes(key))
    state.reset()
    loaded = load_scenario(scenario, show_progress=False)
    seed_measures()  # a transactional test's flush empties the measures migration 0008 seeded
    state.reset()
    yield loaded
    state.reset()


def test_home_dashboard_and_map_on_the_real_geography(page, live_server, real_demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/")
    page.fill("#id_username", "analista")
    page.fill("#id_password", real_demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.wait_for_selector("#territory-map.js-plotly-plot svg.main-svg", timeout=15_000)
    assert page.locator('[data-kpi="areas"]').inner_text() == "37"  # the comuna, 5 macrosectors, 31 real UVs
    assert page.locator("#territory-map .scatterlayer .trace").count() >= 31
    page.screenshot(path=str(ARTIFACTS / "real-geography-home.png"), full_page=True)

    page.goto(live_server.url + "/tablero/")
    page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "real-geography-dashboard.png"), full_page=True)

    page.goto(live_server.url + "/mapa/?period=custom&start=2024-01-01&end=2026-11-25&capa=coropletico-count&capa=limites-uv&capa=eventos&capa=lugares")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "real-geography-map.png"), full_page=True)
    assert page.problems == []
