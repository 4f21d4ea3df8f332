"""Knox near-repeat test: pair counts by hand and by brute force, planted near repeats, random patterns."""

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from observatorio.analysis.knox import knox_test

TOL = 1e-12
BANDS = dict(distance_bands=[0, 100, 200], time_bands=[0, 7, 14])


def test_hand_computed_tiny_case():
    # A(0,0,d0) B(50,0,d2) C(150,0,d10) D(0,120,d1) E(5000,0,d0)
    # AB 50 m 2 d -> (0-100, 0-7); AC 150 m 10 d -> (100-200, 8-14); AD 120 m 1 d -> (100-200, 0-7)
    # BC 100 m 8 d -> (0-100, 8-14) (upper edges inclusive); BD 130 m 1 d -> (100-200, 0-7)
    # CD 192.1 m 9 d -> (100-200, 8-14); every pair with E is beyond 200 m.
    x = [0, 50, 150, 0, 5000]
    y = [0, 0, 0, 120, 0]
    t = [0, 2, 10, 1, 0]
    r = knox_test(x, y, t, permutations=99, seed=1, **BANDS)
    assert r.observed.tolist() == [[1, 1], [2, 2]]
    assert r.n_events == 5


def test_band_edges_inclusive_above_and_zero_included():
    r = knox_test([0, 100, 0], [0, 0, 2000], [0, 7, 0], permutations=9, seed=1, **BANDS)
    assert r.observed.tolist() == [[1, 0], [0, 0]]  # 100 m and 7 days land in the first bands
    r = knox_test([0, 0], [0, 0], [3, 3], permutations=9, seed=1, **BANDS)
    assert r.observed.tolist() == [[1, 0], [0, 0]]  # same place, same day


@pytest.mark.parametrize("seed", [1, 2], ids=["s1", "s2"])
def test_observed_matches_brute_force_over_all_pairs(seed):
    rng = np.random.default_rng(seed)
    n = 250
    x, y, t = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n), rng.integers(0, 120, n).astype(float)
    d_edges, t_edges = [0, 150, 300, 600], [0, 7, 14, 28]
    r = knox_test(x, y, t, distance_bands=d_edges, time_bands=t_edges, permutations=9, seed=1)
    d = pdist(np.c_[x, y])
    dt = pdist(t[:, None])
    expected = np.zeros((3, 3), dtype=int)
    for a in range(3):
        in_d = (d <= d_edges[a + 1]) & ((d > d_edges[a]) | (a == 0))
        for b in range(3):
            in_t = (dt <= t_edges[b + 1]) & ((dt > t_edges[b]) | (b == 0))
            expected[a, b] = int((in_d & in_t).sum())
    np.testing.assert_array_equal(r.observed, expected)


def test_expected_preserves_pairs_per_distance_band():
    # When the time bands cover every possible gap, shuffling dates cannot change a distance band's total.
    rng = np.random.default_rng(3)
    x, y, t = rng.uniform(0, 1000, 120), rng.uniform(0, 1000, 120), rng.uniform(0, 30, 120)
    r = knox_test(x, y, t, distance_bands=[0, 100, 250], time_bands=[0, 10, 31], permutations=49, seed=2)
    np.testing.assert_allclose(r.expected.sum(axis=1), r.observed.sum(axis=1), atol=1e-9)


def _background(rng, n):
    return rng.uniform(0, 5000, n), rng.uniform(0, 5000, n), rng.uniform(0, 365, n)


def test_planted_near_repeats_are_significant():
    rng = np.random.default_rng(20)
    x, y, t = _background(rng, 400)
    seeds = rng.integers(0, 400, 40)
    angle, radius = rng.uniform(0, 2 * np.pi, (40, 3)), rng.uniform(0, 200, (40, 3))
    xs = np.r_[x, (x[seeds, None] + radius * np.cos(angle)).ravel()]
    ys = np.r_[y, (y[seeds, None] + radius * np.sin(angle)).ravel()]
    ts = np.r_[t, (t[seeds, None] + rng.uniform(0, 7, (40, 3))).ravel()]
    r = knox_test(xs, ys, ts, distance_bands=[0, 200, 400], time_bands=[0, 7, 14], permutations=999, seed=4)
    assert r.p_value[0, 0] < 0.01
    assert r.ratio[0, 0] > 3
    # Far apart or weeks apart, the planted pairs leave no excess.
    assert r.p_value[1, 1] > 0.05


def test_random_pattern_is_mostly_not_significant():
    rejections = 0
    runs = 30
    for seed in range(runs):
        x, y, t = _background(np.random.default_rng(100 + seed), 300)
        r = knox_test(x, y, t, distance_bands=[0, 200], time_bands=[0, 7], permutations=199, seed=seed)
        rejections += r.p_value[0, 0] < 0.05
        assert 0 < r.expected[0, 0]
    # The test's size is 5 %; allow Monte Carlo slack (binomial(30, .05) exceeds 5 with p ~ 0.003).
    assert rejections <= 5


def test_reproducible_by_seed_and_datetimes_equal_days():
    rng = np.random.default_rng(5)
    x, y, t = rng.uniform(0, 1000, 80), rng.uniform(0, 1000, 80), rng.integers(0, 60, 80)
    a = knox_test(x, y, t, permutations=99, seed=7, **BANDS)
    dates = np.datetime64("2024-01-01") + t.astype("timedelta64[D]")
    b = knox_test(x, y, dates, permutations=99, seed=7, **BANDS)
    np.testing.assert_array_equal(a.observed, b.observed)
    np.testing.assert_allclose(a.p_value, b.p_value, atol=TOL)
    c = knox_test(x, y, t, permutations=99, seed=8, **BANDS)
    assert not np.array_equal(a.expected, c.expected)


def test_p_value_bounds_and_frame():
    rng = np.random.default_rng(6)
    x, y, t = rng.uniform(0, 1000, 60), rng.uniform(0, 1000, 60), rng.uniform(0, 60, 60)
    r = knox_test(x, y, t, permutations=99, seed=1, **BANDS)
    assert ((r.p_value >= 1 / 100) & (r.p_value <= 1)).all()
    frame = r.to_frame()
    assert len(frame) == 4
    assert frame[["distance_from", "distance_to", "days_from", "days_to"]].iloc[3].tolist() == [100, 200, 7, 14]
    np.testing.assert_allclose(frame["ratio"], (r.observed / r.expected).ravel(), atol=TOL)


def test_inputs_are_not_mutated():
    rng = np.random.default_rng(7)
    x, y, t = rng.uniform(0, 1000, 50), rng.uniform(0, 1000, 50), rng.uniform(0, 60, 50)
    before = (x.copy(), y.copy(), t.copy())
    knox_test(x, y, t, permutations=19, seed=1, **BANDS)
    for a, b in zip((x, y, t), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(distance_bands=[100], time_bands=[0, 7]), "distance_bands"),
        (dict(distance_bands=[0, 200, 100], time_bands=[0, 7]), "strictly increasing"),
        (dict(distance_bands=[0, 100], time_bands=[-1, 7]), "time_bands"),
        (dict(distance_bands=[0, 100], time_bands=[0, 7], permutations=0), "permutations"),
    ],
    ids=["one-edge", "decreasing", "negative", "no-perms"],
)
def test_bad_input_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        knox_test([0, 1, 2], [0, 1, 2], [0, 1, 2], **kwargs)


def test_mismatched_lengths_and_nan_raise():
    with pytest.raises(ValueError, match="one length"):
        knox_test([0, 1], [0, 1, 2], [0, 1], **BANDS)
    with pytest.raises(ValueError, match="NaN"):
        knox_test([0, 1], [0, 1], [0, np.nan], **BANDS)


# --------------------------------------------------------------------------- ties and exact enumeration


def test_p_converges_to_exact_enumeration_of_all_date_permutations():
    # The hand-computed case: all 5! = 120 assignments of the dates give the exact null of every band cell.
    from itertools import permutations

    x = np.array([0, 50, 150, 0, 5000.0])
    y = np.array([0, 0, 0, 120, 0.0])
    t = np.array([0, 2, 10, 1, 0.0])
    observed = knox_test(x, y, t, permutations=1, seed=0, **BANDS).observed
    tables = np.array([knox_test(x, y, t[list(p)], permutations=1, seed=0, **BANDS).observed
                       for p in permutations(range(5))])
    exact = (tables >= observed).mean(axis=0)
    assert (tables == observed).all(axis=(1, 2)).mean() > 0  # ties do occur
    perms = 20000
    r = knox_test(x, y, t, permutations=perms, seed=3, **BANDS)
    tol = 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms
    assert (np.abs(r.p_value - exact) < tol).all()
    np.testing.assert_allclose(r.expected, tables.mean(axis=0), atol=0.05)


def test_band_without_pairs_or_always_filled_is_not_significant():
    # No pair ever falls 100-200 m apart: observed 0 ties every permutation, p = 1 (not 1/(P + 1)).
    r = knox_test([0, 10, 20], [0, 0, 0], [0, 1, 2], permutations=99, seed=0, **BANDS)
    assert r.observed[1].tolist() == [0, 0] and (r.p_value[1] == 1).all()
    # Same date everywhere: every permutation reproduces the observed table exactly.
    r = knox_test([0, 10, 20], [0, 0, 0], [5, 5, 5], permutations=99, seed=0, **BANDS)
    assert (r.p_value == 1).all()
