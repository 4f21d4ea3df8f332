"""Emerging hotspot analysis: space-time Gi*, Mann–Kendall trend, ESRI's pattern classes.

Each cell of a space-time cube (periods × rows × cols of counts) gets a Gi*
z-score per period; a bin is a *hot* (*cold*) spot when its z is positive
(negative) and its two-sided p-value is below ``alpha`` (optionally after
Benjamini–Hochberg correction within each period). The Mann–Kendall test of
the cell's z series gives the trend in the intensity of clustering.

Neighbourhood. By default (``time_window=1``, ESRI's default "Neighborhood
Time Step" of 1) the space-time Gi* is used: the neighbours of bin (t, i) are
the cells within ``distance`` in periods t-1..t, and every bin is compared with
the whole cube (:func:`~observatorio.analysis.gistar.gi_star_space_time`). With
``time_window=None`` each period's slice is analysed on its own instead, with
that period's mean and variance, so a cell is hot relative to its own period.
The space-time neighbourhood looks back only, so the first period has fewer
neighbours and a smaller z; ``lead`` periods at the start of the cube serve
as look-back neighbours without being classified (the map uses one).

The classes follow ESRI's definitions as published for ArcGIS Pro 3.x
(:data:`DEFINITIONS`, :data:`DEFINITIONS_URL`). For T periods, *hot* =
significant hot bins, "90 %" means hot bins >= 0.9 T (26 of 28 weeks, 9 of
10 months, 8 of 8 quarters), and the state of the *final* period picks the
family first, so the classes never overlap:

Final period hot:

* **intensifying**: hot in >= 90 % of the periods and the z series has a
  significant increasing Mann–Kendall trend (p < ``trend_alpha``).
* **diminishing**: >= 90 % and a significant decreasing trend.
* **persistent**: >= 90 % and no significant trend.
* **new**: the final period is the only significant bin, hot or cold.
* **consecutive**: a single uninterrupted run of >= 2 hot bins ending in the
  final period, no significant bin (hot or cold) before it, < 90 % hot.
* **oscillating**: < 90 % hot and some earlier period was a cold spot.
* **sporadic**: < 90 % hot, hot on and off before the final run, never cold.

Final period neither hot nor cold:

* **historical**: hot in >= 90 % of the periods.

"No pattern" is everything else: never significant, or significant earlier
but neither significant now nor hot >= 90 % of the time. In particular a cell
hot on and off in the past but not in the final period is *not* sporadic:
ESRI's Pro 3.x text makes sporadic a hot spot "for the final time-step
interval" (the older ArcMap/Pro 2.x text, which sfdep follows, did not), so
such a cell is "no pattern". Cold classes mirror the hot ones with the signs
reversed ("intensifying cold" = significantly decreasing z).

Choices where ESRI's text leaves room: "new" and "consecutive" require no
earlier *cold* bin either (as R's ``sfdep`` does), so a cold spot that turns
hot is "oscillating"; when the final bin is cold but >= 90 % of bins were hot
the final period wins (oscillating cold, not historical hot). A period whose
Gi* is undefined (all cells equal, e.g. no events) counts as not significant
and as z = 0 in the trend. ESRI recommends at least 10 periods; the test
needs at least 3.

Few bins. A class can rest on a single significant period (always "new";
"oscillating" when only the final period is hot): with 28 weekly periods at
α = 0.05 and no correction, a cell has 28 × 0.025 = 0.7 chance hot bins on
average. Every result therefore carries, per cell, the number of significant
bins its pattern rests on (:attr:`EmergingHotspots.pattern_bins`) and a flag
when that is fewer than :data:`MIN_BINS` (:attr:`EmergingHotspots.few_bins`),
which the map and ``analyze emerging`` show beside the class.

References
----------
ESRI. How Emerging Hot Spot Analysis works. ArcGIS Pro 3.x documentation,
Space Time Pattern Mining toolbox (:data:`DEFINITIONS_URL`).
Getis, A. & Ord, J. K. (1992). Geographical Analysis 24, 189–206.
Mann, H. B. (1945). Econometrica 13, 245–259.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from observatorio.errors import N_, UserError

from .fdr import benjamini_hochberg
from .gistar import gi_star, gi_star_space_time
from .trend import mann_kendall_many

DEFINITIONS = "ESRI ArcGIS Pro 3.x"
"""Which published definitions of the classes are implemented (see the module docstring)."""
DEFINITIONS_URL = ("https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/"
                   "learnmoreemerging.htm")
PERSISTENCE_SHARE = 0.9
"""ESRI's "ninety percent of the time-step intervals"; compared exactly as 10 · bins >= 9 · T."""
MIN_BINS = 2
"""A class resting on fewer significant bins than this is flagged (:attr:`EmergingHotspots.few_bins`)."""
TIME_WINDOW = 1
"""Default preceding periods in the space-time neighbourhood (ESRI's default Neighborhood Time Step)."""

class EmergingClass(Enum):
    """ESRI emerging hotspot pattern of a cell; labels for maps and reports are in :mod:`observatorio.labels`."""

    NEW_HOT = "new_hot"
    CONSECUTIVE_HOT = "consecutive_hot"
    INTENSIFYING_HOT = "intensifying_hot"
    PERSISTENT_HOT = "persistent_hot"
    DIMINISHING_HOT = "diminishing_hot"
    SPORADIC_HOT = "sporadic_hot"
    OSCILLATING_HOT = "oscillating_hot"
    HISTORICAL_HOT = "historical_hot"
    NEW_COLD = "new_cold"
    CONSECUTIVE_COLD = "consecutive_cold"
    INTENSIFYING_COLD = "intensifying_cold"
    PERSISTENT_COLD = "persistent_cold"
    DIMINISHING_COLD = "diminishing_cold"
    SPORADIC_COLD = "sporadic_cold"
    OSCILLATING_COLD = "oscillating_cold"
    HISTORICAL_COLD = "historical_cold"
    NO_PATTERN = "no_pattern"


# Hot and cold share the rules; this picks the class names of one side.
_SIDE = {
    True: dict(
        new=EmergingClass.NEW_HOT,
        consecutive=EmergingClass.CONSECUTIVE_HOT,
        intensifying=EmergingClass.INTENSIFYING_HOT,
        persistent=EmergingClass.PERSISTENT_HOT,
        diminishing=EmergingClass.DIMINISHING_HOT,
        sporadic=EmergingClass.SPORADIC_HOT,
        oscillating=EmergingClass.OSCILLATING_HOT,
        historical=EmergingClass.HISTORICAL_HOT,
    ),
    False: dict(
        new=EmergingClass.NEW_COLD,
        consecutive=EmergingClass.CONSECUTIVE_COLD,
        intensifying=EmergingClass.INTENSIFYING_COLD,
        persistent=EmergingClass.PERSISTENT_COLD,
        diminishing=EmergingClass.DIMINISHING_COLD,
        sporadic=EmergingClass.SPORADIC_COLD,
        oscillating=EmergingClass.OSCILLATING_COLD,
        historical=EmergingClass.HISTORICAL_COLD,
    ),
}


CLASSES = tuple(EmergingClass)
"""Every class in a fixed order: :func:`classify_cells` answers positions in it."""
CODE = {c: i for i, c in enumerate(CLASSES)}
_HOT_CODES = np.array([c in _SIDE[True].values() for c in CLASSES])
_COLD_CODES = np.array([c in _SIDE[False].values() for c in CLASSES])


def _ninety_percent(bins, n: int):
    """ESRI's "ninety percent of the time-step intervals", exactly: 10 · bins >= 9 · n (no rounding of 0.9 n)."""
    return 10 * np.asarray(bins) >= 9 * n


def pattern_bins(codes, hot, cold) -> np.ndarray:
    """Significant bins each cell's class rests on: its hot bins for a hot class, cold bins for a cold one.

    Parameters
    ----------
    codes : array_like of int, shape (k,)
        Positions in :data:`CLASSES` (from :func:`classify_cells`).
    hot, cold : array_like of bool, shape (T, k)
        Significant bins.

    Returns
    -------
    numpy.ndarray of int, shape (k,)
        0 for "no pattern".

    Examples
    --------
    >>> hot = np.array([[False, True], [False, False], [True, True]])
    >>> codes = classify_cells(hot, np.zeros_like(hot), [0, 0], [1, 1])
    >>> [CLASSES[c].value for c in codes], pattern_bins(codes, hot, np.zeros_like(hot)).tolist()
    (['new_hot', 'sporadic_hot'], [1, 2])
    """
    codes = np.asarray(codes)
    hot_n = np.asarray(hot, dtype=bool).sum(axis=0)
    cold_n = np.asarray(cold, dtype=bool).sum(axis=0)
    return np.where(_HOT_CODES[codes], hot_n, np.where(_COLD_CODES[codes], cold_n, 0))


@dataclass(frozen=True)
class EmergingHotspots:
    """Per-cell results; arrays are ``(nrows, ncols)`` unless noted, NaN/None outside the mask."""

    classes: np.ndarray
    """Object array of :class:`EmergingClass` (None outside the study area)."""
    codes: np.ndarray
    """int8 positions in :data:`CLASSES` (-1 outside the study area): the classes, cheap to compare."""
    pattern_bins: np.ndarray
    """int: significant bins the class rests on (:func:`pattern_bins`; -1 outside the study area)."""
    z: np.ndarray
    """Gi* z-scores, shape (nperiods, nrows, ncols)."""
    hot: np.ndarray
    """Significant hot bins, shape (nperiods, nrows, ncols)."""
    cold: np.ndarray
    """Significant cold bins, shape (nperiods, nrows, ncols)."""
    trend_z: np.ndarray
    trend_p: np.ndarray
    trend_slope: np.ndarray
    """Sen's slope of the z series, z units per period."""
    mask: np.ndarray
    alpha: float
    trend_alpha: float
    fdr: bool
    time_window: int | None
    lead: int = 0
    """Periods before the first classified one, used only as look-back neighbours."""

    @property
    def periods(self) -> int:
        return int(self.z.shape[0])

    @property
    def few_bins(self) -> np.ndarray:
        """bool (nrows, ncols): a class (not "no pattern") resting on fewer than :data:`MIN_BINS` significant bins."""
        return (self.codes != CODE[EmergingClass.NO_PATTERN]) & (self.codes >= 0) & (self.pattern_bins < MIN_BINS)

    def definitions(self) -> dict:
        """Which definitions and parameters classed the cells: to print beside the classes."""
        return {
            "definitions": DEFINITIONS,
            "source": DEFINITIONS_URL,
            "gi_star": "each_period" if self.time_window is None else "space_time",
            "time_window": self.time_window,
            "lead_periods": self.lead,
            "periods": self.periods,
            "alpha": self.alpha,
            "fdr": self.fdr,
            "trend_alpha": self.trend_alpha,
            "persistence_share": PERSISTENCE_SHARE,
            "persistence_bins": -(-9 * self.periods // 10),  # fewest bins with 10 · bins >= 9 · T
            "min_bins": MIN_BINS,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per cell of the study area: class (the stable value), the bins it rests on, hot/cold periods, trend.

        ``few_bins`` is True where the class rests on fewer than :data:`MIN_BINS` significant periods.
        """
        rows, cols = np.nonzero(self.mask)
        classes = self.classes[rows, cols]
        return pd.DataFrame(
            {
                "row": rows,
                "col": cols,
                "pattern": [c.value for c in classes],
                "pattern_periods": self.pattern_bins[rows, cols],
                "few_periods": self.few_bins[rows, cols],
                "periods": self.periods,
                "hot_periods": self.hot[:, rows, cols].sum(axis=0),
                "cold_periods": self.cold[:, rows, cols].sum(axis=0),
                "trend_z": self.trend_z[rows, cols],
                "trend_p": self.trend_p[rows, cols],
                "trend_slope": self.trend_slope[rows, cols],
            }
        )


def classify_series(z, hot, cold, *, trend_alpha: float = 0.05) -> EmergingClass:
    """ESRI emerging-hotspot class of one cell from its Gi* z series and significant bins.

    Parameters
    ----------
    z : array_like, shape (T,)
        Gi* z-scores in time order (NaN counts as 0 for the trend).
    hot, cold : array_like of bool, shape (T,)
        Significant hot and cold bins.
    trend_alpha : float
        Significance of the Mann–Kendall trend of ``z``.

    Notes
    -----
    The rules are in the module docstring (ESRI's definitions);
    :func:`classify_cells` on one cell.

    Examples
    --------
    >>> z = [0, 0, 0, 0, 0, 0, 0, 0, 0, 3.1]
    >>> hot = [False] * 9 + [True]
    >>> classify_series(z, hot, [False] * 10)
    <EmergingClass.NEW_HOT: 'new_hot'>
    """
    z = np.nan_to_num(np.asarray(z, dtype=float))
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    if not (z.ndim == 1 and z.shape == hot.shape == cold.shape):
        raise ValueError(f"z, hot and cold must be 1-D of one length, got {z.shape}, {hot.shape}, {cold.shape}")
    if z.size < 3:
        raise UserError(N_("los puntos calientes emergentes necesitan al menos 3 períodos; hay %(size)s"), size=z.size)
    if (hot & cold).any():
        raise UserError(N_("una celda no puede ser caliente y fría a la vez"))
    if not 0 < trend_alpha < 1:
        raise UserError(N_("trend_alpha=%(trend_alpha)s debe estar en (0, 1)"), trend_alpha=repr(trend_alpha))
    trend = mann_kendall_many(z[None, :])
    code = classify_cells(hot[:, None], cold[:, None], trend.s, trend.p_value, trend_alpha=trend_alpha)[0]
    return CLASSES[code]


def classify_cells(hot, cold, trend_s, trend_p, *, trend_alpha: float = 0.05) -> np.ndarray:
    """ESRI classes of k cells at once, as positions in :data:`CLASSES`.

    Parameters
    ----------
    hot, cold : array_like of bool, shape (T, k)
        Significant hot and cold bins of each cell, periods in time order.
    trend_s, trend_p : array_like, shape (k,)
        Mann–Kendall S and p-value of each cell's z series
        (:func:`observatorio.analysis.trend.mann_kendall_many`).
    trend_alpha : float
        Significance of the trend.

    Returns
    -------
    numpy.ndarray of int8, shape (k,)

    Notes
    -----
    The rules of the module docstring, applied to every cell with array
    operations (a cell per call cost ~0.1 ms, too slow for a map's thousands
    of cells). A cold side reads the trend with its sign reversed: the
    Mann–Kendall S of −z is −S with the same p-value.
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    s = np.asarray(trend_s, dtype=float)
    trending = np.asarray(trend_p, dtype=float) < trend_alpha
    n = hot.shape[0]
    codes = np.full(hot.shape[1], CODE[EmergingClass.NO_PATTERN], dtype=np.int8)
    # Neither side in the final period: historical (>= 90 %) or no pattern, hot checked first.
    neutral = ~(hot[-1] | cold[-1])
    codes[neutral & _ninety_percent(cold.sum(axis=0), n)] = CODE[EmergingClass.HISTORICAL_COLD]
    codes[neutral & _ninety_percent(hot.sum(axis=0), n)] = CODE[EmergingClass.HISTORICAL_HOT]
    periods = np.arange(n)[:, None]
    for is_hot, same, opposite, rising in ((True, hot, cold, s > 0), (False, cold, hot, s < 0)):
        names = _SIDE[is_hot]
        last = same[-1]
        # Length of the final uninterrupted run on this side (the whole series when it never breaks).
        broken = ~same[::-1]
        run = np.where(broken.any(axis=0), broken.argmax(axis=0), n)
        before = ((same | opposite) & (periods < n - run)).any(axis=0)
        share = _ninety_percent(same.sum(axis=0), n)
        picks = [
            (share & trending & rising, "intensifying"),
            (share & trending & ~rising & (s != 0), "diminishing"),
            (share, "persistent"),
            (~before & (run == 1), "new"),
            (~before, "consecutive"),
            (opposite.any(axis=0), "oscillating"),
            (np.ones_like(last), "sporadic"),
        ]
        chosen = np.zeros_like(last)
        for test, name in picks:
            take = last & test & ~chosen
            codes[take] = CODE[names[name]]
            chosen |= take
    return codes


def emerging_hotspots(
    cube,
    cell: float,
    distance: float,
    *,
    mask=None,
    alpha: float = 0.05,
    fdr: bool = False,
    trend_alpha: float = 0.05,
    time_window: int | None = TIME_WINDOW,
    lead: int = 0,
) -> EmergingHotspots:
    """Emerging hotspot analysis of a space-time cube of counts on a grid.

    Parameters
    ----------
    cube : array_like, shape (nperiods, nrows, ncols)
        Counts per period (in time order) and cell, e.g.
        ``np.stack([grid.counts(x[m], y[m]) for m in period_masks])``.
    cell, distance : float
        Cell side and neighbourhood radius, metres.
    mask : array_like of bool, shape (nrows, ncols), optional
        Cells of the study area.
    alpha : float
        Significance of a hot/cold bin (two-sided p-value of Gi*).
    fdr : bool
        Benjamini–Hochberg correction of the bins of each period at ``alpha``.
    trend_alpha : float
        Significance of the Mann–Kendall trend.
    time_window : int or None
        k >= 0 (default 1, as ESRI): space-time Gi* with the k preceding
        periods in the neighbourhood, against the whole cube (see
        :func:`observatorio.analysis.gistar.gi_star_space_time`). None: Gi* of
        each period's slice on its own.
    lead : int
        Periods at the start of the cube that only serve as the look-back
        neighbours of the next ones: their bins are not tested, classified or
        returned. The space-time Gi* of the first period has no preceding
        periods, so its neighbourhood is 1/(k+1) of the others' and its z
        smaller (by √2 for k = 1): a steady hot spot can miss its first period
        and, with 8 periods where "90 %" means all 8, read as "consecutive".
        ``lead=time_window`` gives every classified period a full neighbourhood.

    Returns
    -------
    EmergingHotspots

    Notes
    -----
    Classes and rules in the module docstring (ESRI, :data:`DEFINITIONS`);
    Gi* as in :func:`observatorio.analysis.gistar.gi_star_space_time` (or
    :func:`~observatorio.analysis.gistar.gi_star` per period); trend from
    :func:`observatorio.analysis.trend.mann_kendall`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> cube = rng.poisson(1.0, size=(10, 8, 8)).astype(float)
    >>> cube[-1, 3:5, 3:5] += 12  # a cluster that appears only in the last period
    >>> r = emerging_hotspots(cube, cell=100, distance=150)
    >>> r.classes[3, 3], int(r.pattern_bins[3, 3]), bool(r.few_bins[3, 3])
    (<EmergingClass.NEW_HOT: 'new_hot'>, 1, True)
    """
    x = np.asarray(cube, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"cube must be 3-D (nperiods, nrows, ncols), got shape {x.shape}")
    if not (isinstance(lead, (int, np.integer)) and lead >= 0):
        raise UserError(N_("lead=%(lead)s debe ser un número entero no negativo de períodos"), lead=repr(lead))
    nper = x.shape[0] - lead
    if nper < 3:
        if lead:
            raise UserError(N_("los puntos calientes emergentes necesitan al menos 3 períodos; hay %(size)s (después "
                               "de %(lead)s períodos previos)"), size=nper, lead=lead)
        raise UserError(N_("los puntos calientes emergentes necesitan al menos 3 períodos; hay %(size)s"), size=nper)
    for name, value in (("alpha", alpha), ("trend_alpha", trend_alpha)):
        if not (isinstance(value, (int, float)) and 0 < value < 1):
            raise UserError(N_("%(name)s=%(value)s debe ser un número en (0, 1)"), name=name, value=repr(value))
    if time_window is None:
        z = np.empty(x[lead:].shape)
        p = np.empty(x[lead:].shape)
        for t in range(nper):
            r = gi_star(x[lead + t], cell, distance, mask=mask)
            z[t], p[t] = r.z, r.p_value
        inside = r.mask
    else:
        z, p = gi_star_space_time(x, cell, distance, time_window, mask=mask)
        z, p = z[lead:], p[lead:]
        inside = np.ones(x.shape[1:], dtype=bool) if mask is None else np.asarray(mask, dtype=bool)

    if fdr:
        significant = np.stack([benjamini_hochberg(p[t], alpha).reject for t in range(nper)])
    else:
        significant = np.nan_to_num(p, nan=1.0) < alpha
    hot = significant & (np.nan_to_num(z) > 0)
    cold = significant & (np.nan_to_num(z) < 0)

    rows, cols = np.nonzero(inside)
    series = np.nan_to_num(z[:, rows, cols])  # (periods, cells)
    trend = mann_kendall_many(series.T) if rows.size else None
    codes = np.full(inside.shape, -1, dtype=np.int8)
    bins = np.full(inside.shape, -1, dtype=int)
    trend_z = np.full(inside.shape, np.nan)
    trend_p = np.full(inside.shape, np.nan)
    trend_slope = np.full(inside.shape, np.nan)
    if trend is not None:
        codes[rows, cols] = classify_cells(hot[:, rows, cols], cold[:, rows, cols], trend.s, trend.p_value,
                                           trend_alpha=trend_alpha)
        bins[rows, cols] = pattern_bins(codes[rows, cols], hot[:, rows, cols], cold[:, rows, cols])
        trend_z[rows, cols], trend_p[rows, cols], trend_slope[rows, cols] = trend.z, trend.p_value, trend.slope
    classes = np.full(inside.shape, None, dtype=object)
    classes[rows, cols] = np.array(CLASSES, dtype=object)[codes[rows, cols]]
    return EmergingHotspots(
        classes=classes,
        codes=codes,
        pattern_bins=bins,
        z=z,
        hot=hot,
        cold=cold,
        trend_z=trend_z,
        trend_p=trend_p,
        trend_slope=trend_slope,
        mask=inside.copy(),
        alpha=float(alpha),
        trend_alpha=float(trend_alpha),
        fdr=bool(fdr),
        time_window=time_window,
        lead=int(lead),
    )
