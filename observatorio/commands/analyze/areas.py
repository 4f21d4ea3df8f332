"""Methods on areas: global and local Moran's I, Local G, rates, typology, the fear–crime gap.

Every method that uses spatial weights reports its islands (areas without
neighbours) in the summary and as ``islands`` / ``island_ids`` in the JSON.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from observatorio.errors import UserError

from ..i18n import _, gettext_noop, ngettext
from . import options
from .options import add_method, add_permutations, add_weights, fraction, names, positive_int
from .output import Outcome, fmt, handler, records

AREAS_FILE = gettext_noop("áreas: GeoJSON, GeoPackage, Shapefile o GeoParquet con polígonos")
TABLE_FILE = gettext_noop("una fila por área: cualquier archivo admitido (también CSV o Parquet)")


def register(msub) -> None:
    p = add_method(msub, "moran", _("I de Moran global de un valor por área"),
                   _("¿Se agrupa en el espacio un valor (conteo de delitos, tasa)? I de Moran global con valores p "
                     "analítico y por permutaciones, como esda.Moran / GeoDa. Con --rate-population, el Moran "
                     "Empirical-Bayes de Assunção–Reis de la tasa --column / --rate-population."), handler(moran),
                   file_help=_(AREAS_FILE))
    _moran_options(p)
    p = add_method(msub, "lisa", _("I de Moran local (LISA) por área"),
                   _("¿Qué áreas son focos (Alto-Alto) o zonas frías (Bajo-Bajo), o atípicas? I de Moran local con "
                     "permutaciones condicionales, como esda.Moran_Local / GeoDa. -o escribe las áreas con Is, p, "
                     "cuadrante y conglomerado."), handler(lisa), file_help=_(AREAS_FILE))
    _moran_options(p)
    p.add_argument("--alpha", type=fraction, default=0.05,
                   help=_("significancia de un conglomerado (por defecto 0,05)"))
    p.add_argument("--fdr", action="store_true",
                   help=_("corrección de Benjamini–Hochberg de los valores p al nivel --alpha"))

    p = add_method(msub, "localg", _("G y G* locales de Getis-Ord por área"),
                   _("¿Qué áreas y sus vecinas concentran valores altos (focos calientes) o bajos (fríos)? G local "
                     "de Getis-Ord, o G* con --star (incluye el área misma), con permutaciones condicionales, como "
                     "esda.G_Local; clases de confianza 90, 95 y 99 por ciento como Gi_Bin de ArcGIS."),
                   handler(localg), file_help=_(AREAS_FILE))
    p.add_argument("--column", required=True, metavar=_("COLUMNA"),
                   help=_("valor no negativo por área (conteo o tasa)"))
    p.add_argument("--star", action="store_true", help=_("G*: el área cuenta en su propia vecindad"))
    add_weights(p, binary_default=True)
    add_permutations(p, 999)
    p.add_argument("--fdr", action="store_true",
                   help=_("corrección de Benjamini–Hochberg de cada nivel de confianza"))
    p.add_argument("--inference", choices=("permutation", "normal"), default="permutation",
                   help=_("valores p de las clases: las permutaciones (por defecto) o la aproximación normal"))

    p = add_method(msub, "rates", _("tasas por habitantes, suavizadas por Empirical Bayes"),
                   _("Tasa cruda por --per habitantes de cada área y su tasa suavizada por Empirical Bayes "
                     "(Marshall 1991): hacia la tasa general (global) o la de la vecindad (local)."),
                   handler(rates), file_help=_(TABLE_FILE) + _(" (polígonos para --eb local)"))
    p.add_argument("--count", required=True, metavar=_("COLUMNA"), help=_("eventos por área"))
    p.add_argument("--population", required=True, metavar=_("COLUMNA"), help=_("población por área"))
    p.add_argument("--per", type=int, default=1000, choices=(1, 1000, 100000),
                   help=_("escala de la tasa (por defecto 1000)"))
    p.add_argument("--eb", choices=("none", "global", "local"), default="global",
                   help=_("suavizado Empirical Bayes (por defecto global; local necesita polígonos)"))
    add_weights(p)

    p = add_method(msub, "typology", _("tipos de áreas según su perfil de indicadores"),
                   _("Agrupa las áreas según sus indicadores estandarizados (z) con k-means o Ward; k según la mejor "
                     "silueta cuando no se da --k."), handler(typology), file_help=_(TABLE_FILE))
    p.add_argument("--columns", type=names, required=True, metavar="A,B,C", help=_("columnas de los indicadores"))
    p.add_argument("--k", type=positive_int, default=None,
                   help=_("número de tipos (por defecto: la mejor silueta en --k-range)"))
    p.add_argument("--k-range", default="2,8", metavar=_("MIN,MAX"), help=_("k probados sin --k (por defecto 2,8)"))
    p.add_argument("--method", choices=("kmeans", "ward"), default="kmeans",
                   help=_("agrupamiento (por defecto kmeans)"))
    p.add_argument("--seed", type=int, default=0, help=_("estado aleatorio de k-means (por defecto 0)"))
    p.add_argument("--id", metavar=_("COLUMNA"),
                   help=_("columna que identifica cada área (por defecto: el número de fila)"))

    p = add_method(msub, "perception", _("brecha entre temor y delito registrado por área"),
                   _("Brecha estandarizada z(temor) − z(delito) por área, sus cuatro clases y el rho de Spearman."),
                   handler(perception), file_help=_(TABLE_FILE))
    p.add_argument("--fear", required=True, metavar=_("COLUMNA"),
                   help=_("proporción que se siente insegura, por área"))
    p.add_argument("--crime", required=True, metavar=_("COLUMNA"), help=_("tasa de delitos registrados por área"))
    p.add_argument("--centre", choices=("median", "mean"), default="median",
                   help=_("sobre qué se considera 'alto' (por defecto median)"))
    p.add_argument("--id", metavar=_("COLUMNA"),
                   help=_("columna que identifica cada área (por defecto: el número de fila)"))


def _moran_options(p) -> None:
    p.add_argument("--column", required=True, metavar=_("COLUMNA"),
                   help=_("valor por área (eventos, con --rate-population)"))
    p.add_argument("--rate-population", metavar=_("COLUMNA"),
                   help=_("población por área: analiza la tasa estandarizada EB de columna/población"))
    add_weights(p)
    add_permutations(p, 999)


def _ids(frame: pd.DataFrame, column, path) -> list:
    from observatorio.analysis.inputs import require_columns

    if column is None:
        return list(range(len(frame)))
    require_columns(frame, [column], path)
    return frame[column].tolist()


def _weights(args, geometry):
    from observatorio.analysis import weights
    from observatorio.analysis.inputs import centroids_in_metres

    if args.weights == "knn":
        if args.k >= len(geometry):
            raise UserError(_("%(file)s: --k %(k)s con --weights knn debe ser menor que el número de áreas (%(n)s)")
                            % {"file": Path(args.file).name, "k": args.k, "n": len(geometry)})
        x, y = centroids_in_metres(geometry)
        return weights.knn(x, y, k=args.k)
    return weights.contiguity(list(geometry), kind=args.weights)


def _islands(w, ids, effect: str) -> tuple[dict, list[str]]:
    """JSON fields and summary line for the islands of ``w`` (areas without neighbours), named by ``ids``."""
    import numpy as np

    from observatorio.analysis.weights import island_mask

    named = [ids[i] for i in np.flatnonzero(island_mask(w))]
    fields = {"islands": len(named), "island_ids": named}
    if not named:
        return fields, []
    shown = ", ".join(str(i) for i in named[:10]) + (", …" if len(named) > 10 else "")
    return fields, [ngettext("%(n)s área sin vecinos (isla): %(ids)s; %(effect)s",
                             "%(n)s áreas sin vecinos (islas): %(ids)s; %(effect)s", len(named))
                    % {"n": len(named), "ids": shown, "effect": effect}]


def _weights_parameters(args) -> dict:
    return {"weights": args.weights, "k": args.k if args.weights == "knn" else None,
            "transformation": args.transformation}


def _moran_input(args):
    from observatorio.analysis.inputs import numeric_column, polygons, read_table

    frame = read_table(args.file, layer=args.layer)
    geometry = polygons(frame, args.file)
    values = numeric_column(frame, args.column, args.file)
    population = None if args.rate_population is None else numeric_column(frame, args.rate_population, args.file)
    w = _weights(args, geometry)
    params = {"column": args.column, "rate_population": args.rate_population, **_weights_parameters(args),
              "permutations": args.permutations, "seed": args.seed}
    return frame, values, population, w, params


def moran(args) -> Outcome:
    from observatorio.analysis import moran as m

    frame, values, population, w, params = _moran_input(args)
    kw = dict(transformation=args.transformation, permutations=args.permutations, seed=args.seed)
    if population is None:
        r = m.global_moran(values, w, **kw)
    else:
        r = m.global_moran_rate(values, population, w, **kw)
    islands, island_lines = _islands(w, _ids(frame, args.id, args.file),
                                     _("cuentan en la media y la varianza, no en el producto cruzado"))
    results = {"I": r.i, "expected": r.expected, "var_norm": r.var_norm, "z_norm": r.z_norm, "p_norm": r.p_norm,
               "var_rand": r.var_rand, "z_rand": r.z_rand, "p_rand": r.p_rand, "z_sim": r.z_sim, "p_sim": r.p_sim,
               "n": r.n, **islands}
    summary = [_("I de Moran global de %(column)s (%(n)s áreas, pesos %(weights)s): I = %(i)s (esperado "
                 "%(expected)s)") % {"column": args.column, "n": r.n, "weights": args.weights, "i": fmt(r.i),
                                     "expected": fmt(r.expected)},
               _("z (aleatorización) = %(z)s, p = %(p)s; p por permutaciones = %(p_sim)s (%(permutations)s "
                 "permutaciones)") % {"z": fmt(r.z_rand, 3), "p": fmt(r.p_rand), "p_sim": fmt(r.p_sim),
                                      "permutations": r.permutations}]
    return Outcome(params, results, summary + island_lines)


def lisa(args) -> Outcome:
    from observatorio.analysis import moran as m
    from observatorio.labels import quadrant_label

    frame, values, population, w, params = _moran_input(args)
    params.update(alpha=args.alpha, fdr=args.fdr)
    kw = dict(transformation=args.transformation, permutations=args.permutations, seed=args.seed)
    r = m.local_moran(values, w, **kw) if population is None else m.local_moran_rate(values, population, w, **kw)
    clusters = r.clusters(args.alpha, fdr=args.fdr)
    table = frame.copy()
    table["id"] = _ids(frame, args.id, args.file)
    table["island"] = r.island
    table["Is"] = r.Is
    table["z"] = r.z
    table["lag"] = r.lag
    table["p"] = r.p_sim
    table["quadrant"] = [q.value for q in r.quadrant]
    table["cluster"] = [q.value for q in clusters]
    table["cluster_label"] = [quadrant_label(q) for q in clusters]
    tally = Counter(q.value for q in clusters)
    islands, island_lines = _islands(w, list(table["id"]), _("sin prueba: p = 1, nunca en un conglomerado"))
    results = {"n": len(values), "clusters": {q.value: tally.get(q.value, 0) for q in m.Quadrant}, **islands,
               "areas": records(table[["id", "Is", "p", "quadrant", "cluster", "island"]])}
    summary = [_("LISA de %(column)s (%(n)s áreas, pesos %(weights)s, alfa %(alpha)s%(fdr)s):")
               % {"column": args.column, "n": len(values), "weights": args.weights, "alpha": fmt(args.alpha, 2),
                  "fdr": ", FDR" if args.fdr else ""}]
    summary += [f"  {quadrant_label(q)}: {tally.get(q.value, 0)}" for q in m.Quadrant]
    return Outcome(params, results, summary + island_lines, table)


def localg(args) -> Outcome:
    from observatorio.analysis.gistar import GiBin
    from observatorio.analysis.inputs import numeric_column, polygons, read_table
    from observatorio.analysis.localg import local_g
    from observatorio.labels import gi_bin_label

    options.check_inference(args)
    frame = read_table(args.file, layer=args.layer)
    geometry = polygons(frame, args.file)
    values = numeric_column(frame, args.column, args.file)
    w = _weights(args, geometry)
    r = local_g(values, w, star=args.star, transformation=args.transformation, permutations=args.permutations,
                seed=args.seed)
    bins = r.bins(fdr=args.fdr, inference=args.inference)
    table = frame.copy()
    table["id"] = _ids(frame, args.id, args.file)
    table["G"] = r.G
    table["z"] = r.z
    table["p"] = r.p_norm
    table["p_sim"] = r.p_sim
    table["bin"] = bins.astype(int)
    table["bin_label"] = [gi_bin_label(b) for b in bins]
    table["island"] = r.island
    tally = Counter(table["bin"])
    params = {"column": args.column, "star": args.star, **_weights_parameters(args),
              "permutations": args.permutations, "seed": args.seed, "fdr": args.fdr, "inference": args.inference}
    islands, island_lines = _islands(w, list(table["id"]), _("sin prueba: z vacío, p = 1, no significativas"))
    results = {"n": len(values), "bins": {str(b.value): tally.get(b.value, 0) for b in GiBin}, **islands,
               "areas": records(table[["id", "G", "z", "p", "p_sim", "bin", "island"]])}
    statistic = "G*" if args.star else "G"
    summary = [_("%(statistic)s local de %(column)s (%(n)s áreas, pesos %(weights)s, valores p por %(inference)s"
                 "%(fdr)s):") % {"statistic": statistic, "column": args.column, "n": len(values),
                                 "weights": args.weights, "inference": _inference_label(args.inference),
                                 "fdr": ", FDR" if args.fdr else ""}]
    summary += [f"  {gi_bin_label(b)}: {tally.get(b.value, 0)}" for b in sorted(GiBin, reverse=True)]
    return Outcome(params, results, summary + island_lines, table)


def _inference_label(inference: str) -> str:
    return _("permutaciones") if inference == "permutation" else _("aproximación normal")


def rates(args) -> Outcome:
    from observatorio.analysis import rates as rt
    from observatorio.analysis.inputs import numeric_column, polygons, read_table

    frame = read_table(args.file, layer=args.layer)
    counts = numeric_column(frame, args.count, args.file)
    population = numeric_column(frame, args.population, args.file)
    params = {"count": args.count, "population": args.population, "per": args.per, "eb": args.eb}
    table = frame.copy()
    table["id"] = _ids(frame, args.id, args.file)
    table["crude"] = rt.crude_rate(counts, population, per=args.per)
    if args.eb == "global":
        s = rt.eb_global(counts, population, per=args.per)
    elif args.eb == "local":
        w = _weights(args, polygons(frame, args.file))
        params.update(_weights_parameters(args))
        s = rt.eb_local(counts, population, w, ids=list(w.id_order), per=args.per)
        islands, island_lines = _islands(w, list(table["id"]),
                                         _("su vecindad es solo el área: la tasa local no se suaviza"))
    if args.eb != "none":
        table["smoothed"] = s.smoothed
        table["prior_mean"] = s.prior_mean
        table["shrinkage"] = s.shrinkage
    cols = [c for c in ("id", "crude", "smoothed", "prior_mean", "shrinkage") if c in table.columns]
    overall = counts.sum() / population.sum() * args.per if population.sum() > 0 else float("nan")
    results = {"n": len(frame), "events": counts.sum(), "population": population.sum(), "overall_rate": overall,
               **(islands if args.eb == "local" else {}), "areas": records(table[cols])}
    summary = [_("tasas por %(per)s habitantes (%(n)s áreas): tasa global %(overall)s; cruda entre %(low)s y "
                 "%(high)s") % {"per": fmt(args.per), "n": len(frame), "overall": fmt(overall, 2),
                                "low": fmt(float(pd.Series(table["crude"]).min()), 2),
                                "high": fmt(float(pd.Series(table["crude"]).max()), 2)}]
    if "smoothed" in table:
        summary.append(_("suavizada (%(eb)s) entre %(low)s y %(high)s")
                       % {"eb": args.eb, "low": fmt(float(table["smoothed"].min()), 2),
                          "high": fmt(float(table["smoothed"].max()), 2)})
    if args.eb == "local":
        summary += island_lines
    return Outcome(params, results, summary, table)


def _k_range(args, n: int) -> tuple[int, int]:
    """--k-range as (low, high), and --k, checked against the ``n`` areas in the command's words."""
    text = args.k_range
    try:
        lo, hi = (int(v) for v in text.split(","))
    except ValueError:
        raise UserError(_("--k-range lleva MIN,MAX, p. ej. 2,8; no %(text)r") % {"text": text}) from None
    if args.k is None and not 2 <= lo <= hi < n:
        raise UserError(_("%(file)s: --k-range %(text)s debe cumplir 2 ≤ MIN ≤ MAX < %(n)s, el número de áreas")
                        % {"file": Path(args.file).name, "text": text, "n": n})
    if args.k is not None and args.k > n:
        raise UserError(_("%(file)s: --k %(k)s supera el número de áreas (%(n)s)")
                        % {"file": Path(args.file).name, "k": args.k, "n": n})
    return lo, hi


def typology(args) -> Outcome:
    from observatorio.analysis import typology as ty
    from observatorio.analysis.inputs import numeric_column, read_table
    from observatorio.labels import typology_description

    frame = read_table(args.file, layer=args.layer)
    table = pd.DataFrame({c: numeric_column(frame, c, args.file) for c in args.columns})
    table.index = _ids(frame, args.id, args.file)
    k_range = _k_range(args, len(table))
    r = ty.typology(table, method=args.method, k=args.k, k_range=k_range, seed=args.seed)
    params = {"columns": args.columns, "k": args.k, "k_range": list(k_range), "method": args.method,
              "seed": args.seed}
    out = frame.copy()
    out["id"] = list(table.index)
    out["type"] = r.labels.to_numpy()
    described = {t: typology_description(d) for t, d in r.distinctive.items()}
    out["description"] = [described[t] for t in r.labels]
    results = {"k": r.k, "method": r.method, "silhouettes": r.silhouettes,
               "types": [{"type": t, "areas": int((r.labels == t).sum()), "high": r.distinctive[t].high,
                          "low": r.distinctive[t].low, "description": described[t],
                          "profile": r.profiles.loc[t].to_dict()} for t in range(r.k)],
               "areas": records(out[["id", "type"]])}
    summary = [_("tipología %(method)s en %(n)s áreas: %(k)s tipos") % {"method": args.method, "n": len(table),
                                                                        "k": r.k}]
    summary += [_("  tipo %(type)s: %(n)s áreas, %(description)s")
                % {"type": t, "n": int((r.labels == t).sum()), "description": described[t]}
                for t in range(r.k)]
    return Outcome(params, results, summary, out)


def perception(args) -> Outcome:
    from observatorio.analysis import perception as pc
    from observatorio.analysis.inputs import numeric_column, read_table
    from observatorio.labels import gap_label

    frame = read_table(args.file, layer=args.layer)
    ids = _ids(frame, args.id, args.file)
    fear = pd.Series(numeric_column(frame, args.fear, args.file), index=ids)
    crime = pd.Series(numeric_column(frame, args.crime, args.file), index=ids)
    g = pc.perception_gap(fear, crime, centre=args.centre)
    t = g.table
    out = frame.copy()
    out["id"] = ids
    for col in ("z_fear", "z_crime", "gap"):
        out[col] = t[col].to_numpy()
    out["gap_class"] = [c.value for c in t["gap_class"]]
    out["gap_class_label"] = [gap_label(c) for c in t["gap_class"]]
    tally = Counter(out["gap_class"])
    params = {"fear": args.fear, "crime": args.crime, "centre": args.centre}
    results = {"n": len(out), "spearman_rho": g.spearman_rho, "spearman_p": g.spearman_p,
               "classes": {c.value: tally.get(c.value, 0) for c in pc.GapClass},
               "areas": records(out[["id", "z_fear", "z_crime", "gap", "gap_class"]])}
    summary = [_("brecha temor–delito en %(n)s áreas: rho de Spearman = %(rho)s (p = %(p)s)")
               % {"n": len(out), "rho": fmt(g.spearman_rho, 3), "p": fmt(g.spearman_p)}]
    summary += [f"  {gap_label(c)}: {tally.get(c.value, 0)}" for c in pc.GapClass]
    return Outcome(params, results, summary, out)
