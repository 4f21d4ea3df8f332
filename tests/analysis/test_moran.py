"""Moran's I and LISA against published values, esda on the same input, and exact permutation nulls."""

from __future__ import annotations

import copy
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

libpysal = pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")
gpd = pytest.importorskip("geopandas")

from observatorio.analysis import moran  # noqa: E402
from observatorio.analysis.moran import Quadrant  # noqa: E402
from observatorio.analysis.weights import contiguity, knn  # noqa: E402

from .sparse_lattice import EVENTS, SHAPES, sparse_lattice  # noqa: E402

EXACT = 1e-9
PUBLISHED = 1e-6
ESDA_Q = {1: Quadrant.HH, 2: Quadrant.LH, 3: Quadrant.LL, 4: Quadrant.HL}


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    return df


@pytest.fixture(scope="module")
def queen(columbus):
    return contiguity(columbus.geometry, kind="queen")


def _esda_w(w):
    # esda sets w.transform on the object it is given: hand it a copy.
    return copy.deepcopy(w)


@pytest.fixture(scope="module")
def sids():
    df = gpd.read_file(libpysal.examples.get_path("sids2.shp"))
    return df


def test_columbus_crime_global_moran_matches_published_value(columbus, queen):
    r = moran.global_moran(columbus["CRIME"].to_numpy(), queen, permutations=0)
    assert r.i == pytest.approx(0.500189, abs=PUBLISHED)
    assert r.expected == pytest.approx(-1 / 48, abs=EXACT)


def test_global_moments_match_esda(columbus, queen):
    y = columbus["CRIME"].to_numpy()
    ours = moran.global_moran(y, queen, permutations=0)
    ref = esda.Moran(y, _esda_w(queen), permutations=0)
    for ours_v, ref_v in [(ours.i, ref.I), (ours.var_norm, ref.VI_norm), (ours.var_rand, ref.VI_rand),
                          (ours.z_norm, ref.z_norm), (ours.z_rand, ref.z_rand), (ours.p_norm, ref.p_norm),
                          (ours.p_rand, ref.p_rand)]:
        assert ours_v == pytest.approx(ref_v, abs=EXACT)


def _exact_global(y, w):
    """I of all 7! relabellings of y (row-standardised w), the observed I and the exact p (ties in both tails)."""
    obs = moran.global_moran(y, w, permutations=0).i
    wr = copy.deepcopy(w)
    wr.transform = "r"
    dense = wr.full()[0]
    z = np.array([y[list(p)] for p in itertools.permutations(range(len(y)))]) - y.mean()
    sims = len(y) / dense.sum() * np.einsum("pi,ij,pj->p", z, dense, z) / (z[0] @ z[0])
    return sims, obs, min(np.mean(sims >= obs - 1e-12), np.mean(sims <= obs + 1e-12))


def test_global_permutation_p_matches_exact_enumeration():
    # 7 areas: all 5040 relabellings give the exact permutation distribution.
    y = np.array([1.0, 4.0, 2.0, 8.0, 7.0, 3.0, 9.0])
    w = knn(np.arange(7.0), np.zeros(7), k=2)
    _, _, exact = _exact_global(y, w)
    perms = 20000
    r = moran.global_moran(y, w, permutations=perms, seed=11)
    assert abs(r.p_sim - exact) < 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms


def _exact_local_p(y, w_sparse, i):
    """Exact conditional-permutation p for site i: every ordered draw of its neighbours' values."""
    n = len(y)
    z = (y - y.mean()) / y.std()
    row = w_sparse.getrow(i)
    nbr_w = row.data
    lag_obs = float((row @ z)[0])
    others = np.delete(z, i)
    k = len(nbr_w)
    lags = np.array([nbr_w @ others[list(c)] for c in itertools.permutations(range(n - 1), k)])
    stat_obs = z[i] * lag_obs
    stats_ = z[i] * lags
    # Ties (the same neighbour values in another order) count in both tails.
    ge = np.mean(stats_ >= stat_obs - 1e-12)
    le = np.mean(stats_ <= stat_obs + 1e-12)
    return min(ge, le)


@pytest.mark.parametrize("transformation", ["r", "o"], ids=["row-standardised", "unequal-weights"])
def test_local_permutation_p_converges_to_exact_null(transformation):
    # Unequal weights check that each drawn value lands on a random weight slot.
    y = np.array([3.0, 5.0, 4.0, 9.0, 8.0, 1.0, 2.0, 7.0])
    neighbors = {0: [1, 2], 1: [0, 2, 3], 2: [0, 1, 3], 3: [1, 2, 4], 4: [3, 5], 5: [4, 6, 7], 6: [5, 7], 7: [5, 6]}
    weights = {i: [1.0 + 0.7 * j + 0.3 * i for j in range(len(nb))] for i, nb in neighbors.items()}
    w = libpysal.weights.W(neighbors, weights)
    from observatorio.analysis.weights import transformed

    sparse = transformed(w, transformation).sparse.tocsr()
    perms = 20000
    r = moran.local_moran(y, w, transformation=transformation, permutations=perms, seed=5)
    for i in range(8):
        exact = _exact_local_p(y, sparse, i)
        assert abs(r.p_sim[i] - exact) < 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms, i


def test_lisa_statistics_and_quadrants_match_esda(columbus, queen):
    y = columbus["CRIME"].to_numpy()
    ours = moran.local_moran(y, queen, permutations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(y, _esda_w(queen), permutations=0)
    np.testing.assert_allclose(ours.Is, ref.Is, rtol=0, atol=EXACT)
    assert list(ours.quadrant) == [ESDA_Q[q] for q in ref.q]


def test_lisa_pseudo_p_values_agree_with_esda_in_distribution(columbus, queen):
    # Different generators, same conditional-permutation null: with 9999 draws each,
    # the two estimates of the same p differ by Monte Carlo error only.
    y = columbus["CRIME"].to_numpy()
    perms = 9999
    ours = moran.local_moran(y, queen, permutations=perms, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(y, _esda_w(queen), permutations=perms, seed=1)
    p = (ours.p_sim + ref.p_sim) / 2
    tol = 5 * np.sqrt(2 * p * (1 - p) / perms) + 2 / (perms + 1)
    assert np.all(np.abs(ours.p_sim - ref.p_sim) <= tol)
    assert np.mean(ours.significant(0.05) == (ref.p_sim < 0.05)) >= 0.95


def test_eb_rate_and_moran_rate_match_esda(sids, queen):
    w = contiguity(sids.geometry, kind="queen")
    e, b = sids["SID79"].to_numpy(), sids["BIR79"].to_numpy()
    np.testing.assert_allclose(moran.eb_standardised_rate(e, b), esda.smoothing.assuncao_rate(e, b),
                               rtol=0, atol=EXACT)
    ours = moran.global_moran_rate(e, b, w, permutations=0)
    ref = esda.Moran_Rate(e, b, _esda_w(w), permutations=0)
    assert ours.i == pytest.approx(ref.I, abs=EXACT)
    assert ours.z_rand == pytest.approx(ref.z_rand, abs=EXACT)
    lo = moran.local_moran_rate(e, b, w, permutations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lref = esda.Moran_Local_Rate(e, b, _esda_w(w), permutations=0)
    np.testing.assert_allclose(lo.Is, lref.Is, rtol=0, atol=EXACT)
    assert list(lo.quadrant) == [ESDA_Q[q] for q in lref.q]


def test_same_seed_same_p_and_inputs_untouched(columbus, queen):
    y = columbus["CRIME"].to_numpy().copy()
    y_before = y.copy()
    a = moran.local_moran(y, queen, permutations=199, seed=3)
    b = moran.local_moran(y, queen, permutations=199, seed=3)
    c = moran.local_moran(y, queen, permutations=199, seed=4)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert not np.array_equal(a.p_sim, c.p_sim)
    assert queen.transform == "O"
    np.testing.assert_array_equal(y, y_before)
    g1 = moran.global_moran(y, queen, permutations=99, seed=3)
    assert g1.p_sim == moran.global_moran(y, queen, permutations=99, seed=3).p_sim
    assert queen.transform == "O"


def test_clusters_filter_by_significance(columbus, queen):
    r = moran.local_moran(columbus["CRIME"].to_numpy(), queen, permutations=999, seed=2)
    cl = r.clusters(0.05)
    sig = r.p_sim < 0.05
    assert all(q is Quadrant.NS for q in cl[~sig])
    assert all(q is r.quadrant[i] for i, q in enumerate(cl) if sig[i])
    assert sig.any() and (~sig).any()
    # Columbus crime has a known high-high core: significant HH areas must exist.
    assert (cl == Quadrant.HH).sum() >= 3
    assert all(isinstance(q, Quadrant) for q in cl) and not hasattr(Quadrant.HH, "label")


def test_island_gets_p_one():
    w = libpysal.weights.W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2], 4: []}, silence_warnings=True)
    r = moran.local_moran([1.0, 2.0, 3.0, 4.0, 9.0], w, permutations=99, seed=0)
    assert r.Is[4] == 0.0 and r.p_sim[4] == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"transformation": "x"}, "transformation"),
        ({"permutations": -1}, "permutations"),
    ],
    ids=["bad-transformation", "negative-permutations"],
)
def test_bad_parameters_raise(columbus, queen, kwargs, match):
    with pytest.raises(ValueError, match=match):
        moran.local_moran(columbus["CRIME"].to_numpy(), queen, **kwargs)


@pytest.mark.parametrize(
    "values, match",
    [(np.ones(49), "constant"), (np.arange(10.0), "49 areas"), (np.r_[np.nan, np.arange(48.0)], "NaN")],
    ids=["constant", "wrong-length", "nan"],
)
def test_bad_values_raise(queen, values, match):
    with pytest.raises(ValueError, match=match):
        moran.global_moran(values, queen)


def test_eb_rate_rejects_zero_population():
    with pytest.raises(ValueError, match="population"):
        moran.eb_standardised_rate([1, 2], [10, 0])


# --------------------------------------------------------------------------- ties, FDR and islands


def test_area_at_the_mean_is_never_significant():
    # z_i = 0: every simulated Ii is 0 = Ii. esda folds the all-tie case to 1/(P + 1).
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])  # area 3 holds the mean, 4
    w = knn(np.arange(7.0), np.zeros(7), k=2)
    ours = moran.local_moran(y, w, permutations=99, seed=0)
    assert ours.Is[3] == 0 and ours.p_sim[3] == 1.0
    assert not ours.significant(0.05)[3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notice about its coming two-sided default
        ref = esda.Moran_Local(y, _esda_w(w), permutations=99, seed=0)
    assert ref.p_sim[3] == pytest.approx(0.01)


def test_local_ties_in_values_converge_to_exact_enumeration():
    # Counts with many repeated values: many simulated lags tie the observed one.
    y = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0])
    neighbors = {0: [1, 2], 1: [0, 2, 3], 2: [0, 1, 3], 3: [1, 2, 4], 4: [3, 5], 5: [4, 6, 7], 6: [5, 7], 7: [5, 6]}
    w = libpysal.weights.W(neighbors)
    from observatorio.analysis.weights import transformed

    sparse = transformed(w, "r").sparse.tocsr()
    perms = 20000
    r = moran.local_moran(y, w, permutations=perms, seed=2)
    for i in range(8):
        exact = _exact_local_p(y, sparse, i)
        assert abs(r.p_sim[i] - exact) < 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms, i
    # Area 0 (value 0, neighbours 0 and 0): its Ii is the largest possible and ties every draw of two of the
    # five other zeros, C(5, 2) / C(7, 2) = 10/21 of them: not significant.
    assert _exact_local_p(y, sparse, 0) == pytest.approx(10 / 21) and r.p_sim[0] > 0.4


def test_global_ties_converge_to_exact_enumeration():
    # A 0/1 variable: the 7!/(5!2!) = 21 distinct labellings give few distinct values of I, hence ties.
    y = np.array([0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    w = knn(np.arange(7.0), np.zeros(7), k=2)
    sims, obs, exact = _exact_global(y, w)
    assert np.mean(np.isclose(sims, obs)) > 0.05  # the case does tie
    perms = 20000
    r = moran.global_moran(y, w, permutations=perms, seed=3)
    assert abs(r.p_sim - exact) < 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms


def test_lisa_fdr_is_benjamini_hochberg_over_areas_with_neighbours(columbus, queen):
    from observatorio.analysis.fdr import benjamini_hochberg

    r = moran.local_moran(columbus["CRIME"].to_numpy(), queen, permutations=999, seed=0)
    for alpha in (0.05, 0.1):
        expected = benjamini_hochberg(r.p_sim, alpha).reject
        np.testing.assert_array_equal(r.significant(alpha, fdr=True), expected)
        assert r.significant(alpha, fdr=True).sum() <= r.significant(alpha).sum()
        cl = r.clusters(alpha, fdr=True)
        assert all((c == Quadrant.NS) != s for c, s in zip(cl, expected))


def test_islands_excluded_from_fdr_and_treated_alike_by_moran_and_lisa():
    w = libpysal.weights.W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2, 5], 4: [], 5: [3], 6: []}, silence_warnings=True)
    y = np.array([1.0, 2.0, 3.0, 4.0, 9.0, 6.0, 0.0])
    local = moran.local_moran(y, w, permutations=99, seed=0)
    glob = moran.global_moran(y, w, permutations=0)
    assert local.island.tolist() == [False, False, False, False, True, False, True]
    assert (local.p_sim[local.island] == 1).all() and (local.Is[local.island] == 0).all()
    assert (moran.Quadrant.NS == local.clusters(0.5, fdr=True)[local.island]).all()
    # Both keep islands in n, the mean and the variance: sum_i Ii = (n - 1) S0 / n · I, S0 = areas with neighbours.
    n, s0 = 7, 5
    assert local.Is.sum() == pytest.approx((n - 1) * s0 / n * glob.i, rel=1e-12)
    # and both equal esda, which does the same.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert glob.i == pytest.approx(esda.Moran(y, _esda_w(w), permutations=0).I, rel=1e-12)
        np.testing.assert_allclose(local.Is, esda.Moran_Local(y, _esda_w(w), permutations=0).Is, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(shape=SHAPES, events=EVENTS, transformation=st.sampled_from(["r", "b"]), seed=st.integers(0, 2**16))
def test_property_lisa_of_an_empty_neighbourhood_on_sparse_areas_is_never_significant(shape, events, transformation,
                                                                                       seed):
    # Issue #13's property for LISA: where a random neighbourhood is all zero more often than not (here at least
    # 60 %, so that 999 draws cannot stray below half), every such draw ties the observed Ii, so p_sim >= 0.5.
    y, w, sparse, p_all_zero = sparse_lattice(shape, events)
    empty = sparse @ y == 0
    assume(empty.any() and (p_all_zero[empty] >= 0.6).all())
    r = moran.local_moran(y, w, transformation=transformation, permutations=999, seed=seed)
    assert (r.p_sim[empty] >= 0.5).all()
    assert not r.significant(0.05)[empty].any() and not r.significant(0.05, fdr=True)[empty].any()
