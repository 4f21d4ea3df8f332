"""Map layers against the analysis functions run here on data read straight from the ORM."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest

from observatorio.analysis.emerging import emerging_hotspots
from observatorio.analysis.gistar import gi_star
from observatorio.analysis.kde import kde
from observatorio.analysis.projection import to_metres
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.dashboard import layers

RTOL = 1e-9


@pytest.fixture(autouse=True)
def fresh_layer_cache():
    layers.clear_cache()
    yield
    layers.clear_cache()


@pytest.fixture
def ctx(demo, db):
    from observatorio.dashboard.filters import parse_filters
    from observatorio.records.snapshot import get_snapshot
    from observatorio.territory.index import get_index

    snap, index = get_snapshot(), get_index()
    as_of = layers.reference_day(snap)
    f, errors = parse_filters({"period": "12m"}, as_of=as_of, index=index)
    assert not errors
    return snap, index, f, layers.territory(index, f.end)


def _orm_points(f, source_codes=None):
    """Located events inside the comuna in the window, from the database, projected independently."""
    from observatorio.records.models import Event

    q = Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end, lon__isnull=False, outside=False)
    if source_codes:
        q = q.filter(source__code__in=source_codes)
    lon, lat = np.array(list(q.values_list("lon", "lat")), float).T
    x, y, _ = to_metres(lon, lat, 32719)
    return x, y


def test_reference_day_is_the_latest_event(ctx):
    from observatorio.records.models import Event

    snap = ctx[0]
    assert layers.reference_day(snap) == Event.objects.order_by("-occurred_on").first().occurred_on


@pytest.mark.parametrize("end, first, last", [
    (dt.date(2026, 11, 25), dt.date(2024, 10, 1), dt.date(2026, 9, 30)),
    (dt.date(2026, 9, 30), dt.date(2024, 10, 1), dt.date(2026, 9, 30)),
    (dt.date(2026, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
], ids=["mid-quarter", "quarter-end", "new-year"])
def test_quarters_before_takes_complete_quarters(end, first, last):
    quarters = layers.quarters_before(end, 8)
    assert len(quarters) == 8 and quarters[0][0] == first and quarters[-1][1] == last
    for (s1, e1), (s2, _e2) in zip(quarters, quarters[1:]):
        assert s2 == e1 + dt.timedelta(days=1)


def test_choropleth_counts_and_rates_match_orm_and_rates_module(ctx):
    from observatorio.records.models import Event

    snap, index, f, terr = ctx
    figs = layers.area_figures(snap, index, f, "uv")
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

    layer = layers.build_layer("coropletico-eb", snap=snap, index=index, terr=terr, f=f)
    by_code = {feat.properties["codigo"]: feat.properties for feat in layer.features}
    assert len(by_code) == 31
    for i, a in enumerate(figs.ids):
        assert by_code[index.areas[a].code]["eventos"] == expected[a]
        assert by_code[index.areas[a].code]["tasa_eb_1000"] == pytest.approx(figs.eb[i], abs=1e-3)


def test_density_equals_kde_on_orm_points(ctx):
    snap, index, f, terr = ctx
    x, y = _orm_points(f)
    surface, inside = layers.density_surface(snap, index, terr, f)
    grid, mask = terr.grid(layers.KDE_CELL)
    expected = kde(x, y, grid, bandwidth=layers.KDE_BANDWIDTH, kernel="gaussian", output="density")
    assert surface.grid == grid and (inside == mask).all()
    # Each event's offsets within its bin are kept in float32 (dashboard/placement.py): ~1e-9 of the peak.
    np.testing.assert_allclose(surface.values, expected.values, rtol=0, atol=1e-7 * expected.values.max())
    trace = layers.density_layer(snap, index, terr, f).traces[0]
    assert trace["type"] == "heatmap" and trace["colorscale"] == "Viridis"


def test_hotspots_equal_gi_star_with_fdr(ctx):
    snap, index, f, terr = ctx
    x, y = _orm_points(f)
    grid, mask = terr.grid(layers.GI_CELL)
    expected = gi_star(grid.counts(x, y), layers.GI_CELL, layers.GI_DISTANCE, mask=mask).bins(fdr=True)
    layer = layers.hotspot_layer(snap, index, terr, f)
    got = np.zeros(grid.shape, dtype=int)
    for feat in layer.features:
        got[feat.properties["fila"], feat.properties["columna"]] = feat.properties["gi_bin"]
    assert (expected != 0).sum() > 0, "the demo plants hotspots: some cell must be significant"
    assert (got == expected).all()
    assert {t["meta"]["layer"] for t in layer.traces} == {"gi"}


def test_emerging_classes_equal_emerging_hotspots(ctx):
    from observatorio.records.models import Event

    snap, index, f, terr = ctx
    grid, mask = terr.grid(layers.EMERGING_CELL)
    cube = []
    for start, end in layers.quarters_before(f.end, layers.EMERGING_QUARTERS):
        q = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end, lon__isnull=False, outside=False)
        pts = np.array(list(q.values_list("lon", "lat")), float).reshape(-1, 2)
        x, y, _ = to_metres(pts[:, 0], pts[:, 1], 32719)
        cube.append(grid.counts(x, y))
    expected = emerging_hotspots(np.stack(cube), layers.EMERGING_CELL, layers.EMERGING_DISTANCE, mask=mask, fdr=True)
    layer = layers.emerging_layer(snap, index, terr, f)
    got = {(p["fila"], p["columna"]): p["patron"] for p in (feat.properties for feat in layer.features)}
    want = {(int(r), int(c)): expected.classes[r, c].value for r, c in zip(*np.nonzero(mask))
            if expected.classes[r, c].value != "no_pattern"}
    assert got == want


def test_points_cluster_above_the_limit_and_keep_every_event(ctx, monkeypatch):
    from observatorio.records.models import Event

    snap, index, f, terr = ctx
    # Points keep events just outside the comuna too: an analyst must see what fell over the line.
    located = Event.objects.filter(occurred_on__gte=f.start, occurred_on__lte=f.end, lon__isnull=False).count()
    layer = layers.points_layer(snap, index, terr, f, ())
    assert len(layer.features) == located <= layers.POINT_LIMIT
    monkeypatch.setattr(layers, "POINT_LIMIT", 100)
    clustered = layers.points_layer(snap, index, terr, f, ())
    total = sum(feat.properties["eventos"] for feat in clustered.features)
    assert total == located and len(clustered.features) < located


def test_points_of_an_operator_are_only_their_sources(ctx):
    from observatorio.records.models import Source

    snap, index, f, terr = ctx
    call_centre = Source.objects.get(code="1461").id
    layer = layers.points_layer(snap, index, terr, f, (call_centre,))
    assert layer.features and {feat.properties["fuente"] for feat in layer.features} == {"1461"}
    with pytest.raises(PermissionError):
        layers.build_layer("eventos", snap=snap, index=index, terr=terr, f=f, scope=None)


def test_point_scope_by_persona(fast_hashing, personas):
    from observatorio.records.models import Source

    assert layers.point_scope(personas["alice"]) == ()
    assert layers.point_scope(personas["bob"]) == ()
    assert layers.point_scope(personas["olga"]) == (Source.objects.get(code="1461").id,)
    assert layers.point_scope(personas["ana"]) is None
    assert layers.point_scope(personas["charlie"]) is None


def test_geojson_and_geopackage_hold_the_same_features_in_wgs84(ctx):
    import pyogrio

    snap, index, f, terr = ctx
    layer = layers.build_layer("limites-uv", snap=snap, index=index, terr=terr, f=f)
    collection = layers.geojson(layer, terr.epsg)
    assert len(collection["features"]) == 31
    lon, lat = np.array(collection["features"][0]["geometry"]["coordinates"][0]).T
    assert (-71 < lon).all() and (lon < -70) .all() and (-34 < lat).all() and (lat < -33).all()
    data = layers.geopackage(layer, terr.epsg)
    frame = pyogrio.read_dataframe(io.BytesIO(data), layer="limites_uv")
    assert len(frame) == 31 and frame.crs.to_epsg() == 4326
    assert sorted(frame["codigo"]) == sorted(feat["properties"]["codigo"] for feat in collection["features"])


def test_heavy_layers_are_cached_per_snapshot_and_filters(ctx):
    snap, index, f, terr = ctx
    first = layers.build_layer("gi", snap=snap, index=index, terr=terr, f=f)
    assert layers.build_layer("gi", snap=snap, index=index, terr=terr, f=f) is first
    other = layers.build_layer("gi", snap=snap, index=index, terr=terr, f=f.previous())
    assert other is not first


def test_territory_is_kept_per_boundary_set_not_per_day(ctx):
    from observatorio.territory.models import Boundary

    _snap, index, f, terr = ctx
    other_day = f.end - dt.timedelta(days=40)
    assert layers.territory(index, other_day) is terr
    for day in (f.end, other_day, dt.date(1950, 1, 1)):
        expected = {b.area_id: b.id for b in Boundary.in_force(day).order_by("area", "valid_from")}
        assert index.boundaries_in_force(day) == expected
    assert layers.territory(index, dt.date(1800, 1, 1)) is None  # before any boundary


def test_placement_in_small_chunks_is_the_same(ctx, monkeypatch):
    from observatorio.dashboard import placement

    snap, index, f, terr = ctx
    whole = layers.placed(snap, terr)
    monkeypatch.setattr(placement, "CHUNK", 997)
    layers.clear_cache()
    chunked = layers.placed(snap, terr)
    assert chunked is not whole
    for column in ("gi", "kde_base", "kde_u", "kde_v", "emerging", "cluster"):
        np.testing.assert_array_equal(getattr(chunked, column), getattr(whole, column))
    located = np.isfinite(snap.lon)
    assert ((whole.cluster >= 0) == located).all()  # every located event is on the cluster grid
    assert (whole.gi[snap.outside] == placement.OFF).all()


def test_only_the_latest_placement_is_kept(ctx):
    import dataclasses

    snap, index, f, terr = ctx
    first = layers.placed(snap, terr)
    assert layers.placed(snap, terr) is first
    newer = dataclasses.replace(snap, version=snap.version + 1)
    second = layers.placed(newer, terr)
    assert second is not first and layers.placed(newer, terr) is second
    # A request still holding the older snapshot gets cells without evicting the newer ones.
    again = layers.placed(snap, terr)
    assert again is not first and layers.placed(newer, terr) is second
    assert not any(key[0] == "placed" for key in layers._lru._items)  # not in the layer LRU, one per version
