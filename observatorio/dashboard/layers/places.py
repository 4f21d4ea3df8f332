"""The places of interest layer: schools, health centres, police, alcohol outlets… one trace per kind."""

from __future__ import annotations

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.projection import to_metres

from .base import Feature, Layer, LayerKind, Territory, meta

PLACE_SYMBOLS = {
    "school": "square", "sports": "diamond", "green": "triangle-up", "commercial": "star",
    "health": "cross", "police": "circle", "alcohol": "x", "transport": "triangle-down",
}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PLACE_COLOURS = {
    "school": "#0072B2", "sports": "#E69F00", "green": "#009E73", "commercial": "#CC79A7",
    "health": "#56B4E9", "police": "#000000", "alcohol": "#D55E00", "transport": "#7F7F7F",
}


def places_layer(terr: Territory, kinds: list | None = None) -> Layer:
    from observatorio.records.models import Place, PlaceKind

    labels = dict(PlaceKind.choices)
    layer = Layer("lugares", _("Lugares de interés"))
    rows = list(Place.objects.order_by("kind", "name").values_list("id", "kind", "name", "lon", "lat", "prioritized"))
    if kinds:
        rows = [r for r in rows if r[1] in kinds]
    if not rows:
        layer.empty_reason = _("No hay lugares de interés cargados.")
        return layer
    lon = np.array([r[3] for r in rows], float)
    lat = np.array([r[4] for r in rows], float)
    x, y, _epsg = to_metres(lon, lat, terr.epsg)
    by_kind: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_kind.setdefault(r[1], []).append(i)
        layer.features.append(Feature(shapely.Point(x[i], y[i]), {
            "lugar_id": r[0], "tipo": r[1], "tipo_nombre": _(labels.get(r[1], r[1])), "nombre": r[2],
            "priorizado": bool(r[5])}))
    for kind, idx in by_kind.items():
        label = _(labels.get(kind, kind))
        layer.traces.append(dict(
            type="scatter", x=np.round(x[idx], 1).tolist(), y=np.round(y[idx], 1).tolist(), mode="markers",
            marker=dict(symbol=PLACE_SYMBOLS.get(kind, "circle"), size=8, color=PLACE_COLOURS.get(kind, "#333333"),
                        line=dict(color="#ffffff", width=1)),
            text=[rows[i][2] for i in idx], hovertemplate="%{text}<extra>" + label + "</extra>",
            name=label, legendgroup="lugares", showlegend=True, meta=meta(layer.key)))
    return layer


KIND = LayerKind(
    keys=("lugares",),
    titles={"lugares": gettext_lazy("Lugares de interés")},
    build=lambda key, *, terr, **_ignored: places_layer(terr),
    depends_on_events=False,  # places and boundaries only (places are part of the state's territory key)
)
