"""Time `observatorio demo --events N` (build + load) on a fresh database: SQLite under OBS_DATA_DIR, or the
PostgreSQL database named in OBS_DATABASE_URL (created here and dropped afterwards; use a name of your own).

    OBS_DATA_DIR=/tmp/bench-demo .venv/bin/python benchmarks/bench_demo_load.py --events 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("OBS_DATA_DIR", "/tmp/bench-demo")
    Path(os.environ["OBS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    from bench_import import fresh_postgres

    url = os.environ.get("OBS_DATABASE_URL", "")
    drop = fresh_postgres(url) if url.startswith(("postgres://", "postgresql://")) else None
    try:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from observatorio.demo import load
        from observatorio.demo.scenario import build_scenario
        from observatorio.records.models import Event

        call_command("migrate", verbosity=0)
        if Event.objects.exists():
            raise SystemExit("the database already has events: point OBS_DATA_DIR at an empty folder")
        t = time.perf_counter()
        scenario = build_scenario("13122", seed=1, years=3, as_of=dt.date(2025, 6, 30), n_events=args.events)
        built = time.perf_counter() - t
        from observatorio.demo import programmes as demo_programmes

        real, spent = demo_programmes.load_programmes, {}

        def timed(*a, **k):  # the programmes' share of the load (load.py imports it at call time)
            t0 = time.perf_counter()
            out = real(*a, **k)
            spent["programmes_s"] = round(time.perf_counter() - t0, 2)
            return out

        demo_programmes.load_programmes = timed
        t = time.perf_counter()
        load.load_scenario(scenario, show_progress=False)
        loaded = time.perf_counter() - t
        n = Event.objects.count()
        print(json.dumps({"database": connection.vendor, "events": n, "build_s": round(built, 1),
                          "load_s": round(loaded, 1), "events_per_s": round(n / loaded), **spent}))
    finally:
        if drop:
            from django.db import connections

            connections.close_all()
            drop()


if __name__ == "__main__":
    main()
