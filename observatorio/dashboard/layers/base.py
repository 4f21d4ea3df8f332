"""What every map layer is built on: the territory drawn, the layer and its features, kept answers.

Every layer is built in UTM metres (the plane the statistics are defined on)
and carries two views of itself: Plotly traces for the map page, and features
(shapely geometries in metres plus a dict of properties) for the downloads,
which :func:`to_wgs84` brings back to longitude/latitude (:mod:`.downloads`).

* :class:`Territory`: the boundaries in force on a day, projected once, with
  the one way areas' outlines are drawn (:meth:`Territory.rings_xy`, used by
  the map, the dashboard's choropleth and the home page) and the map's grids;
* :func:`territory` and :func:`placed`: the territory and every event's cell
  on its grids, kept with the data state;
* :class:`Layer`, :class:`Feature`: what a layer answers;
* :class:`LayerKind`: one kind of layer (its keys, titles, builder and what it
  depends on), declared by each layer module and gathered in the package's
  registry (``observatorio.dashboard.layers``);
* :func:`cached`: the kept answers of the map (heavy layers are NumPy over the
  events and kept in a small LRU of the data state, keyed by the filters).

The grids every event is placed on are fixed here, since :func:`placed` places
events on all of them at once; each statistic's own parameters are in its module.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from observatorio.analysis.grid import Grid, StudyGrid
from observatorio.analysis.kde import KdePlan
from observatorio.analysis.projection import to_lonlat, to_metres, utm_epsg
from observatorio.records.snapshot import EventSnapshot
from observatorio.state import DataState

from .. import engine, placement
from ..filters import Filters
from ..numbers import number

# The map's grids (cell sides in metres): each event is placed on all of them once per state (:func:`placed`).
KDE_CELL = 100.0
KDE_BANDWIDTH = 200.0
GI_CELL = 100.0
EMERGING_CELL = 200.0
# The clusters' cells, coarse to fine: the map asks for the one suited to its zoom (mapview.js), reports and
# the first drawing use CLUSTER_CELL. Events are placed once on the finest; a coarser grid sums whole blocks
# of it (:func:`cluster_grid`), so every size counts the same events and cells nest.
CLUSTER_CELLS = (1000.0, 500.0, 250.0, 125.0)
CLUSTER_CELL = 250.0
CLUSTER_MARGIN = 2_000.0  # metres around the comuna's extent in which event points are drawn
LRU_SIZE = 48

BOUNDARY_LEVELS = ("comuna", "macrosector", "uv")
# Colour bars go below the map, never over it (the choropleth's on the left, the density's on the right);
# the legend goes under them (dashboard/mapview.py's layout keeps the room).
BAR_BELOW = dict(orientation="h", x=0.0, xanchor="left", y=-0.02, yanchor="top")


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
    study: object  # study_area(shapes), metres: the study area of the grids
    boundaries: tuple = ()  # ids of the boundaries drawn: what the layers that show only them depend on
    _rings: dict = field(default_factory=dict, compare=False, repr=False)  # area id → its outline's x/y
    _grids: dict = field(default_factory=dict, compare=False, repr=False)  # cell side → (grid, inside mask)

    def rings_xy(self, shape: AreaShape) -> tuple[list, list]:
        """:func:`rings_xy` of an area's shape, once per territory: the one way areas' outlines are drawn
        (the map, the dashboard's choropleth and the home page's map)."""
        held = self._rings.get(shape.id)
        if held is None:
            held = self._rings[shape.id] = rings_xy(shape.metric)
        return held

    def grid(self, cell: float) -> tuple[Grid, np.ndarray]:
        """A grid over the study area and the mask of cells whose centre lies inside it
        (:meth:`observatorio.analysis.grid.StudyGrid.over`, as ``observatorio analyze --area``).

        The study area is :func:`study_area`: the finest areas (UVs) inside the comuna, not
        the whole comuna, whose unpopulated hills would otherwise all test as "cold spots".
        """
        held = self._grids.get(cell)
        if held is None:
            study = StudyGrid.over(self.study, cell=cell, epsg=self.epsg, max_cells=None)
            study.mask.setflags(write=False)  # shared by every request on this territory
            held = self._grids[cell] = (study.grid, study.mask)
        return held


@dataclass
class Feature:
    geometry: object  # shapely, metres
    properties: dict


@dataclass
class Layer:
    """One layer's answer: traces for the map, features for the downloads, and what it rests on.

    The layers read from events also say which measure they count (``measure``: code, name and unit), how
    many events they rest on (``events``) and, below their documented minimum, a ``caution`` that replaces
    their classes; ``area`` (the study area, metres) is where a download with no feature puts that caution.
    """

    key: str
    title: str
    note: str = ""
    traces: list = field(default_factory=list)
    empty_reason: str = ""
    make_features: Callable[[], list] | None = field(default=None, repr=False)
    _features: list | None = field(default=None, repr=False)
    measure: dict | None = None  # {"code", "name", "unit"} of the measure counted; None: not read from events
    events: int | None = None  # events the layer rests on
    caution: str = ""  # said when the events are too few for the layer's statistic (no classes then)
    area: object = field(default=None, repr=False)  # shapely, metres: the study area
    disclosure: str = ""  # the disclosure-control note, for an aggregate-only reader (observatorio.disclosure)
    cell: int | None = None  # metres: the side of the cells counted (the clusters, whose cell follows the zoom)

    @property
    def caption(self) -> str:
        """What the page writes under the layer's name: the caution first, then why it is empty or its note."""
        return " ".join(part for part in (self.caution, self.empty_reason or self.note) if part)

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
    return (f.start, f.end, f.measure, f.sources, f.categories, f.links, f.hours, f.weekdays, f.level, f.areas)


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
    outline = shapely.union_all([s.metric for s in shapes[top]])
    return Territory(epsg, shapes, outline, study_area(shapes), ids)


def study_area(shapes: dict):
    """The grids' study area (metres): the union of the finest areas loaded (UVs), kept inside the comuna's
    boundary when it is loaded; the comuna's boundary itself when no finer level is.

    The UVs rather than the whole comuna: the comuna's unpopulated hills would otherwise be cells with no
    events, which inflate Gi* and make Gini measure the grid (issue #13, point 4). The comuna's boundary
    still bounds them: UVs digitised past it do not stretch the grid outside the comuna.
    """
    finest = next(level for level in reversed(BOUNDARY_LEVELS) if level in shapes)
    study = shapely.union_all([s.metric for s in shapes[finest]]).buffer(1.0)  # closes slivers between UVs
    if finest != "comuna" and "comuna" in shapes:
        study = study.intersection(shapely.union_all([s.metric for s in shapes["comuna"]]).buffer(1.0))
    return study


def placed(state: DataState, terr: Territory) -> placement.Placement:
    """Every event's cells on the map's grids (:mod:`..placement`), once per events and territory drawn.

    114 MB at 5M events, built once for all processes (kept as files beside the events' columns,
    :meth:`DataState.shared`); the grids themselves come from the territory, cheaply, in each process.
    """
    name = (f"placement-{terr.boundaries}-{terr.epsg}-{GI_CELL}-{KDE_CELL}-{KDE_BANDWIDTH}-{EMERGING_CELL}-"
            f"{min(CLUSTER_CELLS)}_{max(CLUSTER_CELLS)}-{CLUSTER_MARGIN}")

    def assemble() -> placement.Placement:
        grids = _grids(terr)

        def arrays() -> dict:
            made = placement.place(state.events, terr.epsg, *grids)
            return {column: getattr(made, column) for column in placement.COLUMNS}

        held = state.shared(name, arrays)
        gi_grid, kde, emerging_grid, cluster_grid = grids
        return placement.Placement(gi_grid, held["gi"], kde, held["kde_base"], held["kde_u"], held["kde_v"],
                                   emerging_grid, held["emerging"], cluster_grid, held["cluster"])

    return state.memo(f"placed:{name}", assemble, on=("events", "territory"))


def _grids(terr: Territory) -> tuple:
    """The map's grids over this territory: Gi*, the density's plan, emerging hotspots, clusters."""
    gi_grid, _inside = terr.grid(GI_CELL)
    kde_grid, _inside = terr.grid(KDE_CELL)
    emerging_grid, _inside = terr.grid(EMERGING_CELL)
    minx, miny, maxx, maxy = terr.outline.bounds
    coarsest = Grid.covering([minx, maxx], [miny, maxy], cell=max(CLUSTER_CELLS), epsg=terr.epsg,
                             margin=CLUSTER_MARGIN)
    blocks = int(max(CLUSTER_CELLS) // min(CLUSTER_CELLS))
    cluster_grid = Grid(coarsest.x0, coarsest.y0, min(CLUSTER_CELLS), coarsest.nrows * blocks,
                        coarsest.ncols * blocks, coarsest.epsg)
    return gi_grid, KdePlan.make(kde_grid, KDE_BANDWIDTH, "gaussian"), emerging_grid, cluster_grid


def _place(snap: EventSnapshot, terr: Territory) -> placement.Placement:
    """The placement computed here, not kept (tests compare it with the kept one)."""
    return placement.place(snap, terr.epsg, *_grids(terr))


def to_wgs84(geom, epsg: int):
    return shapely.transform(geom, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1], epsg)))


# --------------------------------------------------------------------------- helpers

def rings_xy(geom) -> tuple[list, list]:
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


def cells_xy(grid: Grid, rows, cols) -> tuple[list, list]:
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


def cell_boxes(grid: Grid, rows, cols) -> np.ndarray:
    """The squares of cells (row, col) as shapely polygons in metres."""
    x0 = grid.x0 + np.asarray(cols) * grid.cell
    y0 = grid.y0 + np.asarray(rows) * grid.cell
    return shapely.box(x0, y0, x0 + grid.cell, y0 + grid.cell)


def none_where_nan(values: np.ndarray) -> list:
    """Nested lists of floats with None where a value is not finite (JSON has no NaN; Plotly reads gaps)."""
    out = values.astype(object)
    out[~np.isfinite(values)] = None
    return out.tolist()


def meta(layer: str) -> dict:
    return {"layer": layer}


# --------------------------------------------------------------------------- the measure and small numbers

def measure_of(state: DataState, f: Filters) -> dict:
    """The filters' measure as the layers name it: ``{"code", "name", "unit"}``."""
    found = state.catalog.measure(f.measure)
    if found is None:
        return {"code": f.measure, "name": f.measure or _("sin medida"), "unit": ""}
    return {"code": found.code, "name": found.name, "unit": found.unit}


def measure_label(measure: dict) -> str:
    """«Casos policiales (casos)»: the measure and its unit, as every event layer's title and legend say."""
    return f"{measure['name']} ({measure['unit']})" if measure["unit"] else measure["name"]


def event_layer(key: str, title: str, state: DataState, terr: Territory, f: Filters, note: str = "") -> Layer:
    """A layer read from the filters' events: its title names the measure and unit."""
    measure = measure_of(state, f)
    return Layer(key, f"{title} · {measure_label(measure)}", note=note, measure=measure, area=terr.study)


def minimum_events(cells: int, neighbourhood: int, expected: float, floor: int) -> int:
    """Fewest events for a Gi* on ``cells`` cells with ``neighbourhood`` cells in each neighbourhood: enough
    that a neighbourhood holds ``expected`` events on average (events spread evenly), and never below ``floor``.

    Why (docs/analysis.md, "Pocos eventos"): Gi*'s p-values come from a normal approximation to the
    neighbourhood's sum, which a sum of a few counts, mostly zeros, does not follow.
    """
    return max(floor, math.ceil(expected * cells / max(neighbourhood, 1)))


def too_few(n: int, minimum: int, purpose: str) -> str:
    """The caution a layer shows instead of its classes: «Muy pocos eventos (n = 6) para …»."""
    return _("Muy pocos eventos (n = %(n)s) para %(purpose)s: se necesitan al menos %(min)s.") % {
        "n": number(n), "purpose": purpose, "min": number(minimum)}


def caution_trace(layer: Layer, terr: Territory) -> dict:
    """The caution written on the map itself, at the territory's centre (it switches with its layer)."""
    point = terr.outline.representative_point()
    words, lines, line = layer.caution.split(), [], ""
    for word in words:  # about 28 characters a line, so it fits the map on a phone
        if line and len(line) + len(word) > 28:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return dict(type="scatter", x=[round(point.x)], y=[round(point.y)], mode="text", text=["<br>".join(lines)],
                textfont=dict(size=12, color="#7c2d12", shadow="0 0 3px #fff, 0 0 3px #fff"), hoverinfo="skip",
                showlegend=False, name=layer.caution, meta=meta(layer.key))




def cluster_grid(finest: Grid, cell: float) -> Grid:
    """The cluster grid of ``cell`` metres (one of ``CLUSTER_CELLS``) over the finest one, corner for corner."""
    if cell not in CLUSTER_CELLS:
        raise ValueError(f"cluster cell {cell!r} not in {CLUSTER_CELLS}")
    blocks = int(cell // finest.cell)
    return Grid(finest.x0, finest.y0, float(cell), finest.nrows // blocks, finest.ncols // blocks, finest.epsg)


def coarser_cells(finest: Grid, flat: np.ndarray, grid: Grid) -> np.ndarray:
    """Flat cells of ``finest`` (``OFF`` kept) as the flat cells of ``grid`` that hold them."""
    flat = np.asarray(flat)
    blocks = int(grid.cell // finest.cell)
    out = (flat // finest.ncols // blocks) * grid.ncols + (flat % finest.ncols) // blocks
    return np.where(flat < 0, flat, out)


def coarser_counts(finest: Grid, counts: np.ndarray, grid: Grid) -> np.ndarray:
    """Counts per flat cell of ``finest`` summed into the flat cells of ``grid`` (whole blocks)."""
    blocks = int(grid.cell // finest.cell)
    return (np.asarray(counts).reshape(grid.nrows, blocks, grid.ncols, blocks).sum(axis=(1, 3)).ravel())


def cell_counts(state: DataState, f: Filters, cells: np.ndarray, size: int, start=None, end=None) -> np.ndarray:
    """Filtered events of the window [start, end] (default the filters') per cell of one of :func:`placed`'s grids.

    The window is a slice of the day-ordered snapshot, so only its rows are read, not every event.
    """
    window, mask = engine.select_in(state, f, start=start, end=end)
    return placement.counts(cells, window, mask, size)


# --------------------------------------------------------------------------- the kinds of layer

Builder = Callable[..., Layer]  # build(key, *, state, terr, f, scope) -> Layer


@dataclass(frozen=True)
class LayerKind:
    """One kind of layer, as its module declares it; the package's registry gathers them.

    ``keys`` are the layers it builds, in drawing order; ``titles`` name each in
    the list of downloads (Spanish source strings, lazily translated);
    ``build(key, state=, terr=, f=, scope=)`` builds one. What the built layer
    is kept under (:meth:`question`) follows what it is read from:

    * ``depends_on_events`` False: only the boundaries drawn and the places
      (both in the state's territory key), so one build per territory and
      language serves every filter;
    * ``individual_events`` True: single events, so it needs an event scope
      (:func:`observatorio.accounts.roles.event_scope`, never None) and the
      scope is part of the question;
    * ``kept`` False: read from the database on every request, never kept
      (the programmes' activities, which a user adds at any time).
    """

    keys: tuple[str, ...]
    titles: Mapping[str, str]
    build: Builder
    depends_on_events: bool = True
    individual_events: bool = False
    kept: bool = True

    def question(self, key: str, *, terr: Territory, f: Filters, scope=None) -> tuple:
        """What the layer ``key`` is kept under in :func:`cached`."""
        if self.depends_on_events:
            asked = ("layer", key, filters_key(f), terr.epsg, scope if self.individual_events else None,
                     get_language())
        else:
            asked = ("layer", key, terr.boundaries, terr.epsg, get_language())
        return asked
