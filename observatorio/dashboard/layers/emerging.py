"""The emerging hotspots layer: how each cell's Gi* class moved over the last complete quarters.

The last ``EMERGING_QUARTERS`` complete calendar quarters up to the end of the
filter window, ``EMERGING_CELL`` m cells (:mod:`.base`), ``EMERGING_DISTANCE`` m
neighbourhood, the space-time Gi* (each quarter with the one before, ESRI's
default; the quarter before the first is the first one's look-back neighbour,
not classified: ``EMERGING_LEAD``), FDR per quarter, Mann–Kendall trend, ESRI's
Pro 3.x classes. The note
says which definitions and parameters were used, and a cell whose class rests
on a single significant quarter says so in its hover text and its properties.

Each quarter must hold enough events for a Gi* of its own
(:func:`emerging_minimum`, as :func:`.hotspots.gi_minimum` on this grid; the
space-time neighbourhood adds the previous quarter, so this is the stricter
bound): below that in any quarter the layer shows a caution and no pattern
(docs/analysis.md, "Pocos eventos").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
from observatorio.analysis.emerging import EmergingClass, EmergingHotspots, emerging_hotspots
from observatorio.analysis.gistar import neighbourhood_kernel
from observatorio.disclosure.grids import small_cells
from observatorio.labels import emerging_definitions_text, emerging_label
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
)

EMERGING_DISTANCE = 400.0
EMERGING_QUARTERS = 8
EMERGING_LEAD = 1
"""Quarters before the first shown one, used only as its look-back neighbours (= the space-time window): without
them the first quarter's Gi* has half the neighbourhood, steady hot spots miss it and, with 8 quarters where ESRI's
"90 %" means all 8, read as "consecutive" (on the demo: 36 consecutive cells instead of 18)."""
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


# Small numbers (docs/analysis.md, "Pocos eventos"): each quarter's Gi* asks what the Gi* layer asks.
EMERGING_MIN_EXPECTED = 5.0
EMERGING_MIN_EVENTS = 30


def emerging_minimum(terr: Territory) -> int:
    """Fewest events in the study area in every quarter (335 for Peñalolén's 871 cells of 200 m)."""
    _grid, inside = terr.grid(EMERGING_CELL)
    return minimum_events(int(inside.sum()), int(neighbourhood_kernel(EMERGING_CELL, EMERGING_DISTANCE).sum()),
                          EMERGING_MIN_EXPECTED, EMERGING_MIN_EVENTS)


@dataclass(frozen=True)
class Emerging:
    """What the emerging layer rests on: the quarters, the events of each in the study area, the minimum
    per quarter, and the analysis when every quarter reaches it."""

    quarters: list
    per_quarter: tuple[int, ...]
    minimum: int
    grid: object
    result: EmergingHotspots | None

    @property
    def events(self) -> int:
        return sum(self.per_quarter)

    @property
    def fewest(self) -> int:
        return min(self.per_quarter)

    @property
    def too_few(self) -> bool:
        return self.fewest < self.minimum


def months_before(end: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` calendar months ending with ``end``'s month, oldest first (the monthly bulletin's steps)."""
    out = []
    first = end.replace(day=1)
    for _i in range(n):
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out.append((first, last))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def emerging_result(state: DataState, terr: Territory, f: Filters, windows=None) -> Emerging:
    """:func:`observatorio.analysis.emerging.emerging_hotspots` on quarterly cubes, when every shown quarter has
    enough events (:func:`emerging_minimum`); the lead quarter is not counted.

    ``windows``: other time steps than the last quarters, lead step first (``EMERGING_LEAD`` of them) — the
    monthly bulletin's ``months_before(end, 12 + EMERGING_LEAD)``; each must reach the same minimum."""
    def build():
        with_lead = list(windows) if windows else quarters_before(f.end, EMERGING_QUARTERS + EMERGING_LEAD)
        quarters = with_lead[EMERGING_LEAD:]
        grid, inside = terr.grid(EMERGING_CELL)
        where = placed(state, terr)
        cube = np.stack([cell_counts(state, f, where.emerging, grid.size, start, end).reshape(grid.shape)
                         for start, end in with_lead]).astype(float)
        per_quarter = tuple(int(q[inside].sum()) for q in cube[EMERGING_LEAD:])
        minimum = emerging_minimum(terr)
        if min(per_quarter) < minimum or inside.sum() < 2:
            return Emerging(quarters, per_quarter, minimum, grid, None)
        result = emerging_hotspots(cube, EMERGING_CELL, EMERGING_DISTANCE, mask=inside, fdr=True, lead=EMERGING_LEAD)
        return Emerging(quarters, per_quarter, minimum, grid, result)

    return cached(state, ("emerging", filters_key(f), terr.epsg, tuple(windows or ())), build)


def shown_codes(state: DataState, terr: Territory, f: Filters, built: Emerging, guard=None) -> np.ndarray:
    """The result's class codes as drawn for the reader: for an aggregate-only one (``guard``), a cell of
    1..k−1 events over the shown steps is not drawn (−1; ``disclosure.grids.small_cells``)."""
    codes = built.result.codes
    if guard is None:
        return codes
    where = placed(state, terr)
    total = cell_counts(state, f, where.emerging, built.grid.size, built.quarters[0][0], built.quarters[-1][1])
    return np.where(small_cells(total.reshape(built.grid.shape), guard.k), -1, codes)


def emerging_layer(state: DataState, terr: Territory, f: Filters, guard=None) -> Layer:
    built = emerging_result(state, terr, f)
    quarters = built.quarters
    layer = event_layer("emergentes", _("Puntos calientes emergentes"), state, terr, f)
    unit = layer.measure["unit"] or _("eventos")
    layer.events = built.events
    layer.note = _("n = %(n)s %(unit)s en %(q)s trimestres completos (%(start)s a %(end)s; el que menos, "
                   "%(fewest)s), celdas de %(cell)s m, vecindad de %(dist)s m.") % {
        "n": number(built.events), "unit": unit, "q": EMERGING_QUARTERS,
        "start": quarters[0][0].strftime("%d-%m-%Y"), "end": quarters[-1][1].strftime("%d-%m-%Y"),
        "fewest": number(built.fewest), "cell": int(EMERGING_CELL), "dist": int(EMERGING_DISTANCE)}
    if built.too_few:
        layer.caution = _("Muy pocos eventos por trimestre (n = %(n)s en el que menos tiene) para identificar "
                          "puntos calientes emergentes: se necesitan al menos %(min)s en cada uno.") % {
            "n": number(built.fewest), "min": number(built.minimum)}
        layer.traces.append(caution_trace(layer, terr))
        return layer
    result, grid = built.result, built.grid
    if result is None:
        layer.empty_reason = _("No hay eventos con ubicación en esos trimestres.")
        return layer
    layer.note += " " + emerging_definitions_text(result.definitions(), number)
    shown = [(code, cls, emerging_label(cls)) for code, cls in enumerate(EMERGING_CLASSES)
             if cls is not EmergingClass.NO_PATTERN]
    codes = shown_codes(state, terr, f, built, guard)  # disclosure control: no cell of 1..k−1 events
    if guard is not None:
        layer.note += " " + guard.note()
    few = result.few_bins & (codes >= 0)
    if few.any():
        layer.note += " " + _("%(few)s celdas con patrón descansan en un solo trimestre significativo: léalas con "
                              "cautela.") % {"few": number(int(few.sum()))}
    group_title = f"{_('Emergentes')} · {measure_label(layer.measure)} · n = {number(built.events)}"
    for code, cls, label in shown:
        rows, cols = np.nonzero(codes == code)
        if rows.size == 0:
            continue
        x, y = cells_xy(grid, rows, cols)
        text = f"{label}<br>{number(rows.size)} {_('celdas')}"
        if few[rows, cols].any():
            text += "<br>" + _("%(few)s en un solo trimestre significativo") % {
                "few": number(int(few[rows, cols].sum()))}
        trace = dict(type="scatter", x=x, y=y, mode="lines", fill="toself",
                     fillcolor=EMERGING_COLOURS[cls.value], line=dict(color="#ffffff", width=0.5),
                     opacity=0.9, hoveron="fills", hoverinfo="text",
                     text=text, name=label,
                     legendgroup="emerging", showlegend=True, meta=meta(layer.key))
        if not layer.traces:
            trace["legendgrouptitle"] = dict(text=group_title)
        layer.traces.append(trace)
    if not layer.traces:
        layer.empty_reason = _("Ninguna celda muestra un patrón emergente.")

    def features():
        out = []
        for code, cls, label in shown:
            rows, cols = np.nonzero(codes == code)
            for geom, r, c in zip(cell_boxes(grid, rows, cols), rows, cols):
                out.append(Feature(geom, {
                    "fila": int(r), "columna": int(c), "patron": cls.value, "clase": label,
                    "periodos_calientes": int(result.hot[:, r, c].sum()),
                    "periodos_frios": int(result.cold[:, r, c].sum()),
                    "periodos_del_patron": int(result.pattern_bins[r, c]),
                    "un_solo_periodo": bool(result.few_bins[r, c]),
                    "tendencia_z": round(float(result.trend_z[r, c]), 3)}))
        return out

    layer.make_features = features
    return layer


KIND = LayerKind(
    keys=("emergentes",),
    titles={"emergentes": gettext_lazy("Puntos calientes emergentes")},
    build=lambda key, *, state, terr, f, guard=None, **_ignored: emerging_layer(state, terr, f, guard),
)
