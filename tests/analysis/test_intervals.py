"""Interval methods against published values (Garwood tables, PHE's Technical Guide, Newcombe 1998)."""

import numpy as np
import pytest
from scipy import optimize, stats

from observatorio.analysis.intervals import (
    PHE_EXACT_BELOW,
    RateMethod,
    newcombe_difference,
    poisson_byar,
    poisson_exact,
    poisson_phe,
    rate_interval,
    wilson,
)
from observatorio.errors import UserError

# Exact 95 % limits for a Poisson count, as tabulated (e.g. Breslow & Day 1987, Appendix II; Sahai & Khurshid 1993).
GARWOOD_95 = {0: (0.0, 3.689), 1: (0.0253, 5.572), 2: (0.2422, 7.225), 5: (1.6235, 11.668),
              10: (4.7954, 18.390)}


@pytest.mark.parametrize("x", sorted(GARWOOD_95))
def test_exact_poisson_matches_the_published_table(x):
    lo, hi = poisson_exact(x)
    want_lo, want_hi = GARWOOD_95[x]
    assert float(lo) == pytest.approx(want_lo, abs=6e-4)
    assert float(hi) == pytest.approx(want_hi, abs=6e-4)


@pytest.mark.parametrize("x", [0, 1, 3, 9, 10, 47, 389])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_is_the_inversion_of_the_poisson_tails(x, confidence):
    """Built independently from scipy.stats.poisson: P(X ≥ x; L) = α/2 and P(X ≤ x; U) = α/2."""
    alpha = 1 - confidence
    lo, hi = poisson_exact(x, confidence)
    want_hi = optimize.brentq(lambda m: stats.poisson.cdf(x, m) - alpha / 2, 1e-9, 10 * x + 50, xtol=1e-12)
    assert float(hi) == pytest.approx(want_hi, rel=1e-8)
    if x == 0:
        assert float(lo) == 0.0
    else:
        want_lo = optimize.brentq(lambda m: stats.poisson.sf(x - 1, m) - alpha / 2, 1e-12, x, xtol=1e-14)
        assert float(lo) == pytest.approx(want_lo, rel=1e-8)


def test_byar_is_within_0_2_percent_of_exact_from_10_events_as_phe_states():
    """PHE's Technical Guide (Appendix 1): at 95 % Byar's is within 0.2 % of the exact limits for 10 or more."""
    x = np.arange(10, 5001)
    exact, byar = poisson_exact(x), poisson_byar(x)
    assert np.max(np.abs(byar[0] / exact[0] - 1)) < 0.002
    assert np.max(np.abs(byar[1] / exact[1] - 1)) < 0.002
    # ...and it is an approximation, not the exact formula under another name
    assert np.max(np.abs(byar[0] / exact[0] - 1)) > 1e-4


def test_byar_by_hand_for_23_events():
    """Breslow & Day's formula written out for O = 23 and z = 1.959964."""
    z = 1.959963984540054
    lo, hi = poisson_byar(23)
    assert float(lo) == pytest.approx(23 * (1 - 1 / 207 - z / (3 * 23 ** 0.5)) ** 3, rel=1e-12)
    assert float(hi) == pytest.approx(24 * (1 - 1 / 216 + z / (3 * 24 ** 0.5)) ** 3, rel=1e-12)
    # within 0.2 % of the exact limits tabulated for 23 events, 14.58 and 34.51
    assert float(lo) == pytest.approx(14.58, rel=2e-3)
    assert float(hi) == pytest.approx(34.51, rel=2e-3)
    assert np.round(poisson_exact(23), 2).tolist() == [14.58, 34.51]


def test_phe_switches_from_exact_to_byar_at_10_events():
    x = np.arange(0, 30)
    lo, hi = poisson_phe(x)
    small = x < PHE_EXACT_BELOW
    assert np.array_equal(lo[small], poisson_exact(x[small])[0])
    assert np.array_equal(hi[~small], poisson_byar(x[~small])[1])


def test_rate_interval_scales_the_count_interval_and_leaves_zero_denominators_empty():
    rate, lo, hi = rate_interval([23, 5, 3], [50_000, 20_000, 0], factor=100_000)
    assert rate[:2].tolist() == [46.0, 25.0]
    assert lo[0] == pytest.approx(poisson_byar(23)[0] * 2, rel=1e-12)
    assert hi[1] == pytest.approx(11.668 * 5, abs=3e-3)
    assert np.isnan([rate[2], lo[2], hi[2]]).all()
    for method in RateMethod:
        r, lo, hi = rate_interval(40, 1000, 1000, method)
        assert lo < r < hi


# Newcombe (1998a), Table II: method 3 (score, no continuity correction) — the method PHE uses.
NEWCOMBE_WILSON = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
                   (1, 29, 0.0061, 0.1718), (29, 29, 0.8830, 1.0)]


@pytest.mark.parametrize(("x", "n", "lo", "hi"), NEWCOMBE_WILSON)
def test_wilson_matches_newcombe_table_ii(x, n, lo, hi):
    got = wilson(x, n)
    assert (round(float(got[0]), 4), round(float(got[1]), 4)) == (lo, hi)


def test_wilson_is_vectorised_and_empty_for_n_zero():
    lo, hi = wilson(np.array([[1, 0], [5, 0]]), np.array([[2, 0], [10, 3]]))
    assert lo.shape == (2, 2)
    assert np.isnan(lo[0, 1]) and np.isnan(hi[0, 1])
    assert lo[1, 1] == pytest.approx(0.0, abs=1e-15)
    assert lo[0, 0] == wilson(1, 2)[0] and hi[1, 0] == wilson(5, 10)[1]


# Newcombe (1998b), Table II, method 10 (hybrid score).
@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "lo", "hi"),
                         [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090),
                          (5, 56, 0, 29, -0.0381, 0.1926)])
def test_newcombe_difference_matches_table_ii(x1, n1, x2, n2, lo, hi):
    _, got_lo, got_hi = newcombe_difference(x1, n1, x2, n2)
    assert (round(float(got_lo), 4), round(float(got_hi), 4)) == (lo, hi)


@pytest.mark.parametrize(("call", "args"), [
    (poisson_exact, (-1,)), (poisson_byar, (2.5,)), (wilson, (5, 3)), (wilson, (1, 10, 95)),
    (rate_interval, (3, 10, 1, "normal")), (rate_interval, (3, -10)),
])
def test_bad_input_is_a_user_error(call, args):
    with pytest.raises(UserError):
        call(*args)
