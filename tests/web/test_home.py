"""The home page: who may see it, what it shows with no data and with a hand-counted dataset."""

import json
import re

import pytest
from django.db import models
from django.urls import reverse

from .dataset import AS_OF, EXPECTED, POPULATION, POPULATION_YEAR


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


def _cell(text, measure, figure):
    row = re.search(rf'<tr data-measure="{measure}">(.*?)</tr>', text, re.S).group(1)
    return re.search(rf'data-figure="{figure}">([^<]*)<', row).group(1)


# The small dataset's events by measure (stop → casos-policiales, 1461 → llamados-1461): current, previous.
CASES, CALLS = EXPECTED["stop"], EXPECTED["1461"]


def test_headline_counts_on_small_dataset(as_user, personas, small_dataset):
    response = as_user(personas["bob"]).get(reverse("home"))
    text = response.content.decode()
    headline = response.context["headline"]
    assert headline.as_of == AS_OF
    # The default measure is the headline; the calls stand beside it with their own name and unit.
    assert headline.main.code == "casos-policiales"
    assert [(m.code, m.count, m.figure.previous.count, m.figure.last_year.count) for m in headline.figures] == [
        ("casos-policiales", *CASES, 0), ("llamados-1461", *CALLS, 0)]
    assert headline.comuna == "Peñalolén"
    assert _cell(text, "casos-policiales", "count") == str(CASES[0])
    # 5 cases among 270,054 people: 0.0185 per 1,000.
    assert _cell(text, "casos-policiales", "rate") == "0,02"
    assert headline.main.figure.rate == pytest.approx(1000 * CASES[0] / POPULATION)
    # The old cards (a headline count, the areas, the inhabitants) repeated the blocks above: gone.
    assert "data-kpi" not in text and 'class="kpis"' not in text
    assert "Áreas del territorio" not in text and f"Habitantes, {POPULATION_YEAR}" not in text
    assert "Datos al 15-03-2026" in text
    assert "Del 16-02-2026 al 15-03-2026" in text  # 28 days ending on the latest event, both included
    cases_row = re.search(r'<tr data-measure="casos-policiales">(.*?)</tr>', text, re.S).group(1)
    assert "+150\u00a0%" in cases_row and "(casos)" in cases_row
    calls_row = re.search(r'<tr data-measure="llamados-1461">(.*?)</tr>', text, re.S).group(1)
    assert "−50\u00a0%" in calls_row and "Llamados al 1461" in calls_row and "(llamados)" in calls_row


def test_every_figure_links_to_the_board_with_its_measure(as_user, personas, small_dataset):
    text = as_user(personas["bob"]).get(reverse("home")).content.decode()
    board = reverse("board")
    for code in ("casos-policiales", "llamados-1461"):
        row = re.search(rf'<tr data-measure="{code}">(.*?)</tr>', text, re.S).group(1)
        assert f'href="{board}?measure={code}"' in row


def _orm_count(code, start, end):
    """The measure's events from the database: its sources (and categories, if it names any) in [start, end]."""
    from observatorio.records.models import Event, Measure

    measure = Measure.objects.get(code=code)
    events = Event.objects.filter(source__in=measure.sources.all(), occurred_on__gte=start, occurred_on__lte=end)
    if measure.categories.exists():
        cats = measure.categories.all()
        events = events.filter(models.Q(category__in=cats) | models.Q(category__parent__in=cats))
    return events.count()


def test_home_figures_equal_the_orm_counts_of_each_measure(as_user, personas, small_dataset):
    import datetime as dt

    from observatorio.records.models import Combine, Measure, MeasureKind

    headline = as_user(personas["bob"]).get(reverse("home")).context["headline"]
    start, end = AS_OF - dt.timedelta(days=27), AS_OF
    previous = (start - dt.timedelta(days=28), start - dt.timedelta(days=1))
    last_year = (start.replace(year=start.year - 1), end.replace(year=end.year - 1))
    shown = {m.code for m in headline.figures}
    # Every count measure with sources is shown (none is sensitive here), and nothing else.
    assert shown == set(Measure.objects.filter(kind=MeasureKind.COUNT, sources__isnull=False).values_list("code", flat=True))
    assert not Measure.objects.filter(code__in=shown).exclude(combine=Combine.SINGLE).exists()
    for m in headline.figures:
        assert m.count == _orm_count(m.code, start, end)
        assert m.figure.previous.count == _orm_count(m.code, *previous)
        assert m.figure.last_year.count == _orm_count(m.code, *last_year)


def test_no_figure_is_the_sum_over_sources(as_user, personas, small_dataset):
    import datetime as dt

    from observatorio.records.models import Event

    response = as_user(personas["bob"]).get(reverse("home"))
    text = response.content.decode()
    start = AS_OF - dt.timedelta(days=27)
    all_now = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=AS_OF).count()
    all_before = Event.objects.filter(occurred_on__gte=start - dt.timedelta(days=28), occurred_on__lt=start).count()
    assert (all_now, all_before) == EXPECTED["total"]
    shown = re.findall(r'data-figure="(?:count|previous)">([^<]*)<', text)
    assert len(shown) == 2 * 2
    assert str(all_now) not in shown and str(all_before) not in shown
    assert not hasattr(response.context["headline"], "total")


@pytest.fixture
def vif_events(small_dataset):
    """A VIF programme source (it joins the sensitive measure casos-vif) with two cases in the window."""
    from observatorio.records.models import Event, Source, SourceKind
    from observatorio.records.snapshot import bump

    vif = Source.objects.create(code="vif", name="Programa VIF", kind=SourceKind.VIF)
    Event.objects.bulk_create([Event(source=vif, occurred_on=AS_OF, area=small_dataset.areas["UV1"],
                                     original_label="VIF", precision="area") for _ in range(2)])
    bump()
    return vif


@pytest.mark.parametrize("name, sees", [("bob", True), ("olga", True), ("ana", False)],
                         ids=["analyst", "operator", "authority"])
def test_sensitive_measure_only_for_roles_that_see_events(as_user, personas, vif_events, name, sees):
    from observatorio import state

    state.reset()
    response = as_user(personas[name]).get(reverse("home"))
    text = response.content.decode()
    codes = [m.code for m in response.context["headline"].figures]
    assert ("casos-vif" in codes) is sees
    assert ('data-measure="casos-vif"' in text) is sees
    assert ("Casos de violencia intrafamiliar" in text) is sees
    if sees:
        vif = next(m for m in response.context["headline"].figures if m.code == "casos-vif")
        # The operator is aggregate-only for a measure outside their sources: 2 is suppressed (disclosure).
        assert vif.count == (2 if name == "bob" else None)
    # The headline measure stays the default one, whoever looks.
    assert codes[0] == "casos-policiales"


def _figure(text):
    return json.loads(re.search(r'id="territory-map-data" type="application/json">(.*?)</script>', text, re.S).group(1))


def test_map_colours_uvs_by_twelve_month_count(as_user, personas, small_dataset):
    text = as_user(personas["bob"]).get(reverse("home")).content.decode()
    figure = _figure(text)
    uv_traces = {t["name"]: t for t in figure["data"] if t.get("fill") == "toself" and t["name"].startswith("UV")}
    assert set(uv_traces) == {"UV1", "UV2", "UV3", "UV4"}
    # The headline measure's cases (stop) in the 12 months; the calls are not added in.
    for code, count in {"UV1": 5, "UV2": 2, "UV3": 0, "UV4": 0}.items():
        assert f"<br>{count} casos" in uv_traces[code]["text"]
    assert "UV 1 Lo Hermida" in uv_traces["UV1"]["text"]
    assert "Casos policiales por unidad vecinal" in text
    # UV3 and UV4 have the same count, so the same colour; UV1, the busiest, the top of the scale.
    assert uv_traces["UV3"]["fillcolor"] == uv_traces["UV4"]["fillcolor"]
    assert uv_traces["UV1"]["fillcolor"] != uv_traces["UV2"]["fillcolor"]
    colorbar = [t for t in figure["data"] if t.get("marker", {}).get("showscale")]
    assert len(colorbar) == 1 and colorbar[0]["marker"]["cmax"] == 5
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
    assert _cell(text, "casos-policiales", "rate") == "0.02"
    assert "Data as of 15 Mar 2026" in text
    assert "<br>5 casos" in json.dumps(_figure(text))  # measure names and units are data, in Spanish
    assert _figure(text)["layout"]["separators"] == ".,"


@pytest.mark.parametrize("query", ["measure=llamados-1461&period=28d", "measure=casos-policiales&period=ytd",
                                   "measure=llamados-1461&period=12m&level=macrosector"])
def test_filters_for_equals_the_filters_the_url_gives(small_dataset, query):
    """One way to pick a measure's events: filters built in code equal the URL's for the same choice."""
    from django.http import QueryDict

    from observatorio import state
    from observatorio.dashboard.filters import filters_for, parse_filters

    state.reset()
    data = state.current()
    parsed, errors = parse_filters(QueryDict(query), data)
    assert not errors
    built = filters_for(data, measure=parsed.measure, start=parsed.start, end=parsed.end, period=parsed.period,
                        level=parsed.level)
    source = {"llamados-1461": "1461", "casos-policiales": "stop"}[parsed.measure]
    assert built == parsed and built.sources == (small_dataset.sources[source].id,)
