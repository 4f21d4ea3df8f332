"""The activities layer of the map: its features are the programme's activities in the map's period (points where
they have one, the area's interior point where they have only an area), every role with the map sees them, and
the programme page's «Ver en el mapa» opens the map with the hot spots and this layer for that programme."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
import shapely
from django.urls import reverse

from observatorio import state

PROGRAMME = "patrullaje-preventivo"


@pytest.fixture(scope="module")
def demo(demo_programmes):
    return demo_programmes


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


def _window():
    end = state.current().as_of
    return end - dt.timedelta(days=89), end


def _query(start, end, **more) -> str:
    from urllib.parse import urlencode

    return urlencode({"period": "custom", "start": f"{start:%d-%m-%Y}", "end": f"{end:%d-%m-%Y}", **more})


def _expected(start, end, code=None) -> dict:
    """Activities overlapping [start, end], by id → (has a point, area id), straight from the database."""
    from observatorio.programmes.models import Activity

    rows = Activity.objects.all() if code is None else Activity.objects.filter(programme__code=code)
    return {a.id: (a.lon is not None and a.lat is not None, a.area_id) for a in rows
            if a.date <= end and (a.end_date or a.date) >= start}


def _figure(response) -> dict:
    text = response.content.decode()
    marker = '<script id="layer-map-data" type="application/json">'
    start = text.index(marker) + len(marker)
    return json.loads(text[start:text.index("</script>", start)])


@pytest.mark.django_db
def test_features_are_the_programmes_activities_in_the_window(client, demo, personas):
    from observatorio.territory.models import Area

    start, end = _window()
    expected = _expected(start, end, PROGRAMME)
    assert len(expected) >= 10 and any(not p for p, _a in expected.values())  # points and area-only ones
    client.force_login(personas["bob"])
    url = reverse("map_layer", args=("actividades", "geojson")) + "?" + _query(start, end, programa=PROGRAMME)
    data = json.loads(client.get(url).content)
    got = {f["properties"]["actividad_id"]: f for f in data["features"]}
    assert set(got) == {i for i, (point, area) in expected.items() if point or area}
    assert {f["properties"]["programa"] for f in got.values()} == {PROGRAMME}
    for i, f in got.items():
        point, area = expected[i]
        assert f["properties"]["ubicacion"] == ("punto" if point else "área")
        if not point:  # drawn at a point inside its area
            shape = Area.objects.get(pk=area).boundaries.order_by("-valid_from").first().shape
            assert shape.buffer(1e-6).contains(shapely.Point(f["geometry"]["coordinates"]))
    # The map's JSON: one marker per placed activity, each hover naming the activity, date, people, programme.
    js = json.loads(client.get(url.replace(".geojson", ".json")).content)
    texts = [t for trace in js["traces"] for t in trace["text"]]
    assert len(texts) == len(got)
    some = next(iter(got.values()))["properties"]
    day = dt.date.fromisoformat(some["fecha"]).strftime("%d-%m-%Y")
    assert any(some["actividad"] in t and day in t and f"{some['participantes']} participantes" in t
               and "Patrullaje" in t for t in texts)
    assert any("sin punto exacto" in t for t in texts)  # the area-only ones say so


@pytest.mark.django_db
def test_all_programmes_without_programa_and_a_new_activity_shows_at_once(client, demo, personas):
    from observatorio.programmes.models import Activity, Programme

    start, end = _window()
    client.force_login(personas["ana"])  # an authority: the municipality's own work, every role sees it
    url = reverse("map_layer", args=("actividades", "geojson")) + "?" + _query(start, end)
    before = {f["properties"]["actividad_id"] for f in json.loads(client.get(url).content)["features"]}
    assert before == {i for i, (point, area) in _expected(start, end).items() if point or area}
    assert len({Activity.objects.get(pk=i).programme_id for i in before}) > 1
    prog = Programme.objects.get(code=PROGRAMME)
    added = Activity.objects.create(programme=prog, title="Ronda nueva", date=end, lon=-70.55, lat=-33.48,
                                    participants=3)
    after = {f["properties"]["actividad_id"] for f in json.loads(client.get(url).content)["features"]}
    assert after == before | {added.id}  # not kept between requests
    typed = Activity.objects.create(programme=prog, title="<img src=x onerror=alert(1)>", date=end, lon=-70.55,
                                    lat=-33.48)
    traces = json.loads(client.get(url.replace(".geojson", ".json")).content)["traces"]
    (text,) = [t for trace in traces for t in trace["text"] if "img" in t]
    assert "<img" not in text and "&lt;img src=x" in text  # a typed title is text, never markup in the hover
    typed.delete()
    outside = Activity.objects.create(programme=prog, title="Antes", date=start - dt.timedelta(days=1),
                                      lon=-70.55, lat=-33.48)
    assert outside.id not in {f["properties"]["actividad_id"] for f in json.loads(client.get(url).content)["features"]}


@pytest.mark.django_db
def test_unknown_programme_is_refused_with_the_fix(client, demo, personas):
    client.force_login(personas["bob"])
    response = client.get(reverse("map_layer", args=("actividades", "json")) + "?programa=no-existe")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"]["code"] == "invalid_programme" and "no-existe" in body["error"]["message"]
    page = client.get(reverse("map") + "?programa=no-existe&capa=actividades")
    assert page.status_code == 400 and "no es el código de ningún programa" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "olga", "ana"])
def test_ver_en_el_mapa_opens_the_hot_spots_and_the_programmes_activities(client, demo, personas, who):
    client.force_login(personas[who])
    page = client.get(f"/programas/{PROGRAMME}/")
    assert page.status_code == 200
    found = re.search(r'id="focus-map-link" href="([^"]+)"', page.content.decode())
    assert found, "the focus block has no «Ver en el mapa» link"
    link = html.unescape(found.group(1))
    assert link.startswith(reverse("map") + "?")
    response = client.get(link)
    assert response.status_code == 200
    ctx = response.context
    assert {"gi", "actividades"} <= set(ctx["wanted"]) and ctx["programme"] == PROGRAMME
    assert f"programa={PROGRAMME}" in ctx["query"]  # the layers fetched later and the downloads keep it
    drawn = [t["meta"]["layer"] for t in _figure(response)["data"]]
    assert "actividades" in drawn and "gi" in drawn
    assert max(i for i, k in enumerate(drawn) if k == "gi") < drawn.index("actividades")  # drawn over
    # The same window as the focus figure: the activities drawn are the programme's in it.
    f = ctx["filters"]
    placed = {i for i, (p, a) in _expected(f.start, f.end, PROGRAMME).items() if p or a}
    assert sum(len(t["x"]) for t in _figure(response)["data"] if t["meta"]["layer"] == "actividades") == len(placed)
    assert f'<option value="{PROGRAMME}" selected>' in response.content.decode()

