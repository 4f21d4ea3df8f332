"""False discovery rate control for many local tests (Benjamini–Hochberg).

A hotspot map tests every cell at once; at 95 % confidence a 10,000-cell grid
shows about 500 "hot" or "cold" cells by chance alone. Controlling the false
discovery rate keeps the expected share of false alarms among the flagged cells
below ``alpha`` instead.

References
----------
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a
practical and powerful approach to multiple testing. JRSS B 57, 289–300.
Caldas de Castro, M. & Singer, B. H. (2006). Controlling the false discovery
rate: a new application to account for multiple and dependent tests in local
statistics of spatial association. Geographical Analysis 38, 180–208.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatorio.errors import N_, UserError


@dataclass(frozen=True)
class FDR:
    reject: np.ndarray
    """Boolean mask, same shape as the p-values: True where the null is rejected."""
    threshold: float
    """Reject exactly the p-values ``<= threshold``; ``alpha / m`` when nothing is rejected."""
    adjusted: np.ndarray
    """BH-adjusted p-values (q-values), NaN where the input was NaN."""
    alpha: float
    m: int
    """Number of tests counted (non-NaN p-values)."""


def benjamini_hochberg(p_values, alpha: float = 0.05) -> FDR:
    """Benjamini–Hochberg step-up procedure.

    Parameters
    ----------
    p_values : array_like
        Any shape. NaN entries (e.g. cells outside the study area) are not
        counted as tests and are never rejected.
    alpha : float
        The false discovery rate to control, in (0, 1).

    Returns
    -------
    FDR
        The reject mask, the p-value threshold, the adjusted p-values.

    Notes
    -----
    With the m p-values sorted, p_(1) <= ... <= p_(m), let k be the largest
    rank with p_(k) <= k·alpha/m; reject the k smallest (Benjamini & Hochberg
    1995). The threshold reported is k·alpha/m, which is what ``esda.fdr``
    returns; when k = 0 both report the Bonferroni bound alpha/m, under which
    nothing is rejected. The adjusted p-values equal
    ``scipy.stats.false_discovery_control(p, method="bh")``.

    Examples
    --------
    >>> r = benjamini_hochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205], alpha=0.05)
    >>> r.reject.tolist(), r.threshold
    ([True, True, False, False, False, False, False, False], 0.0125)
    """
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise UserError(N_("alpha=%(alpha)s debe ser un número en (0, 1)"), alpha=repr(alpha))
    p = np.asarray(p_values, dtype=float)
    finite = ~np.isnan(p)
    values = p[finite]
    if ((values < 0) | (values > 1)).any():
        bad = values[(values < 0) | (values > 1)][0]
        raise UserError(N_("el valor p %(bad)s está fuera del rango permitido [0, 1]"), bad=repr(bad))
    m = int(values.size)
    reject = np.zeros(p.shape, dtype=bool)
    adjusted = np.full(p.shape, np.nan)
    if m == 0:
        return FDR(reject=reject, threshold=float("nan"), adjusted=adjusted, alpha=float(alpha), m=0)
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    ranks = np.arange(1, m + 1)
    passing = np.nonzero(ranked <= ranks * alpha / m)[0]
    k = int(passing[-1]) + 1 if passing.size else 0
    threshold = k * alpha / m if k else alpha / m
    # Step-up adjustment: q_(i) = min_{j >= i} p_(j) m / j, capped at 1.
    q_sorted = np.minimum.accumulate((ranked * m / ranks)[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    flat_reject = np.zeros(m, dtype=bool)
    flat_reject[order[:k]] = True
    reject[finite] = flat_reject
    adjusted[finite] = q
    return FDR(reject=reject, threshold=float(threshold), adjusted=adjusted, alpha=float(alpha), m=m)
