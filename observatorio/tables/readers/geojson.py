"""GeoJSON FeatureCollections of points (places of interest, geocoded events).

Each feature's ``properties`` become columns (in order of first appearance
across features; a feature without a key gets ""), and a Point geometry adds
``lon`` and ``lat`` columns as text (renamed ``lon_2``/``lat_2`` by the usual
duplicate rule if the properties already have them). A feature without
geometry gets empty lon/lat: an event may have only an address. Any other
geometry is an error that names the feature, since a polygon is an area, not
an event. Row numbers are 1-based feature positions.

Coordinates are kept as written; RFC 7946 says WGS84 lon/lat, and an old
``crs`` member (e.g. EPSG:32719 from some GIS exports) is reported in
``RawTable.crs`` so `parsing.parse_coordinates` can be told.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from observatorio.errors import N_, Text

from .base import RawTable, Reader, ReadError, cell_text, file_sha256, finish_table, frame_from_rows

AGAIN = N_("exporte de nuevo la capa como GeoJSON")
WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


class GeoJsonReader(Reader):
    format = "geojson"
    extensions = (".geojson", ".json")

    def _read(self, path: Path, *, sheet: str | None = None, header_row: int | None = None,
              encoding: str | None = None, delimiter: str | None = None) -> RawTable:
        sha256 = file_sha256(path)
        try:
            with path.open("rb") as fh:
                data = json.load(fh)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = (Text(N_(" (línea %(line)s, columna %(column)s)"), line=exc.lineno, column=exc.colno)
                     if isinstance(exc, json.JSONDecodeError) else "")
            raise ReadError(path, Text(N_("no es un JSON válido%(where)s"), where=where),
                            N_("exporte de nuevo la capa como GeoJSON (UTF-8) desde el programa SIG")) from exc
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = {"type": "FeatureCollection", "features": [data]}
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
                or not isinstance(data.get("features"), list):
            raise ReadError(path, N_("este JSON no es una FeatureCollection de GeoJSON"),
                            N_("exporte la capa como GeoJSON, con un elemento por registro"))
        crs = _crs_name(data.get("crs"))

        columns: dict[str, int] = {}
        records: list[tuple[dict, list[str]]] = []
        for number, feature in enumerate(data["features"], start=1):
            label = _label(feature, number)
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise ReadError(path, Text(N_("%(feature)s no es un Feature de GeoJSON"), feature=label), AGAIN)
            properties = feature.get("properties") or {}
            if not isinstance(properties, dict):
                raise ReadError(path, Text(N_("%(feature)s tiene propiedades que no son un objeto"), feature=label),
                                AGAIN)
            for key in properties:
                columns.setdefault(str(key), len(columns))
            records.append((properties, _point(path, feature.get("geometry"), label)))
        keys = list(columns)
        rows = [[_text(props.get(key)) for key in keys] + lonlat for props, lonlat in records]
        header = keys + ["lon", "lat"]
        frame = frame_from_rows(rows, len(header))
        return finish_table(frame, np.arange(1, len(rows) + 1), header, file=path.name, format=self.format,
                            sha256=sha256, header_row=None, crs=crs)


def _label(feature, number: int) -> str:
    ident = feature.get("id") if isinstance(feature, dict) else None
    if ident is None:
        return Text(N_("el elemento %(n)s"), n=number)
    return Text(N_("el elemento %(n)s (id %(id)s)"), n=number, id=repr(ident))


def _text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


def _point(path: Path, geometry, label: str) -> list[str]:
    if geometry is None:
        return ["", ""]
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        raise ReadError(path, Text(N_("%(feature)s tiene una geometría %(kind)s; como registros solo se importan "
                                     "puntos"), feature=label, kind=kind or Text(N_("mal formada"))),
                        N_("convierta la capa en puntos (centroides) en el programa SIG, o suba las áreas como "
                           "territorio"))
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2 or not all(isinstance(c, int | float) for c in coords[:2]):
        raise ReadError(path, Text(N_("%(feature)s tiene un punto sin dos coordenadas numéricas"), feature=label),
                        N_("corrija o quite ese elemento"))
    return [cell_text(float(coords[0])), cell_text(float(coords[1]))]


def _crs_name(crs) -> str | None:
    if not isinstance(crs, dict):
        return None
    name = (crs.get("properties") or {}).get("name")
    if not isinstance(name, str) or name in WGS84_NAMES:
        return None
    if name.startswith("urn:ogc:def:crs:EPSG::"):
        return "EPSG:" + name.rsplit(":", 1)[1]
    return name
