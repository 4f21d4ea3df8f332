"""The study area (``--area``): cells whose centre lies outside it are dropped, and Gi* and Gini change as they
should; without one, a warning gives the share of empty cells."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")

import shapely  # noqa: E402

from observatorio import cli  # noqa: E402
from observatorio.analysis.gistar import gi_star, gi_star_points  # noqa: E402
from observatorio.analysis.grid import StudyGrid  # noqa: E402

X0, Y0 = 350_000.0, 6_290_000.0  # UTM 19S, Peñalolén; multiples of 100 so cells start here
UTM = "EPSG:32719"


def _events(tmp_path, cells, name="eventos.csv", dates=None):
    """Events at the centres of the given (row, col) 100 m cells counted from (X0, Y0), one per entry."""
    rows, cols = np.array(cells).T
    frame = pd.DataFrame({"x": X0 + 50 + 100 * cols, "y": Y0 + 50 + 100 * rows})
    if dates is not None:
        frame["fecha"] = dates
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _area(tmp_path, geometry, crs=UTM, name="area.gpkg"):
    path = tmp_path / name
    gpd.GeoDataFrame({"nombre": ["zona"]}, geometry=[geometry], crs=crs).to_file(path)
    return path


def run(capsys, *argv):
    assert cli.main(["analyze", *argv, "--crs", UTM, "--json"]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


STRIP = shapely.box(X0, Y0, X0 + 400, Y0 + 100)  # four cells in a row; the events fill only the first two


def test_gini_measures_the_study_area_not_the_points_extent(capsys, tmp_path):
    events = _events(tmp_path, [(0, 0)] * 3 + [(0, 1)])
    bare, warned = run(capsys, "concentration", str(events))
    # Over the points' extent: counts (3, 1); G = Σ|xi − xj| / (2 N² x̄) = (2 + 2) / (2 · 4 · 2) = 0.25.
    assert (bare["results"]["units"], bare["results"]["gini"]) == (2, pytest.approx(0.25))
    assert "el 0,0 % de sus 2 celdas están vacías" in warned
    # Over the strip: (3, 1, 0, 0); the ordered pairs' |differences| sum to 20, x̄ = 1: G = 20 / (2 · 16) = 0.625.
    doc, err = run(capsys, "concentration", str(events), "--area", str(_area(tmp_path, STRIP)))
    r = doc["results"]
    assert (r["units"], r["gini"], r["top_share"]["0.01"]) == (4, pytest.approx(0.625), pytest.approx(0.75))
    assert r["study_area"] == {"file": str(tmp_path / "area.gpkg"), "cells": 4, "grid_cells": 10,
                               "empty_share": 0.5, "events_outside": 0}
    assert err == ""


def test_gistar_on_the_strip_is_the_hand_computed_z(capsys, tmp_path):
    # Counts (3, 1, 0) on three cells, neighbours within 100 m (the cell and the adjacent ones), n = 3:
    # x̄ = 4/3, S = √(10/3 − 16/9) = √14 / 3. Cell 0: W = 2, lag = 4, z = (4 − 2x̄) / (S √((3·2 − 4)/2)) = 4/√14;
    # cell 2: lag = 1, z = −5/√14; cell 1's neighbourhood is the whole area (W = n): no z.
    events = _events(tmp_path, [(0, 0)] * 3 + [(0, 1)])
    strip = _area(tmp_path, shapely.box(X0, Y0, X0 + 300, Y0 + 100))
    out = tmp_path / "gi.csv"
    run(capsys, "gistar", str(events), "--area", str(strip), "--distance", "100", "-o", str(out))
    table = pd.read_csv(out).set_index("col")
    assert table.index.tolist() == [0, 1, 2] and (table["row"] == 0).all()
    assert table.loc[0, "z"] == pytest.approx(4 / math.sqrt(14))
    assert table.loc[2, "z"] == pytest.approx(-5 / math.sqrt(14))
    assert np.isnan(table.loc[1, "z"])
    # Without the area the grid is the points' two cells, each neighbourhood all of it: no cell has a z at all.
    out2 = tmp_path / "gi2.csv"
    run(capsys, "gistar", str(events), "--distance", "100", "-o", str(out2))
    assert pd.read_csv(out2)["z"].isna().all()


def test_a_rectangular_area_is_gistar_on_the_cropped_counts_and_empty_cells_inflate_z():
    rng = np.random.default_rng(2)
    x = np.r_[X0 + rng.uniform(0, 2000, 300), X0 + 450 + rng.normal(0, 40, 40)]
    y = np.r_[Y0 + rng.uniform(0, 1000, 300), Y0 + 450 + rng.normal(0, 40, 40)]
    x, y = np.clip(x, X0 + 1, X0 + 1999), np.clip(y, Y0 + 1, Y0 + 999)
    whole = gi_star_points(x, y, cell=100, distance=150, epsg=32719)
    assert whole.grid.shape == (10, 20)
    left = gi_star_points(x, y, cell=100, distance=150, epsg=32719, area=shapely.box(X0, Y0, X0 + 1000, Y0 + 1000))
    assert left.grid.shape == (11, 11) and int(left.mask.sum()) == 100  # the box's edge centres are outside
    cropped = gi_star(whole.values[:, :10], 100, 150)
    np.testing.assert_allclose(left.z[:10, :10], cropped.z, rtol=1e-12, equal_nan=True)
    assert np.isnan(left.z[10, :]).all() and np.isnan(left.z[:, 10]).all()
    # The same cluster amid twice as many cells (the other half, as empty as the hills) scores higher.
    padded = np.zeros((10, 40))
    padded[:, :10] = whole.values[:, :10]
    assert np.nanmax(gi_star(padded, 100, 150).z) > np.nanmax(cropped.z) + 0.5


@pytest.mark.parametrize("method,extra", [
    ("gistar", []), ("kde", ["--bandwidth", "100"]), ("concentration", []),
    ("emerging", ["--date", "fecha"]),
])
def test_cells_outside_the_area_are_dropped_and_their_events_reported(capsys, tmp_path, method, extra):
    # Events in a 3 × 3 block; the area is its bottom row and one cell more to the right (an L would do as well).
    cells = [(r, c) for r in range(3) for c in range(3)] * 3
    dates = [f"2024-{m:02d}-15" for m in (1, 2, 3)] * 9
    events = _events(tmp_path, cells, dates=dates)
    area = _area(tmp_path, shapely.box(X0, Y0, X0 + 400, Y0 + 100))
    out = tmp_path / "celdas.csv"
    doc, err = run(capsys, method, str(events), "--area", str(area), *extra, "-o", str(out))
    table = pd.read_csv(out)
    assert sorted(zip(table["row"], table["col"])) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert doc["results"]["study_area"]["events_outside"] == 18
    assert "aviso: eventos fuera del área de estudio, omitidos: 18" in err
    assert doc["parameters"]["area"] == str(area)


def test_an_area_in_wgs84_for_points_in_utm(capsys, tmp_path):
    events = _events(tmp_path, [(r, c) for r in range(5) for c in range(5)])
    square = shapely.box(X0, Y0, X0 + 300, Y0 + 300)
    lonlat = gpd.GeoSeries([square], crs=UTM).to_crs("EPSG:4326").iloc[0]
    doc, _err = run(capsys, "concentration", str(events), "--area", str(_area(tmp_path, lonlat, "EPSG:4326",
                                                                               "area.geojson")))
    assert doc["results"]["units"] == 9 and doc["results"]["events"] == 9


def test_without_an_area_the_warning_gives_the_share_of_empty_cells(capsys, tmp_path):
    events = _events(tmp_path, [(0, 0), (2, 2)])
    assert cli.main(["analyze", "gistar", str(events), "--crs", UTM]) == 0
    err = capsys.readouterr().err
    assert err == ("aviso: sin --area la grilla cubre el rectángulo de los puntos: el 77,8 % de sus 9 celdas están "
                   "vacías; dé el área de estudio (p. ej. el límite de la comuna) con --area ARCHIVO\n")


def test_study_grid_masks_by_cell_centre():
    triangle = shapely.Polygon([(0, 0), (300, 0), (0, 300)])
    s = StudyGrid.over(triangle, cell=100, epsg=32719)
    # Centres (50, 50), (150, 50), (50, 150) are inside x + y < 300; (250, 50), (150, 150) are on or beyond it.
    assert s.mask.astype(int).tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert s.inside([10, 260, 120], [10, 10, 120]).tolist() == [True, False, False]
    assert s.counts([10, 260], [10, 10]).sum() == 1


def test_an_area_with_no_cell_centre_inside_is_refused(capsys, tmp_path):
    events = _events(tmp_path, [(0, 0)])
    sliver = _area(tmp_path, shapely.box(X0, Y0, X0 + 40, Y0 + 40))
    assert cli.main(["analyze", "gistar", str(events), "--crs", UTM, "--area", str(sliver)]) == 2
    assert ("ninguna celda de 100 m tiene su centro dentro del área de estudio; use celdas más pequeñas"
            in capsys.readouterr().err)
