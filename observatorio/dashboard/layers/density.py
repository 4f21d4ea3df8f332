"""The kernel density layer: a Gaussian surface of the filtered events, in events per km².

Below ``KDE_MIN_EVENTS`` events the surface is not drawn: a few bumps show where
those events fell (for a sensitive measure, near whose home), not a density; the
layer says how many there are instead (docs/analysis.md, "Pocos eventos").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.disclosure.grids import thin_neighbourhoods
from observatorio.state import DataState

from .. import engine, placement
from ..filters import Filters
from ..numbers import number
from .base import (
    BAR_BELOW,
    KDE_BANDWIDTH,
    KDE_CELL,
    Feature,
    Layer,
    LayerKind,
    Territory,
    cached,
    caution_trace,
    cell_boxes,
    cell_counts,
    event_layer,
    filters_key,
    meta,
    none_where_nan,
    placed,
    too_few,
)

KDE_SCALE = "Viridis"
# Small numbers (docs/analysis.md, "Pocos eventos"): fewer events than this draw no surface.
KDE_MIN_EVENTS = 30


@dataclass(frozen=True)
class Density:
    """What the density layer rests on: located events in the comuna, and the surface when there are enough."""

    events: int
    surface: object | None  # analysis.kde.DensitySurface
    inside: np.ndarray | None

    @property
    def too_few(self) -> bool:
        return self.events < KDE_MIN_EVENTS


def density_surface(state: DataState, terr: Territory, f: Filters) -> Density:
    """Kernel density (:class:`observatorio.analysis.kde.KdePlan`) of the filtered events inside the comuna,
    when there are at least ``KDE_MIN_EVENTS``."""
    def build():
        where = placed(state, terr)
        window, mask = engine.select_in(state, f)
        rows = placement.chosen_rows(where.kde_base, window, mask)
        if rows.size < KDE_MIN_EVENTS:
            return Density(int(rows.size), None, None)
        plan = where.kde
        surface = plan.surface(plan.spread(where.kde_base[rows], where.kde_u[rows], where.kde_v[rows]), "density")
        _grid, inside = terr.grid(KDE_CELL)
        return Density(int(rows.size), surface, inside)

    return cached(state, ("kde", filters_key(f), terr.epsg), build)


def density_layer(state: DataState, terr: Territory, f: Filters, guard=None) -> Layer:
    found = density_surface(state, terr, f)
    layer = event_layer("densidad", _("Densidad de eventos (kernel)"), state, terr, f)
    name, unit = layer.measure["name"], layer.measure["unit"] or _("eventos")
    layer.events = found.events
    layer.note = _("n = %(n)s %(unit)s con ubicación en la comuna. Kernel gaussiano, σ = %(bw)s m, celdas de "
                   "%(cell)s m; %(unit)s por km².") % {
        "n": number(found.events), "unit": unit, "bw": int(KDE_BANDWIDTH), "cell": int(KDE_CELL)}
    if found.too_few:
        layer.caution = too_few(found.events, KDE_MIN_EVENTS, _("estimar una densidad"))
        layer.traces.append(caution_trace(layer, terr))
        return layer
    surface, inside = found.surface, found.inside
    values = np.where(inside, surface.values, np.nan)
    peak = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    # Below 2 % of the peak the surface is noise, and leaving it clear keeps the boundaries readable.
    shown = np.where(values >= 0.02 * peak, values, np.nan) if peak > 0 else values
    if guard is not None:
        # Disclosure control: drawn only where at least k events lie within 2σ, so no lone case shows as a bump.
        grid, _inside = terr.grid(KDE_CELL)
        counts = cell_counts(state, f, placed(state, terr).gi, grid.size).reshape(grid.shape)
        if counts.shape == shown.shape:
            shown = np.where(thin_neighbourhoods(counts, guard.k, int(round(2 * KDE_BANDWIDTH / KDE_CELL))),
                             np.nan, shown)
        else:  # pragma: no cover - the density's grid is the Gi* grid (both KDE_CELL = GI_CELL)
            shown = np.full(shown.shape, np.nan)
        layer.note += " " + guard.note()

    def features():
        rows, cols = np.nonzero(np.isfinite(shown))
        return [Feature(geom, {"fila": int(r), "columna": int(c), "densidad_km2": round(float(v), 3)})
                for geom, r, c, v in zip(cell_boxes(surface.grid, rows, cols), rows, cols, shown[rows, cols])]

    layer.make_features = features
    xs, ys = surface.grid.centres()
    per_km2 = _("%(unit)s por km²") % {"unit": unit}
    layer.traces.append(dict(
        type="heatmap", x=np.round(xs[0], 1).tolist(), y=np.round(ys[:, 0], 1).tolist(),
        z=none_where_nan(np.round(shown, 2)),
        colorscale=KDE_SCALE, opacity=0.75, zsmooth="best", hoverongaps=False, showscale=True,
        hovertemplate=f"{name}: %{{z:,.1f}} {per_km2}<extra></extra>",
        colorbar=dict(title=dict(text=f"{name}<br>{per_km2}<br>n = {number(found.events)}", side="top"),
                      thickness=12, len=0.48, outlinewidth=0, **dict(BAR_BELOW, x=0.52)),
        name=layer.title, meta=meta(layer.key)))
    return layer


KIND = LayerKind(
    keys=("densidad",),
    titles={"densidad": gettext_lazy("Densidad (kernel)")},
    build=lambda key, *, state, terr, f, guard=None, **_ignored: density_layer(state, terr, f, guard),
)
