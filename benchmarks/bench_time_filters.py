"""The dashboard engine alone on the questions its cube's cells cannot hold: hours of the night, weekdays.

Run:  PYTHONPATH=<checkout> OBS_DATA_DIR=<folder of bench_dashboard.py> .venv/bin/python benchmarks/bench_time_filters.py

The code timed is the checkout on PYTHONPATH (the script does not put its own
folder first), so two checkouts can be timed on the same data, one after the
other, with the same questions: ``--rounds`` rounds of ``--combos`` seeded
filter combinations, every one with a time filter (nights 20:00–06:00,
some weekdays, or both) beside the usual period, measure, families and areas
of bench_dashboard.py. Per figure of a page load (headline, trend,
categories, families, hour × weekday, areas) the engine's time per call, p50 /
p95 / max in ms, wall and CPU (the thread's own time: on a busy machine the
wall time also counts the waits for a core, the CPU time much less so), and a
digest of the answers, which must be equal between checkouts. The state and its cube are loaded (and timed) first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

AS_OF = "2026-11-25"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--combos", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    import django

    django.setup()
    from urllib.parse import urlencode

    import numpy as np
    from django.http import QueryDict

    from observatorio import state as data_state
    from observatorio.dashboard import engine
    from observatorio.dashboard.cube import cube_of
    from observatorio.dashboard.filters import parse_filters
    from observatorio.records.models import Category, Measure, MeasureKind

    t0 = time.perf_counter()
    state = data_state.current()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cube = cube_of(state)
    cube_s = time.perf_counter() - t0
    rng = np.random.default_rng(20261207)
    measures = sorted(Measure.objects.filter(kind=MeasureKind.COUNT, sources__events__isnull=False).distinct()
                      .values_list("code", flat=True))
    families = sorted(Category.objects.filter(parent__isnull=True).values_list("code", flat=True))
    areas = sorted(state.index.areas)
    periods = ["7d", "28d", "last-month", "mtd", "ytd", "12m", "year"]
    filters = []
    for k in range(args.combos):
        q = {"period": periods[int(rng.integers(len(periods)))], "measure": measures[int(rng.integers(len(measures)))],
             "level": "uv"}
        if q["period"] == "year":
            q["year"] = str(2026 - int(rng.integers(0, 3)))
        if k % 3 != 1:
            q["hour_from"], q["hour_to"] = "20", "6"
        if k % 3 != 0:
            q["weekday"] = [str(d) for d in sorted(rng.choice(7, size=int(rng.integers(1, 6)), replace=False))]
        if rng.random() < 0.4:
            q["family"] = list(rng.choice(families, size=int(rng.integers(1, 3)), replace=False))
        if rng.random() < 0.3:
            q["area"] = [str(a) for a in rng.choice(areas, size=int(rng.integers(1, 4)), replace=False)]
        f, errors = parse_filters(QueryDict(urlencode(q, doseq=True)), state)
        if errors:
            raise SystemExit(f"{q}: {errors}")
        filters.append(f)
    figures = {"headline": engine.headline, "trend": engine.trend, "categorias": engine.by_category,
               "familias": engine.by_family, "horas": engine.hour_weekday, "areas": engine.by_area}
    times = {name: [] for name in figures}
    cpu = {name: [] for name in figures}
    digest = hashlib.sha256()
    for r in range(args.rounds):
        for name, compute in figures.items():
            for f in filters:
                engine._poisson_p.cache_clear()  # every headline pays its tests, as a new combination does
                t, c = time.perf_counter(), time.thread_time()
                answer = compute(state, f)
                times[name].append(time.perf_counter() - t)
                cpu[name].append(time.thread_time() - c)
                if r == 0:
                    digest.update(repr(answer).encode())
    out = {"events": state.events.size, "snapshot_load_s": round(load_s, 2), "cube_build_s": round(cube_s, 2),
           "cube_mb": round(cube.nbytes / 2**20, 1) if cube else None, "cells": cube.cells if cube else None,
           "answers_sha256": digest.hexdigest()[:16]}
    for name, values in times.items():
        ms, cpu_ms = np.array(values) * 1000, np.array(cpu[name]) * 1000
        out[name] = (f"wall {np.percentile(ms, 50):.2f} / {np.percentile(ms, 95):.2f} / {ms.max():.1f}, "
                     f"cpu {np.percentile(cpu_ms, 50):.2f} / {np.percentile(cpu_ms, 95):.2f} / {cpu_ms.max():.1f}")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
