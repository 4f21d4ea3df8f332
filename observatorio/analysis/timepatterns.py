"""When events happen: hour × weekday, aoristic weights, monthly seasonality and trend.

References
----------
Ratcliffe, J. H. (2002). Aoristic signatures and the spatio-temporal analysis
of high volume crime patterns. Journal of Quantitative Criminology 18(1), 23–43.
Makridakis, S., Wheelwright, S. & Hyndman, R. (1998). Forecasting: Methods and
Applications, 3rd ed., §4/3 (classical multiplicative decomposition).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatorio.analysis.trend import Direction, MannKendall, mann_kendall
from observatorio.errors import N_, UserError

HOURS_IN_WEEK = 168
AORISTIC_METHODS = ("blocks", "overlap")
SEASONALITY_METHODS = ("ratio_to_moving_average", "seasonal_means")
_MONDAY = pd.Timestamp("1970-01-05")  # any Monday midnight: the origin of week-hours
_WEEK_S = HOURS_IN_WEEK * 3600


def _seconds_since_monday(values, name: str) -> np.ndarray:
    when = pd.DatetimeIndex(pd.to_datetime(values))
    if when.tz is not None:
        when = when.tz_localize(None)  # local wall-clock hour is what matters for patrols
    if when.isna().any():
        bad = np.flatnonzero(when.isna())[:10].tolist()
        raise UserError(N_("a %(name)s le faltan valores en las posiciones %(bad)s"), name=name, bad=bad)
    return ((when - _MONDAY) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)


def aoristic_weights(start, end, *, method: str = "blocks") -> np.ndarray:
    """Spread each event over the hours of the week its from–to window covers.

    Parameters
    ----------
    start, end : array_like of timestamps, shape (n,)
        Earliest and latest moment each event may have happened (end ≥ start).
        Timezone-aware values are taken at local wall-clock time.
    method : {"blocks", "overlap"}
        ``"blocks"`` (Ratcliffe 2002): each clock hour the window touches,
        even partly, gets an equal share. ``"overlap"``: each hour gets the
        fraction of the window's duration that falls inside it (a uniform
        density over time).

    Returns
    -------
    numpy.ndarray, shape (n, 168)
        Column ``24 * weekday + hour`` (Monday = 0) holds each event's weight;
        every row sums to 1. A window longer than a week wraps around, so
        its hours accumulate weight from every week they recur in. Memory is
        n × 168 floats; :func:`hour_weekday_matrix` works in chunks.

    Notes
    -----
    Fully vectorised: for week-hour h, the blocks method counts the hour
    indices in [⌊s/3600⌋, ⌈e/3600⌉ − 1] congruent to h mod 168, and the
    overlap method differences the cumulative time spent in h up to e and s.
    A window of zero length puts its whole weight on the hour of ``start``.

    Examples
    --------
    >>> w = aoristic_weights(["2024-01-01 22:30"], ["2024-01-02 01:00"])  # Monday night
    >>> np.flatnonzero(w[0]).tolist(), w[0, 22].item()
    ([22, 23, 24], 0.3333333333333333)
    >>> aoristic_weights(["2024-01-01 22:30"], ["2024-01-02 01:00"], method="overlap")[0, [22, 23, 24]].tolist()
    [0.2, 0.4, 0.4]
    """
    if method not in AORISTIC_METHODS:
        raise UserError(N_("method=%(method)s no está permitido; elija uno de %(aoristic_methods)s"),
                        method=repr(method), aoristic_methods=AORISTIC_METHODS)
    s = _seconds_since_monday(start, "start")
    e = _seconds_since_monday(end, "end")
    if s.shape != e.shape:
        raise ValueError(f"start and end differ in length: {s.size} != {e.size}")
    if (e < s).any():
        bad = np.flatnonzero(e < s)[:10].tolist()
        raise UserError(N_("el fin es anterior al inicio en las posiciones %(bad)s"), bad=bad)
    h = np.arange(HOURS_IN_WEEK, dtype=np.int64)
    instant = e == s
    if method == "blocks":
        first = s // 3600
        last = np.maximum(-(-e // 3600) - 1, first)
        a, b = first[:, None], last[:, None]
        hits = (b - h) // HOURS_IN_WEEK - (a - 1 - h) // HOURS_IN_WEEK
        return hits / (last - first + 1)[:, None]

    def spent(t):  # seconds of [origin, t) that fall in week-hour h
        t = t[:, None]
        return (t // _WEEK_S) * 3600 + np.clip(t % _WEEK_S - h * 3600, 0, 3600)

    span = np.where(instant, 1, e - s).astype(float)
    weights = (spent(e) - spent(s)) / span[:, None]
    if instant.any():
        weights[instant] = 0.0
        weights[np.flatnonzero(instant), (s[instant] // 3600) % HOURS_IN_WEEK] = 1.0
    return weights


def hour_weekday_matrix(start, end=None, *, method: str = "blocks", chunk: int = 100_000) -> np.ndarray:
    """Events by weekday (rows, Monday = 0) and hour of day (columns).

    Parameters
    ----------
    start : array_like of timestamps
        When each event happened, or the start of its window.
    end : array_like of timestamps, optional
        End of each event's window; when given the events are spread with
        :func:`aoristic_weights` and the cells hold fractional counts.
    method : {"blocks", "overlap"}
        Aoristic method, used only with ``end``.
    chunk : int
        Events per block when spreading, to bound memory at chunk × 168 floats.

    Returns
    -------
    numpy.ndarray, shape (7, 24)
        Counts (or summed aoristic weights); the total equals the number of events.

    Notes
    -----
    Without ``end`` an event counts in the hour of its timestamp. Aoristic
    spreading follows Ratcliffe (2002).

    Examples
    --------
    >>> m = hour_weekday_matrix(["2024-01-01 08:15", "2024-01-07 23:59"])
    >>> m.shape, m[0, 8].item(), m[6, 23].item(), m.sum().item()
    ((7, 24), 1.0, 1.0, 2.0)
    """
    if method not in AORISTIC_METHODS:
        raise UserError(N_("method=%(method)s no está permitido; elija uno de %(aoristic_methods)s"),
                        method=repr(method), aoristic_methods=AORISTIC_METHODS)
    if not (isinstance(chunk, (int, np.integer)) and chunk > 0):
        raise UserError(N_("chunk=%(chunk)s debe ser un entero positivo"), chunk=repr(chunk))
    if end is None:
        slot = (_seconds_since_monday(start, "start") // 3600) % HOURS_IN_WEEK
        return np.bincount(slot, minlength=HOURS_IN_WEEK).astype(float).reshape(7, 24)
    starts = pd.DatetimeIndex(pd.to_datetime(start))
    ends = pd.DatetimeIndex(pd.to_datetime(end))
    if len(starts) != len(ends):
        raise ValueError(f"start and end differ in length: {len(starts)} != {len(ends)}")
    total = np.zeros(HOURS_IN_WEEK)
    for i in range(0, len(starts), chunk):
        total += aoristic_weights(starts[i:i + chunk], ends[i:i + chunk], method=method).sum(axis=0)
    return total.reshape(7, 24)


def _monthly_series(counts) -> pd.Series:
    if not isinstance(counts, pd.Series):
        raise ValueError(f"counts must be a pandas Series indexed by month, got {type(counts).__name__}")
    index = counts.index
    if isinstance(index, pd.DatetimeIndex):
        index = index.to_period("M")
    if not isinstance(index, pd.PeriodIndex) or index.freqstr != "M":
        raise UserError(N_("los conteos deben tener como índice períodos mensuales (PeriodIndex 'M') o fechas de "
                           "meses"))
    series = pd.Series(counts.to_numpy(dtype=float), index=index).sort_index()
    expected = pd.period_range(series.index[0], series.index[-1], freq="M") if len(series) else series.index
    if len(series) != len(expected) or not (series.index == expected).all():
        raise UserError(N_("los conteos deben cubrir meses consecutivos sin huecos ni repeticiones; complete con 0 "
                           "los meses que faltan"))
    if series.isna().any() or (series < 0).any():
        raise UserError(N_("los conteos deben ser números no negativos, sin NaN"))
    return series


def monthly_seasonality(counts: pd.Series, *, method: str = "ratio_to_moving_average") -> pd.Series:
    """Seasonal index of each calendar month (1 = an average month).

    Parameters
    ----------
    counts : pandas.Series
        Events per month over at least 24 consecutive months, indexed by a
        monthly PeriodIndex or by month timestamps.
    method : {"ratio_to_moving_average", "seasonal_means"}
        ``"ratio_to_moving_average"`` (default): classical multiplicative
        decomposition; robust to a trend. ``"seasonal_means"``: the mean of
        each calendar month over the mean of all months; needs whole years
        (a multiple of 12 months) and is biased by any trend.

    Returns
    -------
    pandas.Series
        Indexed 1..12 (January..December), averaging exactly 1.

    Notes
    -----
    Ratio to moving average (Makridakis et al. 1998): the centred 2×12 moving
    average T_t = (½y_{t−6} + y_{t−5} + … + y_{t+5} + ½y_{t+6}) / 12 removes
    the seasonal cycle; the ratios y_t / T_t are averaged by calendar month
    (months with T_t = 0 are skipped) and the 12 means are rescaled to
    average 1. The first and last six months have no centred average.

    Examples
    --------
    >>> idx = pd.period_range("2022-01", periods=36, freq="M")
    >>> pattern = np.array([8, 8, 9, 10, 10, 11, 12, 12, 11, 10, 10, 9]) / 10
    >>> s = pd.Series(100 * np.tile(pattern, 3), index=idx)
    >>> monthly_seasonality(s).round(3).tolist()
    [0.8, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 0.9]
    """
    if method not in SEASONALITY_METHODS:
        raise UserError(N_("method=%(method)s no está permitido; elija uno de %(seasonality_methods)s"),
                        method=repr(method), seasonality_methods=SEASONALITY_METHODS)
    y = _monthly_series(counts)
    if len(y) < 24:
        raise UserError(N_("la estacionalidad necesita al menos 24 meses consecutivos; hay %(n)s"), n=len(y))
    months = y.index.month
    if method == "seasonal_means":
        if len(y) % 12:
            raise UserError(N_("seasonal_means necesita años completos de meses; hay %(n)s meses"), n=len(y))
        means = y.groupby(months).mean()
    else:
        kernel = np.r_[0.5, np.ones(11), 0.5] / 12.0
        trend = np.full(len(y), np.nan)
        trend[6:-6] = np.convolve(y.to_numpy(), kernel, mode="valid")
        ratio = pd.Series(np.divide(y.to_numpy(), trend, out=np.full(len(y), np.nan), where=trend > 0), index=y.index)
        means = ratio.groupby(months).mean()
        if means.isna().any() or len(means) < 12:
            raise UserError(N_("algún mes del calendario no tiene una razón utilizable (su media móvil es 0 todos "
                               "los años)"))
    if means.mean() == 0:
        raise UserError(N_("todos los conteos son cero; no hay patrón estacional que medir"))
    index = means / means.mean()
    index.index = pd.Index(range(1, 13), name="month")
    return index


@dataclass(frozen=True)
class TrendVerdict:
    test: MannKendall
    verdict: Direction
    """Up, down or no significant trend at ``alpha``."""


def trend(series, *, alpha: float = 0.05) -> TrendVerdict:
    """Mann–Kendall trend of a series in time order, with its direction.

    Parameters
    ----------
    series : array_like, shape (n,)
        Equally spaced values (e.g. monthly counts), oldest first, n ≥ 3.
    alpha : float
        Significance level, in (0, 1).

    Returns
    -------
    TrendVerdict
        The :class:`~observatorio.analysis.trend.MannKendall` result (with
        Sen's slope) and its :class:`~observatorio.analysis.trend.Direction`.

    Notes
    -----
    Mann (1945), Kendall (1975), Sen (1968); see :mod:`observatorio.analysis.trend`.

    Examples
    --------
    >>> t = trend([3, 4, 6, 7, 9, 12, 13, 15])
    >>> t.verdict, t.test.slope
    (<Direction.UP: 'up'>, 1.8)
    """
    if not 0 < alpha < 1:
        raise UserError(N_("alpha=%(alpha)s debe estar estrictamente entre 0 y 1"), alpha=repr(alpha))
    result = mann_kendall(np.array(series, dtype=float))
    return TrendVerdict(result, result.direction(alpha))
