"""The events layer: single events as points, or clustered per cell above ``POINT_LIMIT``.

Only for the users :func:`observatorio.accounts.roles.event_scope` lets see
single events, and only their scope's sources.
"""

from __future__ import annotations

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.projection import to_metres
from observatorio.records.snapshot import from_day_number
from observatorio.state import DataState

from .. import engine, placement
from ..filters import Filters
from ..numbers import number
from .base import (
    CLUSTER_CELL,
    Feature,
    Layer,
    LayerKind,
    Territory,
    cluster_grid,
    coarser_cells,
    event_layer,
    meta,
    placed,
)
from .clusters import bubble_trace

POINT_LIMIT = 2_000  # above this, event points are drawn as clusters per grid cell


def points_layer(state: DataState, terr: Territory, f: Filters, scope: tuple) -> Layer:
    """Events as points (at most ``POINT_LIMIT``), else clustered per ``CLUSTER_CELL`` m cell with counts.

    ``scope`` comes from :func:`observatorio.accounts.roles.event_scope` and must not be None: callers check
    the role first.
    """
    if scope is None:
        raise PermissionError("this user may not see individual events")
    from observatorio.records.models import Category, Source

    layer = event_layer("eventos", _("Eventos"), state, terr, f)
    snap = state.events
    where = placed(state, terr)
    window, mask = engine.select_in(state, f)
    idx = placement.chosen_rows(where.cluster, window, mask)
    if scope:
        idx = idx[np.isin(snap.source[idx], np.asarray(scope, dtype=snap.source.dtype))]
    layer.events = int(idx.size)
    if scope and not set(scope) & set(f.sources):
        layer.empty_reason = _("Su perfil no ve eventos individuales de las fuentes de esta medida.")
        return layer
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
        layer.note = _("n = %(n)s %(unit)s.") % {"n": number(idx.size), "unit": layer.measure["unit"] or _("eventos")}
        layer.traces.append(dict(type="scatter", x=np.round(x, 1).tolist(), y=np.round(y, 1).tolist(),
                                 mode="markers", marker=dict(size=5, color="#1d4e6f", opacity=0.7),
                                 text=texts, hovertemplate="%{text}<extra></extra>", name=layer.title,
                                 showlegend=False, meta=meta(layer.key)))
        return layer
    grid = cluster_grid(where.cluster_grid, CLUSTER_CELL)
    flat = coarser_cells(where.cluster_grid, where.cluster[idx], grid)
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
    layer.note = _("n = %(n)s %(unit)s agrupados en celdas de %(cell)s m.") % {
        "n": number(idx.size), "unit": layer.measure["unit"] or _("eventos"), "cell": int(CLUSTER_CELL)}
    layer.traces.append(bubble_trace(layer, cx, cy, n))
    return layer


KIND = LayerKind(
    keys=("eventos",),
    titles={"eventos": gettext_lazy("Eventos")},
    build=lambda key, *, state, terr, f, scope, **_ignored: points_layer(state, terr, f, scope),
    individual_events=True,
)
