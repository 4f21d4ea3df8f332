"""XmR (individuals) chart as NHS England's "Making Data Count" uses it: natural process limits and special causes.

The centre line is the mean of the baseline points; the natural process
limits are ``mean ± 2.66 · mR̄``, where mR̄ is the average moving range
(absolute difference between consecutive points) of the baseline. The limits
are computed on the first ``baseline`` points (12 by default) and then fixed:
later points are judged against them. With fewer points than the baseline
the chart is "not enough data" (:attr:`XmR.enough` false) unless the caller
asks for short limits.

Special-cause rules (each point gets the set of rules it takes part in):

* :attr:`Rule.OUTSIDE_LIMITS` — a point above the upper or below the lower limit;
* :attr:`Rule.SHIFT` — a run of ``shift`` (7) or more consecutive points on the
  same side of the mean (a point on the mean breaks the run);
* :attr:`Rule.TREND` — ``trend`` (7) or more consecutive points each higher
  (or each lower) than the one before (a tie breaks the trend);
* :attr:`Rule.TWO_OF_THREE` — two of three consecutive points beyond two
  thirds of the way from the mean to the same limit (the "near" limit,
  ``mean ± 2/3 · 2.66 · mR̄``, i.e. 2 sigma).

These are the rules of NHS England's Making Data Count and of its reference
implementation (NHSRplotthedots: shift and trend of 7, limits from 2.66 mR̄,
moving ranges above 3.267 mR̄ screened out before the limits are set).

References
----------
Wheeler, D. J. (2000). Understanding Variation: The Key to Managing Chaos, 2nd ed. SPC Press.
NHS England & NHS Improvement (2019). Making Data Count: Getting Started;
Making Data Count: Strengthening Your Decisions.
NHS-R Community. NHSRplotthedots (R package): ptd_spc.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from observatorio.analysis.indicator import Polarity
from observatorio.errors import N_, UserError

LIMIT_FACTOR = 2.66
"""3 / d2 for moving ranges of two points (d2 = 1.128)."""
MOVING_RANGE_SCREEN = 3.267
"""Upper range limit of the mR chart (D4 = 3.267): larger moving ranges are left out of mR̄."""


class Rule(StrEnum):
    """A special-cause rule a point takes part in."""

    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Variation(StrEnum):
    """Making Data Count's variation icon for a point, given the indicator's polarity."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    HIGH = "high"
    """Special cause upwards, for an indicator with no polarity."""
    LOW = "low"
    """Special cause downwards, for an indicator with no polarity."""
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class XmR:
    """An individuals chart: limits (NaN when there is not enough data) and each point's signals."""

    values: np.ndarray
    enough: bool
    """False when there were fewer points than the baseline asked for (then no limits, no signals)."""
    baseline: int
    """Points the limits were computed from (the first ones)."""
    mean: float
    average_moving_range: float
    lower: float
    upper: float
    near_lower: float
    """Two thirds of the way from the mean to the lower limit."""
    near_upper: float
    signals: tuple[frozenset[Rule], ...]
    """Per point, the rules it takes part in (empty: common-cause variation)."""

    def side(self) -> np.ndarray:
        """+1 above the mean, −1 below, 0 on it (or everywhere when there is not enough data)."""
        if not self.enough:
            return np.zeros(self.values.shape, dtype=int)
        return np.sign(self.values - self.mean).astype(int)

    def variation(self, polarity: Polarity) -> tuple[Variation, ...]:
        """Each point's variation icon: improvement or concern by the side of its special cause.

        Examples
        --------
        >>> chart = xmr([5, 6, 5, 6, 5, 6, 12], baseline=6)
        >>> chart.variation(Polarity.LOWER_IS_BETTER)[-1], chart.variation(Polarity.NONE)[-1]
        (<Variation.CONCERN: 'concern'>, <Variation.HIGH: 'high'>)
        """
        polarity = Polarity(polarity)
        if not self.enough:
            return (Variation.NOT_ENOUGH_DATA,) * len(self.values)
        good = {Polarity.HIGHER_IS_BETTER: 1, Polarity.LOWER_IS_BETTER: -1}.get(polarity, 0)
        out = []
        for rules, s in zip(self.signals, self.side(), strict=True):
            if not rules:
                out.append(Variation.COMMON_CAUSE)
            elif good == 0:
                out.append(Variation.HIGH if s > 0 else Variation.LOW)
            else:
                out.append(Variation.IMPROVEMENT if s == good else Variation.CONCERN)
        return tuple(out)


def _runs(keys: np.ndarray, length: int) -> np.ndarray:
    """Mark every element of a run of ``length`` or more consecutive equal, nonzero ``keys``."""
    marked = np.zeros(keys.shape, dtype=bool)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= length:
                marked[start:i] = True
            start = i
    return marked


def xmr(values, *, baseline: int = 12, allow_short: bool = False, screen_outliers: bool = True,
        shift: int = 7, trend: int = 7) -> XmR:
    """Build the XmR chart of a series (in time order, no gaps).

    Parameters
    ----------
    values : array_like of float
        The indicator's values, one per period, oldest first.
    baseline : int
        Points whose mean and moving ranges fix the limits (Making Data Count:
        12 at least; the limits then stay fixed).
    allow_short : bool
        With fewer than ``baseline`` points, compute the limits from all of them
        (at least 2) instead of returning "not enough data".
    screen_outliers : bool
        Leave moving ranges above 3.267 mR̄ out of the average moving range.
    shift, trend : int
        Lengths of the runs that signal a shift and a trend.

    Examples
    --------
    >>> chart = xmr([10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 11, 16])
    >>> round(chart.mean, 2), round(chart.average_moving_range, 4), round(chart.upper, 3)
    (11.5, 1.3636, 15.127)
    >>> sorted(chart.signals[-1])
    [<Rule.OUTSIDE_LIMITS: 'outside_limits'>]
    >>> xmr([1, 2, 3]).enough
    False
    """
    y = np.asarray(values, dtype=float).ravel()
    if not np.isfinite(y).all():
        raise UserError(N_("un gráfico XmR necesita un valor en cada período: complete o quite primero los que faltan"))
    if baseline < 2 or shift < 2 or trend < 3:
        raise UserError(N_("baseline=%(baseline)s, shift=%(shift)s, trend=%(trend)s: se necesita baseline ≥ 2, shift ≥ 2, "
                           "trend ≥ 3"), baseline=baseline, shift=shift, trend=trend)
    n = len(y)
    if n < baseline:
        if not allow_short or n < 2:
            nan = float("nan")
            return XmR(y, False, 0, nan, nan, nan, nan, nan, nan, (frozenset(),) * n)
        baseline = n
    base = y[:baseline]
    mean = float(base.mean())
    mr = np.abs(np.diff(base))
    amr = float(mr.mean())
    if screen_outliers and amr > 0:
        amr = float(mr[mr <= MOVING_RANGE_SCREEN * amr].mean())
    width = LIMIT_FACTOR * amr
    lower, upper = mean - width, mean + width
    near_lower, near_upper = mean - 2 * width / 3, mean + 2 * width / 3

    rules = [set() for _ in range(n)]
    idx = np.arange(n)
    for i in idx[(y > upper) | (y < lower)]:
        rules[i].add(Rule.OUTSIDE_LIMITS)
    side = np.sign(y - mean).astype(int)
    for i in idx[_runs(side, shift)]:
        rules[i].add(Rule.SHIFT)
    # a trend of k points is k − 1 consecutive steps the same way; step j joins points j and j + 1
    steps = np.sign(np.diff(y)).astype(int)
    in_trend = np.zeros(n, dtype=bool)
    marked_steps = _runs(steps, trend - 1)
    in_trend[:-1] |= marked_steps
    in_trend[1:] |= marked_steps
    for i in idx[in_trend]:
        rules[i].add(Rule.TREND)
    for beyond in (y > near_upper, y < near_lower):
        for start in range(max(n - 2, 0)):
            window = beyond[start:start + 3]
            if window.sum() >= 2:
                for i in start + np.flatnonzero(window):
                    rules[i].add(Rule.TWO_OF_THREE)
    return XmR(y, True, baseline, mean, amr, lower, upper, near_lower, near_upper,
               tuple(frozenset(r) for r in rules))
