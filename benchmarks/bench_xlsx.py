"""Writing a download as XLSX (`tables.cells.xlsx_bytes`) and, for scale, as CSV, at 10,000 and 100,000 rows.

Run:  PYTHONPATH=<checkout> .venv/bin/python benchmarks/bench_xlsx.py [--rows 10000 100000] [--repeat 3]

The table is the "Writing a download" one of docs/performance.md: ten columns (two texts, one of them
formula-like in every fifth row, two integers, two floats, a date, a date-time, a boolean, a NumPy integer),
seeded. Per size: the best of ``--repeat`` wall times, the time per row and the file's size. No Django.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time


def table(n: int) -> tuple[list, list]:
    import numpy as np

    rng = np.random.default_rng(20261207)
    counts, rates = rng.integers(0, 500, n), rng.random(n) * 100
    start = dt.date(2024, 1, 1)
    headers = ["área", "nota", "casos", "población", "tasa", "cambio", "fecha", "hora", "significativo", "código"]
    rows = []
    for i in range(n):
        rows.append([f"UV {i % 180:03d}", "=HYPERLINK(\"x\")" if i % 5 == 0 else f"texto {i}", int(counts[i]),
                     1000 + i, float(rates[i]), float(rates[i]) - 50.0, start + dt.timedelta(days=i % 900),
                     dt.datetime(2025, 1, 1, 0, 0) + dt.timedelta(minutes=i), bool(i % 2), counts[i]])
    return headers, rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args, _ = parser.parse_known_args()
    from observatorio.tables.cells import csv_text, xlsx_bytes

    about = [("Medida", "Casos"), ("Periodo", "01-01-2024 a 31-12-2025")]
    print(f"{'rows':>8} {'format':<14} {'best s':>8} {'µs/row':>8} {'KiB':>8}")
    for n in args.rows:
        headers, rows = table(n)
        for name, write in (("xlsx", lambda: xlsx_bytes("datos", headers, rows, about)),
                            ("csv excel-cl", lambda: csv_text(headers, rows, excel_chile=True, about=about).encode())):
            times, size = [], 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                size = len(write())
                times.append(time.perf_counter() - t0)
            best = min(times)
            print(f"{n:>8} {name:<14} {best:>8.2f} {best / n * 1e6:>8.1f} {size / 1024:>8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
