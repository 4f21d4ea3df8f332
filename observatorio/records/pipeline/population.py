"""INE population projections by comuna and year: the denominators of CEAD rates.

Stored in `PopulationProjection` keyed by CUT, for every comuna in the file
(CEAD covers all 345, the territory only the comunas set up). Loading a
file again replaces the years it contains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatorio.importing import Issue, Report, raise_errors

from .issues import unreadable
from .names import name_key

SOURCE = "INE, proyecciones de población por comuna (base Censo 2017)"
COLUMNS = {"code": ["cut comuna", "cut", "codigo comuna"], "name": ["comuna", "nombre comuna"],
           "year": ["ano", "año", "anio", "year"], "population": ["poblacion", "population", "total"]}


@dataclass(frozen=True)
class PopulationResult:
    file: str
    rows: int
    comunas: int
    years: tuple[int, int]
    committed: bool

    def report(self) -> Report:
        """The one shape every import reports in (`observatorio.importing.Report`)."""
        return Report(kind="population", file=self.file, read=self.rows, valid=self.rows, written=self.rows,
                      committed=self.committed, details={"comunas": self.comunas, "first_year": self.years[0],
                                                         "last_year": self.years[1]})


def load_population(path, *, commit: bool = False, source: str = SOURCE) -> PopulationResult:
    from pathlib import Path

    from django.db import transaction

    from observatorio.records.models import PopulationProjection
    from observatorio.tables.readers import ReadError, read_table

    try:
        table = read_table(path)
    except ReadError as exc:
        raise unreadable(exc.file, exc) from None
    keys = {name_key(c): c for c in table.columns}
    found = {role: next((keys[name_key(n)] for n in names if name_key(n) in keys), None)
             for role, names in COLUMNS.items()}
    missing = [Issue(table.file, 0, COLUMNS[role][0], ", ".join(map(str, table.columns)),
                     f"{table.file}: no {role} column (one of {', '.join(COLUMNS[role])}); the columns are: "
                     f"{', '.join(map(repr, table.columns))}", "name the column cut_comuna, año or población",
                     code="missing_column")
               for role in ("code", "year", "population") if found[role] is None]
    raise_errors(missing)
    frame = table.frame
    rows = np.asarray(table.row_numbers)
    code = frame[found["code"]].fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    year, year_issues = _whole(frame[found["year"]], rows, table.file, found["year"], "year")
    population, population_issues = _whole(frame[found["population"]], rows, table.file, found["population"],
                                           "population")
    empty = [Issue(table.file, int(r), found["code"], "", f"{table.file} row {r}, column {found['code']!r}: "
                   "empty comuna code", "give every row its CUT code", code="empty_code")
             for r in rows[(code == "").to_numpy()]]
    raise_errors(empty + year_issues + population_issues)
    names = frame[found["name"]] if found["name"] else code
    result = PopulationResult(Path(path).name, len(frame), int(code.nunique()),
                              (min(year), max(year)) if year else (0, 0), commit)
    if commit:
        with transaction.atomic():
            PopulationProjection.objects.filter(year__in=sorted(set(year))).delete()
            PopulationProjection.objects.bulk_create([
                PopulationProjection(area_code=c, name=n[:100], year=y, population=p, source=source)
                for c, n, y, p in zip(code.tolist(), names.tolist(), year, population)
            ], batch_size=5000)
    return result


def _whole(cells, rows: np.ndarray, file: str, column: str, what: str) -> tuple[list[int], list[Issue]]:
    """A column of whole non-negative numbers (a year, a population) and an `Issue` per cell that is not one:
    file, row, column, the value and the fix."""
    import pandas as pd

    text = cells.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    number = pd.to_numeric(text, errors="coerce")
    issues = []
    for r, value, n in zip(rows.tolist(), text.tolist(), number.tolist()):
        if what == "year" and not (pd.notna(n) and float(n).is_integer() and 1900 <= n <= 2100):
            issues.append(Issue(file, int(r), column, value, f"{file} row {r}, column {column!r}: {value!r} is not "
                                "a year", "write the year with four digits, e.g. 2017", code="bad_year"))
        elif what == "population" and pd.isna(n):
            issues.append(Issue(file, int(r), column, value, f"{file} row {r}, column {column!r}: {value!r} is "
                                "not a number", "write a whole number, e.g. 266798", code="bad_number"))
        elif what == "population" and not float(n).is_integer():
            issues.append(Issue(file, int(r), column, value, f"{file} row {r}, column {column!r}: {value!r} is "
                                "not a whole number", "check the decimal separator", code="not_whole"))
        elif what == "population" and n < 0:
            issues.append(Issue(file, int(r), column, value, f"{file} row {r}, column {column!r}: {value!r} is "
                                "negative", "correct the value", code="negative_number"))
    return [0 if pd.isna(n) else int(n) for n in number.tolist()], issues


def rate_per_100k(count: int, area_code: str, year: int) -> float | None:
    """Cases per 100,000 inhabitants with the projection for that comuna and year (None without one)."""
    from observatorio.records.models import PopulationProjection

    population = (PopulationProjection.objects.filter(area_code=str(area_code), year=year)
                  .values_list("population", flat=True).first())
    if not population:
        return None
    return count / population * 100_000
