"""An indicator's value (numerator / denominator × factor), its interval, and a traffic light that means something.

Conventions: DHIS2's indicators (numerator / denominator × factor); Public
Health England's Fingertips (status from the confidence interval against the
target, not from the bare value; "significantly worse and getting worse");
Chile's DIPRES performance indicators (polarity, targets per period).

The status is computed on unrounded values: a value displayed as "80,0"
that is 79,96 does not meet a target of 80. The only tolerance is for
floating-point noise (a relative 1e-9, far below any rounding shown), so that
7 / 10 × 100 meets a target of 70 whichever the polarity.

References
----------
Public Health England. Fingertips: technical guidance, "Comparisons against a goal" and
"Recent trends"; Technical Guide: Confidence Intervals (2018).
DHIS2 Documentation: Indicators (numerator, denominator, factor).
DIPRES (2021). Evaluación de programas: notas técnicas (indicadores de desempeño).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from observatorio.analysis.compare import poisson_rate_test
from observatorio.analysis.intervals import RateMethod, newcombe_difference, rate_interval, wilson
from observatorio.errors import N_, UserError

REL_TOL = 1e-9
"""Values this close to the target (relatively) count as equal to it: floating-point noise, never display rounding."""


class Polarity(StrEnum):
    """Which direction of the indicator is good."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NONE = "none"
    """Neither: the indicator describes, it has no target (e.g. population)."""


class Kind(StrEnum):
    """What the numerator and denominator are, hence how the interval is computed."""

    VALUE = "value"
    """Values entered by the unit (a budget executed, a survey result): no sampling interval."""
    RATE = "rate"
    """A count of events over a population or exposure: Poisson interval (PHE: exact below 10, Byar's above)."""
    PROPORTION = "proportion"
    """Cases meeting a condition out of all cases (numerator ≤ denominator): Wilson's interval."""


class Status(StrEnum):
    """The traffic light of one reading."""

    MEETS = "meets"
    """The whole interval is on the good side of the target (a value exactly on it meets it)."""
    NOT_MET = "not_met"
    """The whole interval is on the bad side of the target."""
    UNCERTAIN = "uncertain"
    """The interval contains the target: not conclusive."""
    NO_TARGET = "no_target"
    NOT_ENOUGH_DATA = "not_enough_data"
    """A side of the formula is missing, or the denominator is 0."""


class Trend(StrEnum):
    """Change from the previous period, tested (PHE's "getting better / getting worse")."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    INCREASING = "increasing"
    """Significant rise of an indicator with no polarity."""
    DECREASING = "decreasing"
    NO_CHANGE = "no_change"
    """The change is not significant."""
    NOT_TESTABLE = "not_testable"
    """Entered values have no interval, so no change can be tested; or a period lacks data."""


def evaluate(numerator, denominator=1, factor: float = 1.0) -> float | None:
    """``numerator / denominator × factor``, or None when a side is missing or the denominator is 0.

    Computed as ``numerator × factor / denominator`` (so 7 / 10 × 100 is exactly 70).

    Examples
    --------
    >>> evaluate(7, 10, 100), evaluate(3, 0), evaluate(None, 4), evaluate(5)
    (70.0, None, None, 5.0)
    """
    if _missing(numerator) or _missing(denominator):
        return None
    if not math.isfinite(float(factor)) or factor == 0:
        raise UserError(N_("factor=%(factor)s debe ser un número finito distinto de 0 (p. ej., 100 para un porcentaje)"),
                        factor=repr(factor))
    if denominator == 0:
        return None
    return float(numerator) * float(factor) / float(denominator)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float | np.floating) and math.isnan(x))


def _at_or_above(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def _at_or_below(a: float, b: float) -> bool:
    return a <= b or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def status(lower: float | None, upper: float | None, target: float | None, polarity: Polarity) -> Status:
    """The traffic light of an interval against a target.

    Examples
    --------
    >>> status(81.0, 90.0, 80, Polarity.HIGHER_IS_BETTER), status(75.0, 80.0, 80, Polarity.LOWER_IS_BETTER)
    (<Status.MEETS: 'meets'>, <Status.MEETS: 'meets'>)
    >>> status(79.9, 85.0, 80, Polarity.HIGHER_IS_BETTER), status(70.0, 79.99, 80, Polarity.HIGHER_IS_BETTER)
    (<Status.UNCERTAIN: 'uncertain'>, <Status.NOT_MET: 'not_met'>)
    """
    polarity = Polarity(polarity)
    if lower is None or upper is None or math.isnan(lower) or math.isnan(upper):
        return Status.NOT_ENOUGH_DATA
    if _missing(target):
        return Status.NO_TARGET
    if polarity is Polarity.NONE:
        raise UserError(N_("un indicador sin polaridad no puede tener meta: indique si es mejor más alto o más bajo"))
    if polarity is Polarity.HIGHER_IS_BETTER:
        if _at_or_above(lower, target):
            return Status.MEETS
        return Status.UNCERTAIN if _at_or_above(upper, target) else Status.NOT_MET
    if _at_or_below(upper, target):
        return Status.MEETS
    return Status.UNCERTAIN if _at_or_below(lower, target) else Status.NOT_MET


@dataclass(frozen=True)
class Reading:
    """One indicator in one period (and area): value, interval, status and, given the previous period, trend."""

    value: float | None
    lower: float | None
    upper: float | None
    status: Status
    trend: Trend | None
    """None when no previous period was given."""


def interval(numerator, denominator=1, *, factor: float = 1.0, kind: Kind = Kind.VALUE,
             method: RateMethod = RateMethod.PHE, confidence: float = 0.95):
    """``(value, lower, upper)`` of the formula; all None when the formula cannot be evaluated.

    Examples
    --------
    >>> v, lo, hi = interval(23, 50000, factor=100000, kind=Kind.RATE)
    >>> v, round(lo, 2), round(hi, 2)
    (46.0, 29.15, 69.03)
    >>> v, lo, hi = interval(81, 263, factor=100, kind=Kind.PROPORTION)
    >>> round(v, 2), round(lo, 2), round(hi, 2)
    (30.8, 25.53, 36.62)
    """
    value = evaluate(numerator, denominator, factor)
    if value is None:
        return None, None, None
    kind = Kind(kind)
    if kind is Kind.VALUE:
        return value, value, value
    if kind is Kind.RATE:
        _, lo, hi = rate_interval(numerator, denominator, factor, method, confidence)
    else:
        lo, hi = wilson(numerator, denominator, confidence)
        lo, hi = lo * factor, hi * factor
    lo, hi = float(lo), float(hi)
    return value, min(lo, hi), max(lo, hi)


def trend(current, previous, *, kind: Kind, polarity: Polarity, confidence: float = 0.95) -> Trend:
    """Whether the change from ``previous`` to ``current`` (each a ``(numerator, denominator)``) is significant.

    Rates: the exact conditional test of two Poisson rates
    (:func:`observatorio.analysis.compare.poisson_rate_test`, denominators as
    exposures); proportions: Newcombe's interval for the difference excludes 0.

    Examples
    --------
    >>> trend((60, 10000), (30, 10000), kind=Kind.RATE, polarity=Polarity.LOWER_IS_BETTER)
    <Trend.WORSENING: 'worsening'>
    >>> trend((56, 70), (48, 80), kind=Kind.PROPORTION, polarity=Polarity.HIGHER_IS_BETTER)
    <Trend.IMPROVING: 'improving'>
    >>> trend((33, 10000), (30, 10000), kind=Kind.RATE, polarity=Polarity.NONE)
    <Trend.NO_CHANGE: 'no_change'>
    """
    kind, polarity = Kind(kind), Polarity(polarity)
    (x1, n1), (x2, n2) = current, previous
    if kind is Kind.VALUE or evaluate(x1, n1) is None or evaluate(x2, n2) is None:
        return Trend.NOT_TESTABLE
    if kind is Kind.RATE:
        significant = poisson_rate_test(x1, float(n1), x2, float(n2)) < 1 - confidence
    else:
        _, lo, hi = newcombe_difference(x1, n1, x2, n2, confidence)
        significant = bool(lo > 0 or hi < 0)
    if not significant:
        return Trend.NO_CHANGE
    up = x1 / n1 > x2 / n2
    if polarity is Polarity.NONE:
        return Trend.INCREASING if up else Trend.DECREASING
    return Trend.IMPROVING if up == (polarity is Polarity.HIGHER_IS_BETTER) else Trend.WORSENING


def assess(numerator, denominator=1, *, factor: float = 1.0, kind: Kind = Kind.VALUE,
           polarity: Polarity = Polarity.HIGHER_IS_BETTER, target: float | None = None,
           previous: tuple | None = None, method: RateMethod = RateMethod.PHE,
           confidence: float = 0.95) -> Reading:
    """Evaluate the formula, its interval, the traffic light against ``target`` and the trend from ``previous``.

    Parameters
    ----------
    numerator, denominator : number or None
        The two sides of the formula (None: not entered). Counts for RATE and PROPORTION.
    factor : float
        100 for a percentage, 100000 for a rate per 100 000.
    kind : Kind
        How the interval is computed.
    polarity : Polarity
    target : float, optional
        The goal for this period and area, in the indicator's unit (after the factor).
    previous : (numerator, denominator), optional
        The previous period, for the trend.

    Examples
    --------
    >>> r = assess(46, 200, factor=100, kind=Kind.PROPORTION, target=30, polarity=Polarity.HIGHER_IS_BETTER)
    >>> r.value, r.status
    (23.0, <Status.NOT_MET: 'not_met'>)
    >>> assess(30, 100, factor=100, kind=Kind.PROPORTION, target=30).status
    <Status.UNCERTAIN: 'uncertain'>
    >>> assess(None, 100, target=30).status, assess(5, 100).status
    (<Status.NOT_ENOUGH_DATA: 'not_enough_data'>, <Status.NO_TARGET: 'no_target'>)
    """
    value, lo, hi = interval(numerator, denominator, factor=factor, kind=kind, method=method, confidence=confidence)
    light = status(lo, hi, target, polarity)
    change = None
    if previous is not None:
        change = trend((numerator, denominator), tuple(previous), kind=kind, polarity=polarity, confidence=confidence)
    return Reading(value, lo, hi, light, change)
