"""The activities layer draws in a real browser: from the programme page's «Ver en el mapa» the map opens with the
hot spots and the programme's activities drawn over them; ticked on the map, the layer is fetched for the
programme chosen."""

from __future__ import annotations

import pytest

from browser.test_programme_markers import demo  # noqa: F401 - the demo with its programmes, for a live server
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

PROGRAMME = "patrullaje-preventivo"


def _drawn(page, layer: str) -> list:  # noqa: F811
    """(index in the figure, markers) of each visible trace of ``layer``."""
    return page.evaluate(
        "(key) => document.getElementById('layer-map').data.map((t, i) => [i, t]).filter(([i, t]) => t.meta &&"
        " t.meta.layer === key && t.visible !== false).map(([i, t]) => [i, (t.x || []).length])", layer)


def test_ver_en_el_mapa_draws_the_activities_over_the_hot_spots(page, live_server, demo):  # noqa: F811
    from observatorio.programmes.models import Activity

    page.goto(live_server.url + f"/programas/{PROGRAMME}/")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#focus-map-link", timeout=30_000)
    page.click("#focus-map-link")
    page.wait_for_url("**/mapa/?**")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=30_000)
    assert "programa=" + PROGRAMME in page.url
    activities, hot = _drawn(page, "actividades"), _drawn(page, "gi")
    assert activities and hot, "both layers are drawn"
    assert min(i for i, _n in activities) > max(i for i, _n in hot)  # over the hot spots
    assert page.is_checked("#capa-actividades") and page.is_checked("#capa-gi")
    shown = sum(n for _i, n in activities)
    assert 0 < shown <= Activity.objects.filter(programme__code=PROGRAMME).count()
    assert page.locator("#f-programa").input_value() == PROGRAMME
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#layer-map").screenshot(path=str(ARTIFACTS / "map-activities-over-hotspots.png"))


def test_ticking_the_layer_fetches_the_chosen_programmes_activities(page, live_server, demo):  # noqa: F811
    page.goto(live_server.url + f"/mapa/?period=12m&programa={PROGRAMME}")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#layer-map[data-ready='1']", timeout=30_000)
    assert _drawn(page, "actividades") == []
    with page.expect_response(lambda r: "/mapa/capa/actividades.json" in r.url) as answer:
        page.check("#capa-actividades")
    assert f"programa={PROGRAMME}" in answer.value.url and answer.value.status == 200
    page.wait_for_function("() => document.getElementById('layer-map').data.some(t => t.meta && "
                           "t.meta.layer === 'actividades')", timeout=15_000)
    titles = answer.value.json()["title"]
    assert "Patrullaje" in titles  # the layer names the programme chosen
