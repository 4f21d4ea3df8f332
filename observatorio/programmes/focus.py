"""Focus: are a programme's activities where the problems are? (issue #15, item 6)

Two kinds of problem zone, both from the chosen measure over the last 12 months of the data:

- **hotspots**: the hot cells of the map's Gi* layer (:func:`observatorio.dashboard.layers.hotspots.hotspot_result`,
  the same cells, neighbourhood and FDR correction as the map), any confidence level;
- **high-rate areas**: UVs whose rate per 100.000 inhabitants is in the top quintile of the comuna's UVs or
  significantly above the comuna's (one-sided exact Poisson test of the UV's count against what the comuna's
  rate predicts for its population, p < 0,05).

For each zone the share of the programme's activities (and of their hours) inside it, with Wilson's interval
for the count, beside the **fair baseline**: the share of the study area the zone covers, i.e. how often
activities spread at random over the territory would land there. An interval wholly above the baseline says the
programme goes where the problems are more than chance would.

An activity with a point is placed by it; one with an area only counts for high-rate areas when that area is a
UV (it cannot be placed in a cell). For a patrol programme the same figures are given for the events of the
standard measure «patrullajes» (the patrol records themselves, which carry no duration: counts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from observatorio.analysis.intervals import wilson

HIGH_RATE_QUANTILE = 0.8
HIGH_RATE_ALPHA = 0.05
WINDOW_DAYS = 365
PATROL_MEASURE = "patrullajes"


@dataclass(frozen=True)
class Share:
    """How many of ``total`` things fall inside a zone, against the share of the territory it covers."""

    inside: float
    total: float
    share: float | None
    lower: float | None  # Wilson, for counts only (None for hours)
    upper: float | None
    baseline: float  # share of the study area the zone covers

    @property
    def above_baseline(self) -> bool:
        """The whole interval (or, without one, the share) is above the baseline."""
        bound = self.lower if self.lower is not None else self.share
        return bound is not None and bound > self.baseline


def share(inside_flags, baseline: float, weights=None, *, interval: bool = True) -> Share:
    """The (weighted) share of things inside a zone; Wilson's 95 % interval on the unweighted count."""
    flags = np.asarray(inside_flags, dtype=bool)
    w = np.ones(flags.size) if weights is None else np.asarray(weights, dtype=float)
    inside, total = float(w[flags].sum()), float(w.sum())
    if total <= 0:
        return Share(inside, total, None, None, None, baseline)
    lower = upper = None
    if interval:
        lo, hi = wilson(int(flags.sum()), int(flags.size))
        lower, upper = float(lo), float(hi)
    return Share(inside, total, inside / total, lower, upper, baseline)


def high_rate_ids(counts: dict[int, int], populations: dict[int, int], *, quantile: float = HIGH_RATE_QUANTILE,
                  alpha: float = HIGH_RATE_ALPHA) -> set[int]:
    """Areas whose rate is in the top quintile (at or above the ``quantile`` of the areas' rates) or
    significantly above the whole's rate (exact one-sided Poisson test)."""
    from scipy import stats

    ids = [i for i in counts if populations.get(i)]
    if not ids:
        return set()
    c = np.array([counts[i] for i in ids], dtype=float)
    p = np.array([populations[i] for i in ids], dtype=float)
    rates = c / p
    cut = np.quantile(rates, quantile)
    overall = c.sum() / p.sum()
    pvalues = stats.poisson.sf(c - 1, overall * p)
    return {i for i, r, pv, n in zip(ids, rates, pvalues, c) if n > 0 and (r >= cut or pv < alpha)}


@dataclass(frozen=True)
class Zones:
    """Where the problems are: hot cells on a grid and high-rate UVs, in metres (``epsg``)."""

    epsg: int
    grid: object | None  # analysis.grid.Grid, None when Gi* could not run (too few events)
    hot: np.ndarray | None  # bool per cell
    hot_baseline: float | None  # hot cells / cells of the study area
    high_rate: frozenset  # UV ids
    high_rate_shape: object  # shapely, metres
    high_rate_baseline: float
    uv_ids: frozenset
    measure: str
    start: dt.date
    end: dt.date

    def classify(self, x, y, area_ids) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(in hotspot, placed for hotspots, in high-rate area, placed for areas) per thing; x, y in metres
        (NaN: no point), area_ids (None/-1: none)."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        areas = np.array([-1 if a is None else int(a) for a in area_ids], dtype=np.int64)
        has_point = np.isfinite(x) & np.isfinite(y)
        in_hot = np.zeros(x.size, dtype=bool)
        placed_hot = np.zeros(x.size, dtype=bool)
        if self.grid is not None and has_point.any():
            rows, cols = self.grid.cell_index(x[has_point], y[has_point])
            ok = (rows >= 0) & (rows < self.grid.nrows) & (cols >= 0) & (cols < self.grid.ncols)
            idx = np.flatnonzero(has_point)[ok]
            placed_hot[idx] = True
            in_hot[idx] = self.hot[rows[ok], cols[ok]]
        in_high = np.zeros(x.size, dtype=bool)
        if has_point.any():
            in_high[has_point] = shapely.contains_xy(self.high_rate_shape, x[has_point], y[has_point]) \
                if not self.high_rate_shape.is_empty else False
        by_area = ~has_point & np.isin(areas, list(self.uv_ids))
        in_high[by_area] = np.isin(areas[by_area], list(self.high_rate))
        return in_hot, placed_hot, in_high, has_point | by_area


@dataclass(frozen=True)
class Focus:
    programme_id: int
    zones: Zones
    activities_hot: Share | None
    hours_hot: Share | None
    activities_high: Share | None
    hours_high: Share | None
    patrols_hot: Share | None = None
    patrols_high: Share | None = None
    unplaced: int = 0  # activities with neither a point nor a UV

    def rows(self) -> list[dict]:
        """The figures in words, for the programme page (es-CL numbers)."""
        from django.utils.translation import gettext as _

        from observatorio.dashboard.numbers import number

        def pct(x):
            return "—" if x is None else f"{number(100 * x, 1)} %"

        named = ((_("Actividades en puntos calientes"), self.activities_hot),
                 (_("Horas de actividad en puntos calientes"), self.hours_hot),
                 (_("Actividades en áreas de tasa alta"), self.activities_high),
                 (_("Horas de actividad en áreas de tasa alta"), self.hours_high),
                 (_("Patrullajes en puntos calientes"), self.patrols_hot),
                 (_("Patrullajes en áreas de tasa alta"), self.patrols_high))
        return [{"label": label, "share": pct(s.share), "n": f"{number(s.inside)} / {number(s.total)}",
                 "interval": f"{pct(s.lower)} – {pct(s.upper)}" if s.lower is not None else "—",
                 "baseline": pct(s.baseline), "above": s.above_baseline}
                for label, s in named if s is not None]


def zones(state, measure: str, *, end: dt.date | None = None) -> Zones | None:
    """The problem zones of ``measure`` over the 12 months to ``end`` (default: the data's last day)."""
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.layers.base import GI_CELL, territory
    from observatorio.dashboard.layers.hotspots import hotspot_result

    end = end or state.as_of
    start = end - dt.timedelta(days=WINDOW_DAYS - 1)
    terr = territory(state, end)
    if terr is None:
        return None
    f = filters_for(state, measure=measure, start=start, end=end, level="uv")
    found = hotspot_result(state, terr, f)
    grid = hot = hot_baseline = None
    if found.result is not None:
        grid, inside = terr.grid(GI_CELL)
        hot = (found.result.bins(fdr=True) > 0) & inside
        hot_baseline = float(hot.sum() / inside.sum())
    table = engine.by_area(state, f)
    counts = {r.id: r.count for r in table.rows}
    pops = {r.id: r.population for r in table.rows if r.population}
    high = high_rate_ids(counts, pops)
    uvs = terr.shapes.get("uv", [])
    high_shape = shapely.union_all([s.metric for s in uvs if s.id in high]) if high else shapely.Polygon()
    study_area = terr.study.area
    high_baseline = float(high_shape.intersection(terr.study).area / study_area) if high and study_area else 0.0
    return Zones(terr.epsg, grid, hot, hot_baseline, frozenset(high), high_shape, high_baseline,
                 frozenset(s.id for s in uvs), measure, start, end)


def _metres(lon, lat, epsg):
    from observatorio.analysis.projection import to_metres

    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = np.full(lon.size, np.nan), np.full(lat.size, np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        mx, my = to_metres(lon[ok], lat[ok], epsg)[:2]
        x[ok], y[ok] = mx, my
    return x, y


def _shares(z: Zones, lon, lat, areas, hours=None):
    x, y = _metres(lon, lat, z.epsg)
    in_hot, placed_hot, in_high, placed_high = z.classify(x, y, areas)
    w = None if hours is None else np.asarray(hours, dtype=float)
    hot = high = hot_h = high_h = None
    if z.grid is not None and placed_hot.any():
        hot = share(in_hot[placed_hot], z.hot_baseline)
        if w is not None:
            hot_h = share(in_hot[placed_hot], z.hot_baseline, w[placed_hot], interval=False)
    if placed_high.any():
        high = share(in_high[placed_high], z.high_rate_baseline)
        if w is not None:
            high_h = share(in_high[placed_high], z.high_rate_baseline, w[placed_high], interval=False)
    return hot, hot_h, high, high_h, int((~placed_high).sum())


def programme_focus(programme, *, measure: str = "casos-policiales", state=None, start=None, end=None) -> Focus | None:
    """The focus of ``programme``'s activities (from ``start`` to ``end``; default: the zones' 12 months) on the
    problem zones of ``measure``; None without boundaries."""
    from observatorio.state import holder

    state = state or holder.current()
    z = zones(state, measure, end=end)
    if z is None:
        return None
    start, end = start or z.start, end or z.end
    rows = list(programme.activities.filter(date__gte=start, date__lte=end).values_list("lon", "lat", "area_id",
                                                                                       "hours"))
    lon = [r[0] if r[0] is not None else np.nan for r in rows]
    lat = [r[1] if r[1] is not None else np.nan for r in rows]
    hours = [float(r[3] or 0) for r in rows]
    hot, hot_h, high, high_h, unplaced = _shares(z, lon, lat, [r[2] for r in rows], hours)
    if hot_h is not None and hot_h.total == 0:
        hot_h = None
    if high_h is not None and high_h.total == 0:
        high_h = None
    patrols_hot = patrols_high = None
    if _is_patrol(programme):
        p_lon, p_lat, p_area = _patrol_events(state, start, end)
        patrols_hot, _h, patrols_high, _hh, _u = _shares(z, p_lon, p_lat, p_area)
    return Focus(programme.pk, z, hot, hot_h, high, high_h, patrols_hot, patrols_high, unplaced)


def _is_patrol(programme) -> bool:
    return "patrull" in (programme.code + " " + programme.name).lower()


def _patrol_events(state, start, end):
    """Points (or UV) of the events of the standard measure «patrullajes» in the window."""
    from observatorio.records.models import Event

    measure = state.catalog.measure(PATROL_MEASURE)
    if measure is None or not measure.sources:
        return [], [], []
    rows = list(Event.objects.filter(source_id__in=measure.sources, occurred_on__gte=start, occurred_on__lte=end,
                                     outside=False).values_list("lon", "lat", "area_id"))
    lon = [r[0] if r[0] is not None else np.nan for r in rows]
    lat = [r[1] if r[1] is not None else np.nan for r in rows]
    return lon, lat, [r[2] for r in rows]
