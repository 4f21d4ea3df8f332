"""Concentration of crime at places: top-share of units and the Gini coefficient.

References
----------
Weisburd, D. (2015). The law of crime concentration and the criminology of
place. Criminology 53(2), 133–157.
Bernasco, W. & Steenbeek, W. (2017). More places than crimes: implications
for evaluating the law of crime concentration at place. Journal of
Quantitative Criminology 33(3), 451–467.
"""

from __future__ import annotations

import math

import numpy as np

from observatorio.errors import N_, UserError

DEFAULT_SHARES = (0.01, 0.05, 0.10)


def _counts(counts) -> np.ndarray:
    c = np.array(counts, dtype=float).ravel()  # a copy: it is sorted below
    if c.size == 0:
        raise UserError(N_("no hay conteos; dé un conteo por unidad (celda, tramo, área)"))
    if not np.isfinite(c).all() or (c < 0).any():
        raise UserError(N_("los conteos deben ser finitos y no negativos"))
    return c


def top_share(counts, shares=DEFAULT_SHARES) -> dict[float, float]:
    """Share of all events in the busiest ``p`` of units, for each ``p`` in ``shares``.

    Parameters
    ----------
    counts : array_like
        Events per unit (grid cells, street segments, areas), empty units
        included: they are part of the denominator of "1% of the cells".
    shares : sequence of float
        Fractions of units, each in (0, 1].

    Returns
    -------
    dict
        ``{p: share of events}``, the share in [0, 1].

    Notes
    -----
    The top ``p`` of N units are the ⌈p·N⌉ units with the most events (ties
    do not matter: only their counts are summed), following Weisburd (2015).
    With no events at all every share is 0.

    Examples
    --------
    >>> top_share([50, 20, 10, 5, 5, 4, 3, 2, 1, 0], shares=(0.1, 0.25))
    {0.1: 0.5, 0.25: 0.8}
    """
    c = _counts(counts)
    ps = list(shares)
    for p in ps:
        if not (isinstance(p, (int, float)) and 0 < p <= 1):
            raise UserError(N_("la proporción %(p)s debe ser una fracción en (0, 1]"), p=repr(p))
    total = c.sum()
    ranked = np.cumsum(np.sort(c)[::-1])
    out = {}
    for p in ps:
        k = math.ceil(round(p * c.size, 9))  # round first: 0.1 * 30 is 3.0000000000000004
        out[p] = float(ranked[k - 1] / total) if total > 0 else 0.0
    return out


def units_for_share(counts, share: float = 0.5) -> float:
    """Smallest fraction of units that holds at least ``share`` of the events.

    Parameters
    ----------
    counts : array_like
        Events per unit, empty units included.
    share : float
        Fraction of events, in (0, 1].

    Returns
    -------
    float
        k / N for the smallest k whose busiest k units hold ``share`` of the
        events (Weisburd 2015: "x % of segments produce 50 % of crime").

    Examples
    --------
    >>> units_for_share([50, 20, 10, 5, 5, 4, 3, 2, 1, 0], 0.5)
    0.1
    """
    if not 0 < share <= 1:
        raise UserError(N_("share=%(share)s debe ser una fracción en (0, 1]"), share=repr(share))
    c = _counts(counts)
    total = c.sum()
    if total == 0:
        raise UserError(N_("no hay eventos: ninguna unidad concentra una parte de ellos"))
    ranked = np.cumsum(np.sort(c)[::-1]) / total
    k = int(np.searchsorted(ranked, share - 1e-12)) + 1
    return k / c.size


def gini(counts, *, include_empty: bool = True, generalized: bool = False) -> float:
    """Gini coefficient of the events per unit.

    Parameters
    ----------
    counts : array_like
        Events per unit.
    include_empty : bool
        Keep the units with no events (the default: the usual question is
        how concentrated crime is over all places); False measures inequality
        only among the units with events.
    generalized : bool
        Bernasco & Steenbeek's (2017) generalized Gini, for when there are
        fewer events n than units N (then the ordinary Gini cannot fall below
        1 − n/N). Needs integer counts.

    Returns
    -------
    float
        G = Σ_i Σ_j |x_i − x_j| / (2 N² x̄), in [0, 1 − 1/N]; 0 for no events.

    Notes
    -----
    Computed from the sorted counts as G = 2 Σ_i i·x_(i) / (N Σx) − (N + 1) / N,
    which equals 1 − 2 × the area under the trapezoidal Lorenz curve; no
    small-sample factor N/(N−1) is applied. The generalized Gini
    (Bernasco & Steenbeek 2017) replaces the line of perfect equality with the
    Lorenz curve of maximal equality (each event in a different unit) when
    n < N: G′ = 1 − (N/n)(1 − G); when n ≥ N it equals G. It is 0 when every
    event is at a different place.

    Examples
    --------
    >>> gini([0, 0, 0, 4])
    0.75
    >>> gini([0, 0, 0, 4], include_empty=False)
    0.0
    >>> gini([1, 1] + [0] * 8, generalized=True), round(gini([1, 1] + [0] * 8), 12)
    (0.0, 0.8)
    """
    c = _counts(counts)
    if not include_empty:
        c = c[c > 0]
    n_units = c.size
    total = c.sum()
    if n_units == 0 or total == 0:
        return 0.0
    x = np.sort(c)
    rank = np.arange(1, n_units + 1)
    g = float(2.0 * np.dot(rank, x) / (n_units * total) - (n_units + 1) / n_units)
    g = min(max(g, 0.0), 1.0)  # round-off can leave -1e-17 for equal counts
    if not generalized:
        return g
    if not np.array_equal(c, np.round(c)):
        raise UserError(N_("el Gini generalizado necesita conteos enteros de eventos"))
    if total >= n_units:
        return g
    return max(1.0 - (n_units / total) * (1.0 - g), 0.0)
