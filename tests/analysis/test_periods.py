"""Calendar periods and their comparison periods, at month, quarter and year edges."""

from __future__ import annotations

import datetime as dt

import pytest

from observatorio.analysis import periods
from observatorio.errors import UserError

D = dt.date


@pytest.mark.parametrize("code, as_of, expected", [
    ("last-month", D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),
    ("last-month", D(2024, 3, 1), (D(2024, 2, 1), D(2024, 2, 29))),  # leap February
    ("last-month", D(2025, 3, 31), (D(2025, 2, 1), D(2025, 2, 28))),
    ("last-quarter", D(2026, 2, 10), (D(2025, 10, 1), D(2025, 12, 31))),
    ("last-quarter", D(2026, 4, 1), (D(2026, 1, 1), D(2026, 3, 31))),
    ("mtd", D(2026, 10, 25), (D(2026, 10, 1), D(2026, 10, 25))),
    ("ytd", D(2026, 10, 25), (D(2026, 1, 1), D(2026, 10, 25))),
    ("12m", D(2026, 11, 25), (D(2025, 11, 1), D(2026, 10, 31))),
    ("12m", D(2026, 1, 3), (D(2025, 1, 1), D(2025, 12, 31))),
    ("7d", D(2026, 3, 2), (D(2026, 2, 24), D(2026, 3, 2))),
    ("28d", D(2026, 3, 2), (D(2026, 2, 3), D(2026, 3, 2))),
])
def test_window(code, as_of, expected):
    assert periods.window(code, as_of) == expected


def test_chosen_month_and_year():
    assert periods.window("month", D(2026, 11, 25), month=D(2024, 2, 17)) == (D(2024, 2, 1), D(2024, 2, 29))
    assert periods.window("year", D(2026, 11, 25), year=2025) == (D(2025, 1, 1), D(2025, 12, 31))
    with pytest.raises(UserError):
        periods.window("month", D(2026, 11, 25))
    with pytest.raises(UserError):
        periods.window("fortnight", D(2026, 11, 25))


@pytest.mark.parametrize("code, window, expected", [
    # October against September, not against "the previous 31 days".
    ("last-month", (D(2026, 10, 1), D(2026, 10, 31)), (D(2026, 9, 1), D(2026, 9, 30))),
    # January against December of the year before.
    ("month", (D(2026, 1, 1), D(2026, 1, 31)), (D(2025, 12, 1), D(2025, 12, 31))),
    # March against a leap February: the whole of February, 29 days.
    ("month", (D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 2, 1), D(2024, 2, 29))),
    ("last-quarter", (D(2026, 1, 1), D(2026, 3, 31)), (D(2025, 10, 1), D(2025, 12, 31))),
    ("year", (D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31))),
    ("12m", (D(2025, 11, 1), D(2026, 10, 31)), (D(2024, 11, 1), D(2025, 10, 31))),
    # Month to date against the same days of the month before, cut at its end (31 March → 1–29 February).
    ("mtd", (D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 2, 1), D(2024, 2, 29))),
    ("mtd", (D(2026, 10, 1), D(2026, 10, 25)), (D(2026, 9, 1), D(2026, 9, 25))),
    # Year to date against the same days a year earlier.
    ("ytd", (D(2024, 1, 1), D(2024, 2, 29)), (D(2023, 1, 1), D(2023, 2, 28))),
    # Rolling and custom windows: the same number of days just before.
    ("28d", (D(2026, 2, 3), D(2026, 3, 2)), (D(2026, 1, 6), D(2026, 2, 2))),
    ("custom", (D(2026, 1, 10), D(2026, 1, 19)), (D(2025, 12, 31), D(2026, 1, 9))),
    # A custom window of whole months moves by whole months.
    ("custom", (D(2026, 1, 1), D(2026, 2, 28)), (D(2025, 11, 1), D(2025, 12, 31))),
])
def test_previous(code, window, expected):
    assert periods.previous(code, *window) == expected


@pytest.mark.parametrize("window, expected", [
    ((D(2024, 2, 1), D(2024, 2, 29)), (D(2023, 2, 1), D(2023, 2, 28))),
    ((D(2025, 2, 1), D(2025, 2, 28)), (D(2024, 2, 1), D(2024, 2, 29))),  # whole months stay whole
    ((D(2024, 2, 29), D(2024, 3, 10)), (D(2023, 2, 28), D(2023, 3, 10))),
    ((D(2026, 1, 1), D(2026, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31))),
])
def test_last_year(window, expected):
    assert periods.last_year(*window) == expected


def test_whole_months():
    assert periods.whole_months(D(2025, 11, 1), D(2026, 10, 31)) == 12
    assert periods.whole_months(D(2024, 2, 1), D(2024, 2, 29)) == 1
    assert periods.whole_months(D(2024, 2, 1), D(2024, 2, 28)) == 0
    assert periods.whole_months(D(2024, 2, 2), D(2024, 2, 29)) == 0
