"""The home page: who may see it, what it shows with no data and with a hand-counted dataset."""

import json
import re

import pytest
from django.urls import reverse

from .dataset import AS_OF, EXPECTED, POPULATION_YEAR


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/")


def test_user_without_role_gets_spanish_403(as_user, personas):
    response = as_user(personas["charlie"]).get(reverse("home"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "Acceso no permitido" in text
    assert "Cerrar sesión" in text  # the logout form is still offered
    assert 'href="/admin/"' not in text


@pytest.mark.parametrize("name", ["alice", "bob", "olga", "ana"])
def test_every_role_sees_home(as_user, personas, name):
    assert as_user(personas[name]).get(reverse("home")).status_code == 200


@pytest.mark.parametrize("name, sees_admin", [("alice", True), ("bob", False), ("olga", False), ("ana", False)],
                         ids=["admin", "analyst", "operator", "authority"])
def test_navigation_follows_roles(as_user, personas, name, sees_admin):
    text = as_user(personas[name]).get(reverse("home")).content.decode()
    assert ('href="/admin/"' in text) is sees_admin


def test_empty_database_says_how_to_load_data(as_user, personas):
    response = as_user(personas["bob"]).get(reverse("home"))
    text = response.content.decode()
    assert "Sin datos aún" in text
    assert "observatorio demo" in text
    assert response.context["figure"] is None
    assert "plotly.min.js" not in text


def test_territory_without_events_shows_the_map_and_says_so(as_user, personas):
    from observatorio.territory.comunas import setup_comuna

    setup_comuna("13122")
    response = as_user(personas["bob"]).get(reverse("home"))
    text = response.content.decode()
    assert "aún no hay eventos cargados" in text
    traces = response.context["figure"]["data"]
    assert [t["name"] for t in traces] == ["13122"] and traces[0]["fill"] == "toself"
    assert "Sin datos aún" not in text


def test_page_has_lang_skip_link_and_no_external_resources(as_user, personas, small_dataset):
    text = as_user(personas["bob"]).get(reverse("home")).content.decode()
    assert '<html lang="es-CL">' in text
    assert 'href="#contenido"' in text and 'id="contenido"' in text
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text), "the page must not load anything from the network"
    assert "/static/vendor/plotly.min.js" in text


def _kpi(text, name):
    return re.search(rf'data-kpi="{name}">([^<]*)<', text).group(1)


def test_headline_counts_on_small_dataset(as_user, personas, small_dataset):
    response = as_user(personas["bob"]).get(reverse("home"))
    text = response.content.decode()
    headline = response.context["headline"]
    assert headline.as_of == AS_OF
    assert {s.code: (s.current, s.previous) for s in headline.by_source} == {
        "stop": EXPECTED["stop"], "1461": EXPECTED["1461"]}
    assert (headline.total.current, headline.total.previous) == EXPECTED["total"]
    assert _kpi(text, "events") == "8"
    assert _kpi(text, "areas") == str(EXPECTED["areas"])
    # Chilean grouping: a dot every three digits.
    assert _kpi(text, "population") == "270.054"
    assert f"Habitantes, {POPULATION_YEAR}" in text
    assert "Datos al 15-03-2026" in text
    assert "Del 16-02-2026 al 15-03-2026" in text  # 28 days ending on the latest event, both included
    stop_row = re.search(r'data-source="stop">(.*?)</tr>', text, re.S).group(1)
    assert "+150\u00a0%" in stop_row
    call_row = re.search(r'data-source="1461">(.*?)</tr>', text, re.S).group(1)
    assert "−50\u00a0%" in call_row


def _figure(text):
    return json.loads(re.search(r'id="territory-map-data" type="application/json">(.*?)</script>', text, re.S).group(1))


def test_map_colours_uvs_by_twelve_month_count(as_user, personas, small_dataset):
    text = as_user(personas["bob"]).get(reverse("home")).content.decode()
    figure = _figure(text)
    uv_traces = {t["name"]: t for t in figure["data"] if t.get("fill") == "toself" and t["name"].startswith("UV")}
    assert set(uv_traces) == {"UV1", "UV2", "UV3", "UV4"}
    for code, count in EXPECTED["uv_12_months"].items():
        assert f"<br>{count} eventos" in uv_traces[code]["text"]
    assert "UV 1 Lo Hermida" in uv_traces["UV1"]["text"]
    # UV2 and UV4 have the same count, so the same colour; UV1, the busiest, the top of the scale.
    assert uv_traces["UV2"]["fillcolor"] == uv_traces["UV4"]["fillcolor"]
    assert uv_traces["UV1"]["fillcolor"] != uv_traces["UV3"]["fillcolor"]
    colorbar = [t for t in figure["data"] if t.get("marker", {}).get("showscale")]
    assert len(colorbar) == 1 and colorbar[0]["marker"]["cmax"] == 11
    # Plain cartesian axes at 1:1: no geo/mapbox traces that would fetch tiles or topojson.
    assert {t["type"] for t in figure["data"]} == {"scatter"}
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "http" not in json.dumps(figure["data"])


def test_map_draws_the_outlines_of_the_map_page(as_user, personas, small_dataset):
    """One way to draw areas: the home page's outlines are the territory's rings (projection and rounding)."""
    from observatorio import state
    from observatorio.dashboard.layers.base import territory

    figure = _figure(as_user(personas["bob"]).get(reverse("home")).content.decode())
    data = state.current()
    terr = territory(data, data.as_of)
    rings = {s.code: terr.rings_xy(s) for shapes in terr.shapes.values() for s in shapes}
    drawn = [t for t in figure["data"] if t.get("name") in rings]
    assert len(drawn) == len(rings)
    for trace in drawn:
        assert (trace["x"], trace["y"]) == tuple(map(list, rings[trace["name"]]))


def test_authority_sees_aggregates_only(as_user, personas, small_dataset):
    ana = as_user(personas["ana"]).get(reverse("home"))
    assert ana.context["recent_events"] == []
    assert "Últimos eventos registrados" not in ana.content.decode()
    assert "solo cifras agregadas" in ana.content.decode()


def test_analyst_sees_latest_events(as_user, personas, small_dataset):
    bob = as_user(personas["bob"]).get(reverse("home"))
    assert "Últimos eventos registrados" in bob.content.decode()
    assert bob.context["recent_events"][0].occurred_on == AS_OF


def test_operator_sees_only_her_sources_events(as_user, personas, small_dataset):
    olga = as_user(personas["olga"]).get(reverse("home"))
    codes = {e.source.code for e in olga.context["recent_events"]}
    assert codes == {"1461"}


def test_home_in_english_uses_english_numbers_and_dates(as_user, personas, small_dataset, settings):
    client = as_user(personas["bob"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in text
    assert _kpi(text, "population") == "270,054"
    assert "Data as of 15 Mar 2026" in text
    assert "<br>11 events" in json.dumps(_figure(text))
    assert _figure(text)["layout"]["separators"] == ".,"
