"""A built layer as files: GeoJSON, GeoPackage and CSV, in WGS84 longitude/latitude.

Each writes the layer's :class:`~.base.Feature` s (built on the first download
for grid layers); the map's endpoint (``mapview.layer_data``) names and serves them.
"""

from __future__ import annotations

import csv
import io

import shapely
import shapely.geometry

from .base import Layer, to_wgs84


def geojson(layer: Layer, epsg: int) -> dict:
    """The layer's features as a GeoJSON FeatureCollection in WGS84 (coordinates to ~1 cm)."""
    features = []
    for feat in layer.features:
        geom = shapely.set_precision(to_wgs84(feat.geometry, epsg), 1e-7)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": feat.properties})
    return {"type": "FeatureCollection", "name": layer.key, "features": features}


def geopackage(layer: Layer, epsg: int) -> bytes:
    """The layer as a GeoPackage (EPSG:4326), written with pyogrio to a temporary file."""
    import os
    import tempfile

    import geopandas as gpd

    rows = [f.properties for f in layer.features]
    geoms = [to_wgs84(f.geometry, epsg) for f in layer.features]
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326") if rows else gpd.GeoDataFrame(
        {"vacio": []}, geometry=[], crs="EPSG:4326")
    fd, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    try:
        os.unlink(path)  # GDAL wants to create the file itself
        frame.to_file(path, driver="GPKG", layer=layer.key.replace("-", "_"), engine="pyogrio")
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)


def csv_text(layer: Layer, epsg: int) -> str:
    """Properties of each feature plus the longitude/latitude of a point inside it, with a BOM so Excel reads
    the accents."""
    buffer = io.StringIO()
    columns: list[str] = []
    for feat in layer.features:
        columns.extend(k for k in feat.properties if k not in columns)
    writer = csv.writer(buffer)
    writer.writerow(columns + ["lon", "lat"])
    for feat in layer.features:
        point = to_wgs84(shapely.point_on_surface(feat.geometry), epsg)
        writer.writerow([feat.properties.get(c, "") for c in columns] + [round(point.x, 6), round(point.y, 6)])
    return "\ufeff" + buffer.getvalue()
