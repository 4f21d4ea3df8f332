"""The Gi* layer: hot and cold spots of the filtered events' counts per cell, with FDR correction.

Counts on a ``GI_CELL`` m grid (:mod:`.base`), a fixed-distance neighbourhood of
``GI_DISTANCE`` m, cells inside the study area only, Benjamini–Hochberg FDR.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.gistar import GiBin, gi_star
from observatorio.labels import gi_bin_label
from observatorio.state import DataState

from ..filters import Filters
from ..numbers import number
from .base import (
    GI_CELL,
    Feature,
    Layer,
    LayerKind,
    Territory,
    cached,
    cell_boxes,
    cell_counts,
    cells_xy,
    filters_key,
    meta,
    placed,
)

GI_DISTANCE = 300.0
# ColorBrewer RdBu (colour-blind safe): reds for hot, blues for cold, darker = more confident.
GI_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}


def hotspot_result(state: DataState, terr: Territory, f: Filters):
    """:func:`observatorio.analysis.gistar.gi_star` on the cells inside the territory, or None."""
    def build():
        where = placed(state, terr)
        grid, inside = terr.grid(GI_CELL)
        counts = cell_counts(state, f, where.gi, grid.size)
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
        x, y = cells_xy(result.grid, rows, cols)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor=GI_COLOURS[value],
                                 line=dict(width=0), opacity=0.85, hoveron="fills", hoverinfo="text",
                                 text=f"{label}<br>{number(rows.size)} {_('celdas')}", name=label,
                                 legendgroup="gi", showlegend=True, meta=meta(layer.key)))
    if not layer.traces:
        layer.empty_reason = _("Ninguna celda es significativa con corrección FDR.")

    def features():
        out = []
        for value, label in labels.items():
            rows, cols = np.nonzero(bins == value)
            for geom, r, c in zip(cell_boxes(result.grid, rows, cols), rows, cols):
                out.append(Feature(geom, {
                    "fila": int(r), "columna": int(c), "eventos": int(result.values[r, c]),
                    "z": round(float(result.z[r, c]), 3), "p": float(result.p_value[r, c]), "gi_bin": int(value),
                    "clase": label}))
        return out

    layer.make_features = features
    return layer


KIND = LayerKind(
    keys=("gi",),
    titles={"gi": gettext_lazy("Puntos calientes y fríos (Gi*)")},
    build=lambda key, *, state, terr, f, **_ignored: hotspot_layer(state, terr, f),
)
