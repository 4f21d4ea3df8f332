"""Map layers computed from the event snapshot and the analysis package.

Every layer is built in UTM metres (the plane the statistics are defined on)
and carries two views of itself: Plotly traces for the map page, and features
(shapely geometries in metres plus a dict of properties) for the downloads,
which :func:`to_wgs84` brings back to longitude/latitude.

Heavy layers (kernel density, Gi*, emerging hotspots) are NumPy over the
snapshot and are kept in a small in-process LRU keyed by the snapshot version,
the territory version and the filters, so a second look costs nothing.

Parameters of the statistics are fixed here and shown on the page:

* kernel density: Gaussian kernel, σ = ``KDE_BANDWIDTH`` m, on a ``KDE_CELL`` m grid;
* Gi*: counts on a ``GI_CELL`` m grid, fixed-distance neighbourhood of
  ``GI_DISTANCE`` m, cells inside the comuna only, Benjamini–Hochberg FDR;
* emerging hotspots: the last ``EMERGING_QUARTERS`` complete calendar quarters
  up to the end of the filter window, ``EMERGING_CELL`` m cells,
  ``EMERGING_DISTANCE`` m neighbourhood, FDR per quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from shapely.geometry import box

from observatorio.accounts.roles import EVENT_LEVEL_ROLES, Role, user_roles
from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
from observatorio.analysis.emerging import EmergingClass, emerging_hotspots
from observatorio.analysis.gistar import GiBin, gi_star
from observatorio.analysis.grid import Grid
from observatorio.analysis.kde import KdePlan
from observatorio.analysis.projection import to_lonlat, to_metres, utm_epsg
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.labels import emerging_label, gi_bin_label
from observatorio.records.snapshot import EventSnapshot, from_day_number
from observatorio.state import DataState
from observatorio.territory.models import Level

from .. import colours, engine, placement
from ..filters import Filters

KDE_CELL = 100.0
KDE_BANDWIDTH = 200.0
GI_CELL = 100.0
GI_DISTANCE = 300.0
EMERGING_CELL = 200.0
EMERGING_DISTANCE = 400.0
EMERGING_QUARTERS = 8
POINT_LIMIT = 2_000  # above this, event points are drawn as clusters per grid cell
CLUSTER_CELL = 250.0
CLUSTER_MARGIN = 2_000.0  # metres around the comuna's extent in which event points are drawn
LRU_SIZE = 48

BOUNDARY_LEVELS = ("comuna", "macrosector", "uv")
METRICS = ("count", "rate", "eb")
PLACE_SYMBOLS = {
    "school": "square", "sports": "diamond", "green": "triangle-up", "commercial": "star",
    "health": "cross", "police": "circle", "alcohol": "x", "transport": "triangle-down",
}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PLACE_COLOURS = {
    "school": "#0072B2", "sports": "#E69F00", "green": "#009E73", "commercial": "#CC79A7",
    "health": "#56B4E9", "police": "#000000", "alcohol": "#D55E00", "transport": "#7F7F7F",
}
# ColorBrewer RdBu (colour-blind safe): reds for hot, blues for cold, darker = more confident.
GI_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}
EMERGING_COLOURS = {
    "new_hot": "#fdd49e", "consecutive_hot": "#fdbb84", "intensifying_hot": "#d7301f", "persistent_hot": "#b30000",
    "diminishing_hot": "#fc8d59", "sporadic_hot": "#fee8c8", "oscillating_hot": "#ef6548",
    "historical_hot": "#7f0000",
    "new_cold": "#d0d1e6", "consecutive_cold": "#a6bddb", "intensifying_cold": "#0570b0",
    "persistent_cold": "#045a8d", "diminishing_cold": "#74a9cf", "sporadic_cold": "#ece7f2",
    "oscillating_cold": "#3690c0", "historical_cold": "#023858",
}
LINE_STYLES = {"comuna": ("#1f2933", 3.0), "macrosector": ("#52606d", 2.0), "uv": ("#9aa5b1", 0.8)}
CHOROPLETH_SCALE = "Cividis"
KDE_SCALE = "Viridis"


@dataclass(frozen=True)
class AreaShape:
    id: int
    code: str
    name: str
    level: str
    geometry: object  # shapely, WGS84
    metric: object  # shapely, UTM metres


@dataclass(frozen=True)
class Territory:
    """Boundaries in force on one day, projected once."""

    epsg: int
    shapes: dict  # level → list[AreaShape], ordered by code
    outline: object  # union of the top level, metres: the extent of the map
    study: object  # union of the finest level, metres: the study area of the grids
    boundaries: tuple = ()  # ids of the boundaries drawn: what the layers that show only them depend on
    _rings: dict = field(default_factory=dict, compare=False, repr=False)  # area id → its outline's x/y
    _grids: dict = field(default_factory=dict, compare=False, repr=False)  # cell side → (grid, inside mask)

    def rings_xy(self, shape: AreaShape) -> tuple[list, list]:
        """:func:`_rings_xy` of an area's shape, once per territory: the one way areas' outlines are drawn."""
        held = self._rings.get(shape.id)
        if held is None:
            held = self._rings[shape.id] = _rings_xy(shape.metric)
        return held

    def grid(self, cell: float) -> tuple[Grid, np.ndarray]:
        """A grid over the study area and the mask of cells whose centre lies inside it.

        The study area is the union of the finest areas (UVs), not the comuna: a
        comuna's unpopulated hills would otherwise all test as "cold spots".
        """
        held = self._grids.get(cell)
        if held is None:
            minx, miny, maxx, maxy = self.study.bounds
            grid = Grid.covering([minx, maxx], [miny, maxy], cell=cell, epsg=self.epsg)
            xs, ys = grid.centres()
            inside = shapely.contains_xy(self.study, xs, ys)
            inside.setflags(write=False)  # shared by every request on this territory
            held = self._grids[cell] = (grid, inside)
        return held


@dataclass
class Feature:
    geometry: object  # shapely, metres
    properties: dict


@dataclass
class Layer:
    key: str
    title: str
    note: str = ""
    traces: list = field(default_factory=list)
    empty_reason: str = ""
    make_features: Callable[[], list] | None = field(default=None, repr=False)
    _features: list | None = field(default=None, repr=False)

    @property
    def features(self) -> list:
        """The layer as :class:`Feature` s, for the downloads (GeoJSON, GeoPackage, CSV).

        Grid layers build theirs on the first download only: the map draws the
        traces, and a shapely square per cell cost more than the statistic.
        """
        if self._features is None:
            self._features = self.make_features() if self.make_features else []
        return self._features


# --------------------------------------------------------------------------- kept answers

def cached(state: DataState, question: tuple, build):
    """``build()`` once per question for this data state; the least recently used answers go first."""
    return state.cache("map-layers", LRU_SIZE).get(question, build)


def filters_key(f: Filters) -> tuple:
    return (f.start, f.end, f.sources, f.categories, f.level, f.areas)


def territory(state: DataState, day: dt.date) -> Territory | None:
    """Comuna, macrosector and UV boundaries in force on ``day``; None when no boundary is loaded.

    Kept per set of boundaries, not per day: every window ending on another day would otherwise project
    and merge the same boundaries again (tens of milliseconds).
    """
    index = state.index
    ids = tuple(sorted(bid for area_id, bid in index.boundaries_in_force(day).items()
                       if area_id in index.areas and index.areas[area_id].level in BOUNDARY_LEVELS))
    return state.memo(f"territory-{ids}", lambda: _load_territory(ids), on=("territory",))


def _load_territory(ids: tuple[int, ...]) -> Territory | None:
    from observatorio.territory.models import Boundary

    rows = list(Boundary.objects.filter(id__in=ids).select_related("area").order_by("area__level", "area__code"))
    if not rows:
        return None
    geoms = [b.shape for b in rows]
    bounds = np.array([g.bounds for g in geoms])
    epsg = utm_epsg(float((bounds[:, 0].min() + bounds[:, 2].max()) / 2),
                    float((bounds[:, 1].min() + bounds[:, 3].max()) / 2))
    shapes: dict[str, list[AreaShape]] = {}
    for b, geom in zip(rows, geoms):
        metric = shapely.transform(geom, lambda xy: np.column_stack(to_metres(xy[:, 0], xy[:, 1], epsg)[:2]))
        shapes.setdefault(b.area.level, []).append(AreaShape(b.area_id, b.area.code, b.area.name, b.area.level,
                                                             geom, metric))
    top = next(level for level in BOUNDARY_LEVELS if level in shapes)
    finest = next(level for level in reversed(BOUNDARY_LEVELS) if level in shapes)
    outline = shapely.union_all([s.metric for s in shapes[top]])
    study = shapely.union_all([s.metric for s in shapes[finest]]).buffer(1.0)  # closes slivers between UVs
    return Territory(epsg, shapes, outline, study, ids)


def placed(state: DataState, terr: Territory) -> placement.Placement:
    """Every event's cells on the map's grids (:mod:`.placement`), once per events and territory drawn.

    114 MB at 5M events: kept with the data state, so only the current state's are held.
    """
    return state.memo(f"placement-{terr.boundaries}-{terr.epsg}", lambda: _place(state.events, terr),
                      on=("events", "territory"))


def _place(snap: EventSnapshot, terr: Territory) -> placement.Placement:
    gi_grid, _inside = terr.grid(GI_CELL)
    kde_grid, _inside = terr.grid(KDE_CELL)
    emerging_grid, _inside = terr.grid(EMERGING_CELL)
    minx, miny, maxx, maxy = terr.outline.bounds
    cluster_grid = Grid.covering([minx, maxx], [miny, maxy], cell=CLUSTER_CELL, epsg=terr.epsg, margin=CLUSTER_MARGIN)
    return placement.place(snap, terr.epsg, gi_grid, KdePlan.make(kde_grid, KDE_BANDWIDTH, "gaussian"),
                           emerging_grid, cluster_grid)


def to_wgs84(geom, epsg: int):
    return shapely.transform(geom, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1], epsg)))


# --------------------------------------------------------------------------- helpers

def _rings_xy(geom) -> tuple[list, list]:
    """Exterior rings of (multi)polygons as one x/y list separated by None, rounded to the metre."""
    xs: list = []
    ys: list = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        ring = np.asarray(poly.exterior.coords)
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(np.round(ring[:, 0], 0).tolist())
        ys.extend(np.round(ring[:, 1], 0).tolist())
    return xs, ys


def _cells_xy(grid: Grid, rows, cols) -> tuple[list, list]:
    """Squares of the given cells as one None-separated path (filled by ``fill='toself'``)."""
    x0 = grid.x0 + np.asarray(cols) * grid.cell
    y0 = grid.y0 + np.asarray(rows) * grid.cell
    x1, y1 = x0 + grid.cell, y0 + grid.cell
    xs = np.empty((x0.size, 6), dtype=object)
    ys = np.empty((x0.size, 6), dtype=object)
    for k, (xv, yv) in enumerate(((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))):
        xs[:, k] = xv.tolist()
        ys[:, k] = yv.tolist()
    return xs.ravel().tolist(), ys.ravel().tolist()


def _cell_boxes(grid: Grid, rows, cols) -> np.ndarray:
    """The squares of cells (row, col) as shapely polygons in metres."""
    x0 = grid.x0 + np.asarray(cols) * grid.cell
    y0 = grid.y0 + np.asarray(rows) * grid.cell
    return shapely.box(x0, y0, x0 + grid.cell, y0 + grid.cell)


def _none_where_nan(values: np.ndarray) -> list:
    """Nested lists of floats with None where a value is not finite (JSON has no NaN; Plotly reads gaps)."""
    out = values.astype(object)
    out[~np.isfinite(values)] = None
    return out.tolist()


def _fmt(value: float, digits: int = 0) -> str:
    """1.234,5 — Chilean separators in hover text."""
    if value is None or not np.isfinite(value):
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def _meta(layer: str) -> dict:
    return {"layer": layer}


# --------------------------------------------------------------------------- layers

def boundary_layer(terr: Territory, level: str) -> Layer:
    names = {"comuna": _("Límite comunal"), "macrosector": _("Macrosectores"), "uv": _("Unidades vecinales")}
    layer = Layer(f"limites-{level}", names.get(level, level))
    colour, width = LINE_STYLES.get(level, ("#52606d", 1.0))
    shapes = terr.shapes.get(level, [])
    if not shapes:
        layer.empty_reason = _("No hay límites cargados para este nivel.")
    for s in shapes:
        layer.features.append(Feature(s.metric, {"area_id": s.id, "codigo": s.code, "nombre": s.name,
                                                 "nivel": s.level}))
        x, y = terr.rings_xy(s)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", line=dict(color=colour, width=width),
                                 hoverinfo="skip", showlegend=False, name=s.name, meta=_meta(layer.key)))
    return layer


@dataclass(frozen=True)
class AreaFigures:
    """Counts and rates of one level's areas, in the order of ``ids``."""

    ids: list
    counts: np.ndarray
    population: np.ndarray
    rate: np.ndarray  # per 1,000; NaN without population
    eb: np.ndarray  # Empirical-Bayes (global) per 1,000; NaN when it cannot be computed


def area_figures(state: DataState, f: Filters, level: str) -> AreaFigures:
    """Events per area of ``level`` in the window, population of the window's last year, crude and EB rates."""
    index = state.index

    def build():
        ids = index.ids_at(level)
        # The dashboard engine's counts (from the snapshot's cube when there is one), not a mask over every event.
        by_id, _unplaced = engine.area_counts(state, f, level)
        counts = by_id[np.asarray(ids, dtype=np.int64)].astype(np.int64) if ids else np.zeros(0, dtype=np.int64)
        population = np.array([index.population_in(a, f.end.year) or 0 for a in ids], dtype=float)
        rate = crude_rate(counts, population)
        eb = np.full(len(ids), np.nan)
        have = population > 0
        if have.sum() >= 2:
            eb[have] = eb_global(counts[have], population[have]).smoothed
        return AreaFigures(ids, counts, population, rate, eb)

    return cached(state, ("areas", filters_key(f), level), build)


def choropleth_layer(state: DataState, terr: Territory, f: Filters, metric: str) -> Layer:
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} is not one of {METRICS}")
    titles = {"count": _("Eventos"), "rate": _("Tasa por 1.000 hab."), "eb": _("Tasa suavizada (EB) por 1.000 hab.")}
    level = f.level if f.level in terr.shapes else next(iter(terr.shapes))
    layer = Layer(f"coropletico-{metric}", titles[metric],
                  note=_("Nivel: %(level)s. Del %(start)s al %(end)s.") % {
                      "level": _(dict(Level.choices).get(level, level)), "start": f.start.strftime("%d-%m-%Y"), "end": f.end.strftime("%d-%m-%Y")})
    figs = area_figures(state, f, level)
    by_id = {a: i for i, a in enumerate(figs.ids)}
    values = {"count": figs.counts.astype(float), "rate": figs.rate, "eb": figs.eb}[metric]
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    digits = 0 if metric == "count" else 1
    for s in terr.shapes.get(level, []):
        i = by_id.get(s.id)
        if i is None:
            continue
        v = float(values[i])
        props = {"area_id": s.id, "codigo": s.code, "nombre": s.name, "nivel": s.level,
                 "eventos": int(figs.counts[i]), "poblacion": int(figs.population[i]),
                 "tasa_1000": None if not np.isfinite(figs.rate[i]) else round(float(figs.rate[i]), 3),
                 "tasa_eb_1000": None if not np.isfinite(figs.eb[i]) else round(float(figs.eb[i]), 3)}
        layer.features.append(Feature(s.metric, props))
        fill = colours.sample(CHOROPLETH_SCALE, [v / top])[0] if np.isfinite(v) else "#e4e7eb"
        x, y = terr.rings_xy(s)
        text = (f"<b>{s.name}</b><br>{_('Eventos')}: {_fmt(figs.counts[i])}<br>"
                f"{_('Tasa por 1.000 hab.')}: {_fmt(figs.rate[i], 1)}<br>{_('Tasa EB')}: {_fmt(figs.eb[i], 1)}")
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor=fill,
                                 line=dict(color="#ffffff", width=0.8), hoveron="fills", hoverinfo="text",
                                 text=text, name=s.name, showlegend=False, opacity=0.85, meta=_meta(layer.key)))
    cx, cy = terr.outline.centroid.x, terr.outline.centroid.y
    layer.traces.append(dict(
        type="scatter", x=[cx], y=[cy], mode="markers", hoverinfo="skip", showlegend=False, meta=_meta(layer.key),
        marker=dict(size=0.1, opacity=0, color=[0], cmin=0, cmax=top, colorscale=CHOROPLETH_SCALE, showscale=True,
                    colorbar=dict(title=dict(text=titles[metric], side="right"), thickness=12, x=1.0, len=0.8,
                                  tickformat=",d" if metric == "count" else ",.1f", outlinewidth=0))))
    return layer


def _cell_counts(state: DataState, f: Filters, cells: np.ndarray, size: int, start=None, end=None) -> np.ndarray:
    """Filtered events of the window [start, end] (default the filters') per cell of one of :func:`placed`'s grids.

    The window is a slice of the day-ordered snapshot, so only its rows are read, not every event.
    """
    window, mask = engine.select(state.events, f, state.index, start=start, end=end)
    return placement.counts(cells, window, mask, size)


def density_surface(state: DataState, terr: Territory, f: Filters):
    """Kernel density (:class:`observatorio.analysis.kde.KdePlan`) of the filtered events inside the comuna,
    or None without located events."""
    def build():
        where = placed(state, terr)
        window, mask = engine.select(state.events, f, state.index)
        rows = placement.chosen_rows(where.kde_base, window, mask)
        if rows.size == 0:
            return None
        plan = where.kde
        surface = plan.surface(plan.spread(where.kde_base[rows], where.kde_u[rows], where.kde_v[rows]), "density")
        _grid, inside = terr.grid(KDE_CELL)
        return surface, inside

    return cached(state, ("kde", filters_key(f), terr.epsg), build)


def density_layer(state: DataState, terr: Territory, f: Filters) -> Layer:
    layer = Layer("densidad", _("Densidad de eventos (kernel)"),
                  note=_("Kernel gaussiano, σ = %(bw)s m, celdas de %(cell)s m; eventos por km².") % {
                      "bw": int(KDE_BANDWIDTH), "cell": int(KDE_CELL)})
    result = density_surface(state, terr, f)
    if result is None:
        layer.empty_reason = _("No hay eventos con ubicación en el período.")
        return layer
    surface, inside = result
    values = np.where(inside, surface.values, np.nan)
    peak = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    # Below 2 % of the peak the surface is noise, and leaving it clear keeps the boundaries readable.
    shown = np.where(values >= 0.02 * peak, values, np.nan) if peak > 0 else values

    def features():
        rows, cols = np.nonzero(np.isfinite(shown))
        return [Feature(geom, {"fila": int(r), "columna": int(c), "densidad_km2": round(float(v), 3)})
                for geom, r, c, v in zip(_cell_boxes(surface.grid, rows, cols), rows, cols, shown[rows, cols])]

    layer.make_features = features
    xs, ys = surface.grid.centres()
    layer.traces.append(dict(
        type="heatmap", x=np.round(xs[0], 1).tolist(), y=np.round(ys[:, 0], 1).tolist(),
        z=_none_where_nan(np.round(shown, 2)),
        colorscale=KDE_SCALE, opacity=0.75, zsmooth="best", hoverongaps=False, showscale=True,
        hovertemplate=_("Densidad") + ": %{z:,.1f} " + _("eventos por km²") + "<extra></extra>",
        colorbar=dict(title=dict(text=_("Eventos por km²"), side="right"), thickness=12, x=1.09, len=0.8,
                      outlinewidth=0),
        name=layer.title, meta=_meta(layer.key)))
    return layer


def hotspot_result(state: DataState, terr: Territory, f: Filters):
    """:func:`observatorio.analysis.gistar.gi_star` on the cells inside the territory, or None."""
    def build():
        where = placed(state, terr)
        grid, inside = terr.grid(GI_CELL)
        counts = _cell_counts(state, f, where.gi, grid.size)
        if counts.sum() == 0 or inside.sum() < 2:
            return None
        return gi_star(counts.reshape(grid.shape).astype(float), GI_CELL, GI_DISTANCE, mask=inside, grid=grid)

    return cached(state, ("gi", filters_key(f), terr.epsg), build)


def hotspot_layer(state: DataState, terr: Territory, f: Filters) -> Layer:
    layer = Layer("gi", _("Puntos calientes y fríos (Gi*)"),
                  note=_("Celdas de %(cell)s m, vecindad de %(dist)s m, corrección FDR (Benjamini–Hochberg).") % {
                      "cell": int(GI_CELL), "dist": int(GI_DISTANCE)})
    result = hotspot_result(state, terr, f)
    if result is None:
        layer.empty_reason = _("No hay eventos con ubicación en el período.")
        return layer
    bins = result.bins(fdr=True)
    labels = {value: gi_bin_label(GiBin(value)) for value in (3, 2, 1, -1, -2, -3)}
    for value, label in labels.items():
        rows, cols = np.nonzero(bins == value)
        if rows.size == 0:
            continue
        x, y = _cells_xy(result.grid, rows, cols)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor=GI_COLOURS[value],
                                 line=dict(width=0), opacity=0.85, hoveron="fills", hoverinfo="text",
                                 text=f"{label}<br>{_fmt(rows.size)} {_('celdas')}", name=label,
                                 legendgroup="gi", showlegend=True, meta=_meta(layer.key)))
    if not layer.traces:
        layer.empty_reason = _("Ninguna celda es significativa con corrección FDR.")

    def features():
        out = []
        for value, label in labels.items():
            rows, cols = np.nonzero(bins == value)
            for geom, r, c in zip(_cell_boxes(result.grid, rows, cols), rows, cols):
                out.append(Feature(geom, {
                    "fila": int(r), "columna": int(c), "eventos": int(result.values[r, c]),
                    "z": round(float(result.z[r, c]), 3), "p": float(result.p_value[r, c]), "gi_bin": int(value),
                    "clase": label}))
        return out

    layer.make_features = features
    return layer


def quarters_before(end: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``n`` complete calendar quarters ending on or before ``end``, oldest first."""
    q_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    next_start = dt.date(q_start.year + (q_start.month + 3 > 12), (q_start.month + 2) % 12 + 1, 1)
    last_end = next_start - dt.timedelta(days=1)
    if last_end > end:  # the quarter of ``end`` is not complete
        last_end = q_start - dt.timedelta(days=1)
    out = []
    stop = last_end
    for _i in range(n):
        start = dt.date(stop.year, 3 * ((stop.month - 1) // 3) + 1, 1)
        out.append((start, stop))
        stop = start - dt.timedelta(days=1)
    return out[::-1]


def emerging_result(state: DataState, terr: Territory, f: Filters):
    """:func:`observatorio.analysis.emerging.emerging_hotspots` on quarterly cubes, with the quarters used."""
    def build():
        quarters = quarters_before(f.end, EMERGING_QUARTERS)
        grid, inside = terr.grid(EMERGING_CELL)
        if inside.sum() < 2:
            return None
        where = placed(state, terr)
        cube = np.stack([_cell_counts(state, f, where.emerging, grid.size, start, end).reshape(grid.shape)
                         for start, end in quarters]).astype(float)
        if cube.sum() == 0:
            return None
        result = emerging_hotspots(cube, EMERGING_CELL, EMERGING_DISTANCE, mask=inside, fdr=True)
        return result, grid, quarters

    return cached(state, ("emerging", filters_key(f), terr.epsg), build)


def emerging_layer(state: DataState, terr: Territory, f: Filters) -> Layer:
    quarters = quarters_before(f.end, EMERGING_QUARTERS)
    layer = Layer("emergentes", _("Puntos calientes emergentes"),
                  note=_("%(n)s trimestres completos (%(start)s a %(end)s), celdas de %(cell)s m, "
                         "vecindad de %(dist)s m, FDR por trimestre, tendencia de Mann–Kendall.") % {
                      "n": EMERGING_QUARTERS, "start": quarters[0][0].strftime("%d-%m-%Y"),
                      "end": quarters[-1][1].strftime("%d-%m-%Y"), "cell": int(EMERGING_CELL),
                      "dist": int(EMERGING_DISTANCE)})
    built = emerging_result(state, terr, f)
    if built is None:
        layer.empty_reason = _("No hay eventos con ubicación en esos trimestres.")
        return layer
    result, grid, _quarters = built
    shown = [(code, cls, emerging_label(cls)) for code, cls in enumerate(EMERGING_CLASSES)
             if cls is not EmergingClass.NO_PATTERN]
    for code, cls, label in shown:
        rows, cols = np.nonzero(result.codes == code)
        if rows.size == 0:
            continue
        x, y = _cells_xy(grid, rows, cols)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself",
                                 fillcolor=EMERGING_COLOURS[cls.value], line=dict(color="#ffffff", width=0.5),
                                 opacity=0.9, hoveron="fills", hoverinfo="text",
                                 text=f"{label}<br>{_fmt(rows.size)} {_('celdas')}", name=label,
                                 legendgroup="emerging", showlegend=True, meta=_meta(layer.key)))
    if not layer.traces:
        layer.empty_reason = _("Ninguna celda muestra un patrón emergente.")

    def features():
        out = []
        for code, cls, label in shown:
            rows, cols = np.nonzero(result.codes == code)
            for geom, r, c in zip(_cell_boxes(grid, rows, cols), rows, cols):
                out.append(Feature(geom, {
                    "fila": int(r), "columna": int(c), "patron": cls.value, "clase": label,
                    "periodos_calientes": int(result.hot[:, r, c].sum()),
                    "periodos_frios": int(result.cold[:, r, c].sum()),
                    "tendencia_z": round(float(result.trend_z[r, c]), 3)}))
        return out

    layer.make_features = features
    return layer


def places_layer(terr: Territory, kinds: list | None = None) -> Layer:
    from observatorio.records.models import Place, PlaceKind

    labels = dict(PlaceKind.choices)
    layer = Layer("lugares", _("Lugares de interés"))
    rows = list(Place.objects.order_by("kind", "name").values_list("id", "kind", "name", "lon", "lat", "prioritized"))
    if kinds:
        rows = [r for r in rows if r[1] in kinds]
    if not rows:
        layer.empty_reason = _("No hay lugares de interés cargados.")
        return layer
    lon = np.array([r[3] for r in rows], float)
    lat = np.array([r[4] for r in rows], float)
    x, y, _epsg = to_metres(lon, lat, terr.epsg)
    by_kind: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_kind.setdefault(r[1], []).append(i)
        layer.features.append(Feature(shapely.Point(x[i], y[i]), {
            "lugar_id": r[0], "tipo": r[1], "tipo_nombre": _(labels.get(r[1], r[1])), "nombre": r[2],
            "priorizado": bool(r[5])}))
    for kind, idx in by_kind.items():
        label = _(labels.get(kind, kind))
        layer.traces.append(dict(
            type="scatter", x=np.round(x[idx], 1).tolist(), y=np.round(y[idx], 1).tolist(), mode="markers",
            marker=dict(symbol=PLACE_SYMBOLS.get(kind, "circle"), size=8, color=PLACE_COLOURS.get(kind, "#333333"),
                        line=dict(color="#ffffff", width=1)),
            text=[rows[i][2] for i in idx], hovertemplate="%{text}<extra>" + label + "</extra>",
            name=label, legendgroup="lugares", showlegend=True, meta=_meta(layer.key)))
    return layer


def point_scope(user) -> tuple | None:
    """Which sources' events a user may see one by one: ``()`` all, a tuple of source ids, or None (none)."""
    roles = user_roles(user)
    if not roles & set(EVENT_LEVEL_ROLES):
        return None
    if roles & {Role.ADMIN, Role.ANALYST}:
        return ()
    scope = getattr(user, "operator_scope", None)
    ids = tuple(sorted(scope.sources.values_list("id", flat=True))) if scope else ()
    return ids if ids else None


def points_layer(state: DataState, terr: Territory, f: Filters, scope: tuple) -> Layer:
    """Events as points (at most ``POINT_LIMIT``), else clustered per ``CLUSTER_CELL`` m cell with counts.

    ``scope`` comes from :func:`point_scope` and must not be None: callers check the role first.
    """
    if scope is None:
        raise PermissionError("this user may not see individual events")
    from observatorio.records.models import Category, Source

    layer = Layer("eventos", _("Eventos"))
    snap = state.events
    where = placed(state, terr)
    window, mask = engine.select(snap, f, state.index)
    idx = placement.chosen_rows(where.cluster, window, mask)
    if scope:
        idx = idx[np.isin(snap.source[idx], np.asarray(scope, dtype=snap.source.dtype))]
    if idx.size == 0:
        layer.empty_reason = _("No hay eventos con ubicación en el período.")
        return layer
    if idx.size <= POINT_LIMIT:
        sources = dict(Source.objects.values_list("id", "code"))
        categories = dict(Category.objects.values_list("id", "name"))
        x, y, _epsg = to_metres(snap.lon[idx], snap.lat[idx], terr.epsg)
        days = {int(d): from_day_number(d) for d in np.unique(snap.day[idx])}
        rows = [(days[int(d)], categories.get(int(c), _("sin categoría")), sources.get(int(s_), ""))
                for d, c, s_ in zip(snap.day[idx], snap.category[idx], snap.source[idx])]
        texts = [f"{day.strftime('%d-%m-%Y')} · {cat} · {src}" for day, cat, src in rows]
        ids = snap.id[idx].tolist()
        layer.make_features = lambda: [
            Feature(point, {"evento_id": i, "fecha": day.isoformat(), "fuente": src, "categoria": cat})
            for point, i, (day, cat, src) in zip(shapely.points(x, y), ids, rows)]
        layer.note = _("%(n)s eventos.") % {"n": _fmt(idx.size)}
        layer.traces.append(dict(type="scatter", x=np.round(x, 1).tolist(), y=np.round(y, 1).tolist(),
                                 mode="markers", marker=dict(size=5, color="#1d4e6f", opacity=0.7),
                                 text=texts, hovertemplate="%{text}<extra></extra>", name=layer.title,
                                 showlegend=False, meta=_meta(layer.key)))
        return layer
    grid = where.cluster_grid
    flat = where.cluster[idx]
    counts = np.bincount(flat, minlength=grid.size)
    cells = np.flatnonzero(counts)
    n = counts[cells]
    # Each cluster sits at the mean position of its events (taken in degrees: over 250 m the difference from
    # the mean in metres is far below a pixel), so only the clusters are projected.
    lon = np.bincount(flat, weights=snap.lon[idx], minlength=grid.size)[cells] / n
    lat = np.bincount(flat, weights=snap.lat[idx], minlength=grid.size)[cells] / n
    cx, cy, _epsg = to_metres(lon, lat, terr.epsg)
    layer.make_features = lambda: [
        Feature(point, {"fila": int(cell // grid.ncols), "columna": int(cell % grid.ncols), "eventos": int(k)})
        for point, cell, k in zip(shapely.points(cx, cy), cells, n)]
    layer.note = _("%(n)s eventos agrupados en celdas de %(cell)s m.") % {"n": _fmt(idx.size),
                                                                          "cell": int(CLUSTER_CELL)}
    size = 6 + 22 * np.sqrt(n / n.max())
    layer.traces.append(dict(
        type="scatter", x=np.round(cx, 1).tolist(), y=np.round(cy, 1).tolist(), mode="markers",
        marker=dict(size=np.round(size, 1).tolist(), color="#1d4e6f", opacity=0.55, line=dict(color="#ffffff", width=1)),
        text=[_fmt(v) for v in n], hovertemplate="%{text} " + _("eventos") + "<extra></extra>",
        name=layer.title, showlegend=False, meta=_meta(layer.key)))
    return layer


# Drawing order, bottom to top: fills, then surfaces and cells, then outlines, then markers.
LAYER_KEYS = ("coropletico-count", "coropletico-rate", "coropletico-eb", "densidad", "gi", "emergentes",
              "limites-uv", "limites-macrosector", "limites-comuna", "lugares", "eventos")


def build_layer(key: str, *, state: DataState, terr: Territory, f: Filters, scope=None) -> Layer:
    """One layer by its key (see ``LAYER_KEYS``); ``scope`` only matters for ``eventos``.

    The built layer (traces and features) is cached too: building the cells of a
    large Gi* layer costs more than the statistic.
    """
    from django.utils.translation import get_language

    if key == "eventos" and scope is None:
        raise PermissionError("this user may not see individual events")
    if key.startswith("limites-"):
        # Boundaries and places do not depend on the events or the filters: one build per territory serves all.
        cache_key = ("layer", key, terr.boundaries, terr.epsg, get_language())
    elif key == "lugares":
        from observatorio.records.models import Place

        cache_key = ("layer", key, terr.boundaries, terr.epsg, get_language(),
                     tuple(Place.objects.aggregate(n=Count("id"), m=Max("id")).values()))
    else:
        cache_key = ("layer", key, filters_key(f), terr.epsg,
                     scope if key == "eventos" else None, get_language())
    return cached(state, cache_key, lambda: _build_layer(key, state=state, terr=terr, f=f, scope=scope))


def _build_layer(key: str, *, state: DataState, terr: Territory, f: Filters, scope=None) -> Layer:
    if key.startswith("limites-"):
        return boundary_layer(terr, key.removeprefix("limites-"))
    if key.startswith("coropletico-"):
        return choropleth_layer(state, terr, f, key.removeprefix("coropletico-"))
    if key == "densidad":
        return density_layer(state, terr, f)
    if key == "gi":
        return hotspot_layer(state, terr, f)
    if key == "emergentes":
        return emerging_layer(state, terr, f)
    if key == "lugares":
        return places_layer(terr)
    if key == "eventos":
        return points_layer(state, terr, f, scope)
    raise ValueError(f"layer {key!r} is not one of {', '.join(LAYER_KEYS)}")


# --------------------------------------------------------------------------- downloads

def geojson(layer: Layer, epsg: int) -> dict:
    """The layer's features as a GeoJSON FeatureCollection in WGS84 (coordinates to ~1 cm)."""
    features = []
    for feat in layer.features:
        geom = shapely.set_precision(to_wgs84(feat.geometry, epsg), 1e-7)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": feat.properties})
    return {"type": "FeatureCollection", "name": layer.key, "features": features}


def geopackage(layer: Layer, epsg: int) -> bytes:
    """The layer as a GeoPackage (EPSG:4326), written with pyogrio to a temporary file."""
    import os
    import tempfile

    import geopandas as gpd

    rows = [f.properties for f in layer.features]
    geoms = [to_wgs84(f.geometry, epsg) for f in layer.features]
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326") if rows else gpd.GeoDataFrame(
        {"vacio": []}, geometry=[], crs="EPSG:4326")
    fd, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    try:
        os.unlink(path)  # GDAL wants to create the file itself
        frame.to_file(path, driver="GPKG", layer=layer.key.replace("-", "_"), engine="pyogrio")
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)
