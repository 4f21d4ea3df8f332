"""Time point → area assignment: 5M random points over Peñalolén into 31 areas.

The 31 areas are the Voronoi cells of 31 random seeds clipped to the DPA
boundary of Peñalolén (CUT 13122), standing in for its 31 unidades vecinales.
Compares observatorio.territory.locate.assign_points with geopandas.sjoin
(predicate="covered_by", lowest area kept where a point matches two), asserts
the answers are identical and prints both timings.

    .venv/bin/python benchmarks/bench_locate.py [--points 5000000] [--seed 7] [--no-sjoin]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from observatorio.territory.dpa import find_comuna  # noqa: E402
from observatorio.territory.locate import assign_points  # noqa: E402


def synthetic_areas(comuna, n_areas: int, rng) -> list:
    x0, y0, x1, y1 = comuna.bounds
    seeds = []
    while len(seeds) < n_areas:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if comuna.contains(shapely.Point(x, y)):
            seeds.append((x, y))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=comuna))
    areas = [cell.intersection(comuna) for cell in cells]
    return [a for a in areas if not a.is_empty]


def sjoin_reference(lon, lat, areas) -> np.ndarray:
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    polys = gpd.GeoDataFrame(geometry=areas, crs=4326)
    joined = gpd.sjoin(points, polys, predicate="covered_by", how="inner")
    first = joined.groupby(level=0)["index_right"].min()
    out = np.full(len(lon), -1, dtype=np.int64)
    out[first.index.to_numpy()] = first.to_numpy()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5_000_000)
    parser.add_argument("--areas", type=int, default=31)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of ours")
    parser.add_argument("--no-sjoin", action="store_true", help="skip the (slow) geopandas reference")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    comuna = find_comuna("13122").geometry
    areas = synthetic_areas(comuna, args.areas, rng)
    x0, y0, x1, y1 = comuna.bounds
    lon = rng.uniform(x0, x1, args.points)
    lat = rng.uniform(y0, y1, args.points)

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        ours = assign_points(lon, lat, areas)
        times.append(time.perf_counter() - t)
    inside = int((ours >= 0).sum())
    print(f"points: {args.points:,}  areas: {len(areas)}  inside an area: {inside:,}")
    print(f"assign_points (grid + exact edge tests, incl. building the index): "
          f"best {min(times):.3f} s of {args.repeat}  ({', '.join(f'{t:.3f}' for t in times)})")

    if not args.no_sjoin:
        t = time.perf_counter()
        reference = sjoin_reference(lon, lat, areas)
        elapsed = time.perf_counter() - t
        same = np.array_equal(ours, reference)
        print(f"geopandas.sjoin(predicate='covered_by'): {elapsed:.3f} s  speed-up x{elapsed / min(times):.0f}")
        print(f"identical assignments: {same}")
        if not same:
            bad = np.flatnonzero(ours != reference)
            print(f"{len(bad)} points differ, e.g. {bad[:5].tolist()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
