"""The clusters follow the zoom (#14), in a real browser: the "grupos" layer is asked for with the cell suited
to the view, zooming in asks for it again on a finer cell, zooming back out on the coarse one."""

from __future__ import annotations

import re

import pytest

from browser.test_map_profile import demo  # noqa: F401 - the demo loaded for a live server
from browser.test_map_readable import _sign_in
from browser.test_smoke import browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

CELL = re.compile(r"/mapa/capa/grupos\.json\?.*\bcelda=(\d+)")


def test_zooming_in_asks_for_the_clusters_on_a_finer_cell(page, live_server, demo):  # noqa: F811
    _sign_in(page, live_server, demo, "/mapa/")
    asked = []
    page.on("request", lambda request: asked.extend(int(m.group(1)) for m in [CELL.search(request.url)] if m))
    with page.expect_response(lambda r: CELL.search(r.url) is not None and r.status == 200):
        page.check("#capa-grupos")
    page.wait_for_function("() => document.getElementById('layer-map').data.some("
                           "t => t.meta && t.meta.layer === 'grupos')")
    first = asked[-1]
    assert first in (1000, 500, 250, 125)
    assert page.get_attribute("#layer-map", "data-cluster-cell") == str(first)
    bubbles = "() => document.getElementById('layer-map').data.filter(t => t.meta && t.meta.layer === 'grupos')"
    before = page.evaluate(bubbles + ".map(t => t.x.length)")
    assert len(before) == 1 and before[0] > 0

    # Zoom in to a 3 km window at the centre, as the map's search or a box zoom does (a relayout, whose end the
    # page listens to; synthetic wheel events did not zoom the plot in headless chromium when tried).
    page.evaluate("""() => {
      const gd = document.getElementById('layer-map'), x = gd._fullLayout.xaxis.range, y = gd._fullLayout.yaxis.range;
      const cx = (x[0] + x[1]) / 2, cy = (y[0] + y[1]) / 2;
      return Plotly.relayout(gd, {'xaxis.range': [cx - 1500, cx + 1500], 'yaxis.range': [cy - 1500, cy + 1500]});
    }""")
    page.wait_for_function(f"() => Number(document.getElementById('layer-map')"
                           f".getAttribute('data-cluster-cell')) < {first}", timeout=15_000)
    finer = asked[-1]
    assert finer < first and finer in (500, 250, 125)
    after = page.evaluate(bubbles + ".map(t => t.x.length)")
    assert len(after) == 1  # the coarse bubbles were replaced, not drawn twice
    width = page.evaluate("() => { const r = document.getElementById('layer-map')._fullLayout.xaxis.range;"
                          " return Math.abs(r[1] - r[0]); }")
    assert width / finer <= 30  # the cell suits the view: at most 30 cells across

    # Zooming back out asks for the coarser cell again.
    page.evaluate("() => Plotly.relayout('layer-map', {'xaxis.autorange': true, 'yaxis.autorange': true})")
    page.wait_for_function(f"() => Number(document.getElementById('layer-map')"
                           f".getAttribute('data-cluster-cell')) === {first}", timeout=15_000)
    assert asked[-1] == first
