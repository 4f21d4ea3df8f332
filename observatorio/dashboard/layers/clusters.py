"""Clusters with counts: the filters' events counted per cell of the map's cluster grid, a bubble per cell
sized by its count with the count written on it. The cell is one of ``CLUSTER_CELLS`` (1000/500/250/125 m):
the map asks for the one suited to its zoom and asks again when the zoom changes; ``CLUSTER_CELL`` otherwise.

For every role: a count per cell is an aggregate, drawn at the cell's centre (never at its events' mean
position, which would place them). For an aggregate-only reader (:mod:`observatorio.disclosure`) a cell of
1..k−1 events is neither drawn nor downloaded, like any grid cell (:func:`~observatorio.disclosure.grids.
small_cells`) at whatever cell size is asked, and the layer needs the grid layers' minimum window (``layers.GRID_LAYER_KEYS``).
"""

from __future__ import annotations

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.disclosure.grids import small_cells
from observatorio.state import DataState

from ..filters import Filters
from ..numbers import number
from .base import (
    CLUSTER_CELL,
    Feature,
    Layer,
    LayerKind,
    Territory,
    cell_counts,
    cluster_grid,
    coarser_counts,
    event_layer,
    meta,
    placed,
)


def bubble_trace(layer: Layer, x, y, n) -> dict:
    """Bubbles sized by count (area ∝ count) with the count written on each: the clusters' one drawing."""
    n = np.asarray(n)
    size = 14 + 26 * np.sqrt(n / max(int(n.max()), 1))
    unit = layer.measure["unit"] or _("eventos")
    return dict(type="scatter", x=np.round(x, 1).tolist(), y=np.round(y, 1).tolist(), mode="markers+text",
                marker=dict(size=np.round(size, 1).tolist(), color="#1d4e6f", opacity=0.6,
                            line=dict(color="#ffffff", width=1)),
                text=[number(v) for v in n], textposition="middle center",
                textfont=dict(size=10, color="#ffffff"), hovertemplate="%{text} " + unit + "<extra></extra>",
                name=layer.title, showlegend=False, meta=meta(layer.key))


def clusters_layer(state: DataState, terr: Territory, f: Filters, guard=None, cell: float = CLUSTER_CELL) -> Layer:
    layer = event_layer("grupos", _("Grupos de eventos"), state, terr, f)
    where = placed(state, terr)
    grid = cluster_grid(where.cluster_grid, cell)
    counts = coarser_counts(where.cluster_grid, cell_counts(state, f, where.cluster, where.cluster_grid.size), grid)
    layer.cell = int(cell)
    layer.events = int(counts.sum())
    if guard is not None:
        counts = np.where(small_cells(counts, guard.k), 0, counts)
        layer.disclosure = guard.note()
    cells = np.flatnonzero(counts)
    if cells.size == 0:
        layer.empty_reason = _("No hay eventos con ubicación en el período.")
        return layer
    n = counts[cells]
    cx = grid.x0 + (cells % grid.ncols + 0.5) * grid.cell
    cy = grid.y0 + (cells // grid.ncols + 0.5) * grid.cell
    layer.note = _("n = %(n)s %(unit)s agrupados en celdas de %(cell)s m.") % {
        "n": number(layer.events), "unit": layer.measure["unit"] or _("eventos"), "cell": int(cell)}
    if guard is not None:
        layer.note += " " + guard.note()
    layer.make_features = lambda: [
        Feature(point, {"fila": int(cell // grid.ncols), "columna": int(cell % grid.ncols), "eventos": int(k)})
        for point, cell, k in zip(shapely.points(cx, cy), cells, n)]
    layer.traces.append(bubble_trace(layer, cx, cy, n))
    return layer


KIND = LayerKind(
    keys=("grupos",),
    titles={"grupos": gettext_lazy("Grupos de eventos (conteo por celda)")},
    build=lambda key, *, state, terr, f, guard=None, cell=CLUSTER_CELL, **_ignored: clusters_layer(
        state, terr, f, guard, cell),
)
