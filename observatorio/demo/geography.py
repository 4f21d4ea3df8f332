"""Real geography for the demo, read from a folder (``observatorio demo --geography DIR``); no Django.

The folder holds what ``../shared/data/penalolen/`` holds: the unidades vecinales, the INE city blocks, the
INE address gazetteer, the places of interest (schools, health centres, bus stops) and the Carabineros units.
The files are read, never copied: the demo's database keeps what it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from observatorio.errors import N_, UserError

UVS = "unidades_vecinales.geojson"
BLOCKS = "manzanas_ine.geojson"
ADDRESSES = "direcciones_ine_parcial.geojson"
POLICE = "cuarteles_carabineros.geojson"
SCHOOLS = "lugares/establecimientos_educacionales.csv"
HEALTH = "lugares/establecimientos_salud.csv"
STOPS = "lugares/paraderos_dtpm_2020.csv"
FILES = (UVS, BLOCKS, ADDRESSES, POLICE, SCHOOLS, HEALTH, STOPS)
# The place kinds the folder gives; the demo draws the other kinds (sports, green, commercial, alcohol).
REAL_KINDS = ("school", "health", "transport", "police")


@dataclass(frozen=True)
class Geography:
    """What the folder holds, in WGS84: UVs (code order), blocks, places and the address gazetteer."""

    folder: Path
    uv_numbers: tuple[int, ...]
    uv_names: tuple[str, ...]
    uv_geometries: tuple = field(repr=False)
    blocks: np.ndarray = field(repr=False)  # shapely polygons
    places: pd.DataFrame = field(repr=False)  # kind, name, lon, lat, attributes
    addresses: pd.DataFrame = field(repr=False)  # street, number, lon, lat


def _features(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(N_("%(file)s: no es un FeatureCollection GeoJSON legible (%(error)s); indique en --geography "
                           "una carpeta ordenada como ../shared/data/penalolen"), file=path, error=exc) from None


def _csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(N_("%(file)s: no hay una columna «%(column)s»; las columnas son: %(columns)s"), file=path,
                        column=missing[0], columns=", ".join(frame.columns))
    return frame


def _located(frame: pd.DataFrame, lon: str, lat: str, path: Path) -> pd.DataFrame:
    """The rows with coordinates, as ``lon``/``lat`` floats; a row without them is left out (not on the map)."""
    blank = (frame[lon].str.strip() == "") | (frame[lat].str.strip() == "")
    frame = frame[~blank].reset_index(drop=True)
    x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(float)
    y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))
    if bad.size:
        raise UserError(N_("%(file)s, fila %(row)s, columnas %(lon)s/%(lat)s: no es una coordenada; corrija o quite "
                           "la fila"), file=path, row=bad[0] + 2, lon=lon, lat=lat)
    return frame.assign(_lon=x, _lat=y)


def _places(folder: Path, cut: str) -> pd.DataFrame:
    frames = []
    schools = _located(_csv(folder / SCHOOLS, ("rbd", "nombre_establecimiento", "latitud", "longitud")),
                       "longitud", "latitud", folder / SCHOOLS)
    frames.append(pd.DataFrame({"kind": "school", "name": schools["nombre_establecimiento"].str.title(),
                                "lon": schools["_lon"], "lat": schools["_lat"], "attributes": [
                                    {"rbd": r, "dependencia": d, "fuente": "MINEDUC"} for r, d in
                                    zip(schools["rbd"], schools.get("dependencia_administrativa", ""))]}))
    health = _located(_csv(folder / HEALTH, ("nombre_establecimiento", "tipo_establecimiento", "latitud", "longitud")),
                      "longitud", "latitud", folder / HEALTH)
    frames.append(pd.DataFrame({"kind": "health", "name": health["nombre_establecimiento"], "lon": health["_lon"],
                                "lat": health["_lat"],
                                "attributes": [{"tipo": t, "fuente": "MINSAL/DEIS"}
                                               for t in health["tipo_establecimiento"]]}))
    stops = _located(_csv(folder / STOPS, ("stop_id", "stop_name", "stop_lat", "stop_lon")),
                     "stop_lon", "stop_lat", folder / STOPS)
    frames.append(pd.DataFrame({"kind": "transport", "name": stops["stop_name"], "lon": stops["_lon"],
                                "lat": stops["_lat"],
                                "attributes": [{"paradero": s, "fuente": "DTPM GTFS 2020"} for s in stops["stop_id"]]}))
    police = [f["properties"] for f in _features(folder / POLICE)
              if str(f["properties"].get("cut_com")) == str(cut)]
    frames.append(pd.DataFrame({"kind": "police", "name": [f"{p['tipo'].title()} {p['nombre'].title()}" for p in police],
                                "lon": [float(p["lon"]) for p in police], "lat": [float(p["lat"]) for p in police],
                                "attributes": [{"tipo": p["tipo"], "fuente": "Carabineros de Chile"} for p in police]}))
    return pd.concat(frames, ignore_index=True)


def _addresses(folder: Path) -> pd.DataFrame:
    rows = []
    for f in _features(folder / ADDRESSES):
        p, g = f["properties"], f.get("geometry") or {}
        number = str(p.get("numero") or "").strip()
        if g.get("type") == "Point" and p.get("calle") and number.isdigit():
            rows.append((str(p["calle"]).strip(), int(number), *g["coordinates"][:2]))
    return pd.DataFrame(rows, columns=["street", "number", "lon", "lat"])


def read_geography(folder, cut: str) -> Geography:
    """Read the folder; a missing file or column is a UserError naming it."""
    folder = Path(folder)
    for name in FILES:
        if not (folder / name).is_file():
            raise UserError(N_("--geography %(folder)s: falta %(name)s; la carpeta debe contener %(files)s (como "
                               "../shared/data/penalolen)"), folder=folder, name=name, files=", ".join(FILES))
    uvs = [f for f in _features(folder / UVS) if str(f["properties"].get("cut_comuna", cut)) == str(cut)]
    if not uvs:
        raise UserError(N_("%(file)s: ninguna unidad vecinal tiene cut_comuna %(cut)s; indique la carpeta de la "
                           "comuna %(cut)s"), file=folder / UVS, cut=cut)
    uvs.sort(key=lambda f: int(f["properties"]["uv_num"]))
    numbers = tuple(int(f["properties"]["uv_num"]) for f in uvs)
    names = tuple(str(f["properties"].get("nombre_uv") or f["properties"]["uv_num"]) for f in uvs)
    geoms = tuple(shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in uvs)
    blocks = np.array([shapely.make_valid(shapely.geometry.shape(f["geometry"]))
                       for f in _features(folder / BLOCKS) if f.get("geometry")], dtype=object)
    return Geography(folder, numbers, names, geoms, blocks, _places(folder, cut), _addresses(folder))
