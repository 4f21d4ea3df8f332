"""Boundary layers: the outlines of the comuna, its macrosectors and its UVs in force, one layer per level."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Feature, Layer, LayerKind, Territory, meta

LINE_STYLES = {"comuna": ("#1f2933", 3.0), "macrosector": ("#52606d", 2.0), "uv": ("#9aa5b1", 0.8)}


def boundary_layer(terr: Territory, level: str) -> Layer:
    names = {"comuna": _("Límite comunal"), "macrosector": _("Macrosectores"), "uv": _("Unidades vecinales")}
    layer = Layer(f"limites-{level}", names.get(level, level))
    colour, width = LINE_STYLES.get(level, ("#52606d", 1.0))
    shapes = terr.shapes.get(level, [])
    if not shapes:
        layer.empty_reason = _("No hay límites cargados para este nivel.")
    for s in shapes:
        layer.features.append(Feature(s.metric, {"area_id": s.id, "codigo": s.code, "nombre": s.name,
                                                 "nivel": s.level}))
        x, y = terr.rings_xy(s)
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", line=dict(color=colour, width=width),
                                 hoverinfo="skip", showlegend=False, name=s.name, meta=meta(layer.key)))
    return layer


KIND = LayerKind(
    keys=("limites-uv", "limites-macrosector", "limites-comuna"),  # drawn finest first, the comuna on top
    titles={"limites-comuna": gettext_lazy("Límite comunal"), "limites-macrosector": gettext_lazy("Macrosectores"),
            "limites-uv": gettext_lazy("Unidades vecinales")},
    build=lambda key, *, terr, **_ignored: boundary_layer(terr, key.removeprefix("limites-")),
    depends_on_events=False,  # the boundaries only: one build per territory serves every filter
)
