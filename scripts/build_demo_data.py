"""Rebuild the small tables bundled in observatorio/demo/data from ../shared/data.

The raw shared files are never committed; these derived tables are small
(a few hundred KB in total) and let the demo run on any machine:

- ``footprints.json``: GeoJSON, one simplified urban footprint per comuna of
  the Región Metropolitana (union of its 2017 urban census zones), so the demo
  draws neighbourhoods where people live and not on the Andes.
- ``cead_yearly.csv.gz``: CEAD casos policiales per comuna × year × category
  for the last ``YEARS`` years of the series.
- ``cead_monthly_profile.csv.gz``: national share of each calendar month per
  category over the same years (the seasonal profile).
- ``population.csv.gz``: INE projections per comuna and year.
- ``police_units.csv.gz``: Carabineros units (name, type, point, comuna).

Run from the project root: ``.venv/bin/python scripts/build_demo_data.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "observatorio" / "demo" / "data"
YEARS = 5  # enough for --years up to 5 ending at the last year of the series
SIMPLIFY_DEG = 0.0005  # ~50 m: plenty for drawing illustrative areas, keeps the file small


def footprints() -> None:
    zones = gpd.read_file(SHARED / "censo" / "zonas_r13.geojson")
    features = []
    for cut, group in zones.groupby("codigo_comuna"):
        # A small buffer closes the slivers between adjacent zones before simplifying.
        geom = shapely.union_all(shapely.buffer(group.geometry.values, 0.0002)).buffer(-0.0002)
        geom = shapely.make_valid(geom.simplify(SIMPLIFY_DEG, preserve_topology=True))
        geom = shapely.set_precision(geom, 1e-5)
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        features.append({"type": "Feature", "properties": {"cut": str(int(cut))},
                         "geometry": shapely.geometry.mapping(geom)})
    payload = {"type": "FeatureCollection",
               "source": "Censo 2017 zonas urbanas (INE, vía chilemapas), unión simplificada",
               "features": features}
    (OUT / "footprints.json").write_text(json.dumps(payload, separators=(",", ":")))


def cead() -> None:
    frame = pd.read_parquet(SHARED / "cead" / "cead_delincuencia_chile.parquet",
                            columns=["cut_comuna", "fecha", "delito", "delito_n"])
    fecha = pd.to_datetime(frame["fecha"])
    frame = frame.assign(year=fecha.dt.year, month=fecha.dt.month, delito=frame["delito"].astype(str))
    last = int(frame["year"].max())
    frame = frame[frame["year"] > last - YEARS]
    yearly = (frame.groupby(["cut_comuna", "year", "delito"], observed=True)["delito_n"].sum().reset_index())
    yearly = yearly.assign(cut=yearly["cut_comuna"].astype(int), n=yearly["delito_n"].round().astype(int))
    yearly = yearly[yearly["n"] > 0]  # absent rows mean zero; keeps the file small
    yearly[["cut", "year", "delito", "n"]].sort_values(["cut", "year", "delito"]).to_csv(
        OUT / "cead_yearly.csv.gz", index=False)
    monthly = frame.groupby(["delito", "month"], observed=True)["delito_n"].sum().reset_index()
    monthly["share"] = monthly["delito_n"] / monthly.groupby("delito")["delito_n"].transform("sum")
    monthly[["delito", "month", "share"]].round(6).to_csv(OUT / "cead_monthly_profile.csv.gz", index=False)


def population() -> None:
    frame = pd.read_parquet(SHARED / "cead" / "censo_proyecciones_anio.parquet")
    out = pd.DataFrame({"cut": frame["cut_comuna"].astype(int), "year": frame["año"].astype(int),
                        "population": frame["población"].round().astype(int)})
    out.sort_values(["cut", "year"]).to_csv(OUT / "population.csv.gz", index=False)


def police_units() -> None:
    units = gpd.read_file(SHARED / "penalolen" / "cuarteles_carabineros.geojson")
    out = pd.DataFrame({"cut": units["cut_com"].astype(int), "name": units["nombre"], "kind": units["tipo"],
                        "lon": units["lon"].astype(float).round(6), "lat": units["lat"].astype(float).round(6)})
    out.sort_values(["cut", "name"]).to_csv(OUT / "police_units.csv.gz", index=False)


def main() -> int:
    if not SHARED.exists():
        print(f"{SHARED} is absent: the raw data lives in ../shared/data beside the project", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    footprints()
    cead()
    population()
    police_units()
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}\t{path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
