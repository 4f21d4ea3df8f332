"""Readers for the small derived tables in ``data/`` (rebuilt by scripts/build_demo_data.py)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import shapely

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def _footprints() -> dict[str, object]:
    payload = json.loads((DATA / "footprints.json").read_text())
    return {f["properties"]["cut"]: shapely.geometry.shape(f["geometry"]) for f in payload["features"]}


def urban_footprint(cut: str):
    """The simplified union of the comuna's 2017 urban census zones, or None outside the Región Metropolitana."""
    return _footprints().get(str(cut))


@lru_cache(maxsize=1)
def cead_yearly() -> pd.DataFrame:
    """CEAD casos policiales: columns cut (str), year, delito, n."""
    frame = pd.read_csv(DATA / "cead_yearly.csv.gz", dtype={"cut": str})
    return frame


def cead_years() -> tuple[int, int]:
    years = cead_yearly()["year"]
    return int(years.min()), int(years.max())


def cead_for(cut: str, years) -> pd.DataFrame:
    """Counts per (year, delito) for the comuna, with every label present (zeros filled)."""
    from observatorio.taxonomy import CEAD_CATEGORIES

    frame = cead_yearly()
    frame = frame[(frame["cut"] == str(cut)) & frame["year"].isin(list(years))]
    labels = [label for _, label, *_ in CEAD_CATEGORIES]
    index = pd.MultiIndex.from_product([list(years), labels], names=["year", "delito"])
    return frame.set_index(["year", "delito"])["n"].reindex(index, fill_value=0).reset_index()


@lru_cache(maxsize=1)
def monthly_profile() -> dict[str, tuple[float, ...]]:
    """National share of each calendar month per CEAD label (12 floats summing to 1)."""
    frame = pd.read_csv(DATA / "cead_monthly_profile.csv.gz").sort_values(["delito", "month"])
    out = {}
    for label, group in frame.groupby("delito"):
        shares = group.set_index("month")["share"].reindex(range(1, 13), fill_value=0.0).to_numpy()
        out[label] = tuple(shares / shares.sum())
    return out


@lru_cache(maxsize=1)
def _population() -> pd.DataFrame:
    return pd.read_csv(DATA / "population.csv.gz", dtype={"cut": str})


def population_table() -> pd.DataFrame:
    """INE projections of every comuna: columns cut (str), year, population."""
    return _population().copy()


def projected_population(cut: str, year: int) -> int | None:
    """INE projection for the comuna and year (clamped to the table's years), or None if unknown."""
    frame = _population()
    rows = frame[frame["cut"] == str(cut)]
    if rows.empty:
        return None
    year = min(max(year, int(rows["year"].min())), int(rows["year"].max()))
    return int(rows.loc[rows["year"] == year, "population"].iloc[0])


@lru_cache(maxsize=1)
def _police() -> pd.DataFrame:
    return pd.read_csv(DATA / "police_units.csv.gz", dtype={"cut": str})


def police_units(cut: str) -> pd.DataFrame:
    """Carabineros units registered in the comuna: name, kind, lon, lat."""
    frame = _police()
    return frame[frame["cut"] == str(cut)].reset_index(drop=True)
