"""The map page and its layer endpoints: who sees what, what the downloads hold, and which measure they count."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from observatorio import state

from . import map_orm

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
    url = reverse("map_layer", args=("eventos", "geojson"))
    data = json.loads(client.get(url + "?period=12m&measure=llamados-1461").content)
    assert data["features"] and {f["properties"]["fuente"] for f in data["features"]} == {"1461"}
    # Police cases are not the operator's: the download says so instead of listing any.
    data = json.loads(client.get(url + "?period=12m").content)
    (row,) = data["features"]
    assert "fuente" not in row["properties"] and "no ve eventos" in row["properties"]["aviso"]
    client.force_login(personas["bob"])
    data = json.loads(client.get(url + "?period=12m").content)
    assert {f["properties"]["fuente"] for f in data["features"]} == {"cead-policial"}  # the measure's one source


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
    from observatorio.records.models import Event

    client.force_login(personas["bob"])
    data = json.loads(client.get(reverse("map_layer", args=("coropletico-count", "json")) + "?period=12m").content)
    assert data["key"] == "coropletico-count" and len(data["traces"]) == 32  # 31 UVs + the colour bar
    geo = json.loads(client.get(reverse("map_layer", args=("coropletico-count", "geojson")) + "?period=12m").content)
    f = state.current()
    start, end = _window(f, {"period": "12m"})
    total = sum(row["properties"]["eventos"] for row in geo["features"])
    police = map_orm.events("casos-policiales", start, end).filter(area__isnull=False).count()
    every_source = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end, area__isnull=False).count()
    assert total == data["events"] == geo["events"] == police
    assert every_source > police and str(every_source) not in json.dumps(data)  # no all-sources total


def _window(data, query):
    from observatorio.dashboard.filters import parse_filters

    f, errors = parse_filters(query, data)
    assert not errors
    return f.start, f.end


def test_downloads_are_attachments(client, demo, personas):
    client.force_login(personas["bob"])
    gpkg = client.get(reverse("map_layer", args=("gi", "gpkg")) + "?period=12m")
    assert gpkg["Content-Disposition"].startswith('attachment; filename="gi_casos-policiales_')
    assert gpkg.content[:16] == b"SQLite format 3\x00"
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


def test_the_page_offers_the_dashboard_filters_and_names_the_measure(client, demo, personas):
    from observatorio.records.models import Measure, MeasureKind

    client.force_login(personas["bob"])
    page = client.get(reverse("map") + "?period=12m").content.decode()
    assert 'name="source"' not in page  # no choice of sources to add up
    for measure in Measure.objects.filter(kind=MeasureKind.COUNT):
        assert f'<option value="{measure.code}"' in page
    assert Measure.objects.filter(kind=MeasureKind.SHARE).exists()
    for share in Measure.objects.filter(kind=MeasureKind.SHARE):  # a share is no count of events to map
        assert f'<option value="{share.code}"' not in page
    for name in ('name="period"', 'name="month"', 'name="year"', 'name="family"', 'name="category"', 'name="area"',
                 'name="hour_from"', 'name="hour_to"', 'name="weekday"'):
        assert name in page, name
    for code in ("month", "year", "last-month", "ytd"):
        assert f'<option value="{code}"' in page
    assert "Capas sobre los límites del territorio: Casos policiales (casos)" in page
    assert "<th scope=\"col\" class=\"num\">Casos policiales (casos)</th>" in page
    calls = client.get(reverse("map") + "?period=12m&measure=llamados-1461").content.decode()
    assert "Capas sobre los límites del territorio: Llamados al 1461 (llamados)" in calls
    assert '<option value="llamados-1461" selected>' in calls
    figure = _figure(client.get(reverse("map") + "?period=12m&measure=llamados-1461"))
    (bar,) = [t for t in figure["data"] if t.get("marker", {}).get("colorbar")]
    assert bar["marker"]["colorbar"]["title"]["text"].startswith("Llamados al 1461<br>llamados")


def test_the_page_keeps_hours_across_midnight_weekdays_and_month(client, demo, personas):
    client.force_login(personas["bob"])
    query = "?period=month&month=2026-03&hour_from=20&hour_to=6&weekday=5&weekday=6&measure=llamados-1461"
    page = client.get(reverse("map") + query).content.decode()
    assert '<option value="20" selected>20:00</option>' in page and '<option value="6" selected>06:00</option>' in page
    assert 'value="5" checked' in page and 'value="6" checked' in page and 'value="03-2026"' in page  # the month as the form shows it: mm-aaaa
    data = json.loads(client.get(reverse("map_layer", args=("coropletico-count", "json")) + query).content)
    import datetime as dt

    expected = map_orm.events("llamados-1461", dt.date(2026, 3, 1), dt.date(2026, 3, 31), hours=(20, 6),
                              weekdays=(5, 6)).filter(area__isnull=False).count()
    assert data["events"] == expected > 0
    assert "Del 01-03-2026 al 31-03-2026" in data["note"]


def test_every_download_names_the_measure_and_unit(client, demo, personas):
    import pyogrio

    client.force_login(personas["bob"])
    for key in ("coropletico-rate", "densidad", "gi", "emergentes", "eventos"):
        query = "?period=12m&measure=patrullajes"
        geo = client.get(reverse("map_layer", args=(key, "geojson")) + query)
        assert 'filename="' + key + "_patrullajes_" in geo["Content-Disposition"]
        collection = json.loads(geo.content)
        assert collection["measure"] == map_orm.measure_row("patrullajes") and collection["features"]
        assert {row["properties"]["medida"] for row in collection["features"]} == {"Patrullajes preventivos"}
        assert {row["properties"]["unidad"] for row in collection["features"]} == {"patrullajes"}
        text = client.get(reverse("map_layer", args=(key, "csv")) + query).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and {r["medida"] for r in rows} == {"Patrullajes preventivos"} and {r["unidad"] for r in rows} == {
            "patrullajes"}
        assert {r["eventos_capa"] for r in rows} == {str(collection["events"])}
        if list(rows[0]) == ["medida", "unidad", "eventos_capa", "aviso", "lon", "lat"]:  # no feature: one row
            assert len(rows) == 1 and rows[0]["aviso"].startswith(collection["caution"]) and rows[0]["aviso"]
        else:
            assert {r["aviso"] for r in rows} == {collection["caution"]}
        gpkg = client.get(reverse("map_layer", args=(key, "gpkg")) + query).content
        info = pyogrio.read_info(io.BytesIO(gpkg))
        assert info["layer_metadata"]["medida"] == "Patrullajes preventivos"
        assert info["layer_metadata"]["unidad"] == "patrullajes" and "medida" in list(info["fields"])
    boundaries = json.loads(client.get(reverse("map_layer", args=("limites-uv", "json"))).content)
    assert "measure" not in boundaries  # the boundaries count nothing


def test_a_cautioned_layer_says_so_on_the_page_and_in_its_json(client, demo, personas):
    client.force_login(personas["bob"])
    query = "?period=7d&capa=gi&capa=densidad"
    data = json.loads(client.get(reverse("map_layer", args=("gi", "json")) + query).content)
    assert data["caution"].startswith(f"Muy pocos eventos (n = {data['events']}) para identificar puntos calientes")
    assert [t["mode"] for t in data["traces"]] == ["text"] and data["traces"][0]["text"][0].startswith("Muy pocos")
    page = client.get(reverse("map") + query).content.decode()
    assert f'data-caution-for="gi" role="note">{data["caution"]}</p>' in page
