"""Peak memory of a dry run of a generated 1M-row CSV: what one upload can cost the server.

The file is `bench_import`'s realistic 1461 export (Latin-1, ';', decimal
commas, addresses for 10 % of the rows). The territory and gazetteer are set
up in this process; the dry run (read, validate, place, dedupe: everything
but the write) runs in a fresh child process, whose peak resident set size
(``VmHWM``, which includes Python, Django and the libraries) is the
figure. The issue's bound is 1 GB (docs/performance.md).

    OBS_DATA_DIR=/tmp/bench-import-memory .venv/bin/python benchmarks/bench_import_memory.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_MB = 1024


def high_water_kb() -> int:
    """Peak resident set size of this process (VmHWM): unlike ``ru_maxrss``, which Linux carries over from
    the parent across fork and exec, it starts afresh in the child."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    django.setup()
    from observatorio.records.pipeline import run_import

    before = high_water_kb()
    started = time.perf_counter()
    result = run_import(path, "1461", commit=False, record_dry_run=False)
    seconds = time.perf_counter() - started
    peak = high_water_kb()
    print(json.dumps({"rows": result.read, "valid": result.read - result.rejected, "duplicates": result.duplicates,
                      "seconds": round(seconds, 1), "stages": result.seconds,
                      "rss_before_mb": round(before / 1024), "peak_rss_mb": round(peak / 1024)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    os.environ.setdefault("OBS_DATA_DIR", "/tmp/bench-import-memory")
    Path(os.environ["OBS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    from benchmarks.bench_import import setup, write_csv

    shape = setup(args.seed)  # Django, migrations, the territory and the gazetteer; refuses a folder with events
    path = Path(os.environ["OBS_DATA_DIR"]) / f"llamados_1461_{args.rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_csv(path, args.rows, shape, args.seed)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True,
                         text=True, env={**os.environ, "OBS_UPLOAD_MAX_ROWS": str(max(args.rows, 2_000_000))})
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    summary["file_mb"] = round(path.stat().st_size / 1e6)
    summary["under_limit"] = summary["peak_rss_mb"] < LIMIT_MB
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
