"""Point → area: exact on edges and vertices, and identical to geopandas.sjoin(predicate="covered_by")."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Polygon, box

from observatorio.territory.locate import PolygonLocator, assign_points

SQUARES = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
DONUT = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]])


def sjoin_first(lon, lat, polygons) -> np.ndarray:
    """The reference: geopandas covered_by, keeping the lowest polygon position per point."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat))
    polys = gpd.GeoDataFrame(geometry=list(polygons))
    joined = gpd.sjoin(points, polys, predicate="covered_by", how="inner")
    first = joined.groupby(level=0)["index_right"].min()
    out = np.full(len(lon), -1, dtype=np.int64)
    out[first.index.to_numpy()] = first.to_numpy()
    return out


CASES = {
    # Grid-aligned edges: the bounding box puts polygon edges exactly on grid lines.
    "interior": (SQUARES, [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5)], [0, 1, 2, 3]),
    "shared edge goes to the first": (SQUARES, [(1.0, 0.5), (0.5, 1.0), (1.5, 1.0), (1.0, 1.5)], [0, 0, 1, 2]),
    "shared corner goes to the first": (SQUARES, [(1.0, 1.0)], [0]),
    "outer edge and corner are inside": (SQUARES, [(0.0, 0.0), (2.0, 2.0), (2.0, 0.3), (0.7, 0.0)], [0, 3, 1, 0]),
    "outside and far away": (SQUARES, [(2.0 + 1e-12, 1.0), (-5, 7), (1e9, -1e9)], [-1, -1, -1]),
    "order decides, not position": (SQUARES[::-1], [(1.0, 1.0), (1.0, 0.5)], [0, 2]),
    "hole": ([DONUT], [(2, 2), (1, 2), (0.5, 0.5), (3, 3), (3.0 - 1e-9, 2), (3.0 + 1e-9, 2)], [-1, 0, 0, 0, -1, 0]),
    "multipolygon": ([MultiPolygon([box(0, 0, 1, 1), box(3, 3, 4, 4)]), box(1, 0, 3, 1)],
                     [(3.5, 3.5), (2, 2), (1, 0.5), (2, 0.5)], [0, -1, 0, 1]),
    "overlap goes to the first": ([box(0, 0, 2, 2), box(1, 1, 3, 3)], [(1.5, 1.5), (2.5, 2.5), (2, 2)], [0, 1, 0]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_known_answers(case):
    polygons, points, expected = CASES[case]
    lon, lat = np.array(points, dtype=float).T
    assert assign_points(lon, lat, polygons).tolist() == expected
    assert sjoin_first(lon, lat, polygons).tolist() == expected


def test_nan_and_empty_inputs():
    assert assign_points([np.nan, 0.5], [0.5, np.nan], SQUARES).tolist() == [-1, -1]
    assert assign_points([0.5, np.nan], [0.5, 1.5], SQUARES).tolist() == [0, -1]
    assert assign_points([], [], SQUARES).tolist() == []
    assert assign_points([0.5], [0.5], []).tolist() == [-1]
    with pytest.raises(ValueError, match=r"lon and lat differ in shape: \(2,\) and \(1,\)"):
        assign_points([0, 1], [0], SQUARES)


def test_does_not_touch_the_callers_polygons():
    polygons = [box(0, 0, 1, 1)]
    assign_points([0.5], [0.5], polygons)
    assert not shapely.is_prepared(polygons[0])


def _voronoi(n, rng):
    seeds = shapely.MultiPoint(rng.uniform(0, 10, (n, 2)))
    frame = Polygon([(0, 0), (10, 0), (10, 7), (6, 10), (0, 9)])
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    return [c.intersection(frame) for c in cells]


@pytest.mark.parametrize("cells", [8, 64, 2048], ids=["coarse", "medium", "default"])
def test_matches_sjoin_including_points_on_edges_and_vertices(cells):
    rng = np.random.default_rng(20240611)
    areas = _voronoi(25, rng)
    random = rng.uniform(-1, 11, (20_000, 2))
    # Every vertex, and points on edges, are where a grid shortcut would go wrong.
    vertices = shapely.get_coordinates(areas)
    ring = shapely.get_coordinates(shapely.get_exterior_ring(areas[3]))
    on_edges = ring[:-1] + 0.5 * (ring[1:] - ring[:-1])
    pts = np.vstack([random, vertices, on_edges])
    ours = PolygonLocator(areas, cells=cells).assign(pts[:, 0], pts[:, 1])
    expected = sjoin_first(pts[:, 0], pts[:, 1], areas)
    assert np.array_equal(ours, expected)
    # Sanity: the edge points do fall on shared edges, so the tie rule was exercised.
    assert (ours[-len(on_edges):] >= 0).all()


def test_matches_sjoin_in_lon_lat_over_a_comuna():
    from observatorio.territory.dpa import find_comuna

    rng = np.random.default_rng(31)
    comuna = find_comuna("13122").geometry
    x0, y0, x1, y1 = comuna.bounds
    seeds = shapely.MultiPoint(np.column_stack([rng.uniform(x0, x1, 31), rng.uniform(y0, y1, 31)]))
    areas = [c.intersection(comuna) for c in shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=comuna))]
    areas = [a for a in areas if not a.is_empty]
    lon, lat = rng.uniform(x0 - 0.01, x1 + 0.01, 200_000), rng.uniform(y0 - 0.01, y1 + 0.01, 200_000)
    assert np.array_equal(assign_points(lon, lat, areas), sjoin_first(lon, lat, areas))
