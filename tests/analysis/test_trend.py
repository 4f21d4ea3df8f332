"""Mann–Kendall and Sen's slope: hand-computed answers, and the many-series form against the one-series form."""

import numpy as np
import pytest
from scipy import stats

from observatorio.analysis.trend import mann_kendall, mann_kendall_many


def test_hand_computed_series_with_ties():
    # [1, 2, 2, 3]: pair signs + + + 0 + +, S = 5; n(n-1)(2n+5) = 156, one tie of 2 removes 2·1·9 = 18,
    # Var(S) = 138 / 18; z = (5 - 1) / √Var; Sen's slope = median(1, .5, 2/3, 0, .5, 1) = (0.5 + 2/3) / 2.
    r = mann_kendall([1, 2, 2, 3])
    assert r.s == 5 and r.var_s == pytest.approx(138 / 18, rel=1e-15)
    assert r.z == pytest.approx(4 / np.sqrt(138 / 18), rel=1e-15)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(4 / np.sqrt(138 / 18)), rel=1e-15)
    assert r.slope == pytest.approx((0.5 + 2 / 3) / 2, rel=1e-15)
    assert r.tau == pytest.approx(5 / 6, rel=1e-15)


def test_s_is_kendalls_numerator_against_time():
    rng = np.random.default_rng(3)
    x = rng.normal(size=25)
    r = mann_kendall(x)
    tau_a = stats.kendalltau(np.arange(25), x, variant="b").statistic  # no ties: tau-b = tau-a
    assert r.tau == pytest.approx(tau_a, rel=1e-12)


def test_constant_series_has_no_trend():
    r = mann_kendall([4, 4, 4, 4])
    assert (r.s, r.var_s, r.z, r.p_value, r.slope) == (0.0, 0.0, 0.0, 1.0, 0.0)


def test_many_rows_equal_one_call_per_row():
    rng = np.random.default_rng(11)
    rows = np.vstack([rng.integers(0, 4, size=(300, 9)).astype(float), rng.normal(size=(300, 9))])
    many = mann_kendall_many(rows)
    for k, row in enumerate(rows):
        one = mann_kendall(row)
        # The same arithmetic, so equal to the last bit.
        assert (one.s, one.var_s, one.z, one.p_value, one.tau, one.slope) == (
            many.s[k], many.var_s[k], many.z[k], many.p_value[k], many.tau[k], many.slope[k])


@pytest.mark.parametrize(("values", "match"), [
    ([1, 2], "at least 3"), ([1, np.nan, 3], "NaN"), ([[1, 2, 3]], "one-dimensional")])
def test_bad_input(values, match):
    with pytest.raises(ValueError, match=match):
        mann_kendall(values)


def test_many_rejects_one_series():
    with pytest.raises(ValueError, match="two-dimensional"):
        mann_kendall_many([1, 2, 3])
