"""Time our LISA (local Moran, 999 conditional permutations) against esda.Moran_Local.

Run: .venv/bin/python benchmarks/bench_lisa.py
Cases: 31 areas (as many as Peñalolén's unidades vecinales; a KNN-5 graph of
random points), Columbus (49 areas, queen) and a 50×50 rook lattice (2,500).
Each figure is the best of ``REPEAT`` runs, in seconds; esda's includes copying
the weights, which it would otherwise mutate (ours copies internally too).
"""

from __future__ import annotations

import copy
import time
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np

from observatorio.analysis.moran import local_moran
from observatorio.analysis.weights import contiguity, knn

PERMUTATIONS = 999
REPEAT = 5


def _best(fn, repeat=REPEAT):
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def cases():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 5000, 31), rng.uniform(0, 5000, 31)
    yield "31 areas (KNN-5)", knn(x, y, k=5), rng.normal(size=31)
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    yield "columbus, 49 areas (queen)", contiguity(df.geometry, kind="queen"), df["CRIME"].to_numpy()
    yield "50x50 lattice, 2500 areas (rook)", libpysal.weights.lat2W(50, 50), rng.normal(size=2500)


def main():
    warnings.simplefilter("ignore")
    print(f"{'case':36s} {'ours (s)':>10s} {'esda (s)':>10s} {'ratio':>7s}")
    for name, w, values in cases():
        ours = _best(lambda: local_moran(values, w, permutations=PERMUTATIONS, seed=1))
        ref = _best(lambda: esda.Moran_Local(values, copy.deepcopy(w), permutations=PERMUTATIONS, seed=1))
        print(f"{name:36s} {ours:10.4f} {ref:10.4f} {ref / ours:7.1f}x")


if __name__ == "__main__":
    main()
