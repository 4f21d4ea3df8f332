"""What the demo loads so that a comuna compares with its region, the country and its peers; no Django.

The comparison (dashboard/peers.py, the authority's home) reads the reference source's counts of every comuna
(CEAD casos policiales) and the INE population projections. The demo writes its own comuna's CEAD series
itself (``events.cead_monthly``); this module gives the other comunas' counts, in the columns of CEAD's file,
and the projections, in the columns of INE's file, so that the demo loads them through the same importers as a
real file (``records.pipeline.run_import`` with the ``cead`` source, ``records.pipeline.population``):

- with ``../shared/data`` beside the project (the folder above ``--geography``): the real files,
  ``cead/cead_delincuencia_chile.parquet`` (the demo's full years only) and ``cead/censo_proyecciones_anio.parquet``;
- otherwise the small tables bundled in ``data/`` (scripts/build_demo_data.py): CEAD's yearly totals per comuna
  and category split into months with the national seasonal profile, and INE's projections with the DPA names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from . import bundled

CEAD_FILE = Path("cead") / "cead_delincuencia_chile.parquet"
PROJECTIONS_FILE = Path("cead") / "censo_proyecciones_anio.parquet"
CEAD_COLUMNS = ["cut_comuna", "comuna", "fecha", "delito", "delito_n"]
PROJECTION_COLUMNS = ["cut_comuna", "comuna", "año", "población"]


def shared_folder(geography) -> Path | None:
    """The shared data folder holding both real files: the parent of ``--geography`` (``../shared/data/penalolen``
    → ``../shared/data``), or None (no geography given, or the files are not there)."""
    if geography is None:
        return None
    folder = Path(geography).resolve().parent
    return folder if (folder / CEAD_FILE).is_file() and (folder / PROJECTIONS_FILE).is_file() else None


def other_counts(cut: str, years, shared: Path | None) -> pd.DataFrame:
    """Monthly CEAD counts of every comuna but ``cut`` in ``years``, zeros left out, in CEAD's columns."""
    years = sorted(int(y) for y in years)
    if shared is not None:
        frame = pd.read_parquet(shared / CEAD_FILE, columns=CEAD_COLUMNS, filters=[
            ("fecha", ">=", dt.date(years[0], 1, 1)), ("fecha", "<=", dt.date(years[-1], 12, 31))])
        frame = frame.assign(comuna=frame["comuna"].astype(str), delito=frame["delito"].astype(str))
        frame = frame[(frame["cut_comuna"] != float(cut)) & (frame["delito_n"] > 0)]
        return frame.reset_index(drop=True)
    yearly = bundled.cead_yearly()
    yearly = yearly[yearly["year"].isin(years) & (yearly["cut"] != str(cut)) & (yearly["n"] > 0)]
    profile = bundled.monthly_profile()
    shares = np.array([profile.get(label, (1 / 12,) * 12) for label in yearly["delito"]], dtype=float)
    monthly = split_months(yearly["n"].to_numpy(np.int64), shares)
    names = comuna_names()
    frame = pd.DataFrame({
        "cut_comuna": np.repeat(yearly["cut"].astype(float).to_numpy(), 12),
        "comuna": np.repeat(yearly["cut"].map(names).fillna(yearly["cut"]).to_numpy(), 12),
        "fecha": [dt.date(y, m, 1) for y in yearly["year"].tolist() for m in range(1, 13)],
        "delito": np.repeat(yearly["delito"].to_numpy(), 12),
        "delito_n": monthly.ravel().astype(float),
    })
    return frame[frame["delito_n"] > 0].reset_index(drop=True)


def split_months(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Each total split into 12 whole months proportional to its row of ``shares`` (largest remainder, ties to
    the earlier month), every row summing exactly to its total.

    >>> split_months(np.array([10]), np.full((1, 12), 1 / 12)).tolist()
    [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]]
    """
    exact = totals[:, None] * shares / shares.sum(axis=1, keepdims=True)
    base = np.floor(exact).astype(np.int64)
    left = totals - base.sum(axis=1)
    order = np.argsort(-(exact - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(12)[None, :].repeat(len(totals), axis=0), axis=1)
    return base + (rank < left[:, None])


def projections(shared: Path | None) -> pd.DataFrame:
    """INE's population projections of every comuna and year, in INE's columns."""
    if shared is not None:
        return pd.read_parquet(shared / PROJECTIONS_FILE, columns=PROJECTION_COLUMNS)
    frame = bundled.population_table()
    return pd.DataFrame({"cut_comuna": frame["cut"], "comuna": frame["cut"].map(comuna_names()).fillna(frame["cut"]),
                         "año": frame["year"], "población": frame["population"]})


def comuna_names() -> dict[str, str]:
    from observatorio.territory.dpa import all_comunas

    return {c.cut: c.name for c in all_comunas()}
