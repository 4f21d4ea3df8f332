"""Plotly figures of the territory, drawn as plain polygons on a metric plane.

No geo, mapbox or map traces: those fetch base maps and topojson from the
network, and the observatory must work offline. Boundaries are projected to UTM
metres so that one metre is as long north–south as east–west (equal aspect),
then drawn as filled scatter polygons.

This module never imports Django, so a figure can be built in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from observatorio.analysis.projection import to_metres, utm_epsg

# Perceptually uniform and readable with the common colour-vision deficiencies.
COLORSCALE = "Cividis"
OUTLINE = "#1f2933"
MACRO_LINE = "#52606d"
UV_LINE = "#ffffff"
EMPTY_FILL = "#e4e7eb"


@dataclass(frozen=True)
class MapArea:
    """One area to draw: its shapely (multi)polygon in WGS84 and, for UVs, its count."""

    code: str
    name: str
    level: str  # "comuna", "macrosector" or "uv"
    geometry: object
    count: int | None = None


@dataclass(frozen=True)
class MapLabels:
    """Words shown on the figure, already in the user's language."""

    count_title: str = "Eventos (12 meses)"
    events: str = "eventos"
    no_count: str = "sin eventos"
    # Plotly's layout.separators: decimal mark then thousands mark (Chile: "1.234,5").
    separators: str = ",."


def _rings(geom):
    """Exterior rings of a Polygon or MultiPolygon (holes are not drawn: UVs rarely have any)."""
    polygons = getattr(geom, "geoms", [geom])
    return [np.asarray(p.exterior.coords) for p in polygons if not p.is_empty]


def _xy(geom, epsg: int) -> tuple[list, list]:
    """Projected coordinates of every ring, separated by None so one trace draws them all."""
    xs: list = []
    ys: list = []
    for ring in _rings(geom):
        x, y, _ = to_metres(ring[:, 0], ring[:, 1], epsg)
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(np.round(x, 1).tolist())
        ys.extend(np.round(y, 1).tolist())
    return xs, ys


def territory_figure(areas: list[MapArea], labels: MapLabels | None = None) -> go.Figure:
    """UVs filled by their count, macrosector and comuna outlines on top.

    Parameters
    ----------
    areas : list of MapArea
        Any mix of levels; UVs with ``count`` None are drawn in grey.
    labels : MapLabels, optional
        Translated words for the colour bar and the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        Cartesian axes hidden, y anchored to x at 1:1.
    """
    labels = labels or MapLabels()
    fig = go.Figure()
    if not areas:
        return fig
    lon0, lat0 = _centre(areas)
    epsg = utm_epsg(lon0, lat0)

    uvs = [a for a in areas if a.level == "uv"]
    counts = [a.count for a in uvs if a.count is not None]
    top = max(max(counts, default=0), 1)
    for area in uvs:
        x, y = _xy(area.geometry, epsg)
        if area.count is None:
            fill, text = EMPTY_FILL, f"{area.name}<br>{labels.no_count}"
        else:
            fill = sample_colorscale(COLORSCALE, [area.count / top])[0]
            count = f"{area.count:,}".replace(",", labels.separators[1])
            text = f"{area.name}<br>{count} {labels.events}"
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines", fill="toself", fillcolor=fill, line=dict(color=UV_LINE, width=1),
            hoveron="fills", hoverinfo="text", text=text, name=area.code, showlegend=False,
        ))

    for level, color, width in (("macrosector", MACRO_LINE, 2), ("comuna", OUTLINE, 3)):
        for area in (a for a in areas if a.level == level):
            x, y = _xy(area.geometry, epsg)
            # Without UVs the comuna itself is the only thing to show: give it a fill so it reads as land.
            filled = not uvs and level == "comuna"
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="lines", line=dict(color=color, width=width), name=area.code,
                fill="toself" if filled else None, fillcolor=EMPTY_FILL if filled else None,
                hoverinfo="text" if filled else "skip", hoveron="fills" if filled else None,
                text=area.name, showlegend=False,
            ))

    if uvs:
        # A single transparent marker carries the colour bar: filled polygons cannot.
        x0, y0, _ = to_metres([lon0], [lat0], epsg)
        fig.add_trace(go.Scatter(
            x=[float(x0[0])], y=[float(y0[0])], mode="markers", hoverinfo="skip", showlegend=False,
            marker=dict(size=0.1, opacity=0, color=[0], cmin=0, cmax=top, colorscale=COLORSCALE, showscale=True,
                        colorbar=dict(title=dict(text=labels.count_title, side="right"), thickness=12,
                                      tickformat=",d", outlinewidth=0)),
        ))

    fig.update_layout(
        separators=labels.separators, margin=dict(l=0, r=0, t=0, b=0), height=480,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(bgcolor="white", font=dict(color=OUTLINE)), dragmode="pan",
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x", scaleratio=1),
    )
    return fig


def _centre(areas: list[MapArea]) -> tuple[float, float]:
    bounds = np.array([a.geometry.bounds for a in areas])
    return float((bounds[:, 0].min() + bounds[:, 2].max()) / 2), float((bounds[:, 1].min() + bounds[:, 3].max()) / 2)

