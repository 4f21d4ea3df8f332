"""The map page and its layer endpoints: who sees what, and what the downloads hold."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from observatorio import state

PERSONAS_WITH_ROLE = ("alice", "bob", "olga", "ana")


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


def _figure(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="layer-map-data" type="application/json">') + len(
        '<script id="layer-map-data" type="application/json">')
    return json.loads(text[start:text.index("</script>", start)])


def _layers_in(figure) -> set:
    return {t["meta"]["layer"] for t in figure["data"]}


ENDPOINTS = [("map", ()), ("map_layer", ("gi", "json")), ("map_layer", ("coropletico-rate", "geojson")),
             ("map_layer", ("limites-uv", "gpkg")), ("map_layer", ("densidad", "csv"))]


@pytest.mark.parametrize("name, args", ENDPOINTS, ids=["page", "gi-json", "choro-geojson", "uv-gpkg", "kde-csv"])
def test_aggregate_endpoints_by_persona(client, demo, personas, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(personas["charlie"])
    assert client.get(url).status_code == 403
    for who in PERSONAS_WITH_ROLE:
        client.force_login(personas[who])
        assert client.get(url).status_code == 200, who


@pytest.mark.parametrize("fmt", ["json", "geojson", "gpkg", "csv"])
def test_authority_never_receives_event_points(client, demo, personas, fmt):
    client.force_login(personas["ana"])
    assert client.get(reverse("map_layer", args=("eventos", fmt))).status_code == 403
    page = client.get(reverse("map") + "?capa=eventos&capa=limites-comuna")
    assert page.status_code == 200
    assert _layers_in(_figure(page)) == {"limites-comuna"}
    assert 'data-layer="eventos"' not in page.content.decode()


def test_operator_gets_only_their_sources_points(client, demo, personas):
    client.force_login(personas["olga"])
    data = json.loads(client.get(reverse("map_layer", args=("eventos", "geojson")) + "?period=12m").content)
    assert data["features"] and {f["properties"]["fuente"] for f in data["features"]} == {"1461"}
    client.force_login(personas["bob"])
    data = json.loads(client.get(reverse("map_layer", args=("eventos", "geojson")) + "?period=12m").content)
    assert len({f["properties"]["fuente"] for f in data["features"]}) > 1


def test_page_embeds_the_layers_of_its_url_and_defaults(client, demo, personas):
    client.force_login(personas["bob"])
    default = _figure(client.get(reverse("map")))
    assert _layers_in(default) == {"limites-comuna", "limites-macrosector", "coropletico-count"}
    chosen = _figure(client.get(reverse("map") + "?period=12m&capa=gi&capa=densidad&capa=bogus"))
    assert _layers_in(chosen) == {"gi", "densidad"}
    assert chosen["layout"]["images"] == []  # no tile URL configured: nothing to fetch


def test_base_map_only_when_configured(client, demo, personas, settings):
    settings.OBS_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    client.force_login(personas["bob"])
    images = _figure(client.get(reverse("map")))["layout"]["images"]
    assert 0 < len(images) <= 64
    assert all(img["source"].startswith("https://tiles.example.org/") and "{" not in img["source"] for img in images)


def test_layer_json_matches_the_layer_module(client, demo, personas):
    client.force_login(personas["bob"])
    data = json.loads(client.get(reverse("map_layer", args=("coropletico-count", "json")) + "?period=12m").content)
    assert data["key"] == "coropletico-count" and len(data["traces"]) == 32  # 31 UVs + the colour bar
    geo = json.loads(client.get(reverse("map_layer", args=("coropletico-count", "geojson")) + "?period=12m").content)
    from observatorio.records.models import Event

    total = sum(f["properties"]["eventos"] for f in geo["features"])
    in_window = Event.objects.filter(occurred_on__gte=demo_window_start(), area__isnull=False).count()
    assert total == in_window


def demo_window_start():
    import datetime as dt

    from observatorio.records.models import Event

    last = Event.objects.order_by("-occurred_on").first().occurred_on
    return last - dt.timedelta(days=364)


def test_downloads_are_attachments(client, demo, personas):
    client.force_login(personas["bob"])
    gpkg = client.get(reverse("map_layer", args=("gi", "gpkg")) + "?period=12m")
    assert gpkg["Content-Disposition"].startswith('attachment; filename="gi_') and gpkg.content[:16] == b"SQLite format 3\x00"
    csv_text = client.get(reverse("map_layer", args=("limites-macrosector", "csv"))).content.decode("utf-8-sig")
    header, *rows = csv_text.strip().splitlines()
    assert header.split(",")[-2:] == ["lon", "lat"] and len(rows) == 5


@pytest.mark.parametrize("query, status", [("?period=custom", 400), ("?period=nope", 400)], ids=["no-dates", "bad"])
def test_bad_filters_are_explained(client, demo, personas, query, status):
    client.force_login(personas["bob"])
    assert client.get(reverse("map") + query).status_code == status
    response = client.get(reverse("map_layer", args=("gi", "json")) + query)
    assert response.status_code == 400 and "invalid_filters" in response.content.decode()


def test_unknown_layer_or_format_is_404(client, demo, personas):
    client.force_login(personas["bob"])
    assert client.get(reverse("map_layer", args=("nada", "json"))).status_code == 404
    assert client.get(reverse("map_layer", args=("gi", "shp"))).status_code == 404
