"""Time ``load_snapshot`` (every event into NumPy arrays) at 1M and 5M demo events, and its peak memory.

Run:  .venv/bin/python benchmarks/bench_snapshot.py [--sizes 1000000] [--backend sqlite postgres]
                                                    [--compare REV] [--keep] [--time-only]

The events are the dashboard benchmark's (``bench_dashboard.load``: Peñalolén's
demo set-up, then ``build_scenario(n_events=N)`` written by raw executemany or
COPY). Each timing runs in a fresh process, as a server process would load it,
so that its peak RSS (VmHWM) is the load's own. ``--compare REV`` also times
``observatorio/records/snapshot.py`` as it was at git revision REV (read with
``git show``) in its own process, and checks that both give the same arrays
(a SHA-256 of every column's bytes, so floats are compared bit for bit).

SQLite goes to OBS_DATA_DIR=/tmp/bench-snap/<size>; PostgreSQL to the database
obs_bench_snap_<size> on 127.0.0.1 (created here; dropped at the end unless
--keep). ``--time-only`` reuses databases kept by an earlier run.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import ROOT, _rss_mb, _setup_django  # noqa: E402
from bench_dashboard import _env as dashboard_env  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/obs_bench_snap_{size}"
COLUMNS = ("id", "source", "category", "day", "minute", "lon", "lat", "area", "outside")


def _snapshot_module(path: str | None):
    """The snapshot module in use, or the file ``path`` (an older revision) loaded in its place."""
    if path is None:
        from observatorio.records import snapshot

        return snapshot
    # Its name sits in the package so that its relative import (.models) resolves.
    spec = importlib.util.spec_from_file_location("observatorio.records._snapshot_compared", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def timing(module_path: str | None) -> dict:
    _setup_django()
    module = _snapshot_module(module_path)
    rss_before, _ = _rss_mb()
    t0 = time.perf_counter()
    snap = module.load_snapshot()
    load_s = time.perf_counter() - t0
    rss, peak = _rss_mb()
    digest = hashlib.sha256()
    for name in COLUMNS:
        column = getattr(snap, name)
        digest.update(f"{name}:{column.dtype.str}:".encode())
        digest.update(column.tobytes())
    return {"load_s": round(load_s, 2), "events": snap.size, "snapshot_mb": round(snap.nbytes / 2**20, 1),
            "rss_before_mb": round(rss_before, 1), "rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1),
            "sha256": digest.hexdigest()[:16]}


def _env(backend: str, size: int) -> dict:
    return dashboard_env(backend, size, pg_url=PG_URL, data_root="/tmp/bench-snap")


def _child(args: list[str], backend: str, size: int) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], env=_env(backend, size), capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{args} {backend} {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prepare(backend: str, size: int) -> None:
    if backend == "postgres":
        db = f"obs_bench_snap_{size}"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    else:
        path = Path(f"/tmp/bench-snap/{size}")
        if path.exists():
            subprocess.run(["rm", "-rf", str(path)], check=True)
        path.mkdir(parents=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--compare", metavar="REV", help="also time snapshot.py as of this git revision")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--time-only", action="store_true", help="reuse databases kept by an earlier run")
    parser.add_argument("--phase", choices=["load", "time"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--module", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "load":
        from bench_dashboard import load

        print(json.dumps(load(args.n)))
        return 0
    if args.phase == "time":
        print(json.dumps(timing(args.module)))
        return 0
    old_path = None
    if args.compare:
        text = subprocess.run(["git", "show", f"{args.compare}:observatorio/records/snapshot.py"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
        old = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
        old.write(text)
        old.close()
        old_path = old.name
    rows = []
    for backend in args.backend:
        for size in args.sizes:
            if not args.time_only:
                _prepare(backend, size)
                loaded = _child(["--phase", "load", "--n", str(size)], backend, size)
                print(f"[{backend} {size:,}] loaded {loaded}", flush=True)
            runs = [("current", None)] + ([(args.compare, old_path)] if old_path else [])
            for label, path in runs:
                timed = _child(["--phase", "time", *(["--module", path] if path else [])], backend, size)
                rows.append({"backend": backend, "size": size, "code": label, **timed})
                print(json.dumps(rows[-1]), flush=True)
            if old_path and rows[-1]["sha256"] != rows[-2]["sha256"]:
                raise SystemExit(f"{backend} {size}: the arrays differ from {args.compare}'s")
            if backend == "postgres" and not args.keep and not args.time_only:
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                                f"obs_bench_snap_{size}"])
    if old_path:
        os.unlink(old_path)
    print("\n| backend | events | code | load s | snapshot MB | RSS before / after / peak MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['backend']} | {r['size']:,} | {r['code']} | {r['load_s']} | {r['snapshot_mb']} | "
              f"{r['rss_before_mb']} / {r['rss_mb']} / {r['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
