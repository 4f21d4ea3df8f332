"""Import a generated CSV of realistic 1461 calls end to end: read, validate, geo-assign, deduplicate, write.

The file is what the 1461 centre exports: Latin-1, ';', dd-mm-yyyy dates,
HH:MM times, coordinates with decimal commas (90 % of rows), a street
address instead for the rest (geocoded against a 5,000-entry gazetteer),
call types of the crosswalk, a result column, and 0.5 % repeated rows. The
territory is Peñalolén (DPA) cut into 31 Voronoi UVs. The database is a fresh
one: SQLite under OBS_DATA_DIR, or PostgreSQL from OBS_DATABASE_URL (use a
database of your own: the benchmark creates it and drops it afterwards). Prints the
time per stage and the total.

    OBS_DATA_DIR=/tmp/bench-import .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--seed 3]
    OBS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/obs_bench_import .venv/bin/python benchmarks/bench_import.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TYPES = ["Ruidos molestos", "Riña", "Persona sospechosa", "Bebedores en la vía pública", "Luminaria apagada",
         "Perros vagos", "Emergencia médica", "Solicitud de patrullaje", "Robo", "Hurto", "Violencia intrafamiliar",
         "Daños", "Conflicto vecinal", "Incendio"]
RESULTS = ["Atendido", "Derivado a Carabineros", "Sin moradores", "Falsa alarma", "Derivado a SAMU"]
STREETS = ["Av. Grecia", "Av. José Arrieta", "Av. Tobalaba", "Av. Consistorial", "Pje. Los Aromos", "Las Parcelas",
           "Av. Departamental", "Quilín", "Mar Tirreno", "Diagonal Las Torres"]


def setup(seed: int):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from observatorio.records.models import AddressPoint, Event
    from observatorio.records.pipeline.geocode import normalise_street, street_core
    from observatorio.territory.comunas import setup_comuna
    from observatorio.territory.geometry import geodesic_km2
    from observatorio.territory.models import Area, Boundary, Level

    if Event.objects.exists():
        raise SystemExit("the benchmark database already has events: point OBS_DATA_DIR at an empty folder")
    comuna = setup_comuna("13122")
    shape = comuna.boundaries.first().shape
    rng = np.random.default_rng(seed)
    if not Area.objects.filter(level=Level.UV).exists():
        x0, y0, x1, y1 = shape.bounds
        seeds = shapely_points(rng, shape, 31)
        import shapely

        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=shapely.box(
            x0 - 0.1, y0 - 0.1, x1 + 0.1, y1 + 0.1)))
        for i, cell in enumerate(cells, start=1):
            part = shapely.intersection(cell, shape)
            area = Area.objects.create(code=f"UV-{i:02d}", name=f"UV {i}", level=Level.UV, parent=comuna,
                                       source="benchmark")
            b = Boundary(area=area, source="benchmark")
            b.set_shape(part, geodesic_km2(part))
            b.save()
    points = shapely_points(rng, shape, 5000)
    AddressPoint.objects.bulk_create([
        AddressPoint(street=STREETS[i % len(STREETS)], street_normalised=normalise_street(STREETS[i % len(STREETS)]),
                     street_core=street_core(normalise_street(STREETS[i % len(STREETS)])), number=10 + 2 * (i // 10),
                     lon=p[0], lat=p[1]) for i, p in enumerate(points)])
    return shape


def shapely_points(rng, shape, n):
    import shapely

    x0, y0, x1, y1 = shape.bounds
    out = []
    while len(out) < n:
        xs, ys = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        inside = shapely.contains_xy(shape, xs, ys)
        out += list(zip(xs[inside], ys[inside]))
    return out[:n]


def write_csv(path: Path, rows: int, shape, seed: int):
    import pandas as pd

    rng = np.random.default_rng(seed + 1)
    x0, y0, x1, y1 = shape.bounds
    pad = 0.01  # a few calls fall just outside the comuna, as real ones do
    lon = rng.uniform(x0 - pad, x1 + pad, rows)
    lat = rng.uniform(y0 - pad, y1 + pad, rows)
    day = np.datetime64("2023-01-01") + rng.integers(0, 730, rows).astype("timedelta64[D]")
    minute = rng.integers(0, 1440, rows)
    has_point = rng.random(rows) < 0.9
    frame = pd.DataFrame({
        "Folio": np.char.add("L-", np.arange(1, rows + 1).astype(str)),
        "Fecha": pd.to_datetime(day).strftime("%d-%m-%Y"),
        "Hora": [f"{m // 60:02d}:{m % 60:02d}" for m in minute.tolist()],
        "Tipo": np.asarray(TYPES, dtype=object)[rng.integers(0, len(TYPES), rows)],
        "Latitud": np.where(has_point, np.char.replace(np.round(lat, 6).astype(str), ".", ","), ""),
        "Longitud": np.where(has_point, np.char.replace(np.round(lon, 6).astype(str), ".", ","), ""),
        "Dirección": np.where(has_point, "", [f"{STREETS[s]} {10 + 2 * n}" for s, n in
                                               zip(rng.integers(0, len(STREETS), rows).tolist(),
                                                   rng.integers(0, 500, rows).tolist())]),
        "Resultado": np.asarray(RESULTS, dtype=object)[rng.integers(0, len(RESULTS), rows)],
    })
    # 0.5 % of the rows repeat an earlier one, as overlapping exports do.
    repeat = rng.choice(np.arange(rows // 2, rows), rows // 200, replace=False)
    frame.iloc[repeat] = frame.iloc[repeat - rows // 2].to_numpy()
    with path.open("w", encoding="latin-1", newline="") as fh:
        fh.write("Central 1461 - llamados 2023-2024\n\n")
        frame.to_csv(fh, sep=";", index=False, lineterminator="\n")


def fresh_postgres(url: str):
    """Create the PostgreSQL database named in `url` (dropping it first); returns a function that drops it."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()

    def run(sql):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    os.environ.setdefault("OBS_DATA_DIR", "/tmp/bench-import")
    Path(os.environ["OBS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    url = os.environ.get("OBS_DATABASE_URL", "")
    drop = fresh_postgres(url) if url.startswith(("postgres://", "postgresql://")) else None
    try:
        run(args)
    finally:
        if drop and not args.keep:
            from django.db import connections

            connections.close_all()
            drop()


def run(args):
    shape = setup(args.seed)
    path = Path(os.environ["OBS_DATA_DIR"]) / f"llamados_1461_{args.rows}.csv"
    t = time.perf_counter()
    write_csv(path, args.rows, shape, args.seed)
    print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")

    from django.db import connection

    from observatorio.records.pipeline import run_import

    t = time.perf_counter()
    result = run_import(path, "1461", commit=True)
    total = time.perf_counter() - t
    summary = {"database": connection.vendor, "rows": result.read, "imported": result.imported,
               "duplicates": result.duplicates, "rejected": result.rejected, "warnings": len(result.warnings),
               "seconds": result.seconds, "total_s": round(total, 1)}
    print(json.dumps(summary, indent=1))
    assert result.read == result.imported + result.duplicates + result.rejected


if __name__ == "__main__":
    main()
