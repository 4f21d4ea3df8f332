"""A built report's table cells, for the tests that check a public version withholds small counts."""

from __future__ import annotations

import re


def cells(report) -> list[str]:
    """Every cell of every table of ``report`` (a reports.document.Report)."""
    return [c for t in report.tables for row in t.rows for c in row]


def small_counts(report) -> list[str]:
    """The cells 1 to 4 past each row's first (its name): the counts a public version must withhold."""
    return [c for t in report.tables for row in t.rows for c in row[1:] if re.fullmatch(r"[1-4]", c)]
