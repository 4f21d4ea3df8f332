"""Perception gap: weighted proportions with Kish n_eff and Wilson limits, gap classes, Spearman."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from observatorio.analysis.perception import GapClass, fear_by_area, perception_gap, weighted_proportion

EXACT = 1e-12
TABLE = 1e-4  # published 4-decimal values


def test_weighted_proportion_hand_computed():
    # p = (3+1)/6, n_eff = 6²/(9+1+1+1) = 3, se = sqrt(p(1-p)/3).
    r = weighted_proportion([1, 1, 0, 0], [3, 1, 1, 1])
    assert r.proportion == pytest.approx(2 / 3, abs=EXACT)
    assert r.n == 4
    assert r.n_effective == pytest.approx(3.0, abs=EXACT)
    assert r.se == pytest.approx(np.sqrt(2 / 9 / 3), abs=EXACT)
    z = stats.norm.ppf(0.975)
    centre = (2 / 3 + z**2 / 6) / (1 + z**2 / 3)
    half = z * np.sqrt(2 / 9 / 3 + z**2 / 36) / (1 + z**2 / 3)
    assert (r.lower, r.upper) == pytest.approx((centre - half, centre + half), abs=EXACT)


def test_equal_weights_give_the_textbook_wilson_interval():
    # 8 of 10: the textbook Wilson 95 % score interval is (0.4902, 0.9433).
    r = weighted_proportion([1] * 8 + [0] * 2, [250.0] * 10)
    assert r.n_effective == pytest.approx(10, abs=EXACT)
    assert (round(r.lower, 4), round(r.upper, 4)) == pytest.approx((0.4902, 0.9433), abs=TABLE)


def test_fear_by_area_groups_respondents():
    t = fear_by_area(["b", "a", "a", "b", "b"], [1, 0, 1, 1, 0], [1, 1, 3, 2, 1])
    assert list(t.index) == ["a", "b"]
    assert t.loc["a", "proportion"] == pytest.approx(0.75, abs=EXACT)
    assert t.loc["b", "proportion"] == pytest.approx(0.75, abs=EXACT)
    assert t.loc["b", "n"] == 3
    assert t.loc["b", "n_effective"] == pytest.approx(16 / 6, abs=EXACT)


def test_gap_hand_computed_with_median():
    fear = pd.Series([0.2, 0.4, 0.6, 0.8], index=["UV1", "UV2", "UV3", "UV4"])
    crime = pd.Series([40.0, 10.0, 30.0, 20.0], index=["UV1", "UV2", "UV3", "UV4"])
    g = perception_gap(fear, crime)
    sd_f = np.std([0.2, 0.4, 0.6, 0.8], ddof=1)
    sd_c = np.std([40, 10, 30, 20], ddof=1)
    z_f = (np.array([0.2, 0.4, 0.6, 0.8]) - 0.5) / sd_f
    z_c = (np.array([40, 10, 30, 20]) - 25) / sd_c
    np.testing.assert_allclose(g.table["gap"], z_f - z_c, atol=EXACT)
    # medians: fear 0.5, crime 25.
    assert list(g.table["gap_class"]) == [
        GapClass.LOW_FEAR_HIGH_CRIME,
        GapClass.LOW_FEAR_LOW_CRIME,
        GapClass.HIGH_FEAR_HIGH_CRIME,
        GapClass.HIGH_FEAR_LOW_CRIME,
    ]
    rho, p = stats.spearmanr([0.2, 0.4, 0.6, 0.8], [40, 10, 30, 20])
    assert g.spearman_rho == pytest.approx(rho, abs=EXACT) == pytest.approx(-0.4, abs=EXACT)
    assert g.spearman_p == pytest.approx(p, abs=EXACT)
    assert GapClass.HIGH_FEAR_LOW_CRIME.value == "HL" and not hasattr(GapClass.HIGH_FEAR_LOW_CRIME, "label")


def test_mean_and_median_centres_differ_with_an_outlier():
    # Crime 1, 2, 3, 100: the median (2.5) puts two areas high; the mean (26.5) only the outlier.
    idx = list("abcd")
    fear = pd.Series([0.1, 0.2, 0.3, 0.4], index=idx)
    crime = pd.Series([1.0, 2.0, 3.0, 100.0], index=idx)
    by_median = perception_gap(fear, crime, centre="median").table["gap_class"]
    by_mean = perception_gap(fear, crime, centre="mean").table["gap_class"]
    assert by_median["c"] is GapClass.HIGH_FEAR_HIGH_CRIME
    assert by_mean["c"] is GapClass.HIGH_FEAR_LOW_CRIME
    assert by_mean["d"] is GapClass.HIGH_FEAR_HIGH_CRIME


def test_gap_aligns_on_index_and_leaves_inputs():
    fear = pd.Series([0.2, 0.4, 0.6], index=["a", "b", "c"])
    crime = pd.Series([20.0, 30.0, 10.0], index=["c", "a", "b"])
    g = perception_gap(fear, crime)
    assert g.table.loc["a", "crime"] == 30.0
    assert list(crime.index) == ["c", "a", "b"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: weighted_proportion([1, 2], [1, 1]), "0/1"),
        (lambda: weighted_proportion([1, 0], [0, 0]), "weights"),
        (lambda: weighted_proportion([1, 0], [1]), "equal length"),
        (lambda: weighted_proportion([1, 0], [1, 1], confidence=0), "confidence"),
        (lambda: perception_gap(pd.Series([1.0, 2, 3]), pd.Series([1.0, 2, 3]), centre="mode"), "centre"),
        (lambda: perception_gap(pd.Series([1.0, 2, 3]), pd.Series([1.0, 2, 3], index=[0, 1, 5])), "unmatched"),
        (lambda: perception_gap(pd.Series([1.0, 1, 1]), pd.Series([1.0, 2, 3])), "constant"),
        (lambda: perception_gap(pd.Series([1.0, 2]), pd.Series([1.0, 2])), "at least 3"),
    ],
    ids=["not-binary", "zero-weights", "length", "confidence", "centre", "areas-differ", "constant", "too-few"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
