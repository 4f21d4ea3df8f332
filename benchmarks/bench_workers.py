"""Server workers sharing one data state through the column files (observatorio.state.store), at 5M events.

Run:  .venv/bin/python benchmarks/bench_workers.py [--sizes 5000000] [--backend sqlite postgres] [--workers 4]

Reuses the databases that ``bench_dashboard.py --keep`` loaded (SQLite in
/tmp/bench-dash/<size>, PostgreSQL obs_bench_dash_<size>). Per backend:

1. *build*, in a fresh process, with this database's column files removed:
   ``snapshot.load_snapshot()`` alone (what a process did before the files),
   then ``state.current()`` (the same read, plus writing the files and
   mapping them): the cost of being the first.
2. *workers*: ``--workers`` processes started together once the files exist,
   each as a server worker would live: Django set up, then every dashboard
   data endpoint asked once through the test client (signed in), then every
   map layer once (its per-event cells are built on the first). Each reports
   the seconds from its spawn to its first dashboard answer, and from the end
   of Django's setup to it; the first of them builds the dashboard's cube and
   the map's cells and writes them beside the columns, the others wait and map
   them. Then one more worker is started (a restart, an added worker): its
   first answer is the figure that matters. It is timed two ways: a fresh
   Python process (it sets Django up and imports the views' libraries
   itself), and a process forked, as ``serve --prod``'s gunicorn master forks
   its workers, from a parent that has set Django up and imported every view
   (``startup.ready_for_requests``), timed from the fork. While all are alive and idle, the parent reads
   each one's ``/proc/PID/smaps_rollup``: PSS counts a page shared by n
   processes as 1/n in each, so their sum is the memory of the group counted
   once; RSS counts shared pages in every process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import ENDPOINTS, MAP_LAYERS, ROOT, _env, _rss_mb, _setup_django  # noqa: E402


def build() -> dict:
    _setup_django()
    from observatorio import state
    from observatorio.records import snapshot
    from observatorio.state import store

    shutil.rmtree(store.database_folder(), ignore_errors=True)
    t0 = time.perf_counter()
    plain = snapshot.load_snapshot()
    load_s = time.perf_counter() - t0
    del plain
    t0 = time.perf_counter()
    held = state.current()
    build_s = time.perf_counter() - t0
    folder = store.version_folder(*held.key.events)
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    return {"events": held.events.size, "load_s": round(load_s, 2), "build_s": round(build_s, 2),
            "files_mb": round(size_mb, 1)}


def worker(spawned: float) -> None:
    imported = time.time()
    _setup_django()
    from observatorio.commands.startup import keep_freed_memory

    keep_freed_memory()  # as every server process has it (a forked worker already has it from its master)
    from django.contrib.auth import get_user_model
    from django.test import Client

    ready = time.time()
    client = Client()
    client.force_login(get_user_model().objects.get(username="analista"))
    first = None
    for name in ENDPOINTS:
        response = client.get(f"/tablero/datos/{name}.json")
        assert response.status_code == 200, (name, response.status_code)
        first = first or time.time()
    dashboard_done = time.time()
    for key in MAP_LAYERS:
        response = client.get(f"/mapa/capa/{key}.json")
        assert response.status_code == 200, (key, response.status_code)
    map_done = time.time()
    rss, peak = _rss_mb()
    print(json.dumps({"first_answer_s": round(first - spawned, 2), "after_setup_s": round(first - ready, 2),
                      "setup_s": round(ready - imported, 2), "dashboard_s": round(dashboard_done - spawned, 2),
                      "map_s": round(map_done - dashboard_done, 2), "rss_mb": round(rss, 1),
                      "peak_mb": round(peak, 1)}), flush=True)
    sys.stdin.read()  # stay alive, idle, until the parent has read the memory of every worker


def forked() -> None:
    """Prepare as ``serve --prod``'s master does (Django, every view imported), then fork one worker and wait."""
    _setup_django()
    from django.db import connections

    from observatorio.commands.startup import ready_for_requests

    ready_for_requests()
    connections.close_all()
    spawned = time.time()
    pid = os.fork()
    if pid == 0:
        try:
            worker(spawned)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _pss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Pss", "Rss"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["Pss"], fields["Rss"]


def late(env: dict, phase: str) -> dict:
    """One worker started on its own (``phase`` "worker": a fresh process; "forked": forked from a prepared
    parent), its report once it has answered every endpoint and layer."""
    proc = subprocess.Popen([sys.executable, __file__, "--phase", phase, "--spawned", repr(time.time())], env=env,
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"the late worker ({phase}) failed (exit {proc.wait()})")
        return json.loads(line)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def workers(env: dict, n: int) -> dict:
    procs = []
    for _ in range(n):
        procs.append(subprocess.Popen([sys.executable, __file__, "--phase", "worker", "--spawned", repr(time.time())],
                                      env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    reports = []
    try:
        for proc in procs:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"a worker failed (exit {proc.wait()})")
            reports.append(json.loads(line))
        memory = [_pss_mb(p.pid) for p in procs]
        # One more worker, started once the first ones have written every file: what a restart or an added
        # worker costs; a fresh process, then one forked from a prepared parent as gunicorn's master does.
        late_report = late(env, "worker")
        forked_report = late(env, "forked")
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=60)
    return {"workers": reports, "late": late_report, "late_forked": forked_report, "pss_mb": [round(p, 1) for p, _r in memory],
            "rss_mb": [round(r, 1) for _p, r in memory], "pss_total_mb": round(sum(p for p, _r in memory), 1),
            "rss_total_mb": round(sum(r for _p, r in memory), 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--late-only", type=int, default=0, metavar="N",
                        help="only start late workers, N of each kind, on files already built (the median)")
    parser.add_argument("--phase", choices=["build", "worker", "forked"], help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "build":
        print(json.dumps(build()))
        return 0
    if args.phase == "worker":
        worker(args.spawned)
        return 0
    if args.phase == "forked":
        forked()
        return 0
    for backend in args.backend:
        for size in args.sizes:
            env = _env(backend, size)
            if args.late_only:
                runs = {phase: [late(env, phase) for _ in range(args.late_only)] for phase in ("worker", "forked")}
                print(json.dumps({"backend": backend, "size": size, **runs}), flush=True)
                for phase, reports in runs.items():
                    firsts = sorted(r["first_answer_s"] for r in reports)
                    print(f"{backend} {size:,} late {phase}: first answer {firsts} s, median "
                          f"{statistics.median(firsts)} s", flush=True)
                continue
            done = subprocess.run([sys.executable, __file__, "--phase", "build"], env=env, capture_output=True,
                                  text=True, cwd=ROOT)
            if done.returncode != 0:
                raise SystemExit(f"{backend} {size} failed (load it with bench_dashboard.py --keep):\n"
                                 f"{done.stderr[-2000:]}")
            built = json.loads(done.stdout.strip().splitlines()[-1])
            shared = workers(env, args.workers)
            print(json.dumps({"backend": backend, "size": size, "build": built, **shared}), flush=True)
            w = shared["workers"]
            last = shared["late"]
            print(f"| {backend} | {built['events']:,} | {built['load_s']} | {built['build_s']} | {built['files_mb']} | "
                  f"{max(x['first_answer_s'] for x in w)} ({max(x['after_setup_s'] for x in w)}) | "
                  f"{last['first_answer_s']} ({last['after_setup_s']}) | "
                  f"{shared['late_forked']['first_answer_s']} | {last['map_s']} | "
                  f"{max(x['map_s'] for x in w)} | {' / '.join(str(p) for p in shared['pss_mb'])} | "
                  f"{shared['pss_total_mb']} | {shared['rss_total_mb']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
