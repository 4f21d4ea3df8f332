"""Benjamini–Hochberg: the 1995 paper's worked example, esda.fdr and SciPy on the same p-values."""

import numpy as np
import pytest
from esda import fdr as esda_fdr
from scipy import stats

from observatorio.analysis.fdr import benjamini_hochberg

TOL = 1e-12

# Benjamini & Hochberg (1995), section 4: 15 p-values, q* = 0.05 rejects the four smallest.
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]


def test_published_example_rejects_the_four_smallest():
    r = benjamini_hochberg(BH_1995, alpha=0.05)
    assert r.reject.tolist() == [True] * 4 + [False] * 11
    assert r.threshold == pytest.approx(4 * 0.05 / 15, abs=TOL)
    assert r.m == 15


def _mixed_p(seed: int, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    signal = rng.uniform(0, 2e-4, n // 10)
    return rng.permutation(np.r_[signal, rng.uniform(0, 1, n - signal.size)])


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.10], ids=["a01", "a05", "a10"])
@pytest.mark.parametrize("seed", [1, 2, 3], ids=["s1", "s2", "s3"])
def test_matches_esda_and_scipy(alpha, seed):
    p = _mixed_p(seed)
    r = benjamini_hochberg(p, alpha=alpha)
    assert r.threshold == pytest.approx(esda_fdr(p, alpha), abs=TOL)
    np.testing.assert_allclose(r.adjusted, stats.false_discovery_control(p, method="bh"), atol=TOL)
    np.testing.assert_array_equal(r.reject, stats.false_discovery_control(p, method="bh") <= alpha)
    np.testing.assert_array_equal(r.reject, p <= r.threshold)
    assert r.reject.sum() > 0


def test_nothing_rejected_reports_the_bonferroni_bound_like_esda():
    p = np.array([0.2, 0.5, 0.9, 0.04])
    r = benjamini_hochberg(p, alpha=0.05)
    assert not r.reject.any()
    assert r.threshold == pytest.approx(esda_fdr(p, 0.05), abs=TOL) == 0.05 / 4


def test_nan_is_not_a_test_and_shape_is_kept():
    p = np.array([[0.001, np.nan], [0.02, 0.9]])
    r = benjamini_hochberg(p, alpha=0.05)
    assert r.m == 3
    assert r.reject.shape == (2, 2)
    assert r.reject.tolist() == [[True, False], [True, False]]
    assert np.isnan(r.adjusted[0, 1])


def test_does_not_mutate_input():
    p = _mixed_p(4)
    before = p.copy()
    benjamini_hochberg(p)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5], ids=["zero", "one", "neg", "big"])
def test_rejects_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        benjamini_hochberg([0.1, 0.2], alpha=alpha)


def test_rejects_p_outside_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.1, 1.2])
