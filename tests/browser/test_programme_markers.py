"""The dashboard's trend chart marks a programme's start in a real browser: a dotted line and its name."""

from __future__ import annotations

import datetime as dt

import pytest

from browser.test_board import demo  # noqa: F401 - the demo, loaded for a live server
from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def test_trend_shows_the_start_of_a_programme(page, live_server, demo):  # noqa: F811
    from observatorio.programmes.models import Programme
    from observatorio.state import holder

    as_of = holder.current().as_of
    Programme.objects.filter(code="patrullaje-preventivo").update(start=as_of - dt.timedelta(days=90))
    page.goto(live_server.url + "/tablero/?period=12m")
    page.fill("#id_username", "analista")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/tablero/?period=12m")
    page.wait_for_selector("#fig-tendencia.js-plotly-plot svg.main-svg", timeout=15_000)
    note = page.locator("#fig-tendencia .annotation-text", has_text="Inicio: Patrullaje preventivo")
    note.wait_for(timeout=10_000)
    assert page.locator("#fig-tendencia .shapelayer path").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#fig-tendencia").screenshot(path=str(ARTIFACTS / "trend-programme-start.png"))
