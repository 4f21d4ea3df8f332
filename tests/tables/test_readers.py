"""Readers on messy files made here, plus the real public files of ../shared/data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from observatorio.tables.readers import RawTable, ReadError, read_table
from observatorio.tables.readers.csv import sniff_delimiter
from tests.conftest import shared_file


def write(path, text: str, encoding: str = "utf-8", newline: str = "\n"):
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def codes(table: RawTable) -> list[str]:
    return [note.code for note in table.notes]


# ----------------------------------------------------------------------------- CSV

LATIN1_REPORT = (
    "Denuncias Peñalolén - enero 2024;;;\n"
    "\n"
    "Fecha;Delito;Monto;Comuna\n"
    "01-01-2024;Robo por sorpresa;1.234,5;Peñalolén\n"
    "\n"
    "15-01-2024;\"Daños; menores\";12,5;Peñalolén\n"
    "31-01-2024;Hurtos;;La Reina\n"
    "TOTAL;;1.247,0;\n"
)


def test_latin1_semicolon_title_blank_lines_and_totals(tmp_path):
    path = write(tmp_path / "denuncias.csv", LATIN1_REPORT, "latin-1", "\r\n")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.header_row == 3
    assert table.columns == ["Fecha", "Delito", "Monto", "Comuna"]
    assert table.rows == [
        ["01-01-2024", "Robo por sorpresa", "1.234,5", "Peñalolén"],
        ["15-01-2024", "Daños; menores", "12,5", "Peñalolén"],
        ["31-01-2024", "Hurtos", "", "La Reina"],
    ]
    assert table.row_numbers.tolist() == [4, 6, 7]
    assert table.blank_rows == 1
    assert [(d.row, d.reason, d.values[0]) for d in table.dropped] == [(8, "totals", "TOTAL")]
    assert codes(table) == ["title_rows", "totals_row"]
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.format == "csv" and table.file == "denuncias.csv"
    assert list(table.records())[0] == (4, dict(zip(table.columns, table.rows[0])))


def test_utf8_bom_comma(tmp_path):
    path = write(tmp_path / "llamados.csv", "\ufeffid,categoría,hora\n1,Ruidos molestos,23:15\n2,\"Perros, sueltos\",08:00\n")
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ","
    assert table.columns == ["id", "categoría", "hora"]  # no BOM glued to the first name
    assert table.rows == [["1", "Ruidos molestos", "23:15"], ["2", "Perros, sueltos", "08:00"]]
    assert table.row_numbers.tolist() == [2, 3]
    assert table.notes == [] and table.dropped == []


def test_utf8_tab_separated_keeps_values_exactly(tmp_path):
    path = write(tmp_path / "patrullaje.tsv", "sector\tobs\tlat\n  Lo Hermida \t007\t-33,48\nSan Luis\t\t-33,49\n")
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-8", "\t")
    assert table.rows == [["  Lo Hermida ", "007", "-33,48"], ["San Luis", "", "-33,49"]]


def test_decimal_commas_do_not_fool_the_delimiter(tmp_path):
    text = "monto;tasa\n" + "".join(f"{i},5;{i},25\n" for i in range(1, 30))
    assert sniff_delimiter(text) == ";"
    table = read_table(write(tmp_path / "montos.csv", text))
    assert table.columns == ["monto", "tasa"] and table.rows[0] == ["1,5", "1,25"] and len(table) == 29


def test_quoted_line_breaks_shift_row_numbers(tmp_path):
    path = write(tmp_path / "demandas.csv", 'n;relato;estado\n1;"Luminaria\napagada\nhace días";abierta\n2;ok;cerrada\n')
    table = read_table(path)
    assert table.rows == [["1", "Luminaria\napagada\nhace días", "abierta"], ["2", "ok", "cerrada"]]
    assert table.row_numbers.tolist() == [2, 5]


def test_duplicate_and_unnamed_columns(tmp_path):
    path = write(tmp_path / "dup.csv", "comuna;comuna;;fecha\nA;B;x;01-01-2024\n")
    table = read_table(path)
    assert table.columns == ["comuna", "comuna_2", "columna_3", "fecha"]
    assert table.original_columns == ["comuna", "comuna", "", "fecha"]
    assert codes(table) == ["duplicate_column", "unnamed_column"]


def test_trailing_delimiters_are_not_columns(tmp_path):
    table = read_table(write(tmp_path / "trail.csv", "a;b;\n1;2;\n3;4;;\n"))
    assert table.columns == ["a", "b"] and table.rows == [["1", "2"], ["3", "4"]]


def test_extra_value_beyond_header_names_the_line(tmp_path):
    path = write(tmp_path / "extra.csv", "a;b\n1;2\n3;4;sobra\n")
    with pytest.raises(ReadError, match="row 3 has more values") as info:
        read_table(path)
    assert info.value.file == "extra.csv" and "comillas" in str(info.value.fix)


def test_far_too_many_fields_names_the_line(tmp_path):
    path = write(tmp_path / "wide.csv", "a;b\n1;2\n3;4\n" + ";".join("x" * 12) + "\n")
    with pytest.raises(ReadError, match="line 4 has 12 fields"):
        read_table(path)


def test_header_row_override(tmp_path):
    path = write(tmp_path / "h.csv", "x;y\nfecha;monto\n01-01-2024;5\n")
    table = read_table(path, header_row=2)
    assert table.columns == ["fecha", "monto"] and table.rows == [["01-01-2024", "5"]] and table.row_numbers.tolist() == [3]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"a;b\n\x00\x01\x02;3\n", "binary"),
        (b"\n\n   \n", "no text|no header"),
    ],
    ids=["empty", "zip-named-csv", "nul-bytes", "only-blank-lines"],
)
def test_unreadable_csv_raises_read_error(tmp_path, content, message):
    path = tmp_path / "malo.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message) as info:
        read_table(path)
    assert info.value.file == "malo.csv" and info.value.fix


def test_missing_file_and_sheet_for_csv(tmp_path):
    with pytest.raises(ReadError, match="does not exist"):
        read_table(tmp_path / "nada.csv")
    with pytest.raises(ReadError, match="no sheets"):
        read_table(write(tmp_path / "s.csv", "a\n1\n"), sheet="Hoja1")


def test_utf16_from_excel_unicode_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("año\tcomuna\n2024\tPeñalolén\n".encode("utf-16"))
    table = read_table(path)
    assert table.encoding == "utf-16" and table.rows == [["2024", "Peñalolén"]] and table.row_numbers.tolist() == [2]


# ----------------------------------------------------------------------------- XLSX

def _workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Resumen"
    ws["A1"] = "Eventos STOP - Peñalolén"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["fecha", "hora", "cut", "tasa", "delito"])
    ws.append([dt.datetime(2024, 1, 1), dt.time(14, 30), 13122.0, 0.1, "Hurtos"])
    ws.append([dt.datetime(2024, 2, 29, 8, 5), dt.time(0, 0), 13122, 1234.5, "Robo por sorpresa"])
    ws.append(["31-03-2024", None, "013122", 1e-7, True])
    ws.append(["Total general", None, None, 3, None])
    other = wb.create_sheet("2023")
    other.append(["id"])
    other.append([7])
    wb.save(path)
    return path


def test_xlsx_merged_title_header_on_row_3(tmp_path):
    table = read_table(_workbook(tmp_path / "stop.xlsx"))
    assert (table.format, table.sheet, table.header_row) == ("xlsx", "Resumen", 3)
    assert table.columns == ["fecha", "hora", "cut", "tasa", "delito"]
    assert table.rows == [
        ["2024-01-01", "14:30:00", "13122", "0.1", "Hurtos"],
        ["2024-02-29 08:05:00", "00:00:00", "13122", "1234.5", "Robo por sorpresa"],
        ["31-03-2024", "", "013122", "1e-07", "TRUE"],
    ]
    assert table.row_numbers.tolist() == [4, 5, 6]
    assert [d.row for d in table.dropped] == [7]
    assert codes(table) == ["title_rows", "totals_row"]
    assert table.encoding is None and table.delimiter is None


def test_xlsx_named_and_unknown_sheet(tmp_path):
    path = _workbook(tmp_path / "stop.xlsx")
    assert read_table(path, sheet="2023").rows == [["7"]]
    with pytest.raises(ReadError, match=r"no sheet named 'Hoja1'; the sheets are: 'Resumen', '2023'"):
        read_table(path, sheet="Hoja1")


def test_old_xls_and_fake_xlsx_are_refused(tmp_path):
    old = tmp_path / "viejo.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ReadError, match=r"\.xls"):
        read_table(old)
    fake = tmp_path / "falso.xlsx"
    fake.write_text("a;b\n1;2\n")
    with pytest.raises(ReadError, match="not an Excel"):
        read_table(fake)


# ----------------------------------------------------------------------------- Parquet

def test_parquet_typed_columns_become_exact_text(tmp_path):
    frame = pd.DataFrame({
        "cut_comuna": [13122.0, 13101.0, np.nan],
        "n": np.array([3, 0, -2], dtype="int64"),
        "tasa": [0.1, 2.5, 1e20],
        "comuna": ["Peñalolén", None, "Santiago"],
        "fecha": pd.to_datetime(["2024-01-01", "2024-02-01", None]),
    })
    path = tmp_path / "cead.parquet"
    frame.to_parquet(path)
    table = read_table(path)
    assert table.columns == ["cut_comuna", "n", "tasa", "comuna", "fecha"]
    assert table.rows == [
        ["13122", "3", "0.1", "Peñalolén", "2024-01-01"],
        ["13101", "0", "2.5", "", "2024-02-01"],
        ["", "-2", "1e+20", "Santiago", ""],
    ]
    assert table.row_numbers.tolist() == [1, 2, 3] and table.header_row is None


def test_not_parquet(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1garbage")
    with pytest.raises(ReadError, match="damaged|Parquet"):
        read_table(path)


# ----------------------------------------------------------------------------- GeoJSON

def _feature(props, geometry, ident=None):
    feature = {"type": "Feature", "properties": props, "geometry": geometry}
    if ident is not None:
        feature["id"] = ident
    return feature


def test_geojson_points_and_null_geometry(tmp_path):
    path = tmp_path / "lugares.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _feature({"nombre": "Liceo A", "tipo": "school"}, {"type": "Point", "coordinates": [-70.54, -33.49]}),
        _feature({"nombre": "Plaza", "aforo": 120, "extra": {"a": 1}}, None),
    ]}), encoding="utf-8")
    table = read_table(path)
    assert table.columns == ["nombre", "tipo", "aforo", "extra", "lon", "lat"]
    assert table.rows == [["Liceo A", "school", "", "", "-70.54", "-33.49"],
                          ["Plaza", "", "120", '{"a": 1}', "", ""]]
    assert table.row_numbers.tolist() == [1, 2] and table.crs is None


def test_geojson_polygon_is_an_error_naming_the_feature(tmp_path):
    path = tmp_path / "areas.geojson"
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _feature({}, {"type": "Point", "coordinates": [-70.5, -33.5]}), _feature({}, square, ident="uv-12")]}))
    with pytest.raises(ReadError, match=r"feature 2 \(id 'uv-12'\) has a Polygon geometry"):
        read_table(path)


def test_geojson_legacy_crs_is_reported(tmp_path):
    path = tmp_path / "utm.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32719"}},
                                "features": [_feature({"n": 1}, {"type": "Point", "coordinates": [352000, 6290000]})]}))
    table = read_table(path)
    assert table.crs == "EPSG:32719" and table.rows == [["1", "352000", "6290000"]]


def test_not_json(tmp_path):
    path = tmp_path / "roto.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(ReadError, match="not valid JSON"):
        read_table(path)


# ----------------------------------------------------------------------------- dispatch

def test_unknown_extension_is_sniffed(tmp_path):
    path = tmp_path / "export.dat"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert read_table(path).format == "geojson"
    path.write_text("a;b\n1;2\n")
    assert read_table(path).format == "csv"


# ----------------------------------------------------------------------------- real public data

@pytest.mark.shared_data
def test_real_codigos_territoriales_keep_leading_zeros():
    table = read_table(shared_file("censo", "codigos_territoriales.csv"))
    assert (table.encoding, table.delimiter, table.header_row) == ("utf-8", ",", 1)
    assert table.columns[:2] == ["region_id", "region_name"]
    assert table.rows[0][:5] == ["01", "Tarapaca", "011", "Iquique", "01101"]
    assert "13122" in set(table.frame["commune_id"])


@pytest.mark.shared_data
def test_real_census_total_of_penalolen():
    from observatorio.tables.parsing import parse_numbers

    table = read_table(shared_file("censo", "censo_2017_comunas.csv"))
    rows = table.frame[table.frame["codigo_comuna"] == "13122"]
    assert parse_numbers(rows["poblacion"]).values.sum() == 241_599  # README: Peñalolén totals 241,599


@pytest.mark.shared_data
def test_real_projection_parquet():
    table = read_table(shared_file("cead", "censo_proyecciones_anio.parquet"))
    frame = table.frame
    row = frame[(frame["cut_comuna"] == "13122") & (frame["año"] == "2024")]
    assert row["población"].tolist() == ["272913"]  # README: Peñalolén 272,913 in 2024


@pytest.mark.shared_data
def test_real_carabineros_geojson():
    table = read_table(shared_file("penalolen", "cuarteles_carabineros.geojson"))
    assert len(table) == 929
    assert table.columns[-2:] == ["lon_2", "lat_2"] and "duplicate_column" in codes(table)
    assert (table.frame["cut_com"] == "13122").sum() == 3  # README: three units in Peñalolén
    assert (table.frame["lon"] == table.frame["lon_2"]).all()
