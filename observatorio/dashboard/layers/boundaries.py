"""Boundary layers: the outlines of the comuna, its macrosectors and its UVs in force, one layer per level."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Feature, Layer, LayerKind, Territory, meta

LINE_STYLES = {"comuna": ("#1f2933", 3.0), "macrosector": ("#52606d", 2.0), "uv": ("#9aa5b1", 0.8)}
# Area names written on the map, at each area's representative point (inside it, unlike a centroid).
LABEL_STYLES = {"macrosector": (13, "#1f2933"), "uv": (10, "#3e4c59")}


def label_trace(terr: Territory, level: str, key: str) -> dict | None:
    """The names of ``level``'s areas as one text trace; ``customdata`` holds each area's id, code and
    level, which a click on the map reads (static/obs/mapview.js: "Ver perfil", "Filtrar por esta área")."""
    shapes = terr.shapes.get(level, [])
    if level not in LABEL_STYLES or not shapes:
        return None
    size, colour = LABEL_STYLES[level]
    points = [s.metric.representative_point() for s in shapes]
    return dict(type="scatter", x=[round(p.x) for p in points], y=[round(p.y) for p in points], mode="text",
                text=[s.name for s in shapes], customdata=[[s.id, s.code, s.level] for s in shapes],
                textfont=dict(size=size, color=colour, shadow="0 0 3px #fff, 0 0 3px #fff"),
                hovertemplate="<b>%{text}</b><extra></extra>", showlegend=False, name=f"labels-{level}",
                meta=dict(meta(key), labels=level))


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
    labels = label_trace(terr, level, layer.key)
    if labels is not None:
        layer.traces.append(labels)
    return layer


KIND = LayerKind(
    keys=("limites-uv", "limites-macrosector", "limites-comuna"),  # drawn finest first, the comuna on top
    titles={"limites-comuna": gettext_lazy("Límite comunal"), "limites-macrosector": gettext_lazy("Macrosectores"),
            "limites-uv": gettext_lazy("Unidades vecinales")},
    build=lambda key, *, terr, **_ignored: boundary_layer(terr, key.removeprefix("limites-")),
    depends_on_events=False,  # the boundaries only: one build per territory serves every filter
)
