"""Static maps of the reports (HTML and PDF), drawn with matplotlib as deterministic SVG.

Four maps, each over the same base (:class:`Base`: the streets reference layer,
the areas' outlines and their names), with a scale bar, a north arrow and a
caption line that states the measure, the period and the filters:

- :func:`choropleth`: a value per area (a rate per 100,000 or a count) in
  classes with a legend in words; an area whose figure the disclosure rules
  hide is hatched and labelled «reservado»;
- :func:`density`: a surface of :func:`observatorio.analysis.kde.kde`;
- :func:`hotspots`: Gi* classes (:class:`~observatorio.analysis.gistar.GiBin`)
  of a grid's cells;
- :func:`emerging`: emerging hotspot classes
  (:class:`~observatorio.analysis.emerging.EmergingClass`);
- :func:`points`: places of interest as dots, a colour per kind.

The drawing functions take plain inputs (Shapely geometries in a projected CRS,
in metres, and NumPy arrays) and return a :class:`matplotlib.figure.Figure`;
:func:`svg` writes it with a fixed hash salt and no date, so one map drawn twice
is the same bytes. :func:`base_from_state` is the one read of the database:
the outlines in force (``dashboard.layers.base.territory``) and the streets
(``dashboard.layers.references``).

The figure is a plain ``Figure`` (no pyplot): nothing global changes, and
several threads may draw at once. The few words of the maps are paired
Spanish/English templates, as in :mod:`observatorio.reports.sentences`; the
classes' labels are :mod:`observatorio.labels`' in ``lang``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib
import matplotlib.ticker
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from observatorio.reports.sentences import LANGS, number

WIDTH = 6.7  # inches: the page's text width; the map's height follows the area's shape
MAP_HEIGHT = (3.0, 8.0)  # inches: the least and the most the map itself may take
BELOW = 1.45  # inches under the map: the legend (or colour bar) and the caption
HASH_SALT = "observatorio"
STREET_COLOUR = "#7d838a"
OUTLINE_COLOUR = "#4a4f55"
RESERVED_FACE = "#eceef0"
RESERVED_HATCH = "////"
NO_DATA_FACE = "#ffffff"
CHOROPLETH_CMAP = "YlOrRd"
DENSITY_CMAP = "magma_r"
CLASSES = 5

WORDS = {
    "reserved": ("reservado", "withheld"),
    "no_data": ("sin datos", "no data"),
    "below": ("menos de {b}", "under {b}"),
    "between": ("{a} a menos de {b}", "{a} to under {b}"),
    "above": ("{a} o más", "{a} or more"),
    "only": ("{a}", "{a}"),
    "north": ("N", "N"),
    "filters": ("filtros: {f}", "filters: {f}"),
    "no_filters": ("sin filtros", "no filters"),
    "hotspots": ("Puntos calientes y fríos (Gi*)", "Hot and cold spots (Gi*)"),
    "no_cells": ("ninguna celda significativa", "no significant cell"),
}


def _w(key: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: one of {LANGS}")
    return WORDS[key][LANGS.index(lang)]


@dataclass(frozen=True)
class Area:
    """An area to outline and name (and to colour, in a choropleth); geometry in metres."""

    name: str
    geometry: object


@dataclass(frozen=True)
class Base:
    """What every map is drawn over: streets (lines), the areas' outlines and names, the comuna's border."""

    areas: Sequence[Area]
    border: object = None
    """The comuna (metres); None: the union of the areas. It sets the map's extent."""
    streets: Sequence[object] = field(default_factory=tuple)

    def extent(self) -> tuple[float, float, float, float]:
        """The view: the border's box with 6 % of room on every side (the scale bar and north arrow sit in it)."""
        shape = self.border if self.border is not None else shapely.union_all([a.geometry for a in self.areas])
        minx, miny, maxx, maxy = shape.bounds
        room = 0.06 * max(maxx - minx, maxy - miny)
        return minx - room, miny - room, maxx + room, maxy + room


@dataclass(frozen=True)
class Caption:
    """The line under a map: what it counts, when, and which filters (each already in the reader's words)."""

    measure: str
    period: str
    filters: Sequence[str] = ()

    def text(self, lang: str) -> str:
        filters = _w("filters", lang).format(f=", ".join(self.filters)) if self.filters else _w("no_filters", lang)
        return f"{self.measure} · {self.period} · {filters}"


# --- the one read of the database --------------------------------------------------------------------------


def base_from_state(state, day: dt.date, level: str = "uv") -> Base | None:
    """The base of the maps from the read model: the ``level`` areas in force on ``day``, the comuna, the streets.

    None when no boundary is loaded. Streets are cut to the map's extent (the SVG stays small).
    """
    from observatorio.dashboard.layers.base import territory
    from observatorio.dashboard.layers.references import reference_features

    terr = territory(state, day)
    if terr is None:
        return None
    shapes = terr.shapes.get(level) or next(terr.shapes[lv] for lv in ("macrosector", "comuna") if lv in terr.shapes)
    base = Base(areas=tuple(Area(s.name, s.metric) for s in shapes), border=terr.outline)
    box = base.extent()
    streets = [shapely.clip_by_rect(g, *box) for _layer, _name, g in reference_features(terr, "referencia-calles")]
    return Base(base.areas, base.border, tuple(g for g in streets if not g.is_empty))


# --- drawing -----------------------------------------------------------------------------------------------


def _path(geom) -> Path:
    """A polygon or multipolygon (holes included) as one matplotlib path."""
    vertices, codes = [], []
    for polygon in getattr(geom, "geoms", [geom]):
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _lines(geoms) -> list[np.ndarray]:
    out = []
    for g in geoms:
        for part in shapely.get_parts(g):
            if part.geom_type == "LineString":
                out.append(np.asarray(part.coords)[:, :2])
            elif part.geom_type in ("Polygon", "MultiPolygon"):
                out.extend(np.asarray(r.coords)[:, :2] for p in getattr(part, "geoms", [part])
                           for r in [p.exterior, *p.interiors])
    return out


def _figure(base: Base):
    """A figure as wide as the page, the map as tall as the areas' shape asks (within MAP_HEIGHT), and room
    below for the legend and the caption; the streets drawn over the colours, thin and light."""
    minx, miny, maxx, maxy = base.extent()
    map_height = min(max(WIDTH * (maxy - miny) / (maxx - minx), MAP_HEIGHT[0]), MAP_HEIGHT[1])
    height = map_height + BELOW
    fig = Figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0.0, BELOW / height, 1.0, map_height / height))
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_axis_off()
    if base.streets:
        ax.add_collection(LineCollection(_lines(base.streets), colors=STREET_COLOUR, linewidths=0.3, alpha=0.8,
                                         zorder=3, gid="streets"))
    return fig, ax


def _finish(fig, ax, base: Base, caption: Caption, lang: str, reserved: Sequence[str] = ()) -> Figure:
    """Outlines, names, scale bar, north arrow and caption over what the map drew."""
    ax.add_collection(PatchCollection([PathPatch(_path(a.geometry)) for a in base.areas], facecolor="none",
                                      edgecolor=OUTLINE_COLOUR, linewidth=0.6, zorder=4))
    if base.border is not None:
        ax.add_patch(PathPatch(_path(base.border), facecolor="none", edgecolor="#222222", linewidth=1.1, zorder=4))
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for a in base.areas:
        point = a.geometry.representative_point()
        text = a.name + (f"\n{_w('reserved', lang)}" if a.name in reserved else "")
        ax.text(point.x, point.y, text, fontsize=5.5, ha="center", va="center", color="#222222", zorder=6,
                path_effects=halo, gid=f"label-{a.name}")
    _scale_bar(ax, lang)
    _north_arrow(ax, lang)
    fig.text(0.02, 0.06 / fig.get_figheight(), caption.text(lang), fontsize=7, color="#333333", ha="left", va="bottom", wrap=True,
             gid="caption")
    return fig


def nice_length(width: float) -> float:
    """The longest round length (1, 2 or 5 × 10^k metres) within a fifth of ``width``: the scale bar's.

    >>> nice_length(9_000), nice_length(1_200), nice_length(30_000)
    (1000.0, 200.0, 5000.0)
    """
    target = width / 5
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def _distance(metres: float, lang: str) -> str:
    if metres >= 1000:
        return f"{number(metres / 1000, lang, 0 if metres % 1000 == 0 else 1)} km"
    return f"{number(metres, lang)} m"


def _scale_bar(ax, lang: str) -> None:
    minx, maxx = ax.get_xlim()
    miny, maxy = ax.get_ylim()
    length = nice_length(maxx - minx)
    x0, y0 = minx + 0.02 * (maxx - minx), miny + 0.02 * (maxy - miny)
    tick = 0.008 * (maxy - miny)
    ax.plot([x0, x0, x0 + length, x0 + length], [y0 + tick, y0, y0, y0 + tick], color="#222222", linewidth=1.2,
            zorder=7, solid_capstyle="butt", gid="scale-bar")
    ax.text(x0 + length / 2, y0 + 2 * tick, _distance(length, lang), fontsize=7, ha="center", va="bottom", zorder=7,
            path_effects=[patheffects.withStroke(linewidth=2.0, foreground="white")])


def _north_arrow(ax, lang: str) -> None:
    ax.annotate(_w("north", lang), xy=(0.95, 0.97), xytext=(0.95, 0.88), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold", zorder=7, gid="north-arrow",
                arrowprops=dict(arrowstyle="-|>", color="#222222", linewidth=1.2))


def _legend(fig, handles: list, title: str) -> None:
    fig.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(0.02, (BELOW - 0.05) / fig.get_figheight()),
               ncol=2 if len(handles) > 4 else 1, fontsize=7, title_fontsize=7.5, frameon=False, alignment="left")


def _label(label_of, member, lang: str) -> str:
    """A class's label from :mod:`observatorio.labels` in ``lang`` (Spanish before Django is set up)."""
    from django.apps import apps
    from django.utils import translation

    if not apps.ready:
        return label_of(member)
    with translation.override(lang):
        return label_of(member)


def class_breaks(values, k: int = CLASSES) -> list[float]:
    """Inner breaks of up to ``k`` classes: quantiles of the values rounded to two significant digits, distinct.

    >>> class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], k=2)
    [5.5]
    >>> class_breaks([3, 3, 3])
    []
    """
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return []
    out: list[float] = []
    for q in np.quantile(v, np.arange(1, k) / k):
        if q <= 0:
            continue
        digits = 1 - math.floor(math.log10(q))
        r = round(float(q), digits)
        if r > v.min() and r <= v.max() and (not out or r > out[-1]):
            out.append(r)
    return out


def class_words(breaks: Sequence[float], lang: str, digits: int = 0) -> list[str]:
    """The classes in words: "menos de 10", "10 a menos de 20", "20 o más" (one class: the whole range)."""
    b = [number(x, lang, digits) for x in breaks]
    if not b:
        return []
    return ([_w("below", lang).format(b=b[0])] + [_w("between", lang).format(a=x, b=y) for x, y in zip(b, b[1:])]
            + [_w("above", lang).format(a=b[-1])])


def choropleth(base: Base, values: Mapping[str, float | None], *, title: str, caption: Caption, lang: str = "es",
               breaks: Sequence[float] | None = None, digits: int = 0) -> Figure:
    """Each area of ``base`` coloured by its class; ``values`` by area name, None where the figure is reserved.

    ``title`` names the legend (the unit: "Casos por 100.000 habitantes"); ``breaks`` the classes' inner
    limits (default :func:`class_breaks`); ``digits`` the decimals of the limits. A reserved area is hatched,
    labelled «reservado» and given no colour of a class. An area missing from ``values`` is left white ("sin
    datos" in the legend).
    """
    fig, ax = _figure(base)
    shown = {name: v for name, v in values.items() if v is not None}
    breaks = list(class_breaks(shown.values()) if breaks is None else breaks)
    words = class_words(breaks, lang, digits) or ([_w("only", lang).format(a=number(next(iter(shown.values())),
                                                                                       lang, digits))] if shown else [])
    colours = matplotlib.colormaps[CHOROPLETH_CMAP](np.linspace(0.15, 0.9, max(len(words), 1)))
    reserved = [a.name for a in base.areas if a.name in values and values[a.name] is None]
    for a in base.areas:
        patch = PathPatch(_path(a.geometry), linewidth=0, zorder=2, gid=f"area-{a.name}")
        if a.name in reserved:
            patch.set(facecolor=RESERVED_FACE, hatch=RESERVED_HATCH, edgecolor="#8a9097")
        elif a.name in shown:
            patch.set(facecolor=colours[int(np.searchsorted(breaks, shown[a.name], side="right"))], alpha=0.85)
        else:
            patch.set(facecolor=NO_DATA_FACE)
        ax.add_patch(patch)
    handles = [Patch(facecolor=c, alpha=0.85, label=w) for c, w in zip(colours, words)]
    if reserved:
        handles.append(Patch(facecolor=RESERVED_FACE, hatch=RESERVED_HATCH, edgecolor="#8a9097",
                             label=_w("reserved", lang)))
    if any(a.name not in values for a in base.areas):
        handles.append(Patch(facecolor=NO_DATA_FACE, edgecolor="#8a9097", label=_w("no_data", lang)))
    _legend(fig, handles, title)
    return _finish(fig, ax, base, caption, lang, reserved)


def density(base: Base, surface, *, title: str, caption: Caption, lang: str = "es") -> Figure:
    """A :class:`~observatorio.analysis.kde.DensitySurface` as a colour surface (the lowest 2 % of its peak left
    clear, so the streets read through) with a colour bar titled ``title`` (its unit)."""
    fig, ax = _figure(base)
    g = surface.grid
    values = np.asarray(surface.values, dtype=float)
    peak = np.nanmax(values) if np.isfinite(values).any() else 0.0
    shown = np.ma.masked_where(~np.isfinite(values) | (values <= 0.02 * peak), values)
    image = ax.imshow(shown, origin="lower", extent=(g.x0, g.x0 + g.ncols * g.cell, g.y0, g.y0 + g.nrows * g.cell),
                      cmap=DENSITY_CMAP, alpha=0.75, interpolation="nearest", zorder=2, vmin=0,
                      vmax=peak if peak > 0 else 1)
    ax.set_xlim(*base.extent()[0::2])
    ax.set_ylim(*base.extent()[1::2])
    h = fig.get_figheight()
    bar = fig.colorbar(image, cax=fig.add_axes((0.06, (BELOW - 0.55) / h, 0.5, 0.12 / h)), orientation="horizontal")
    bar.set_label(title, fontsize=7.5)
    bar.ax.tick_params(labelsize=7)
    bar.ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _p: number(x, lang, _digits(peak))))
    return _finish(fig, ax, base, caption, lang)


def _digits(peak: float) -> int:
    return 0 if peak >= 10 else 1 if peak >= 1 else 2


def _cells(ax, grid, rows, cols, colour: str, gid: str) -> None:
    """A class's cells as one patch: adjacent cells merged (a grid's cells tile, so a coverage union), which keeps
    the SVG small — a map of thousands of cells is a few paths."""
    x = grid.x0 + np.asarray(cols) * grid.cell
    y = grid.y0 + np.asarray(rows) * grid.cell
    merged = shapely.coverage_union_all(shapely.box(x, y, x + grid.cell, y + grid.cell))
    ax.add_patch(PathPatch(_path(merged), facecolor=colour, edgecolor="none", alpha=0.85, zorder=2, gid=gid))


def hotspots(base: Base, grid, bins, *, caption: Caption, lang: str = "es", mask=None) -> Figure:
    """Gi* classes (-3..3, :meth:`observatorio.analysis.gistar.GiStar.bins`) of a grid's cells.

    Cells not significant (0) and outside ``mask`` are not drawn; the legend lists the classes drawn, hottest
    first, or says that no cell is significant.
    """
    from observatorio.analysis.gistar import GiBin
    from observatorio.dashboard.layers.hotspots import GI_COLOURS
    from observatorio.labels import gi_bin_label

    fig, ax = _figure(base)
    bins = np.asarray(bins)
    inside = np.ones(bins.shape, bool) if mask is None else np.asarray(mask, bool)
    handles = []
    for member in sorted(GiBin, reverse=True):
        if member == GiBin.NOT_SIGNIFICANT:
            continue
        rows, cols = np.nonzero((bins == member.value) & inside)
        if rows.size:
            _cells(ax, grid, rows, cols, GI_COLOURS[member.value], f"cells-{member.value}")
            handles.append(Patch(facecolor=GI_COLOURS[member.value], alpha=0.85,
                                 label=_label(gi_bin_label, member, lang)))
    if not handles:
        handles.append(Patch(facecolor="none", edgecolor="none", label=_w("no_cells", lang)))
    _legend(fig, handles, _w("hotspots", lang))
    return _finish(fig, ax, base, caption, lang)


def emerging(base: Base, grid, codes, *, title: str, caption: Caption, lang: str = "es") -> Figure:
    """Emerging hotspot classes (:attr:`observatorio.analysis.emerging.EmergingHotspots.codes`: positions in
    ``emerging.CLASSES``, -1 outside the study area); "no pattern" cells are not drawn; the legend lists the
    classes drawn in ``CLASSES`` order."""
    from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
    from observatorio.analysis.emerging import EmergingClass
    from observatorio.dashboard.layers.emerging import EMERGING_COLOURS
    from observatorio.labels import emerging_label

    fig, ax = _figure(base)
    codes = np.asarray(codes)
    handles = []
    for position, member in enumerate(EMERGING_CLASSES):
        if member == EmergingClass.NO_PATTERN:
            continue
        rows, cols = np.nonzero(codes == position)
        if rows.size:
            _cells(ax, grid, rows, cols, EMERGING_COLOURS[member.value], f"cells-{member.value}")
            handles.append(Patch(facecolor=EMERGING_COLOURS[member.value], alpha=0.85,
                                 label=_label(emerging_label, member, lang)))
    if not handles:
        handles.append(Patch(facecolor="none", edgecolor="none", label=_w("no_cells", lang)))
    _legend(fig, handles, title)
    return _finish(fig, ax, base, caption, lang)


def points(base: Base, groups: Mapping[str, tuple], *, title: str, caption: Caption, lang: str = "es") -> Figure:
    """Places as dots, one colour per group (``groups``: label → (x, y) arrays in metres), in the given order,
    with a legend titled ``title``; an empty group is left out of the legend."""
    fig, ax = _figure(base)
    colours = matplotlib.colormaps["tab10"](np.linspace(0, 1, 10))
    handles = []
    for k, (label, (x, y)) in enumerate(groups.items()):
        if len(x) == 0:
            continue
        colour = colours[k % 10]
        ax.scatter(np.asarray(x), np.asarray(y), s=9, color=colour, edgecolors="white", linewidths=0.4, zorder=5,
                   gid=f"points-{k}")
        handles.append(Patch(facecolor=colour, label=label))
    _legend(fig, handles, title)
    return _finish(fig, ax, base, caption, lang)


def legend_labels(fig: Figure) -> list[str]:
    """The words of a map's legend, in order (what a reader sees beside the colours)."""
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def svg(fig: Figure) -> bytes:
    """The map as SVG, the same bytes every time the same map is drawn (fixed hash salt, no date)."""
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": HASH_SALT, "svg.fonttype": "path", "svg.id": None}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    # The RDF metadata block says nothing but the file type, and names outside hosts (as charts.py drops it).
    return re.sub(rb"\s*<metadata>.*?</metadata>", b"", out.getvalue(), count=1, flags=re.S)
