"""Time ``observatorio indicators compute`` over the whole library on the demo at its natural size.

Run:  .venv/bin/python benchmarks/bench_indicators.py [--events N] [--keep]

A scratch SQLite database in OBS_DATA_DIR=/tmp/bench-indicators: migrate, load Peñalolén's demo (as of
2026-11-25, CEAD's totals unless ``--events``), install every indicator of ``programmes/library.py`` for one
unit, then time, in this process: the first data-state load, ``indicators compute --year 2025`` (12 months of
every computed indicator, stored through ``entry.store_computed``), a second run (nothing changes: no row
written), and ``readings.series`` of every indicator for 2025 from the stored measurements. Figures go to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 25)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = Path("/tmp/bench-indicators")
    shutil.rmtree(folder, ignore_errors=True)
    os.environ["OBS_DATA_DIR"] = str(folder)
    os.environ.pop("OBS_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatorio.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from observatorio.demo.load import run_demo

    started = time.perf_counter()
    run_demo(as_of=AS_OF, n_events=args.events, show_progress=False)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")

    import contextlib
    import io

    from observatorio import cli, state
    from observatorio.programmes import library, readings
    from observatorio.programmes.models import Measurement, Unit

    unit = Unit.objects.create(code="seguridad", name="Dirección de Seguridad")
    indicators = library.install(unit)
    started = time.perf_counter()
    data = state.current()
    print(f"events: {data.events.size:,}; state loaded in {time.perf_counter() - started:.2f} s")
    for label in ("first", "again"):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["indicators", "compute", "--year", "2025"]) == 0
        print(f"indicators compute --year 2025 ({label}): {time.perf_counter() - started:.2f} s, "
              f"{Measurement.objects.count()} measurements stored")
    started = time.perf_counter()
    n = sum(len(readings.series(i, year=2025, today=AS_OF, state=data)) for i in indicators)
    print(f"readings.series of {len(indicators)} indicators: {n} readings in {time.perf_counter() - started:.2f} s")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
