"""Readings: value, interval and traffic light at the target's boundary, late flags, targets, the XmR chart."""

from __future__ import annotations

import datetime as dt

import pytest

from observatorio.analysis.indicator import Status, Trend
from observatorio.programmes import entry, readings
from observatorio.programmes.models import Target
from observatorio.programmes.periods import periods_of

from .conftest import make_indicator, month


def target(ind, period, value, area=None):
    Target.objects.create(indicator=ind, period_start=period.start, period_end=period.end, value=value, area=area)


def test_rounding_never_changes_a_colour(people):
    ind = make_indicator(people["unit"], code="pct", numerator="ingresado", denominator="ingresado", factor=100)
    jan, feb, mar = month(2025, 1), month(2025, 2), month(2025, 3)
    for p, (num, den) in ((jan, (7996, 10000)), (feb, (8, 10)), (mar, (8001, 10000))):
        target(ind, p, 80)
        entry.enter(ind, p, None, num, den, user=people["mario"])
    got = readings.series(ind, year=2025, today=dt.date(2025, 4, 20))
    assert [r.status for r in got[:3]] == [Status.NOT_MET, Status.MEETS, Status.MEETS]
    assert got[0].value == pytest.approx(79.96) and got[0].target == 80
    assert got[3].status == Status.NOT_ENOUGH_DATA and got[3].value is None


def test_proportion_uses_wilson_and_an_interval_across_the_target_is_uncertain(people):
    ind = make_indicator(people["unit"], code="wilson", numerator="ingresado", denominator="ingresado",
                         kind="proportion", factor=100)
    jan = month(2025, 1)
    target(ind, jan, 30)
    entry.enter(ind, jan, None, 81, 263, user=people["mario"])
    r = readings.series(ind, year=2025, today=dt.date(2025, 1, 31))[0]
    assert (round(r.lower, 2), round(r.upper, 2)) == (25.53, 36.62)  # Wilson 95 %, as analysis.indicator's doctest
    assert r.status == Status.UNCERTAIN


def test_no_target_and_trend(people):
    ind = make_indicator(people["unit"], code="rate", numerator="ingresado", denominator="ingresado", kind="rate",
                         factor=10000, polarity="lower_is_better")
    entry.enter(ind, month(2025, 1), None, 30, 10000, user=people["mario"])
    entry.enter(ind, month(2025, 2), None, 60, 10000, user=people["mario"])
    jan, feb = readings.series(ind, year=2025, today=dt.date(2025, 3, 1))[:2]
    assert jan.status == Status.NO_TARGET and jan.trend == Trend.NOT_TESTABLE
    assert feb.trend == Trend.WORSENING


def test_late_after_the_due_day_only_for_entered_indicators(people):
    ind = make_indicator(people["unit"], code="late", late_after_days=15)
    jan = month(2025, 1)
    on_time = readings.series(ind, year=2025, today=dt.date(2025, 2, 15))[0]
    late = readings.series(ind, year=2025, today=dt.date(2025, 2, 16))[0]
    assert (on_time.late, late.late) == (False, True)
    entry.enter(ind, jan, None, 3, None, user=people["mario"])
    assert readings.series(ind, year=2025, today=dt.date(2025, 2, 16))[0].late is False
    computed = make_indicator(people["unit"], code="never-late", numerator="actividades")
    assert computed.computed and readings.is_late(computed, jan, None, dt.date(2026, 1, 1)) is False


def test_area_takes_the_comuna_target_only_for_ratios(people):
    from observatorio.territory.models import Area

    area = Area.objects.create(code="uv-x", name="UV X", level="uv")
    ratio = make_indicator(people["unit"], code="ratio", denominator="ingresado", factor=100)
    count = make_indicator(people["unit"], code="count")
    jan = month(2025, 1)
    target(ratio, jan, 50)
    target(count, jan, 50)
    assert readings.target_for(ratio, jan, area) == 50 and readings.target_for(count, jan, area) is None
    target(count, jan, 7, area)
    assert readings.target_for(count, jan, area) == 7


def test_control_chart_needs_twelve_points_and_finds_the_special_cause(people):
    ind = make_indicator(people["unit"], code="xmr")
    values = [10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 11, 16]
    months = periods_of("mensual", 2024) + periods_of("mensual", 2025)
    for p, v in zip(months[:11], values):
        entry.enter(ind, p, None, v, None, user=people["mario"])
    assert readings.control_chart(ind) is None
    for p, v in zip(months[11:13], values[11:]):
        entry.enter(ind, p, None, v, None, user=people["mario"])
    chart = readings.control_chart(ind)
    assert round(chart.upper, 3) == 15.127 and chart.signals[-1]  # the worked example of analysis.xmr
    assert readings.latest(ind, today=dt.date(2025, 2, 10)).value == 16
