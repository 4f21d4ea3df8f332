"""Geometry helpers for areas: validation, reprojection and area in km²."""

from __future__ import annotations

import shapely
from pyproj import Geod

from observatorio.errors import N_, UserError

_GEOD = Geod(ellps="WGS84")


def geodesic_km2(geom) -> float:
    """Area on the WGS84 ellipsoid, in km², of a lon/lat (multi)polygon."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def clean_polygon(geom, where: str):
    """A valid polygonal geometry, or a UserError saying what is wrong with it and where."""
    if geom is None or geom.is_empty:
        raise UserError(N_("%(where)s: la geometría está vacía; cada área necesita un límite"), where=where)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise UserError(N_("%(where)s: la geometría es un %(type)s; las áreas deben ser Polygon o MultiPolygon"),
                        where=where, type=geom.geom_type)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise UserError(N_("%(where)s: la geometría no es válida (%(reason)s); repárela (p. ej. con «Corregir "
                           "geometrías» de QGIS) y vuelva a intentarlo"), where=where, reason=reason)
    return geom
