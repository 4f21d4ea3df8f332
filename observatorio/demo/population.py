"""Demography of the illustrative areas, split so every level sums exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import bundled

PENALOLEN = "13122"
# Published figures for Peñalolén (INE projection, Casen 2017, Censo 2017, INE 2022).
REFERENCE = {
    "population": 270_054,
    "households": 70_065,
    "women_pct": 51.6,
    "children_youth_pct": 28.1,
    "migrants_pct": 5.6,
    "indigenous_pct": 12.64,
    "poverty_pct": 20.7,
}
SOURCE = "Ilustrativa: totales comunales publicados, distribución por UV inventada"


def largest_remainder(total: int, weights) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method).

    Examples
    --------
    >>> largest_remainder(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=float)
    if total < 0:
        raise ValueError(f"total={total} must be non-negative")
    if w.ndim != 1 or w.size == 0 or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be a non-empty 1-D array of finite non-negative numbers")
    if w.sum() == 0:
        w = np.ones_like(w)
    quota = total * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    short = int(total - base.sum())
    if short:
        # Ties broken by position, so the result is deterministic.
        order = np.lexsort((np.arange(w.size), -(quota - base)))
        base[order[:short]] += 1
    return base


def comuna_totals(cut: str, year: int) -> dict:
    """Comuna-level figures: Peñalolén's published ones, elsewhere the INE projection with Peñalolén's shares."""
    if str(cut) == PENALOLEN:
        population = REFERENCE["population"]
        households = REFERENCE["households"]
    else:
        population = bundled.projected_population(cut, year)
        if population is None:
            # Outside the projection table: a plausible mid-sized comuna, flagged in the source text.
            population = 100_000
        households = round(population * REFERENCE["households"] / REFERENCE["population"])
    return {
        "population": population,
        "households": households,
        "women": round(population * REFERENCE["women_pct"] / 100),
        "children_youth": round(population * REFERENCE["children_youth_pct"] / 100),
        "migrants": round(population * REFERENCE["migrants_pct"] / 100),
        "indigenous": round(population * REFERENCE["indigenous_pct"] / 100),
        "poverty_pct": REFERENCE["poverty_pct"],
    }


COUNT_FIELDS = ("households", "women", "children_youth", "migrants", "indigenous")


def demography(plan, years, seed: int) -> pd.DataFrame:
    """One row per area and year: code, level, year, population, households, … poverty_pct.

    UV weights are drawn once (area × a log-normal density), so a UV keeps its
    relative size across years; each count is split with the largest remainder
    and macrosectors and the comuna are the sums of their UVs.
    """
    rng = np.random.default_rng([seed, 101])
    uvs = plan.uvs
    n = len(uvs)
    size = np.array([uv.area_m2 for uv in uvs]) * rng.lognormal(0.0, 0.35, n)
    tilt = {field: rng.lognormal(0.0, sigma, n) for field, sigma in
            (("households", 0.08), ("women", 0.02), ("children_youth", 0.10), ("migrants", 0.45),
             ("indigenous", 0.30))}
    poverty_tilt = rng.lognormal(0.0, 0.35, n)
    rows = []
    for year in years:
        totals = comuna_totals(plan.cut, year)
        pop = largest_remainder(totals["population"], size)
        uv_rows = {"population": pop}
        for field in COUNT_FIELDS:
            uv_rows[field] = np.minimum(largest_remainder(totals[field], pop * tilt[field]), pop)
        # Population-weighted mean of UV poverty equals the comuna figure.
        f = poverty_tilt / np.average(poverty_tilt, weights=np.maximum(pop, 1))
        uv_poverty = np.clip(totals["poverty_pct"] * f, 0, 100)
        for i, uv in enumerate(uvs):
            rows.append({"code": uv.code, "level": "uv", "parent_code": uv.parent_code, "year": year,
                         **{k: int(v[i]) for k, v in uv_rows.items()}, "poverty_pct": round(float(uv_poverty[i]), 2)})
        frame = pd.DataFrame([r for r in rows if r["year"] == year and r["level"] == "uv"])
        for macro in plan.macrosectors:
            part = frame[frame["parent_code"] == macro.code]
            rows.append({"code": macro.code, "level": "macrosector", "parent_code": plan.cut, "year": year,
                         **{k: int(part[k].sum()) for k in ("population", *COUNT_FIELDS)},
                         "poverty_pct": round(float(np.average(part["poverty_pct"], weights=part["population"])), 2)})
        rows.append({"code": plan.cut, "level": "comuna", "parent_code": None, "year": year,
                     **{k: int(frame[k].sum()) for k in ("population", *COUNT_FIELDS)},
                     "poverty_pct": totals["poverty_pct"]})
    return pd.DataFrame(rows)
