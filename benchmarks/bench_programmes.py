"""Time the programmes pages (issue #15) on the demo with its programmes, as an authority and an analyst read them.

Run:  OBS_DATA_DIR=/tmp/bench-programmes .venv/bin/python benchmarks/bench_programmes.py [--repeats 5] [--profile]

The first run on an empty OBS_DATA_DIR migrates SQLite and loads the demo (``observatorio demo --quiet``: its
programmes, 22 indicators, goals of two years); later runs reuse it (or the database of OBS_DATABASE_URL).
In one process, as a server would: the data state is loaded (timed apart), then every page is asked through
Django's test client, signed in as «autoridad» (authority) and as «analista» (analyst): the programme list,
each programme's page, each indicator's page, last year's goals, evaluation, scorecard by quarters and by
areas (and one level down, the first area that has children). Per page and role: the first request (cold: what
a reader meets right after the data moved) and p50 / p95 of the ``--repeats`` that follow. Then
``readings.series`` of every active indicator for last year, first and again. ``--profile`` writes a cProfile
of the scorecard by areas (first request) to /tmp/bench-programmes.prof and prints its top functions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _load_if_empty(folder: Path) -> None:
    if os.environ.get("OBS_DATABASE_URL") or (folder / "observatorio.sqlite3").exists():
        return
    cli = [sys.executable, "-c", "from observatorio.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([*cli, "migrate"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "demo", "--quiet"], check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", default="", help="time only pages whose name contains this")
    args = parser.parse_args()
    folder = Path(os.environ.setdefault("OBS_DATA_DIR", "/tmp/bench-programmes"))
    folder.mkdir(parents=True, exist_ok=True)
    _load_if_empty(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatorio.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from observatorio.programmes import readings
    from observatorio.programmes.models import Goal, Indicator, Programme
    from observatorio.state.holder import current
    from observatorio.territory.models import Area

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    current()
    print(f"data state load: {time.perf_counter() - started:.2f} s")
    year = timezone.localdate().year - 1
    if not Goal.objects.filter(year=year).exists():
        year = Goal.objects.order_by("-year").values_list("year", flat=True).first() or year
    pages = [("list", reverse("programmes:list"))]
    pages += [(f"programme {p.code}", reverse("programmes:programme", args=[p.code]))
              for p in Programme.objects.order_by("code")]
    pages += [(f"indicator {i.code}", reverse("programmes:indicator", args=[i.code]))
              for i in Indicator.objects.filter(active=True).order_by("code")]
    scorecard = reverse("programmes:scorecard", args=[year])
    pages += [("goals", reverse("programmes:goals", args=[year])),
              ("evaluation", reverse("programmes:evaluation", args=[year])),
              ("scorecard by quarters", scorecard), ("scorecard by areas", scorecard + "?por=areas")]
    parent = Area.objects.filter(children__isnull=False, level__in=("distrito", "uv", "sector")).first() or \
        Area.objects.filter(children__isnull=False).exclude(parent__isnull=True).first()
    if parent is not None:
        pages.append((f"scorecard by areas in {parent.code}", f"{scorecard}?por=areas&area={parent.id}"))
    pages = [(n, u) for n, u in pages if args.only in n]
    users = get_user_model().objects
    worst = 0.0
    for role, username in (("authority", "autoridad"), ("analyst", "analista")):
        client = Client()
        client.force_login(users.get(username=username))
        print(f"\n{role} ({username}), year {year}: first request, then p50 / p95 of {args.repeats}")
        for name, url in pages:
            profile = None
            if args.profile and role == "authority" and name == "scorecard by areas":
                import cProfile

                profile = cProfile.Profile()
                profile.enable()
            t0 = time.perf_counter()
            response = client.get(url)
            first = time.perf_counter() - t0
            if profile is not None:
                profile.disable()
                profile.dump_stats("/tmp/bench-programmes.prof")
            assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - t0)
            worst = max(worst, first, *times)
            print(f"  {name:45s} first {first:6.3f} s   p50 {statistics.median(times):6.3f} s   "
                  f"p95 {_quantile(times, 0.95):6.3f} s")
    indicators = list(Indicator.objects.filter(active=True).select_related(
        "numerator_measure", "denominator_measure", "programme"))
    for attempt in ("first", "again"):
        t0 = time.perf_counter()
        for indicator in indicators:
            readings.series(indicator, year=year)
        print(f"readings.series of {len(indicators)} indicators for {year} ({attempt}): "
              f"{time.perf_counter() - t0:.3f} s")
    print(f"slowest request: {worst:.3f} s")
    if args.profile:
        import pstats

        pstats.Stats("/tmp/bench-programmes.prof").sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
