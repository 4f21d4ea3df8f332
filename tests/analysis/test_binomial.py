"""The vectorised two-sided exact binomial test against SciPy's binomtest and against exact enumeration."""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from observatorio.analysis.binomial import two_sided
from observatorio.analysis.compare import poisson_rate_test, poisson_rate_tests
from observatorio.errors import UserError

# Both add two regularised incomplete beta values (Boost's, through different entry points); at n in the millions
# these carry errors of about n times the machine epsilon, so the two differ by up to ~1e-10 relative there
# (e.g. P(X <= 2) for n = 5M, p = 1e-6: 0.12465189314653 here, 0.12465189312862 in binom.cdf).
REL = 1e-9


def _scipy(k, n, p) -> float:
    return stats.binomtest(int(k), int(n), float(p)).pvalue


def _assert_same(k, n, p):
    ours = two_sided(k, n, p)
    theirs = np.array([_scipy(*c) for c in zip(np.ravel(k), np.ravel(n), np.ravel(p), strict=True)])
    np.testing.assert_allclose(ours, theirs, rtol=REL, atol=0)


def _exact(k: int, n: int, p: Fraction) -> Fraction:
    """The minlike p-value in exact rational arithmetic: every outcome no more likely than k."""
    pmf = [comb(n, x) * p**x * (1 - p) ** (n - x) for x in range(n + 1)]
    return sum((q for q in pmf if q <= pmf[k]), Fraction(0))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 25])
@pytest.mark.parametrize("p", [Fraction(1, 2), Fraction(1, 3), Fraction(2, 7), Fraction(28, 59)])
def test_every_outcome_equals_exact_enumeration(n, p):
    # Ties at the mode: (n + 1) p whole (n = 2, 5, ... with p = 1/3) makes two outcomes equally likely, and p = 1/2
    # makes k and n - k equally likely; both must be counted as no more likely than the observed one.
    k = np.arange(n + 1)
    ours = two_sided(k, n, float(p))
    exact = [float(_exact(int(x), n, p)) for x in k]
    np.testing.assert_allclose(ours, exact, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(0, 1, 0.5), (1, 1, 0.5), (0, 10, 0.3), (10, 10, 0.3), (5, 10, 0.5), (0, 2, 1 / 3), (1, 2, 1 / 3),
     (2, 2, 1 / 3), (999_999, 2_999_999, 1 / 3), (1_000_000, 2_999_999, 1 / 3), (1_000_001, 2_999_999, 1 / 3),
     (0, 3_000_000, 0.5), (3_000_000, 3_000_000, 0.5), (1_500_000, 3_000_000, 0.5), (1_502_000, 3_000_000, 0.5),
     (850_000, 1_700_000, 365 / 731), (2, 5_000_000, 1e-6), (0, 40, 1e-9), (40, 40, 1 - 1e-9)],
)
def test_grid_equals_binomtest(k, n, p):
    # k = 0, k = n, the mode tie at (n + 1) p = 10^6, exact symmetry at p = 1/2 with n in the millions, a year
    # against the previous one at 5M events, and p near 0 and 1.
    _assert_same(k, n, p)


@st.composite
def _draws(draw):
    n = draw(st.one_of(st.integers(1, 60), st.integers(1, 20_000), st.integers(1, 5_000_000)))
    p = draw(st.one_of(st.sampled_from([0.5, 1 / 3, 7 / 35, 28 / 56, 365 / 731, 31 / 60]),
                       st.floats(1e-6, 1 - 1e-6)))
    # Near the mean (where the search matters) or anywhere, including both ends.
    spread = 3 * (n * p * (1 - p)) ** 0.5 + 2
    near = st.integers(max(0, int(n * p - spread)), min(n, int(n * p + spread)))
    k = draw(st.one_of(near, st.integers(0, n), st.sampled_from([0, n])))
    return k, n, p


@settings(max_examples=300, deadline=None)
@given(_draws())
def test_random_draws_equal_binomtest(case):
    k, n, p = case
    ours, theirs = float(two_sided(k, n, p)), _scipy(k, n, p)
    if abs(ours - theirs) > REL * abs(theirs) and n <= 5_000:
        # Near the underflow limit binomtest's own sum drifts (e.g. (4, 2190, 0.28125): 2e-9 relative); there the
        # judge is exact rational arithmetic, to the same tolerance.
        theirs = float(_exact(k, n, Fraction(p)))
    np.testing.assert_allclose(ours, theirs, rtol=REL, atol=0)


def test_binomtest_drifts_near_underflow_and_ours_is_exact():
    exact = float(_exact(4, 2190, Fraction(9, 32)))
    np.testing.assert_allclose(float(two_sided(4, 2190, 0.28125)), exact, rtol=1e-12, atol=0)


@settings(max_examples=30, deadline=None)
@given(st.lists(_draws(), min_size=1, max_size=40))
def test_arrays_answer_each_element_alone(cases):
    k, n, p = (np.array(v) for v in zip(*cases, strict=True))
    together = two_sided(k, n, p)
    alone = [float(two_sided(*c)) for c in cases]
    assert together.tolist() == alone


def test_shape_is_kept():
    assert two_sided(3, 10, 0.5).shape == ()
    assert two_sided(np.full((2, 3), 4), 10, 0.3).shape == (2, 3)


@pytest.mark.parametrize(("k", "n", "p"), [(-1, 5, 0.5), (6, 5, 0.5), (1.5, 5, 0.5), (0, 0, 0.5), (1, 5, 1.5)])
def test_bad_arguments(k, n, p):
    with pytest.raises(UserError, match="k=|p="):
        two_sided(k, n, p)


def test_poisson_rate_tests_match_one_at_a_time():
    c1, c2 = np.array([0, 3, 30, 12, 400, 0]), np.array([0, 9, 15, 3, 330, 7])
    many = poisson_rate_tests(c1, 28, c2, [28, 28, 28, 7, 31, 14])
    one = [poisson_rate_test(int(a), 28, int(b), t) for a, b, t in zip(c1, c2, [28, 28, 28, 7, 31, 14], strict=True)]
    assert many.tolist() == one
    assert many[0] == 1.0  # no events at all
    assert many[2] == pytest.approx(_scipy(30, 45, 0.5), rel=REL)


def test_poisson_rate_tests_name_the_bad_value():
    with pytest.raises(UserError, match="c2=-2"):
        poisson_rate_tests([1, 2], 7, [3, -2], 7)
    with pytest.raises(UserError, match="t2=0"):
        poisson_rate_tests([1, 2], 7, [3, 2], [7, 0])
