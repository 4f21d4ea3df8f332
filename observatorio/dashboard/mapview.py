"""The map page (/mapa/) and its layer endpoints (JSON traces, GeoJSON, GeoPackage, CSV).

The page embeds the layers switched on in its URL; the others are fetched
from ``/mapa/capa/<key>.json`` the first time their checkbox is ticked, so a
visit pays only for what it shows. Event points exist only for the roles that
may see single events (``accounts.roles.event_scope``); for everyone else the
points endpoint answers 403 and the page never offers them.

The page takes the dashboard's filters (:mod:`.filters`: measure, period, family
and category, area, hours, weekdays): every layer read from events counts the
chosen measure, names it with its unit, and says how many events it rests on.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from observatorio.accounts.roles import ALL_ROLES, allow, event_scope
from observatorio.analysis.projection import to_metres
from observatorio.disclosure import policy
from observatorio.errors import UserError
from observatorio.state import current

from . import downloads as table_downloads
from . import layers
from .board import error_body
from .filter_form import empty_reason, form_fields
from .filters import error_sentences, parse_filters
from .layers import base, downloads
from .layers.activities import programme_named
from .layers.choropleth import shown_figures
from .numbers import separators

DEFAULT_LAYERS = ("referencia-manzanas", "referencia-calles", "limites-comuna", "limites-macrosector",
                  "coropletico-count")
FORMATS = ("json", "geojson", "gpkg", "csv")
MAX_TILES = 64
LEGEND_ROOM = 240  # pixels below the map for the colour bars and, under them, the legend
BAR_ROOM = 120  # pixels of it the colour bars take (a title of three lines, the bar, its ticks)


def _context(request):
    """Data state, filters (or errors), territory and disclosure guard shared by the page and the endpoints.

    For an aggregate-only reader (observatorio.disclosure) a sensitive view finer than allowed is refused
    (an error of the filters) and a UV level coarsened to macrosectors.
    """
    state = current()
    f, errors = parse_filters(request.GET, state)
    guard = None
    if f is not None:
        guard = policy.guard_of_request(request, state.catalog.measure(f.measure), state.catalog, f.categories)
        refused = policy.coarse_refusal(guard, f, state.index)
        if refused:
            f, errors = None, {"disclosure": [refused]}
        else:
            f = replace(f, level=policy.coarse_level(guard, f.level))
    terr = base.territory(state, f.end if f else state.as_of)
    return state, f, errors, terr, guard


def _layer_menu(scope) -> list[dict]:
    menu = [
        {"key": "limites-comuna", "label": _("Límite comunal"), "group": "limites"},
        {"key": "limites-macrosector", "label": _("Macrosectores"), "group": "limites"},
        {"key": "limites-uv", "label": _("Unidades vecinales"), "group": "limites"},
        {"key": "coropletico", "label": _("Coroplético por área"), "group": "analisis"},
        {"key": "densidad", "label": _("Densidad de eventos (kernel)"), "group": "analisis"},
        {"key": "gi", "label": _("Puntos calientes y fríos (Gi*)"), "group": "analisis"},
        {"key": "emergentes", "label": _("Puntos calientes emergentes"), "group": "analisis"},
        {"key": "lugares", "label": _("Lugares de interés"), "group": "contexto"},
        {"key": "grupos", "label": _("Grupos de eventos con conteo"), "group": "contexto"},
        {"key": "referencia-calles", "label": _("Calles"), "group": "referencia"},
        {"key": "referencia-manzanas", "label": _("Manzanas"), "group": "referencia"},
        {"key": "actividades", "label": _("Actividades de programas"), "group": "contexto"},
    ]
    if scope is not None:
        menu.append({"key": "eventos", "label": _("Eventos (puntos o grupos)"), "group": "contexto"})
    return menu


def _layout(terr, images: list) -> dict:
    minx, miny, maxx, maxy = terr.outline.bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    # Height follows the territory's shape (about 760 px of plot width) plus the room below it, where the
    # colour bars and the legend go (layers.base.BAR_BELOW): nothing is drawn over the map, on a phone too.
    height = int(min(900, max(600, 760 * (maxy - miny) / max(maxx - minx, 1.0) + LEGEND_ROOM)))
    return dict(
        separators=separators(), margin=dict(l=0, r=0, t=0, b=LEGEND_ROOM), height=height,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", dragmode="pan",
        hoverlabel=dict(bgcolor="white", font=dict(color="#1f2933")),
        xaxis=dict(visible=False, range=[minx - pad, maxx + pad]),
        yaxis=dict(visible=False, scaleanchor="x", scaleratio=1, range=[miny - pad, maxy + pad]),
        legend=dict(orientation="h", yanchor="top", y=-BAR_ROOM / max(height - LEGEND_ROOM, 1), x=0,
                    bgcolor="rgba(255,255,255,0.8)", font=dict(size=11)),
        images=images, uirevision="mapa",
    )


def tile_images(terr, url: str) -> list[dict]:
    """Base-map tiles (``{z}/{x}/{y}`` URL template) placed in UTM metres as layout images.

    Web-Mercator tiles are drawn as rectangles between their projected corners:
    over a commune the skew between the two projections is a few metres.
    """
    from observatorio.analysis.projection import to_lonlat

    minx, miny, maxx, maxy = terr.outline.bounds
    lon, lat = to_lonlat([minx, maxx], [miny, maxy], terr.epsg)
    west, east, south, north = float(lon[0]), float(lon[1]), float(lat[0]), float(lat[1])

    def tile_xy(lon_, lat_, z):
        n = 2 ** z
        x = int((lon_ + 180.0) / 360.0 * n)
        y = int((1.0 - math.asinh(math.tan(math.radians(lat_))) / math.pi) / 2.0 * n)
        return x, y

    def tile_corner(x, y, z):
        n = 2 ** z
        return x / n * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

    for z in range(16, 8, -1):
        x0, y0 = tile_xy(west, north, z)
        x1, y1 = tile_xy(east, south, z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES:
            break
    images = []
    for tx in range(x0, x1 + 1):
        for ty in range(y0, y1 + 1):
            (w, n_), (e, s) = tile_corner(tx, ty, z), tile_corner(tx + 1, ty + 1, z)
            xs, ys, _epsg = to_metres([w, e], [n_, s], terr.epsg)
            images.append(dict(source=url.replace("{z}", str(z)).replace("{x}", str(tx)).replace("{y}", str(ty)),
                               xref="x", yref="y", x=float(xs[0]), y=float(ys[0]), sizex=float(xs[1] - xs[0]),
                               sizey=float(ys[0] - ys[1]), sizing="stretch", layer="below", opacity=0.9,
                               xanchor="left", yanchor="top"))
    return images


def search_entries(state, terr) -> list[dict]:
    """What the map's search box finds: every area drawn (by name and code) and every named street of the
    reference layers, each with its extent in metres (static/obs/mapview.js zooms to it). Kept per state."""
    from observatorio.territory.models import Level

    from .layers.references import street_extents

    def build() -> list[dict]:
        levels = dict(Level.choices)
        entries = [{"label": f"{s.name} · {s.code} ({_(levels.get(level, level))})",
                    "bounds": [round(v) for v in s.metric.bounds]}
                   for level in base.BOUNDARY_LEVELS for s in terr.shapes.get(level, [])]
        entries += [{"label": f"{name} ({_('calle')})", "bounds": [round(v) for v in extent]}
                    for name, extent in sorted(street_extents(terr).items())]
        return entries

    return base.cached(state, ("search", terr.boundaries, terr.epsg, get_language()), build)


def _wanted_layers(request, scope) -> list[str]:
    asked = request.GET.getlist("capa")
    if not asked:
        return list(DEFAULT_LAYERS)
    allowed = set(layers.LAYER_KEYS) - (set(layers.EVENT_LAYER_KEYS) if scope is None else set())
    return [k for k in asked if k in allowed]


def _programme_of(request) -> tuple[str | None, str]:
    """The programme whose activities the map shows (``programa``, its code; None: all): (code, "") or
    (None, why it is refused)."""
    code = request.GET.get("programa") or None
    try:
        programme_named(code)
    except UserError as exc:
        return None, str(exc)
    return code, ""


def programme_choices() -> list[tuple[str, str]]:
    """(code, name) of every programme, for the map's choice of whose activities it shows."""
    from observatorio.programmes.models import Programme

    return list(Programme.objects.order_by("name").values_list("code", "name"))


@allow(*ALL_ROLES)
def map_page(request):
    state, f, errors, terr, guard = _context(request)
    index = state.index
    scope = event_scope(request.user)
    programme, refused = _programme_of(request)
    if refused:
        f, errors = None, {**(errors or {}), "programa": [refused]}
    context = {"as_of": state.as_of, "filters": f, "errors": errors, "terr": terr, "event_level": scope is not None,
               # The one filter form of the dashboard and the map (filter_form.py, dashboard/_filters.html).
               "fields": form_fields(state, request.GET, f), "error_lines": error_sentences(errors),
               "programme": programme or "", "programmes": programme_choices()}
    if f is None or terr is None:
        return render(request, "dashboard/map.html", context, status=400 if errors else 200)
    measure = base.measure_of(state, f)
    wanted = _wanted_layers(request, scope)
    traces, built = [], {}
    order = {k: i for i, k in enumerate(layers.LAYER_KEYS)}
    for key in sorted(wanted, key=order.get):
        layer = layers.build_layer(key, state=state, terr=terr, f=f, scope=scope, guard=guard, programme=programme)
        traces.extend(layer.traces)
        built[key.split("-")[0] if key.startswith("coropletico-") else key] = layer
    menu = _layer_menu(scope)
    for item in menu:  # each checkbox says what its layer (when drawn) rests on, and its caution
        layer = built.get(item["key"])
        item["note"] = (layer.empty_reason or layer.note) if layer else ""
        item["caution"] = layer.caution if layer else ""
    tile_url = getattr(settings, "OBS_TILE_URL", "")
    figure = {"data": traces, "layout": _layout(terr, tile_images(terr, tile_url) if tile_url else [])}
    metric = next((k.removeprefix("coropletico-") for k in wanted if k.startswith("coropletico-")), "count")
    seen = shown_figures(state, f, f.level if f.level in terr.shapes else next(iter(terr.shapes)), guard)
    figs = seen.figures
    names = {a: index.areas[a].name for a in figs.ids}
    context.update({
        "figure": figure, "wanted": wanted, "measure": measure,
        "measure_label": base.measure_label(measure),
        "chosen": {"family": set(f.query.get("family") or ()), "category": set(f.query.get("category") or ()),
                   "area": {int(a) for a in f.query.get("area") or ()},
                   "weekday": set(f.query.get("weekday") or ())},
        "metric": metric, "menu": menu, "base_map": bool(tile_url),
        # The programme travels with the filters: the layers fetched later and the downloads show its activities.
        "query": f.to_query() + (f"&{urlencode({'programa': programme})}" if programme else ""), "order": list(layers.LAYER_KEYS),
        "cluster_cells": " ".join(str(int(size)) for size in base.CLUSTER_CELLS),
        "cluster_cell": int(base.CLUSTER_CELL),
        # Suppressed areas (None) last, as on the dashboard: their place would bound them.
        "area_rows": sorted(((names[a], a, None if h else int(c), None if h else r, None if h else e)
                             for a, c, r, e, h in zip(figs.ids, figs.counts, figs.rate, figs.eb, seen.hidden)),
                            key=lambda row: (row[2] is None, -(row[2] or 0), row[0])),
        "disclosure": guard.note() if guard is not None else "",
        "empty_reason": empty_reason(state, f) if seen.events == 0 else "",  # none counted: say why
        "downloads": [k for k in layers.LAYER_KEYS if k not in layers.EVENT_LAYER_KEYS or scope is not None],
        "layer_titles": layers.titles(),
        "search": search_entries(state, terr),
    })
    return render(request, "dashboard/map.html", context)


def _cell_of(request, key: str) -> tuple[float | None, str]:
    """The cell asked for (``celda``, metres; only for ``layers.CELL_LAYER_KEYS``, one of ``CLUSTER_CELLS``):
    (cell or None, "") or (None, why it is refused)."""
    asked = request.GET.get("celda")
    if asked is None:
        return None, ""
    sizes = ", ".join(str(int(size)) for size in base.CLUSTER_CELLS)
    if key not in layers.CELL_LAYER_KEYS:
        return None, _("Esta capa no admite el parámetro celda.")
    try:
        cell = float(asked)
    except ValueError:
        cell = math.nan
    if cell not in base.CLUSTER_CELLS:
        return None, _("celda=%(asked)s no es un tamaño de celda admitido; use uno de: %(sizes)s (metros).") % {
            "asked": asked, "sizes": sizes}
    return cell, ""


@allow(*ALL_ROLES)
def layer_data(request, key: str, fmt: str):
    if key not in layers.LAYER_KEYS or fmt not in FORMATS:
        raise Http404
    table_format = table_downloads.format_of(request) if fmt == "csv" else None
    if fmt == "csv" and table_format is None:
        return table_downloads.unknown_format(request)
    scope = event_scope(request.user)
    if key in layers.EVENT_LAYER_KEYS and scope is None:
        raise PermissionDenied
    cell, refused = _cell_of(request, key)
    programme, wrong = _programme_of(request)
    if wrong:
        body = error_body(400, wrong, {"programa": [wrong]})
        body["error"]["code"] = "invalid_programme"
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    if refused:
        body = error_body(400, refused, {"celda": [refused]})
        body["error"]["code"] = "invalid_cell"
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    state, f, errors, terr, guard = _context(request)
    if f is None:
        body = error_body(400, "filtros no válidos", errors)  # the dashboard's one error shape, and its code
        body["error"]["code"] = "invalid_filters"
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    if terr is None:
        return JsonResponse({"error": {"code": "no_territory", "message": _("No hay límites cargados.")}},
                            status=404)
    layer = layers.build_layer(key, state=state, terr=terr, f=f, scope=scope, guard=guard, cell=cell,
                               programme=programme)
    if fmt == "json":
        payload = {"key": layer.key, "title": layer.title, "note": layer.note, "empty_reason": layer.empty_reason,
                   "caption": layer.caption, "cell": layer.cell,
                   "disclosure": guard.as_json() if guard is not None else {"applied": False}}
        if layer.measure is not None:
            payload.update(measure=layer.measure, events=layer.events, caution=layer.caution)
        payload["traces"] = layer.traces
        return HttpResponse(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=float), content_type="application/json")
    named = f"_{layer.measure['code']}" if layer.measure is not None else ""
    stem = f"{layer.key}{named}_{f.start.isoformat()}_{f.end.isoformat()}" + (f"_{layer.cell}m" if cell else "")
    if fmt == "geojson":
        response = HttpResponse(json.dumps(downloads.geojson(layer, terr.epsg), ensure_ascii=False),
                                content_type="application/geo+json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.geojson"'
        return response
    if fmt == "gpkg":
        response = HttpResponse(downloads.geopackage(layer, terr.epsg), content_type="application/geopackage+sqlite3")
        response["Content-Disposition"] = f'attachment; filename="{stem}.gpkg"'
        return response
    headers, rows = downloads.table(layer, terr.epsg)
    said = downloads.about(layer)
    notes = [said["caution"]] if said.get("caution") else []
    if layer.disclosure:
        notes.append(layer.disclosure)
    about = [(_("Capa"), layer.title), *table_downloads.about(state, measure=state.catalog.measure(f.measure)
                                                              if layer.measure is not None else None,
                                                              filters=f, notes=notes)]
    if layer.measure is not None:
        about.insert(1, (_("Eventos de la capa"), layer.events))
    return table_downloads.respond(table_downloads.Download(layer.key, stem, headers, rows, about), table_format)
