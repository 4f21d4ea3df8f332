"""The activities layer: what the programmes did, where and when, as points over the map's other layers.

The activities (``programmes.models.Activity``) of one programme (the map's ``programa``: its code; all
programmes when absent) whose dates meet the map's period: an activity from ``date`` to ``end_date`` (or that one
day) is shown when it overlaps [start, end]. An activity with a point is drawn at it; one with only an area at
the area's representative point (``shapely``'s, always inside the area), drawn hollow and said so in its hover
and its feature (``ubicacion`` = «área»); one with neither is counted in the note, not drawn.

Drawn last (over the hot spots, :data:`observatorio.dashboard.layers.KINDS`), so the user sees whether the
activities fall inside them; :mod:`observatorio.programmes.focus` gives the same question as a figure.

Activities are the municipality's own work, not personal data (they carry no person, only how many took part):
every role that sees the map sees them (docs/decisions.md). They are read from the database, not from the
events, so the layer is not kept between requests (``LayerKind.kept`` False): a new activity shows at once.
"""

from __future__ import annotations

from html import escape

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.projection import to_metres
from observatorio.errors import UserError

from ..filters import Filters
from ..numbers import number
from .base import Feature, Layer, LayerKind, Territory, meta

POINT_COLOUR = "#6a3d9a"  # a purple no other layer uses (Gi* is red/blue, places Okabe–Ito)


def programme_named(code: str | None):
    """The programme whose code is ``code`` (None: all programmes); UserError naming the parameter and the fix."""
    if not code:
        return None
    from observatorio.programmes.models import Programme

    found = Programme.objects.filter(code=code).first()
    if found is None:
        raise UserError(_("programa=%(code)s no es el código de ningún programa; elija uno de la lista de "
                          "programas (/programas/) o quite el parámetro para ver todos.") % {"code": code})
    return found


def activity_rows(f: Filters, programme=None) -> list:
    """The activities of ``programme`` (None: all) that overlap the filters' period, oldest first."""
    from django.db.models import Q

    from observatorio.programmes.models import Activity

    rows = Activity.objects.filter(date__lte=f.end).filter(
        Q(end_date__isnull=True, date__gte=f.start) | Q(end_date__gte=f.start))
    if programme is not None:
        rows = rows.filter(programme=programme)
    return list(rows.select_related("programme", "area").order_by("date", "id"))


def activities_layer(terr: Territory, f: Filters, programme_code: str | None = None) -> Layer:
    programme = programme_named(programme_code)
    title = _("Actividades de programas") if programme is None else _("Actividades: %(name)s") % {
        "name": programme.name}
    layer = Layer("actividades", title)
    rows = activity_rows(f, programme)
    shapes = {s.id: s for level in terr.shapes.values() for s in level}
    lon = np.array([r.lon if r.lon is not None and r.lat is not None else np.nan for r in rows], float)
    lat = np.array([r.lat if r.lon is not None and r.lat is not None else np.nan for r in rows], float)
    x, y = np.full(lon.size, np.nan), np.full(lat.size, np.nan)
    has_point = np.isfinite(lon) & np.isfinite(lat)
    if has_point.any():
        x[has_point], y[has_point] = to_metres(lon[has_point], lat[has_point], terr.epsg)[:2]
    at_area = np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        if not has_point[i] and r.area_id in shapes:
            point = shapes[r.area_id].metric.representative_point()
            x[i], y[i], at_area[i] = point.x, point.y, True
    unplaced = int(len(rows) - has_point.sum() - at_area.sum())
    if not rows:
        layer.empty_reason = _("No hay actividades de programas en el período.")
        return layer
    layer.note = _("%(n)s actividades en el período.") % {"n": number(len(rows))}
    if unplaced:
        layer.note += " " + _("%(n)s sin ubicación (ni punto ni área): no se dibujan.") % {"n": number(unplaced)}
    if at_area.any():
        layer.note += " " + _("Las que solo tienen un área se dibujan huecas, en un punto interior del área.")

    def hover(r, by_area: bool) -> str:
        """The hover's lines; the names typed by users escaped (Plotly reads a subset of HTML in hovers)."""
        day = r.date.strftime("%d-%m-%Y") + (f" – {r.end_date:%d-%m-%Y}" if r.end_date else "")
        lines = [f"<b>{escape(r.title)}</b>", day, _("%(n)s participantes") % {"n": number(r.participants)},
                 escape(r.programme.name)]
        if by_area:
            lines.append(_("Ubicada en el área %(area)s (sin punto exacto)") % {"area": escape(r.area.name)})
        return "<br>".join(lines)

    for chosen, by_area, symbol, name in ((has_point, False, "circle", _("Actividades (punto)")),
                                          (at_area, True, "circle-open", _("Actividades (en su área)"))):
        idx = np.flatnonzero(chosen)
        if not idx.size:
            continue
        layer.traces.append(dict(
            type="scatter", x=np.round(x[idx], 1).tolist(), y=np.round(y[idx], 1).tolist(), mode="markers",
            marker=dict(symbol=symbol, size=11, color=POINT_COLOUR, line=dict(color="#ffffff" if not by_area
                                                                             else POINT_COLOUR, width=2)),
            text=[hover(rows[i], by_area) for i in idx], hovertemplate="%{text}<extra></extra>",
            name=name, legendgroup="actividades", showlegend=True, meta=meta(layer.key)))
    placed = np.flatnonzero(has_point | at_area)
    layer._features = [
        Feature(shapely.Point(x[i], y[i]), {
            "actividad_id": rows[i].id, "actividad": rows[i].title, "fecha": rows[i].date.isoformat(),
            "fecha_termino": rows[i].end_date.isoformat() if rows[i].end_date else "",
            "participantes": rows[i].participants,
            "horas": float(rows[i].hours) if rows[i].hours is not None else None,
            "programa": rows[i].programme.code, "programa_nombre": rows[i].programme.name,
            "ubicacion": _("área") if at_area[i] else _("punto"),
            "area": rows[i].area.code if rows[i].area_id else ""})
        for i in placed]
    return layer


KIND = LayerKind(
    keys=("actividades",),
    titles={"actividades": gettext_lazy("Actividades de programas")},
    build=lambda key, *, terr, f, programme=None, **_ignored: activities_layer(terr, f, programme),
    kept=False,  # read from the database on each request (see the module's docstring)
)
