"""Planar coordinates in ground metres.

Distances, grids and bandwidths are in metres, so longitude/latitude are
projected to the UTM zone of the data (UTM 19S, EPSG:32719, for continental
Chile), and so is any CRS whose units are not ground metres where the data
lies (Web Mercator, feet): :func:`planar`. A CRS mismatch is an error, never a
warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

from observatorio.errors import N_, UserError

WGS84 = "EPSG:4326"


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone containing (lon, lat).

    Examples
    --------
    >>> utm_epsg(-70.53, -33.48)  # Peñalolén
    32719
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise UserError(N_("(%(lon)s, %(lat)s) no es una longitud/latitud WGS84; se espera lon en [-180, 180] y lat "
                           "en [-90, 90]"),
                        lon=lon, lat=lat)
    return (32700 if lat < 0 else 32600) + utm_zone(lon)


def utm_zone(lon: float) -> int:
    """UTM zone number (1..60) of a longitude.

    Examples
    --------
    >>> utm_zone(-70.53), utm_zone(-72.0), utm_zone(180.0)
    (19, 19, 1)
    """
    return int((lon + 180.0) // 6.0) % 60 + 1


@lru_cache(maxsize=32)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def to_metres(lon, lat, epsg: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Project WGS84 lon/lat arrays to UTM metres.

    Parameters
    ----------
    lon, lat : array_like
        Coordinates in degrees (EPSG:4326).
    epsg : int, optional
        Target projected CRS; by default the UTM zone of the data's centre.

    Returns
    -------
    x, y : numpy.ndarray
        Easting and northing in metres.
    epsg : int
        The CRS used.

    Examples
    --------
    >>> x, y, epsg = to_metres([-70.53], [-33.48])
    >>> epsg, round(float(x[0])), round(float(y[0]))
    (32719, 357846, 6294451)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.shape != lat.shape:
        raise ValueError(f"lon and lat differ in shape: {lon.shape} != {lat.shape}")
    if epsg is None:
        if lon.size == 0:
            raise UserError(N_("no se puede elegir una zona UTM sin puntos; indique epsg"))
        epsg = utm_epsg(float(np.nanmean(lon)), float(np.nanmean(lat)))
    x, y = _transformer(WGS84, f"EPSG:{epsg}").transform(lon, lat)
    return np.asarray(x), np.asarray(y), epsg


def to_lonlat(x, y, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_metres`."""
    lon, lat = _transformer(f"EPSG:{epsg}", WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


# A CRS whose scale at the data departs from 1 by more than this (along a meridian or a parallel) does not
# measure ground metres: Web Mercator is 1.20 at Santiago, so a "100 m" cell there is 83 m wide.
GROUND_TOLERANCE = 0.01


@dataclass(frozen=True)
class Planar:
    """Coordinates in ground metres and how they were obtained."""

    x: np.ndarray
    y: np.ndarray
    epsg: int
    """The metric CRS the coordinates are in (the one every grid, distance and density uses)."""
    source: str
    """The CRS the coordinates came in, as ``AUTHORITY:CODE`` (or its name when it has no code)."""
    reprojected: bool
    """True when the source CRS was not ground metres and the points were brought into ``epsg``."""
    zones: int = 1
    """UTM zones the points span (after reprojection to UTM): more than one stretches distances at the edges."""
    scale_error: float = 0.0
    """Largest departure of ``epsg``'s scale from 1 at the points' extremes (0.004 = 0.4 %)."""


def crs_name(crs) -> str:
    """``EPSG:32719`` for a CRS with a code, else its name."""
    crs = CRS.from_user_input(crs)
    code = crs.to_authority()
    return f"{code[0]}:{code[1]}" if code else crs.name


def scale_error(crs, lon, lat) -> float:
    """Largest departure from 1 of ``crs``'s scale along meridians and parallels at the given WGS84 points.

    Examples
    --------
    >>> round(scale_error("EPSG:3857", [-70.53], [-33.48]), 3)  # 1 / cos 33.48°
    0.199
    >>> scale_error("EPSG:32719", [-70.53], [-33.48]) < 0.001
    True
    """
    from pyproj import Proj

    factors = Proj(CRS.from_user_input(crs)).get_factors(np.asarray(lon, float), np.asarray(lat, float))
    scales = np.r_[np.ravel(factors.meridional_scale), np.ravel(factors.parallel_scale)]
    return float(np.nanmax(np.abs(scales - 1.0))) if scales.size else 0.0


def _extremes(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners and the centre of the points' bounding box: where a projection's scale is checked."""
    w, e, s, n = np.nanmin(lon), np.nanmax(lon), np.nanmin(lat), np.nanmax(lat)
    return np.array([w, e, w, e, (w + e) / 2]), np.array([s, s, n, n, (s + n) / 2])


def is_ground_metres(crs, lon, lat) -> bool:
    """Whether a CRS measures ground metres where the points are: projected, in metres, scale within 1 %.

    Examples
    --------
    >>> is_ground_metres("EPSG:32719", [-70.53], [-33.48]), is_ground_metres("EPSG:3857", [-70.53], [-33.48])
    (True, False)
    """
    crs = CRS.from_user_input(crs)
    if not crs.is_projected or not crs.axis_info:
        return False
    if any(axis.unit_name not in ("metre", "meter") for axis in crs.axis_info[:2]):
        return False
    return scale_error(crs, *_extremes(np.asarray(lon, float), np.asarray(lat, float))) <= GROUND_TOLERANCE


def planar(x, y, crs=WGS84) -> Planar:
    """Points in ground metres: as they are in a metric CRS true to the ground, else in the data's UTM zone.

    Parameters
    ----------
    x, y : array_like
        Coordinates in ``crs`` (longitude/latitude for a geographic CRS).
    crs : str or pyproj.CRS
        Their CRS. Geographic coordinates, a CRS in feet, and a metric CRS whose
        scale at the data departs from 1 by more than 1 % (Web Mercator,
        EPSG:3857, is 1.20 at Santiago) are reprojected to the UTM zone of the
        data's centre; UTM and the national grids stay as they are.

    Returns
    -------
    Planar

    Examples
    --------
    >>> p = planar([-7851335.0], [-3957186.0], "EPSG:3857")  # Peñalolén in Web Mercator
    >>> p.epsg, p.source, p.reprojected, round(float(p.x[0]))
    (32719, 'EPSG:3857', True, 357845)
    """
    crs = CRS.from_user_input(crs)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    source = crs_name(crs)
    if crs.is_geographic:
        lon, lat = x, y
    else:
        to_wgs84 = _transformer(crs.to_wkt(), WGS84)
        if x.size and crs.to_epsg():
            # The scale is checked at the extent's corners and centre: a kept CRS costs no transformation.
            lon, lat = (np.asarray(v) for v in to_wgs84.transform(*_extremes(x, y)))
            if is_ground_metres(crs, lon, lat):
                return Planar(x, y, int(crs.to_epsg()), source, False)
        lon, lat = (np.asarray(v) for v in to_wgs84.transform(x, y))
    mx, my, epsg = to_metres(lon, lat)
    zones = 1
    error = 0.0
    if lon.size:
        zones = (utm_zone(float(np.nanmax(lon))) - utm_zone(float(np.nanmin(lon)))) % 60 + 1
        error = scale_error(f"EPSG:{epsg}", *_extremes(lon, lat))
    return Planar(mx, my, epsg, source, True, zones, error)
