"""The Gi* layer: hot and cold spots of the filtered events' counts per cell, with FDR correction.

Counts on a ``GI_CELL`` m grid (:mod:`.base`), a fixed-distance neighbourhood of
``GI_DISTANCE`` m, cells inside the study area only, Benjamini–Hochberg FDR.

Below :func:`gi_minimum` events (``GI_MIN_EXPECTED`` per neighbourhood on
average, never fewer than ``GI_MIN_EVENTS``) the statistic is not run: the
layer says how many events there are and that they are too few, and shows no
class (docs/analysis.md, "Pocos eventos").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.gistar import GiBin, GiStar, gi_star, neighbourhood_kernel
from observatorio.disclosure.grids import small_cells
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
    caution_trace,
    cell_boxes,
    cell_counts,
    cells_xy,
    event_layer,
    filters_key,
    measure_label,
    meta,
    minimum_events,
    placed,
    too_few,
)

GI_DISTANCE = 300.0
# ColorBrewer RdBu (colour-blind safe): reds for hot, blues for cold, darker = more confident.
GI_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}


# Small numbers (docs/analysis.md, "Pocos eventos"): events per neighbourhood on average for the normal
# approximation of Gi*, and a floor whatever the grid (ESRI's Optimized Hot Spot Analysis asks 30 incidents).
GI_MIN_EXPECTED = 5.0
GI_MIN_EVENTS = 30


def gi_minimum(terr: Territory) -> int:
    """Fewest events in the study area for a Gi* layer with classes (600 for Peñalolén's 3,476 cells)."""
    _grid, inside = terr.grid(GI_CELL)
    return minimum_events(int(inside.sum()), int(neighbourhood_kernel(GI_CELL, GI_DISTANCE).sum()),
                          GI_MIN_EXPECTED, GI_MIN_EVENTS)


@dataclass(frozen=True)
class Hotspots:
    """What the Gi* layer rests on: events in the study area's cells, the minimum, and Gi* when run."""

    events: int
    minimum: int
    result: GiStar | None  # None below the minimum (or with fewer than two cells)

    @property
    def too_few(self) -> bool:
        return self.events < self.minimum


def hotspot_result(state: DataState, terr: Territory, f: Filters) -> Hotspots:
    """:func:`observatorio.analysis.gistar.gi_star` on the cells inside the territory, when there are enough
    events for it (:func:`gi_minimum`)."""
    def build():
        where = placed(state, terr)
        grid, inside = terr.grid(GI_CELL)
        counts = cell_counts(state, f, where.gi, grid.size).reshape(grid.shape)
        events, minimum = int(counts[inside].sum()), gi_minimum(terr)
        if events < minimum or inside.sum() < 2:
            return Hotspots(events, minimum, None)
        return Hotspots(events, minimum, gi_star(counts.astype(float), GI_CELL, GI_DISTANCE, mask=inside,
                                                 grid=grid))

    return cached(state, ("gi", filters_key(f), terr.epsg), build)


def hotspot_layer(state: DataState, terr: Territory, f: Filters, guard=None) -> Layer:
    found = hotspot_result(state, terr, f)
    layer = event_layer("gi", _("Puntos calientes y fríos (Gi*)"), state, terr, f)
    unit = layer.measure["unit"] or _("eventos")
    layer.events = found.events
    layer.note = _("n = %(n)s %(unit)s en el área de estudio. Celdas de %(cell)s m, vecindad de %(dist)s m, "
                   "corrección FDR (Benjamini–Hochberg).") % {
        "n": number(found.events), "unit": unit, "cell": int(GI_CELL), "dist": int(GI_DISTANCE)}
    if found.too_few:
        layer.caution = too_few(found.events, found.minimum, _("identificar puntos calientes"))
        layer.traces.append(caution_trace(layer, terr))
        return layer
    result = found.result
    if result is None:
        layer.empty_reason = _("No hay eventos con ubicación en el período.")
        return layer
    bins = result.bins(fdr=True)
    if guard is not None:  # disclosure control: a cell of 1..k−1 events is neither drawn nor downloaded
        bins = np.where(small_cells(result.values, guard.k), 0, bins)
        layer.note += " " + guard.note()
    labels = {value: gi_bin_label(GiBin(value)) for value in (3, 2, 1, -1, -2, -3)}
    group_title = f"Gi* · {measure_label(layer.measure)} · n = {number(found.events)}"
    for value, label in labels.items():
        rows, cols = np.nonzero(bins == value)
        if rows.size == 0:
            continue
        x, y = cells_xy(result.grid, rows, cols)
        trace = dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor=GI_COLOURS[value],
                     line=dict(width=0), opacity=0.85, hoveron="fills", hoverinfo="text",
                     text=f"{label}<br>{number(rows.size)} {_('celdas')}", name=label,
                     legendgroup="gi", showlegend=True, meta=meta(layer.key))
        if not layer.traces:
            trace["legendgrouptitle"] = dict(text=group_title)
        layer.traces.append(trace)
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
    build=lambda key, *, state, terr, f, guard=None, **_ignored: hotspot_layer(state, terr, f, guard),
)
