"""Pseudo p-values of permutation tests, with ties counted in both tails, and conditional permutation of lags.

Every permutation test of the package (Gi* on a grid, Local G on areas, global
and local Moran's I, Knox) turns its simulated statistics into p-values here,
so that they share one rule for ties.

The rule, with P permutations, observed statistic s and simulated s*_1..s*_P:

    upper = (#{s* >= s} + 1) / (P + 1)      (as large or larger)
    lower = (#{s* <= s} + 1) / (P + 1)      (as small or smaller)
    one-sided p = min(upper, lower)         (in the direction of the deviation)
    folded two-sided p = min(1, 2 · one-sided p)

A simulated value equal to the observed one counts in *both* tails, so an
observation equal to every simulated value gets p = 1. esda (and GeoDa)
instead take ``larger = #{s* >= s}`` and, if ``P - larger < larger``, use
``P - larger``: a tie then counts only in the upper tail and the lower tail
becomes ``#{s* < s}``. Without ties the two rules are identical; with ties
esda's lower tail misses them, so e.g. a grid cell whose whole neighbourhood is
0 on a sparse grid, where most simulated neighbourhoods are 0 as well, gets
esda's smallest possible p = 1/(P + 1) and shows as a 99 % cold spot.

References
----------
Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure.
JRSS B 30, 582–598.
Anselin, L. (1995). Local indicators of spatial association — LISA.
Geographical Analysis 27(2), 93–115.
"""

from __future__ import annotations

import numpy as np

_RELATIVE_TIE = 1e-12
"""Simulated values within this relative distance of the observed one are ties (summation-order rounding)."""

_CHUNK_CELLS = 4_000_000
"""Upper bound on sites × permutations × neighbours held at once by :func:`conditional_lags`."""


def tail_counts(sim, observed) -> tuple[np.ndarray, np.ndarray]:
    """``(#{sim >= observed}, #{sim <= observed})`` along the last axis of ``sim``.

    ``observed`` has the shape of ``sim`` without its last axis. Values equal
    up to rounding (relative 1e-12) count in both.

    Examples
    --------
    >>> ge, le = tail_counts(np.array([0.0, 0.0, 1.0, 2.0]), np.array(0.0))
    >>> int(ge), int(le)
    (4, 2)
    """
    sim = np.asarray(sim, dtype=float)
    obs = np.asarray(observed, dtype=float)[..., None]
    scale = np.maximum(np.abs(obs), np.abs(sim).max(axis=-1, keepdims=True, initial=0.0))
    tol = _RELATIVE_TIE * scale
    return (sim >= obs - tol).sum(axis=-1), (sim <= obs + tol).sum(axis=-1)


def pseudo_p(at_least, at_most, permutations: int) -> np.ndarray:
    """One-sided pseudo p-value in the direction of the deviation: (min(#>=, #<=) + 1) / (P + 1).

    Examples
    --------
    >>> pseudo_p(999, 999, 999).item()  # observed equals every simulated value
    1.0
    >>> pseudo_p(999, 0, 999).item()  # larger than none, smaller than all: strongest low evidence
    0.001
    """
    smaller_tail = np.minimum(np.asarray(at_least), np.asarray(at_most))
    return (smaller_tail + 1.0) / (permutations + 1.0)


def one_sided_p(sim, observed) -> np.ndarray:
    """:func:`pseudo_p` of simulated values ``sim`` (last axis: the permutations) against ``observed``.

    Examples
    --------
    >>> one_sided_p(np.array([[0.0, 0.0, 0.0, 5.0]]), np.array([0.0])).tolist()  # 3 ties of 4
    [0.8]
    """
    sim = np.asarray(sim, dtype=float)
    at_least, at_most = tail_counts(sim, observed)
    return pseudo_p(at_least, at_most, sim.shape[-1])


def folded(p_one_sided) -> np.ndarray:
    """Folded two-sided p-value: min(1, 2 · one-sided p), NaN kept.

    Examples
    --------
    >>> folded(np.array([0.01, 0.6, np.nan])).tolist()
    [0.02, 1.0, nan]
    """
    return np.minimum(1.0, 2.0 * np.asarray(p_one_sided, dtype=float))


def conditional_lags(values, sparse, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Spatial lag Σj wij xj of each site under conditional permutation, shape (n, permutations).

    Parameters
    ----------
    values : numpy.ndarray, shape (n,)
    sparse : scipy.sparse matrix, shape (n, n)
        Weights; the diagonal (a self weight, as in Gi*) multiplies the site's
        own value, which stays fixed.
    permutations : int
    rng : numpy.random.Generator

    Notes
    -----
    Conditional randomisation (Anselin 1995) holds xi fixed and draws the
    neighbours' values at random, without replacement, from the other n - 1
    sites. Each permutation draws one ordered sample of ``max cardinality``
    indices shared by every site, as esda and GeoDa do; index j in 0..n-2
    stands for site j, or j + 1 when j >= i, so site i itself is never drawn.
    Ordering by random keys makes every ordered k-subset equally likely, so
    each drawn value lands on a random weight slot.
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    sparse = sparse.tocsr()
    self_w = sparse.diagonal()
    off = sparse.copy()
    off.setdiag(0)
    off.eliminate_zeros()
    card = np.diff(off.indptr)
    kmax = int(card.max()) if n else 0
    out = np.zeros((n, permutations))
    out += (self_w * x)[:, None]
    if kmax == 0:
        return out
    # Padded (n, kmax) neighbour weights; trailing slots weigh 0.
    wpad = np.zeros((n, kmax))
    rows = np.repeat(np.arange(n), card)
    slot = np.arange(off.nnz) - np.repeat(off.indptr[:-1], card)
    wpad[rows, slot] = off.data
    keys = rng.random((permutations, n - 1))
    if kmax < n - 1:
        pick = np.argpartition(keys, kmax - 1, axis=1)[:, :kmax]
    else:
        pick = np.tile(np.arange(n - 1), (permutations, 1))
    order = np.argsort(np.take_along_axis(keys, pick, axis=1), axis=1)
    ids = np.take_along_axis(pick, order, axis=1)
    chunk = max(1, _CHUNK_CELLS // (permutations * kmax))
    for start in range(0, n, chunk):
        sites = np.arange(start, min(n, start + chunk))
        drawn = ids[None, :, :] + (ids[None, :, :] >= sites[:, None, None])
        out[sites] += np.einsum("spk,sk->sp", x[drawn], wpad[sites])
    return out
