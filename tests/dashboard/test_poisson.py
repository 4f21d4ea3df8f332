"""The dashboard's Poisson rate test gives the analysis package's p-values, bit for bit, much faster."""


import numpy as np
import pytest

from observatorio.analysis.compare import poisson_rate_test
from observatorio.dashboard.poisson import poisson_p

EDGES = [(0, 28, 0, 28), (0, 28, 5, 28), (5, 28, 0, 28), (1, 1, 1, 1), (30, 28, 15, 28), (15, 28, 30, 28),
         (10, 7, 10, 7), (14, 28, 14, 28), (3, 7, 9, 21), (1, 7, 0, 365), (0, 365, 1, 7),
         (500_000, 365, 520_000, 365), (150_000, 28, 148_000, 28), (2, 366, 3, 365), (40, 31, 0, 30),
         (1_000_000, 3000, 1, 7), (0, 1, 10_000, 1)]


@pytest.mark.parametrize("c1, t1, c2, t2", EDGES)
def test_edge_cases_match(c1, t1, c2, t2):
    assert poisson_p(c1, t1, c2, t2) == poisson_rate_test(c1, t1, c2, t2)


def test_random_counts_and_windows_match_exactly():
    rng = np.random.default_rng(5)
    for _ in range(400):
        scale = 10 ** rng.integers(0, 6)
        c1, c2 = (int(v) for v in rng.integers(0, scale + 1, size=2))
        t1, t2 = (int(v) for v in rng.integers(1, 1100, size=2))
        assert poisson_p(c1, t1, c2, t2) == poisson_rate_test(c1, t1, c2, t2), (c1, t1, c2, t2)
