"""Every data endpoint and download counts one measure, says which, and equals that measure counted by the ORM.

The endpoints are found from the URL configuration, so a new data endpoint
that this walk does not know fails here until it is checked too. For each
count measure with sources, every board data set (JSON and CSV), every map
layer built from events (JSON and CSV), the area profile's CSV and the home
page are asked for the same year; their totals are compared with an ORM count
of the measure's sources written here, and none may equal the total over all
sources (the number the observatory used to print).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

YEAR = 2025
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
QUERY = {"period": "year", "year": str(YEAR)}
# Named URL patterns of the dashboard app and what this walk does with them.
WALKED = {"board-data", "map_layer", "area_profile_csv", "home", "reconciliation_csv", "quality_csv", "crosstab-data"}
NOT_FIGURES = {"board", "map", "area_profile", "quality", "data_status", "crosstab",  # pages whose data the walk asks above
               "save_view", "saved_view", "delete_view"}  # saved views: redirects to the board or the map
MEASURES = ("casos-policiales", "denuncias", "llamados-1461", "patrullajes", "casos-vif")


@pytest.fixture
def analyst(demo, client, personas):
    client.force_login(personas["bob"])
    return client


def _orm(code: str, **extra) -> int:
    from observatorio.records.models import Event, Measure

    measure = Measure.objects.get(code=code)
    q = Event.objects.filter(source__in=measure.sources.all(), occurred_on__gte=extra.pop("start", START),
                             occurred_on__lte=extra.pop("end", END))
    return q.filter(**extra).count()


def _all_sources(**extra) -> int:
    from observatorio.records.models import Event

    return Event.objects.filter(occurred_on__gte=START, occurred_on__lte=END, **extra).count()


def _csv(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))


def test_every_dashboard_endpoint_is_walked():
    from observatorio.dashboard import urls

    names = {p.name for p in urls.urlpatterns}
    assert names - WALKED - NOT_FIGURES == set(), "a new endpoint: add it to this walk"


@pytest.mark.parametrize("code", MEASURES)
def test_board_data_sets_count_the_measure(analyst, code):
    expected = _orm(code)
    assert expected > 0 and expected != _all_sources()
    totals = {
        "resumen": lambda d: d["count"],
        "tendencia": lambda d: sum(d["counts"]),
        "categorias": lambda d: sum(d["counts"]),
        "familias": lambda d: sum(d["counts"]),
        "horas": lambda d: sum(map(sum, d["matrix"])) + d["without_time"],
        "areas": lambda d: sum(r["count"] for r in d["rows"]) + d["unplaced"],
        "cambios": lambda d: sum(r["count"] for r in d["rows"]) + d["unplaced"],
    }
    from observatorio.dashboard.board import DATASETS

    assert set(DATASETS) - set(totals) == {"top-areas"}  # the ten largest of "areas": checked below
    for name, total in totals.items():
        body = analyst.get(f"/tablero/datos/{name}.json", {**QUERY, "measure": code}).json()
        assert body["measure"]["code"] == code, name
        assert total(body["data"]) == expected, name
        rows = _csv(analyst.get(f"/tablero/datos/{name}.csv", {**QUERY, "measure": code}))
        assert rows and {r["medida"] for r in rows} == {body["measure"]["name"]}, name
    top = analyst.get("/tablero/datos/top-areas.json", {**QUERY, "measure": code}).json()["data"]["rows"]
    areas = analyst.get("/tablero/datos/areas.json", {**QUERY, "measure": code}).json()["data"]["rows"]
    assert sorted(r["count"] for r in top) == sorted(r["count"] for r in areas)[-len(top):]
    # The comparisons count the same measure in their own windows.
    summary = analyst.get("/tablero/datos/resumen.json", {**QUERY, "measure": code}).json()["data"]
    assert summary["previous"]["count"] == _orm(code, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))


@pytest.mark.parametrize("code", MEASURES)
def test_the_cross_table_counts_the_measure(analyst, code):
    expected = _orm(code)
    for rows in ("area", "category"):
        body = analyst.get("/tabla/datos.json", {**QUERY, "measure": code, "rows": rows}).json()
        assert body["measure"]["code"] == code, rows
        data = body["data"]
        assert data["total"] == expected == sum(r["total"] for r in data["rows"]) == sum(data["column_totals"])
        assert expected not in {_all_sources(), _all_sources(area__isnull=False)}
        table = _csv(analyst.get("/tabla/datos.csv", {**QUERY, "measure": code, "rows": rows}))
        assert table and {r["medida"] for r in table} == {body["measure"]["name"]}, rows
        assert int(table[-1]["total"]) == expected


@pytest.mark.parametrize("code", ["casos-policiales", "llamados-1461"])
def test_map_layers_count_the_measure(analyst, code):
    from observatorio.dashboard import layers

    expected_in_areas = _orm(code, area__isnull=False)
    for key in layers.LAYER_KEYS:
        body = analyst.get(f"/mapa/capa/{key}.json", {**QUERY, "measure": code}).json()
        if "measure" not in body:  # boundaries and places: no events in them
            assert "events" not in body, key
            continue
        assert body["measure"]["code"] == code, key
        assert body["events"] <= _orm(code, start=dt.date(YEAR - 1, 1, 1)), key
        assert body["events"] != _all_sources(), key
        if key.startswith("coropletico") or key in ("eventos", "grupos"):
            expected = expected_in_areas if key.startswith("coropletico") else _orm(code, lon__isnull=False)
            assert body["events"] == expected, key
        rows = _csv(analyst.get(f"/mapa/capa/{key}.csv", {**QUERY, "measure": code}))
        assert rows and {r["medida"] for r in rows} == {body["measure"]["name"]}, key


def test_profile_csv_names_measures_and_never_adds_sources(analyst):
    from observatorio.territory.models import Area

    area = Area.objects.get(code="13122-UV01")
    text = analyst.get(f"/area/{area.id}/datos.csv").content.decode("utf-8-sig")
    for name in ("Casos policiales", "Llamados al 1461", "Denuncias (Fiscalía)"):
        assert name in text
    assert "Denuncias y casos policiales" not in text


def test_home_shows_no_total_over_sources(analyst):
    from observatorio import state

    as_of = state.current().as_of
    start = as_of - dt.timedelta(days=27)
    page = analyst.get("/").content.decode()
    police = _orm("casos-policiales", start=start, end=as_of)
    every = _orm("casos-policiales", start=start, end=as_of) + sum(
        _orm(c, start=start, end=as_of) for c in MEASURES[1:])
    numbers = {int(n.replace(".", "")) for n in re.findall(r"\b\d{1,3}(?:\.\d{3})+\b|\b\d+\b", page)}
    assert police in numbers
    assert every not in numbers


def test_reconciliation_and_quality_downloads_name_the_measure(analyst):
    rows = _csv(analyst.get("/fuentes/conciliacion.csv"))
    assert rows and {r["medida"] for r in rows} == {"casos-policiales"}
    assert {r["referencia"] for r in rows} == {"CEAD casos policiales (mensual)"}


def test_the_all_sources_total_appears_in_no_json(analyst):
    """No number any board data set or layer answers equals the events of all sources in the window."""
    total = _all_sources()
    never = {total, _all_sources(area__isnull=False)}

    counted = {"count", "counts", "before", "events", "unplaced", "unplaced_before", "without_time", "matrix"}

    def numbers(value, key=""):
        """The counts in an answer (ids, years and populations are numbers too, and may equal anything)."""
        if isinstance(value, dict):
            for k, v in value.items():
                yield from numbers(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from numbers(v, key)
        elif isinstance(value, int) and not isinstance(value, bool) and key in counted:
            yield value

    from observatorio.dashboard import layers
    from observatorio.dashboard.board import DATASETS

    for code in MEASURES:
        for name in DATASETS:
            body = analyst.get(f"/tablero/datos/{name}.json", {**QUERY, "measure": code}).json()
            assert not never & set(numbers(body["data"])), (code, name)
        for key in layers.LAYER_KEYS:
            body = analyst.get(f"/mapa/capa/{key}.json", {**QUERY, "measure": code}).json()
            assert body.get("events") not in never, (code, key)


@pytest.mark.django_db
def test_measures_with_categories_count_only_those(analyst):
    from observatorio.records.models import Category, Measure

    violent = Category.objects.get(code="robo-violencia")
    measure = Measure.objects.create(code="robos-violentos", name="Robos violentos", unit="casos",
                                     definition="Casos policiales de robo con violencia o intimidación.")
    measure.sources.set(Measure.objects.get(code="casos-policiales").sources.all())
    measure.categories.set([violent])
    body = analyst.get("/tablero/datos/resumen.json", {**QUERY, "measure": "robos-violentos"}).json()
    assert body["data"]["count"] == _orm("casos-policiales", category=violent) > 0
    assert body["data"]["count"] == _orm("robos-violentos", category=violent)
