"""CompStat-style period comparison with an exact Poisson test instead of a bare percent change.

References
----------
Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing
samples from Poisson series. Biometrika 31, 313–323 (the conditional test).
Ratcliffe, J. H. (2019). Reducing Crime: A Companion for Police Leaders,
ch. 8 (why percent change alone misleads with small counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from observatorio.analysis.binomial import two_sided
from observatorio.errors import N_, UserError

PERIODS = ("week", "28d", "month", "quarter", "ytd", "yoy")


class Verdict(StrEnum):
    """Outcome of a period comparison on rates per day; labels for the interface in :mod:`observatorio.labels`."""

    UP = "up"
    DOWN = "down"
    NO_CHANGE = "no_change"
    """Not significant at ``alpha``."""


VERDICTS = tuple(Verdict)


def poisson_rate_test(c1: int, t1: float, c2: int, t2: float) -> float:
    """Two-sided exact conditional test that two Poisson rates are equal.

    Parameters
    ----------
    c1, c2 : int
        Event counts in the two periods.
    t1, t2 : float
        Lengths (exposures) of the periods, in any common unit (e.g. days).

    Returns
    -------
    float
        The p-value; 1.0 when there are no events at all.

    Notes
    -----
    Given n = c1 + c2, under H0 (equal rates) c1 ~ Binomial(n, t1 / (t1 + t2))
    (Przyborowski & Wilenski 1940). The two-sided p-value is SciPy's
    ``binomtest``'s: the sum of the probabilities of all outcomes no more
    likely than the observed one (:func:`.binomial.two_sided`, which gives the
    same values without importing ``scipy.stats``).
    :func:`poisson_rate_tests` answers many pairs at once.

    Examples
    --------
    >>> round(poisson_rate_test(30, 28, 15, 28), 4)
    0.0357
    >>> poisson_rate_test(10, 7, 10, 7)
    1.0
    """
    return float(poisson_rate_tests(c1, t1, c2, t2))


def poisson_rate_tests(c1, t1, c2, t2) -> np.ndarray:
    """:func:`poisson_rate_test` elementwise over arrays (broadcast together): one p-value per pair of periods.

    Examples
    --------
    >>> poisson_rate_tests([30, 0, 5], 28, [15, 0, 5], 28).round(4).tolist()
    [0.0357, 1.0, 1.0]
    """
    c1, t1, c2, t2 = np.broadcast_arrays(*(np.asarray(v) for v in (c1, t1, c2, t2)))
    for name, c in (("c1", c1), ("c2", c2)):
        bad = ~((c >= 0) & (np.floor(c) == c))
        if bad.any():
            raise UserError(N_("%(name)s=%(c)s debe ser un número entero no negativo de eventos"), name=name,
                            c=repr(c[bad].flat[0].item()))
    for name, t in (("t1", t1), ("t2", t2)):
        bad = ~(np.isfinite(t) & (t > 0))
        if bad.any():
            raise UserError(N_("%(name)s=%(t)s debe ser una duración de período positiva y finita"),
                            name=name, t=repr(t[bad].flat[0].item()))
    n = c1.astype(float) + c2
    some = n > 0
    p_values = np.ones(n.shape)
    p_values[some] = two_sided(c1[some], n[some], (t1 / (t1 + t2))[some])
    return p_values


@dataclass(frozen=True)
class PeriodComparison:
    """Counts in the current and previous windows; both windows include their end day."""

    period: str
    current_start: dt.date
    current_end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    current: int
    previous: int
    change: int
    pct_change: float | None
    """100 · (current − previous) / previous; None when previous is 0."""
    p_value: float
    verdict: Verdict
    """Up, down or no significant change (on rates per day)."""


def _shift_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a common year
        return d.replace(year=d.year + years, day=28)


def _month_start(year: int, month: int) -> dt.date:
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _windows(period: str, as_of: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    one = dt.timedelta(days=1)
    if period in ("week", "28d"):
        days = 7 if period == "week" else 28
        start = as_of - dt.timedelta(days=days - 1)
        return start, as_of, start - dt.timedelta(days=days), start - one
    if period in ("month", "quarter"):
        months = 1 if period == "month" else 3
        first_month = as_of.month if months == 1 else 3 * ((as_of.month - 1) // 3) + 1
        start = dt.date(as_of.year, first_month, 1)
        prev_start = _month_start(as_of.year, first_month - months)
        elapsed = as_of - start
        return start, as_of, prev_start, min(prev_start + elapsed, start - one)
    if period == "ytd":
        start = dt.date(as_of.year, 1, 1)
        return start, as_of, dt.date(as_of.year - 1, 1, 1), _shift_years(as_of, -1)
    if period == "yoy":
        start = as_of - dt.timedelta(days=27)
        return start, as_of, _shift_years(start, -1), _shift_years(as_of, -1)
    raise UserError(N_("period=%(period)s no está permitido; elija uno de %(periods)s"),
                    period=repr(period), periods=PERIODS)


def _as_date(value, name: str) -> dt.date:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise UserError(N_("%(name)s=%(value)s no es una fecha"), name=name, value=repr(value)) from exc
    if pd.isna(ts):
        raise UserError(N_("falta %(name)s; indique la fecha de corte"), name=name)
    return ts.date()


def compare_periods(dates, as_of, *, period: str = "28d", alpha: float = 0.05) -> PeriodComparison:
    """Compare the events of the current window with the previous one.

    Parameters
    ----------
    dates : array_like of dates or timestamps
        When each event happened. Missing values are ignored; time of day is
        ignored; timezone-aware values are taken at their local wall-clock date.
    as_of : date-like
        The last day of the current window (inclusive), e.g. the data cut-off.
    period : {"week", "28d", "month", "quarter", "ytd", "yoy"}
        Which windows, every one counted in whole days with both ends included:

        * ``"week"``: the 7 days ending ``as_of`` vs the 7 days before them.
        * ``"28d"``: the 28 days ending ``as_of`` vs the 28 days before them.
        * ``"month"``: month to date (the 1st through ``as_of``) vs the same
          number of days from the 1st of the previous month, cut at that
          month's end (31 March vs 1–29 February in a leap year).
        * ``"quarter"``: quarter to date vs the same number of days into the
          previous quarter, cut at its end.
        * ``"ytd"``: 1 January through ``as_of`` vs 1 January through the
          same date a year earlier (29 February maps to 28 February).
        * ``"yoy"``: the 28 days ending ``as_of`` vs the same calendar dates a
          year earlier.
    alpha : float
        Significance level of the verdict, in (0, 1).

    Returns
    -------
    PeriodComparison

    Notes
    -----
    The p-value is :func:`poisson_rate_test` with the window lengths in days,
    so windows of unequal length (month, quarter, ytd in leap years) are
    compared by rate, not by raw count. The verdict is ``Verdict.UP`` or
    ``Verdict.DOWN`` when p < alpha, by the direction of the rate per day, and
    ``Verdict.NO_CHANGE`` otherwise. ``change`` and ``pct_change`` are on raw counts,
    as CompStat reports them.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.to_datetime(["2024-03-30"] * 30 + ["2024-02-20"] * 10)
    >>> r = compare_periods(d, "2024-03-31", period="28d")
    >>> r.current, r.previous, r.pct_change, r.verdict
    (30, 10, 200.0, <Verdict.UP: 'up'>)
    >>> r.previous_start, r.previous_end
    (datetime.date(2024, 2, 5), datetime.date(2024, 3, 3))
    """
    if period not in PERIODS:
        raise UserError(N_("period=%(period)s no está permitido; elija uno de %(periods)s"),
                        period=repr(period), periods=PERIODS)
    if not 0 < alpha < 1:
        raise UserError(N_("alpha=%(alpha)s debe estar estrictamente entre 0 y 1"), alpha=repr(alpha))
    day = _as_date(as_of, "as_of")
    cs, ce, ps, pe = _windows(period, day)
    when = pd.DatetimeIndex(pd.to_datetime(dates))
    if when.tz is not None:
        when = when.tz_localize(None)
    days = when[~when.isna()].normalize()
    current = int(((days >= pd.Timestamp(cs)) & (days <= pd.Timestamp(ce))).sum())
    previous = int(((days >= pd.Timestamp(ps)) & (days <= pd.Timestamp(pe))).sum())
    t1 = (ce - cs).days + 1
    t2 = (pe - ps).days + 1
    p = poisson_rate_test(current, t1, previous, t2)
    if p < alpha:
        verdict = Verdict.UP if current / t1 > previous / t2 else Verdict.DOWN
    else:
        verdict = Verdict.NO_CHANGE
    pct = None if previous == 0 else 100.0 * (current - previous) / previous
    return PeriodComparison(period, cs, ce, ps, pe, current, previous, current - previous, pct, p, verdict)

