"""Sparse lattices of areas for the property tests of issue #13: an all-zero neighbourhood is never significant."""

from __future__ import annotations

import warnings
from math import comb

import numpy as np
from hypothesis import strategies as st

SHAPES = st.tuples(st.integers(4, 9), st.integers(4, 9))
EVENTS = st.lists(st.tuples(st.integers(0, 80), st.integers(1, 9)), min_size=1, max_size=3)


def sparse_lattice(shape, events):
    """Values of a queen lattice holding a few events, its weights, their binary CSR matrix and, per area, the
    chance that as many values as it has neighbours, drawn from the other n − 1, are all 0."""
    import libpysal

    n = shape[0] * shape[1]
    y = np.zeros(n)
    for cell, count in events:
        y[cell % n] += count
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.lat2W(*shape, rook=False)
    sparse = w.sparse.tocsr()
    k = np.diff(sparse.indptr)
    zeros_others = (y == 0).sum() - (y == 0)
    p_all_zero = np.array([comb(int(z), int(j)) / comb(n - 1, int(j)) for z, j in zip(zeros_others, k)])
    return y, w, sparse, p_all_zero
