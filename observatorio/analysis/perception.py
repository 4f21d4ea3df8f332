"""The gap between perceived insecurity (surveys) and recorded crime, by area.

References
----------
Kish, L. (1965). Survey Sampling. Wiley (effective sample size, ch. 11.7).
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. JASA 22, 209–212.
Spearman, C. (1904). The proof and measurement of association between two things.
American Journal of Psychology 15, 72–101.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from observatorio.errors import N_, UserError

CENTRES = ("median", "mean")


class GapClass(enum.Enum):
    """Where an area stands on fear and on recorded crime, each against its centre.

    Labels for maps and reports are in :mod:`observatorio.labels`.
    """

    HIGH_FEAR_HIGH_CRIME = "HH"
    HIGH_FEAR_LOW_CRIME = "HL"
    LOW_FEAR_HIGH_CRIME = "LH"
    LOW_FEAR_LOW_CRIME = "LL"


@dataclass(frozen=True)
class WeightedProportion:
    proportion: float
    n: int
    """Respondents (unweighted)."""
    n_effective: float
    """Kish effective sample size (Σw)² / Σw²."""
    se: float
    lower: float
    upper: float


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise UserError(N_("confidence=%(confidence)s debe estar en (0, 1)"), confidence=repr(confidence))


def weighted_proportion(outcome, weights, *, confidence: float = 0.95) -> WeightedProportion:
    """Weighted share of respondents with ``outcome`` true, with a Wilson interval on the Kish n.

    Parameters
    ----------
    outcome : array_like of bool or 0/1, shape (n,)
        E.g. "feels unsafe walking alone at night in their neighbourhood".
    weights : array_like, shape (n,)
        Expansion factors (non-negative, not all zero).
    confidence : float
        Interval level, in (0, 1).

    Returns
    -------
    WeightedProportion

    Notes
    -----
    p = Σ wi yi / Σ wi. Unequal weights inflate the variance; Kish's (1965)
    effective sample size n_eff = (Σw)² / Σw² turns the weighted sample into
    the simple random sample of equal precision. SE = sqrt(p(1-p)/n_eff) and
    the interval is Wilson's (1927) score interval with n_eff in place of n,
    which stays inside [0, 1] for small areas and shares near 0 or 1. This
    ignores clustering and stratification of the design, which a design-based
    variance would capture.

    Examples
    --------
    >>> r = weighted_proportion([1, 1, 0, 0], [3, 1, 1, 1])
    >>> r.proportion, round(r.n_effective, 4), round(r.se, 4)
    (0.6666666666666666, 3.0, 0.2722)
    """
    y = np.asarray(outcome, dtype=float)
    w = np.asarray(weights, dtype=float)
    if y.shape != w.shape or y.ndim != 1:
        raise ValueError(f"outcome and weights must be 1-D of equal length, got {y.shape} and {w.shape}")
    if y.size == 0:
        raise UserError(N_("no hay encuestados"))
    if not np.isin(y, (0.0, 1.0)).all():
        raise UserError(N_("la respuesta debe ser booleana o 0/1"))
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise UserError(N_("los pesos deben ser finitos, no negativos y no todos cero"))
    _check_confidence(confidence)
    p = float(np.sum(w * y) / w.sum())
    n_eff = float(w.sum() ** 2 / np.sum(w**2))
    se = float(np.sqrt(p * (1 - p) / n_eff))
    zc = stats.norm.ppf(0.5 + confidence / 2)
    denom = 1 + zc**2 / n_eff
    centre = (p + zc**2 / (2 * n_eff)) / denom
    half = zc * np.sqrt(p * (1 - p) / n_eff + zc**2 / (4 * n_eff**2)) / denom
    return WeightedProportion(p, int(y.size), n_eff, se, float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def fear_by_area(area, outcome, weights, *, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`weighted_proportion` for each area.

    Parameters
    ----------
    area : array_like, shape (n,)
        Area code of each respondent.
    outcome, weights, confidence : as in :func:`weighted_proportion`.

    Returns
    -------
    pandas.DataFrame
        Indexed by area (sorted): ``proportion``, ``n``, ``n_effective``, ``se``, ``lower``, ``upper``.

    Examples
    --------
    >>> t = fear_by_area(["a", "a", "b", "b"], [1, 0, 1, 1], [1, 1, 2, 1])
    >>> t["proportion"].tolist()
    [0.5, 1.0]
    """
    a = np.asarray(area)
    y = np.asarray(outcome)
    w = np.asarray(weights)
    if not (a.shape == y.shape == w.shape) or a.ndim != 1:
        raise ValueError(f"area, outcome and weights must be 1-D of equal length, got {a.shape}, {y.shape}, {w.shape}")
    rows = {}
    for code in sorted(pd.unique(a)):
        m = a == code
        rows[code] = weighted_proportion(y[m], w[m], confidence=confidence).__dict__
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "area"
    return out


@dataclass(frozen=True, eq=False)
class PerceptionGap:
    table: pd.DataFrame
    """Per area: ``fear``, ``crime``, ``z_fear``, ``z_crime``, ``gap`` (= z_fear − z_crime), ``gap_class``."""
    spearman_rho: float
    spearman_p: float
    centre: str


def perception_gap(fear: pd.Series, crime: pd.Series, *, centre: str = "median") -> PerceptionGap:
    """Standardised gap between fear and recorded crime per area, its 4-class map and their correlation.

    Parameters
    ----------
    fear : pandas.Series
        Share feeling unsafe per area (e.g. ``fear_by_area(...)["proportion"]``).
    crime : pandas.Series
        Recorded crime rate per area (e.g. per 1,000 inhabitants), same index.
    centre : {"median", "mean"}
        What "high" is measured against: an area is high on a measure when it
        is strictly above that measure's median (default) or mean over areas.

    Returns
    -------
    PerceptionGap

    Notes
    -----
    z = (x − mean) / SD with ddof=1 (areas are a sample of the commune's
    possible partitions, and the sample SD is what analysts reproduce in a
    spreadsheet). gap > 0: more fear than the recorded crime of the area
    would suggest, relative to the other areas. Classes use the raw values
    against the centre; with ``"mean"`` this is the sign of z. The median
    splits areas into halves and resists an outlying area; ties at the
    centre count as low. Spearman's rank correlation (1904) measures how far
    fear follows crime across areas.

    Examples
    --------
    >>> fear = pd.Series([0.2, 0.4, 0.6], index=["a", "b", "c"])
    >>> crime = pd.Series([30.0, 10.0, 20.0], index=["a", "b", "c"])
    >>> g = perception_gap(fear, crime)
    >>> g.table["gap"].round(3).tolist()
    [-2.0, 1.0, 1.0]
    >>> [c.value for c in g.table["gap_class"]]
    ['LH', 'LL', 'HL']
    """
    if centre not in CENTRES:
        raise UserError(N_("centre=%(centre)s no es uno de %(centres)s"), centre=repr(centre), centres=CENTRES)
    if not isinstance(fear, pd.Series) or not isinstance(crime, pd.Series):
        raise ValueError("fear and crime must be pandas Series indexed by area")
    if set(fear.index) != set(crime.index) or fear.index.has_duplicates or crime.index.has_duplicates:
        missing = sorted(set(fear.index) ^ set(crime.index), key=str)
        raise UserError(N_("el temor y los delitos deben cubrir las mismas áreas, sin repetir; sin par: %(value)s"),
                        value=missing[:10])
    t = pd.DataFrame({"fear": fear.astype(float), "crime": crime.astype(float).reindex(fear.index)})
    if t.isna().any().any():
        raise UserError(N_("el temor y los delitos no deben tener valores que falten"))
    if len(t) < 3:
        raise UserError(N_("se necesitan al menos 3 áreas; hay %(n)s"), n=len(t))
    for col in ("fear", "crime"):
        sd = t[col].std(ddof=1)
        if sd == 0:
            raise UserError(N_("%(col)s es constante entre áreas y no se puede estandarizar"), col=col)
        t[f"z_{col}"] = (t[col] - t[col].mean()) / sd
    t["gap"] = t["z_fear"] - t["z_crime"]
    ref = t[["fear", "crime"]].median() if centre == "median" else t[["fear", "crime"]].mean()
    high_fear = t["fear"] > ref["fear"]
    high_crime = t["crime"] > ref["crime"]
    classes = np.where(
        high_fear,
        np.where(high_crime, GapClass.HIGH_FEAR_HIGH_CRIME, GapClass.HIGH_FEAR_LOW_CRIME),
        np.where(high_crime, GapClass.LOW_FEAR_HIGH_CRIME, GapClass.LOW_FEAR_LOW_CRIME),
    )
    t["gap_class"] = pd.Series(classes, index=t.index, dtype=object)
    rho, p = stats.spearmanr(t["fear"], t["crime"])
    return PerceptionGap(table=t, spearman_rho=float(rho), spearman_p=float(p), centre=centre)
