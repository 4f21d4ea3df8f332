"""The demo on Peñalolén's real geography (``demo --geography``) in a real browser: home, dashboard, map.

A test of its own, not the shared demo of the other browser tests: those assert the drawn demo's names and
shapes (docs/decisions.md). Skipped when ../shared/data is absent; screenshots go to artifacts/.
"""

from __future__ import annotations

import pytest

from browser.test_demo_home import _log_in, demo  # noqa: F401 - the demo fixture loads demo_scenario below
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures
from tests.conftest import DEMO_AS_OF, SHARED_DATA

FOLDER = SHARED_DATA / "penalolen"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not FOLDER.is_dir(), reason=f"{FOLDER} is absent: the real geography lives in "
                                                             f"../shared/data beside the project")]


@pytest.fixture(scope="module")
def demo_scenario():
    """The real-geography scenario in place of the session's drawn one: test_demo_home's ``demo`` loads it."""
    from django.conf import settings

    from observatorio.demo.scenario import build_scenario

    key = settings.RUT_HASH_KEY
    return build_scenario("13122", seed=1, years=3, as_of=DEMO_AS_OF, n_events=3_000, geography=FOLDER,
                          key=key.encode() if isinstance(key, str) else bytes(key))


def test_home_dashboard_and_map_on_the_real_geography(page, live_server, demo):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    assert demo.counts["addresses"] > 0  # the real-geography demo, not the drawn one
    _log_in(page, live_server.url + "/", "analista", demo.password)
    page.wait_for_selector("#territory-map.js-plotly-plot svg.main-svg", timeout=15_000)
    from observatorio.territory.models import Area

    assert Area.objects.count() == 37  # the comuna, 5 macrosectors, 31 real UVs
    assert page.locator("#territory-map .scatterlayer .trace").count() >= 31
    page.screenshot(path=str(ARTIFACTS / "real-geography-home.png"), full_page=True)

    page.goto(live_server.url + "/tablero/")
    page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "real-geography-dashboard.png"), full_page=True)

    page.goto(live_server.url + "/mapa/?period=custom&start=2024-01-01&end=2026-11-25&capa=coropletico-count&capa=limites-uv&capa=eventos&capa=lugares")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "real-geography-map.png"), full_page=True)
    assert page.problems == []
