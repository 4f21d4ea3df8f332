"""INE population projections by comuna and year: the denominators of CEAD rates.

Stored in `PopulationProjection` keyed by CUT, for every comuna in the file
(CEAD covers all 345, the territory only the comunas set up). Loading a
file again replaces the years it contains.
"""

from __future__ import annotations

from dataclasses import dataclass

from observatorio.importing import Report

from .issues import ImportFailed
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

    import numpy as np
    from django.db import transaction

    from observatorio.records.models import PopulationProjection
    from observatorio.tables.readers import ReadError, read_table

    try:
        table = read_table(path)
    except ReadError as exc:
        raise ImportFailed(exc.file, f"{exc.file}: {exc.message}", exc.fix, code="unreadable") from None
    keys = {name_key(c): c for c in table.columns}
    found = {}
    for role, names in COLUMNS.items():
        found[role] = next((keys[name_key(n)] for n in names if name_key(n) in keys), None)
        if found[role] is None and role != "name":
            raise ImportFailed(table.file, f"no {role} column in {table.file}; the columns are: "
                                           f"{', '.join(map(repr, table.columns))}",
                               "the file needs cut_comuna, año and población columns")
    frame = table.frame
    code = frame[found["code"]].str.strip().str.replace(r"\.0$", "", regex=True)
    year = frame[found["year"]].astype(int)
    population = frame[found["population"]].str.replace(r"\.0$", "", regex=True).astype(np.int64)
    names = frame[found["name"]] if found["name"] else code
    result = PopulationResult(Path(path).name, len(frame), int(code.nunique()),
                              (int(year.min()), int(year.max())) if len(frame) else (0, 0), commit)
    if commit:
        with transaction.atomic():
            PopulationProjection.objects.filter(year__in=sorted(set(year.tolist()))).delete()
            PopulationProjection.objects.bulk_create([
                PopulationProjection(area_code=c, name=n[:100], year=y, population=p, source=source)
                for c, n, y, p in zip(code.tolist(), names.tolist(), year.tolist(), population.tolist())
            ], batch_size=5000)
    return result


def rate_per_100k(count: int, area_code: str, year: int) -> float | None:
    """Cases per 100,000 inhabitants with the projection for that comuna and year (None without one)."""
    from observatorio.records.models import PopulationProjection

    population = (PopulationProjection.objects.filter(area_code=str(area_code), year=year)
                  .values_list("population", flat=True).first())
    if not population:
        return None
    return count / population * 100_000
