"""Planar coordinates in metres for WGS84 points.

Distances, grids and bandwidths are in metres, so longitude/latitude are
projected to the UTM zone of the data (UTM 19S, EPSG:32719, for continental
Chile). A CRS mismatch is an error, never a warning.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

from observatorio.errors import UserError

WGS84 = "EPSG:4326"


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone containing (lon, lat).

    Examples
    --------
    >>> utm_epsg(-70.53, -33.48)  # Peñalolén
    32719
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise UserError(f"({lon}, {lat}) is not a WGS84 longitude/latitude; expected lon in [-180, 180], lat in [-90, 90]")
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return (32700 if lat < 0 else 32600) + zone


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
            raise UserError("cannot choose a UTM zone for no points; pass epsg")
        epsg = utm_epsg(float(np.nanmean(lon)), float(np.nanmean(lat)))
    x, y = _transformer(WGS84, f"EPSG:{epsg}").transform(lon, lat)
    return np.asarray(x), np.asarray(y), epsg


def to_lonlat(x, y, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_metres`."""
    lon, lat = _transformer(f"EPSG:{epsg}", WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)
