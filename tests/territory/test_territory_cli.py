"""`observatorio territory import|demography`: dry run by default, --commit writes, bad input exits 2."""

import geopandas as gpd
import pytest
from shapely import box

from observatorio import cli
from observatorio.territory.models import Area, Boundary, Demography

ZONES = {"Z1": box(-70.60, -33.50, -70.55, -33.45), "Z2": box(-70.55, -33.50, -70.50, -33.45),
         "Z3": box(-70.50, -33.50, -70.45, -33.45)}


@pytest.fixture
def zone_file(tmp_path):
    frame = gpd.GeoDataFrame({"COD": list(ZONES), "NOM": ["Norte", "Centro", "Sur"], "CUT": ["1", "1", "2"]},
                             geometry=list(ZONES.values()), crs=4326)
    path = tmp_path / "zonas.gpkg"
    frame.to_file(path, layer="zonas", engine="pyogrio")
    return path


def _import(path, *extra):
    return cli.main(["territory", "import", str(path), "--level", "comuna", "--code-field", "COD",
                     "--name-field", "NOM", "--layer", "zonas", *extra])


@pytest.mark.django_db
def test_import_dry_run_then_commit(zone_file, capsys):
    assert _import(zone_file, "--where", "CUT=1") == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["zonas.gpkg (límites): leídas 3, válidas 2, se escribirían 2",
                                "  áreas nuevas: 2 (Z1, Z2)", "  versiones nuevas de límites: 0", "  sin cambios: 0",
                                "prueba: no se escribió nada; agregue --commit"]
    assert Area.objects.count() == 0

    assert _import(zone_file, "--where", "CUT=1", "--valid-from", "2020-01-01", "--commit") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "escrito"
    assert sorted(Area.objects.values_list("code", "name")) == [("Z1", "Norte"), ("Z2", "Centro")]
    assert {b.valid_from.isoformat() for b in Boundary.objects.all()} == {"2020-01-01"}


@pytest.mark.django_db
@pytest.mark.parametrize("extra,message", [
    (["--code-field", "CODIGO"], "zonas.gpkg, columna «CODIGO»: El archivo no tiene la columna indicada. Indique "
                                 "una de las columnas del archivo. (columnas del archivo: COD, NOM, CUT)"),
    (["--valid-from", "01-01-2020"], "--valid-from lleva una fecha AAAA-MM-DD, no '01-01-2020'"),
    (["--where", "CUT"], "--where lleva CAMPO=VALOR, no 'CUT'"),
    (["--crs", "EPSG:nada"], "sistema de coordenadas desconocido «EPSG:nada»; indíquelo como código EPSG, p. ej. "
                             "EPSG:32719"),
], ids=["missing field", "bad date", "bad where", "bad crs"])
def test_import_errors_are_one_line_and_exit_2(zone_file, capsys, extra, message):
    assert _import(zone_file, "--commit", *extra) == 2
    assert capsys.readouterr().err == f"observatorio territory: error: {message}\n"
    assert Area.objects.count() == 0


def _demography(csv, *extra):
    return ["territory", "demography", str(csv), "--year", "2017", "--code-field", "zona", "--population-field",
            "pob", "--level", "comuna", *extra]


@pytest.mark.django_db
def test_demography_dry_run_commit_and_error(zone_file, tmp_path, capsys):
    _import(zone_file, "--commit")
    csv = tmp_path / "pob.csv"
    csv.write_text("zona;edad;pob\nZ1;0 a 5;10\nZ1;6 a 14;15\nZ2;0 a 5;4\n", encoding="latin-1")
    base = _demography(csv)
    assert cli.main(base) == 2
    assert capsys.readouterr().err == ("observatorio territory: error: pob.csv, fila 3, columna «zona», valor «Z1»: "
                                       "El mismo código aparece en varias filas. Sume las filas con --sum, o deje "
                                       "una\n")
    assert cli.main(["--lang", "en", *base]) == 2
    assert capsys.readouterr().err == ("observatorio territory: error: repeated codes in pob.csv: Z1 (rows 2, 3); "
                                       "pass sum_rows (--sum) to add them up\n")
    assert cli.main(base + ["--sum"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "prueba: no se escribió nada; agregue --commit"
    assert Demography.objects.count() == 0
    assert cli.main(base + ["--sum", "--commit"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "pob.csv (demografía): leídas 3, válidas 3, escritas 2"
    assert "  population en total: 29" in out
    assert dict(Demography.objects.values_list("area__code", "population")) == {"Z1": 25, "Z2": 4}


@pytest.mark.django_db
def test_demography_latin1_decimal_commas_and_forced_decimal_mark(zone_file, tmp_path, capsys):
    _import(zone_file, "--commit")
    csv = tmp_path / "pob.csv"
    csv.write_text("Población 2017\nzona;pob;pobreza\nZ1;1.200;12,5\nZ2;800;7\nTotal;2.000;\n", encoding="latin-1")
    base = _demography(csv, "--poverty-pct-field", "pobreza", "--commit")
    assert cli.main(base + ["--decimal", "."]) == 2
    assert capsys.readouterr().err == (
        "observatorio territory: error: pob.csv, fila 3, columna «pob», valor «1.200»: Un conteo debe ser un número "
        "entero. Revise el separador decimal; pob.csv, fila 3, columna «pobreza», valor «12,5»: El valor no es un "
        "número. Escriba un número (1.234 o 20,7), o indique el separador decimal del archivo\n")
    assert cli.main(["--lang", "en", *base, "--decimal", "."]) == 2
    assert capsys.readouterr().err == ("observatorio territory: error: pob.csv row 3, column 'pob': '1.200' is not "
                                       "a whole number; pob.csv row 3, column 'pobreza': '12,5' is not a number\n")
    assert cli.main(base) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  population en total: 2.000" in out
    assert "  nota: Se omitió una fila de totales al final." in out
    assert sorted(Demography.objects.values_list("area__code", "population", "poverty_pct")) == [
        ("Z1", 1200, 12.5), ("Z2", 800, 7.0)]
