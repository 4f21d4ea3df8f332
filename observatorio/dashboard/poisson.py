"""The exact Poisson rate test of :func:`observatorio.analysis.compare.poisson_rate_test`, without SciPy's overhead.

SciPy's ``binomtest`` finds the tail on the other side of the mode by binary
search, calling ``binom.pmf`` some twenty times; each call of a distribution
method checks its arguments in Python (~50 µs), so one test costs 0.5–1.7 ms,
and the headline runs two per request. Here the same steps call the same Boost
routines that ``binom.pmf``/``cdf``/``sf`` end in (``scipy.special._ufuncs``,
which SciPy's own ``binom`` imports), with the support rules of
``rv_discrete`` written out, so every p-value is the same float
(tests/dashboard/test_poisson.py compares them bit for bit). Should a SciPy
release move those routines, the analysis function is used instead.
"""

from __future__ import annotations

import numpy as np

from observatorio.analysis.compare import poisson_rate_test

try:
    from scipy.special import _ufuncs as _scu

    _PMF, _CDF, _SF = _scu._binom_pmf, _scu._binom_cdf, _scu._binom_sf
except (ImportError, AttributeError):  # pragma: no cover - depends on the SciPy release
    _PMF = _CDF = _SF = None


def _pmf(x, n, p):
    if 0 <= x <= n and np.floor(x) == x:
        return np.clip(_PMF(x, n, p), 0, 1)
    return np.float64(0.0)


def _cdf(k, n, p):
    if k >= n:
        return np.float64(1.0)
    if k < 0:
        return np.float64(0.0)
    return np.clip(_CDF(np.floor(k), n, p), 0, 1)


def _sf(k, n, p):
    if k < 0:
        return np.float64(1.0)
    if k >= n:
        return np.float64(0.0)
    return np.clip(_SF(np.floor(k), n, p), 0, 1)


def _search(a, d, lo, hi):
    """SciPy's ``_binary_search_for_binom_tst``: the i in [lo, hi] with a(i) <= d < a(i+1)."""
    while lo < hi:
        mid = lo + (hi - lo) // 2
        midval = a(mid)
        if midval < d:
            lo = mid + 1
        elif midval > d:
            hi = mid - 1
        else:
            return mid
    return lo if a(lo) <= d else lo - 1


def _binomtest_two_sided(k: int, n: int, p: float) -> float:
    """``scipy.stats.binomtest(k, n, p).pvalue`` (two-sided), step for step."""
    d = _pmf(k, n, p)
    rerr = 1 + 1e-7
    if k == p * n:
        pval = 1.0
    elif k < p * n:
        ix = _search(lambda x1: -_pmf(x1, n, p), -d * rerr, np.ceil(p * n), n)
        y = n - ix + int(d * rerr == _pmf(ix, n, p))
        pval = _cdf(k, n, p) + _sf(n - y, n, p)
    else:
        ix = _search(lambda x1: _pmf(x1, n, p), d * rerr, 0, np.floor(p * n))
        y = ix + 1
        pval = _cdf(y - 1, n, p) + _sf(k - 1, n, p)
    return min(1.0, pval)


def poisson_p(c1: int, t1: int, c2: int, t2: int) -> float:
    """The p-value of :func:`~observatorio.analysis.compare.poisson_rate_test` for whole counts and day spans."""
    if _PMF is None or c1 < 0 or c2 < 0 or t1 <= 0 or t2 <= 0:
        return poisson_rate_test(c1, t1, c2, t2)
    n = int(c1) + int(c2)
    if n == 0:
        return 1.0
    return float(_binomtest_two_sided(int(c1), n, t1 / (t1 + t2)))
