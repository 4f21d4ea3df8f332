"""Hour × weekday, aoristic weights (hand cases and a naive hour-by-hour reference), seasonality, trend."""

import numpy as np
import pandas as pd
import pytest

from observatorio.analysis.timepatterns import aoristic_weights, hour_weekday_matrix, monthly_seasonality, trend
from observatorio.analysis.trend import Direction, mann_kendall

TOL = 1e-12
METHODS = ["blocks", "overlap"]


def _slots(weights):
    return {int(k): round(float(weights[k]), 12) for k in np.flatnonzero(weights)}


@pytest.mark.parametrize(
    ("start", "end", "method", "expected"),
    [
        ("2024-01-01 22:30", "2024-01-02 01:00", "blocks", {22: 1 / 3, 23: 1 / 3, 24: 1 / 3}),
        ("2024-01-01 22:30", "2024-01-02 01:00", "overlap", {22: 0.2, 23: 0.4, 24: 0.4}),
        ("2024-01-03 10:00", "2024-01-03 12:00", "blocks", {58: 0.5, 59: 0.5}),
        ("2024-01-07 23:30", "2024-01-08 00:30", "blocks", {167: 0.5, 0: 0.5}),
        ("2024-01-07 23:30", "2024-01-08 00:15", "overlap", {167: 2 / 3, 0: 1 / 3}),
        ("2024-01-05 13:20", "2024-01-05 13:20", "blocks", {4 * 24 + 13: 1.0}),
        ("2024-01-05 13:20", "2024-01-05 13:20", "overlap", {4 * 24 + 13: 1.0}),
    ],
    ids=["night-blocks", "night-overlap", "hour-boundary", "sunday-wrap", "wrap-overlap", "instant-blocks",
         "instant-overlap"],
)
def test_aoristic_hand_cases(start, end, method, expected):
    w = aoristic_weights([start], [end], method=method)
    assert w.shape == (1, 168)
    assert _slots(w[0]) == {k: round(v, 12) for k, v in expected.items()}


@pytest.mark.parametrize("method", METHODS)
def test_aoristic_windows_longer_than_a_week_wrap(method):
    # Monday 00:00 to the Tuesday after next 00:00 = 8 days: Monday's hours happen twice.
    w = aoristic_weights(["2024-01-01"], ["2024-01-09"], method=method)[0]
    np.testing.assert_allclose(w[:24], 2 / 192, atol=TOL)
    np.testing.assert_allclose(w[24:], 1 / 192, atol=TOL)


def _naive(start, end, method):
    """Walk hour by hour: the definition, not the vectorised arithmetic."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    out = np.zeros(168)
    if s == e:
        out[s.weekday() * 24 + s.hour] = 1.0
        return out
    hour = s.floor("h")
    while hour < e:
        nxt = hour + pd.Timedelta(hours=1)
        share = 1.0 if method == "blocks" else (min(nxt, e) - max(hour, s)) / (e - s)
        out[hour.weekday() * 24 + hour.hour] += share
        hour = nxt
    return out / out.sum() if method == "blocks" else out


@pytest.mark.parametrize("method", METHODS)
def test_aoristic_matches_naive_reference_and_rows_sum_to_one(method):
    rng = np.random.default_rng(11)
    start = pd.Timestamp("2023-12-28") + pd.to_timedelta(rng.integers(0, 60 * 24 * 30, 60), unit="min")
    length = pd.to_timedelta(rng.choice([0, 1, 59, 60, 61, 600, 3000, 12000], 60), unit="min")
    end = start + length
    w = aoristic_weights(start, end, method=method)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=TOL)
    expected = np.array([_naive(s, e, method) for s, e in zip(start, end)])
    np.testing.assert_allclose(w, expected, atol=1e-12)


def test_hour_weekday_matrix_points_and_aoristic():
    times = pd.to_datetime(["2024-01-01 08:15", "2024-01-01 08:59", "2024-01-07 23:00", "2024-01-10 00:00"])
    m = hour_weekday_matrix(times)
    assert m[0, 8] == 2 and m[6, 23] == 1 and m[2, 0] == 1 and m.sum() == 4
    ends = times + pd.to_timedelta([0, 121, 90, 30], unit="min")
    whole = hour_weekday_matrix(times, ends)
    np.testing.assert_allclose(whole.ravel(), aoristic_weights(times, ends).sum(axis=0), atol=TOL)
    np.testing.assert_allclose(hour_weekday_matrix(times, ends, chunk=1), whole, atol=TOL)
    assert whole.sum() == pytest.approx(4.0, abs=TOL)


def test_timezone_aware_uses_local_wall_clock():
    t = pd.DatetimeIndex(["2024-01-01 08:15"]).tz_localize("America/Santiago")
    assert hour_weekday_matrix(t)[0, 8] == 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: aoristic_weights(["2024-01-02"], ["2024-01-01"]), "end is before start at positions \\[0\\]"),
        (lambda: aoristic_weights(["2024-01-01"], ["2024-01-02"], method="midpoint"), "method='midpoint'"),
        (lambda: aoristic_weights([None], ["2024-01-02"]), "start has missing values"),
        (lambda: hour_weekday_matrix(["2024-01-01"], ["2024-01-01", "2024-01-02"]), "differ in length"),
        (lambda: hour_weekday_matrix(["2024-01-01"], chunk=0), "chunk=0"),
    ],
    ids=["reversed", "method", "missing", "length", "chunk"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


PATTERN = np.array([8, 8, 9, 10, 10, 11, 12, 12, 11, 10, 10, 9]) / 10


@pytest.mark.parametrize("method", ["ratio_to_moving_average", "seasonal_means"])
def test_seasonality_recovers_exact_multiplicative_pattern(method):
    s = pd.Series(250 * np.tile(PATTERN, 3), index=pd.date_range("2021-01-01", periods=36, freq="MS"))
    idx = monthly_seasonality(s, method=method)
    assert idx.index.tolist() == list(range(1, 13))
    np.testing.assert_allclose(idx.to_numpy(), PATTERN, atol=1e-12)


def test_ratio_to_moving_average_removes_a_trend_that_seasonal_means_keeps():
    # Level grows linearly; the pattern is multiplicative. Seasonal means confuse growth with
    # December being high; ratio to moving average stays within 1% of the true pattern.
    level = np.linspace(100, 200, 48)
    s = pd.Series(level * np.tile(PATTERN, 4), index=pd.period_range("2020-01", periods=48, freq="M"))
    rma = monthly_seasonality(s)
    means = monthly_seasonality(s, method="seasonal_means")
    assert np.max(np.abs(rma.to_numpy() - PATTERN)) < 0.01
    assert np.max(np.abs(means.to_numpy() - PATTERN)) > 0.05


def test_ratio_to_moving_average_hand_computed():
    # 24 months starting in July: months 6..17 (Jan..Dec of year 2) each get one ratio.
    y = np.arange(1, 25, dtype=float) ** 1.5
    s = pd.Series(y, index=pd.period_range("2022-07", periods=24, freq="M"))
    ratios = {}
    for t in range(6, 18):
        ma = (0.5 * y[t - 6] + y[t - 5:t + 6].sum() + 0.5 * y[t + 6]) / 12
        ratios[(7 + t - 1) % 12 + 1] = y[t] / ma
    raw = np.array([ratios[m] for m in range(1, 13)])
    np.testing.assert_allclose(monthly_seasonality(s).to_numpy(), raw / raw.mean(), atol=1e-12)


@pytest.mark.parametrize(
    ("series", "kwargs", "match"),
    [
        (pd.Series(np.ones(23), index=pd.period_range("2020-01", periods=23, freq="M")), {}, "at least 24"),
        (pd.Series(np.ones(30), index=pd.period_range("2020-01", periods=30, freq="M")), {"method": "seasonal_means"},
         "whole years"),
        (pd.Series(np.ones(30), index=pd.period_range("2020-01", periods=30, freq="M")), {"method": "stl"}, "method='stl'"),
        (pd.Series(np.ones(30), index=pd.period_range("2020-01", periods=30, freq="M")).drop(pd.Period("2021-02", "M")),
         {}, "without gaps"),
        (np.ones(30), {}, "pandas Series"),
    ],
    ids=["short", "partial-year", "method", "gap", "not-series"],
)
def test_seasonality_rejects(series, kwargs, match):
    with pytest.raises(ValueError, match=match):
        monthly_seasonality(series, **kwargs)


@pytest.mark.parametrize(
    ("series", "verdict"),
    [([3, 4, 6, 7, 9, 12, 13, 15], Direction.UP), ([15, 13, 12, 9, 7, 6, 4, 3], Direction.DOWN), ([5, 7, 4, 6, 5, 7, 4, 6], Direction.NONE)],
    ids=["up", "down", "flat"],
)
def test_trend_verdict_wraps_mann_kendall(series, verdict):
    t = trend(series)
    assert t.verdict is verdict
    assert t.test == mann_kendall(series)


def test_trend_alpha():
    series = [1, 2, 3, 4, 5]  # p = 0.0275
    assert trend(series, alpha=0.05).verdict is Direction.UP
    assert trend(series, alpha=0.01).verdict is Direction.NONE
    with pytest.raises(ValueError, match="alpha=0"):
        trend(series, alpha=0)


def test_docstring_examples_run():
    import doctest

    from observatorio.analysis import timepatterns

    result = doctest.testmod(timepatterns, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
