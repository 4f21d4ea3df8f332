"""A built layer as files: GeoJSON, GeoPackage, and a table (CSV, XLSX), in WGS84 longitude/latitude.

Each writes the layer's :class:`~.base.Feature` s (built on the first download
for grid layers); the map's endpoint (``mapview.layer_data``) names and serves them.

A layer read from events names its measure in every row (``medida``,
``unidad``) with the events it rests on (``eventos_capa``) and its caution
(``aviso``); when it has no feature (too few events, nothing significant) the
file holds one row, the study area, saying why, so no download is silent.
"""

from __future__ import annotations

import shapely
import shapely.geometry

from .base import Feature, Layer, to_wgs84


def rows(layer: Layer) -> list[Feature]:
    """The features as written: with the measure, the events and the caution of a layer read from events."""
    if layer.measure is None:
        return layer.features
    said = {"medida": layer.measure["name"], "unidad": layer.measure["unit"], "eventos_capa": layer.events,
            "aviso": layer.caution}
    if layer.disclosure:  # an aggregate-only reader's download says what was withheld, naming k
        said["control_divulgacion"] = layer.disclosure
    if not layer.features:
        return [Feature(layer.area, {**said, "aviso": layer.caption})] if layer.area is not None else []
    return [Feature(feat.geometry, {**feat.properties, **said}) for feat in layer.features]


def about(layer: Layer) -> dict:
    """What the layer counts, as members of the GeoJSON and metadata of the GeoPackage."""
    if layer.measure is None:
        return {"title": layer.title}
    found = {"title": layer.title, "measure": layer.measure, "events": layer.events, "caution": layer.caution}
    if layer.disclosure:
        found["disclosure"] = {"applied": True, "note": layer.disclosure}
    return found


def geojson(layer: Layer, epsg: int) -> dict:
    """The layer's features as a GeoJSON FeatureCollection in WGS84 (coordinates to ~1 cm)."""
    features = []
    for feat in rows(layer):
        geom = shapely.set_precision(to_wgs84(feat.geometry, epsg), 1e-7)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": feat.properties})
    return {"type": "FeatureCollection", "name": layer.key, **about(layer), "features": features}


def geopackage(layer: Layer, epsg: int) -> bytes:
    """The layer as a GeoPackage (EPSG:4326), written with pyogrio to a temporary file."""
    import os
    import tempfile

    import geopandas as gpd

    written = rows(layer)
    properties = [f.properties for f in written]
    geoms = [to_wgs84(f.geometry, epsg) for f in written]
    frame = gpd.GeoDataFrame(properties, geometry=geoms, crs="EPSG:4326") if properties else gpd.GeoDataFrame(
        {"vacio": []}, geometry=[], crs="EPSG:4326")
    said = about(layer)
    metadata = {"titulo": said["title"]}
    if "measure" in said:
        metadata.update(medida=said["measure"]["name"], unidad=said["measure"]["unit"],
                        eventos_capa=str(said["events"]), aviso=said["caution"])
    fd, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    try:
        os.unlink(path)  # GDAL wants to create the file itself
        frame.to_file(path, driver="GPKG", layer=layer.key.replace("-", "_"), engine="pyogrio",
                      layer_metadata=metadata)
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)


def table(layer: Layer, epsg: int) -> tuple[list[str], list[list]]:
    """Properties of each feature plus the longitude/latitude of a point inside it: the layer as a table, for
    the CSV and XLSX downloads (:mod:`observatorio.dashboard.downloads`)."""
    written = rows(layer)
    columns: list[str] = []
    for feat in written:
        columns.extend(k for k in feat.properties if k not in columns)
    out = []
    for feat in written:
        point = to_wgs84(shapely.point_on_surface(feat.geometry), epsg)
        out.append([feat.properties.get(c, "") for c in columns] + [round(point.x, 6), round(point.y, 6)])
    return columns + ["lon", "lat"], out
