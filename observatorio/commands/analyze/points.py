"""Methods on points: Gi* hotspots, emerging hotspots, density, concentration, near repeats, exposure."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from .options import add_grid, add_method, add_permutations, add_points, count, fraction, numbers, positive
from .output import Outcome, fmt, handler, records

POINTS_FILE = "events: points (GeoJSON, GeoPackage, Shapefile, GeoParquet) or a table with lon/lat (CSV, Parquet)"


def register(msub) -> None:
    p = add_method(msub, "gistar", "Getis-Ord Gi* hotspots of points on a grid",
                   "Count the points per square cell and find cells whose neighbourhood holds more (hot) or "
                   "fewer (cold) events than chance, as ArcGIS's Hot Spot Analysis (Gi_Bin -3..3). -o writes "
                   "the cells as WGS84 polygons with count, z, p and bin.", handler(gistar), file_help=POINTS_FILE)
    add_points(p)
    add_grid(p)
    add_permutations(p, 0)
    p.add_argument("--fdr", action="store_true", help="Benjamini–Hochberg correction of each confidence level")
    p.add_argument("--inference", choices=("normal", "permutation"), default="normal",
                   help="p-values of the bins: normal approximation (default) or the permutations")

    p = add_method(msub, "emerging", "emerging hotspots: Gi* per period and its trend",
                   "Gi* of every cell in every period and the Mann–Kendall trend of its z, classed as ESRI's "
                   "new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or "
                   "historical hot/cold spots.", handler(emerging), file_help=POINTS_FILE)
    add_points(p)
    add_grid(p)
    p.add_argument("--date", required=True, metavar="COLUMN", help="date of each event")
    p.add_argument("--period", choices=("week", "month", "quarter"), default="month", help="time step")
    p.add_argument("--alpha", type=fraction, default=0.05, help="significance of a hot/cold bin (default 0.05)")
    p.add_argument("--trend-alpha", type=fraction, default=0.05, help="significance of the trend (default 0.05)")
    p.add_argument("--fdr", action="store_true", help="Benjamini–Hochberg correction within each period")
    p.add_argument("--time-window", type=count, default=None,
                   help="space-time Gi* with this many preceding periods (default: each period on its own)")

    p = add_method(msub, "kde", "kernel density surface of points",
                   "Kernel density of the points at the centres of square cells (events per km² or per cell). "
                   "-o writes the cells with their density.", handler(kde), file_help=POINTS_FILE)
    add_points(p)
    add_grid(p, distance=False)
    bw = p.add_mutually_exclusive_group()
    bw.add_argument("--bandwidth", type=positive, help="metres: Gaussian SD or quartic radius")
    bw.add_argument("--rule", choices=("scott", "silverman"), help="bandwidth rule of thumb (default scott)")
    p.add_argument("--kernel", choices=("gaussian", "quartic"), default="gaussian", help="kernel (default gaussian)")
    p.add_argument("--output-unit", dest="unit", choices=("density", "expected"), default="density",
                   help="events per km² (density, default) or expected events per cell")

    p = add_method(msub, "concentration", "concentration of events: top shares and Gini",
                   "Share of events in the busiest 1/5/10 % of cells (or of the units of --count) and the "
                   "Gini coefficient (Weisburd 2015; generalized Gini of Bernasco & Steenbeek 2017).",
                   handler(concentration), file_help=POINTS_FILE + "; or units with --count")
    add_points(p)
    add_grid(p, distance=False)
    p.add_argument("--count", metavar="COLUMN", help="events per unit already counted (no grid)")
    p.add_argument("--shares", type=numbers, default=[0.01, 0.05, 0.10], metavar="P,P,…",
                   help="fractions of units (default 0.01,0.05,0.10)")

    p = add_method(msub, "knox", "Knox test for near repeats",
                   "Are events close in space also close in time? Pairs per distance band × time band against "
                   "date permutations (Ratcliffe's Near Repeat Calculator).", handler(knox), file_help=POINTS_FILE)
    add_points(p)
    p.add_argument("--date", required=True, metavar="COLUMN", help="date (or timestamp) of each event")
    p.add_argument("--distance-bands", type=numbers, default=[0, 100, 200, 400], metavar="M,M,…",
                   help="band edges in metres (default 0,100,200,400)")
    p.add_argument("--time-bands", type=numbers, default=[0, 7, 14, 30], metavar="D,D,…",
                   help="band edges in days (default 0,7,14,30)")
    add_permutations(p, 999)

    p = add_method(msub, "exposure", "events near places of interest against the expected count",
                   "Events within --radius metres of each place (school, alcohol outlet…) against the count "
                   "expected from the ring around it or from the whole region, with an exact Poisson interval.",
                   handler(exposure), file_help=POINTS_FILE)
    add_points(p)
    p.add_argument("--places", required=True, metavar="FILE", help="places of interest (points, any supported file)")
    p.add_argument("--place-x", metavar="COLUMN", help="longitude column of --places (default: auto)")
    p.add_argument("--place-y", metavar="COLUMN", help="latitude column of --places")
    p.add_argument("--group", metavar="COLUMN", help="column of --places pooling places (e.g. kind)")
    p.add_argument("--radius", type=positive, required=True, help="buffer radius in metres")
    p.add_argument("--reference", choices=("ring", "region"), default="ring", help="expected density from")
    p.add_argument("--outer-radius", type=positive, help="outer radius of the ring (default 3 × radius)")
    p.add_argument("--region-area", type=positive, metavar="M2", help="area of the study region in m² (region)")
    p.add_argument("--confidence", type=fraction, default=0.95, help="interval level (default 0.95)")


def _points(args):
    from observatorio.analysis.inputs import point_coordinates, read_table

    frame = read_table(args.file, layer=args.layer)
    return point_coordinates(frame, args.file, x=args.x, y=args.y, crs=args.crs)


def _cells(grid, rows, cols, columns: dict):
    """A GeoDataFrame of grid cells in WGS84 with their centre and the given columns."""
    import geopandas as gpd

    from observatorio.analysis.inputs import cells_lonlat, centres_lonlat

    lon, lat = centres_lonlat(grid, rows, cols)
    data = {"row": np.asarray(rows), "col": np.asarray(cols), "lon": lon, "lat": lat, **columns}
    return gpd.GeoDataFrame(data, geometry=cells_lonlat(grid, rows, cols).to_numpy(), crs="EPSG:4326")


def _distance(args) -> float:
    return args.distance if args.distance is not None else 1.5 * args.cell


def _point_parameters(args, pts) -> dict:
    return {"x": args.x, "y": args.y, "crs": args.crs, "epsg": pts.epsg, "points": len(pts.x),
            "dropped_without_location": pts.dropped}


def gistar(args) -> Outcome:
    from observatorio.analysis.gistar import GiBin, gi_star_points

    pts = _points(args)
    distance = _distance(args)
    r = gi_star_points(pts.x, pts.y, cell=args.cell, distance=distance, epsg=pts.epsg, margin=args.margin,
                       permutations=args.permutations, seed=args.seed)
    bins = r.bins(fdr=args.fdr, inference=args.inference)
    rows, cols = np.nonzero(r.mask)
    columns = {"count": r.values[rows, cols], "n_neighbours": r.n_neighbours[rows, cols].astype(int),
               "z": r.z[rows, cols], "p": r.p_value[rows, cols]}
    if r.p_sim is not None:
        columns["p_sim"] = r.p_sim[rows, cols]
    columns["bin"] = bins[rows, cols].astype(int)
    table = _cells(r.grid, rows, cols, columns)
    tally = Counter(table["bin"])
    params = {**_point_parameters(args, pts), "cell": args.cell, "distance": distance, "margin": args.margin,
              "permutations": args.permutations, "seed": args.seed, "fdr": args.fdr, "inference": args.inference}
    significant = table[table["bin"] != 0].sort_values("z", ascending=False)
    results = {"cells": len(table), "grid": {"nrows": r.grid.nrows, "ncols": r.grid.ncols, "x0": r.grid.x0,
                                             "y0": r.grid.y0, "epsg": r.grid.epsg},
               "bins": {str(b.value): tally.get(b.value, 0) for b in GiBin},
               "significant_cells": records(significant)}
    hot = sum(tally.get(b, 0) for b in (1, 2, 3))
    cold = sum(tally.get(b, 0) for b in (-1, -2, -3))
    summary = [f"Gi* de {len(pts.x)} puntos en celdas de {fmt(args.cell, 0)} m (vecindad {fmt(distance, 0)} m): "
               f"{len(table)} celdas, {hot} calientes y {cold} frías (90–99 %{', FDR' if args.fdr else ''})"]
    if hot:
        top = significant.iloc[0]
        summary.append(f"celda más caliente: fila {top['row']}, columna {top['col']} ({fmt(top['lon'], 5)}, "
                       f"{fmt(top['lat'], 5)}), {fmt(int(top['count']))} eventos, z = {fmt(top['z'], 2)}")
    return Outcome(params, results, summary, table)


_PERIOD = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def emerging(args) -> Outcome:
    from observatorio.analysis.emerging import EmergingClass, emerging_hotspots
    from observatorio.analysis.grid import Grid
    from observatorio.analysis.inputs import date_column
    from observatorio.labels import emerging_label

    pts = _points(args)
    when = date_column(pts.frame, args.date, args.file).reset_index(drop=True)
    ok = when.notna().to_numpy()
    x, y = pts.x[ok], pts.y[ok]
    period = when[ok].dt.to_period(_PERIOD[args.period])
    periods = pd.period_range(period.min(), period.max(), freq=_PERIOD[args.period])
    grid = Grid.covering(x, y, cell=args.cell, epsg=pts.epsg, margin=args.margin)
    cube = np.stack([grid.counts(x[(period == p).to_numpy()], y[(period == p).to_numpy()]) for p in periods])
    distance = _distance(args)
    r = emerging_hotspots(cube, args.cell, distance, alpha=args.alpha, fdr=args.fdr, trend_alpha=args.trend_alpha,
                          time_window=args.time_window)
    frame = r.to_frame()
    rows, cols = frame["row"].to_numpy(), frame["col"].to_numpy()
    columns = {c: frame[c].to_numpy() for c in frame.columns if c not in ("row", "col")}
    columns["pattern_label"] = [emerging_label(p) for p in frame["pattern"]]
    columns["count"] = cube.sum(axis=0)[rows, cols]
    table = _cells(grid, rows, cols, columns)
    tally = Counter(table["pattern"])
    params = {**_point_parameters(args, pts), "date": args.date, "period": args.period, "cell": args.cell,
              "distance": distance, "margin": args.margin, "alpha": args.alpha, "trend_alpha": args.trend_alpha,
              "fdr": args.fdr, "time_window": args.time_window}
    patterned = table[table["pattern"] != EmergingClass.NO_PATTERN.value]
    results = {"periods": [str(p) for p in periods], "cells": len(table),
               "patterns": {c.value: tally.get(c.value, 0) for c in EmergingClass},
               "cells_with_pattern": records(patterned)}
    summary = [f"puntos calientes emergentes: {len(x)} eventos, {len(periods)} períodos ({periods[0]} a "
               f"{periods[-1]}), {len(table)} celdas de {fmt(args.cell, 0)} m"]
    summary += [f"  {emerging_label(c)}: {tally[c.value]}" for c in EmergingClass if tally.get(c.value)]
    return Outcome(params, results, summary, table)


def kde(args) -> Outcome:
    from observatorio.analysis import kde as k
    from observatorio.analysis.grid import Grid
    from observatorio.labels import unit_label

    pts = _points(args)
    grid = Grid.covering(pts.x, pts.y, cell=args.cell, epsg=pts.epsg, margin=args.margin)
    bandwidth = args.bandwidth if args.bandwidth is not None else (args.rule or "scott")
    s = k.kde(pts.x, pts.y, grid, bandwidth=bandwidth, kernel=args.kernel, output=args.unit)
    rows, cols = np.indices(grid.shape)
    rows, cols = rows.ravel(), cols.ravel()
    table = _cells(grid, rows, cols, {"density": s.values[rows, cols]})
    peak = int(np.argmax(table["density"].to_numpy()))
    params = {**_point_parameters(args, pts), "cell": args.cell, "margin": args.margin,
              "bandwidth": args.bandwidth, "rule": None if args.bandwidth is not None else (args.rule or "scott"),
              "kernel": args.kernel, "output": args.unit}
    top = table.iloc[peak]
    results = {"bandwidth_m": s.bandwidth, "unit": s.unit, "unit_label": unit_label(s.unit), "cells": len(table),
               "grid": {"nrows": grid.nrows, "ncols": grid.ncols, "x0": grid.x0, "y0": grid.y0, "epsg": grid.epsg},
               "max": float(top["density"]), "max_cell": {"row": int(top["row"]), "col": int(top["col"]),
                                                          "lon": float(top["lon"]), "lat": float(top["lat"])},
               "sum": float(table["density"].sum())}
    summary = [f"densidad kernel {args.kernel} de {len(pts.x)} puntos, ancho de banda {fmt(s.bandwidth, 1)} m, "
               f"{len(table)} celdas de {fmt(args.cell, 0)} m",
               f"máximo {fmt(float(top['density']), 3)} {unit_label(s.unit)} en ({fmt(float(top['lon']), 5)}, "
               f"{fmt(float(top['lat']), 5)})"]
    return Outcome(params, results, summary, table)


def concentration(args) -> Outcome:
    from observatorio.analysis import concentration as c

    table = None
    if args.count is not None:
        from observatorio.analysis.inputs import numeric_column, read_table

        frame = read_table(args.file, layer=args.layer)
        counts = numeric_column(frame, args.count, args.file)
        params = {"count": args.count}
        unit = "unidades"
    else:
        from observatorio.analysis.grid import Grid

        pts = _points(args)
        grid = Grid.covering(pts.x, pts.y, cell=args.cell, epsg=pts.epsg, margin=args.margin)
        counts = grid.counts(pts.x, pts.y).ravel()
        rows, cols = np.divmod(np.arange(grid.size), grid.ncols)
        table = _cells(grid, rows, cols, {"count": counts})
        params = {**_point_parameters(args, pts), "cell": args.cell, "margin": args.margin}
        unit = "celdas"
    params["shares"] = args.shares
    shares = c.top_share(counts, args.shares)
    integer = bool(np.array_equal(counts, np.round(counts)))
    results = {"units": len(counts), "events": counts.sum(), "top_share": {str(p): v for p, v in shares.items()},
               "units_for_half": c.units_for_share(counts, 0.5) if counts.sum() > 0 else None,
               "gini": c.gini(counts), "gini_with_events": c.gini(counts, include_empty=False),
               "gini_generalized": c.gini(counts, generalized=True) if integer else None}
    summary = [f"concentración de {fmt(int(counts.sum()))} eventos en {fmt(len(counts))} {unit}: Gini "
               f"{fmt(results['gini'], 3)}"]
    summary += [f"  el {fmt(100 * p, 0)} % con más eventos concentra el {fmt(100 * v, 1)} %" for p, v in shares.items()]
    return Outcome(params, results, summary, table)


def knox(args) -> Outcome:
    from observatorio.analysis.inputs import date_column
    from observatorio.analysis.knox import knox_test

    pts = _points(args)
    when = date_column(pts.frame, args.date, args.file).reset_index(drop=True)
    ok = when.notna().to_numpy()
    r = knox_test(pts.x[ok], pts.y[ok], when[ok].to_numpy(dtype="datetime64[ns]"),
                  distance_bands=args.distance_bands, time_bands=args.time_bands,
                  permutations=args.permutations, seed=args.seed)
    table = r.to_frame()
    params = {**_point_parameters(args, pts), "date": args.date, "distance_bands": args.distance_bands,
              "time_bands": args.time_bands, "permutations": args.permutations, "seed": args.seed}
    results = {"events": r.n_events, "observed": r.observed, "expected": r.expected, "ratio": r.ratio,
               "p_value": r.p_value, "table": records(table)}
    summary = [f"prueba de Knox: {r.n_events} eventos, {r.permutations} permutaciones"]
    for row in table.itertuples(index=False):
        flag = " *" if row.p_value < 0.05 else ""
        summary.append(f"  {fmt(row.distance_from, 0)}–{fmt(row.distance_to, 0)} m, {fmt(row.days_from, 0)}–"
                       f"{fmt(row.days_to, 0)} días: {row.observed} pares, razón {fmt(row.ratio, 2)}, "
                       f"p = {fmt(row.p_value, 3)}{flag}")
    return Outcome(params, results, summary, table)


def exposure(args) -> Outcome:
    from observatorio.analysis.exposure import exposure as expo
    from observatorio.analysis.inputs import point_coordinates, read_table, require_columns
    from observatorio.analysis.projection import to_lonlat, to_metres

    pts = _points(args)
    places_frame = read_table(args.places)
    places = point_coordinates(places_frame, args.places, x=args.place_x, y=args.place_y, crs=args.crs)
    px, py = places.x, places.y
    if places.epsg != pts.epsg:
        # Both layers must share one metric CRS: bring the places into the events'.
        lon, lat = to_lonlat(px, py, places.epsg)
        px, py, _ = to_metres(lon, lat, epsg=pts.epsg)
    groups = None
    if args.group:
        require_columns(places.frame, [args.group], args.places)
        groups = places.frame[args.group].to_numpy()
    outer = None
    if args.reference == "ring":
        outer = args.outer_radius if args.outer_radius is not None else 3 * args.radius
    elif args.region_area is None:
        raise ValueError("--reference region needs --region-area (the study region's area in m²)")
    t = expo(pts.x, pts.y, px, py, radius=args.radius, reference=args.reference, outer_radius=outer,
             region=args.region_area, groups=groups, confidence=args.confidence)
    t = t.reset_index(names="group")
    params = {**_point_parameters(args, pts), "places": args.places, "places_count": len(px), "group": args.group,
              "radius": args.radius, "reference": args.reference, "outer_radius": outer,
              "region_area": args.region_area, "confidence": args.confidence}
    results = {"groups": records(t)}
    summary = [f"exposición: {len(pts.x)} eventos, {len(px)} lugares, radio {fmt(args.radius, 0)} m "
               f"(referencia {args.reference})"]
    for row in t.head(20).itertuples(index=False):
        summary.append(f"  {row.group}: observados {row.observed}, esperados {fmt(row.expected, 1)}, razón "
                       f"{fmt(row.ratio, 2)} [{fmt(row.lower, 2)}–{fmt(row.upper, 2)}]")
    return Outcome(params, results, summary, t)
