"""Peak memory of a server process while new data replace its snapshot (decision 26), at 5M demo events.

Run:  .venv/bin/python benchmarks/bench_reload.py [--sizes 5000000] [--backend sqlite postgres]

Reuses the databases that ``bench_dashboard.py --keep`` loaded (SQLite in
/tmp/bench-dash/<size>, PostgreSQL obs_bench_dash_<size>). In a fresh process
per backend it reaches a serving state (the snapshot, its cube and the map's
per-event cells), records RSS and peak RSS (VmHWM), then loads the snapshot
again while holding the first one, as the background reload does, and
records them again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import ROOT, _env, _rss_mb, _setup_django  # noqa: E402


def measure() -> dict:
    _setup_django()
    from observatorio import state as data_state
    from observatorio.dashboard.cube import cube_of
    from observatorio.dashboard.layers.base import placed, territory
    from observatorio.records import snapshot

    state = data_state.current()
    snap = state.events
    cube_of(state)
    placed(state, territory(state, state.as_of))
    serving, serving_peak = _rss_mb()
    t0 = time.perf_counter()
    fresh = snapshot.load_snapshot()
    reload_s = time.perf_counter() - t0
    after, peak = _rss_mb()
    assert fresh.size == snap.size
    return {"events": snap.size, "serving_rss_mb": round(serving, 1), "serving_peak_mb": round(serving_peak, 1),
            "reload_s": round(reload_s, 2), "after_reload_rss_mb": round(after, 1), "peak_mb": round(peak, 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--phase", choices=["measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "measure":
        print(json.dumps(measure()))
        return 0
    print("| backend | events | serving RSS / peak MB | reload s | after reload RSS MB | peak during reload MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for backend in args.backend:
        for size in args.sizes:
            done = subprocess.run([sys.executable, __file__, "--phase", "measure"], env=_env(backend, size),
                                  capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                raise SystemExit(f"{backend} {size} failed (load it with bench_dashboard.py --keep):\n"
                                 f"{done.stderr[-2000:]}")
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {backend} | {r['events']:,} | {r['serving_rss_mb']} / {r['serving_peak_mb']} | {r['reload_s']} "
                  f"| {r['after_reload_rss_mb']} | {r['peak_mb']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
