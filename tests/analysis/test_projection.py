"""Coordinates in ground metres: a CRS that is not (Web Mercator, feet) goes to UTM, and every output names the CRS."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

gpd = pytest.importorskip("geopandas")

from observatorio import cli  # noqa: E402
from observatorio.analysis import inputs, projection  # noqa: E402
from observatorio.analysis.projection import is_ground_metres, planar, scale_error  # noqa: E402

SANTIAGO = (-70.53, -33.48)


@pytest.fixture(scope="module")
def lonlat():
    rng = np.random.default_rng(3)
    lon = np.r_[rng.uniform(-70.56, -70.50, 300), SANTIAGO[0] + rng.normal(0, 0.001, 80)]
    lat = np.r_[rng.uniform(-33.50, -33.46, 300), SANTIAGO[1] + rng.normal(0, 0.001, 80)]
    return lon, lat


def _layer(lon, lat, crs):
    return gpd.GeoDataFrame({"n": np.arange(lon.size)}, geometry=gpd.points_from_xy(lon, lat),
                            crs="EPSG:4326").to_crs(crs)


def run(capsys, *argv):
    assert cli.main(["analyze", *argv]) == 0, capsys.readouterr().err
    return capsys.readouterr()


def test_web_mercator_is_not_ground_metres_at_santiago():
    # Web Mercator's scale is 1 / cos(latitude): a "100 m" cell at Santiago is 83 m on the ground.
    assert scale_error("EPSG:3857", [SANTIAGO[0]], [SANTIAGO[1]]) == pytest.approx(
        1 / math.cos(math.radians(33.48)) - 1, rel=1e-3)
    assert not is_ground_metres("EPSG:3857", [SANTIAGO[0]], [SANTIAGO[1]])
    assert is_ground_metres("EPSG:32719", [SANTIAGO[0]], [SANTIAGO[1]])
    assert is_ground_metres("EPSG:5361", [SANTIAGO[0]], [SANTIAGO[1]])  # SIRGAS-Chile / UTM 19S
    assert not is_ground_metres("EPSG:4326", [SANTIAGO[0]], [SANTIAGO[1]])
    assert not is_ground_metres("EPSG:2263", [-74.0], [40.7])  # New York Long Island, in US feet


def test_web_mercator_points_land_where_the_utm_ones_are(lonlat):
    lon, lat = lonlat
    merc = _layer(lon, lat, "EPSG:3857")
    p = planar(merc.geometry.x.to_numpy(), merc.geometry.y.to_numpy(), "EPSG:3857")
    x, y, epsg = projection.to_metres(lon, lat)
    assert (p.epsg, p.source, p.reprojected, p.zones) == (epsg, "EPSG:3857", True, 1) == (32719, "EPSG:3857", True, 1)
    np.testing.assert_allclose(p.x, x, atol=1e-6)
    np.testing.assert_allclose(p.y, y, atol=1e-6)
    # Along Santiago's parallel a ground kilometre is 1.2 km of Web Mercator's "metres" (UTM's scale there: 0.99985).
    pair = _layer(np.array([-70.53, -70.52]), np.array([-33.48, -33.48]), "EPSG:3857").geometry.x.to_numpy()
    ux, _uy, _epsg = projection.to_metres([-70.53, -70.52], [-33.48, -33.48])
    phi, e2 = math.radians(33.48), 0.00669438  # WGS84's first eccentricity squared
    mercator = math.sqrt(1 - e2 * math.sin(phi) ** 2) / math.cos(phi)  # x = a·λ over the parallel's N·cos φ·λ
    assert (pair[1] - pair[0]) / (ux[1] - ux[0]) == pytest.approx(mercator / 0.99985, rel=2e-4)


def test_a_metric_crs_true_to_the_ground_is_kept(lonlat):
    lon, lat = lonlat
    utm = _layer(lon, lat, "EPSG:5361")
    p = planar(utm.geometry.x.to_numpy(), utm.geometry.y.to_numpy(), "EPSG:5361")
    assert (p.epsg, p.reprojected) == (5361, False)
    np.testing.assert_array_equal(p.x, utm.geometry.x.to_numpy())


def test_feet_are_reprojected():
    feet = _layer(np.array([-74.0, -73.99]), np.array([40.70, 40.71]), "EPSG:2263")
    p = planar(feet.geometry.x.to_numpy(), feet.geometry.y.to_numpy(), "EPSG:2263")
    assert (p.epsg, p.source, p.reprojected) == (32618, "EPSG:2263", True)
    # In metres on the ground now (as feet the distance would be 3.28 times longer).
    _az, _back, ground = Geod(ellps="WGS84").inv(-74.0, 40.70, -73.99, 40.71)
    assert math.dist((p.x[0], p.y[0]), (p.x[1], p.y[1])) == pytest.approx(ground, rel=0.001)


def test_kde_of_a_web_mercator_file_is_the_kde_of_the_same_points_in_utm(capsys, tmp_path, lonlat):
    lon, lat = lonlat
    merc, utm = tmp_path / "merc.gpkg", tmp_path / "utm.gpkg"
    _layer(lon, lat, "EPSG:3857").to_file(merc, driver="GPKG")
    _layer(lon, lat, "EPSG:32719").to_file(utm, driver="GPKG")
    docs, tables = [], []
    for path in (merc, utm):
        out = tmp_path / f"{path.stem}.csv"
        docs.append(json.loads(run(capsys, "kde", str(path), "--bandwidth", "150", "--json", "-o", str(out)).out))
        tables.append(pd.read_csv(out))
    m, u = docs
    assert m["results"]["grid"] == u["results"]["grid"]  # the same cells
    assert m["results"]["grid"]["crs"] == "EPSG:32719"
    np.testing.assert_allclose(tables[0]["density"], tables[1]["density"], rtol=1e-9, atol=1e-9)
    assert m["results"]["crs"] == {"used": "EPSG:32719", "source": "EPSG:3857", "reprojected": True,
                                   "utm_zones": 1, "scale_error": pytest.approx(m["results"]["crs"]["scale_error"])}
    assert m["results"]["crs"]["scale_error"] < 0.001
    assert u["results"]["crs"]["source"] == "EPSG:32719" and not u["results"]["crs"]["reprojected"]
    # Read as if Web Mercator's units were metres, the cell would be 100 · cos 33.48° = 83 m on the ground and
    # the densities (per km²) 1/cos² = 1.44 times too low; reprojected, the peak is the UTM one.
    assert m["results"]["max"] == pytest.approx(u["results"]["max"], rel=1e-9)
    summary = run(capsys, "kde", str(merc), "--bandwidth", "150").out
    assert "SRC: EPSG:32719 (reproyectado desde EPSG:3857)" in summary
    assert "SRC: EPSG:32719 (el del archivo)" in run(capsys, "kde", str(utm), "--bandwidth", "150").out


def test_web_mercator_columns_with_crs_give_the_same_gistar(capsys, tmp_path, lonlat):
    lon, lat = lonlat
    merc = _layer(lon, lat, "EPSG:3857")
    csv, plain = tmp_path / "merc.csv", tmp_path / "lonlat.csv"
    pd.DataFrame({"x": merc.geometry.x, "y": merc.geometry.y}).to_csv(csv, index=False)
    pd.DataFrame({"lon": lon, "lat": lat}).to_csv(plain, index=False)
    a = json.loads(run(capsys, "gistar", str(csv), "--crs", "EPSG:3857", "--json").out)["results"]
    b = json.loads(run(capsys, "gistar", str(plain), "--json").out)["results"]
    assert a["grid"] == b["grid"] and a["bins"] == b["bins"]
    assert (a["crs"]["used"], a["crs"]["source"], b["crs"]["source"]) == ("EPSG:32719", "EPSG:3857", "EPSG:4326")


def test_points_spanning_several_utm_zones_are_warned_with_the_scale_error(capsys, tmp_path):
    # From 75°W to 63°W along 35°S: zones 18, 19 and 20, projected in the middle one (19, central meridian 69°W).
    path = tmp_path / "ancho.csv"
    pd.DataFrame({"lon": np.linspace(-75, -63, 50), "lat": np.full(50, -35.0)}).to_csv(path, index=False)
    pts = inputs.point_coordinates(inputs.read_table(path), path)
    assert (pts.epsg, pts.zones) == (32719, 3)
    # Transverse Mercator's scale 6° from the central meridian at 35°S: k0 (1 + (Δλ cos φ)² / 2) - 1 ≈ 0.0033.
    expected = 0.9996 * (1 + (math.radians(6) * math.cos(math.radians(35))) ** 2 / 2) - 1
    assert pts.scale_error == pytest.approx(expected, rel=0.02)
    err = run(capsys, "concentration", str(path), "--cell", "20000").err
    assert "los puntos abarcan 3 husos UTM; se usó EPSG:32719" in err and "0,33 %" in err
