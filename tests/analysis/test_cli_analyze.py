"""``observatorio analyze``: the CLI gives the published numbers and the Python functions' own, without a database."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

libpysal = pytest.importorskip("libpysal")
gpd = pytest.importorskip("geopandas")

from shapely.geometry import Point, shape  # noqa: E402

from observatorio import cli  # noqa: E402
from observatorio.analysis import moran  # noqa: E402
from observatorio.analysis.weights import contiguity  # noqa: E402

PUBLISHED = 1e-6
EXACT = 1e-12
METHODS = ("moran", "lisa", "localg", "rates", "typology", "perception", "gistar", "emerging", "kde", "concentration",
           "knox", "exposure", "compare", "trend", "wdd")


@pytest.fixture(autouse=True)
def no_database(monkeypatch):
    """analyze must never set up Django: fail loudly if it tries."""

    def refuse():
        raise AssertionError("analyze called setup_django")

    monkeypatch.setattr(cli, "setup_django", refuse)


@pytest.fixture(scope="module")
def columbus_path():
    return libpysal.examples.get_path("columbus.shp")


@pytest.fixture(scope="module")
def columbus(columbus_path):
    return gpd.read_file(columbus_path)


def run_json(capsys, *argv) -> dict:
    assert cli.main(["analyze", *argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def run_error(capsys, *argv) -> str:
    assert cli.main(["analyze", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_every_method_is_registered():
    parser = cli.build_parser()
    analyze = parser._subparsers._group_actions[0].choices["analyze"]
    methods = analyze._subparsers._group_actions[0].choices
    assert set(methods) == set(METHODS)


# --------------------------------------------------------------------------- areas


def test_moran_on_columbus_is_the_published_value_and_the_function(capsys, columbus_path, columbus):
    doc = run_json(capsys, "moran", columbus_path, "--column", "CRIME", "--weights", "queen")
    assert doc["method"] == "moran"
    assert doc["parameters"] == {"column": "CRIME", "rate_population": None, "weights": "queen", "k": None,
                                 "transformation": "r", "permutations": 999, "seed": 0}
    res = doc["results"]
    # Anselin's Columbus crime, queen contiguity, row-standardised: I = 0.500189 (GeoDa, esda).
    assert res["I"] == pytest.approx(0.500189, abs=PUBLISHED)
    direct = moran.global_moran(columbus["CRIME"], contiguity(columbus.geometry, kind="queen"), seed=0)
    for key, attr in (("I", "i"), ("expected", "expected"), ("z_norm", "z_norm"), ("z_rand", "z_rand"),
                      ("p_rand", "p_rand"), ("p_sim", "p_sim"), ("z_sim", "z_sim")):
        assert res[key] == pytest.approx(getattr(direct, attr), abs=EXACT), key
    assert res["n"] == 49 and res["islands"] == 0


def test_eb_moran_and_knn_match_the_functions(capsys, columbus_path, columbus):
    from observatorio.analysis.inputs import centroids_in_metres
    from observatorio.analysis.weights import knn

    doc = run_json(capsys, "moran", columbus_path, "--column", "CRIME", "--rate-population", "HOVAL",
                   "--weights", "knn", "--k", "5", "--permutations", "0")
    x, y = centroids_in_metres(columbus.geometry)
    direct = moran.global_moran_rate(columbus["CRIME"], columbus["HOVAL"], knn(x, y, k=5), permutations=0)
    assert doc["results"]["I"] == pytest.approx(direct.i, abs=EXACT)
    assert doc["results"]["p_sim"] is None  # NaN without permutations is JSON null
    esda = pytest.importorskip("esda")
    w = knn(x, y, k=5)
    ref = esda.Moran_Rate(columbus["CRIME"].to_numpy(float), columbus["HOVAL"].to_numpy(float), copy.deepcopy(w),
                          adjusted=True, permutations=0)
    assert doc["results"]["I"] == pytest.approx(ref.I, abs=1e-9)


def test_lisa_writes_the_49_areas_with_the_functions_quadrants(capsys, tmp_path, columbus_path, columbus):
    out = tmp_path / "lisa.geojson"
    doc = run_json(capsys, "lisa", columbus_path, "--column", "CRIME", "--seed", "3", "--id", "POLYID",
                   "-o", str(out))
    direct = moran.local_moran(columbus["CRIME"], contiguity(columbus.geometry, kind="queen"), seed=3)
    features = json.loads(out.read_text())["features"]
    assert len(features) == 49
    props = [f["properties"] for f in features]
    assert [p["quadrant"] for p in props] == [q.value for q in direct.quadrant]
    assert [p["cluster"] for p in props] == [q.value for q in direct.clusters(0.05)]
    np.testing.assert_allclose([p["Is"] for p in props], direct.Is, atol=EXACT)
    np.testing.assert_allclose([p["p"] for p in props], direct.p_sim, atol=EXACT)
    assert [p["POLYID"] for p in props] == columbus["POLYID"].tolist()
    assert sum(doc["results"]["clusters"].values()) == 49
    assert [a["id"] for a in doc["results"]["areas"]] == columbus["POLYID"].tolist()


def test_lisa_csv_and_human_summary(capsys, tmp_path, columbus_path):
    out = tmp_path / "lisa.csv"
    assert cli.main(["analyze", "lisa", columbus_path, "--column", "CRIME", "--permutations", "99", "-o",
                     str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("LISA de CRIME (49 áreas, pesos queen") and f"escrito: {out}" in text
    table = pd.read_csv(out)
    assert len(table) == 49 and {"Is", "p", "quadrant", "cluster", "CRIME"} <= set(table.columns)


def test_rates_eb_global_is_marshalls(capsys, tmp_path):
    path = tmp_path / "uv.csv"
    pd.DataFrame({"uv": ["A", "B", "C", "D"], "casos": [2, 40, 30, 1],
                  "pob": [1000, 5000, 10000, 200]}).to_csv(path, index=False)
    doc = run_json(capsys, "rates", str(path), "--count", "casos", "--population", "pob", "--id", "uv")
    areas = doc["results"]["areas"]
    # The docstring example of rates.eb_global, worked by hand from Marshall (1991).
    assert [round(a["smoothed"], 3) for a in areas] == [3.262, 7.411, 3.139, 4.588]
    assert [a["crude"] for a in areas] == [2.0, 8.0, 3.0, 5.0]
    assert doc["results"]["overall_rate"] == pytest.approx(73 / 16200 * 1000)


def test_typology_finds_the_two_planted_types(capsys, tmp_path):
    path = tmp_path / "perfil.csv"
    pd.DataFrame({"uv": list("abcdef"), "robos": [9, 10, 11, 1, 2, 1.5],
                  "ingreso": [1, 1.2, 0.9, 5, 5.5, 5.2]}).to_csv(path, index=False)
    doc = run_json(capsys, "typology", str(path), "--columns", "robos,ingreso", "--k-range", "2,3", "--id", "uv")
    res = doc["results"]
    assert res["k"] == 2
    assert [a["type"] for a in res["areas"]] == [0, 0, 0, 1, 1, 1]
    assert (res["types"][0]["high"], res["types"][0]["low"]) == (["robos"], ["ingreso"])
    assert res["types"][0]["description"] == "alto en robos; bajo en ingreso"
    assert set(res["silhouettes"]) == {"2", "3"} and res["silhouettes"]["2"] > res["silhouettes"]["3"]


def test_perception_gap_of_the_docstring(capsys, tmp_path):
    path = tmp_path / "encuesta.csv"
    pd.DataFrame({"uv": ["a", "b", "c"], "temor": [0.2, 0.4, 0.6], "tasa": [30, 10, 20]}).to_csv(path, index=False)
    doc = run_json(capsys, "perception", str(path), "--fear", "temor", "--crime", "tasa", "--id", "uv")
    areas = doc["results"]["areas"]
    assert [round(a["gap"], 6) for a in areas] == [-2.0, 1.0, 1.0]
    assert [a["gap_class"] for a in areas] == ["LH", "LL", "HL"]
    assert doc["results"]["spearman_rho"] == pytest.approx(-0.5)


# --------------------------------------------------------------------------- points


PLANTED = (-70.53, -33.48)  # Peñalolén


@pytest.fixture(scope="module")
def penalolen_csv(tmp_path_factory):
    """Uniform background over ~5 × 5 km plus 60 events within ~20 m of PLANTED."""
    rng = np.random.default_rng(11)
    lon = np.r_[rng.uniform(-70.555, -70.505, 400), PLANTED[0] + rng.normal(0, 0.0002, 60)]
    lat = np.r_[rng.uniform(-33.505, -33.455, 400), PLANTED[1] + rng.normal(0, 0.0002, 60)]
    path = tmp_path_factory.mktemp("gistar") / "eventos.csv"
    pd.DataFrame({"id": range(lon.size), "lon": lon, "lat": lat}).to_csv(path, index=False)
    return path


def test_gistar_finds_the_planted_cell_hot_in_valid_wgs84(capsys, tmp_path, penalolen_csv):
    from observatorio.analysis.gistar import gi_star_points
    from observatorio.analysis.projection import to_metres

    out = tmp_path / "hot.geojson"
    doc = run_json(capsys, "gistar", str(penalolen_csv), "--x", "lon", "--y", "lat", "--cell", "100", "-o", str(out))
    gj = json.loads(out.read_text())
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == doc["results"]["cells"]
    planted = Point(*PLANTED)
    hit = [f["properties"] for f in gj["features"] if shape(f["geometry"]).contains(planted)]
    assert len(hit) == 1 and hit[0]["bin"] == 3
    coords = np.array([c for f in gj["features"] for c in f["geometry"]["coordinates"][0]])
    assert (np.abs(coords[:, 0] + 70.53) < 0.05).all() and (np.abs(coords[:, 1] + 33.48) < 0.05).all()
    assert all(shape(f["geometry"]).is_valid for f in gj["features"])
    # The same numbers as the function on the same projected points.
    x, y, epsg = to_metres(*pd.read_csv(penalolen_csv)[["lon", "lat"]].to_numpy().T)
    direct = gi_star_points(x, y, cell=100, distance=150, epsg=epsg)
    assert doc["parameters"]["distance"] == 150
    assert max(f["properties"]["z"] for f in gj["features"]) == pytest.approx(np.nanmax(direct.z), abs=EXACT)
    assert doc["results"]["bins"]["3"] == int((direct.bins() == 3).sum())


def test_emerging_flags_a_cluster_new_in_the_last_month(capsys, tmp_path):
    rng = np.random.default_rng(5)
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    rows = []
    for m in months:
        for lon, lat in zip(rng.uniform(-70.54, -70.52, 40), rng.uniform(-33.49, -33.47, 40)):
            rows.append((lon, lat, m + pd.Timedelta(days=int(rng.integers(0, 28)))))
    for _ in range(40):
        rows.append((PLANTED[0] + rng.normal(0, 0.0002), PLANTED[1] + rng.normal(0, 0.0002), months[-1]))
    path = tmp_path / "mes.csv"
    pd.DataFrame(rows, columns=["lon", "lat", "fecha"]).to_csv(path, index=False)
    out = tmp_path / "emerging.geojson"
    doc = run_json(capsys, "emerging", str(path), "--date", "fecha", "--cell", "200", "-o", str(out))
    assert doc["results"]["periods"] == [str(m.to_period("M")) for m in months]
    hit = [f["properties"] for f in json.loads(out.read_text())["features"]
           if shape(f["geometry"]).contains(Point(*PLANTED))]
    assert hit[0]["pattern"] == "new_hot"
    # ESRI's definitions and the space-time Gi* are named; the class rests on one month of six, and says so.
    assert doc["results"]["definitions"]["definitions"] == "ESRI ArcGIS Pro 3.x"
    assert (doc["parameters"]["time_window"], doc["results"]["definitions"]["gi_star"]) == (1, "space_time")
    assert (hit[0]["pattern_periods"], hit[0]["few_periods"], hit[0]["periods"]) == (1, True, 6)
    assert doc["results"]["cells_on_one_period"] >= 1


def test_kde_of_one_point_peaks_at_its_cell_with_the_gaussian_height(capsys, tmp_path):
    path = tmp_path / "uno.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(*PLANTED)], crs="EPSG:4326").to_file(path)
    out = tmp_path / "kde.csv"
    doc = run_json(capsys, "kde", str(path), "--bandwidth", "150", "--output-unit", "expected", "--margin", "1000",
                   "-o", str(out))
    res = doc["results"]
    # A unit Gaussian of σ = 150 m read over a 100 m cell: 100² / (2π 150²) at the point, integrating to 1.
    assert res["max"] == pytest.approx(100**2 / (2 * np.pi * 150**2), rel=0.01)
    assert res["sum"] == pytest.approx(1.0, abs=0.01)
    assert res["unit"] == "events_per_cell" and res["unit_label"] == "eventos por celda" and res["bandwidth_m"] == 150
    assert abs(res["max_cell"]["lon"] - PLANTED[0]) < 0.0011 and abs(res["max_cell"]["lat"] - PLANTED[1]) < 0.0011
    assert len(pd.read_csv(out)) == res["cells"]


def test_concentration_of_counts_per_unit(capsys, tmp_path):
    counts = [50, 20, 10, 5, 5, 4, 3, 2, 1, 0]
    path = tmp_path / "segmentos.csv"
    pd.DataFrame({"tramo": range(10), "delitos": counts}).to_csv(path, index=False)
    doc = run_json(capsys, "concentration", str(path), "--count", "delitos", "--shares", "0.1,0.5")
    res = doc["results"]
    assert res["top_share"] == {"0.1": 0.5, "0.5": 0.9}
    assert res["units_for_half"] == 0.1
    c = np.array(counts, float)
    by_pairs = np.abs(c[:, None] - c[None, :]).sum() / (2 * c.size**2 * c.mean())
    assert res["gini"] == pytest.approx(by_pairs, abs=EXACT) and res["gini"] == pytest.approx(0.63, abs=EXACT)


def test_concentration_of_points_on_a_grid(capsys, tmp_path):
    # 9 events in one 100 m cell, 1 in a cell 250 m east: 3 cells in the covering grid.
    path = tmp_path / "utm.csv"
    pd.DataFrame({"x": [350010.0] * 9 + [350260.0], "y": [6290010.0] * 10}).to_csv(path, index=False)
    doc = run_json(capsys, "concentration", str(path), "--crs", "EPSG:32719", "--shares", "0.3")
    assert doc["results"]["units"] == 3 and doc["results"]["events"] == 10
    assert doc["results"]["top_share"] == {"0.3": 0.9}  # the busiest ⌈0.3 · 3⌉ = 1 cell


def test_knox_counts_the_pairs_by_hand(capsys, tmp_path):
    # Pairs: (0,1) 50 m / 3 d; (1,2) 60 m / 7 d; (0,2) 110 m / 10 d; event 3 is 5 km away.
    path = tmp_path / "robos.csv"
    pd.DataFrame({"este": [350000.0, 350050.0, 350110.0, 355000.0], "norte": [6290000.0] * 4,
                  "fecha": ["2024-01-01", "2024-01-04", "2024-01-11", "2024-01-02"]}).to_csv(path, index=False)
    doc = run_json(capsys, "knox", str(path), "--crs", "EPSG:32719", "--date", "fecha",
                   "--distance-bands", "0,100,200", "--time-bands", "0,7,14", "--permutations", "49", "--seed", "1")
    assert doc["results"]["observed"] == [[2, 0], [0, 1]]
    assert doc["results"]["events"] == 4
    assert len(doc["results"]["table"]) == 4


def test_exposure_of_the_docstring(capsys, tmp_path):
    events = tmp_path / "ev.csv"
    base_x, base_y = 350000.0, 6290000.0
    ex = np.array([10, -10, 0, 0, 150, -150, 0, 0]) + base_x
    ey = np.array([0, 0, 10, -10, 0, 0, 150, -150]) + base_y
    pd.DataFrame({"x": ex, "y": ey}).to_csv(events, index=False)
    places = tmp_path / "colegios.csv"
    pd.DataFrame({"x": [base_x], "y": [base_y], "tipo": ["colegio"]}).to_csv(places, index=False)
    doc = run_json(capsys, "exposure", str(events), "--crs", "EPSG:32719", "--places", str(places),
                   "--radius", "50", "--outer-radius", "150", "--group", "tipo")
    (g,) = doc["results"]["groups"]
    # 4 events within 50 m; 4 in the 50–150 m ring: E = 4 · π50² / π(150² − 50²) = 0.5.
    assert (g["group"], g["observed"], g["ratio"]) == ("colegio", 4, 8.0)
    assert g["expected"] == pytest.approx(0.5, rel=1e-3)


# --------------------------------------------------------------------------- dates and counts


def test_compare_is_the_poisson_test_of_the_function(capsys, tmp_path):
    from observatorio.analysis.compare import poisson_rate_test

    path = tmp_path / "fechas.csv"
    pd.DataFrame({"fecha": ["2024-03-30"] * 30 + ["2024-02-20"] * 10}).to_csv(path, index=False)
    doc = run_json(capsys, "compare", str(path), "--date", "fecha", "--as-of", "2024-03-31", "--period", "28d")
    res = doc["results"]
    assert (res["current"], res["previous"], res["pct_change"], res["verdict"]) == (30, 10, 200.0, "up")
    assert res["verdict_label"] == "sube"
    assert res["p_value"] == pytest.approx(poisson_rate_test(30, 28, 10, 28), abs=EXACT)
    assert res["previous_start"] == "2024-02-05" and doc["parameters"]["as_of"] == "2024-03-31"


def test_trend_of_monthly_counts(capsys, tmp_path):
    counts = [3, 4, 6, 7, 9, 12, 13, 15]
    dates = [f"2024-{m + 1:02d}-15" for m, n in enumerate(counts) for _ in range(n)]
    path = tmp_path / "t.csv"
    pd.DataFrame({"fecha": dates}).to_csv(path, index=False)
    doc = run_json(capsys, "trend", str(path), "--date", "fecha")
    assert list(doc["results"]["counts"].values()) == counts
    assert doc["results"]["verdict"] == "up" and doc["results"]["slope"] == 1.8
    assert doc["results"]["verdict_label"] == "sube"


def test_wdd_is_wheeler_and_ratcliffes_example(capsys):
    doc = run_json(capsys, "wdd", "--treated", "207,110", "--control", "308,318", "--displacement", "178,157",
                   "--displacement-control", "150,140")
    assert doc["input"] is None
    assert doc["results"]["estimate"] == -118.0 and doc["results"]["se"] ** 2 == pytest.approx(1568.0)
    assert round(doc["results"]["z"], 2) == -2.98


# --------------------------------------------------------------------------- bad input


def test_missing_column_is_exit_2_listing_the_columns(capsys, columbus_path):
    err = run_error(capsys, "moran", columbus_path, "--column", "DELITOS")
    assert err.startswith("observatorio analyze: error: columbus.shp: no se encontró la columna 'DELITOS'; las "
                          "columnas son: AREA,")
    assert "CRIME" in err and err.count("\n") == 1


def test_unknown_file_type_is_exit_2(capsys, tmp_path):
    path = tmp_path / "datos.xlsx"
    path.write_bytes(b"PK")
    err = run_error(capsys, "kde", str(path))
    assert "tipo de archivo desconocido '.xlsx'; se admiten: .geojson" in err


def test_unknown_output_type_is_exit_2_before_any_work(capsys, columbus_path, tmp_path):
    err = run_error(capsys, "lisa", columbus_path, "--column", "CRIME", "-o", str(tmp_path / "x.shp"))
    assert "tipo de salida desconocido '.shp'" in err and not (tmp_path / "x.shp").exists()


def test_geojson_output_of_a_table_without_geometry_is_exit_2(capsys, tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"fecha": ["2024-01-01", "2024-02-01", "2024-03-01"]}).to_csv(path, index=False)
    err = run_error(capsys, "trend", str(path), "--date", "fecha", "-o", str(tmp_path / "t.geojson"))
    assert "no tiene geometrías; escríbalo como .csv" in err


def test_latin1_semicolon_csv_runs_end_to_end(capsys, tmp_path):
    path = tmp_path / "eventos.csv"
    text = "comuna;longitud;latitud\n" + "".join(
        f"Peñalolén;{-70.53 + 0.0001 * i:.4f};{-33.48:.4f}\n".replace(".", ",") for i in range(5))
    path.write_bytes(text.encode("latin-1"))
    doc = run_json(capsys, "concentration", str(path), "--cell", "1000")
    assert doc["results"]["events"] == 5 and doc["parameters"]["points"] == 5
    assert doc["parameters"]["epsg"] == 32719


def test_rates_on_a_latin1_export_with_title_thousands_dots_and_totals(capsys, tmp_path):
    # Read as `observatorio import` reads it: the title and the totals row are not areas, 1.200 is 1200.
    path = tmp_path / "tasas.csv"
    text = ("Casos por unidad vecinal, Peñalolén 2024;;\n\nUV;Casos;Población\n"
            "La Faena;12;1.200\nLo Hermida;30;12.500\nTotal;42;13.700\n")
    path.write_bytes(text.encode("cp1252"))
    doc = run_json(capsys, "rates", str(path), "--count", "Casos", "--population", "Población", "--id", "UV",
                   "--eb", "none")
    res = doc["results"]
    assert (res["n"], res["events"], res["population"]) == (2, 42, 13700)
    assert [(a["id"], a["crude"]) for a in res["areas"]] == [("La Faena", 10.0), ("Lo Hermida", 2.4)]


def test_moran_on_points_is_exit_2(capsys, penalolen_csv):
    err = run_error(capsys, "moran", str(penalolen_csv), "--column", "id")
    assert "no tiene geometrías; los métodos por área necesitan polígonos" in err


def test_unknown_crs_is_exit_2(capsys, penalolen_csv):
    err = run_error(capsys, "kde", str(penalolen_csv), "--crs", "EPSG:nada")
    assert err == "observatorio analyze: error: eventos.csv: sistema de coordenadas desconocido 'EPSG:nada'; " \
                  "indíquelo como código EPSG, p. ej. EPSG:32719\n"


# --------------------------------------------------------------------------- localg, LISA with FDR, islands (#13)


def test_localg_equals_the_function_on_columbus(capsys, tmp_path, columbus_path, columbus):
    from observatorio.analysis.localg import local_g

    out = tmp_path / "localg.geojson"
    doc = run_json(capsys, "localg", columbus_path, "--column", "CRIME", "--star", "--seed", "2", "--id", "POLYID",
                   "-o", str(out))
    direct = local_g(columbus["CRIME"], contiguity(columbus.geometry, kind="queen"), star=True, seed=2)
    areas = doc["results"]["areas"]
    assert [a["id"] for a in areas] == columbus["POLYID"].tolist()
    np.testing.assert_allclose([a["z"] for a in areas], direct.z, atol=EXACT)
    np.testing.assert_allclose([a["G"] for a in areas], direct.G, atol=EXACT)
    np.testing.assert_allclose([a["p_sim"] for a in areas], direct.p_sim, atol=EXACT)
    assert [a["bin"] for a in areas] == direct.bins().tolist()
    params = doc["parameters"]
    assert (params["star"], params["transformation"], params["inference"], params["fdr"]) == (True, "b", "permutation",
                                                                                              False)
    assert sum(doc["results"]["bins"].values()) == 49 and doc["results"]["islands"] == 0
    props = [f["properties"] for f in json.loads(out.read_text())["features"]]
    assert len(props) == 49 and {"G", "z", "p", "p_sim", "bin", "bin_label", "island"} <= set(props[0])


def test_localg_fdr_normal_and_summary(capsys, columbus_path, columbus):
    from observatorio.analysis.localg import local_g

    doc = run_json(capsys, "localg", columbus_path, "--column", "CRIME", "--fdr", "--inference", "normal",
                   "--transformation", "r", "--weights", "rook")
    direct = local_g(columbus["CRIME"], contiguity(columbus.geometry, kind="rook"), transformation="r")
    assert [a["bin"] for a in doc["results"]["areas"]] == direct.bins(fdr=True, inference="normal").tolist()
    assert cli.main(["analyze", "localg", columbus_path, "--column", "CRIME", "--permutations", "99"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("G local de CRIME (49 áreas, pesos queen, valores p por permutaciones):")
    with pytest.raises(SystemExit):  # argparse refuses a transformation Local G does not take
        cli.main(["analyze", "localg", columbus_path, "--column", "CRIME", "--transformation", "v"])
    assert "--transformation" in capsys.readouterr().err


def test_lisa_fdr_equals_the_function(capsys, columbus_path, columbus):
    doc = run_json(capsys, "lisa", columbus_path, "--column", "CRIME", "--fdr", "--alpha", "0.1")
    direct = moran.local_moran(columbus["CRIME"], contiguity(columbus.geometry, kind="queen"), seed=0)
    assert [a["cluster"] for a in doc["results"]["areas"]] == [q.value for q in direct.clusters(0.1, fdr=True)]
    assert doc["parameters"]["fdr"] is True
    plain = run_json(capsys, "lisa", columbus_path, "--column", "CRIME", "--alpha", "0.1")
    assert doc["results"]["clusters"]["ns"] >= plain["results"]["clusters"]["ns"]


@pytest.fixture
def areas_with_an_island(tmp_path):
    from shapely.geometry import box

    squares = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)] + [box(10, 10, 11, 11)]
    frame = gpd.GeoDataFrame({"uv": [f"UV{i}" for i in range(10)],
                              "casos": [1, 4, 2, 8, 3, 9, 5, 7, 6, 40], "pob": [100] * 10},
                             geometry=squares, crs="EPSG:32719")
    path = tmp_path / "uv.geojson"
    frame.to_file(path, driver="GeoJSON")
    return str(path)


@pytest.mark.parametrize("method, extra", [
    ("moran", ["--column", "casos"]),
    ("lisa", ["--column", "casos"]),
    ("localg", ["--column", "casos", "--star"]),
    ("rates", ["--count", "casos", "--population", "pob", "--eb", "local"]),
])
def test_islands_are_reported_in_json_and_text(capsys, areas_with_an_island, method, extra):
    doc = run_json(capsys, method, areas_with_an_island, *extra, "--id", "uv", "--permutations", "99") \
        if method != "rates" else run_json(capsys, method, areas_with_an_island, *extra, "--id", "uv")
    assert doc["results"]["islands"] == 1 and doc["results"]["island_ids"] == ["UV9"]
    argv = ["analyze", method, areas_with_an_island, *extra, "--id", "uv"]
    assert cli.main(argv) == 0
    assert "1 área sin vecinos (isla): UV9;" in capsys.readouterr().out
    if method in ("lisa", "localg"):
        island = [a for a in doc["results"]["areas"] if a["id"] == "UV9"][0]
        assert island["island"] is True and island["p" if method == "lisa" else "p_sim"] == 1.0
        assert island.get("cluster", "ns") == "ns" and island.get("bin", 0) == 0


def option_error(capsys, *argv) -> str:
    """The message of a refused run: argparse's (an option's type) or a UserError's, both exit 2."""
    try:
        code = cli.main(["analyze", *argv])
    except SystemExit as exit:
        code = exit.code
    assert code == 2
    return capsys.readouterr().err.splitlines()[-1]


@pytest.fixture
def events_csv(tmp_path):
    path = tmp_path / "robos.csv"
    pd.DataFrame({"este": [350000.0, 350050.0, 350110.0, 355000.0], "norte": [6290000.0] * 4,
                  "fecha": ["2024-01-01", "2024-01-04", "2024-01-11", "2024-01-02"]}).to_csv(path, index=False)
    return ["--crs", "EPSG:32719"], str(path)


@pytest.mark.parametrize("method, extra, option", [
    ("knox", ["--date", "fecha", "--distance-bands", "100,0"], "--distance-bands"),
    ("knox", ["--date", "fecha", "--time-bands", "7"], "--time-bands"),
    ("concentration", ["--shares", "0.5,5"], "--shares"),
    ("exposure", ["--places", "{file}", "--radius", "300", "--outer-radius", "200"], "--outer-radius"),
    ("gistar", ["--inference", "permutation"], "--permutations"),
])
def test_point_errors_name_the_cli_options_not_python_arguments(capsys, events_csv, method, extra, option):
    crs, path = events_csv
    err = option_error(capsys, method, path, *crs, *[a.replace("{file}", path) for a in extra])
    assert option in err
    assert "_bands" not in err and "=" not in err.replace("--", "")


@pytest.mark.parametrize("extra, option", [
    (["lisa", "--column", "CRIME", "--alpha", "5"], "--alpha"),
    (["moran", "--column", "CRIME", "--weights", "knn", "--k", "49"], "--k"),
    (["localg", "--column", "CRIME", "--permutations", "0"], "--permutations"),
    (["typology", "--columns", "CRIME,INC", "--k-range", "2,60"], "--k-range"),
    (["typology", "--columns", "CRIME,INC", "--k", "50"], "--k"),
])
def test_area_errors_name_the_cli_options_not_python_arguments(capsys, columbus_path, extra, option):
    err = option_error(capsys, extra[0], columbus_path, *extra[1:])
    assert option in err
    if option in ("--k", "--k-range"):  # they depend on the file: its name and its 49 areas are said
        assert "columbus.shp" in err and "49" in err
    assert "k_range" not in err and "=" not in err.replace("--", "")
