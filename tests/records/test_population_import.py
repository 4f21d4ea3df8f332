"""INE population projections with bad cells: one `Issue` per cell (code, file, row, column, value, fix),
nothing written, and the command's line in Spanish by default (English on request)."""

from __future__ import annotations

import pytest

from observatorio import cli
from observatorio.importing import IssuesFound
from observatorio.records.models import PopulationProjection
from observatorio.records.pipeline.population import load_population

pytestmark = pytest.mark.django_db

ROWS = ["cut_comuna;comuna;año;población",
        "13122;Peñalolén;2024;266798",
        "13122;Peñalolén;dos mil;266000",
        "13123;Providencia;2024;1.5",
        "13124;Pudahuel;2024;muchos",
        ";Quilicura;2024;-3"]


def write(tmp_path, lines, name="poblacion.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_bad_cell_is_an_issue_naming_row_column_and_fix(tmp_path):
    path = write(tmp_path, ROWS)
    with pytest.raises(IssuesFound) as caught:
        load_population(path, commit=True)
    got = {(i.code, i.row, i.column, i.value) for i in caught.value.issues}
    assert got == {("bad_year", 3, "año", "dos mil"), ("not_whole", 4, "población", "1.5"),
                   ("bad_number", 5, "población", "muchos"), ("empty_code", 6, "cut_comuna", ""),
                   ("negative_number", 6, "población", "-3")}
    assert all(i.file == "poblacion.csv" and i.fix for i in caught.value.issues)
    assert "poblacion.csv row 3, column 'año': 'dos mil' is not a year" in str(caught.value)
    assert not PopulationProjection.objects.exists()


def test_a_missing_column_names_the_file_s_columns(tmp_path):
    path = write(tmp_path, ["cut_comuna;año;habitantes", "13122;2024;266798"])
    with pytest.raises(IssuesFound) as caught:
        load_population(path)
    (issue,) = caught.value.issues
    assert (issue.code, issue.column, issue.row) == ("missing_column", "poblacion", 0)
    assert "habitantes" in issue.value


def test_a_good_file_loads(tmp_path):
    result = load_population(write(tmp_path, ROWS[:2] + ["13123;Providencia;2025;150000"]), commit=True)
    assert result.rows == 2 and result.years == (2024, 2025)
    assert PopulationProjection.objects.get(area_code="13122", year=2024).population == 266798


def test_the_command_says_it_in_spanish_and_in_english(tmp_path, capsys):
    path = write(tmp_path, ROWS)
    assert cli.main(["population", str(path), "--commit"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("observatorio population: error: ")
    assert ("poblacion.csv, fila 3, columna «año», valor «dos mil»: El año no es válido. Escriba el año con "
            "cuatro cifras, p. ej. 2017") in err
    assert "fila 5, columna «población», valor «muchos»: El valor no es un número." in err
    for english in (" row ", " column ", " is not ", "Fix", "write "):
        assert english not in err, english
    assert cli.main(["--lang", "en", "population", str(path), "--commit"]) == 2
    err = capsys.readouterr().err
    assert "poblacion.csv row 3, column 'año': 'dos mil' is not a year" in err and "fila" not in err
    missing = write(tmp_path, ["cut_comuna;año;habitantes", "13122;2024;266798"], "sin_poblacion.csv")
    assert cli.main(["population", str(missing)]) == 2
    err = capsys.readouterr().err
    assert ("sin_poblacion.csv, columna «poblacion»: El archivo no tiene la columna indicada. Indique una de las "
            "columnas del archivo. (columnas del archivo: cut_comuna, año, habitantes)") in err
