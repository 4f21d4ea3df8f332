"""Typology: planted clusters recovered, silhouette picks the planted k, max-p regions contiguous and above the floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

libpysal = pytest.importorskip("libpysal")

from observatorio.analysis import typology as ty  # noqa: E402

EXACT = 1e-12
INDICATORS = ["robos", "vif", "incivilidades", "pobreza"]
CENTRES = np.array([[4.0, 0, 0, 0], [0, 4.0, 0, -4.0], [-4.0, -4.0, 0, 4.0], [0, 0, 5.0, 0]])


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(9)
    truth = np.repeat(np.arange(4), 10)
    x = CENTRES[truth] + rng.normal(scale=0.3, size=(40, 4))
    table = pd.DataFrame(x, columns=INDICATORS, index=[f"UV{i:02d}" for i in range(40)])
    return table, truth


@pytest.mark.parametrize("method", ["kmeans", "ward"], ids=["kmeans", "ward"])
def test_well_separated_clusters_recovered_and_k_chosen(planted, method):
    table, truth = planted
    r = ty.typology(table, method=method, k_range=(2, 7), seed=3, n_init=4)
    assert r.k == 4
    assert max(r.silhouettes, key=r.silhouettes.get) == 4
    assert set(r.silhouettes) == set(range(2, 8))
    assert adjusted_rand_score(truth, r.labels) == 1.0
    assert list(r.labels.index) == list(table.index)


def test_given_k_and_profiles(planted):
    table, truth = planted
    r = ty.typology(table, k=4, seed=0, n_init=4)
    assert r.silhouettes == {}
    z = StandardScaler().fit_transform(table)
    np.testing.assert_allclose(r.zscores.to_numpy(), z, atol=EXACT)
    # Profiles are the mean z per type; types are numbered by first appearance, like truth here.
    expected = pd.DataFrame(z, columns=INDICATORS).groupby(truth).mean()
    np.testing.assert_allclose(r.profiles.to_numpy(), expected.to_numpy(), atol=EXACT)
    assert r.distinctive[0].high[0] == "robos"
    assert "pobreza" in r.distinctive[1].low and "vif" in r.distinctive[1].high
    assert r.distinctive[3] == ty.Distinctive(high=("incivilidades",), low=())


def test_kmeans_is_reproducible_with_seed_and_input_untouched(planted):
    table, _ = planted
    before = table.copy()
    a = ty.typology(table, k=3, seed=5, n_init=4)
    b = ty.typology(table, k=3, seed=5, n_init=4)
    pd.testing.assert_series_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(table, before)


def test_distinctive_hand_case():
    p = pd.DataFrame({"a": [2.0, 0.1], "b": [1.0, 0.0], "c": [0.6, -0.2], "d": [-1.5, 0.3]})
    assert ty.distinctive(p, top=2) == {0: ty.Distinctive(("a", "b"), ("d",)), 1: ty.Distinctive((), ())}
    assert ty.distinctive(p, top=3)[0] == ty.Distinctive(("a", "b", "c"), ("d",))


def _lattice_table():
    """A 6 × 5 lattice whose west half is high on robos and east half low, population 100 per area."""
    rng = np.random.default_rng(1)
    cols = np.tile(np.arange(5), 6)
    west = cols < 2
    x = np.where(west[:, None], [3.0, 0.0], [0.0, 3.0]) + rng.normal(scale=0.1, size=(30, 2))
    return pd.DataFrame(x, columns=["robos", "ingreso"]), west


def test_spatial_typology_regions_contiguous_and_above_floor():
    table, _ = _lattice_table()
    w = libpysal.weights.lat2W(6, 5, rook=True)
    pop = np.full(30, 100.0)
    r = ty.spatial_typology(table, w, pop, floor=400, seed=2, max_iterations_construction=10, max_iterations_sa=3)
    labels = r.labels.to_numpy()
    assert r.method == "maxp" and r.k == len(np.unique(labels)) >= 2
    adj = w.sparse
    for region in np.unique(labels):
        members = np.flatnonzero(labels == region)
        assert pop[members].sum() >= 400
        n_parts, _ = connected_components(adj[members][:, members], directed=False)
        assert n_parts == 1, f"region {region} is not contiguous"
    assert w.transform == "O"


def test_spatial_typology_reproducible_and_global_rng_untouched():
    table, _ = _lattice_table()
    w = libpysal.weights.lat2W(6, 5, rook=True)
    state = np.random.get_state()[1].copy()
    kw = dict(floor=400, seed=7, max_iterations_construction=5, max_iterations_sa=2)
    a = ty.spatial_typology(table, w, np.full(30, 100.0), **kw)
    b = ty.spatial_typology(table, w, np.full(30, 100.0), **kw)
    pd.testing.assert_series_equal(a.labels, b.labels)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "kmedoids"}, "method"),
        ({"k": 0}, "k=0"),
        ({"k_range": (1, 3)}, "k_range"),
        ({"k_range": (2, 40)}, "k_range"),
    ],
    ids=["bad-method", "k-zero", "k-range-low", "k-range-high"],
)
def test_bad_parameters_raise(planted, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ty.typology(planted[0], **kwargs)


def test_bad_tables_raise():
    with pytest.raises(ValueError, match="constant"):
        ty.standardise(pd.DataFrame({"a": [1.0, 1.0], "b": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="missing"):
        ty.standardise(pd.DataFrame({"a": [1.0, np.nan]}))
    table, _ = _lattice_table()
    w = libpysal.weights.lat2W(6, 5)
    with pytest.raises(ValueError, match="floor"):
        ty.spatial_typology(table, w, np.full(30, 10.0), floor=1000)
    islands = libpysal.weights.W({i: [] for i in range(30)}, silence_warnings=True)
    with pytest.raises(ValueError, match="components"):
        ty.spatial_typology(table, islands, np.full(30, 100.0), floor=100)
