"""Monotonic trend: the Mann–Kendall test and Sen's slope.

References
----------
Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13, 245–259.
Kendall, M. G. (1975). Rank Correlation Methods. Griffin.
Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. JASA 63, 1379–1389.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class MannKendall:
    s: float
    var_s: float
    z: float
    p_value: float
    tau: float
    slope: float
    """Sen's slope, in units of the series per step."""

    def direction(self, alpha: float = 0.05) -> str:
        """``"up"``, ``"down"`` or ``"none"`` at significance ``alpha``."""
        if self.p_value >= alpha:
            return "none"
        return "up" if self.s > 0 else "down"


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
    (Kendall 1975). z uses the ±1 continuity correction.

    Examples
    --------
    >>> r = mann_kendall([1, 2, 3, 4, 5])
    >>> r.s, r.var_s, round(r.p_value, 4), r.slope
    (10.0, 16.666666666666668, 0.0275, 1.0)
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    n = x.size
    if n < 3:
        raise ValueError(f"Mann–Kendall needs at least 3 values, got {n}")
    if np.isnan(x).any():
        raise ValueError("values contain NaN; fill or drop missing periods first")
    i, j = np.triu_indices(n, k=1)
    s = float(np.sign(x[j] - x[i]).sum())
    _, ties = np.unique(x, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18.0
    if var_s <= 0:
        z = 0.0
    elif s > 0:
        z = (s - 1) / np.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / np.sqrt(var_s)
    else:
        z = 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    tau = s / (n * (n - 1) / 2)
    slope = float(np.median((x[j] - x[i]) / (j - i)))
    return MannKendall(s=s, var_s=float(var_s), z=float(z), p_value=p, tau=float(tau), slope=slope)
