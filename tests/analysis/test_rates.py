"""Rates and Empirical-Bayes smoothing, checked against esda on the same input."""

import copy

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal.weights import W, lat2W

from observatorio.analysis.rates import count_by_area_period, crude_rate, eb_global, eb_local

RTOL = 1e-9


def _areas(seed, n=25):
    rng = np.random.default_rng(seed)
    pop = rng.integers(300, 20_000, n).astype(float)
    risk = rng.gamma(4.0, 0.004 / 4.0, n)  # heterogeneous true rates, so s² > 0
    events = rng.poisson(risk * pop).astype(float)
    return events, pop


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["s1", "s2", "s3"])
def test_eb_global_matches_esda(seed):
    e, b = _areas(seed)
    ours = eb_global(e, b, per=1)
    assert ours.prior_variance[0] > 0, "the comparison is only meaningful when esda does not need clipping"
    ref = Empirical_Bayes(e, b).r.ravel()
    np.testing.assert_allclose(ours.smoothed, ref, rtol=RTOL, atol=0)


def test_eb_global_scales_with_per():
    e, b = _areas(4)
    np.testing.assert_allclose(eb_global(e, b, per=100_000).smoothed, eb_global(e, b, per=1).smoothed * 1e5, rtol=RTOL)


def test_eb_global_negative_variance_is_clipped_to_the_global_rate():
    # Rates 2/1000 and 4/1000 → m = 3/1000, Σb(r−m)²/Σb = 1e-6, m/b̄ = 3e-6: s² < 0 → 0.
    r = eb_global([2, 4], [1000, 1000], per=1_000)
    assert r.prior_variance.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(r.smoothed, [3.0, 3.0], rtol=RTOL)
    assert r.shrinkage.tolist() == [0.0, 0.0]


def test_eb_global_hand_computed():
    # m = 0.01; Σb(r−m)²/Σb = (100·0.01² + 100·0.01²)/200 = 1e-4; m/b̄ = 1e-4 ... make b̄ larger:
    # e = [0, 20], b = [1000, 1000]: r = [0, .02], m = .01, spread = 1e-4, m/b̄ = 1e-5, s² = 9e-5,
    # w = 9e-5 / (9e-5 + 1e-5) = 0.9 → r̂ = [.001, .019].
    r = eb_global([0, 20], [1000, 1000], per=1)
    np.testing.assert_allclose(r.prior_variance, [9e-5, 9e-5], rtol=RTOL)
    np.testing.assert_allclose(r.shrinkage, [0.9, 0.9], rtol=RTOL)
    np.testing.assert_allclose(r.smoothed, [0.001, 0.019], rtol=RTOL)


def test_eb_global_no_events_is_all_zero():
    r = eb_global([0, 0, 0], [10, 20, 30])
    assert r.smoothed.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("seed", [5, 6], ids=["s5", "s6"])
def test_eb_local_matches_esda_with_w(seed):
    e, b = _areas(seed)
    w = lat2W(5, 5)
    before = copy.deepcopy(w.neighbors), w.transform
    ours = eb_local(e, b, w, per=1)
    assert (w.neighbors, w.transform) == before, "the caller's W must not change"
    ref = Spatial_Empirical_Bayes(e, b, copy.deepcopy(w)).r.ravel()
    np.testing.assert_allclose(ours.smoothed, ref, rtol=RTOL, atol=0)


def test_eb_local_dict_series_and_string_ids_match_esda():
    e, b = _areas(7, n=9)
    base = lat2W(3, 3)
    names = [f"UV{i:02d}" for i in range(9)]
    nb = {names[i]: [names[j] for j in base.neighbors[i]] for i in range(9)}
    # A row-standardised dict of weights gives the same answer: only adjacency counts.
    nb_weighted = {k: {j: 1 / len(v) for j in v} for k, v in nb.items()}
    shuffled = list(reversed(names))
    es = pd.Series(e, index=names).loc[shuffled]
    bs = pd.Series(b, index=names).loc[shuffled]
    ref = pd.Series(Spatial_Empirical_Bayes(e, b, W(nb, id_order=names)).r.ravel(), index=names).loc[shuffled]
    for neighbours in (nb, nb_weighted):
        ours = eb_local(es, bs, neighbours, per=1)
        np.testing.assert_allclose(ours.smoothed, ref.to_numpy(), rtol=RTOL, atol=0)


def test_eb_local_island_keeps_own_rate():
    # An island's neighbourhood is itself: m = r, so the smoothed rate is its crude rate.
    r = eb_local([5, 1, 3], [1000, 800, 900], {0: [], 1: [2], 2: [1]}, per=1_000)
    assert r.smoothed[0] == pytest.approx(5.0, rel=RTOL)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: eb_global([1, 2], [10, 0]), "population must be positive"),
        (lambda: eb_global([1, 2], [10, 20], per=10), "per=10 is not allowed"),
        (lambda: eb_global([1, -2], [10, 20]), "non-negative"),
        (lambda: eb_global([1, 2, 3], [10, 20]), "differ in length"),
        (lambda: eb_local([1, 2], [10, 20], {0: [1]}), "no entry in neighbours"),
        (lambda: eb_local([1, 2], [10, 20], {0: [5], 1: []}), "neighbour 5"),
        (lambda: eb_local([1, 2], [10, 20], [[1], [0]]), "must be a dict"),
    ],
    ids=["zero-pop", "bad-per", "negative", "length", "missing-id", "unknown-nb", "bad-type"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_crude_rate():
    np.testing.assert_allclose(crude_rate([3, 0, 5], [1500, 2000, 0], per=100_000), [200.0, 0.0, np.nan])


def test_inputs_not_mutated():
    e = np.array([2.0, 40.0, 30.0, 1.0])
    b = np.array([1000.0, 5000.0, 10000.0, 200.0])
    nb = {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}
    saved = e.copy(), b.copy(), copy.deepcopy(nb)
    eb_global(e, b)
    eb_local(e, b, nb)
    assert np.array_equal(e, saved[0]) and np.array_equal(b, saved[1]) and nb == saved[2]


def test_count_by_area_period_fills_gaps_and_areas():
    ev = pd.DataFrame(
        {
            "uv": ["A", "A", "B", "A", None],
            "fecha": pd.to_datetime(["2024-01-31 23:00", "2024-04-01 00:00", "2024-01-01 08:00", "2024-04-30 10:00", "2024-02-01 00:00"]),
        }
    )
    t = count_by_area_period(ev, area="uv", date="fecha", freq="quarter", areas=["A", "B", "C"])
    assert [str(p) for p in t.columns] == ["2024Q1", "2024Q2"]
    assert t.loc["A"].tolist() == [1, 2] and t.loc["B"].tolist() == [1, 0] and t.loc["C"].tolist() == [0, 0]
    weeks = count_by_area_period(ev, area="uv", date="fecha", freq="week")
    # 2024-01-01 was a Monday: the Monday–Sunday week containing it starts that day.
    assert str(weeks.columns[0]).startswith("2024-01-01")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"freq": "fortnight"}, "freq='fortnight'"), ({"area": "zona"}, "column 'zona'"), ({"areas": ["B"]}, "not in areas")],
    ids=["freq", "column", "unknown-area"],
)
def test_count_by_area_period_rejects(kwargs, match):
    ev = pd.DataFrame({"uv": ["A", "B"], "fecha": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    args = {"area": "uv", "date": "fecha"} | kwargs
    with pytest.raises(ValueError, match=match):
        count_by_area_period(ev, **args)


def test_docstring_examples_run():
    import doctest

    from observatorio.analysis import rates

    result = doctest.testmod(rates, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
