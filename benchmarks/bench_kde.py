"""Time observatorio.analysis.kde against scikit-learn's exact KernelDensity.

Synthetic events over a ~10 × 12 km commune (UTM 19S), a 100 m grid (12,000
cells) and a Gaussian kernel of 250 m. scikit-learn is timed on a subsample
of points and cells only, and its full time is extrapolated linearly in
points × cells (exact evaluation costs about one kernel per pair; the tree
saves little at rtol=0), so its column is an estimate, marked "~".

Run: .venv/bin/python benchmarks/bench_kde.py
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.neighbors import KernelDensity

from observatorio.analysis.grid import Grid
from observatorio.analysis.kde import kde

SIZES = (100_000, 1_000_000, 5_000_000)
BANDWIDTH = 250.0
GRID = Grid(x0=345_000.0, y0=6_285_000.0, cell=100.0, nrows=120, ncols=100, epsg=32719)
SK_POINTS = 20_000
SK_CELLS = 600
REPEATS = 5


def synthetic_events(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Half spread over the commune, half in 40 hotspots of 150–600 m."""
    rng = np.random.default_rng(seed)
    w, h = GRID.ncols * GRID.cell, GRID.nrows * GRID.cell
    centres = rng.uniform([0, 0], [w, h], size=(40, 2))
    spread = rng.uniform(150, 600, 40)
    k = rng.integers(0, 40, n - n // 2)
    x = np.r_[rng.uniform(0, w, n // 2), centres[k, 0] + rng.normal(0, 1, k.size) * spread[k]]
    y = np.r_[rng.uniform(0, h, n // 2), centres[k, 1] + rng.normal(0, 1, k.size) * spread[k]]
    return GRID.x0 + x, GRID.y0 + y


def best_time(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sklearn_estimate(x, y, seed: int) -> float:
    rng = np.random.default_rng(seed)
    pick = rng.choice(x.size, size=min(SK_POINTS, x.size), replace=False)
    cx, cy = GRID.centres()
    cells = rng.choice(GRID.size, size=SK_CELLS, replace=False)
    query = np.column_stack([cx.ravel()[cells], cy.ravel()[cells]])

    def run():
        KernelDensity(kernel="gaussian", bandwidth=BANDWIDTH).fit(np.column_stack([x[pick], y[pick]])).score_samples(query)

    return best_time(run) * (x.size / pick.size) * (GRID.size / SK_CELLS)


def main() -> None:
    print(f"grid {GRID.nrows}×{GRID.ncols} cells of {GRID.cell:g} m, gaussian h = {BANDWIDTH:g} m, best of {REPEATS}")
    print(f"{'points':>10} {'ours (s)':>10} {'sklearn (s)':>13} {'speed-up':>10}")
    for i, n in enumerate(SIZES):
        x, y = synthetic_events(n, seed=i)
        ours = best_time(lambda: kde(x, y, GRID, bandwidth=BANDWIDTH))
        theirs = sklearn_estimate(x, y, seed=100 + i)
        print(f"{n:>10,} {ours:>10.4f} {'~' + format(theirs, ',.0f'):>13} {theirs / ours:>9,.0f}×")
    x, y = synthetic_events(1_000_000, seed=1)
    goal = best_time(lambda: kde(x, y, GRID, bandwidth=BANDWIDTH))
    print(f"goal: 1M points under 0.1 s → {goal:.4f} s ({'met' if goal < 0.1 else 'NOT met'})")


if __name__ == "__main__":
    main()
