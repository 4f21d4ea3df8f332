"""Gi* by convolution against esda.G_Local(star=True, transform="B") on the same lattice."""

import warnings
from math import comb

import numpy as np
import pytest
from esda import G_Local
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from libpysal.weights import DistanceBand, W

from observatorio.analysis.gistar import (
    GiBin,
    gi_bins,
    gi_star,
    gi_star_points,
    gi_star_space_time,
    neighbourhood_kernel,
)
from observatorio.analysis.grid import Grid

Z_TOL = 1e-9
GRID = Grid(351_200.0, 6_289_400.0, 100.0, 17, 23, 32719)


def _counts(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(rng.gamma(1.0, 2.0, size=GRID.shape)).astype(float)


def _esda(values, mask, distance, **kwargs):
    xs, ys = GRID.centres()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands / disconnected components
        w = DistanceBand(np.c_[xs[mask], ys[mask]], threshold=distance, binary=True, silence_warnings=True)
        return G_Local(values[mask], w, transform="B", star=True, **kwargs)


@pytest.mark.parametrize("distance", [100, 150, 250, 300, 450], ids=lambda d: f"d{d}")
@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
def test_z_matches_esda_g_local_star(distance, masked):
    values = _counts(distance)
    mask = np.random.default_rng(7).random(GRID.shape) < 0.75 if masked else np.ones(GRID.shape, bool)
    ours = gi_star(values, GRID.cell, distance, mask=mask if masked else None)
    ref = _esda(values, mask, distance, permutations=0)
    np.testing.assert_allclose(ours.z[mask], ref.Zs, rtol=0, atol=Z_TOL)
    np.testing.assert_array_equal(ours.n_neighbours[mask], np.asarray(ref.w.sparse.sum(axis=1)).ravel())
    assert np.isnan(ours.z[~mask]).all()


@pytest.mark.parametrize(
    ("cell", "distance", "cells"),
    [(100, 0, 1), (100, 99, 1), (100, 100, 5), (100, 150, 9), (100, 200, 13), (100, 300, 29), (50, 300, 113)],
    ids=["zero", "below-cell", "rook", "queen", "r2", "r3", "fine"],
)
def test_kernel_counts_lattice_points_in_the_disc(cell, distance, cells):
    k = neighbourhood_kernel(cell, distance)
    assert int(k.sum()) == cells
    assert k[k.shape[0] // 2, k.shape[1] // 2]


def test_edge_cells_have_fewer_neighbours():
    r = gi_star(_counts(1), 100, 300)
    assert r.n_neighbours[0, 0] == 11  # lattice points (i, j >= 0) with i² + j² <= 9, itself included
    assert r.n_neighbours[8, 11] == 29


def test_permutation_p_values_agree_with_esda_within_monte_carlo_error():
    # Continuous values: no simulated lag ties the observed one, where our tie rule and esda's agree.
    values = np.random.default_rng(3).gamma(1.0, 2.0, size=GRID.shape)
    mask = np.ones(GRID.shape, bool)
    ours = gi_star(values, 100, 300, permutations=999, seed=11)
    ref = _esda(values, mask, 300, permutations=999, seed=11)
    diff = np.abs(ours.p_sim.ravel() - ref.p_sim)
    # Two independent 999-permutation estimates: per-cell SE <= sqrt(2 * .25 / 999) ~ 0.022.
    assert diff.mean() < 0.02
    assert diff.max() < 0.1
    assert ours.p_sim.min() >= 1 / 1000
    assert ours.p_sim.max() <= 0.5 + 1 / 1000


def test_permutations_are_reproducible_by_seed():
    values = _counts(4)
    a = gi_star(values, 100, 250, permutations=199, seed=5).p_sim
    b = gi_star(values, 100, 250, permutations=199, seed=5).p_sim
    c = gi_star(values, 100, 250, permutations=199, seed=6).p_sim
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_strong_cluster_is_hot_under_both_inferences():
    values = np.random.default_rng(8).poisson(1.0, GRID.shape).astype(float)
    values[6:9, 10:13] += 15
    r = gi_star(values, 100, 150, permutations=499, seed=1)
    assert r.bins()[7, 11] == GiBin.HOT_99
    assert r.bins(inference="permutation")[7, 11] == GiBin.HOT_99
    assert r.p_sim[7, 11] == pytest.approx(1 / 500)


def test_points_convenience_equals_grid_counts():
    rng = np.random.default_rng(9)
    x = np.r_[rng.uniform(0, 2000, 500), rng.normal(800, 60, 300)] + 350_000
    y = np.r_[rng.uniform(0, 1500, 500), rng.normal(700, 60, 300)] + 6_290_000
    r = gi_star_points(x, y, cell=100, distance=300, epsg=32719, margin=200)
    grid = Grid.covering(x, y, cell=100, epsg=32719, margin=200)
    assert r.grid == grid
    np.testing.assert_allclose(r.z, gi_star(grid.counts(x, y), 100, 300).z, atol=Z_TOL)
    frame = r.to_frame()
    assert len(frame) == grid.size and frame["value"].sum() == 800
    top = frame.loc[frame["z"].idxmax()]
    assert abs(top["x"] - 350_800) < 200 and abs(top["y"] - 6_290_700) < 200


def test_inputs_are_not_mutated():
    values = _counts(10)
    mask = np.ones(GRID.shape, bool)
    mask[0] = False
    before_v, before_m = values.copy(), mask.copy()
    gi_star(values, 100, 300, mask=mask, permutations=9, seed=1)
    np.testing.assert_array_equal(values, before_v)
    np.testing.assert_array_equal(mask, before_m)


def test_constant_values_give_nan_not_zero_division():
    r = gi_star(np.full((5, 5), 3.0), 100, 150)
    assert np.isnan(r.z).all()
    assert (r.bins() == 0).all()


@pytest.mark.parametrize(
    ("z", "p", "expected"),
    [
        ([3.0, -3.0], [0.0027, 0.0027], [3, -3]),
        ([2.0, -2.0], [0.0455, 0.0455], [2, -2]),
        ([1.7, -1.7], [0.0891, 0.0891], [1, -1]),
        ([0.5, np.nan], [0.617, np.nan], [0, 0]),
    ],
    ids=["99", "95", "90", "none"],
)
def test_gi_bins_by_confidence(z, p, expected):
    assert gi_bins(z, p).tolist() == expected


def test_gi_bins_with_fdr_is_stricter_and_follows_bh_per_level():
    rng = np.random.default_rng(12)
    z = rng.normal(0, 1.5, 500)
    from scipy import stats

    p = 2 * stats.norm.sf(np.abs(z))
    raw, corrected = gi_bins(z, p), gi_bins(z, p, fdr=True)
    assert (np.abs(corrected) <= np.abs(raw)).all()
    assert (np.abs(corrected) < np.abs(raw)).any()
    q = stats.false_discovery_control(p)
    expected = np.sign(z) * np.select([q <= 0.01, q <= 0.05, q <= 0.10], [3, 2, 1], 0)
    np.testing.assert_array_equal(corrected, expected)


def test_gi_bins_are_arcgis_codes_without_labels():
    # Labels live with the interface (observatorio/labels.py); the enum is ArcGIS's Gi_Bin code and nothing more.
    assert [int(b) for b in GiBin] == [-3, -2, -1, 0, 1, 2, 3]
    assert GiBin(3) is GiBin.HOT_99 and GiBin(-1) is GiBin.COLD_90
    assert not hasattr(GiBin.HOT_99, "label_es")


@pytest.mark.parametrize("window", [0, 1, 3], ids=lambda k: f"k{k}")
def test_space_time_matches_esda_with_the_same_asymmetric_weights(window):
    rng = np.random.default_rng(window)
    cube = rng.poisson(2.0, size=(5, 6, 7)).astype(float)
    mask = rng.random((6, 7)) < 0.8
    bins = [(t, r, c) for t in range(5) for r in range(6) for c in range(7) if mask[r, c]]
    pos = {b: i for i, b in enumerate(bins)}
    neighbours = {
        pos[(t, r, c)]: [
            pos[(s, rr, cc)] for (s, rr, cc) in bins if t - window <= s <= t and (rr - r) ** 2 + (cc - c) ** 2 <= 2
        ]
        for (t, r, c) in bins
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(neighbours, {i: [1.0] * len(js) for i, js in neighbours.items()}, silence_warnings=True)
        ref = G_Local(np.array([cube[b] for b in bins]), w, transform="B", star=True, permutations=0)
    z, p = gi_star_space_time(cube, 100, 150, window, mask=mask)
    np.testing.assert_allclose([z[b] for b in bins], ref.Zs, rtol=0, atol=Z_TOL)
    assert np.isnan(z[:, ~mask]).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(values=np.zeros((3, 3, 3)), cell=100, distance=100), "2-D"),
        (dict(values=np.zeros((3, 3)), cell=0, distance=100), "cell"),
        (dict(values=np.zeros((3, 3)), cell=100, distance=-1), "distance"),
        (dict(values=np.zeros((3, 3)), cell=100, distance=100, mask=np.ones((2, 2), bool)), "mask"),
        (dict(values=np.full((3, 3), np.nan), cell=100, distance=100), "NaN"),
        (dict(values=np.zeros((3, 3)), cell=100, distance=100, permutations=-5), "permutations"),
        (dict(values=np.zeros((1, 1)), cell=100, distance=100), "at least 2"),
    ],
    ids=["3d", "cell", "distance", "mask", "nan", "perms", "tiny"],
)
def test_bad_input_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gi_star(**kwargs)


def test_bad_inference_name():
    with pytest.raises(ValueError, match="'normal', 'permutation'"):
        gi_star(_counts(1), 100, 100).bins(inference="bootstrap")


# --------------------------------------------------------------------------- ties in the permutation test


def _exact_gi_p(values, cell, distance):
    """Exact conditional-permutation p of every cell: all subsets of W_i - 1 other cells (binary weights)."""
    from itertools import combinations

    r = gi_star(values, cell, distance)
    flat = values.ravel()
    lag = r.lag.ravel()
    k = r.n_neighbours.ravel().astype(int) - 1
    exact = np.empty(flat.size)
    for i in range(flat.size):
        others = np.delete(flat, i)
        sims = np.array([others[list(c)].sum() for c in combinations(range(flat.size - 1), k[i])]) + flat[i]
        exact[i] = min(np.mean(sims >= lag[i]), np.mean(sims <= lag[i]))
    return exact.reshape(values.shape)


def test_sparse_grid_exact_enumeration_and_empty_neighbourhoods_not_significant():
    # 5 × 5 grid, rook neighbourhood (4 others at most), two events: most neighbourhoods are empty.
    values = np.zeros((5, 5))
    values[1, 1] = 3.0
    values[3, 4] = 1.0
    exact = _exact_gi_p(values, 100, 100)
    perms = 20000
    r = gi_star(values, 100, 100, permutations=perms, seed=4)
    tol = 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms
    assert (np.abs(r.p_sim - exact) < tol).all()
    empty = r.lag == 0
    assert empty.sum() == 16
    # An empty neighbourhood: every draw is >= 0 and a draw ties 0 when its k cells avoid both events,
    # C(22, k) / C(24, k): 0.688 inside (k = 4), 0.761 on an edge (k = 3), 0.837 in a corner (k = 2).
    k = r.n_neighbours[empty].astype(int) - 1
    np.testing.assert_allclose(exact[empty], [comb(22, j) / comb(24, j) for j in k], rtol=1e-12)
    assert (r.p_sim[empty] >= 0.65).all()
    bins = r.bins(inference="permutation")
    assert (bins[empty] == 0).all()
    # Folded two-sided: 1 wherever p_sim >= 0.5.
    assert (np.minimum(1, 2 * r.p_sim[empty]) == 1).all()


def test_esda_marks_the_same_empty_neighbourhoods_as_cold_spots():
    # The flaw this rule fixes: esda counts the tie 0 = 0 only as 'larger', folds, and gets 1/(P + 1).
    values = np.zeros(GRID.shape)
    values[3, 4] = values[10, 15] = values[12, 2] = 1.0
    mask = np.ones(GRID.shape, bool)
    ref = _esda(values, mask, 150, permutations=99, seed=1)
    ours = gi_star(values, 100, 150, permutations=99, seed=1)
    empty = (ours.lag == 0).ravel()
    assert np.all(ref.p_sim[empty] == 0.01)
    assert np.all(ours.p_sim.ravel()[empty] > 0.8)
    assert (ours.bins(inference="permutation").ravel()[empty] == 0).all()


def test_empty_neighbourhood_on_a_dense_grid_is_a_genuine_cold_spot():
    # Every other cell holds events: no draw of neighbours can give 0, so 0 is the extreme and p = 1/(P + 1).
    values = np.full((6, 6), 5.0)
    values[2:5, 2:5] = 0.0
    r = gi_star(values, 100, 150, permutations=999, seed=2)
    assert r.lag[3, 3] == 0
    assert r.p_sim[3, 3] == pytest.approx(1 / 1000)
    assert r.bins(inference="permutation")[3, 3] == GiBin.COLD_99


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(5, 12), st.integers(5, 12)),
    events=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(1, 9)), min_size=1, max_size=4),
    distance=st.sampled_from([100, 150]),
    seed=st.integers(0, 2**16),
)
def test_property_empty_neighbourhood_on_a_sparse_grid_is_never_significant(shape, events, distance, seed):
    values = np.zeros(shape)
    for row, col, count in events:
        values[row % shape[0], col % shape[1]] += count
    r = gi_star(values, 100, distance, permutations=199, seed=seed)
    empty = r.lag == 0
    n = values.size
    nonzero = int((values > 0).sum())
    # Sparse, as in the issue: for every empty neighbourhood, most random neighbourhoods of its size are empty too.
    k = r.n_neighbours[empty].astype(int) - 1
    p_all_zero = np.array([comb(n - 1 - nonzero, j) / comb(n - 1, j) for j in k])
    assume(empty.any() and (p_all_zero >= 0.5).all())
    assert (np.minimum(1.0, 2.0 * r.p_sim[empty]) >= 0.5).all()
    assert (r.bins(inference="permutation")[empty] == 0).all()
    assert (r.bins(inference="permutation", fdr=True)[empty] == 0).all()
