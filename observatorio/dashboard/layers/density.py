"""The kernel density layer: a Gaussian surface of the filtered events, in events per km²."""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.state import DataState

from .. import engine, placement
from ..filters import Filters
from .base import (
    KDE_BANDWIDTH,
    KDE_CELL,
    Feature,
    Layer,
    LayerKind,
    Territory,
    cached,
    cell_boxes,
    filters_key,
    meta,
    none_where_nan,
    placed,
)

KDE_SCALE = "Viridis"


def density_surface(state: DataState, terr: Territory, f: Filters):
    """Kernel density (:class:`observatorio.analysis.kde.KdePlan`) of the filtered events inside the comuna,
    or None without located events."""
    def build():
        where = placed(state, terr)
        window, mask = engine.select_in(state, f)
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
                for geom, r, c, v in zip(cell_boxes(surface.grid, rows, cols), rows, cols, shown[rows, cols])]

    layer.make_features = features
    xs, ys = surface.grid.centres()
    layer.traces.append(dict(
        type="heatmap", x=np.round(xs[0], 1).tolist(), y=np.round(ys[:, 0], 1).tolist(),
        z=none_where_nan(np.round(shown, 2)),
        colorscale=KDE_SCALE, opacity=0.75, zsmooth="best", hoverongaps=False, showscale=True,
        hovertemplate=_("Densidad") + ": %{z:,.1f} " + _("eventos por km²") + "<extra></extra>",
        colorbar=dict(title=dict(text=_("Eventos por km²"), side="right"), thickness=12, x=1.09, len=0.8,
                      outlinewidth=0),
        name=layer.title, meta=meta(layer.key)))
    return layer


KIND = LayerKind(
    keys=("densidad",),
    titles={"densidad": gettext_lazy("Densidad (kernel)")},
    build=lambda key, *, state, terr, f, **_ignored: density_layer(state, terr, f),
)
