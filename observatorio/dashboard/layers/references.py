"""Reference layers the municipality imports (``observatorio territory reference``): city blocks as light
polygons and streets as thin grey lines, drawn under everything; a street's name is its hover text and, once
the map is zoomed in enough (static/obs/mapview.js), a label.

Geometry is simplified for drawing (``SIMPLIFY_METRES``, far below a pixel at the zoom the streets are read
at) and every layer of a kind is one trace, so the whole street network costs one Plotly trace.
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.projection import to_metres

from .base import Feature, Layer, LayerKind, Territory, meta

SIMPLIFY_METRES = 2.0
# Street labels are written when the map shows at most this width (metres): wider, they would cover it.
LABEL_WIDTH = 4_000.0
# The kinds each map layer draws: polygons (blocks, and other layers of polygons), lines (streets, other lines).
KEYS = {"referencia-manzanas": ("blocks", "other"), "referencia-calles": ("streets", "other")}


def _parts(geom):
    return getattr(geom, "geoms", [geom])


def reference_features(terr: Territory, key: str) -> list[tuple[str, str, object]]:
    """(layer name, feature name, simplified geometry in metres) of every reference layer ``key`` draws.

    Parsed, projected and simplified as arrays (one call each for all features), not feature by feature.
    """
    from observatorio.territory.models import ReferenceLayer

    polygons = key == "referencia-manzanas"
    out = []
    for held in ReferenceLayer.objects.filter(kind__in=KEYS[key]).order_by("name"):
        features = json.loads(held.geojson)["features"]
        # The collection read whole is one GeometryCollection whose members are the features, in order.
        geoms = shapely.get_parts(shapely.from_geojson(held.geojson))
        keep = np.isin(shapely.get_type_id(geoms), [3, 6]) == polygons  # Polygon, MultiPolygon
        geoms = shapely.transform(geoms[keep], lambda xy: np.column_stack(
            to_metres(xy[:, 0], xy[:, 1], terr.epsg)[:2]))
        geoms = shapely.simplify(geoms, SIMPLIFY_METRES, preserve_topology=polygons)
        names = [f["properties"].get("name", "") for f, k in zip(features, keep) if k]
        out.extend((held.name, name, geom) for name, geom in zip(names, geoms))
    return out


def _paths(geoms, rings: bool) -> tuple[list, list, list]:
    """One None-separated path of every line (or polygon's exterior), rounded to the metre, with each
    vertex's index into ``geoms`` (None at the gaps)."""
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    if rings:
        parts = shapely.get_exterior_ring(parts)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    breaks = np.flatnonzero(np.diff(part)) + 1

    def gapped(values) -> list:
        return np.insert(np.asarray(values).astype(object), breaks, None).tolist()

    return gapped(np.round(coords[:, 0]).astype(int)), gapped(np.round(coords[:, 1]).astype(int)), gapped(owner[part])


def street_labels(found: list) -> tuple[list, list, list]:
    """One label per street name, at the middle of its longest piece (x, y, name)."""
    longest: dict[str, object] = {}
    for _layer, name, geom in found:
        if not name:
            continue
        for part in _parts(geom):
            if name not in longest or part.length > longest[name].length:
                longest[name] = part
    points = [(line.interpolate(0.5, normalized=True), name) for name, line in sorted(longest.items())]
    return [round(p.x, 1) for p, _n in points], [round(p.y, 1) for p, _n in points], [n for _p, n in points]


def street_extents(terr: Territory) -> dict[str, tuple[float, float, float, float]]:
    """Each named street's extent in metres (min x, min y, max x, max y, all its pieces): where the map's
    search zooms to."""
    found = [(name, geom) for _layer, name, geom in reference_features(terr, "referencia-calles") if name]
    if not found:
        return {}
    bounds = shapely.bounds(np.asarray([g for _n, g in found], dtype=object))
    out: dict[str, tuple] = {}
    for (name, _g), (x0, y0, x1, y1) in zip(found, bounds.tolist()):
        held = out.get(name)
        out[name] = (x0, y0, x1, y1) if held is None else (min(held[0], x0), min(held[1], y0), max(held[2], x1),
                                                           max(held[3], y1))
    return out


def reference_layer(terr: Territory, key: str) -> Layer:
    titles = {"referencia-manzanas": _("Manzanas y áreas de referencia"), "referencia-calles": _("Calles")}
    layer = Layer(key, titles[key])
    found = reference_features(terr, key)
    if not found:
        layer.empty_reason = _("No hay capas de referencia cargadas (observatorio territory reference).")
        return layer
    layer.make_features = lambda: [Feature(g, {"capa": lname, "nombre": name}) for lname, name, g in found]
    layer.note = _("%(n)s elementos de: %(layers)s.") % {
        "n": len(found), "layers": ", ".join(sorted({lname for lname, _n, _g in found}))}
    geoms = [g for _l, _n, g in found]
    if key == "referencia-manzanas":
        xs, ys, _owner = _paths(geoms, rings=True)
        layer.traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", fill="toself", fillcolor="#f1f3f5",
                                 line=dict(color="#d5dbe1", width=0.5), hoverinfo="skip", showlegend=False,
                                 name=layer.title, meta=meta(key)))
        return layer
    xs, ys, owner = _paths(geoms, rings=False)
    names = [found[i][1] for i in range(len(found))]
    layer.traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color="#a3acb9", width=0.8),
                             text=[names[i] if i is not None else None for i in owner], hoverinfo="text",
                             showlegend=False, name=layer.title, meta=meta(key)))
    lx, ly, ln = street_labels(found)
    layer.traces.append(dict(type="scatter", x=lx, y=ly, mode="text", text=ln, hoverinfo="skip",
                             textfont=dict(size=9, color="#52606d", shadow="0 0 2px #fff, 0 0 2px #fff"),
                             showlegend=False, visible=False, name=_("Nombres de calles"),
                             meta=dict(meta(key), zoom_labels=LABEL_WIDTH)))
    return layer


KIND = LayerKind(
    keys=tuple(KEYS),  # blocks first: streets over them
    titles={"referencia-manzanas": gettext_lazy("Manzanas y áreas de referencia"),
            "referencia-calles": gettext_lazy("Calles")},
    build=lambda key, *, terr, **_ignored: reference_layer(terr, key),
    depends_on_events=False,  # the reference layers are part of the territory's key
)
