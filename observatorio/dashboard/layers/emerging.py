"""The emerging hotspots layer: how each cell's Gi* class moved over the last complete quarters.

The last ``EMERGING_QUARTERS`` complete calendar quarters up to the end of the
filter window, ``EMERGING_CELL`` m cells (:mod:`.base`), ``EMERGING_DISTANCE`` m
neighbourhood, FDR per quarter, Mann–Kendall trend.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
from observatorio.analysis.emerging import EmergingClass, emerging_hotspots
from observatorio.labels import emerging_label
from observatorio.state import DataState

from ..filters import Filters
from ..numbers import number
from .base import (
    EMERGING_CELL,
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

EMERGING_DISTANCE = 400.0
EMERGING_QUARTERS = 8
EMERGING_COLOURS = {
    "new_hot": "#fdd49e", "consecutive_hot": "#fdbb84", "intensifying_hot": "#d7301f", "persistent_hot": "#b30000",
    "diminishing_hot": "#fc8d59", "sporadic_hot": "#fee8c8", "oscillating_hot": "#ef6548",
    "historical_hot": "#7f0000",
    "new_cold": "#d0d1e6", "consecutive_cold": "#a6bddb", "intensifying_cold": "#0570b0",
    "persistent_cold": "#045a8d", "diminishing_cold": "#74a9cf", "sporadic_cold": "#ece7f2",
    "oscillating_cold": "#3690c0", "historical_cold": "#023858",
}


def quarters_before(end: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``n`` complete calendar quarters ending on or before ``end``, oldest first."""
    q_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    next_start = dt.date(q_start.year + (q_start.month + 3 > 12), (q_start.month + 2) % 12 + 1, 1)
    last_end = next_start - dt.timedelta(days=1)
    if last_end > end:  # the quarter of ``end`` is not complete
        last_end = q_start - dt.timedelta(days=1)
    out = []
    stop = last_end
    for _i in range(n):
        start = dt.date(stop.year, 3 * ((stop.month - 1) // 3) + 1, 1)
        out.append((start, stop))
        stop = start - dt.timedelta(days=1)
    return out[::-1]


def emerging_result(state: DataState, terr: Territory, f: Filters):
    """:func:`observatorio.analysis.emerging.emerging_hotspots` on quarterly cubes, with the quarters used."""
    def build():
        quarters = quarters_before(f.end, EMERGING_QUARTERS)
        grid, inside = terr.grid(EMERGING_CELL)
        if inside.sum() < 2:
            return None
        where = placed(state, terr)
        cube = np.stack([cell_counts(state, f, where.emerging, grid.size, start, end).reshape(grid.shape)
                         for start, end in quarters]).astype(float)
        if cube.sum() == 0:
            return None
        result = emerging_hotspots(cube, EMERGING_CELL, EMERGING_DISTANCE, mask=inside, fdr=True)
        return result, grid, quarters

    return cached(state, ("emerging", filters_key(f), terr.epsg), build)


def emerging_layer(state: DataState, terr: Territory, f: Filters) -> Layer:
    quarters = quarters_before(f.end, EMERGING_QUARTERS)
    layer = Layer("emergentes", _("Puntos calientes emergentes"),
                  note=_("%(n)s trimestres completos (%(start)s a %(end)s), celdas de %(cell)s m, "
                         "vecindad de %(dist)s m, FDR por trimestre, tendencia de Mann–Kendall.") % {
                      "n": EMERGING_QUARTERS, "start": quarters[0][0].strftime("%d-%m-%Y"),
                      "end": quarters[-1][1].strftime("%d-%m-%Y"), "cell": int(EMERGING_CELL),
                      "dist": int(EMERGING_DISTANCE)})
    built = emerging_result(state, terr, f)
    if built is None:
        layer.empty_reason = _("No hay eventos con ubicación en esos trimestres.")
        return layer
    result, grid, _quarters = built
    shown = [(code, cls, emerging_label(cls)) for code, cls in enumerate(EMERGING_CLASSES)
             if cls is not EmergingClass.NO_PATTERN]
    for code, cls, label in shown:
        rows, cols = np.nonzero(result.codes == code)
        if rows.size == 0:
            continue
        x, y = cells_xy(grid, rows, cols)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself",
                                 fillcolor=EMERGING_COLOURS[cls.value], line=dict(color="#ffffff", width=0.5),
                                 opacity=0.9, hoveron="fills", hoverinfo="text",
                                 text=f"{label}<br>{number(rows.size)} {_('celdas')}", name=label,
                                 legendgroup="emerging", showlegend=True, meta=meta(layer.key)))
    if not layer.traces:
        layer.empty_reason = _("Ninguna celda muestra un patrón emergente.")

    def features():
        out = []
        for code, cls, label in shown:
            rows, cols = np.nonzero(result.codes == code)
            for geom, r, c in zip(cell_boxes(grid, rows, cols), rows, cols):
                out.append(Feature(geom, {
                    "fila": int(r), "columna": int(c), "patron": cls.value, "clase": label,
                    "periodos_calientes": int(result.hot[:, r, c].sum()),
                    "periodos_frios": int(result.cold[:, r, c].sum()),
                    "tendencia_z": round(float(result.trend_z[r, c]), 3)}))
        return out

    layer.make_features = features
    return layer


KIND = LayerKind(
    keys=("emergentes",),
    titles={"emergentes": gettext_lazy("Puntos calientes emergentes")},
    build=lambda key, *, state, terr, f, **_ignored: emerging_layer(state, terr, f),
)
