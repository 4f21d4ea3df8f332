"""A map you can read (#14 point 2), as JSON: area labels, reference layers (streets with names, blocks),
clusters with counts that add up to the events, and disclosure control of the clusters for the authority."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from observatorio import state
from observatorio.territory.models import Area
from observatorio.territory.references import import_reference

from .test_mapview import _figure, fresh_state  # noqa: F401 - the state reset around each test

STREETS = Path(__file__).parents[1] / "territory" / "data" / "reference_streets.geojson"
LONG = {"period": "custom", "start": "2024-01-01", "end": "2026-11-25"}


def _layer(client, key, **query) -> dict:
    response = client.get(reverse("map_layer", args=(key, "json")), {**LONG, **query})
    assert response.status_code == 200, response.content
    return response.json()


def _counts(trace) -> list[int]:
    return [int(t.replace(".", "")) for t in trace["text"]]  # 1.234 in Spanish


def test_area_labels_at_a_point_inside_each_area(client, demo, personas):
    client.force_login(personas["bob"])
    figure = _figure(client.get(reverse("map")))
    labels = [t for t in figure["data"] if t["meta"].get("labels") == "macrosector"]
    assert len(labels) == 1
    (trace,) = labels
    names = dict(Area.objects.filter(level="macrosector").values_list("id", "name"))
    assert sorted(trace["text"]) == sorted(names.values())
    assert [names[row[0]] for row in trace["customdata"]] == trace["text"]  # a click reads the area's id
    uv = _layer(client, "limites-uv")["traces"]
    assert {t["meta"].get("labels") for t in uv} == {None, "uv"}
    # Colour bars below the map, not over it.
    bars = [t["marker"]["colorbar"] for t in figure["data"] if t.get("marker", {}).get("colorbar")]
    assert bars and all(b["orientation"] == "h" and b["y"] < 0 for b in bars)
    assert figure["layout"]["legend"]["y"] < 0 and figure["layout"]["margin"]["r"] == 0


def test_reference_streets_drawn_under_everything_with_their_names(client, demo, personas):
    client.force_login(personas["ana"])
    empty = _layer(client, "referencia-calles")
    assert empty["traces"] == [] and "territory reference" in empty["empty_reason"]
    import_reference(STREETS, "streets", "via", name="calles", commit=True)
    state.reset()
    figure = _figure(client.get(reverse("map")))
    layers = [t["meta"]["layer"] for t in figure["data"]]
    assert layers[0] == "referencia-calles"  # the first trace: under everything
    lines, labels = [t for t in figure["data"] if t["meta"]["layer"] == "referencia-calles"]
    assert {"AVENIDA GRECIA", "LAS PARCELAS"} <= set(lines["text"]) and lines["hoverinfo"] == "text"
    assert labels["text"] == ["AVENIDA GRECIA", "LAS PARCELAS"]  # one label per name; the unnamed one has none
    assert labels["visible"] is False and labels["meta"]["zoom_labels"] > 0  # written once zoomed in
    assert len(lines["x"]) == len(lines["y"]) == len(lines["text"])
    body = client.get(reverse("map_layer", args=("referencia-calles", "geojson")), LONG).json()
    assert sorted(f["properties"]["nombre"] for f in body["features"]) == ["", "AVENIDA GRECIA", "AVENIDA GRECIA",
                                                                        "LAS PARCELAS"]


def test_clusters_counts_add_up_to_the_events(client, demo, personas):
    client.force_login(personas["bob"])
    clusters = _layer(client, "grupos")
    (trace,) = clusters["traces"]
    assert trace["mode"] == "markers+text"
    assert sum(_counts(trace)) == clusters["events"] == _layer(client, "eventos")["events"] > 0
    assert clusters["disclosure"] == {"applied": False}


def test_clusters_for_the_authority_reserve_small_cells(client, demo, personas):
    client.force_login(personas["bob"])
    exact = _layer(client, "grupos")["traces"][0]
    client.force_login(personas["ana"])
    body = _layer(client, "grupos")
    k = body["disclosure"]["k"]
    (trace,) = body["traces"]
    seen = dict(zip(zip(trace["x"], trace["y"]), _counts(trace)))
    assert min(seen.values()) >= k
    expected = {xy: n for xy, n in zip(zip(exact["x"], exact["y"]), _counts(exact)) if n >= k}
    assert seen == expected and len(expected) < len(exact["x"])  # some cells of 1..k−1 were left out
    short = _layer(client, "grupos", period="custom", start="2026-11-20", end="2026-11-25")
    assert short["traces"] == [] and short["empty_reason"]  # the grid layers' minimum window
