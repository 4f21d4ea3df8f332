"""The tie rule of every permutation p-value, against esda's rule and hand-counted cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.analysis.permutation import folded, one_sided_p, pseudo_p, tail_counts


def _esda_rule(sim, observed):
    """esda's pseudo p (G_Local, Moran_Local, Moran): ties only count as 'larger'."""
    permutations = sim.shape[-1]
    larger = (sim >= observed[..., None]).sum(axis=-1)
    larger = np.where(permutations - larger < larger, permutations - larger, larger)
    return (larger + 1.0) / (permutations + 1.0)


def test_equals_esda_exactly_without_ties():
    rng = np.random.default_rng(0)
    sim = rng.normal(size=(500, 999))
    observed = rng.normal(scale=2.0, size=500)
    np.testing.assert_array_equal(one_sided_p(sim, observed), _esda_rule(sim, observed))


def test_hand_counted_ties():
    # observed 2 among [1, 2, 2, 3, 5]: >= 2 four times, <= 2 three times.
    assert tail_counts(np.array([1.0, 2, 2, 3, 5]), np.array(2.0)) == (4, 3)
    assert one_sided_p(np.array([1.0, 2, 2, 3, 5]), np.array(2.0)) == pytest.approx(4 / 6)
    # esda counts the ties as 'larger' only: min(4, 5 - 4) = 1, p = 2/6.
    assert _esda_rule(np.array([[1.0, 2, 2, 3, 5]]), np.array([2.0]))[0] == pytest.approx(2 / 6)


def test_observation_equal_to_every_simulation_gets_p_one():
    sim = np.zeros((3, 99))
    np.testing.assert_array_equal(one_sided_p(sim, np.zeros(3)), np.ones(3))
    np.testing.assert_array_equal(folded(one_sided_p(sim, np.zeros(3))), np.ones(3))
    # esda's rule gives the smallest possible p, 1/(P + 1), to the same case.
    np.testing.assert_array_equal(_esda_rule(sim, np.zeros(3)), np.full(3, 0.01))


def test_rounding_in_the_sum_order_still_ties():
    # 0.1 + 0.2 != 0.3 in floating point: summed in another order the same neighbours must still tie.
    sim = np.array([0.1 + 0.2] * 9 + [1.0])
    assert tail_counts(sim, np.array(0.3)) == (10, 9)


def test_extremes_and_folding():
    assert pseudo_p(0, 999, 999).item() == pytest.approx(0.001)
    assert pseudo_p(999, 0, 999).item() == pytest.approx(0.001)
    np.testing.assert_allclose(folded([0.001, 0.3, 0.5, 0.9]), [0.002, 0.6, 1.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=40), st.integers(0, 3))
def test_p_is_a_valid_probability_and_symmetric_in_the_tails(values, observed):
    sim = np.array(values, dtype=float)
    p = one_sided_p(sim, np.array(float(observed))).item()
    assert 1 / (sim.size + 1) <= p <= 1
    # Mirroring the statistic (s -> -s) swaps the tails and leaves p unchanged.
    assert one_sided_p(-sim, np.array(-float(observed))).item() == p
    # Ties never make p smaller than the strict-inequality count of either tail allows.
    assert p >= (min((sim > observed).sum(), (sim < observed).sum()) + 1) / (sim.size + 1)
