"""Period comparison: windows by hand, the exact Poisson test by hand and against SciPy's E-test."""

import datetime as dt
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from observatorio.analysis.compare import Verdict, compare_periods, poisson_rate_test

TOL = 1e-12
D = dt.date


@pytest.mark.parametrize(
    ("period", "as_of", "windows"),
    [
        ("week", D(2024, 3, 10), (D(2024, 3, 4), D(2024, 3, 10), D(2024, 2, 26), D(2024, 3, 3))),
        ("28d", D(2024, 3, 31), (D(2024, 3, 4), D(2024, 3, 31), D(2024, 2, 5), D(2024, 3, 3))),
        ("month", D(2024, 3, 31), (D(2024, 3, 1), D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29))),
        ("month", D(2024, 3, 15), (D(2024, 3, 1), D(2024, 3, 15), D(2024, 2, 1), D(2024, 2, 15))),
        ("month", D(2024, 1, 10), (D(2024, 1, 1), D(2024, 1, 10), D(2023, 12, 1), D(2023, 12, 10))),
        ("quarter", D(2024, 5, 20), (D(2024, 4, 1), D(2024, 5, 20), D(2024, 1, 1), D(2024, 2, 19))),
        ("quarter", D(2024, 2, 10), (D(2024, 1, 1), D(2024, 2, 10), D(2023, 10, 1), D(2023, 11, 10))),
        ("quarter", D(2024, 12, 31), (D(2024, 10, 1), D(2024, 12, 31), D(2024, 7, 1), D(2024, 9, 30))),
        ("ytd", D(2024, 2, 29), (D(2024, 1, 1), D(2024, 2, 29), D(2023, 1, 1), D(2023, 2, 28))),
        ("yoy", D(2024, 3, 31), (D(2024, 3, 4), D(2024, 3, 31), D(2023, 3, 4), D(2023, 3, 31))),
    ],
    ids=["week", "28d", "month-end-leap", "month-mid", "month-january", "quarter-q2", "quarter-q1",
         "quarter-full", "ytd-leap-day", "yoy"],
)
def test_windows(period, as_of, windows):
    r = compare_periods([], as_of, period=period)
    assert (r.current_start, r.current_end, r.previous_start, r.previous_end) == windows


def test_counts_use_inclusive_days_and_ignore_time_and_missing():
    dates = pd.to_datetime(
        ["2024-03-04 00:00", "2024-03-31 23:59", "2024-04-01 00:00", "2024-03-03 12:00", "2024-02-05 00:00",
         "2024-02-04 23:59", None]
    )
    r = compare_periods(dates, "2024-03-31", period="28d")
    assert (r.current, r.previous, r.change) == (2, 2, 0)
    assert r.pct_change == 0.0


def test_timezone_aware_dates_use_local_date():
    dates = pd.DatetimeIndex(["2024-03-31 23:30"]).tz_localize("America/Santiago")
    assert compare_periods(dates, "2024-03-31", period="week").current == 1


def test_hand_computed_binomial_p_value():
    # 12 vs 3 in equal windows: P(X ≥ 12 | n=15, p=½) = (455+105+15+1)/2^15, doubled by symmetry.
    expected = 2 * sum(comb(15, k) for k in range(12, 16)) / 2**15
    assert poisson_rate_test(12, 7, 3, 7) == pytest.approx(expected, abs=TOL)
    assert expected == pytest.approx(0.03515625, abs=TOL)


def test_unequal_lengths_enter_the_null_probability():
    # 31 events in 31 days vs 28 in 28 days is the same rate: X=31 is the mode of Binomial(59, 31/59).
    assert poisson_rate_test(31, 31, 28, 28) == pytest.approx(1.0, abs=TOL)
    # One event versus none with t1 = 3·t2: P(X=1 | n=1, p=¾) = ¾, and X=0 has ¼ ≤ ¾, so p = 1.
    assert poisson_rate_test(1, 3, 0, 1) == pytest.approx(1.0, abs=TOL)
    # None versus one with t1 = 3·t2: the observed X=0 has ¼, X=1 has ¾ > ¼, so p = ¼.
    assert poisson_rate_test(0, 3, 1, 1) == pytest.approx(0.25, abs=TOL)


@pytest.mark.parametrize(
    ("c1", "t1", "c2", "t2"),
    [(100, 30, 70, 31), (200, 365, 260, 366), (400, 28, 330, 28), (150, 90, 150, 92)],
    ids=["month", "year", "28d", "quarter"],
)
def test_close_to_scipy_e_test_with_large_counts(c1, t1, c2, t2):
    # The E-test (Krishnamoorthy & Thomson 2004) is a different test, but with counts in the
    # hundreds both are near the normal approximation and agree to within 0.02; the exact
    # conditional test is the more conservative of the two.
    ours = poisson_rate_test(c1, t1, c2, t2)
    theirs = stats.poisson_means_test(c1, t1, c2, t2).pvalue
    assert 0 <= ours - theirs < 0.02
    assert (ours < 0.05) == (theirs < 0.05)


@pytest.mark.parametrize(
    ("n_current", "n_previous", "verdict"),
    [(30, 10, Verdict.UP), (10, 30, Verdict.DOWN), (22, 18, Verdict.NO_CHANGE), (0, 0, Verdict.NO_CHANGE)],
    ids=["up", "down", "flat", "empty"],
)
def test_verdict(n_current, n_previous, verdict):
    dates = [D(2024, 3, 20)] * n_current + [D(2024, 3, 1)] * n_previous
    r = compare_periods(dates, D(2024, 3, 31), period="28d")
    assert (r.current, r.previous, r.verdict) == (n_current, n_previous, verdict)
    assert r.verdict is verdict
    assert r.pct_change == (None if n_previous == 0 else 100 * (n_current - n_previous) / n_previous)


def test_verdict_compares_rates_not_counts():
    # 30 in the 31 days of March vs 29 in the 29 days of February 2024: more events, lower rate;
    # not significant, and the test must not call it "up" on counts alone.
    dates = [D(2024, 3, 5)] * 30 + [D(2024, 2, 5)] * 29
    r = compare_periods(dates, D(2024, 3, 31), period="month")
    assert r.change == 1 and r.verdict is Verdict.NO_CHANGE
    assert r.p_value == pytest.approx(stats.binomtest(30, 59, 31 / 60).pvalue, abs=TOL)


def test_alpha_changes_the_verdict():
    dates = [D(2024, 3, 20)] * 12 + [D(2024, 3, 1)] * 3  # p ≈ 0.035
    assert compare_periods(dates, D(2024, 3, 31), alpha=0.05).verdict is Verdict.UP
    assert compare_periods(dates, D(2024, 3, 31), alpha=0.01).verdict is Verdict.NO_CHANGE


def test_input_not_mutated():
    dates = np.array(["2024-03-20", "2024-03-01"], dtype="datetime64[ns]")
    saved = dates.copy()
    compare_periods(dates, "2024-03-31")
    assert np.array_equal(dates, saved)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compare_periods([], "2024-03-31", period="fortnight"), "period='fortnight'"),
        (lambda: compare_periods([], "2024-03-31", alpha=1.5), "alpha=1.5"),
        (lambda: compare_periods([], None), "as_of is missing"),
        (lambda: poisson_rate_test(-1, 1, 2, 1), "c1=-1"),
        (lambda: poisson_rate_test(1.5, 1, 2, 1), "c1=1.5"),
        (lambda: poisson_rate_test(1, 0, 2, 1), "t1=0"),
    ],
    ids=["period", "alpha", "as-of", "negative", "fraction", "zero-length"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples_run():
    import doctest

    from observatorio.analysis import compare

    result = doctest.testmod(compare, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
