"""Time a report on the demo: build (counting), render PDF, render HTML, and generate() end to end.

Run (a database with the demo loaded, e.g. ``observatorio demo`` into a scratch OBS_DATA_DIR):

    OBS_DATA_DIR=/tmp/obs-bench .venv/bin/python benchmarks/bench_reports.py [--month 2026-11] [--repeat 3]
    OBS_DATA_DIR=/tmp/obs-bench .venv/bin/python benchmarks/bench_reports.py --kind diagnostico [--year 2025]
    OBS_DATA_DIR=/tmp/obs-bench .venv/bin/python benchmarks/bench_reports.py --kind programas [--year 2025]

    OBS_DATA_DIR=/tmp/obs-bench .venv/bin/python benchmarks/bench_reports.py --thematic all

The bulletin (``boletin``, default) is timed for a month; the communal diagnosis (``diagnostico``) for a
calendar year (default: the last complete year of the data); the programme evaluation (``programas``, needs the
demo's programmes: ``observatorio demo`` loads them) likewise for a year. ``--thematic`` (``all`` or a
comma-separated list of vif, drogas, espacios, perfiles, derechos) then times each thematic report over the year
before the data's last: build, render PDF, generate() end to end and its public version, and whether two PDFs are
equal.

The first generate() also loads the data state (the events' snapshot), as the first report after a server
start would; it is reported apart. Then each step is timed ``--repeat`` times and the median printed, and the
two PDFs' SHA-256 compared (they must be equal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


THEMATIC = ("vif", "drogas", "espacios", "perfiles", "derechos")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the last full month of the data)")
    parser.add_argument("--kind", default="boletin", choices=("boletin", "diagnostico", "programas"))
    parser.add_argument("--year", type=int, default=None, help="the diagnosis' or programme evaluation's year (default: the last complete one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thematic", default="", help="'all' or comma-separated thematic kinds (default: none)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    import django

    django.setup()
    from observatorio.analysis import periods
    from observatorio.reports import runs
    from observatorio.state import current

    t0 = time.perf_counter()
    state = current()
    load = time.perf_counter() - t0
    if args.kind in ("diagnostico", "programas"):
        year = args.year or (state.as_of.year - (0 if state.as_of == dt.date(state.as_of.year, 12, 31) else 1))
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elif args.month:
        start = dt.datetime.strptime(args.month, "%Y-%m").date()
        end = periods.month_end(start.year, start.month)
    else:
        start, end = periods.window("last-month", state.as_of)
    print(f"events: {state.events.size:,}; {args.kind} {start} – {end}; state load {load:.2f} s")

    def timed(fn):
        out = []
        result = None
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = fn()
            out.append(time.perf_counter() - t)
        return statistics.median(out), result

    first = time.perf_counter()
    run = runs.generate(args.kind, start, end, fmt="pdf")
    print(f"first generate (pdf): {time.perf_counter() - first:.2f} s")
    build_s, report = timed(lambda: runs.build(args.kind, start, end))
    pdf_s, _pdf = timed(lambda: runs.render(report, "pdf"))
    html_s, _html = timed(lambda: runs.render(report, "html"))
    gen_s, again = timed(lambda: runs.generate(args.kind, start, end, fmt="pdf"))
    print(f"build {build_s:.2f} s · render pdf {pdf_s:.2f} s · render html {html_s:.2f} s · "
          f"generate pdf {gen_s:.2f} s (median of {args.repeat})")
    print(f"identical PDFs: {run.sha256 == again.sha256}")
    year_start, year_end = dt.date(state.as_of.year - 1, 1, 1), dt.date(state.as_of.year - 1, 12, 31)
    thematic = THEMATIC if args.thematic == "all" else [k for k in args.thematic.split(",") if k]
    for kind in thematic:
        first = time.perf_counter()
        one = runs.generate(kind, year_start, year_end, fmt="pdf")
        cold = time.perf_counter() - first
        build_s, report = timed(lambda kind=kind: runs.build(kind, year_start, year_end))
        pdf_s, _pdf = timed(lambda report=report: runs.render(report, "pdf"))
        gen_s, two = timed(lambda kind=kind: runs.generate(kind, year_start, year_end, fmt="pdf"))
        pub_s, _pub = timed(lambda kind=kind: runs.generate(kind, year_start, year_end, fmt="pdf", public=True))
        print(f"{kind} {year_start.year}: first generate {cold:.2f} s · build {build_s:.2f} s · render pdf "
              f"{pdf_s:.2f} s · generate pdf {gen_s:.2f} s · public {pub_s:.2f} s (median of {args.repeat}) · "
              f"{len(report.tables)} tables, {len(report.figures)} figures · identical PDFs: {one.sha256 == two.sha256}")


if __name__ == "__main__":
    main()
