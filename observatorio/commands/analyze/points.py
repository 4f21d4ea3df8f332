"""Methods on points: Gi* hotspots, emerging hotspots, density, concentration, near repeats, exposure."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.errors import UserError

from ..i18n import _, gettext_noop
from . import options
from .options import add_grid, add_method, add_permutations, add_points, count, fraction, positive
from .output import Outcome, fmt, handler, records

POINTS_FILE = gettext_noop("eventos: puntos (GeoJSON, GeoPackage, Shapefile, GeoParquet) o una tabla con lon/lat "
                           "(CSV, Parquet)")


def register(msub) -> None:
    p = add_method(msub, "gistar", _("puntos calientes Gi* de Getis-Ord sobre una grilla"),
                   _("Cuenta los puntos por celda cuadrada y busca las celdas cuya vecindad tiene más (calientes) o "
                     "menos (frías) eventos que lo esperable por azar, como Hot Spot Analysis de ArcGIS (Gi_Bin "
                     "-3..3). -o escribe las celdas como polígonos WGS84 con conteo, z, p y bin."),
                   handler(gistar), file_help=_(POINTS_FILE))
    add_points(p)
    add_grid(p)
    add_permutations(p, 0)
    p.add_argument("--fdr", action="store_true",
                   help=_("corrección de Benjamini–Hochberg de cada nivel de confianza"))
    p.add_argument("--inference", choices=("normal", "permutation"), default="normal",
                   help=_("valores p de los bins: aproximación normal (por defecto) o las permutaciones"))

    p = add_method(msub, "emerging", _("puntos calientes emergentes: Gi* espacio-temporal y su tendencia"),
                   _("Gi* espacio-temporal de cada celda en cada período y la tendencia de Mann–Kendall de su z, "
                     "clasificados según las definiciones de ESRI (ArcGIS Pro 3.x) como puntos calientes o fríos "
                     "nuevos, consecutivos, en intensificación, persistentes, en disminución, esporádicos, "
                     "oscilantes o históricos. Cada celda dice en cuántos períodos significativos descansa su "
                     "clase."), handler(emerging), file_help=_(POINTS_FILE))
    add_points(p)
    add_grid(p)
    options.add_date(p, _("fecha de cada evento"))
    p.add_argument("--period", choices=("week", "month", "quarter"), default="month",
                   help=_("paso de tiempo (por defecto month)"))
    p.add_argument("--alpha", type=fraction, default=0.05,
                   help=_("significancia de un bin caliente o frío (por defecto 0,05)"))
    p.add_argument("--trend-alpha", type=fraction, default=0.05,
                   help=_("significancia de la tendencia (por defecto 0,05)"))
    p.add_argument("--fdr", action="store_true", help=_("corrección de Benjamini–Hochberg dentro de cada período"))
    window = p.add_mutually_exclusive_group()
    window.add_argument("--time-window", type=count, default=1,
                        help=_("períodos anteriores en la vecindad del Gi* espacio-temporal (por defecto 1, como "
                               "ArcGIS)"))
    window.add_argument("--each-period", action="store_true",
                        help=_("Gi* de cada período por sí solo, en vez del espacio-temporal"))

    p = add_method(msub, "kde", _("superficie de densidad kernel de los puntos"),
                   _("Densidad kernel de los puntos en los centros de celdas cuadradas (eventos por km² o por "
                     "celda). -o escribe las celdas con su densidad."), handler(kde), file_help=_(POINTS_FILE))
    add_points(p)
    add_grid(p, distance=False)
    bw = p.add_mutually_exclusive_group()
    bw.add_argument("--bandwidth", type=positive,
                    help=_("metros: desviación estándar de la gaussiana o radio de la cuártica"))
    bw.add_argument("--rule", choices=("scott", "silverman"),
                    help=_("regla empírica del ancho de banda (por defecto scott)"))
    p.add_argument("--kernel", choices=("gaussian", "quartic"), default="gaussian",
                   help=_("kernel (por defecto gaussian)"))
    p.add_argument("--output-unit", dest="unit", choices=("density", "expected"), default="density",
                   help=_("eventos por km² (density, por defecto) o eventos esperados por celda (expected)"))

    p = add_method(msub, "concentration", _("concentración de los eventos: proporciones principales y Gini"),
                   _("Proporción de los eventos en el 1/5/10 % de celdas con más eventos (o de las unidades de "
                     "--count) y el coeficiente de Gini (Weisburd 2015; Gini generalizado de Bernasco y Steenbeek "
                     "2017)."),
                   handler(concentration), file_help=_(POINTS_FILE) + _("; o unidades con --count"))
    add_points(p)
    add_grid(p, distance=False)
    p.add_argument("--count", metavar=_("COLUMNA"), help=_("eventos por unidad ya contados (sin grilla)"))
    p.add_argument("--shares", type=options.fractions, default=[0.01, 0.05, 0.10], metavar="P,P,…",
                   help=_("fracciones de las unidades (por defecto 0.01,0.05,0.10)"))

    p = add_method(msub, "knox", _("prueba de Knox de repeticiones cercanas"),
                   _("¿Los eventos cercanos en el espacio también lo están en el tiempo? Pares por banda de "
                     "distancia × banda de tiempo frente a permutaciones de las fechas (Near Repeat Calculator de "
                     "Ratcliffe)."), handler(knox), file_help=_(POINTS_FILE))
    add_points(p)
    options.add_date(p, _("fecha (o fecha y hora) de cada evento"))
    p.add_argument("--distance-bands", type=options.edges, default=[0, 100, 200, 400], metavar="M,M,…",
                   help=_("límites de las bandas en metros (por defecto 0,100,200,400)"))
    p.add_argument("--time-bands", type=options.edges, default=[0, 7, 14, 30], metavar="D,D,…",
                   help=_("límites de las bandas en días (por defecto 0,7,14,30)"))
    add_permutations(p, 999)

    p = add_method(msub, "exposure", _("eventos cerca de lugares de interés frente al conteo esperado"),
                   _("Eventos a menos de --radius metros de cada lugar (colegio, botillería…) frente al conteo "
                     "esperado según el anillo que lo rodea o según toda la región; como el esperado también es "
                     "una estimación, la prueba y el intervalo son binomiales condicionados al total."),
                   handler(exposure), file_help=_(POINTS_FILE))
    add_points(p)
    p.add_argument("--places", required=True, metavar=_("ARCHIVO"),
                   help=_("lugares de interés (puntos, cualquier archivo admitido)"))
    p.add_argument("--place-x", metavar=_("COLUMNA"),
                   help=_("columna de la longitud de --places (por defecto: automática)"))
    p.add_argument("--place-y", metavar=_("COLUMNA"), help=_("columna de la latitud de --places"))
    p.add_argument("--group", metavar=_("COLUMNA"),
                   help=_("columna de --places que agrupa los lugares (p. ej. el tipo)"))
    p.add_argument("--radius", type=positive, required=True, help=_("radio del área de influencia en metros"))
    p.add_argument("--reference", choices=("ring", "region"), default="ring",
                   help=_("de dónde sale la densidad esperada (por defecto ring)"))
    p.add_argument("--outer-radius", type=positive, help=_("radio exterior del anillo (por defecto 3 × radio)"))
    p.add_argument("--region-area", type=positive, metavar="M2",
                   help=_("superficie de la región de estudio en m² (region)"))
    p.add_argument("--confidence", type=fraction, default=0.95, help=_("nivel del intervalo (por defecto 0,95)"))


def _points(args):
    from observatorio.analysis.inputs import point_coordinates, read_table

    frame = read_table(args.file, layer=args.layer)
    return point_coordinates(frame, args.file, x=args.x, y=args.y, crs=args.crs)


def _dates(args, pts):
    """The ``--date`` of each located point and the mask of those that have one (the others are left out and
    reported by :func:`_about_points` as ``pts.rows[~ok]``)."""
    when = options.event_dates(pts.frame, args).reset_index(drop=True)
    return when, when.notna().to_numpy()


def _max_cells(args) -> int:
    from observatorio.analysis.grid import DEFAULT_MAX_CELLS
    from observatorio.env import env_positive_int

    return args.max_cells or env_positive_int("OBS_ANALYSIS_MAX_CELLS", DEFAULT_MAX_CELLS)


def _study(args, pts, x=None, y=None):
    """The grid of a grid method: over --area when given (its cells inside it), else over the points."""
    from observatorio.analysis.grid import StudyGrid
    from observatorio.analysis.inputs import read_area

    area = None if args.area is None else read_area(args.area, pts.epsg)
    with _grid_limit(args):
        return StudyGrid.build(pts.x if x is None else x, pts.y if y is None else y, cell=args.cell, epsg=pts.epsg,
                               margin=args.margin, area=area, max_cells=_max_cells(args))


class _grid_limit:
    """Turns a grid over the limit into the command's words: its options and the cell side that fits."""

    def __init__(self, args):
        self.args = args

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from observatorio.analysis.grid import GridTooLarge

        if isinstance(exc, GridTooLarge):
            raise UserError(_("la grilla tendría %(cells)s celdas de %(cell)s m, más que el límite de %(max)s "
                              "(--max-cells u OBS_ANALYSIS_MAX_CELLS); con --cell %(fit)s cabe, o acote los "
                              "puntos con --area")
                            % {"cells": fmt(exc.cells), "cell": fmt(exc.cell, 0), "max": fmt(exc.max_cells),
                               "fit": f"{exc.fitting:g}"}) from None
        return False


ROWS_LISTED = 1000  # row numbers of the rows left out given in the JSON (their count is always whole)


def _dropped(message: str, rows) -> list[str]:
    """The warning for rows left out (none when there are none), naming the first few rows."""
    rows = [int(r) for r in rows]
    if not rows:
        return []
    shown = ", ".join(map(str, rows[:5])) + ("…" if len(rows) > 5 else "")
    return [message % {"n": fmt(len(rows)), "rows": shown}]


def _about_points(pts, without_date=None) -> tuple[dict, list[str], list[str]]:
    """What every point method says of its points: the CRS used, and the rows left out (location, date).

    Returns the results' entries, the summary's line and the warnings.
    """
    crs = {"used": pts.crs, "source": pts.source_crs, "reprojected": pts.reprojected, "utm_zones": pts.zones,
           "scale_error": pts.scale_error}
    dropped = {"without_location": pts.dropped, "without_location_rows": pts.dropped_rows[:ROWS_LISTED]}
    if pts.reprojected:
        line = _("SRC: %(used)s (reproyectado desde %(source)s)") % crs
    else:
        line = _("SRC: %(used)s (el del archivo)") % crs
    warnings = _dropped(_("filas sin ubicación, omitidas: %(n)s (n.º de fila: %(rows)s)"), pts.dropped_rows)
    if without_date is not None:
        dropped["without_date"] = int(without_date.size)
        dropped["without_date_rows"] = without_date[:ROWS_LISTED]
        warnings += _dropped(_("filas sin fecha, omitidas: %(n)s (n.º de fila: %(rows)s)"), without_date)
    if pts.zones > 1:
        warnings.append(_("los puntos abarcan %(zones)s husos UTM; se usó %(used)s, cuya escala se aparta hasta un "
                          "%(error)s %% en los extremos, y otro tanto las distancias y densidades allí")
                        % {"zones": pts.zones, "used": pts.crs, "error": fmt(100 * pts.scale_error, 2)})
    return {"crs": crs, "dropped": dropped}, [line], warnings


def _about_study(args, study, counts, outside: int) -> tuple[dict, list[str]]:
    """The study area's entry of the results and its warnings: the share of empty cells without --area, the
    events outside it with one."""
    empty = study.empty_share(counts)
    entry = {"file": args.area, "cells": study.cells, "grid_cells": study.grid.size, "empty_share": empty,
             "events_outside": outside}
    if args.area is None:
        return entry, [_("sin --area la grilla cubre el rectángulo de los puntos: el %(share)s %% de sus "
                         "%(cells)s celdas están vacías; dé el área de estudio (p. ej. el límite de la comuna) "
                         "con --area ARCHIVO") % {"share": fmt(100 * empty, 1), "cells": fmt(study.cells)}]
    if outside:
        return entry, [_("eventos fuera del área de estudio, omitidos: %(n)s") % {"n": fmt(outside)}]
    return entry, []


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
    return {"x": args.x, "y": args.y, "crs": args.crs, "epsg": pts.epsg, "points": len(pts.x)}


def _grid_parameters(args) -> dict:
    return {"cell": args.cell, "margin": args.margin, "area": args.area, "max_cells": _max_cells(args)}


def gistar(args) -> Outcome:
    from observatorio.analysis.gistar import GiBin, gi_star_points

    options.check_inference(args)
    pts = _points(args)
    distance = _distance(args)
    study = _study(args, pts)
    inside = study.inside(pts.x, pts.y)
    r = gi_star_points(pts.x[inside], pts.y[inside], cell=args.cell, distance=distance, epsg=pts.epsg,
                       margin=args.margin, permutations=args.permutations, seed=args.seed, area=study.area,
                       max_cells=None)
    bins = r.bins(fdr=args.fdr, inference=args.inference)
    rows, cols = np.nonzero(r.mask)
    columns = {"count": r.values[rows, cols], "n_neighbours": r.n_neighbours[rows, cols].astype(int),
               "z": r.z[rows, cols], "p": r.p_value[rows, cols]}
    if r.p_sim is not None:
        columns["p_sim"] = r.p_sim[rows, cols]
    columns["bin"] = bins[rows, cols].astype(int)
    table = _cells(r.grid, rows, cols, columns)
    tally = Counter(table["bin"])
    params = {**_point_parameters(args, pts), **_grid_parameters(args), "distance": distance,
              "permutations": args.permutations, "seed": args.seed, "fdr": args.fdr, "inference": args.inference}
    significant = table[table["bin"] != 0].sort_values("z", ascending=False)
    about, crs_line, warnings = _about_points(pts)
    area, area_warnings = _about_study(args, study, r.values, int((~inside).sum()))
    results = {"cells": len(table), "grid": _grid_entry(r.grid), "study_area": area, **about,
               "bins": {str(b.value): tally.get(b.value, 0) for b in GiBin},
               "significant_cells": records(significant)}
    hot = sum(tally.get(b, 0) for b in (1, 2, 3))
    cold = sum(tally.get(b, 0) for b in (-1, -2, -3))
    summary = [_("Gi* de %(n)s puntos en celdas de %(cell)s m (vecindad %(distance)s m): %(cells)s celdas, %(hot)s "
                 "calientes y %(cold)s frías (90–99 %%%(fdr)s)")
               % {"n": len(pts.x), "cell": fmt(args.cell, 0), "distance": fmt(distance, 0), "cells": len(table),
                  "hot": hot, "cold": cold, "fdr": ", FDR" if args.fdr else ""}]
    if hot:
        top = significant.iloc[0]
        summary.append(_("celda más caliente: fila %(row)s, columna %(col)s (%(lon)s, %(lat)s), %(count)s eventos, "
                         "z = %(z)s") % {"row": top["row"], "col": top["col"], "lon": fmt(top["lon"], 5),
                                         "lat": fmt(top["lat"], 5), "count": fmt(int(top["count"])),
                                         "z": fmt(top["z"], 2)})
    return Outcome(params, results, summary + crs_line, table, warnings + area_warnings)


def _grid_entry(grid) -> dict:
    return {"nrows": grid.nrows, "ncols": grid.ncols, "x0": grid.x0, "y0": grid.y0, "cell": grid.cell,
            "epsg": grid.epsg, "crs": f"EPSG:{grid.epsg}"}


_PERIOD = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def emerging(args) -> Outcome:
    from observatorio.analysis.emerging import EmergingClass, emerging_hotspots
    from observatorio.labels import emerging_definitions_text, emerging_label

    pts = _points(args)
    when, ok = _dates(args, pts)
    x, y = pts.x[ok], pts.y[ok]
    study = _study(args, pts, x, y)
    inside = study.inside(x, y)
    x, y, when = x[inside], y[inside], when[ok][inside]
    if not len(when):
        raise UserError(_("%(file)s: ningún evento con fecha queda dentro del área de estudio")
                        % {"file": Path(args.file).name})
    period = when.dt.to_period(_PERIOD[args.period])
    periods = pd.period_range(period.min(), period.max(), freq=_PERIOD[args.period])
    grid = study.grid
    cube = np.stack([study.counts(x[(period == p).to_numpy()], y[(period == p).to_numpy()]) for p in periods])
    distance = _distance(args)
    time_window = None if args.each_period else args.time_window
    r = emerging_hotspots(cube, args.cell, distance, mask=study.mask, alpha=args.alpha, fdr=args.fdr,
                          trend_alpha=args.trend_alpha, time_window=time_window)
    frame = r.to_frame()
    rows, cols = frame["row"].to_numpy(), frame["col"].to_numpy()
    columns = {c: frame[c].to_numpy() for c in frame.columns if c not in ("row", "col")}
    columns["pattern_label"] = [emerging_label(p) for p in frame["pattern"]]
    columns["count"] = cube.sum(axis=0)[rows, cols]
    table = _cells(grid, rows, cols, columns)
    tally = Counter(table["pattern"])
    params = {**_point_parameters(args, pts), **_grid_parameters(args), "date": args.date, "period": args.period,
              "distance": distance, "alpha": args.alpha, "trend_alpha": args.trend_alpha,
              "fdr": args.fdr, "time_window": time_window}
    patterned = table[table["pattern"] != EmergingClass.NO_PATTERN.value]
    few = int(table["few_periods"].sum())
    about, crs_line, warnings = _about_points(pts, pts.rows[~ok])
    area, area_warnings = _about_study(args, study, cube.sum(axis=0), int((~inside).sum()))
    results = {"periods": [str(p) for p in periods], "cells": len(table), "grid": _grid_entry(grid),
               "study_area": area, **about, "definitions": r.definitions(),
               "patterns": {c.value: tally.get(c.value, 0) for c in EmergingClass},
               "cells_on_one_period": few, "cells_with_pattern": records(patterned)}
    summary = [_("puntos calientes emergentes: %(n)s eventos, %(periods)s períodos (%(first)s a %(last)s), %(cells)s "
                 "celdas de %(cell)s m") % {"n": len(x), "periods": len(periods), "first": periods[0],
                                            "last": periods[-1], "cells": len(table), "cell": fmt(args.cell, 0)},
               emerging_definitions_text(r.definitions(), fmt)]
    summary += [f"  {emerging_label(c)}: {tally[c.value]}" for c in EmergingClass if tally.get(c.value)]
    if few:
        summary.append(_("  atención: %(few)s celdas con patrón descansan en un solo período significativo de "
                         "%(periods)s (columna few_periods)") % {"few": few, "periods": len(periods)})
    return Outcome(params, results, summary + crs_line, table, warnings + area_warnings)


def kde(args) -> Outcome:
    from observatorio.analysis import kde as k
    from observatorio.labels import unit_label

    pts = _points(args)
    study = _study(args, pts)
    grid = study.grid
    inside = study.inside(pts.x, pts.y)
    x, y = pts.x[inside], pts.y[inside]
    bandwidth = args.bandwidth if args.bandwidth is not None else (args.rule or "scott")
    s = k.kde(x, y, grid, bandwidth=bandwidth, kernel=args.kernel, output=args.unit)
    rows, cols = np.nonzero(study.mask)
    table = _cells(grid, rows, cols, {"density": s.values[rows, cols]})
    peak = int(np.argmax(table["density"].to_numpy()))
    params = {**_point_parameters(args, pts), **_grid_parameters(args),
              "bandwidth": args.bandwidth, "rule": None if args.bandwidth is not None else (args.rule or "scott"),
              "kernel": args.kernel, "output": args.unit}
    top = table.iloc[peak]
    about, crs_line, warnings = _about_points(pts)
    area, area_warnings = _about_study(args, study, study.counts(x, y), int((~inside).sum()))
    results = {"bandwidth_m": s.bandwidth, "unit": s.unit, "unit_label": unit_label(s.unit), "cells": len(table),
               "grid": _grid_entry(grid), "study_area": area, **about,
               "max": float(top["density"]), "max_cell": {"row": int(top["row"]), "col": int(top["col"]),
                                                          "lon": float(top["lon"]), "lat": float(top["lat"])},
               "sum": float(table["density"].sum())}
    summary = [_("densidad kernel %(kernel)s de %(n)s puntos, ancho de banda %(bandwidth)s m, %(cells)s celdas de "
                 "%(cell)s m") % {"kernel": args.kernel, "n": len(x), "bandwidth": fmt(s.bandwidth, 1),
                                  "cells": len(table), "cell": fmt(args.cell, 0)},
               _("máximo %(max)s %(unit)s en (%(lon)s, %(lat)s)")
               % {"max": fmt(float(top["density"]), 3), "unit": unit_label(s.unit),
                  "lon": fmt(float(top["lon"]), 5), "lat": fmt(float(top["lat"]), 5)}]
    return Outcome(params, results, summary + crs_line, table, warnings + area_warnings)


def concentration(args) -> Outcome:
    from observatorio.analysis import concentration as c

    table = None
    extra, crs_line, warnings = {}, [], []
    if args.count is not None:
        from observatorio.analysis.inputs import numeric_column, read_table

        frame = read_table(args.file, layer=args.layer)
        counts = numeric_column(frame, args.count, args.file)
        if (counts < 0).any():
            row = int(np.flatnonzero(counts < 0)[0]) + 1
            raise UserError(_("%(file)s: la columna «%(column)s» tiene un conteo negativo en la fila %(row)s")
                            % {"file": Path(args.file).name, "column": args.count, "row": row})
        params = {"count": args.count}
        unit = _("unidades")
    else:
        pts = _points(args)
        study = _study(args, pts)
        inside = study.inside(pts.x, pts.y)
        grid_counts = study.counts(pts.x, pts.y)
        rows, cols = np.nonzero(study.mask)
        counts = grid_counts[rows, cols]
        table = _cells(study.grid, rows, cols, {"count": counts})
        params = {**_point_parameters(args, pts), **_grid_parameters(args)}
        unit = _("celdas")
        about, crs_line, warnings = _about_points(pts)
        area, area_warnings = _about_study(args, study, grid_counts, int((~inside).sum()))
        extra = {"grid": _grid_entry(study.grid), "study_area": area, **about}
        warnings += area_warnings
    params["shares"] = args.shares
    shares = c.top_share(counts, args.shares)
    integer = bool(np.array_equal(counts, np.round(counts)))
    results = {"units": len(counts), "events": counts.sum(), "top_share": {str(p): v for p, v in shares.items()},
               "units_for_half": c.units_for_share(counts, 0.5) if counts.sum() > 0 else None,
               "gini": c.gini(counts), "gini_with_events": c.gini(counts, include_empty=False),
               "gini_generalized": c.gini(counts, generalized=True) if integer else None, **extra}
    summary = [_("concentración de %(events)s eventos en %(n)s %(unit)s: Gini %(gini)s")
               % {"events": fmt(int(counts.sum())), "n": fmt(len(counts)), "unit": unit,
                  "gini": fmt(results["gini"], 3)}]
    summary += [_("  el %(top)s %% con más eventos concentra el %(share)s %%")
                % {"top": fmt(100 * p, 0), "share": fmt(100 * v, 1)} for p, v in shares.items()]
    return Outcome(params, results, summary + crs_line, table, warnings)


def knox(args) -> Outcome:
    from observatorio.analysis.knox import knox_test

    pts = _points(args)
    when, ok = _dates(args, pts)
    r = knox_test(pts.x[ok], pts.y[ok], when[ok].to_numpy(dtype="datetime64[ns]"),
                  distance_bands=args.distance_bands, time_bands=args.time_bands,
                  permutations=args.permutations, seed=args.seed)
    table = r.to_frame()
    params = {**_point_parameters(args, pts), "date": args.date, "distance_bands": args.distance_bands,
              "time_bands": args.time_bands, "permutations": args.permutations, "seed": args.seed}
    about, crs_line, warnings = _about_points(pts, pts.rows[~ok])
    results = {"events": r.n_events, "observed": r.observed, "expected": r.expected, "ratio": r.ratio,
               "p_value": r.p_value, "table": records(table), **about}
    summary = [_("prueba de Knox: %(n)s eventos, %(permutations)s permutaciones")
               % {"n": r.n_events, "permutations": r.permutations}]
    for row in table.itertuples(index=False):
        flag = " *" if row.p_value < 0.05 else ""
        summary.append(_("  %(d0)s–%(d1)s m, %(t0)s–%(t1)s días: %(pairs)s pares, razón %(ratio)s, p = %(p)s")
                       % {"d0": fmt(row.distance_from, 0), "d1": fmt(row.distance_to, 0),
                          "t0": fmt(row.days_from, 0), "t1": fmt(row.days_to, 0), "pairs": row.observed,
                          "ratio": fmt(row.ratio, 2), "p": fmt(row.p_value, 3)} + flag)
    return Outcome(params, results, summary + crs_line, table, warnings)


def _ratio(value: float) -> str:
    """A density ratio for the summary: an empty ring makes it (and its upper limit) infinite."""
    return "∞" if value == np.inf else fmt(value, 2)


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
        px, py, _epsg = to_metres(lon, lat, epsg=pts.epsg)
    groups = None
    if args.group:
        require_columns(places.frame, [args.group], args.places)
        groups = places.frame[args.group].to_numpy()
    outer = None
    if args.reference == "ring":
        outer = args.outer_radius if args.outer_radius is not None else 3 * args.radius
        if outer <= args.radius:
            raise UserError(_("--outer-radius %(outer)s debe ser mayor que --radius %(radius)s")
                            % {"outer": fmt(outer, 0), "radius": fmt(args.radius, 0)})
    elif args.region_area is None:
        raise UserError(_("--reference region necesita --region-area (la superficie de la región de estudio en m²)"))
    t = expo(pts.x, pts.y, px, py, radius=args.radius, reference=args.reference, outer_radius=outer,
             region=args.region_area, groups=groups, confidence=args.confidence)
    t = t.reset_index(names="group")
    params = {**_point_parameters(args, pts), "places": args.places, "places_count": len(px), "group": args.group,
              "radius": args.radius, "reference": args.reference, "outer_radius": outer,
              "region_area": args.region_area, "confidence": args.confidence}
    about, crs_line, warnings = _about_points(pts)
    about["dropped"]["places_without_location"] = places.dropped
    warnings += _dropped(_("lugares sin ubicación, omitidos: %(n)s (n.º de fila: %(rows)s)"), places.dropped_rows)
    results = {"groups": records(t), **about}
    summary = [_("exposición: %(n)s eventos, %(places)s lugares, radio %(radius)s m (referencia %(reference)s)")
               % {"n": len(pts.x), "places": len(px), "radius": fmt(args.radius, 0), "reference": args.reference}]
    for row in t.head(20).itertuples(index=False):
        summary.append(_("  %(group)s: observados %(observed)s, esperados %(expected)s, razón %(ratio)s "
                         "[%(lower)s–%(upper)s], p = %(p)s")
                       % {"group": row.group, "observed": row.observed, "expected": fmt(row.expected, 1),
                          "ratio": _ratio(row.ratio), "lower": _ratio(row.lower), "upper": _ratio(row.upper),
                          "p": fmt(row.p_excess, 3)})
    return Outcome(params, results, summary + crs_line, t, warnings)
