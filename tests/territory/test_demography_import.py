"""Demography CSV import: encodings, separators, sums per code, and exact messages for every bad row."""

import pytest

from observatorio.commands.territory import DEMOGRAPHY_FIELDS
from observatorio.territory.demography_import import FIELDS, import_demography
from observatorio.territory.models import Area, Demography, Level


@pytest.fixture
def uvs(db):
    comuna = Area.objects.create(level=Level.COMUNA, code="13999", name="Comuna de prueba")
    return {c: Area.objects.create(level=Level.UV, code=c, name=f"UV {c}", parent=comuna) for c in ("01", "02", "03")}


def write(tmp_path, text, encoding="utf-8", name="demo.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_cli_knows_every_field():
    assert DEMOGRAPHY_FIELDS == FIELDS


@pytest.mark.django_db
@pytest.mark.parametrize("encoding,sep", [("utf-8", ","), ("utf-8-sig", ","), ("latin-1", ";")],
                         ids=["utf8-comma", "utf8-bom", "latin1-semicolon"])
def test_reads_encodings_and_separators(encoding, sep, tmp_path, uvs):
    pct = "20,7" if sep == ";" else "20.7"
    text = f"código{sep}población{sep}mujeres{sep}pobreza\n01{sep}1200{sep}610{sep}{pct}\n02{sep}800{sep}{sep}\n"
    path = write(tmp_path, text, encoding)
    summary = import_demography(path, year=2017, code_field="código", level="uv",
                                fields={"population": "población", "women": "mujeres", "poverty_pct": "pobreza"}, commit=True)
    assert summary.created == ["01", "02"] and summary.committed
    first = Demography.objects.get(area=uvs["01"], year=2017)
    assert (first.population, first.women, first.poverty_pct, first.source) == (1200, 610, 20.7, "demo.csv")
    second = Demography.objects.get(area=uvs["02"], year=2017)
    assert (second.population, second.women, second.poverty_pct) == (800, None, None)


@pytest.mark.django_db
def test_sum_rows_adds_up_age_bands_and_reimport_replaces(tmp_path, uvs):
    text = "code,band,population\n01,0 a 5,10\n01,6 a 14,20\n02,0 a 5,7\n01,65 y mas,5\n"
    path = write(tmp_path, text)
    summary = import_demography(path, year=2017, sum_rows=True, commit=True)
    assert summary.totals["population"] == 42
    assert dict(Demography.objects.values_list("area__code", "population")) == {"01": 35, "02": 7}
    again = import_demography(write(tmp_path, "code,population\n01,36\n", name="b.csv"), year=2017, commit=True)
    assert again.updated == ["01"] and not again.created
    assert Demography.objects.get(area=uvs["01"]).population == 36
    assert Demography.objects.count() == 2


@pytest.mark.django_db
def test_year_from_a_column_and_dry_run(tmp_path, uvs):
    path = write(tmp_path, "code;year;population\n01;2017;100\n01;2024;120\n")
    summary = import_demography(path, year_field="year", commit=False)
    assert Demography.objects.count() == 0
    assert not summary.report().committed and summary.report().written == len(summary.created)
    import_demography(path, year_field="year", commit=True)
    assert sorted(Demography.objects.values_list("year", "population")) == [(2017, 100), (2024, 120)]


BAD = {
    "not a number": ("code,population\n01,12\n02,doce\n03,1.5\n",
                     {}, "demo.csv row 3, column 'population': 'doce' is not a number; demo.csv row 4, column "
                         "'population': '1.5' is not a whole number"),
    "negative": ("code,population,households\n01,12,-3\n", {},
                 "demo.csv row 2, column 'households': '-3' is negative"),
    "empty population": ("code,population\n01,\n", {}, "demo.csv row 2, column 'population': empty population"),
    "unknown codes": ("code,population\n01,5\n77,1\n88,2\n", {},
                      "2 códigos de demo.csv no son áreas de nivel uv: 77, 88; importe antes esas áreas, revise "
                      "--level y --code-field, u omítalos (--skip-unknown)"),
    "repeated code without sum": ("code,population\n01,5\n02,1\n01,2\n", {},
                                  "repeated codes in demo.csv: 01 (rows 2, 4); pass sum_rows (--sum) to add them up"),
    "missing column": ("cod,population\n01,5\n", {},
                       "no column 'code' in demo.csv; columns are: cod, population"),
    "no population": ("code,pob\n01,5\n", {},
                      "no hay columna de población para demo.csv: asigne una (--population-field COLUMNA); las "
                      "columnas son: code, pob"),
    "no year": ("code,population\n01,5\n", {"year": None},
                "falta el año: indique el año (--year 2017) o la columna que lo tiene"),
    "percent summed": ("code,population,poverty_pct\n01,5,20\n", {"sum_rows": True},
                       "poverty_pct es un porcentaje y no se puede sumar entre filas; impórtelo sin --sum"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_rows_are_refused_and_nothing_written(case, tmp_path, uvs):
    text, kwargs, message = BAD[case]
    Demography.objects.create(area=uvs["01"], year=2017, population=999)
    before = list(Demography.objects.values_list("area__code", "year", "population"))
    with pytest.raises(ValueError) as err:
        import_demography(write(tmp_path, text), **{"year": 2017, **kwargs}, commit=True)
    assert str(err.value) == message
    assert list(Demography.objects.values_list("area__code", "year", "population")) == before


@pytest.mark.django_db
def test_unknown_codes_can_be_skipped_and_are_reported(tmp_path, uvs):
    path = write(tmp_path, "code,population\n01,5\n77,1\n88,2\n")
    summary = import_demography(path, year=2017, skip_unknown=True, commit=True)
    assert (summary.skipped_codes, summary.skipped_population) == (["77", "88"], 3)
    assert list(Demography.objects.values_list("area__code", "population")) == [("01", 5)]


@pytest.mark.django_db
def test_latin1_semicolon_export_with_title_decimal_commas_and_totals(tmp_path, uvs):
    # As Excel on Spanish Windows saves it: a title above the header, thousands dots, decimal commas,
    # a blank line and a totals row, in Windows-1252.
    text = ("Población por unidad vecinal, Censo 2017;;\n\n"
            "Unidad vecinal;Población;Pobreza (%)\n"
            "01;1.234;20,7\n\n"
            "02;987;8,25\n"
            "Total;2.221;\n")
    path = write(tmp_path, text, "cp1252")
    summary = import_demography(path, year=2017, code_field="Unidad vecinal",
                                fields={"population": "Población", "poverty_pct": "Pobreza (%)"}, commit=True)
    assert summary.rows == 2 and summary.created == ["01", "02"]
    assert dict(Demography.objects.values_list("area__code", "population")) == {"01": 1234, "02": 987}
    assert dict(Demography.objects.values_list("area__code", "poverty_pct")) == {"01": 20.7, "02": 8.25}
    assert any("totals row" in note.message for note in summary.notes)
    assert any("above the header" in note.message for note in summary.notes)
    assert {"totals_row", "title_rows"} <= set(summary.report().as_dict()["note_codes"])


@pytest.mark.django_db
def test_errors_name_the_file_line_and_a_decimal_mark_can_be_forced(tmp_path, uvs):
    path = write(tmp_path, "Censo 2017\ncode;population\n01;1.234\n02;1.5\n", "latin-1")
    with pytest.raises(ValueError) as err:
        import_demography(path, year=2017, commit=True)
    assert str(err.value) == "demo.csv row 4, column 'population': '1.5' is not a whole number"
    with pytest.raises(ValueError) as err:
        import_demography(path, year=2017, decimal=".", commit=True)
    assert str(err.value) == ("demo.csv row 3, column 'population': '1.234' is not a whole number; "
                              "demo.csv row 4, column 'population': '1.5' is not a whole number")
    with pytest.raises(ValueError, match="decimal debe ser 'auto', ',' o '.', no «;»"):
        import_demography(path, year=2017, decimal=";", commit=True)


@pytest.mark.django_db
def test_an_unreadable_file_names_it_and_the_fix(tmp_path, uvs):
    with pytest.raises(ValueError) as err:
        import_demography(write(tmp_path, "", name="vacio.csv"), year=2017, commit=True)
    assert str(err.value) == ("vacio.csv: el archivo está vacío (0 bytes). "
                              "Solución: exporte de nuevo la tabla y suba el archivo nuevo")
