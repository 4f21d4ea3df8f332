"""Methods on areas: global and local Moran's I, rates, typology, the fear–crime gap."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from .options import add_method, add_permutations, add_weights, names, positive
from .output import Outcome, fmt, handler, records

AREAS_FILE = "areas: GeoJSON, GeoPackage, Shapefile or GeoParquet with polygons"
TABLE_FILE = "one row per area: any supported file (CSV or Parquet too)"


def register(msub) -> None:
    p = add_method(msub, "moran", "global Moran's I of a value per area",
                   "Is a value (crime count, rate) clustered in space? Global Moran's I with analytic and "
                   "permutation p-values, as esda.Moran / GeoDa. With --rate-population, the Assunção–Reis "
                   "Empirical-Bayes Moran of the rate --column / --rate-population.", handler(moran),
                   file_help=AREAS_FILE)
    _moran_options(p)
    p = add_method(msub, "lisa", "local Moran's I (LISA) per area",
                   "Which areas are hot (High-High) or cold (Low-Low) spots, or outliers? Local Moran's I with "
                   "conditional permutations, as esda.Moran_Local / GeoDa. -o writes the areas with Is, p, quadrant "
                   "and cluster.", handler(lisa), file_help=AREAS_FILE)
    _moran_options(p)
    p.add_argument("--alpha", type=positive, default=0.05, help="significance of a cluster (default 0.05)")

    p = add_method(msub, "rates", "rates per inhabitants, Empirical-Bayes smoothed",
                   "Crude rate per --per inhabitants of each area and its Empirical-Bayes smoothed rate "
                   "(Marshall 1991): toward the overall rate (global) or the neighbourhood's (local).",
                   handler(rates), file_help=TABLE_FILE + " (polygons for --eb local)")
    p.add_argument("--count", required=True, metavar="COLUMN", help="events per area")
    p.add_argument("--population", required=True, metavar="COLUMN", help="population per area")
    p.add_argument("--per", type=int, default=1000, choices=(1, 1000, 100000), help="rate scale (default 1000)")
    p.add_argument("--eb", choices=("none", "global", "local"), default="global",
                   help="Empirical-Bayes smoothing (default global; local needs polygons)")
    add_weights(p)

    p = add_method(msub, "typology", "types of areas by their indicator profile",
                   "Cluster areas on z-scored indicators with k-means or Ward; k by the best silhouette when "
                   "--k is not given.", handler(typology), file_help=TABLE_FILE)
    p.add_argument("--columns", type=names, required=True, metavar="A,B,C", help="indicator columns")
    p.add_argument("--k", type=int, default=None, help="number of types (default: best silhouette in --k-range)")
    p.add_argument("--k-range", default="2,8", metavar="LOW,HIGH", help="k tried without --k (default 2,8)")
    p.add_argument("--method", choices=("kmeans", "ward"), default="kmeans", help="clustering (default kmeans)")
    p.add_argument("--seed", type=int, default=0, help="random state of k-means (default 0)")
    p.add_argument("--id", metavar="COLUMN", help="column identifying each area (default: row number)")

    p = add_method(msub, "perception", "gap between fear and recorded crime per area",
                   "Standardised gap z(fear) − z(crime) per area, its four classes and Spearman's rho.",
                   handler(perception), file_help=TABLE_FILE)
    p.add_argument("--fear", required=True, metavar="COLUMN", help="share feeling unsafe per area")
    p.add_argument("--crime", required=True, metavar="COLUMN", help="recorded crime rate per area")
    p.add_argument("--centre", choices=("median", "mean"), default="median", help="what 'high' is above")
    p.add_argument("--id", metavar="COLUMN", help="column identifying each area (default: row number)")


def _moran_options(p) -> None:
    p.add_argument("--column", required=True, metavar="COLUMN", help="value per area (events with --rate-population)")
    p.add_argument("--rate-population", metavar="COLUMN",
                   help="population per area: analyse the EB-standardised rate column/population")
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
        x, y = centroids_in_metres(geometry)
        return weights.knn(x, y, k=args.k)
    return weights.contiguity(list(geometry), kind=args.weights)


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
    results = {"I": r.i, "expected": r.expected, "var_norm": r.var_norm, "z_norm": r.z_norm, "p_norm": r.p_norm,
               "var_rand": r.var_rand, "z_rand": r.z_rand, "p_rand": r.p_rand, "z_sim": r.z_sim, "p_sim": r.p_sim,
               "n": r.n, "islands": len(w.islands)}
    summary = [f"I de Moran global de {args.column} ({r.n} áreas, pesos {args.weights}): I = {fmt(r.i)} "
               f"(esperado {fmt(r.expected)})",
               f"z (aleatorización) = {fmt(r.z_rand, 3)}, p = {fmt(r.p_rand)}; p por permutaciones = "
               f"{fmt(r.p_sim)} ({r.permutations} permutaciones)"]
    return Outcome(params, results, summary)


def lisa(args) -> Outcome:
    from observatorio.analysis import moran as m
    from observatorio.labels import quadrant_label

    frame, values, population, w, params = _moran_input(args)
    params["alpha"] = args.alpha
    kw = dict(transformation=args.transformation, permutations=args.permutations, seed=args.seed)
    r = m.local_moran(values, w, **kw) if population is None else m.local_moran_rate(values, population, w, **kw)
    clusters = r.clusters(args.alpha)
    table = frame.copy()
    table["id"] = _ids(frame, args.id, args.file)
    table["Is"] = r.Is
    table["z"] = r.z
    table["lag"] = r.lag
    table["p"] = r.p_sim
    table["quadrant"] = [q.value for q in r.quadrant]
    table["cluster"] = [q.value for q in clusters]
    table["cluster_label"] = [quadrant_label(q) for q in clusters]
    tally = Counter(q.value for q in clusters)
    results = {"n": len(values), "clusters": {q.value: tally.get(q.value, 0) for q in m.Quadrant},
               "areas": records(table[["id", "Is", "p", "quadrant", "cluster"]])}
    summary = [f"LISA de {args.column} ({len(values)} áreas, pesos {args.weights}, alfa {fmt(args.alpha, 2)}):"]
    summary += [f"  {quadrant_label(q)}: {tally.get(q.value, 0)}" for q in m.Quadrant]
    return Outcome(params, results, summary, table)


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
    if args.eb != "none":
        table["smoothed"] = s.smoothed
        table["prior_mean"] = s.prior_mean
        table["shrinkage"] = s.shrinkage
    cols = [c for c in ("id", "crude", "smoothed", "prior_mean", "shrinkage") if c in table.columns]
    overall = counts.sum() / population.sum() * args.per if population.sum() > 0 else float("nan")
    results = {"n": len(frame), "events": counts.sum(), "population": population.sum(), "overall_rate": overall,
               "areas": records(table[cols])}
    summary = [f"tasas por {fmt(args.per)} habitantes ({len(frame)} áreas): tasa global {fmt(overall, 2)}; "
               f"cruda entre {fmt(float(pd.Series(table['crude']).min()), 2)} y "
               f"{fmt(float(pd.Series(table['crude']).max()), 2)}"]
    if "smoothed" in table:
        summary.append(f"suavizada ({args.eb}) entre {fmt(float(table['smoothed'].min()), 2)} y "
                       f"{fmt(float(table['smoothed'].max()), 2)}")
    return Outcome(params, results, summary, table)


def _k_range(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        lo, hi = (int(v) for v in parts)
    except ValueError:
        raise ValueError(f"--k-range takes LOW,HIGH, e.g. 2,8; got {text!r}") from None
    return lo, hi


def typology(args) -> Outcome:
    from observatorio.analysis import typology as ty
    from observatorio.analysis.inputs import numeric_column, read_table
    from observatorio.labels import typology_description

    frame = read_table(args.file, layer=args.layer)
    table = pd.DataFrame({c: numeric_column(frame, c, args.file) for c in args.columns})
    table.index = _ids(frame, args.id, args.file)
    k_range = _k_range(args.k_range)
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
    summary = [f"tipología {args.method} en {len(table)} áreas: {r.k} tipos"]
    summary += [f"  tipo {t}: {int((r.labels == t).sum())} áreas, {described[t]}" for t in range(r.k)]
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
    summary = [f"brecha temor–delito en {len(out)} áreas: rho de Spearman = {fmt(g.spearman_rho, 3)} "
               f"(p = {fmt(g.spearman_p)})"]
    summary += [f"  {gap_label(c)}: {tally.get(c.value, 0)}" for c in pc.GapClass]
    return Outcome(params, results, summary, out)
