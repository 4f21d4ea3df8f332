"""Time the reports' static maps (observatorio.reports.maps): drawing and writing the SVG.

A synthetic comuna of ~10 × 12 km (UTM 19S) cut into 30 areas, 4,000 street
segments, and the map layers' grids: 12,000 cells of 100 m for the density and
Gi* (a sixth of the cells significant, in clusters), 3,000 cells of 200 m for
the emerging hotspots. Best of 3; the SVG's size beside.

Run: .venv/bin/python benchmarks/bench_report_maps.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import shapely

REPEATS = 3


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    import django

    django.setup()
    from observatorio.analysis.emerging import CLASSES
    from observatorio.analysis.grid import Grid
    from observatorio.analysis.kde import kde
    from observatorio.reports import maps

    rng = np.random.default_rng(1)
    x0, y0, w, h = 345_000.0, 6_285_000.0, 10_000.0, 12_000.0
    areas = tuple(maps.Area(f"UV {r * 5 + c + 1}", shapely.box(x0 + c * w / 5, y0 + r * h / 6, x0 + (c + 1) * w / 5,
                                                                y0 + (r + 1) * h / 6))
                  for r in range(6) for c in range(5))
    starts = rng.uniform([x0, y0], [x0 + w, y0 + h], (4_000, 2))
    streets = tuple(shapely.linestrings(np.stack([starts, starts + rng.normal(0, 150, (4_000, 2))], axis=1)))
    base = maps.Base(areas=areas, border=shapely.box(x0, y0, x0 + w, y0 + h), streets=streets)
    caption = maps.Caption("Casos policiales", "01-01-2025 a 31-12-2025")
    grid = Grid(x0=x0, y0=y0, cell=100.0, nrows=120, ncols=100, epsg=32719)
    px, py = rng.normal(x0 + w / 2, 2_000, 50_000), rng.normal(y0 + h / 2, 2_500, 50_000)
    surface = kde(px, py, grid, bandwidth=250)
    # clustered Gi* classes: smooth noise, its tails significant
    noise = np.cumsum(np.cumsum(rng.normal(size=(120, 100)), axis=0), axis=1)
    noise = (noise - noise.mean()) / noise.std()
    bins = np.digitize(noise, [-1.9, -1.7, -1.4, 1.4, 1.7, 1.9]).astype(np.int8) - 3
    egrid = Grid(x0=x0, y0=y0, cell=200.0, nrows=60, ncols=50, epsg=32719)
    codes = rng.choice(len(CLASSES), size=(60, 50), p=[0.02] * 16 + [0.68]).astype(np.int8)
    values = {a.name: (None if i % 9 == 0 else float(rng.integers(5, 400))) for i, a in enumerate(areas)}
    cases = {
        "choropleth (30 areas)": lambda: maps.choropleth(base, values, title="Casos", caption=caption),
        "density (12,000 cells)": lambda: maps.density(base, surface, title="Eventos por km²", caption=caption),
        f"hotspots ({int((bins != 0).sum()):,} significant cells)": lambda: maps.hotspots(base, grid, bins,
                                                                                           caption=caption),
        "emerging (3,000 cells)": lambda: maps.emerging(base, egrid, codes, title="Patrón", caption=caption),
    }
    print(f"{'map':<42} {'best of 3':>10} {'SVG':>10}")
    for name, draw in cases.items():
        best = float("inf")
        for _ in range(REPEATS):
            t = time.perf_counter()
            out = maps.svg(draw())
            best = min(best, time.perf_counter() - t)
        print(f"{name:<42} {best:>9.2f}s {len(out) / 1024:>7.0f} KiB")


if __name__ == "__main__":
    main()
