"""XmR chart: limits of a worked example by hand, and one hand-built series per special-cause rule."""

from fractions import Fraction

import numpy as np
import pytest

from observatorio.analysis.indicator import Polarity
from observatorio.analysis.xmr import Rule, Variation, xmr
from observatorio.errors import UserError

# A worked example, by hand. Baseline (12 months): 10 12 11 13 12 11 10 12 13 11 12 11
# mean = 138 / 12 = 11.5; moving ranges 2 1 2 1 1 1 2 1 2 1 1, sum 15, mR̄ = 15 / 11;
# no moving range exceeds 3.267 · 15/11 = 4.455, so none is screened out;
# limits 11.5 ± 2.66 · 15/11 = 11.5 ± 3.6273 → 7.8727 and 15.1273; near limits 11.5 ± 2.4182.
BASELINE = [10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 11]


def test_worked_example_limits():
    chart = xmr(BASELINE)
    amr = Fraction(15, 11)
    assert chart.enough and chart.baseline == 12
    assert chart.mean == pytest.approx(11.5)
    assert chart.average_moving_range == pytest.approx(float(amr))
    assert chart.upper == pytest.approx(float(Fraction(23, 2) + Fraction(266, 100) * amr))
    assert chart.lower == pytest.approx(float(Fraction(23, 2) - Fraction(266, 100) * amr))
    assert (round(chart.lower, 4), round(chart.upper, 4)) == (7.8727, 15.1273)
    assert (round(chart.near_lower, 4), round(chart.near_upper, 4)) == (9.0818, 13.9182)
    assert all(not s for s in chart.signals)
    assert set(chart.variation(Polarity.HIGHER_IS_BETTER)) == {Variation.COMMON_CAUSE}


def test_limits_are_fixed_after_the_baseline():
    chart = xmr(BASELINE + [30, 1, 30, 1])
    assert (round(chart.lower, 4), round(chart.upper, 4)) == (7.8727, 15.1273)
    assert [bool(s) for s in chart.signals[12:]] == [True] * 4
    assert all(Rule.OUTSIDE_LIMITS in s for s in chart.signals[12:])


def test_a_large_moving_range_is_screened_out_of_the_average():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40]   # last moving range 30 > 3.267 · mR̄ (57/11)
    assert xmr(values).average_moving_range == pytest.approx(1.0)
    assert xmr(values, screen_outliers=False).average_moving_range == pytest.approx(40 / 11)


def test_fewer_points_than_the_baseline_are_not_enough_data():
    chart = xmr(BASELINE[:11])
    assert not chart.enough and np.isnan(chart.upper) and all(not s for s in chart.signals)
    assert set(chart.variation(Polarity.LOWER_IS_BETTER)) == {Variation.NOT_ENOUGH_DATA}
    short = xmr(BASELINE[:11], allow_short=True)
    assert short.enough and short.baseline == 11
    assert short.mean == pytest.approx(sum(BASELINE[:11]) / 11)


def _flagged(values, rule, **kw):
    return [i for i, s in enumerate(xmr(values, **kw).signals) if rule in s]


def test_shift_of_seven_on_one_side_of_the_mean():
    base = BASELINE
    assert _flagged(base + [12, 12.5, 13, 12, 12, 13, 12.5], Rule.SHIFT) == list(range(12, 19))
    assert _flagged(base + [12, 12.5, 13, 12, 12, 13], Rule.SHIFT) == []      # six is not enough
    assert _flagged(base + [12, 12.5, 13, 11.5, 12, 13, 12.5], Rule.SHIFT) == []  # a point on the mean breaks it
    below = base + [11, 10.5, 11, 11, 10, 11, 11, 10.5]
    assert _flagged(below, Rule.SHIFT) == list(range(11, 20))   # the last baseline point (11) is below too


def test_trend_of_seven_rising_or_falling_points():
    rising = BASELINE + [9.5, 10, 10.5, 11, 11.5, 12, 12.5]
    assert _flagged(rising, Rule.TREND) == list(range(12, 19))
    assert _flagged(BASELINE + [9.5, 10, 10.5, 11, 11.5, 12], Rule.TREND) == []     # six points
    assert _flagged(BASELINE + [13, 12.5, 12, 11.5, 11, 10.5, 10], Rule.TREND) == list(range(12, 19))
    assert _flagged(BASELINE + [9.5, 10, 10, 11, 11.5, 12, 12.5], Rule.TREND) == []  # a tie breaks it
    assert _flagged([1, 2, 3, 4, 5, 6, 7], Rule.TREND, baseline=7) == list(range(7))


def test_two_of_three_beyond_two_thirds_of_the_way_to_a_limit():
    # near upper 13.9182, upper 15.1273
    assert _flagged(BASELINE + [14, 11, 14.5], Rule.TWO_OF_THREE) == [12, 14]
    assert _flagged(BASELINE + [14, 11, 11, 14.5], Rule.TWO_OF_THREE) == []            # not within three
    assert _flagged(BASELINE + [14, 11, 8.5], Rule.TWO_OF_THREE) == []                 # opposite sides
    assert _flagged(BASELINE + [8.5, 9, 11], Rule.TWO_OF_THREE) == [12, 13]           # near lower 9.0818
    both = xmr(BASELINE + [14, 16]).signals
    assert Rule.TWO_OF_THREE in both[13] and Rule.OUTSIDE_LIMITS in both[13]          # outside counts as beyond


def test_a_point_exactly_on_a_limit_is_not_outside():
    chart = xmr([0, 1] * 6)       # mean 0.5, mR̄ 1, limits 0.5 ± 2.66
    on = xmr([0, 1] * 6 + [chart.upper, chart.lower])
    assert all(Rule.OUTSIDE_LIMITS not in s for s in on.signals)


def test_variation_follows_the_polarity():
    chart = xmr(BASELINE + [20, 3])
    assert chart.variation(Polarity.HIGHER_IS_BETTER)[12:] == (Variation.IMPROVEMENT, Variation.CONCERN)
    assert chart.variation(Polarity.LOWER_IS_BETTER)[12:] == (Variation.CONCERN, Variation.IMPROVEMENT)
    assert chart.variation(Polarity.NONE)[12:] == (Variation.HIGH, Variation.LOW)


def test_missing_values_are_refused():
    with pytest.raises(UserError, match="missing"):
        xmr(BASELINE + [float("nan")])


def test_published_examples_of_two_xmr_libraries():
    """statprocon's README (after Wheeler, Making Sense of Data) and spc-plotly's README, limits on all points."""
    small = xmr([10, 50, 40, 30], baseline=4, screen_outliers=False)
    assert (small.mean, small.average_moving_range) == (32.5, 20.0)
    assert (round(small.upper, 1), round(small.lower, 1)) == (85.7, -20.7)
    counts = [2478, 2350, 2485, 2296, 2359, 2567, 3089, 2668, 1788, 2854, 2365, 1883, 1959, 1927, 2640, 2626, 2144,
              2409, 4412, 3287, 3049, 3364, 3078, 2972, 3415, 2753, 3102, 2191, 3693, 4385, 4699, 3031, 2659, 3885,
              2628, 2621, 3071, 2002]
    chart = xmr(counts, baseline=len(counts), screen_outliers=False)
    assert chart.average_moving_range == pytest.approx(571.8918918918919, rel=1e-12)
    assert chart.mean == pytest.approx(2820.6315789473683, rel=1e-12)
    assert chart.upper == pytest.approx(4341.864011379801, rel=1e-12)
    assert chart.signals[18] >= {Rule.OUTSIDE_LIMITS} and chart.signals[30] >= {Rule.OUTSIDE_LIMITS}
