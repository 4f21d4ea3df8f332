"""Indicator formula, traffic light at its boundaries (rounding included) and trend, against hand-computed cases."""

import pytest

from observatorio.analysis.indicator import (
    Kind,
    Polarity,
    Status,
    Trend,
    assess,
    evaluate,
    interval,
    status,
)
from observatorio.analysis.intervals import poisson_exact, wilson
from observatorio.errors import UserError

UP, DOWN, NONE = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER, Polarity.NONE


@pytest.mark.parametrize(("num", "den", "factor", "want"), [
    (7, 10, 100, 70.0),            # exactly 70, not 70.00000000000001
    (1, 3, 100, 100 / 3),
    (250, 1, 1, 250.0),
    (12, 48_000, 100_000, 25.0),   # 12 events in 48 000 people = 25 per 100 000
    (0, 5, 100, 0.0),
    (3, 0, 100, None),             # division by zero: not enough data
    (None, 10, 100, None),
    (4, None, 100, None),
    (float("nan"), 10, 1, None),
])
def test_formula_by_hand(num, den, factor, want):
    got = evaluate(num, den, factor)
    assert got == (pytest.approx(want) if want is not None else None)


def test_a_zero_factor_is_refused():
    with pytest.raises(UserError, match="factor"):
        evaluate(1, 2, 0)


def test_intervals_are_the_scaled_count_or_proportion_intervals():
    v, lo, hi = interval(3, 2000, factor=1000, kind=Kind.RATE)   # 3 < 10 events: exact
    elo, ehi = poisson_exact(3)
    assert (v, lo, hi) == (1.5, pytest.approx(float(elo) / 2), pytest.approx(float(ehi) / 2))
    v, lo, hi = interval(15, 148, factor=100, kind=Kind.PROPORTION)
    assert (round(lo, 2), round(hi, 2)) == (6.24, 16.05)         # Newcombe (1998a): 0.0624–0.1605
    assert interval(5, 8, factor=2) == (1.25, 1.25, 1.25)         # entered values: no sampling interval
    assert interval(5, 0, kind=Kind.RATE) == (None, None, None)


@pytest.mark.parametrize(("lo", "hi", "target", "polarity", "want"), [
    # higher is better, target 80
    (80.0, 90.0, 80, UP, Status.MEETS),          # lower limit exactly on the target: met
    (79.999999, 90.0, 80, UP, Status.UNCERTAIN),
    (70.0, 80.0, 80, UP, Status.UNCERTAIN),      # upper limit exactly on the target: not conclusive
    (70.0, 79.999999, 80, UP, Status.NOT_MET),
    # lower is better, target 80
    (70.0, 80.0, 80, DOWN, Status.MEETS),
    (70.0, 80.000001, 80, DOWN, Status.UNCERTAIN),
    (80.0, 90.0, 80, DOWN, Status.UNCERTAIN),
    (80.000001, 90.0, 80, DOWN, Status.NOT_MET),
    # no target, no data
    (70.0, 90.0, None, UP, Status.NO_TARGET),
    (70.0, 90.0, float("nan"), DOWN, Status.NO_TARGET),   # an empty cell in a targets table
    (None, None, 80, UP, Status.NOT_ENOUGH_DATA),
    (float("nan"), float("nan"), None, NONE, Status.NOT_ENOUGH_DATA),
])
def test_traffic_light_at_its_boundaries(lo, hi, target, polarity, want):
    assert status(lo, hi, target, polarity) is want


@pytest.mark.parametrize("polarity", [UP, DOWN])
def test_a_value_exactly_on_the_target_meets_it_despite_floating_point(polarity):
    # 7/10 × 100 and 0.1 + 0.2 style noise: the target is met, whichever way is good
    assert assess(7, 10, factor=100, target=70, polarity=polarity).status is Status.MEETS
    assert assess(0.1 + 0.2, 1, target=0.3, polarity=polarity).status is Status.MEETS


def test_rounding_never_changes_a_colour():
    # 79.96 shows as "80,0" with one decimal, but it is below 80: not met when higher is better
    r = assess(7996, 100, target=80, polarity=UP)
    assert f"{r.value:.1f}" == "80.0" and r.status is Status.NOT_MET
    # 80.04 shows as "80,0" too, and meets it
    assert assess(8004, 100, target=80, polarity=UP).status is Status.MEETS
    # 81/263 has a Wilson upper limit of 36.621 %, shown "36,6 %"; a target of 36.625 % is shown "36,6 %" too, yet
    # the whole interval is below it: not met (a display would suggest the interval touches the target)
    upper = float(wilson(81, 263)[1]) * 100
    assert f"{upper:.1f}" == f"{36.625:.1f}" == "36.6"
    assert assess(81, 263, factor=100, kind=Kind.PROPORTION, target=36.625, polarity=UP).status is Status.NOT_MET
    assert assess(81, 263, factor=100, kind=Kind.PROPORTION, target=upper, polarity=UP).status is Status.UNCERTAIN


def test_status_from_the_interval_not_the_bare_value():
    # 12 events in 10 000 people: 120 per 100 000 against a ceiling of 100. The value is above the target but the
    # exact interval (62.0–209.6) contains it: not conclusive, where a bare comparison would say "not met".
    r = assess(12, 10_000, factor=100_000, kind=Kind.RATE, target=100, polarity=DOWN)
    assert r.value == 120.0 and r.lower < 100 < r.upper and r.status is Status.UNCERTAIN
    # the same rate on 100 times the people is conclusive
    assert assess(1200, 1_000_000, factor=100_000, kind=Kind.RATE, target=100, polarity=DOWN).status is Status.NOT_MET


def test_a_target_needs_a_polarity():
    with pytest.raises(UserError, match="polarity"):
        assess(5, 10, target=1, polarity=NONE)
    assert assess(5, 10, polarity=NONE).status is Status.NO_TARGET


@pytest.mark.parametrize(("current", "previous", "kind", "polarity", "want"), [
    ((60, 10_000), (30, 10_000), Kind.RATE, DOWN, Trend.WORSENING),    # exact test p ≈ 0.0052
    ((60, 10_000), (30, 10_000), Kind.RATE, UP, Trend.IMPROVING),
    ((30, 10_000), (60, 10_000), Kind.RATE, NONE, Trend.DECREASING),
    ((30, 5_000), (30, 10_000), Kind.RATE, NONE, Trend.INCREASING),     # same count, half the exposure
    ((33, 10_000), (30, 10_000), Kind.RATE, DOWN, Trend.NO_CHANGE),
    ((56, 70), (48, 80), Kind.PROPORTION, UP, Trend.IMPROVING),         # Newcombe: 0.0524 to 0.3339
    ((5, 56), (0, 29), Kind.PROPORTION, UP, Trend.NO_CHANGE),           # Newcombe: −0.0381 to 0.1926
    ((8, 10), (4, 10), Kind.VALUE, UP, Trend.NOT_TESTABLE),
    ((8, 0), (4, 10), Kind.RATE, UP, Trend.NOT_TESTABLE),
])
def test_trend_is_tested(current, previous, kind, polarity, want):
    r = assess(*current, kind=kind, polarity=polarity, previous=previous)
    assert r.trend is want


def test_significantly_worse_and_getting_worse():
    """PHE's phrase: a rate whose interval is wholly above its ceiling and which rose significantly."""
    r = assess(300, 100_000, factor=100_000, kind=Kind.RATE, polarity=DOWN, target=200, previous=(200, 100_000))
    assert (r.status, r.trend) == (Status.NOT_MET, Trend.WORSENING)
    assert assess(5, 10).trend is None
