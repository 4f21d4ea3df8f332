"""The home page's map: the territory's areas as plain polygons on a metric plane.

No geo, mapbox or map traces: those fetch base maps and topojson from the
network, and the observatory must work offline. The outlines are the map's
(:meth:`observatorio.dashboard.layers.base.Territory.rings_xy`: the same UTM
projection and rounding as the map page and the dashboard), drawn as filled
scatter polygons; numbers in the hover text are written by :mod:`.numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from .layers.base import AreaShape, Territory
from .numbers import number, separators

# Perceptually uniform and readable with the common colour-vision deficiencies.
COLORSCALE = "Cividis"
OUTLINE = "#1f2933"
MACRO_LINE = "#52606d"
UV_LINE = "#ffffff"
EMPTY_FILL = "#e4e7eb"


@dataclass(frozen=True)
class MapArea:
    """One area to draw: its shape in the territory drawn and, for UVs, its count."""

    shape: AreaShape
    count: int | None = None
    suppressed: bool = False  # disclosure control hid its count (observatorio.disclosure): said, never 0

    @property
    def code(self) -> str:
        return self.shape.code

    @property
    def name(self) -> str:
        return self.shape.name

    @property
    def level(self) -> str:  # "comuna", "macrosector" or "uv"
        return self.shape.level


@dataclass(frozen=True)
class MapLabels:
    """Words shown on the figure, already in the user's language."""

    count_title: str = "Eventos (12 meses)"
    events: str = "eventos"
    no_count: str = "sin eventos"


def territory_figure(terr: Territory, areas: list[MapArea], labels: MapLabels | None = None) -> go.Figure:
    """UVs filled by their count, macrosector and comuna outlines on top.

    Parameters
    ----------
    terr : Territory
        The territory the areas' shapes belong to: it draws their outlines.
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

    uvs = [a for a in areas if a.level == "uv"]
    counts = [a.count for a in uvs if a.count is not None]
    top = max(max(counts, default=0), 1)
    for area in uvs:
        x, y = terr.rings_xy(area.shape)
        if area.suppressed:
            from django.utils.translation import gettext

            fill, text = EMPTY_FILL, f"{area.name}<br>{gettext('reservado')}"
        elif area.count is None:
            fill, text = EMPTY_FILL, f"{area.name}<br>{labels.no_count}"
        else:
            fill = sample_colorscale(COLORSCALE, [area.count / top])[0]
            text = f"{area.name}<br>{number(area.count)} {labels.events}"
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines", fill="toself", fillcolor=fill, line=dict(color=UV_LINE, width=1),
            hoveron="fills", hoverinfo="text", text=text, name=area.code, showlegend=False,
        ))

    for level, color, width in (("macrosector", MACRO_LINE, 2), ("comuna", OUTLINE, 3)):
        for area in (a for a in areas if a.level == level):
            x, y = terr.rings_xy(area.shape)
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
        minx, miny, maxx, maxy = terr.outline.bounds
        fig.add_trace(go.Scatter(
            x=[round((minx + maxx) / 2)], y=[round((miny + maxy) / 2)], mode="markers", hoverinfo="skip",
            showlegend=False,
            marker=dict(size=0.1, opacity=0, color=[0], cmin=0, cmax=top, colorscale=COLORSCALE, showscale=True,
                        colorbar=dict(title=dict(text=labels.count_title, side="right"), thickness=12,
                                      tickformat=",d", outlinewidth=0)),
        ))

    fig.update_layout(
        separators=separators(), margin=dict(l=0, r=0, t=0, b=0), height=480,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(bgcolor="white", font=dict(color=OUTLINE)), dragmode="pan",
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x", scaleratio=1),
    )
    return fig
