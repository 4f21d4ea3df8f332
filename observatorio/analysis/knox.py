"""Knox test for near repeats: are events close in space also close in time?

After a burglary, nearby homes run a raised risk for a few days or weeks (the
"near repeat" pattern). The Knox test counts the pairs of events that fall in
each (distance band × time band) cell and compares the count with what the
same locations and the same dates would give if dates were unrelated to
places, by shuffling the dates among the events (Monte Carlo).

References
----------
Knox, E. G. (1964). The detection of space-time interactions. Journal of the
Royal Statistical Society C 13, 25–30.
Johnson, S. D. & Bowers, K. J. (2004). The burglary as clue to the future:
the beginnings of prospective hot-spotting. European Journal of Criminology
1, 237–255.
Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3). Temple
University and the National Institute of Justice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from observatorio.errors import N_, Text, UserError


@dataclass(frozen=True)
class Knox:
    """Knox table: rows are distance bands, columns are time bands."""

    distance_edges: np.ndarray
    """Band edges in metres; band k is (edges[k], edges[k+1]], the first band also includes edges[0]."""
    time_edges: np.ndarray
    """Band edges in days, same convention."""
    observed: np.ndarray
    """Pairs of events in each (distance band, time band), int64."""
    expected: np.ndarray
    """Mean count over the permutations."""
    ratio: np.ndarray
    """observed / expected (the Knox ratio); NaN where expected is 0."""
    p_value: np.ndarray
    """One-sided pseudo p-value (1 + #{permuted >= observed}) / (permutations + 1)."""
    permutations: int
    n_events: int

    def to_frame(self) -> pd.DataFrame:
        """One row per band cell: distance and time band limits, observed, expected, ratio, p-value."""
        nd, nt = self.observed.shape
        di, ti = np.meshgrid(np.arange(nd), np.arange(nt), indexing="ij")
        di, ti = di.ravel(), ti.ravel()
        return pd.DataFrame(
            {
                "distance_from": self.distance_edges[di],
                "distance_to": self.distance_edges[di + 1],
                "days_from": self.time_edges[ti],
                "days_to": self.time_edges[ti + 1],
                "observed": self.observed.ravel(),
                "expected": self.expected.ravel(),
                "ratio": self.ratio.ravel(),
                "p_value": self.p_value.ravel(),
            }
        )


def _edges(values, name: str, unit: Text) -> np.ndarray:
    edges = np.asarray(values, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or not np.isfinite(edges).all() or edges[0] < 0 or (np.diff(edges) <= 0).any():
        raise UserError(
            N_("%(name)s=%(values)s: se admiten al menos dos límites no negativos y estrictamente crecientes en "
               "%(unit)s, p. ej. [0, 100, 200]"),
            name=name, values=repr(values), unit=unit
        )
    return edges


def _band(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Band index of each value (lower < v <= upper, first band closed), -1 outside the edges."""
    band = np.searchsorted(edges, values, side="left") - 1
    band[values == edges[0]] = 0
    band[(values < edges[0]) | (values > edges[-1])] = -1
    return band


def _as_days(t) -> np.ndarray:
    t = np.asarray(t)
    if np.issubdtype(t.dtype, np.datetime64):
        if np.isnat(t).any():
            raise UserError(N_("t contiene fechas que faltan (NaT); quítelas antes"))
        return (t - t.min()).astype("timedelta64[s]").astype(float) / 86400.0
    t = t.astype(float)
    if not np.isfinite(t).all():
        raise UserError(N_("t contiene NaN o infinito; se admiten: números de días finitos o datetime64"))
    return t


def knox_test(
    x,
    y,
    t,
    *,
    distance_bands,
    time_bands,
    permutations: int = 999,
    seed: int | None = None,
) -> Knox:
    """Knox space-time interaction test over distance × time bands, by Monte Carlo.

    Parameters
    ----------
    x, y : array_like
        Event coordinates in metres.
    t : array_like
        Event times: numbers of days, or ``datetime64`` values (converted to
        fractional days).
    distance_bands : sequence of float
        Band edges in metres, e.g. ``[0, 100, 200, 400]``.
    time_bands : sequence of float
        Band edges in days, e.g. ``[0, 7, 14, 30]``.
    permutations : int
        Random shuffles of the times among the events (>= 1).
    seed : int, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    Knox

    Notes
    -----
    Each unordered pair of events counts once, in the band cell of its
    Euclidean distance and absolute time difference; a band runs from its
    lower edge (exclusive) to its upper edge (inclusive), the first band from
    its lower edge inclusive, so with whole days ``[0, 7, 14]`` reads as
    0–7 and 8–14 days, as in Ratcliffe's Near Repeat Calculator. Pairs
    farther than the last distance edge or the last time edge are ignored.
    The null distribution permutes the times while the locations stay
    (Johnson & Bowers 2004); expected counts are the permutation means and
    p-values are one-sided (more pairs than chance): (1 + #{permuted >=
    observed}) / (P + 1). A permuted count equal to the observed one counts
    against significance, so a band cell with no pairs, or one that every
    permutation fills alike, gets p = 1 (the tie rule of
    :mod:`observatorio.analysis.permutation`, upper tail only).

    Examples
    --------
    >>> r = knox_test([0, 50, 1000], [0, 0, 0], [0, 3, 40], distance_bands=[0, 100], time_bands=[0, 7], permutations=99, seed=1)
    >>> r.observed.tolist()
    [[1]]
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    days = _as_days(t)
    if not (xs.ndim == 1 and xs.shape == ys.shape == days.shape):
        raise ValueError(f"x, y and t must be 1-D of one length, got {xs.shape}, {ys.shape}, {days.shape}")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise UserError(N_("x o y contiene NaN o infinito; se admiten: metros finitos"))
    if xs.size < 2:
        raise UserError(N_("la prueba de Knox necesita al menos 2 eventos; hay %(size)s"), size=xs.size)
    if not (isinstance(permutations, (int, np.integer)) and permutations >= 1):
        raise UserError(N_("permutations=%(permutations)s debe ser un entero positivo"),
                        permutations=repr(permutations))
    d_edges = _edges(distance_bands, "distance_bands", Text(N_("metros")))
    t_edges = _edges(time_bands, "time_bands", Text(N_("días")))
    nd, nt = d_edges.size - 1, t_edges.size - 1

    # Only pairs within the largest distance can ever count; their distance band is fixed under permutation.
    pairs = cKDTree(np.column_stack([xs, ys])).query_pairs(r=d_edges[-1], output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    d_band = _band(np.hypot(xs[i] - xs[j], ys[i] - ys[j]), d_edges)
    keep = d_band >= 0
    i, j, d_band = i[keep], j[keep], d_band[keep]

    def table(times: np.ndarray) -> np.ndarray:
        t_band = _band(np.abs(times[i] - times[j]), t_edges)
        ok = t_band >= 0
        return np.bincount(d_band[ok] * nt + t_band[ok], minlength=nd * nt)

    observed = table(days)
    rng = np.random.default_rng(seed)
    total = np.zeros(nd * nt)
    at_least = np.zeros(nd * nt, dtype=np.int64)
    for _ in range(permutations):
        sim = table(days[rng.permutation(days.size)])
        total += sim
        at_least += sim >= observed
    expected = total / permutations
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p_value = (1.0 + at_least) / (permutations + 1.0)
    shape = (nd, nt)
    return Knox(
        distance_edges=d_edges,
        time_edges=t_edges,
        observed=observed.reshape(shape).astype(np.int64),
        expected=expected.reshape(shape),
        ratio=ratio.reshape(shape),
        p_value=p_value.reshape(shape),
        permutations=int(permutations),
        n_events=int(xs.size),
    )
