"""Local G and G* on areas against esda.G_Local (columbus, stl, sids2), exact enumeration with ties, islands, FDR."""

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

from observatorio.analysis.fdr import benjamini_hochberg  # noqa: E402
from observatorio.analysis.gistar import GiBin, gi_bins, gi_star  # noqa: E402
from observatorio.analysis.localg import local_g  # noqa: E402
from observatorio.analysis.weights import contiguity, knn  # noqa: E402
from observatorio.errors import UserError  # noqa: E402

from .sparse_lattice import EVENTS, SHAPES, sparse_lattice  # noqa: E402

EXACT = 1e-9
DATASETS = {"columbus": ("columbus.shp", "CRIME"), "stl": ("stl_hom.shp", "HR8893"), "sids2": ("sids2.shp", "SIDR79")}


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request):
    path, column = DATASETS[request.param]
    df = gpd.read_file(libpysal.examples.get_path(path))
    return df[column].to_numpy(dtype=float), contiguity(df.geometry, kind="queen")


def _esda(y, w, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notes on row-standardised G* and its coming two-sided default
        return esda.G_Local(y, copy.deepcopy(w), **kwargs)


@pytest.mark.parametrize("star", [False, True], ids=["G", "Gstar"])
@pytest.mark.parametrize("transformation", ["b", "r"])
def test_statistic_and_z_equal_esda(dataset, star, transformation):
    y, w = dataset
    ours = local_g(y, w, star=star, transformation=transformation, permutations=0)
    ref = _esda(y, w, star=star, transform=transformation.upper(), permutations=0)
    np.testing.assert_allclose(ours.G, ref.Gs, rtol=0, atol=EXACT)
    np.testing.assert_allclose(ours.expected, ref.EGs, rtol=0, atol=EXACT)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=EXACT)
    # esda's p_norm is one-sided; ours is two-sided like Gi* on the grid.
    np.testing.assert_allclose(ours.p_norm, 2 * ref.p_norm, rtol=0, atol=EXACT)


@pytest.mark.parametrize("star", [False, True], ids=["G", "Gstar"])
def test_pseudo_p_agrees_with_esda_in_distribution(star):
    # Columbus CRIME is continuous: no simulated lag ties, where our tie rule and esda's agree.
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    y = df["CRIME"].to_numpy()
    w = contiguity(df.geometry, kind="queen")
    perms = 9999
    ours = local_g(y, w, star=star, permutations=perms, seed=1)
    ref = _esda(y, w, star=star, transform="B", permutations=perms, seed=1)
    p = (ours.p_sim + ref.p_sim) / 2
    tol = 4 * np.sqrt(2 * p * (1 - p) / perms) + 2 / perms
    assert np.all(np.abs(ours.p_sim - ref.p_sim) <= tol)


def test_gstar_binary_equals_gi_star_on_a_grid():
    # The same statistic: queen contiguity of unit squares is the 8-cell neighbourhood at distance 1.5 cells.
    from shapely.geometry import box

    rng = np.random.default_rng(4)
    values = rng.poisson(2.0, (6, 7)).astype(float)
    squares = [box(c, -r - 1, c + 1, -r) for r in range(6) for c in range(7)]
    ours = local_g(values.ravel(), contiguity(squares, kind="queen"), star=True, permutations=0)
    np.testing.assert_allclose(ours.z, gi_star(values, 100, 150).z.ravel(), rtol=0, atol=EXACT)


def _exact_p(y, neighbours, star, i):
    """Exact conditional-permutation p of area i: every subset of other areas as its neighbours (binary)."""
    others = np.delete(y, i)
    k = len(neighbours[i])
    own = y[i] if star else 0.0
    lags = np.array([others[list(c)].sum() for c in itertools.combinations(range(len(y) - 1), k)]) + own
    obs = y[neighbours[i]].sum() + own
    return min(np.mean(lags >= obs), np.mean(lags <= obs))


@pytest.mark.parametrize("star", [False, True], ids=["G", "Gstar"])
def test_sparse_counts_converge_to_exact_enumeration(star):
    # Counts with mostly zeros: many draws tie the observed lag.
    y = np.array([0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    neighbours = {0: [1, 3], 1: [0, 2, 4], 2: [1, 5], 3: [0, 4, 6], 4: [1, 3, 5, 7], 5: [2, 4, 8], 6: [3, 7],
                  7: [4, 6, 8], 8: [5, 7]}
    w = libpysal.weights.W(neighbours)
    perms = 20000
    r = local_g(y, w, star=star, permutations=perms, seed=7)
    exact = np.array([_exact_p(y, neighbours, star, i) for i in range(9)])
    tol = 4 * np.sqrt(exact * (1 - exact) / perms) + 2 / perms
    assert (np.abs(r.p_sim - exact) < tol).all()
    # Area 0, an empty neighbourhood: 0 is the least lag and C(6, 2) / C(8, 2) = 15/28 of the draws tie it.
    assert exact[0] == pytest.approx(15 / 28)
    assert r.bins()[0] == GiBin.NOT_SIGNIFICANT


def test_islands_are_not_tested():
    w = libpysal.weights.W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2], 4: []}, silence_warnings=True)
    y = np.array([1.0, 2.0, 3.0, 4.0, 50.0])
    r = local_g(y, w, star=True, permutations=99, seed=0)
    assert r.island.tolist() == [False, False, False, False, True]
    assert np.isnan(r.z[4]) and np.isnan(r.p_norm[4]) and r.p_sim[4] == 1.0
    assert r.bins()[4] == 0 and r.bins(inference="normal")[4] == 0 and r.bins(fdr=True)[4] == 0
    assert np.isfinite(r.z[:4]).all()


@pytest.mark.parametrize("inference", ["permutation", "normal"])
def test_bins_and_fdr(inference):
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    y = df["CRIME"].to_numpy()
    r = local_g(y, contiguity(df.geometry, kind="queen"), star=True, permutations=999, seed=0)
    p = np.minimum(1, 2 * r.p_sim) if inference == "permutation" else r.p_norm
    np.testing.assert_array_equal(r.bins(inference=inference), gi_bins(r.z, p))
    fdr = r.bins(fdr=True, inference=inference)
    np.testing.assert_array_equal(fdr, gi_bins(r.z, p, fdr=True))
    assert (np.abs(fdr) <= np.abs(r.bins(inference=inference))).all()
    assert (fdr != 0).sum() == benjamini_hochberg(p, 0.10).reject.sum()
    # Columbus crime has a hot core and a cold periphery.
    assert (r.bins() > 0).any() and (r.bins() < 0).any()


@pytest.mark.parametrize(
    "values, kwargs, match",
    [
        ([1.0, -2.0, 3.0, 4.0], {}, "non-negative"),
        ([1.0, np.nan, 3.0, 4.0], {}, "NaN"),
        ([2.0, 2.0, 2.0, 2.0], {}, "constant"),
        ([1.0, 2.0, 3.0, 4.0], {"transformation": "v"}, "transformation"),
        ([1.0, 2.0, 3.0, 4.0], {"permutations": -1}, "permutations"),
    ],
)
def test_bad_input(values, kwargs, match):
    w = knn(np.arange(4.0), np.zeros(4), k=1)
    with pytest.raises(UserError, match=match):
        local_g(values, w, **kwargs)


def test_weights_are_not_modified():
    w = knn(np.arange(6.0), np.zeros(6), k=2)
    before = (w.transform, copy.deepcopy(w.neighbors), copy.deepcopy(w.weights))
    r = local_g([1.0, 2, 3, 4, 5, 6], w, star=True, transformation="r", permutations=9)
    assert (w.transform, w.neighbors, w.weights) == before
    with pytest.raises(UserError, match="permutations > 0"):
        local_g([1.0, 2, 3, 4, 5, 6], w, permutations=0).bins()
    assert r.bins(inference="normal").dtype == np.int8


@settings(max_examples=30, deadline=None)
@given(shape=SHAPES, events=EVENTS, star=st.booleans(), seed=st.integers(0, 2**16))
def test_property_empty_neighbourhood_on_sparse_areas_is_never_significant(shape, events, star, seed):
    y, w, sparse, p_all_zero = sparse_lattice(shape, events)
    r = local_g(y, w, star=star, permutations=199, seed=seed)
    empty = sparse @ y + (y if star else 0) == 0
    # p_all_zero: the chance that a random neighbourhood is all 0, most draws on a sparse set of areas.
    assume(empty.any() and (p_all_zero[empty] >= 0.5).all())
    assert (np.minimum(1.0, 2.0 * r.p_sim[empty]) >= 0.5).all()
    assert (r.bins()[empty] == 0).all() and (r.bins(fdr=True)[empty] == 0).all()


def test_g_of_an_area_whose_others_are_all_zero_is_undefined_not_an_error():
    w = knn(np.arange(5.0), np.zeros(5), k=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = local_g([7.0, 0, 0, 0, 0], w, permutations=99, seed=0)
    assert np.isnan(r.G[0]) and np.isnan(r.z[0]) and r.bins()[0] == 0 and r.p_sim[0] == 1.0
    assert np.isfinite(r.z[1:]).all()
