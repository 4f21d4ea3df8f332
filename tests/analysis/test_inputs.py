"""Reading analysts' files: every format gives the same frame, coordinates land in metres, errors name what exists."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")

from observatorio.analysis import inputs  # noqa: E402
from observatorio.analysis.grid import Grid  # noqa: E402
from observatorio.analysis.projection import to_metres  # noqa: E402

METRES = 1e-6
LON = np.array([-70.531, -70.529, -70.52, -70.54])
LAT = np.array([-33.481, -33.479, -33.47, -33.49])


@pytest.fixture
def events():
    return pd.DataFrame({"comuna": ["Peñalolén"] * 4, "lon": LON, "lat": LAT, "n": [1, 2, 3, 4]})


def _write(frame: pd.DataFrame, path, kind: str):
    points = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame.lon, frame.lat),
                              crs="EPSG:4326")
    if kind == "geojson":
        points.to_file(path, driver="GeoJSON")
    elif kind == "gpkg":
        points.to_file(path, driver="GPKG", layer="eventos")
    elif kind == "shp":
        points.to_file(path)
    elif kind == "geoparquet":
        points.to_parquet(path)
    elif kind == "parquet":
        frame.to_parquet(path)
    elif kind == "csv":
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind,suffix", [("geojson", ".geojson"), ("gpkg", ".gpkg"), ("shp", ".shp"),
                                         ("geoparquet", ".parquet"), ("parquet", ".parquet"), ("csv", ".csv")],
                         ids=["geojson", "gpkg", "shp", "geoparquet", "parquet", "csv"])
def test_every_format_gives_the_same_points_in_metres(tmp_path, events, kind, suffix):
    path = _write(events, tmp_path / f"eventos{suffix}", kind)
    frame = inputs.read_table(path)
    pts = inputs.point_coordinates(frame, path)
    x, y, epsg = to_metres(LON, LAT)
    assert pts.epsg == epsg == 32719
    np.testing.assert_allclose(pts.x, x, atol=METRES)
    np.testing.assert_allclose(pts.y, y, atol=METRES)
    assert pts.frame["n"].tolist() == [1, 2, 3, 4]
    assert pts.frame["comuna"].tolist() == ["Peñalolén"] * 4


def test_latin1_semicolon_csv_with_decimal_commas(tmp_path):
    path = tmp_path / "eventos.csv"
    text = "comuna;Longitud;Latitud;tasa\nPeñalolén;-70,531;-33,481;1,5\nÑuñoa;-70,60;-33,45;2\n"
    path.write_bytes(text.encode("latin-1"))
    frame = inputs.read_table(path)
    assert frame["comuna"].tolist() == ["Peñalolén", "Ñuñoa"]
    assert frame["tasa"].tolist() == [1.5, 2.0]
    pts = inputs.point_coordinates(frame, path)
    x, y, _ = to_metres([-70.531, -70.60], [-33.481, -33.45])
    np.testing.assert_allclose(pts.x, x, atol=METRES)
    np.testing.assert_allclose(pts.y, y, atol=METRES)


def test_csv_columns_take_one_decimal_mark_each_and_text_stays_text(tmp_path):
    path = tmp_path / "uv.csv"
    text = ("Resumen por UV\n\nuv;pob;tasa;lon;nota\n"
            "01;1.234;0,5;-70.531;\n02;987;1,25;-70.52;revisar\n03;12.500;2;-70.6;\n")
    path.write_bytes(text.encode("latin-1"))
    frame = inputs.read_table(path)
    assert frame["uv"].tolist() == [1, 2, 3]  # as pandas reads codes: numbers
    assert frame["pob"].tolist() == [1234, 987, 12500] and frame["pob"].dtype == np.int64
    assert frame["tasa"].tolist() == [0.5, 1.25, 2.0]
    # "-70.531" alone could be thousands; "-70.52" in the same column says the dot is decimal.
    assert frame["lon"].tolist() == [-70.531, -70.52, -70.6]
    assert frame["nota"].isna().tolist() == [True, False, True] and frame["nota"].iloc[1] == "revisar"


def test_an_unreadable_csv_is_a_value_error_with_the_fix(tmp_path):
    path = tmp_path / "vacio.csv"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"^vacio\.csv: the file is empty \(0 bytes\)\. Fix: "):
        inputs.read_table(path)


def test_utf8_bom_csv_keeps_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("lon,lat\n-70.5,-33.4\n".encode("utf-8-sig"))
    assert list(inputs.read_table(path).columns) == ["lon", "lat"]


def test_projected_columns_with_crs_stay_as_they_are(tmp_path):
    frame = pd.DataFrame({"este": [350000.0, 350100.0], "norte": [6290000.0, 6290050.0]})
    pts = inputs.point_coordinates(frame, "utm.csv", crs="EPSG:32719")
    assert pts.epsg == 32719
    assert pts.x.tolist() == [350000.0, 350100.0] and pts.y.tolist() == [6290000.0, 6290050.0]


def test_projected_geometry_stays_in_its_metric_crs(tmp_path):
    path = tmp_path / "utm.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=gpd.points_from_xy([350000.0], [6290000.0]), crs="EPSG:32719").to_file(path)
    pts = inputs.point_coordinates(inputs.read_table(path), path)
    assert (pts.epsg, pts.x.tolist(), pts.y.tolist()) == (32719, [350000.0], [6290000.0])


def test_rows_without_coordinates_are_dropped_and_counted():
    frame = pd.DataFrame({"lon": [-70.5, None, -70.6], "lat": [-33.4, -33.5, None], "k": [1, 2, 3]})
    pts = inputs.point_coordinates(frame, "e.csv")
    assert (len(pts.x), pts.dropped, pts.frame["k"].tolist()) == (1, 2, [1])


def test_named_columns_win_over_the_automatic_pair():
    frame = pd.DataFrame({"lon": [0.0], "lat": [0.0], "LNG_B": [-70.5], "LAT_B": [-33.4]})
    pts = inputs.point_coordinates(frame, "e.csv", x="LNG_B", y="LAT_B")
    assert pts.epsg == 32719


def test_missing_column_names_the_file_and_lists_the_columns():
    frame = pd.DataFrame({"lon": [-70.5], "lat": [-33.4], "fecha": ["2024-01-01"]})
    with pytest.raises(ValueError) as err:
        inputs.point_coordinates(frame, "/data/eventos.csv", x="longitude", y="lat")
    assert str(err.value) == "eventos.csv: column 'longitude' not found; columns are: lon, lat, fecha"


def test_no_coordinate_columns_lists_the_columns():
    with pytest.raises(ValueError, match=r"e\.csv: no coordinate columns .* columns are: a, b"):
        inputs.point_coordinates(pd.DataFrame({"a": [1], "b": [2]}), "e.csv")


def test_metres_without_crs_are_refused():
    with pytest.raises(ValueError, match="not longitude/latitude degrees.*--crs EPSG:32719"):
        inputs.point_coordinates(pd.DataFrame({"x": [350000.0], "y": [6290000.0]}), "e.csv")


@pytest.mark.parametrize("name,message", [("zonas.xlsx", "unknown file type '.xlsx'"),
                                          ("sin_extension", "unknown file type (none)"),
                                          ("falta.csv", "no such file")], ids=["xlsx", "no-suffix", "absent"])
def test_unreadable_paths_are_value_errors(tmp_path, name, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inputs.read_table(tmp_path / name)


def test_a_corrupt_geojson_is_a_value_error_naming_it(tmp_path):
    path = tmp_path / "roto.geojson"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="roto.geojson"):
        inputs.read_table(path)


def test_non_numbers_are_reported_with_their_row():
    frame = pd.DataFrame({"CRIME": ["1", "dos", "3"]})
    with pytest.raises(ValueError, match=r"column 'CRIME' has a non-number 'dos' \(row 2\)"):
        inputs.numeric_column(frame, "CRIME", "areas.csv")


@pytest.mark.parametrize("values", [["2024-03-01", "2024-12-31"], ["01-03-2024", "31-12-2024"],
                                    ["01/03/2024", "31/12/2024"]], ids=["iso", "dmy-dash", "dmy-slash"])
def test_dates_iso_and_chilean_day_first(values):
    when = inputs.date_column(pd.DataFrame({"fecha": values}), "fecha", "e.csv")
    assert [d.date().isoformat() for d in when] == ["2024-03-01", "2024-12-31"]


def test_a_bad_date_is_reported():
    with pytest.raises(ValueError, match=r"'ayer' \(row 2\), not a date"):
        inputs.date_column(pd.DataFrame({"fecha": ["2024-01-01", "ayer"]}), "fecha", "e.csv")


def _dates_of(values, **kwargs):
    return [d.date().isoformat() for d in inputs.date_column(pd.DataFrame({"fecha": values}), "fecha", "e.csv",
                                                             **kwargs)]


def test_a_month_first_column_is_read_month_first_from_a_csv(tmp_path):
    # A third of the values could be either; 11/25/2020 settles it: 12/11/2020 is December 11.
    path = tmp_path / "us.csv"
    path.write_text("fecha,n\n12/11/2020,1\n11/25/2020,2\n03/04/2021,3\n", encoding="utf-8")
    dates = inputs.read_dates(inputs.read_table(path), "fecha", path)
    assert [d.date().isoformat() for d in dates.values] == ["2020-12-11", "2020-11-25", "2021-03-04"]
    assert (dates.order.order, dates.order.how, dates.order.ambiguous) == ("mdy", "values", 2)


def test_a_day_first_column_stays_day_first():
    assert _dates_of(["12/11/2020", "25/11/2020"]) == ["2020-11-12", "2020-11-25"]


def test_a_column_of_both_orders_is_refused_naming_file_column_and_rows():
    with pytest.raises(ValueError, match=r"^e\.csv: column 'fecha': the column mixes day-first and month-first "
                                         r"dates: row 2 has '25/11/2020', a date only as dd-mm-yyyy, and row 3 has "
                                         r"'11/26/2020', only as mm-dd-yyyy \(values that read either way: 1\); give the "
                                         r"format with --date-format"):
        _dates_of(["12/11/2020", "25/11/2020", "11/26/2020"])


def test_an_all_ambiguous_column_is_day_first_and_says_how_many_could_be_either():
    dates = inputs.read_dates(pd.DataFrame({"fecha": ["01/02/2024", "03/04/2024", "2024-05-06", None]}), "fecha",
                              "e.csv")
    assert [d.date().isoformat() if pd.notna(d) else None for d in dates.values] == \
        ["2024-02-01", "2024-04-03", "2024-05-06", None]
    assert (dates.order.order, dates.order.how, dates.order.ambiguous) == ("dmy", "default", 2)


def test_an_explicit_format_overrides_the_inference():
    assert _dates_of(["01/02/2024", "03/04/2024"], date_format="%m/%d/%Y") == ["2024-01-02", "2024-03-04"]
    assert _dates_of(["01/02/2024", "2024-03-04"], date_format="mm-dd-aaaa") == ["2024-01-02", "2024-03-04"]
    with pytest.raises(ValueError, match=r"'13/01/2024' \(row 1\), not a date; use MM-DD-YYYY"):
        _dates_of(["13/01/2024"], date_format="mm/dd/aaaa")
    with pytest.raises(ValueError, match="--date-format: “dd/mm/aa” is not a date format"):
        _dates_of(["13/01/2024"], date_format="dd/mm/aa")


def test_times_after_the_date_are_kept_and_serials_are_days():
    values = ["12/13/2020 14:30", "2020-12-14T08:05:00-03:00", "44180", "12/16/2020 2:30 PM"]
    when = inputs.date_column(pd.DataFrame({"fecha": values}), "fecha", "e.csv")
    assert [d.isoformat() for d in when] == ["2020-12-13T14:30:00", "2020-12-14T08:05:00", "2020-12-15T00:00:00",
                                             "2020-12-16T14:30:00"]
    with pytest.raises(ValueError, match=r"'13/12/2020 25:10' \(row 1\), not a date"):
        inputs.date_column(pd.DataFrame({"fecha": ["13/12/2020 25:10"]}), "fecha", "e.csv")


def test_datetime_columns_are_taken_as_they_are(tmp_path):
    stamps = pd.to_datetime(["2020-12-11 10:00", "2020-11-12 00:00"])
    path = tmp_path / "t.parquet"
    pd.DataFrame({"fecha": stamps}).to_parquet(path)
    dates = inputs.read_dates(inputs.read_table(path), "fecha", path)
    assert dates.order is None and list(dates.values) == list(stamps)


def test_points_are_not_polygons(tmp_path, events):
    path = _write(events, tmp_path / "p.geojson", "geojson")
    with pytest.raises(ValueError, match=r"geometries are \['Point'\]; area methods need polygons"):
        inputs.polygons(inputs.read_table(path), path)
    with pytest.raises(ValueError, match="has no geometries"):
        inputs.polygons(pd.DataFrame({"a": [1]}), "t.csv")


def test_cells_in_wgs84_are_the_grid_cells():
    x, y, epsg = to_metres([-70.53], [-33.48])
    grid = Grid.covering(x, y, cell=100, epsg=epsg)
    cell = inputs.cells_lonlat(grid, [0], [0])
    assert cell.crs.to_epsg() == 4326
    back = cell.to_crs(epsg=epsg).iloc[0]
    assert back.area == pytest.approx(100 * 100, rel=1e-6)
    assert back.contains(gpd.points_from_xy(x, y)[0])
    lon, lat = inputs.centres_lonlat(grid, [0], [0])
    assert cell.iloc[0].contains(gpd.points_from_xy(lon, lat)[0])


# --------------------------------------------------------------------------- limits instead of crashes (issue #13)


def _cli(capsys, *argv) -> tuple[int, str, str]:
    from observatorio import cli

    code = cli.main(["analyze", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name,text", [("vacio.csv", "lon,lat,fecha\n"),
                                       ("vacio.geojson", '{"type": "FeatureCollection", "features": []}')])
def test_a_file_with_a_header_and_no_rows_is_an_error(capsys, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"{name}: the file has no data rows"):
        inputs.read_table(path)
    required = {"moran": ["--column", "n"], "lisa": ["--column", "n"], "localg": ["--column", "n"],
                "rates": ["--count", "n", "--population", "p"], "typology": ["--columns", "n,p"],
                "perception": ["--fear", "n", "--crime", "p"], "emerging": ["--date", "fecha"],
                "knox": ["--date", "fecha"], "exposure": ["--places", str(path), "--radius", "100"],
                "compare": ["--date", "fecha"], "trend": ["--date", "fecha"]}
    for method in ("gistar", "kde", "concentration", *required):  # every method that reads a file
        code, out, err = _cli(capsys, method, str(path), *required.get(method, []))
        assert (code, out) == (2, ""), method
        assert err.strip() == (f"observatorio analyze: error: {name}: el archivo no tiene filas de datos (solo un "
                               "encabezado, o ningún elemento); revise que sea el archivo correcto y que se exportó "
                               "completo")


def test_an_empty_cell_is_named_with_its_column_and_row(capsys, tmp_path):
    path = tmp_path / "zonas.csv"
    path.write_text("zona,casos\nA,4\nB,\nC,7\nD,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"zonas.csv: column 'casos' is empty in row 2 and 1 more; fill it in or "
                                         r"remove the row"):
        inputs.numeric_column(inputs.read_table(path), "casos", path)
    code, _out, err = _cli(capsys, "concentration", str(path), "--count", "casos")
    assert code == 2 and "la columna 'casos' está vacía en la fila 2" in err and "NaN" not in err
    assert inputs.numeric_column(inputs.read_table(path), "casos", path, empty=True)[1] != 4.0


def test_an_infinite_number_is_named_with_its_row():
    with pytest.raises(ValueError, match=r"z.csv: column 'n' has an infinite value \(row 2\)"):
        inputs.numeric_column(pd.DataFrame({"n": [1.0, np.inf]}), "n", "z.csv")


def test_swapped_columns_are_named_as_such(tmp_path):
    path = tmp_path / "al_reves.csv"
    pd.DataFrame({"lon": LAT, "lat": LON}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"al_reves.csv: longitude and latitude look swapped: 'lon' holds "
                                         r"latitudes and 'lat' longitudes \(first row: \(-33.481, -70.531\)\); swap "
                                         r"the columns \(--x lat --y lon\)"):
        inputs.point_coordinates(inputs.read_table(path), path)


def test_a_latitude_beyond_90_is_a_swap_anywhere():
    frame = pd.DataFrame({"x": [40.4, 40.5], "y": [-3.7, 120.0]})
    with pytest.raises(ValueError, match=r"row 2 has longitude and latitude swapped \(40.5, 120\)"):
        inputs.point_coordinates(frame, "madrid.csv", x="x", y="y")


def test_one_swapped_row_among_good_ones_is_named(tmp_path):
    lon, lat = LON.copy(), LAT.copy()
    lon[2], lat[2] = LAT[2], LON[2]
    with pytest.raises(ValueError, match=r"e.csv: row 3 has longitude and latitude swapped \(-33.47, -70.52\) "
                                         r"\(1 rows in all\); correct those rows"):
        inputs.point_coordinates(pd.DataFrame({"lon": lon, "lat": lat}), "e.csv")


def test_points_keep_their_row_numbers_and_those_dropped():
    frame = pd.DataFrame({"lon": [LON[0], np.nan, LON[2], LON[3]], "lat": [LAT[0], LAT[1], np.nan, LAT[3]]})
    pts = inputs.point_coordinates(frame, "e.csv")
    assert pts.rows.tolist() == [1, 4] and pts.dropped_rows.tolist() == [2, 3] and pts.dropped == 2
    assert (pts.crs, pts.source_crs, pts.reprojected) == ("EPSG:32719", "EPSG:4326", True)


@pytest.mark.parametrize("method", ["knox", "emerging", "gistar", "kde", "concentration", "exposure"])
def test_every_point_method_reports_the_rows_it_left_out_and_its_crs(capsys, tmp_path, method):
    rng = np.random.default_rng(4)
    n = 40
    lon, lat = -70.53 + rng.normal(0, 0.003, n), -33.48 + rng.normal(0, 0.003, n)
    fecha = [f"2024-{1 + i % 4:02d}-{1 + i % 27:02d}" for i in range(n)]
    lon[5] = np.nan  # row 6: no location
    fecha[9] = ""  # row 10: no date
    path = tmp_path / "eventos.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "fecha": fecha}).to_csv(path, index=False)
    places = tmp_path / "lugares.csv"
    pd.DataFrame({"lon": [-70.53, None], "lat": [-33.48, -33.47]}).to_csv(places, index=False)
    extra = {"knox": ["--date", "fecha", "--permutations", "19"], "emerging": ["--date", "fecha"],
             "kde": ["--bandwidth", "200"], "exposure": ["--places", str(places), "--radius", "300"]}.get(method, [])
    code, out, err = _cli(capsys, method, str(path), *extra, "--json")
    assert code == 0, err
    results = json.loads(out)["results"]
    dropped = results["dropped"]
    assert (dropped["without_location"], dropped["without_location_rows"]) == (1, [6])
    assert (results["crs"]["used"], results["crs"]["source"], results["crs"]["reprojected"]) == \
        ("EPSG:32719", "EPSG:4326", True)  # issue #13, point 3: every point method says which CRS it used
    assert "aviso: filas sin ubicación, omitidas: 1 (n.º de fila: 6)" in err
    if method == "exposure":
        assert "aviso: lugares sin ubicación, omitidos: 1 (n.º de fila: 2)" in err
    if method in ("knox", "emerging"):
        assert (dropped["without_date"], dropped["without_date_rows"]) == (1, [10])
        assert "aviso: filas sin fecha, omitidas: 1 (n.º de fila: 10)" in err


def test_area_centroids_of_a_web_mercator_layer_are_in_ground_metres():
    import geopandas as gpd
    from shapely.geometry import box

    utm = gpd.GeoSeries([box(350000 + 500 * i, 6290000, 350400 + 500 * i, 6290400) for i in range(3)],
                        crs="EPSG:32719")
    x, y = inputs.centroids_in_metres(utm.to_crs("EPSG:3857"))
    ux, uy = inputs.centroids_in_metres(utm)
    assert np.allclose(x, ux, atol=1.0) and np.allclose(y, uy, atol=1.0)  # not 1.2 times the spacing
    assert np.allclose(np.diff(x), 500.0, atol=1.0)
