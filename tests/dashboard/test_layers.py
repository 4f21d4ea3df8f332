"""Map layers against the analysis functions run here on data read straight from the ORM."""

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
from observatorio.analysis.projection import to_metres
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.dashboard import layers
from observatorio.dashboard.layers import base, choropleth, density, downloads, emerging, hotspots, points

RTOL = 1e-9


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


def _orm_points(f, source_codes=None):
    """Located events inside the comuna in the window, from the database, projected independently."""
    from observatorio.records.models import Event

    q = Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end, lon__isnull=False, outside=False)
    if source_codes:
        q = q.filter(source__code__in=source_codes)
    lon, lat = np.array(list(q.values_list("lon", "lat")), float).T
    x, y, _ = to_metres(lon, lat, 32719)
    return x, y


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
    parent = {a.id: a.parent_id for a in index.areas.values()}
    expected = dict.fromkeys(figs.ids, 0)
    for area_id in Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end,
                                        area__isnull=False).values_list("area_id", flat=True):
        node = area_id
        while node is not None and node not in expected:
            node = parent.get(node)
        if node is not None:
            expected[node] += 1
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
    surface, inside = density.density_surface(data, terr, f)
    grid, mask = terr.grid(base.KDE_CELL)
    expected = kde(x, y, grid, bandwidth=base.KDE_BANDWIDTH, kernel="gaussian", output="density")
    assert surface.grid == grid and (inside == mask).all()
    # Each event's offsets within its bin are kept in float32 (dashboard/placement.py): ~1e-9 of the peak.
    np.testing.assert_allclose(surface.values, expected.values, rtol=0, atol=1e-7 * expected.values.max())
    trace = density.density_layer(data, terr, f).traces[0]
    assert trace["type"] == "heatmap" and trace["colorscale"] == "Viridis"


def test_hotspots_equal_gi_star_with_fdr(ctx):
    data, f, terr = ctx
    x, y = _orm_points(f)
    grid, mask = terr.grid(base.GI_CELL)
    expected = gi_star(grid.counts(x, y), base.GI_CELL, hotspots.GI_DISTANCE, mask=mask).bins(fdr=True)
    layer = hotspots.hotspot_layer(data, terr, f)
    got = np.zeros(grid.shape, dtype=int)
    for feat in layer.features:
        got[feat.properties["fila"], feat.properties["columna"]] = feat.properties["gi_bin"]
    assert (expected != 0).sum() > 0, "the demo plants hotspots: some cell must be significant"
    assert (got == expected).all()
    assert {t["meta"]["layer"] for t in layer.traces} == {"gi"}


def test_emerging_classes_equal_emerging_hotspots(ctx):
    from observatorio.records.models import Event

    data, f, terr = ctx
    grid, mask = terr.grid(base.EMERGING_CELL)
    cube = []
    for start, end in emerging.quarters_before(f.end, emerging.EMERGING_QUARTERS):
        q = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end, lon__isnull=False, outside=False)
        pts = np.array(list(q.values_list("lon", "lat")), float).reshape(-1, 2)
        x, y, _ = to_metres(pts[:, 0], pts[:, 1], 32719)
        cube.append(grid.counts(x, y))
    expected = emerging_hotspots(np.stack(cube), base.EMERGING_CELL, emerging.EMERGING_DISTANCE, mask=mask, fdr=True)
    layer = emerging.emerging_layer(data, terr, f)
    got = {(p["fila"], p["columna"]): p["patron"] for p in (feat.properties for feat in layer.features)}
    want = {(int(r), int(c)): expected.classes[r, c].value for r, c in zip(*np.nonzero(mask))
            if expected.classes[r, c].value != "no_pattern"}
    assert got == want


def test_points_cluster_above_the_limit_and_keep_every_event(ctx, monkeypatch):
    from observatorio.records.models import Event

    data, f, terr = ctx
    # Points keep events just outside the comuna too: an analyst must see what fell over the line.
    located = Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end, lon__isnull=False).count()
    layer = points.points_layer(data, terr, f, ())
    assert len(layer.features) == located <= points.POINT_LIMIT
    monkeypatch.setattr(points, "POINT_LIMIT", 100)
    clustered = points.points_layer(data, terr, f, ())
    total = sum(feat.properties["eventos"] for feat in clustered.features)
    assert total == located and len(clustered.features) < located


def test_points_of_an_operator_are_only_their_sources(ctx):
    from observatorio.records.models import Source

    data, f, terr = ctx
    call_centre = Source.objects.get(code="1461").id
    layer = points.points_layer(data, terr, f, (call_centre,))
    assert layer.features and {feat.properties["fuente"] for feat in layer.features} == {"1461"}
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
    assert layers.LAYER_KEYS == ("coropletico-count", "coropletico-rate", "coropletico-eb", "densidad", "gi",
                                 "emergentes", "limites-uv", "limites-macrosector", "limites-comuna", "lugares",
                                 "eventos")
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
                               "level": "comuna"}, data)
    assert not errors
    terr = base.territory(data, f.end)
    figs = choropleth.area_figures(data, f, "comuna")
    count, rate = int(figs.counts[0]), float(figs.rate[0])
    assert count >= 1000, "the whole demo in one comuna: a count with a thousands mark"
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
