"""Geometry helpers for areas: validation, reprojection and area in km²."""

from __future__ import annotations

import shapely
from pyproj import Geod

from observatorio.errors import UserError

_GEOD = Geod(ellps="WGS84")


def geodesic_km2(geom) -> float:
    """Area on the WGS84 ellipsoid, in km², of a lon/lat (multi)polygon."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def clean_polygon(geom, where: str):
    """A valid polygonal geometry, or ValueError saying what is wrong with it and where."""
    if geom is None or geom.is_empty:
        raise UserError(f"{where}: empty geometry; every area needs a boundary")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise UserError(f"{where}: geometry is a {geom.geom_type}; areas must be Polygon or MultiPolygon")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise UserError(f"{where}: invalid geometry ({reason}); repair it (e.g. QGIS 'Fix geometries') and retry")
    return geom
