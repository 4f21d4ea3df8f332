"""Time every data endpoint of the dashboard at 1M and 5M demo events, against a plain GROUP BY.

Run:  .venv/bin/python benchmarks/bench_dashboard.py [--sizes 1000000 5000000] [--backend sqlite postgres]

Each (backend, size) runs in two fresh processes:

1. *load*: migrate a scratch database, set up Peñalolén with ``run_demo`` (a
   few events), then replace its events with ``build_scenario(n_events=N)``
   written by raw ``executemany`` (SQLite) or ``COPY`` (PostgreSQL); the ORM
   path would take minutes per million.
2. *time*: a process that only serves requests, as a server would. It loads
   the snapshot (timed), then asks every data endpoint ``/tablero/datos/<name>.json``
   with the same ``COMBOS`` random filter combinations (seeded), then the map's
   layer endpoints ``/mapa/capa/<key>.json`` (``MAP_LAYERS``), and times each
   request two ways: the wall time of Django's test client (it also builds the
   request and reads the response), and the ``Server-Timing: app;dur=`` header
   of the outermost middleware (every middleware, the session and user
   queries, the view, the JSON). Endpoint-major order, as a page load asks all
   its endpoints with one query string (the map's per-event grid cells,
   ``layers.base.placed``, are built and timed before, like the cube): the first endpoint parses each
   combination's filters, the others find them parsed. Per endpoint, the
   requests of all combinations run first, then the engine alone on each, then
   the GROUP BYs, so that each is timed in its own steady state (a server
   process runs no GROUP BY between requests); ``--interleave`` runs each
   combination's three in turn instead, as this script did before 2026-11-25
   (the requests then come out slower: the GROUP BY's work evicts the
   request's code and data from the CPU caches).
   The engine's own computation (no HTTP, no filter parsing) is timed too, and
   the baseline runs the same question as an ORM GROUP BY over
   ``records_event`` for the first ``--baseline`` combinations, and its answer
   is checked against the engine's (same totals; same counts per category and,
   for the map's choropleth, per area). Three speed-ups, paired by combination
   (median): GROUP BY time / engine time, GROUP BY time / wall time, and
   GROUP BY time / server time. Map layers with no GROUP BY equivalent
   (boundaries, places, kernel density, Gi*, emerging hotspots, event points)
   are timed without one; each combination is the first call of the layers
   that depend on the filters, so their per-process caches do not help
   (boundaries and places, which do not, are built on the first combination
   only). RSS (current and peak) is read from /proc at the end.

SQLite goes to OBS_DATA_DIR=/tmp/bench-dash/<size> (``--data-root``); PostgreSQL to the
database obs_bench_dash_<size> on 127.0.0.1 (``--pg-db``; created here; dropped at the end
unless --keep). ``--time-only`` reuses the loaded databases of both backends.
One combination in five asks for nights (20:00–06:00) and, since 2026-12-07, about one in seven for some
weekdays (drawn from a generator of their own, so the other filters are those of earlier runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 25)
COMBOS = 20
ENDPOINTS = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas")
# Map layers as the map page fetches them; only the choropleth has a GROUP BY equivalent.
MAP_LAYERS = ("coropletico-count", "limites-uv", "lugares", "eventos", "gi", "densidad", "emergentes")
MAP_BASELINE = {"coropletico-count": "areas"}
PG_URL = "postgres://postgres@127.0.0.1:5432/obs_bench_dash_{size}"
COLUMNS = ("source_id", "batch_id", "external_id", "category_id", "original_label", "occurred_on", "occurred_time",
           "lon", "lat", "precision", "address", "area_id", "outside", "victim_sex", "victim_age_group",
           "victim_nationality", "victim_key", "offender_sex", "offender_age_group", "offender_nationality",
           "offender_key", "original", "attributes", "content_hash")


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def _rss_mb() -> tuple[float, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


# --- phase 1: load ----------------------------------------------------------------------------------------------


def load(n_events: int) -> dict:
    _setup_django()
    import numpy as np
    import pandas as pd
    from django.core.management import call_command
    from django.db import connection, transaction

    from observatorio.demo.load import run_demo
    from observatorio.demo.scenario import build_scenario
    from observatorio.records import snapshot
    from observatorio.records.models import Category, Event, ImportBatch, Source
    from observatorio.territory.models import Area

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    run_demo("13122", seed=1, years=3, as_of=AS_OF, n_events=500, show_progress=False)
    Event.objects.all().delete()
    scenario = build_scenario("13122", seed=1, years=3, as_of=AS_OF, n_events=n_events)
    t_build = time.perf_counter() - t0
    area_ids = dict(Area.objects.values_list("code", "id"))
    category_ids = dict(Category.objects.values_list("code", "id"))
    source_ids = dict(Source.objects.values_list("code", "id"))
    batch_ids = {s: ImportBatch.objects.filter(source_id=i).values_list("id", flat=True).first()
                 for s, i in source_ids.items()}
    t1 = time.perf_counter()
    total = 0
    with transaction.atomic():
        for code, frame in scenario.events.items():
            n = len(frame)
            out = pd.DataFrame({
                "source_id": np.full(n, source_ids[code]),
                "batch_id": np.full(n, batch_ids[code]),
                "external_id": "",
                "category_id": frame["category"].map(category_ids).astype("Int64"),
                "original_label": frame["label"].astype(str),
                "occurred_on": frame["occurred_on"].dt.strftime("%Y-%m-%d"),
                "occurred_time": (frame["hour"].astype(int).map("{:02d}".format) + ":"
                                  + frame["minute"].astype(int).map("{:02d}".format) + ":00"),
                "lon": frame["lon"], "lat": frame["lat"], "precision": frame["precision"].astype(str),
                "address": "", "area_id": frame["area_code"].map(area_ids).astype("Int64"),
                "outside": frame["outside"].astype(bool),
            })
            for col in COLUMNS[13:21]:
                out[col] = ""
            out["original"] = "{}"
            out["attributes"] = "{}"
            out["content_hash"] = ""
            _write(connection, out[list(COLUMNS)])
            total += n
        snapshot.bump()
    t_insert = time.perf_counter() - t1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE records_event")
        else:
            cursor.execute("ANALYZE")
    return {"events": total, "build_s": round(t_build, 1), "insert_s": round(t_insert, 1)}


def _write(connection, frame) -> None:
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        cols = ", ".join(COLUMNS)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY records_event ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                buffer.seek(0)
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
        return
    columns = []
    for name in COLUMNS:
        col = frame[name]
        columns.append(col.astype(object).where(col.notna(), None).tolist() if col.hasnans else col.tolist())
    rows = list(zip(*columns))
    marks = ", ".join("?" for _ in COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO records_event ({', '.join(COLUMNS)}) VALUES ({marks})", rows)


# --- phase 2: time ----------------------------------------------------------------------------------------------


def combos(rng, measures, families, levels, areas, n: int) -> list[dict]:
    import numpy as np

    out = []
    # Weekdays come from a generator of their own, so the other filters stay the combinations of earlier runs.
    days_rng = np.random.default_rng(20261207)
    periods = ["7d", "28d", "last-month", "mtd", "ytd", "12m", "year", "custom"]
    for _ in range(n):
        q: dict = {"period": periods[int(rng.integers(len(periods)))]}
        if q["period"] == "custom":
            days = int(rng.integers(7, 3 * 365))
            end = AS_OF - dt.timedelta(days=int(rng.integers(0, 365)))
            q["start"], q["end"] = (end - dt.timedelta(days=days)).isoformat(), end.isoformat()
        if q["period"] == "year":
            q["year"] = str(AS_OF.year - int(rng.integers(0, 3)))
        q["measure"] = measures[int(rng.integers(len(measures)))]
        if rng.random() < 0.2:
            # Nights: the cube cannot answer time filters, so these are row scans.
            q["hour_from"], q["hour_to"] = "20", "6"
        if days_rng.random() < 0.15:
            # Some weekdays (since 2026-12-07): like nights, a filter the cube's cells do not hold.
            q["weekday"] = [str(d) for d in sorted(days_rng.choice(7, size=int(days_rng.integers(1, 6)),
                                                                   replace=False))]
        if rng.random() < 0.4:
            q["family"] = list(rng.choice(families, size=int(rng.integers(1, 3)), replace=False))
        q["level"] = levels[int(rng.integers(len(levels)))]
        if rng.random() < 0.3:
            q["area"] = [str(a) for a in rng.choice(areas, size=int(rng.integers(1, 4)), replace=False)]
        out.append(q)
    return out


def _baseline(name: str, f, index):
    """The same question as one plain ORM GROUP BY (or COUNT) over records_event."""
    from django.db.models import Count, Q
    from django.db.models.functions import ExtractHour, ExtractWeekDay

    from observatorio.records.models import Event

    def qs(start, end):
        q = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
        if f.sources:
            q = q.filter(source_id__in=f.sources)
        if f.categories:
            q = q.filter(category_id__in=f.categories)
        if f.areas:
            wanted = set()
            for a in f.areas:
                wanted |= index.descendants_or_self(a)
            q = q.filter(area_id__in=wanted)
        if f.hours is not None:
            start, stop = f.hours
            hour = ExtractHour("occurred_time")
            q = q.annotate(hour=hour).filter(occurred_time__isnull=False)
            q = q.filter(hour__gte=start, hour__lt=stop) if stop > start else q.filter(
                Q(hour__gte=start) | Q(hour__lt=stop))
        if f.weekdays:
            # Django's week_day counts from Sunday = 1; the filters' from Monday = 0.
            q = q.filter(occurred_on__week_day__in=[(d + 1) % 7 + 1 for d in f.weekdays])
        return q

    base = qs(f.start, f.end)
    if name == "resumen":
        prev, last = f.previous(), f.last_year()
        return [base.count(), qs(prev.start, prev.end).count(), qs(last.start, last.end).count()]
    if name == "tendencia":
        return list(base.values("occurred_on").annotate(n=Count("id")).order_by())
    if name == "categorias":
        return list(base.values("category_id").annotate(n=Count("id")).order_by())
    if name == "familias":
        return list(base.values("category__parent_id").annotate(n=Count("id")).order_by())
    if name == "horas":
        return list(base.filter(occurred_time__isnull=False)
                    .annotate(h=ExtractHour("occurred_time"), d=ExtractWeekDay("occurred_on"))
                    .values("h", "d").annotate(n=Count("id")).order_by())
    return list(base.values("area_id").annotate(n=Count("id")).order_by())  # areas, top-areas


def _check(name: str, payload, answer, url: str) -> None:
    """The GROUP BY and the engine must agree, or the timing compares different questions."""
    if name == "resumen":
        got = [payload.count, payload.previous.count, payload.last_year.count]
        total, expected_total = got, answer
    elif name == "tendencia":
        total, expected_total = int(payload.counts.sum()), sum(r["n"] for r in answer)
    elif name in ("categorias", "familias"):
        total, expected_total = sum(payload.counts), sum(r["n"] for r in answer)
        if name == "categorias":
            got = dict(zip(payload.ids, payload.counts))
            expected = {(-1 if r["category_id"] is None else r["category_id"]): r["n"] for r in answer}
            if got != expected:
                raise SystemExit(f"{url}: categories differ from GROUP BY: {got} != {expected}")
    elif name == "horas":
        total, expected_total = int(payload.matrix.sum()), sum(r["n"] for r in answer)
    else:
        total = sum(r.count for r in payload.rows) + payload.unplaced
        expected_total = sum(r["n"] for r in answer)
    if total != expected_total:
        raise SystemExit(f"{url}: engine {total} != GROUP BY {expected_total}")


def _check_map(figs, answer, index, level: str, url: str) -> None:
    """The choropleth's counts per area of its level against the GROUP BY per finest area, lifted here."""
    expected: dict[int, int] = {}
    for r in answer:
        if r["area_id"] is None:
            continue
        top = int(index.lift([r["area_id"]], level)[0])
        if top >= 0:
            expected[top] = expected.get(top, 0) + r["n"]
    got = {a: int(c) for a, c in zip(figs.ids, figs.counts) if c}
    if got != expected:
        raise SystemExit(f"{url}: choropleth counts differ from GROUP BY: {got} != {expected}")


def _server_ms(response) -> float:
    """The app;dur= entry of the Server-Timing header (observatorio.timing), in ms."""
    for entry in response["Server-Timing"].split(","):
        name, _sep, dur = entry.strip().partition(";dur=")
        if name == "app":
            return float(dur)
    raise SystemExit(f"no app entry in Server-Timing: {response['Server-Timing']!r}")


def _summary(times, server, engine_times, base_times, cpu=()) -> dict:
    import numpy as np

    ms, server_ms = np.array(times) * 1000, np.array(server)
    base_ms = np.array(base_times) * 1000
    n = len(base_times)

    def speedup(against):
        return round(float(np.median(base_ms / against[:n])), 1) if n else None

    out = {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2),
           "max_ms": round(float(ms.max()), 1),
           "server_p50_ms": round(float(np.percentile(server_ms, 50)), 2),
           "server_p95_ms": round(float(np.percentile(server_ms, 95)), 2),
           **({"cpu_p50_ms": round(float(np.percentile(np.array(cpu) * 1000, 50)), 2),
               "cpu_p95_ms": round(float(np.percentile(np.array(cpu) * 1000, 95)), 2)} if len(cpu) else {}),
           "groupby_p50_ms": round(float(np.median(base_ms)), 1) if n else None,
           "request_speedup_x": speedup(ms), "server_speedup_x": speedup(server_ms)}
    if engine_times:
        engine_ms = np.array(engine_times) * 1000
        out.update({"engine_p50_ms": round(float(np.percentile(engine_ms, 50)), 2),
                    "engine_p95_ms": round(float(np.percentile(engine_ms, 95)), 2), "speedup_x": speedup(engine_ms)})
    return out


def timing(n_baseline: int, interleave: bool = False) -> dict:
    _setup_django()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.test import Client

    from observatorio import state as data_state
    from observatorio.dashboard.cube import cube_of
    from observatorio.dashboard.filters import parse_filters
    from observatorio.records.models import Category, Measure, MeasureKind

    rss_before, _ = _rss_mb()
    t0 = time.perf_counter()
    state = data_state.current()  # from the column files when an earlier run wrote them
    load_s = time.perf_counter() - t0
    snap, index = state.events, state.index
    t0 = time.perf_counter()
    cube = cube_of(state)
    cube_s = time.perf_counter() - t0
    from observatorio.dashboard.layers.base import placed, territory

    # The map's per-event grid cells, built once per state like the cube (the first map request after a
    # data change pays it); timed here so that the layers' figures are per request.
    t0 = time.perf_counter()
    placement = placed(state, territory(state, state.as_of))
    place_s = time.perf_counter() - t0
    rng = np.random.default_rng(20261125)
    measures = sorted(Measure.objects.filter(kind=MeasureKind.COUNT, sources__events__isnull=False).distinct()
                      .values_list("code", flat=True))
    families = sorted(Category.objects.filter(parent__isnull=True).values_list("code", flat=True))
    areas = sorted(index.areas)
    queries = combos(rng, measures, families, index.levels(), areas, COMBOS)
    client = Client()
    analyst = get_user_model().objects.get(username="analista")
    client.force_login(analyst)
    # Warm-up as a server's process has it before its first request: what serve's start (and serve --prod's
    # master, before forking) pays once, then one request for the first query plans and the session.
    from observatorio.commands.startup import ready_for_requests

    ready_for_requests()
    client.get("/tablero/datos/resumen.json")
    from urllib.parse import urlencode

    from django.http import QueryDict
    from django.test import RequestFactory

    from observatorio.dashboard.board import DATASETS, build_context
    from observatorio.dashboard.engine import area_counts
    from observatorio.dashboard.layers.choropleth import area_figures

    factory = RequestFactory()
    cpu_times: dict[str, list] = {}

    def timed_get(url: str, times: list, server: list) -> None:
        # Also the thread's CPU time of the whole request (test client included; PostgreSQL's own work not):
        # on a busy machine the wall and server times count the waits for a core, this does not.
        t, c = time.perf_counter(), time.thread_time()
        response = client.get(url)
        times.append(time.perf_counter() - t)
        cpu_times.setdefault(id(times), []).append(time.thread_time() - c)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
        server.append(_server_ms(response))

    def phases(steps: list) -> None:
        """Run each combination's steps: one kind at a time (requests, engine, GROUP BY) or, with
        --interleave, all of one combination before the next."""
        n = len(queries)
        order = ([(k, step) for k in range(n) for step in steps] if interleave
                 else [(k, step) for step in steps for k in range(n)])
        for k, step in order:
            step(k)

    results = {}
    for name in ENDPOINTS:
        urls = [f"/tablero/datos/{name}.json?{urlencode(q, doseq=True)}" for q in queries]
        times, server, base_times, engine_times, payloads = [], [], [], [], {}

        def engine_step(k, name=name, urls=urls, engine_times=engine_times, payloads=payloads):
            request = factory.get(urls[k])
            request.user = analyst  # the disclosure policy reads who asks: without a user, an aggregate reader
            ctx, _errors = build_context(request, state)
            t = time.perf_counter()
            payloads[k] = DATASETS[name].compute(ctx)
            engine_times.append(time.perf_counter() - t)

        def baseline_step(k, name=name, urls=urls, base_times=base_times, payloads=payloads):
            if k >= n_baseline:
                return
            f, _errors = parse_filters(QueryDict(urlencode(queries[k], doseq=True)), state)
            t = time.perf_counter()
            answer = _baseline(name, f, index)
            base_times.append(time.perf_counter() - t)
            _check(name, payloads[k], answer, urls[k])

        phases([lambda k, urls=urls, times=times, server=server: timed_get(urls[k], times, server),
                engine_step, baseline_step])
        results[name] = _summary(times, server, engine_times, base_times, cpu_times.get(id(times), ()))
    map_results = {}
    for key in MAP_LAYERS:
        urls = [f"/mapa/capa/{key}.json?{urlencode(q, doseq=True)}" for q in queries]
        times, server, base_times, engine_times = [], [], [], []

        def map_question(k):
            f, _errors = parse_filters(QueryDict(urlencode(queries[k], doseq=True)), state)
            terr = territory(state, f.end)
            return f, (f.level if f.level in terr.shapes else next(iter(terr.shapes)))

        def map_engine_step(k, engine_times=engine_times):
            f, level = map_question(k)
            t = time.perf_counter()
            area_counts(state, f, level)
            engine_times.append(time.perf_counter() - t)

        def map_baseline_step(k, key=key, urls=urls, base_times=base_times):
            if k >= n_baseline:
                return
            f, level = map_question(k)
            t = time.perf_counter()
            answer = _baseline(MAP_BASELINE[key], f, index)
            base_times.append(time.perf_counter() - t)
            _check_map(area_figures(state, f, level), answer, index, level, urls[k])

        steps = [lambda k, urls=urls, times=times, server=server: timed_get(urls[k], times, server)]
        if key in MAP_BASELINE:
            steps += [map_engine_step, map_baseline_step]
        phases(steps)
        map_results[key] = _summary(times, server, engine_times, base_times, cpu_times.get(id(times), ()))
    rss, peak = _rss_mb()
    return {"snapshot_load_s": round(load_s, 2), "snapshot_mb": round(snap.nbytes / 2**20, 1),
            "cube_build_s": round(cube_s, 2), "cube_mb": round(cube.nbytes / 2**20, 1) if cube else None,
            "cube_cells": cube.cells if cube else None,
            "placement_build_s": round(place_s, 2), "placement_mb": round(placement.nbytes / 2**20, 1),
            "events": snap.size, "rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1),
            "rss_before_snapshot_mb": round(rss_before, 1), "endpoints": results, "map_layers": map_results}


# --- driver -----------------------------------------------------------------------------------------------------


def _env(backend: str, size: int, pg_url: str = PG_URL, data_root: str = "/tmp/bench-dash") -> dict:
    """The environment of a child process: its PostgreSQL database or its SQLite folder for `size` events."""
    env = dict(os.environ)
    if backend == "postgres":
        env["OBS_DATABASE_URL"] = pg_url.format(size=size)
        env.pop("OBS_DATA_DIR", None)
    else:
        env.pop("OBS_DATABASE_URL", None)
        env["OBS_DATA_DIR"] = f"{data_root}/{size}"
    return env


def _child(phase: str, backend: str, size: int, extra: list[str], pg_url: str = PG_URL,
           data_root: str = "/tmp/bench-dash") -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--n", str(size), *extra]
    done = subprocess.run(cmd, env=_env(backend, size, pg_url, data_root), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{phase} {backend} {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--baseline", type=int, default=COMBOS, help="combinations also timed as GROUP BY")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--interleave", action="store_true",
                        help="time each combination's request, engine and GROUP BY in turn (default: all requests, "
                             "then all engine runs, then all GROUP BYs, per endpoint)")
    parser.add_argument("--time-only", action="store_true", help="reuse the loaded scratch database (SQLite)")
    parser.add_argument("--data-root", default="/tmp/bench-dash", help="SQLite folders go to DATA_ROOT/<size>")
    parser.add_argument("--pg-db", default="obs_bench_dash_{size}", help="PostgreSQL database name ({size} filled in)")
    parser.add_argument("--phase", choices=["load", "time"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "load":
        print(json.dumps(load(args.n)))
        return 0
    if args.phase == "time":
        print(json.dumps(timing(args.baseline, args.interleave)))
        return 0
    report = []
    pg_url = PG_URL.replace("obs_bench_dash_{size}", args.pg_db)
    for backend in args.backend:
        for size in args.sizes:
            if args.time_only:
                loaded = {}
            elif backend == "postgres":
                db = args.pg_db.format(size=size)
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
            else:
                path = Path(f"{args.data_root}/{size}")
                if path.exists():
                    subprocess.run(["rm", "-rf", str(path)], check=True)
                path.mkdir(parents=True)
            if not args.time_only:
                loaded = _child("load", backend, size, [], pg_url, args.data_root)
            print(f"[{backend} {size:,}] loaded {loaded}", flush=True)
            timed = _child("time", backend, size,
                           ["--baseline", str(args.baseline), *(["--interleave"] if args.interleave else [])],
                           pg_url, args.data_root)
            row = {"backend": backend, "size": size, **loaded, **timed}
            report.append(row)
            print(json.dumps(row, indent=1), flush=True)
            if not args.keep and not args.time_only and backend == "postgres":
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                                args.pg_db.format(size=size)])
    print("\n| backend | events | endpoint | wall p50 / p95 ms | server p50 / p95 ms | request CPU p50 / p95 ms "
          "| engine p50 / p95 ms | GROUP BY p50 ms | speed-up: engine | wall | server |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in report:
        for group in ("endpoints", "map_layers"):
            for name, r in row[group].items():
                label = name if group == "endpoints" else f"mapa/{name}"
                engine = f"{r['engine_p50_ms']} / {r['engine_p95_ms']}" if "engine_p50_ms" in r else "—"

                def x(v):
                    return "—" if v is None else f"{v}×"

                print(f"| {row['backend']} | {row['size']:,} | {label} | {r['p50_ms']} / {r['p95_ms']} | "
                      f"{r['server_p50_ms']} / {r['server_p95_ms']} | {r.get('cpu_p50_ms')} / {r.get('cpu_p95_ms')} "
                      f"| {engine} | {r['groupby_p50_ms'] or '—'} | "
                      f"{x(r.get('speedup_x'))} | {x(r['request_speedup_x'])} | {x(r['server_speedup_x'])} |")
    print("\n| backend | events | snapshot load s | cube build s | map cells build s | snapshot MB | cube MB "
          "| map cells MB | cells | RSS MB | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in report:
        print(f"| {row['backend']} | {row['size']:,} | {row['snapshot_load_s']} | {row['cube_build_s']} | "
              f"{row['placement_build_s']} | {row['snapshot_mb']} | {row['cube_mb']} | {row['placement_mb']} | "
              f"{row['cube_cells']} | {row['rss_mb']} | {row['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
