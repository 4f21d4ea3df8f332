"""Map layers against the analysis functions run here on data read straight from the ORM.

Every layer read from events counts one measure (casos-policiales unless the filters say otherwise): the
expected figures come from tests/dashboard/map_orm.py, which reads the measure's events with the ORM.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from django.utils import translation

from observatorio import state
from observatorio.accounts.roles import event_scope
from observatorio.analysis.emerging import emerging_hotspots
from observatorio.analysis.gistar import gi_star
from observatorio.analysis.kde import kde
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.dashboard import layers
from observatorio.dashboard.layers import base, choropleth, density, downloads, emerging, hotspots, points

from . import map_orm

RTOL = 1e-9
MEASURE = "casos-policiales"
# Three years of the small demo: enough police cases (622 in the study area) for Gi* to be run.
LONG = {"period": "custom", "start": "2024-01-01", "end": "2026-11-25"}


@pytest.fixture(autouse=True)
def fresh_layer_cache():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def ctx(demo, db):
    from observatorio.dashboard.filters import parse_filters

    data = state.current()
    f, errors = parse_filters({"period": "12m"}, data)
    assert not errors
    return data, f, base.territory(data, f.end)


@pytest.fixture
def long_ctx(demo, db):
    from observatorio.dashboard.filters import parse_filters

    data = state.current()
    f, errors = parse_filters(LONG, data)
    assert not errors
    return data, f, base.territory(data, f.end)


def _orm_points(f, code=MEASURE):
    """Located events of the measure inside the comuna in the window, from the database, projected independently."""
    return map_orm.metres(map_orm.events(code, f.start, f.end))


def test_the_as_of_day_is_the_latest_event(ctx):
    from observatorio.records.models import Event

    assert ctx[0].as_of == Event.objects.order_by("-occurred_on").first().occurred_on


@pytest.mark.parametrize("end, first, last", [
    (dt.date(2026, 11, 25), dt.date(2024, 10, 1), dt.date(2026, 9, 30)),
    (dt.date(2026, 9, 30), dt.date(2024, 10, 1), dt.date(2026, 9, 30)),
    (dt.date(2026, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
], ids=["mid-quarter", "quarter-end", "new-year"])
def test_quarters_before_takes_complete_quarters(end, first, last):
    quarters = emerging.quarters_before(end, 8)
    assert len(quarters) == 8 and quarters[0][0] == first and quarters[-1][1] == last
    for (_s1, e1), (s2, _e2) in zip(quarters, quarters[1:]):
        assert s2 == e1 + dt.timedelta(days=1)


def test_choropleth_counts_and_rates_match_orm_and_rates_module(ctx):
    from observatorio.records.models import Event

    data, f, terr = ctx
    figs = choropleth.area_figures(data, f, "uv")
    index = data.index
    expected = map_orm.per_area(map_orm.events(MEASURE, f.start, f.end), figs.ids)
    every_source = Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end, area__isnull=False).count()
    assert figs.events == sum(expected.values()) < every_source  # the measure's cases, not every source's events
    assert figs.counts.tolist() == [expected[a] for a in figs.ids]
    population = np.array([index.population_in(a, f.end.year) for a in figs.ids], float)
    np.testing.assert_allclose(figs.rate, crude_rate(figs.counts, population), rtol=RTOL)
    np.testing.assert_allclose(figs.eb, eb_global(figs.counts, population).smoothed, rtol=RTOL)

    layer = layers.build_layer("coropletico-eb", state=data, terr=terr, f=f)
    by_code = {feat.properties["codigo"]: feat.properties for feat in layer.features}
    assert len(by_code) == 31
    for i, a in enumerate(figs.ids):
        assert by_code[index.areas[a].code]["eventos"] == expected[a]
        assert by_code[index.areas[a].code]["tasa_eb_1000"] == pytest.approx(figs.eb[i], abs=1e-3)


def test_density_equals_kde_on_orm_points(ctx):
    data, f, terr = ctx
    x, y = _orm_points(f)
    found = density.density_surface(data, terr, f)
    assert found.events == x.size >= density.KDE_MIN_EVENTS
    surface, inside = found.surface, found.inside
    grid, mask = terr.grid(base.KDE_CELL)
    expected = kde(x, y, grid, bandwidth=base.KDE_BANDWIDTH, kernel="gaussian", output="density")
    assert surface.grid == grid and (inside == mask).all()
    # Each event's offsets within its bin are kept in float32 (dashboard/placement.py): ~1e-9 of the peak.
    np.testing.assert_allclose(surface.values, expected.values, rtol=0, atol=1e-7 * expected.values.max())
    trace = density.density_layer(data, terr, f).traces[0]
    assert trace["type"] == "heatmap" and trace["colorscale"] == "Viridis"


def test_hotspots_equal_gi_star_with_fdr(long_ctx):
    data, f, terr = long_ctx
    x, y = _orm_points(f)
    grid, mask = terr.grid(base.GI_CELL)
    expected = gi_star(grid.counts(x, y), base.GI_CELL, hotspots.GI_DISTANCE, mask=mask).bins(fdr=True)
    layer = hotspots.hotspot_layer(data, terr, f)
    assert layer.events == int(grid.counts(x, y)[mask].sum()) >= hotspots.gi_minimum(terr)
    assert not layer.caution
    got = np.zeros(grid.shape, dtype=int)
    for feat in layer.features:
        got[feat.properties["fila"], feat.properties["columna"]] = feat.properties["gi_bin"]
    assert (expected != 0).sum() > 0, "the demo plants hotspots: some cell must be significant"
    assert (got == expected).all()
    assert {t["meta"]["layer"] for t in layer.traces} == {"gi"}


def test_emerging_classes_equal_emerging_hotspots(ctx, monkeypatch):
    data, f, terr = ctx
    grid, mask = terr.grid(base.EMERGING_CELL)
    cube = []
    for start, end in emerging.quarters_before(f.end, emerging.EMERGING_QUARTERS):
        x, y = map_orm.metres(map_orm.events(MEASURE, start, end))
        cube.append(grid.counts(x, y))
    per_quarter = [int(c[mask].sum()) for c in cube]
    # The small demo has ~50 police cases a quarter, below the minimum: the layer says so and shows no pattern…
    cautioned = emerging.emerging_layer(data, terr, f)
    assert cautioned.events == sum(per_quarter) and min(per_quarter) < emerging.emerging_minimum(terr)
    assert cautioned.caution.startswith(f"Muy pocos eventos por trimestre (n = {min(per_quarter)} ")
    assert cautioned.features == [] and all(t["mode"] == "text" for t in cautioned.traces)
    # …and without the minimum it is ESRI's analysis on the measure's cube.
    monkeypatch.setattr(emerging, "EMERGING_MIN_EXPECTED", 0)
    monkeypatch.setattr(emerging, "EMERGING_MIN_EVENTS", 0)
    state.reset()
    data = state.current()
    # The layer adds the quarter before the first as its look-back neighbour (EMERGING_LEAD).
    lead = [grid.counts(*map_orm.metres(map_orm.events(MEASURE, start, end)))
            for start, end in emerging.quarters_before(f.end, emerging.EMERGING_QUARTERS + 1)[:1]]
    expected = emerging_hotspots(np.stack(lead + cube), base.EMERGING_CELL, emerging.EMERGING_DISTANCE, mask=mask,
                                 fdr=True, lead=1)
    layer = emerging.emerging_layer(data, base.territory(data, f.end), f)
    assert not layer.caution
    got = {(p["fila"], p["columna"]): p["patron"] for p in (feat.properties for feat in layer.features)}
    want = {(int(r), int(c)): expected.classes[r, c].value for r, c in zip(*np.nonzero(mask))
            if expected.classes[r, c].value != "no_pattern"}
    assert got == want
    # The note says which definitions classed the cells; each cell, how many quarters its class rests on.
    assert "definiciones de ESRI ArcGIS Pro 3.x" in layer.note and "Gi* espacio-temporal" in layer.note
    for p in (feat.properties for feat in layer.features):
        r, c = p["fila"], p["columna"]
        assert (p["periodos_del_patron"], p["un_solo_periodo"]) == (expected.pattern_bins[r, c],
                                                                    expected.few_bins[r, c])
    assert ("un solo trimestre significativo" in layer.note) == bool(expected.few_bins.any())


def test_points_cluster_above_the_limit_and_keep_every_event(ctx, monkeypatch):

    data, f, terr = ctx
    # Points keep events just outside the comuna too: an analyst must see what fell over the line.
    located = map_orm.events(MEASURE, f.start, f.end).filter(lon__isnull=False).count()
    layer = points.points_layer(data, terr, f, ())
    assert len(layer.features) == located <= points.POINT_LIMIT
    monkeypatch.setattr(points, "POINT_LIMIT", 100)
    clustered = points.points_layer(data, terr, f, ())
    total = sum(feat.properties["eventos"] for feat in clustered.features)
    assert total == located and len(clustered.features) < located


def test_points_of_an_operator_are_only_their_sources(ctx):
    from observatorio.dashboard.filters import parse_filters
    from observatorio.records.models import Source

    data, f, terr = ctx
    call_centre = Source.objects.get(code="1461").id
    calls, _errors = parse_filters({"period": "12m", "measure": "llamados-1461"}, data)
    layer = points.points_layer(data, terr, calls, (call_centre,))
    assert layer.features and {feat.properties["fuente"] for feat in layer.features} == {"1461"}
    police = points.points_layer(data, terr, f, (call_centre,))  # the operator sees no police case
    assert police.features == [] and police.events == 0 and "no ve eventos" in police.empty_reason
    with pytest.raises(PermissionError):
        layers.build_layer("eventos", state=data, terr=terr, f=f, scope=None)


def test_event_scope_by_persona(personas):
    from observatorio.records.models import Source

    assert event_scope(personas["alice"]) == ()
    assert event_scope(personas["bob"]) == ()
    assert event_scope(personas["olga"]) == (Source.objects.get(code="1461").id,)
    assert event_scope(personas["ana"]) is None
    assert event_scope(personas["charlie"]) is None


def test_geojson_and_geopackage_hold_the_same_features_in_wgs84(ctx):
    import pyogrio

    data, f, terr = ctx
    layer = layers.build_layer("limites-uv", state=data, terr=terr, f=f)
    collection = downloads.geojson(layer, terr.epsg)
    assert len(collection["features"]) == 31
    lon, lat = np.array(collection["features"][0]["geometry"]["coordinates"][0]).T
    assert (-71 < lon).all() and (lon < -70) .all() and (-34 < lat).all() and (lat < -33).all()
    data = downloads.geopackage(layer, terr.epsg)
    frame = pyogrio.read_dataframe(io.BytesIO(data), layer="limites_uv")
    assert len(frame) == 31 and frame.crs.to_epsg() == 4326
    assert sorted(frame["codigo"]) == sorted(feat["properties"]["codigo"] for feat in collection["features"])


def test_heavy_layers_are_cached_per_snapshot_and_filters(ctx):
    data, f, terr = ctx
    first = layers.build_layer("gi", state=data, terr=terr, f=f)
    assert layers.build_layer("gi", state=data, terr=terr, f=f) is first
    other = layers.build_layer("gi", state=data, terr=terr, f=f.previous())
    assert other is not first


def test_territory_is_kept_per_boundary_set_not_per_day(ctx):
    from observatorio.territory.models import Boundary

    data, f, terr = ctx
    index = data.index
    other_day = f.end - dt.timedelta(days=40)
    assert base.territory(data, other_day) is terr
    for day in (f.end, other_day, dt.date(1950, 1, 1)):
        expected = {b.area_id: b.id for b in Boundary.in_force(day).order_by("area", "valid_from")}
        assert index.boundaries_in_force(day) == expected
    assert base.territory(data, dt.date(1800, 1, 1)) is None  # before any boundary


def test_placement_in_small_chunks_is_the_same(ctx, monkeypatch):
    from observatorio.dashboard import placement

    data, f, terr = ctx
    snap = data.events
    whole = base.placed(data, terr)
    monkeypatch.setattr(placement, "CHUNK", 997)
    chunked = base._place(snap, terr)
    assert chunked is not whole
    for column in ("gi", "kde_base", "kde_u", "kde_v", "emerging", "cluster"):
        np.testing.assert_array_equal(getattr(chunked, column), getattr(whole, column))
    located = np.isfinite(snap.lon)
    assert ((whole.cluster >= 0) == located).all()  # every located event is on the cluster grid
    assert (whole.gi[snap.outside] == placement.OFF).all()


def test_placement_is_kept_with_the_state_and_reused_while_events_and_territory_stand(ctx):
    from observatorio.state.data import DataState

    data, f, terr = ctx
    first = base.placed(data, terr)
    assert base.placed(data, terr) is first
    successor = DataState(data.key, data.events, data.index, data.catalog)
    successor.inherit(data)
    assert base.placed(successor, terr) is first  # a successor with the same events and territory
    newer = DataState(type(data.key)(data.key.version + 1, "other", data.key.territory, data.key.catalog,
                                     data.key.surveys), data.events, data.index, data.catalog)
    newer.inherit(data)
    assert base.placed(newer, terr) is not first  # new events: placed again


def test_the_registry_builds_every_key_its_modules_declare_in_drawing_order():
    assert layers.LAYER_KEYS == ("referencia-manzanas", "referencia-calles", "coropletico-count",
                                 "coropletico-rate", "coropletico-eb", "densidad", "gi", "emergentes", "limites-uv",
                                 "limites-macrosector", "limites-comuna", "lugares", "grupos", "eventos", "actividades")
    assert layers.EVENT_LAYER_KEYS == ("eventos",)
    assert sorted(layers.titles()) == sorted(layers.LAYER_KEYS)
    assert list(layers.titles())[:3] == ["limites-comuna", "limites-macrosector", "limites-uv"]
    with pytest.raises(ValueError, match="is not one of"):
        layers.kind_of("calor")


@pytest.mark.parametrize("language, thousands, decimal", [("es-cl", ".", ","), ("en", ",", ".")])
def test_map_hover_writes_numbers_in_the_reader_language(demo, db, language, thousands, decimal):
    """The English hover says 1,234.5, the Spanish one 1.234,5 (the map wrote Chilean numbers in every language)."""
    from observatorio.dashboard.filters import parse_filters

    data = state.current()
    f, errors = parse_filters({"period": "custom", "start": "2020-01-01", "end": data.as_of.isoformat(),
                               "level": "comuna", "measure": "llamados-1461"}, data)
    assert not errors
    terr = base.territory(data, f.end)
    figs = choropleth.area_figures(data, f, "comuna")
    count, rate = int(figs.counts[0]), float(figs.rate[0])
    assert count >= 1000, "every call of the demo in one comuna: a count with a thousands mark"
    with translation.override(language):
        text = layers.build_layer("coropletico-count", state=data, terr=terr, f=f).traces[0]["text"]
    assert f": {count // 1000}{thousands}{count % 1000:03d}<br>" in text
    assert f": {rate:.1f}<br>".replace(".", decimal) in text


def test_cube_and_map_cells_are_built_once_for_every_process(ctx, monkeypatch):
    from observatorio.dashboard import cube as cube_module
    from observatorio.dashboard import placement

    data, f, terr = ctx
    cube, cells = cube_module.cube_of(data), base.placed(data, terr)
    state.reset()  # what a worker started now holds: nothing but the files the first one wrote

    def built_again(*_args, **_kwargs):
        raise AssertionError("built again instead of mapped from the files")

    monkeypatch.setattr(cube_module, "build_cube", built_again)
    monkeypatch.setattr(placement, "place", built_again)
    later = state.current()
    assert later is not data and later.key == data.key
    again = cube_module.cube_of(later)
    np.testing.assert_array_equal(again.prefix, cube.prefix)
    assert (again.first_day, again.days) == (cube.first_day, cube.days) and not again.prefix.flags.writeable
    mapped = base.placed(later, base.territory(later, f.end))
    for column in placement.COLUMNS:
        np.testing.assert_array_equal(getattr(mapped, column), getattr(cells, column))
    assert not mapped.gi.flags.writeable


# --------------------------------------------------------------------------- measures and small numbers

EVENT_LAYERS = ("gi", "emergentes", "densidad", "coropletico-count", "coropletico-rate", "coropletico-eb", "eventos")


def _expected_events(key: str, code: str, f, terr, **filters) -> int:
    """What each layer rests on, from the ORM: the measure's events under the same filters."""
    q = map_orm.events(code, f.start, f.end, **filters)
    if key == "gi":
        grid, mask = terr.grid(base.GI_CELL)
        return map_orm.in_study_area(q, grid, mask)
    if key == "emergentes":
        grid, mask = terr.grid(base.EMERGING_CELL)
        return sum(map_orm.in_study_area(map_orm.events(code, start, end, **filters), grid, mask)
                   for start, end in emerging.quarters_before(f.end, emerging.EMERGING_QUARTERS))
    if key == "densidad":
        return q.filter(lon__isnull=False, outside=False).count()
    if key.startswith("coropletico-"):
        ids = [s.id for s in terr.shapes["uv"]]
        return sum(map_orm.per_area(q, ids).values())
    return q.filter(lon__isnull=False).count()  # event points: outside the comuna too


def _variants(demo_state, code: str, f) -> dict:
    """Filters to try beside the measure alone: its commonest category, a macrosector, nights, weekends."""
    from django.db.models import Count

    from observatorio.territory.models import Area

    top = (map_orm.events(code, f.start, f.end).exclude(category=None).values("category__code")
           .annotate(n=Count("id")).order_by("-n").first()["category__code"])
    macro = Area.objects.filter(level="macrosector").order_by("code").first().id
    return {
        "measure only": ({}, {}),
        "category": ({"category": top}, {"categories": [top]}),
        "area": ({"area": str(macro)}, {"areas": [macro]}),
        "nights 20-6": ({"hour_from": "20", "hour_to": "6"}, {"hours": (20, 6)}),
        "weekend": ({"weekday": ["5", "6"]}, {"weekdays": (5, 6)}),
    }


@pytest.mark.parametrize("code", ["casos-policiales", "llamados-1461"])
def test_every_event_layer_names_its_measure_and_rests_on_its_orm_count(client, personas, long_ctx, code):
    """Each layer's JSON names the measure and says how many events it rests on: the ORM's count of the
    measure's events in the window, also with a category, an area, the hours across midnight or weekdays."""
    import json

    from django.urls import reverse

    data, f, terr = long_ctx
    client.force_login(personas["bob"])
    for name, (params, filters) in _variants(data, code, f).items():
        query = {**LONG, "measure": code, **params}
        for key in EVENT_LAYERS:
            answer = json.loads(client.get(reverse("map_layer", args=(key, "json")), query).content)
            assert answer["measure"] == map_orm.measure_row(code), (name, key)
            assert map_orm.measure_row(code)["name"] in answer["title"], (name, key)
            assert answer["events"] == _expected_events(key, code, f, terr, **filters), (name, key)
    nights = map_orm.events(code, f.start, f.end, hours=(20, 6)).count()
    assert 0 < nights < map_orm.events(code, f.start, f.end).exclude(occurred_time=None).count()


def test_changing_the_measure_changes_every_event_layer(long_ctx):
    from observatorio.dashboard.filters import parse_filters

    data, police, terr = long_ctx
    calls, _errors = parse_filters({**LONG, "measure": "llamados-1461"}, data)
    assert base.filters_key(calls) != base.filters_key(police)
    for key in EVENT_LAYERS:
        if key == "eventos":
            a, b = (layers.build_layer(key, state=data, terr=terr, f=x, scope=()) for x in (police, calls))
        else:
            a, b = (layers.build_layer(key, state=data, terr=terr, f=x) for x in (police, calls))
        assert a is not b and a.measure["code"] == "casos-policiales" and b.measure["code"] == "llamados-1461"
        assert a.events != b.events and a.title != b.title, key
        assert a.traces != b.traces, key


@pytest.mark.parametrize("change", [
    {"measure": "llamados-1461"}, {"hour_from": "20", "hour_to": "6"}, {"hour_from": "6", "hour_to": "20"},
    {"weekday": ["5", "6"]}, {"family": ["familia-vif"]}, {"level": "macrosector"},
], ids=["measure", "nights", "days", "weekdays", "family", "level"])
def test_the_layers_are_kept_under_every_filter(long_ctx, change):
    """The kept layers' key holds every filter: changing any one builds another layer."""
    from observatorio.dashboard.filters import parse_filters

    data, f, terr = long_ctx
    other, errors = parse_filters({**LONG, **change}, data)
    assert not errors and base.filters_key(other) != base.filters_key(f)
    for key in ("gi", "densidad", "coropletico-count"):
        first = layers.build_layer(key, state=data, terr=terr, f=f)
        assert layers.build_layer(key, state=data, terr=terr, f=other) is not first
        assert layers.build_layer(key, state=data, terr=terr, f=f) is first


WEEK = {"measure": "demandas-vecinales", "period": "custom", "start": "2026-11-16", "end": "2026-11-22"}


@pytest.fixture
def six_in_a_week(demo, db):
    """Six neighbours' requests within ~40 m of one another in one week: the only events of their measure."""
    from observatorio.records.models import Event, Source, SourceKind
    from observatorio.records.snapshot import bump
    from observatorio.territory.models import Area

    uv = Area.objects.filter(level="uv").order_by("code").first()
    point = uv.boundaries.order_by("-valid_from").first().shape.representative_point()
    source = Source.objects.create(code="demandas-prueba", name="Demandas (prueba)", kind=SourceKind.DEMAND)
    jitter = [(0, 0), (0.0002, 0), (0, 0.0002), (-0.0002, 0), (0, -0.0002), (0.0002, 0.0002)]
    Event.objects.bulk_create([
        Event(source=source, occurred_on=dt.date(2026, 11, 16 + k), occurred_time=dt.time(22, 0),
              lon=point.x + dx, lat=point.y + dy, area=uv, original_label="Demanda")
        for k, (dx, dy) in enumerate(jitter)])
    bump()
    state.reset()
    return source


def _week_layers(key):
    from observatorio.dashboard.filters import parse_filters

    data = state.current()
    f, errors = parse_filters(WEEK, data)
    assert not errors and f.sources == (data.catalog.measure("demandas-vecinales").sources)
    terr = base.territory(data, f.end)
    return layers.build_layer(key, state=data, terr=terr, f=f), data, f, terr


def test_six_events_in_a_week_make_no_hotspot_but_a_caution(six_in_a_week, monkeypatch):
    layer, data, f, terr = _week_layers("gi")
    assert layer.events == 6 and layer.measure == map_orm.measure_row("demandas-vecinales")
    assert layer.caution.startswith("Muy pocos eventos (n = 6) para identificar puntos calientes")
    assert str(hotspots.gi_minimum(terr)) in layer.caution.replace(".", "")
    assert layer.features == [] and [t["mode"] for t in layer.traces] == ["text"]
    assert "caliente" not in " ".join(t["name"] for t in layer.traces).replace("puntos calientes", "")
    collection = downloads.geojson(layer, terr.epsg)
    assert collection["events"] == 6 and collection["caution"] == layer.caution
    (row,) = collection["features"]
    assert "gi_bin" not in row["properties"] and row["properties"]["aviso"].startswith("Muy pocos eventos (n = 6)")
    # What the caution keeps from the map: run anyway, the same six events are a 99 % hot spot.
    monkeypatch.setattr(hotspots, "GI_MIN_EXPECTED", 0)
    monkeypatch.setattr(hotspots, "GI_MIN_EVENTS", 0)
    state.reset()
    unguarded, *_rest = _week_layers("gi")
    assert not unguarded.caution and {feat.properties["gi_bin"] for feat in unguarded.features} >= {3}


@pytest.mark.parametrize("key, purpose", [
    ("emergentes", "Muy pocos eventos por trimestre (n = 0 en el que menos tiene) para identificar puntos calientes "
                   "emergentes"),
    ("densidad", "Muy pocos eventos (n = 6) para estimar una densidad"),
    ("coropletico-rate", "Muy pocos eventos (n = 6) para comparar tasas entre áreas"),
    ("coropletico-eb", "Muy pocos eventos (n = 6) para comparar tasas entre áreas"),
])
def test_every_statistical_layer_cautions_below_its_minimum(six_in_a_week, key, purpose):
    layer, *_rest = _week_layers(key)
    assert layer.caution.startswith(purpose)
    assert layer.events == (0 if key == "emergentes" else 6)  # the week is in no complete quarter yet
    if key in ("emergentes", "densidad"):
        assert layer.features == [] and all(t["mode"] == "text" for t in layer.traces)


def test_a_count_layer_has_no_minimum(six_in_a_week):
    layer, *_rest = _week_layers("coropletico-count")
    assert layer.events == 6 and not layer.caution
    assert sum(feat.properties["eventos"] for feat in layer.features) == 6


def test_a_measure_of_one_family_maps_only_that_family(long_ctx):
    """A measure declared on a family of categories counts that family's categories (its children) only."""
    import json

    from django.db.models import Count

    from observatorio.dashboard.filters import parse_filters
    from observatorio.records.models import Category, Measure, Source

    police = Source.objects.get(code="cead-policial")
    family = (Category.objects.filter(parent__isnull=True, children__events__source=police)
              .annotate(n=Count("children__events")).order_by("-n").first())
    measure = Measure.objects.create(code="robos-prueba", name="Una familia (prueba)", unit="casos",
                                     definition="Casos policiales de una familia, para la prueba.")
    measure.sources.add(police)
    measure.categories.add(family)
    state.reset()
    data = state.current()
    f, errors = parse_filters({**LONG, "measure": "robos-prueba"}, data)
    assert not errors and f.categories
    terr = base.territory(data, f.end)
    whole = map_orm.events(MEASURE, f.start, f.end).count()
    assert 0 < map_orm.events("robos-prueba", f.start, f.end).count() < whole
    for key in ("gi", "densidad", "coropletico-count", "emergentes"):
        layer = layers.build_layer(key, state=data, terr=terr, f=f)
        assert layer.measure == map_orm.measure_row("robos-prueba")
        assert layer.events == _expected_events(key, "robos-prueba", f, terr), key
    assert json.dumps(layer.measure, ensure_ascii=False) == (
        '{"code": "robos-prueba", "name": "Una familia (prueba)", "unit": "casos"}')


def test_the_grids_study_area_is_the_uvs_inside_the_comuna_else_the_comuna():
    from shapely.geometry import box

    def shape(i, level, metric):
        return base.AreaShape(i, str(i), str(i), level, metric, metric)

    comuna = box(0, 0, 3000, 2000)  # 1 km of hills east of the UVs
    uvs = [box(0, 0, 1000, 2000), box(1000, 0, 2000, 2000), box(-500, 0, 0, 2000)]  # the last spills past the comuna
    study = base.study_area({"comuna": [shape(1, "comuna", comuna)],
                             "uv": [shape(i, "uv", g) for i, g in enumerate(uvs, 2)]})
    assert study.covers(box(1, 1, 1999, 1999)) and study.area == pytest.approx(2000 * 2000, rel=0.005)
    assert not study.contains(box(2100, 100, 2200, 200).centroid)  # the hills: no cells there
    assert not study.contains(box(-400, 100, -300, 200).centroid)  # outside the comuna
    only = base.study_area({"comuna": [shape(1, "comuna", comuna)]})
    assert only.covers(comuna) and only.area == pytest.approx(3000 * 2000, rel=0.005)
    grid, inside = base.Territory(32719, {}, comuna, study).grid(500.0)
    assert inside.sum() == 16  # the 4 × 4 cells of 500 m whose centre is in the two UVs inside the comuna
