"""Monotonic trend: the Mann–Kendall test and Sen's slope.

References
----------
Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13, 245–259.
Kendall, M. G. (1975). Rank Correlation Methods. Griffin.
Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. JASA 63, 1379–1389.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

from observatorio.errors import N_, UserError


class Direction(StrEnum):
    """Direction of a trend at a significance level; labels for the interface in :mod:`observatorio.labels`."""

    UP = "up"
    DOWN = "down"
    NONE = "none"
    """No significant trend."""


@dataclass(frozen=True)
class MannKendall:
    s: float
    var_s: float
    z: float
    p_value: float
    tau: float
    slope: float
    """Sen's slope, in units of the series per step."""

    def direction(self, alpha: float = 0.05) -> Direction:
        """``Direction.UP``, ``DOWN`` or ``NONE`` at significance ``alpha``."""
        if self.p_value >= alpha:
            return Direction.NONE
        return Direction.UP if self.s > 0 else Direction.DOWN


def mann_kendall(values) -> MannKendall:
    """Two-sided Mann–Kendall trend test with the tie correction of the variance.

    Parameters
    ----------
    values : array_like, shape (n,)
        The series in time order, equally spaced; NaN is not allowed.

    Returns
    -------
    MannKendall
        S, Var(S), the continuity-corrected z, the two-sided p-value, Kendall's
        tau-a and Sen's slope.

    Notes
    -----
    Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18 over groups of ties t
    (Kendall 1975). z uses the ±1 continuity correction. The same arithmetic
    as :func:`mann_kendall_many` on one series.

    Examples
    --------
    >>> r = mann_kendall([1, 2, 3, 4, 5])
    >>> r.s, r.var_s, round(r.p_value, 4), r.slope
    (10.0, 16.666666666666668, 0.0275, 1.0)
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    many = mann_kendall_many(x[None, :])
    return MannKendall(s=float(many.s[0]), var_s=float(many.var_s[0]), z=float(many.z[0]),
                       p_value=float(many.p_value[0]), tau=float(many.tau[0]), slope=float(many.slope[0]))


@dataclass(frozen=True)
class MannKendallMany:
    """:class:`MannKendall` of k series at once: each field an array of shape (k,)."""

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    tau: np.ndarray
    slope: np.ndarray


def mann_kendall_many(values) -> MannKendallMany:
    """:func:`mann_kendall` of every row of a (k, n) array, without a Python loop over the rows.

    Emerging hotspots test the z series of thousands of grid cells; one call per
    cell cost ~0.1 ms each.

    Parameters
    ----------
    values : array_like, shape (k, n)
        k series of n equally spaced values in time order, n >= 3; NaN is not allowed.

    Returns
    -------
    MannKendallMany

    Notes
    -----
    The tie term sum_t t(t-1)(2t+5) over groups of t tied values is summed over
    the values instead: a value tied with e others in its series (e + 1 equal,
    itself included) adds e(2(e+1)+5), and the t members of a group add
    t(t-1)(2t+5) together.

    Examples
    --------
    >>> r = mann_kendall_many([[1, 2, 3, 4, 5], [5, 4, 4, 2, 1]])
    >>> r.s.tolist(), r.var_s.tolist(), r.slope.tolist()
    ([10.0, -9.0], [16.666666666666668, 15.666666666666666], [1.0, -1.0])
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"values must be two-dimensional (series × time), got shape {x.shape}")
    n = x.shape[1]
    if n < 3:
        raise UserError(N_("Mann-Kendall necesita al menos 3 valores; hay %(n)s"), n=n)
    if np.isnan(x).any():
        raise UserError(N_("los valores contienen NaN; complete o quite antes los períodos que faltan"))
    i, j = np.triu_indices(n, k=1)
    diff = x[:, j] - x[:, i]
    s = np.sign(diff).sum(axis=1)
    equal = (x[:, :, None] == x[:, None, :]).sum(axis=2)  # each value's tie group size
    ties = ((equal - 1) * (2 * equal + 5)).sum(axis=1).astype(float)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    root = np.sqrt(np.where(var_s > 0, var_s, 1.0))
    z = np.where(var_s > 0, (s - np.sign(s)) / root, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    tau = s / (n * (n - 1) / 2)
    slope = np.median(diff / (j - i), axis=1)
    return MannKendallMany(s=s, var_s=var_s, z=z, p_value=p, tau=tau, slope=slope)
