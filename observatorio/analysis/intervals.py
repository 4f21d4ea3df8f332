"""Confidence intervals for counts, rates and proportions, as Public Health England's Fingertips computes them.

A count of events is treated as Poisson: the exact (Garwood) interval, or
Byar's approximation to it; PHE uses the exact interval below 10 events and
Byar's from 10 on (:func:`poisson_phe`). A proportion of successes out of n
gets Wilson's score interval without continuity correction (PHE's method). A
rate is a count interval scaled by ``factor / denominator``
(:func:`rate_interval`). A change between two proportions gets Newcombe's
hybrid score interval (:func:`newcombe_difference`). Every function works
elementwise on NumPy arrays.

References
----------
Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437–442.
Breslow, N. E. & Day, N. E. (1987). Statistical Methods in Cancer Research, vol. II,
IARC Scientific Publications 82, p. 69 (Byar's approximation).
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. JASA 22, 209–212.
Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion:
comparison of seven methods. Statistics in Medicine 17, 857–872.
Newcombe, R. G. (1998b). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17, 873–890.
Public Health England (2018). Technical Guide: Confidence Intervals. Public Health
Data Science, version 25 May 2018.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from scipy import special, stats

from observatorio.errors import N_, UserError

PHE_EXACT_BELOW = 10
"""PHE's rule for counts: the exact interval below this many events, Byar's from it on."""


class RateMethod(StrEnum):
    """How the interval of a count (and so of a rate) is computed."""

    PHE = "phe"
    """Exact below :data:`PHE_EXACT_BELOW` events, Byar's from there on (PHE's choice)."""
    EXACT = "exact"
    """Garwood's exact interval (chi-squared quantiles)."""
    BYAR = "byar"
    """Byar's approximation."""


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise UserError(N_("confidence=%(confidence)s debe estar entre 0 y 1 (p. ej., 0.95)"), confidence=repr(confidence))
    return float(special.ndtri(0.5 + confidence / 2))


def _counts(count, name: str = "count") -> np.ndarray:
    x = np.asarray(count, dtype=float)
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.floor(x)).any():
        raise UserError(N_("%(name)s deben ser números enteros de eventos, 0 o más; se recibió %(count)s"), name=name,
                        count=repr(count))
    return x


def poisson_exact(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Garwood's exact interval for the mean of a Poisson count.

    Parameters
    ----------
    count : int or array_like of int
        Observed events (0 or more).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    (lower, upper) : tuple of numpy.ndarray
        ``chi2.ppf(α/2, 2x) / 2`` (0 when x = 0) and ``chi2.ppf(1 − α/2, 2x + 2) / 2``.

    Examples
    --------
    >>> lo, hi = poisson_exact([0, 1, 10])
    >>> lo.round(4).tolist(), hi.round(3).tolist()
    ([0.0, 0.0253, 4.7954], [3.689, 5.572, 18.39])
    """
    _z(confidence)
    x = _counts(count)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def poisson_byar(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson interval, as in PHE's Technical Guide (Appendix 1).

    ``lower = x (1 − 1/(9x) − z/(3√x))³`` and
    ``upper = (x + 1)(1 − 1/(9(x + 1)) + z/(3√(x + 1)))³``, with z the normal
    quantile of the confidence level (not the rounded 1.96). The lower limit
    of 0 events is 0. PHE uses it from 10 events on, where at 95 % it is
    within 0.2 % of the exact limits.

    Examples
    --------
    >>> lo, hi = poisson_byar(23)
    >>> round(float(lo), 3), round(float(hi), 3)
    (14.575, 34.513)
    """
    z = _z(confidence)
    x = _counts(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
    x1 = x + 1
    upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def poisson_phe(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """PHE's count interval: exact below :data:`PHE_EXACT_BELOW` events, Byar's from there on.

    Examples
    --------
    >>> lo, hi = poisson_phe([9, 10])
    >>> lo.round(3).tolist(), hi.round(3).tolist()
    ([4.115, 4.787], [17.085, 18.391])
    """
    x = _counts(count)
    exact = poisson_exact(x, confidence)
    byar = poisson_byar(x, confidence)
    small = x < PHE_EXACT_BELOW
    return np.where(small, exact[0], byar[0]), np.where(small, exact[1], byar[1])


_COUNT_METHODS = {RateMethod.PHE: poisson_phe, RateMethod.EXACT: poisson_exact, RateMethod.BYAR: poisson_byar}


def rate_interval(count, denominator, factor: float = 1.0, method: str = RateMethod.PHE,
                  confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A rate ``count / denominator × factor`` with its interval (the count's, scaled).

    Parameters
    ----------
    count : array_like of int
        Events.
    denominator : array_like of float
        Population or exposure; where it is 0 (or missing) the rate and its limits are NaN.
    factor : float
        Scale, e.g. 100000 for a rate per 100 000 inhabitants.
    method : {"phe", "exact", "byar"}
        See :class:`RateMethod`.

    Returns
    -------
    (rate, lower, upper) : tuple of numpy.ndarray

    Examples
    --------
    >>> r, lo, hi = rate_interval([23, 4], [50000, 0], factor=100000)
    >>> r.round(1).tolist(), lo.round(2).tolist(), hi.round(2).tolist()
    ([46.0, nan], [29.15, nan], [69.03, nan])
    """
    try:
        interval = _COUNT_METHODS[RateMethod(method)]
    except ValueError:
        raise UserError(N_("method=%(method)s no está permitido; elija uno de %(methods)s"), method=repr(method),
                        methods=str([m.value for m in RateMethod])) from None
    x = _counts(count)
    d = np.asarray(denominator, dtype=float)
    if (d < 0).any():
        raise UserError(N_("el denominador debe ser 0 o más; se recibió %(denominator)s"), denominator=repr(denominator))
    lower, upper = interval(x, confidence)
    scale = np.full(np.broadcast(x, d).shape, np.nan)
    np.divide(float(factor), d, out=scale, where=d > 0)
    return x * scale, lower * scale, upper * scale


def _proportions(successes, n) -> tuple[np.ndarray, np.ndarray]:
    x = _counts(successes, "successes")
    m = _counts(n, "n")
    if (x > m).any():
        raise UserError(N_("los éxitos (%(successes)s) no pueden superar n (%(n)s)"), successes=repr(successes), n=repr(n))
    return x, m


def wilson(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval for a proportion, without continuity correction (PHE's method).

    Returns NaN limits where n = 0. The limits are clipped to [0, 1] (they only
    leave it by rounding error).

    Examples
    --------
    Newcombe (1998a), Table II, method 3:

    >>> lo, hi = wilson([81, 15, 0, 1], [263, 148, 20, 29])
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.2553, 0.0624, 0.0, 0.0061], [0.3662, 0.1605, 0.1611, 0.1718])
    """
    z = _z(confidence)
    x, m = _proportions(successes, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        centre = p + z * z / (2 * m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
        den = 1 + z * z / m
        lower = np.clip((centre - half) / den, 0.0, 1.0)
        upper = np.clip((centre + half) / den, 0.0, 1.0)
    return np.where(m > 0, lower, np.nan), np.where(m > 0, upper, np.nan)


def newcombe_difference(x1, n1, x2, n2, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``x1/n1 − x2/n2`` of two independent proportions with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998b): each proportion's Wilson limits combined as
    ``d − √((p1 − l1)² + (u2 − p2)²)`` and ``d + √((u1 − p1)² + (p2 − l2)²)``.

    Examples
    --------
    Newcombe (1998b), Table II, method 10:

    >>> d, lo, hi = newcombe_difference([56, 9], [70, 10], [48, 3], [80, 10])
    >>> d.round(2).tolist(), lo.round(4).tolist(), hi.round(4).tolist()
    ([0.2, 0.6], [0.0524, 0.1705], [0.3339, 0.809])
    """
    a1, m1 = _proportions(x1, n1)
    a2, m2 = _proportions(x2, n2)
    l1, u1 = wilson(a1, m1, confidence)
    l2, u2 = wilson(a2, m2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a1 / m1, a2 / m2
    d = p1 - p2
    return d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
