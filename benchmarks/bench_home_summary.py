"""Time the home page's comparison and freshness blocks over CEAD's whole series, without and with the index on
AggregateCount (source, period_start) (records migration 0010), on one database.

Loads the demo and imports ../shared/data/cead (1,987,200 rows and the INE projections) the first time; run
again on the same OBS_DATA_DIR to time only. SQLite under OBS_DATA_DIR, or the database of OBS_DATABASE_URL.

    OBS_DATA_DIR=/tmp/bench-home .venv/bin/python benchmarks/bench_home_summary.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "cead"
INDEX = "records_agg_source_period"
REPEATS = 3


def main():
    os.environ.setdefault("OBS_DATA_DIR", "/tmp/bench-home")
    Path(os.environ["OBS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from observatorio.dashboard import home_data
    from observatorio.demo.load import run_demo
    from observatorio.records.models import AggregateCount, Event
    from observatorio.records.pipeline import run_import
    from observatorio.records.pipeline.population import load_population
    from observatorio.state.holder import current
    from observatorio.territory.models import Level

    call_command("migrate", verbosity=0)
    if not Event.objects.exists():
        run_demo("13122", as_of=dt.date(2026, 11, 25), show_progress=False)
    if AggregateCount.objects.count() < 1_500_000:
        run_import(SHARED / "cead_delincuencia_chile.parquet", "cead", commit=True, as_of=dt.date(2026, 11, 25))
        load_population(SHARED / "censo_proyecciones_anio.parquet", commit=True)
    state = current()
    measure = home_data.map_measure(state)
    cut = str(state.index.areas[state.index.ids_at(Level.COMUNA)[0]].code)

    def timed(fn) -> float:
        best = float("inf")
        for _ in range(REPEATS):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        return round(best, 3)

    out = {"database": connection.vendor, "counts": AggregateCount.objects.count()}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    out["without_index"] = {"comparison_s": timed(lambda: home_data._rates(state, measure, cut)),
                            "freshness_s": timed(lambda: home_data._freshness(state))}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {INDEX} ON records_aggregatecount (source_id, period_start)")
    out["with_index"] = {"comparison_s": timed(lambda: home_data._rates(state, measure, cut)),
                         "freshness_s": timed(lambda: home_data._freshness(state))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
