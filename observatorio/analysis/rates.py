"""Counts and rates by area, and Empirical-Bayes smoothed rates for small areas.

A crude rate in a unit vecinal of 800 people jumps with every event; the
Empirical-Bayes estimate shrinks each area's rate toward a prior (the global
rate, or the rate of its neighbourhood) in proportion to how little
population backs it.

References
----------
Marshall, R. J. (1991). Mapping disease and mortality rates using empirical
Bayes estimators. Journal of the Royal Statistical Society C 40(2), 283–294.
Anselin, L., Lozano, N. & Koschinsky, J. (2006). Rate transformations and
smoothing. GeoDa Center, University of Illinois.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatorio.errors import N_, UserError

PER_ALLOWED = (1, 1_000, 100_000)

_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def count_by_area_period(events: pd.DataFrame, *, area: str, date: str, freq: str = "month",
                         areas=None) -> pd.DataFrame:
    """Events per area and period, with the empty combinations as zeros.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event.
    area : str
        Column holding the area code.
    date : str
        Column holding the event date or timestamp.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length; weeks run Monday to Sunday.
    areas : sequence, optional
        Every area to report, so areas with no events appear as rows of zeros.
        By default the areas present in ``events``.

    Returns
    -------
    pandas.DataFrame
        Areas as the index, one ``pandas.Period`` column per period from the
        first to the last event (gaps filled with zeros), integer counts.

    Notes
    -----
    Rows with a missing area or date are not counted. Events whose area is not
    in ``areas`` raise ``ValueError`` rather than vanish silently.

    Examples
    --------
    >>> ev = pd.DataFrame({"uv": ["A", "A", "B"],
    ...                    "fecha": pd.to_datetime(["2024-01-05", "2024-03-02", "2024-01-20"])})
    >>> t = count_by_area_period(ev, area="uv", date="fecha", areas=["A", "B", "C"])
    >>> [str(p) for p in t.columns], t.to_numpy().tolist()
    (['2024-01', '2024-02', '2024-03'], [[1, 0, 1], [1, 0, 0], [0, 0, 0]])
    """
    if freq not in _FREQ:
        raise UserError(N_("freq=%(freq)s no está permitida; elija una de %(value)s"),
                        freq=repr(freq), value=sorted(_FREQ))
    for col in (area, date):
        if col not in events.columns:
            raise UserError(N_("la columna %(col)s no está en los eventos; las columnas son %(value)s"),
                            col=repr(col), value=list(events.columns))
    when = pd.to_datetime(events[date])
    if getattr(when.dt, "tz", None) is not None:
        # Keep the local wall-clock date: a period is a calendar notion.
        when = when.dt.tz_localize(None)
    frame = pd.DataFrame({"area": events[area].to_numpy(), "when": when.to_numpy()}).dropna()
    frame["period"] = frame["when"].dt.to_period(_FREQ[freq])
    if areas is None:
        index = pd.Index(sorted(frame["area"].unique()), name=area)
    else:
        index = pd.Index(list(areas), name=area)
        unknown = sorted(set(frame["area"]) - set(index), key=str)
        if unknown:
            raise UserError(N_("hay eventos en áreas %(value)s que no están en areas=%(value2)s…"),
                            value=unknown[:10], value2=list(index)[:10])
    if frame.empty:
        return pd.DataFrame(index=index, dtype="int64")
    periods = pd.period_range(frame["period"].min(), frame["period"].max(), freq=_FREQ[freq])
    table = frame.groupby(["area", "period"]).size().unstack("period", fill_value=0)
    return table.reindex(index=index, columns=periods, fill_value=0).astype("int64")


def _per(per) -> float:
    if per not in PER_ALLOWED:
        raise UserError(N_("per=%(per)s no está permitido; elija uno de %(per_allowed)s"),
                        per=repr(per), per_allowed=PER_ALLOWED)
    return float(per)


def _events_population(counts, population) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(counts, dtype=float).ravel().copy()
    b = np.asarray(population, dtype=float).ravel().copy()
    if e.shape != b.shape:
        raise ValueError(f"counts and population differ in length: {e.size} != {b.size}")
    if not np.isfinite(e).all() or (e < 0).any():
        raise UserError(N_("los conteos deben ser finitos y no negativos"))
    if not np.isfinite(b).all() or (b < 0).any():
        raise UserError(N_("la población debe ser finita y no negativa"))
    return e, b


def crude_rate(counts, population, *, per: int = 1_000) -> np.ndarray:
    """Events per ``per`` inhabitants; NaN where the population is zero.

    Parameters
    ----------
    counts, population : array_like, shape (n,)
        Events and population at risk of each area.
    per : {1, 1000, 100000}
        Scale of the rate.

    Returns
    -------
    numpy.ndarray
        ``counts / population * per``.

    Examples
    --------
    >>> crude_rate([3, 0, 5], [1500, 2000, 0]).tolist()
    [2.0, 0.0, nan]
    """
    scale = _per(per)
    e, b = _events_population(counts, population)
    out = np.full(e.shape, np.nan)
    np.divide(e, b, out=out, where=b > 0)
    return out * scale


@dataclass(frozen=True)
class SmoothedRates:
    """Empirical-Bayes rates, all scaled by ``per``."""

    crude: np.ndarray
    smoothed: np.ndarray
    prior_mean: np.ndarray
    """The rate each area shrinks toward (global: the same for all)."""
    prior_variance: np.ndarray
    """Method-of-moments variance of the true rates, clipped at 0 (in rate² per ``per``²)."""
    shrinkage: np.ndarray
    """Weight of the area's own rate, in [0, 1]; 1 − shrinkage goes to the prior."""
    per: float


def _positive_population(b: np.ndarray) -> None:
    if (b <= 0).any():
        bad = np.flatnonzero(b <= 0)[:10].tolist()
        raise UserError(N_("el Bayes empírico necesita población positiva; es cero en las posiciones %(bad)s: una o "
                           "quite antes las áreas sin habitantes"),
                        bad=bad)


def eb_global(counts, population, *, per: int = 1_000) -> SmoothedRates:
    """Global Empirical-Bayes rates: each area shrinks toward the overall rate.

    Parameters
    ----------
    counts, population : array_like, shape (n,)
        Events and population at risk of each area (population > 0).
    per : {1, 1000, 100000}
        Scale of the returned rates.

    Returns
    -------
    SmoothedRates

    Notes
    -----
    Marshall's (1991) method of moments, with r_i = e_i / b_i:

    * prior mean m = Σe / Σb
    * prior variance s² = Σ b_i (r_i − m)² / Σb − m / b̄, set to 0 when
      negative (all the spread is Poisson noise)
    * weight w_i = s² / (s² + m / b_i); smoothed r̂_i = w_i r_i + (1 − w_i) m

    ``esda.smoothing.Empirical_Bayes`` computes the same thing but does not
    clip a negative s²; the two agree whenever s² > 0. With no events at all
    every rate is 0 and the weight is 0.

    Examples
    --------
    >>> r = eb_global([2, 40, 30, 1], [1000, 5000, 10000, 200])
    >>> round(float(r.prior_mean[0]), 3), r.crude.tolist()
    (4.506, [2.0, 8.0, 3.0, 5.0])
    >>> r.smoothed.round(3).tolist()  # the area of 200 people moves most
    [3.262, 7.411, 3.139, 4.588]
    """
    scale = _per(per)
    e, b = _events_population(counts, population)
    _positive_population(b)
    rate = e / b
    m = e.sum() / b.sum()
    if m == 0:
        zeros = np.zeros_like(rate)
        return SmoothedRates(zeros, zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(), scale)
    s2 = max(float(np.sum(b * (rate - m) ** 2) / b.sum() - m / b.mean()), 0.0)
    weight = s2 / (s2 + m / b)
    smoothed = weight * rate + (1.0 - weight) * m
    n = rate.size
    return SmoothedRates(
        crude=rate * scale,
        smoothed=smoothed * scale,
        prior_mean=np.full(n, m * scale),
        prior_variance=np.full(n, s2 * scale**2),
        shrinkage=weight,
        per=scale,
    )


def _neighbour_pairs(neighbours, ids) -> tuple[np.ndarray, np.ndarray]:
    """Row/column positions of the binary neighbourhood, self included."""
    if hasattr(neighbours, "neighbors") and hasattr(neighbours, "id_order"):
        table = neighbours.neighbors  # libpysal W: read only, never set its transform
    elif isinstance(neighbours, Mapping):
        table = neighbours
    else:
        raise ValueError(f"neighbours must be a dict {{id: [neighbour ids]}} or a libpysal W, got {type(neighbours).__name__}")
    position = {k: i for i, k in enumerate(ids)}
    missing = [k for k in ids if k not in table]
    if missing:
        raise UserError(N_("las áreas %(value)s no figuran entre los vecinos; dé una lista vacía a las islas"),
                        value=missing[:10])
    rows, cols = list(range(len(ids))), list(range(len(ids)))
    for k in ids:
        i = position[k]
        for j in table[k]:  # a dict of weights iterates over its keys
            if j not in position:
                raise UserError(N_("el vecino %(j)s del área %(k)s no es una de las áreas"), j=repr(j), k=repr(k))
            if j != k:
                rows.append(i)
                cols.append(position[j])
    pairs = np.unique(np.column_stack([rows, cols]), axis=0)
    return pairs[:, 0], pairs[:, 1]


def eb_local(counts, population, neighbours, *, ids=None, per: int = 1_000) -> SmoothedRates:
    """Local (spatial) Empirical-Bayes rates: each area shrinks toward its neighbourhood.

    Parameters
    ----------
    counts, population : array_like or pandas.Series, shape (n,)
        Events and population at risk of each area (population > 0).
    neighbours : dict or libpysal.weights.W
        ``{id: [neighbour ids]}`` (a ``{id: {neighbour: weight}}`` dict works
        too) or a W. Only who neighbours whom is used: weights are ignored.
    ids : sequence, optional
        Area ids in the order of ``counts``. By default the index of
        ``counts`` if it is a Series, else ``neighbours.id_order`` for a W,
        else ``0 .. n-1``.
    per : {1, 1000, 100000}
        Scale of the returned rates.

    Returns
    -------
    SmoothedRates

    Notes
    -----
    Marshall's (1991) estimator with a local prior (Anselin et al. 2006): for
    the neighbourhood N_i of area i, itself included,

    * m_i = Σ_{N_i} e / Σ_{N_i} b
    * s²_i = Σ_{N_i} b_j (r_j − m_i)² / Σ_{N_i} b − m_i / b̄_i, with b̄_i the mean
      population in N_i; clipped at 0
    * r̂_i = m_i + (r_i − m_i) s²_i / (s²_i + m_i / b_i)

    This is ``esda.smoothing.Spatial_Empirical_Bayes`` with binary weights
    (which esda forces); unlike esda, the caller's W is never modified.

    Examples
    --------
    >>> nb = {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}
    >>> r = eb_local([2, 40, 30, 1], [1000, 5000, 10000, 200], nb)
    >>> r.prior_mean.round(3).tolist()
    [7.0, 4.5, 4.671, 3.039]
    >>> r.smoothed.round(3).tolist()
    [5.621, 7.446, 3.155, 3.039]
    """
    scale = _per(per)
    if ids is None:
        if isinstance(counts, pd.Series):
            ids = list(counts.index)
        elif hasattr(neighbours, "id_order"):
            ids = list(neighbours.id_order)
        else:
            ids = list(range(np.asarray(counts).size))
    ids = list(ids)
    e, b = _events_population(counts, population)
    if len(ids) != e.size:
        raise ValueError(f"ids has {len(ids)} entries but counts has {e.size}")
    if len(set(ids)) != len(ids):
        raise UserError(N_("los identificadores deben ser únicos"))
    _positive_population(b)
    i, j = _neighbour_pairs(neighbours, ids)
    n = e.size
    rate = e / b
    size = np.bincount(i, minlength=n).astype(float)
    sum_e = np.bincount(i, weights=e[j], minlength=n)
    sum_b = np.bincount(i, weights=b[j], minlength=n)
    m = sum_e / sum_b
    # Sum over pairs rather than expanding the square: s² is a small difference of large terms.
    spread = np.bincount(i, weights=b[j] * (rate[j] - m[i]) ** 2, minlength=n) / sum_b
    s2 = np.clip(spread - m / (sum_b / size), 0.0, None)
    denom = s2 + m / b
    weight = np.divide(s2, denom, out=np.zeros(n), where=denom > 0)
    smoothed = m + (rate - m) * weight
    return SmoothedRates(
        crude=rate * scale,
        smoothed=smoothed * scale,
        prior_mean=m * scale,
        prior_variance=s2 * scale**2,
        shrinkage=weight,
        per=scale,
    )
