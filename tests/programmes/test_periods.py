"""Periods of an indicator: their bounds, labels, the one containing a day, and when a measurement is due."""

from __future__ import annotations

import datetime as dt

import pytest

from observatorio.errors import UserError
from observatorio.programmes.periods import Period, due, parse, period_containing, periods_of


def test_each_periodicity_cuts_the_year_into_whole_periods():
    months = periods_of("mensual", 2024)
    assert len(months) == 12 and months[1] == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert [p.label() for p in periods_of("trimestral", 2025)] == ["T1 2025", "T2 2025", "T3 2025", "T4 2025"]
    assert periods_of("semestral", 2025)[1] == Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert periods_of("anual", 2025) == [Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))]
    assert sum(p.days for p in periods_of("mensual", 2025)) == 365


def test_labels_in_spanish_and_english():
    p = period_containing("mensual", dt.date(2025, 9, 30))
    assert (p.label(), p.label("en")) == ("sept 2025", "Sep 2025")
    assert period_containing("semestral", dt.date(2025, 7, 1)).label("en") == "H2 2025"
    assert Period(dt.date(2025, 1, 5), dt.date(2025, 2, 4)).label() == "05-01-2025 – 04-02-2025"


def test_period_containing_and_previous_cross_the_year():
    q = period_containing("trimestral", dt.date(2025, 1, 1))
    assert q == Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert q.previous() == Period(dt.date(2024, 10, 1), dt.date(2024, 12, 31))


def test_due_is_the_last_day_on_time():
    assert due(Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31)), 15) == dt.date(2026, 1, 15)
    assert due(Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31)), 0) == dt.date(2025, 12, 31)


def test_parse_labels_and_dates_and_refuse_the_rest():
    assert parse("T3 2025", "trimestral") == period_containing("trimestral", dt.date(2025, 8, 1))
    assert parse("ene 2026", "mensual") == period_containing("mensual", dt.date(2026, 1, 1))
    assert parse("15-03-2025", "mensual").label() == "mar 2025"
    with pytest.raises(UserError, match="no es un período"):
        parse("marzo", "mensual")
    with pytest.raises(UserError, match="periodicidad"):
        periods_of("semanal", 2025)
