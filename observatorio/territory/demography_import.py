"""Import population and social composition by area and year from a CSV file.

Census and municipal CSVs come in UTF-8 or Latin-1/Windows-1252, separated by
``,``, ``;`` (the Spanish-locale Excel default, which also writes decimal
commas) or tabs, sometimes with a title above the header or a totals row at
the end: they are read by the reader the import pipeline uses too (`tables.readers`),
and numbers by the Chilean rule (`tables.parsing.parse_number`: "1.234" is
1234, "20,7" is 20.7). Every row is checked before anything is written, and
one transaction writes them all, so a bad file leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from observatorio.errors import UserError
from observatorio.importing import MAX_MESSAGES, Issue, Report, raise_errors
from observatorio.tables.parsing import ParseError, parse_number
from observatorio.tables.readers import ReadError
from observatorio.tables.readers import read_table as read_raw

from .importers import _short, normalise_code, parse_level
from .models import Area, Demography, Level

COUNT_FIELDS = ("population", "households", "women", "children_youth", "migrants", "indigenous")
PERCENT_FIELDS = ("poverty_pct",)
FIELDS = COUNT_FIELDS + PERCENT_FIELDS


@dataclass
class DemographySummary:
    path: str
    year: int | None
    level: str
    rows: int
    areas: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped_codes: list[str] = field(default_factory=list)
    skipped_population: int = 0
    valid: int = 0  # rows whose code is an area of the level (after code_prefix)
    notes: list = field(default_factory=list)  # readers.Note (code, English message, row, params)
    totals: dict[str, float] = field(default_factory=dict)
    committed: bool = False

    def report(self) -> Report:
        """The one shape every import reports in (`observatorio.importing.Report`)."""
        return Report(kind="demography", file=self.path, read=self.rows, valid=self.valid,
                      written=len(self.created) + len(self.updated), committed=self.committed, notes=self.notes,
                      details={"level": self.level, "year": self.year, "areas": self.areas, "created": self.created,
                               "updated": self.updated, "skipped_codes": self.skipped_codes,
                               "skipped_population": self.skipped_population,
                               "totals": {k: v for k, v in self.totals.items() if k in COUNT_FIELDS}})


def _number(text: str, decimal: str) -> float | None:
    try:
        return parse_number(text, decimal=decimal)
    except ParseError:
        return None


def import_demography(path, year: int | None = None, code_field: str = "code", level=Level.UV,
                      fields: dict[str, str] | None = None, sum_rows: bool = False, *,
                      year_field: str | None = None, code_prefix: str | None = None,
                      skip_unknown: bool = False, commit: bool = False,
                      source_label: str | None = None, decimal: str = "auto") -> DemographySummary:
    """Load demography by area from a CSV, all or nothing.

    Parameters
    ----------
    year, year_field : the year of every row, or the column holding it.
    code_field : column with the area code, matched against areas of ``level``.
    fields : Demography field -> CSV column, e.g. ``{"population": "poblacion"}``; by default
        every Demography field whose name is a column. ``population`` is required.
    sum_rows : add up the rows of a code (e.g. one row per age band); otherwise a repeated
        code is an error. ``poverty_pct`` cannot be summed.
    code_prefix : only rows whose code starts with it (e.g. the CUT "13122" in a census geocode).
    skip_unknown : codes with no area are reported in the summary instead of failing.
    commit : write; by default (False) a dry run that validates and reports what it would write.
    decimal : "auto" (the Chilean rule of `tables.parsing.parse_number`), or "," or "." when the
        file is known to use that decimal mark.

    Rows are the file's lines, as in a spreadsheet (the header is row 1 unless a title is above it).
    """
    level = parse_level(level)
    if decimal not in ("auto", ",", "."):
        raise UserError(gettext("decimal debe ser 'auto', ',' o '.', no «%(value)s»") % {"value": decimal})
    path = Path(path)
    name = path.name
    try:
        table = read_raw(path, format="csv")
    except ReadError as exc:
        raise UserError("%(error)s", error=exc) from None
    header = table.columns
    if fields is None:
        fields = {f: f for f in FIELDS if f in header}
    unknown_targets = [f for f in fields if f not in FIELDS]
    if unknown_targets:
        raise UserError(gettext("campos de demografía desconocidos: %(fields)s; los campos son: %(all)s")
                        % {"fields": ", ".join(unknown_targets), "all": ", ".join(FIELDS)})
    if "population" not in fields:
        raise UserError(gettext("no hay columna de población para %(name)s: asigne una (--population-field COLUMNA); las "
                          "columnas son: %(columns)s") % {"name": name, "columns": ", ".join(header)})
    if year is None and year_field is None:
        raise UserError(gettext("falta el año: indique el año (--year 2017) o la columna que lo tiene"))
    if sum_rows and "poverty_pct" in fields:
        raise UserError(gettext("poverty_pct es un porcentaje y no se puede sumar entre filas; impórtelo sin --sum"))
    wanted = [code_field] + list(fields.values()) + ([year_field] if year_field else [])
    missing = [c for c in dict.fromkeys(wanted) if c not in header]
    raise_errors([Issue(name, 0, c, ", ".join(header), f"no column {c!r} in {name}; columns are: {', '.join(header)}",
                        "name one of the file's columns", code="missing_column") for c in missing])

    problems: list[Issue] = []
    values: dict[tuple[str, int], dict[str, float | None]] = {}
    first_row: dict[tuple[str, int], list[int]] = {}
    for n, row in table.records():
        code = normalise_code(row[code_field])
        if code_prefix and not code.startswith(code_prefix):
            continue
        if not code:
            problems.append(Issue(name, n, code_field, "", f"{name} row {n}: empty code in column {code_field!r}",
                                  "give the row its area's code", code="empty_code"))
            continue
        if year_field:
            y = _number(row[year_field], decimal)
            if y is None or not float(y).is_integer():
                problems.append(Issue(name, n, year_field, row[year_field], f"{name} row {n}, column {year_field!r}: "
                                      f"{row[year_field]!r} is not a year", "write the year as 2017",
                                      code="bad_year"))
                continue
            row_year = int(y)
        else:
            row_year = int(year)
        parsed = {}
        for target, column in fields.items():
            raw = row[column].strip()
            if raw == "":
                if target == "population":
                    problems.append(Issue(name, n, column, "", f"{name} row {n}, column {column!r}: empty population",
                                          "give every row its population", code="required_empty"))
                parsed[target] = None
                continue
            number = _number(raw, decimal)
            if number is None:
                problems.append(Issue(name, n, column, raw, f"{name} row {n}, column {column!r}: {raw!r} is not a "
                                      f"number", "write a number (1.234 or 20,7), or pass --decimal",
                                      code="bad_number"))
            elif number < 0:
                problems.append(Issue(name, n, column, raw, f"{name} row {n}, column {column!r}: {raw!r} is negative",
                                      "correct the value", code="negative_number"))
            elif target in COUNT_FIELDS and not number.is_integer():
                problems.append(Issue(name, n, column, raw, f"{name} row {n}, column {column!r}: {raw!r} is not a "
                                      f"whole number", "a count is a whole number; check the decimal mark",
                                      code="not_whole"))
            else:
                parsed[target] = int(number) if target in COUNT_FIELDS else number
        key = (code, row_year)
        first_row.setdefault(key, []).append(n)
        if key in values and sum_rows:
            for target, v in parsed.items():
                old = values[key].get(target)
                values[key][target] = v if old is None else (old if v is None else old + v)
        else:
            values[key] = parsed
    if not sum_rows:
        repeated = {k: ns for k, ns in first_row.items() if len(ns) > 1}
        if repeated:
            listed = ", ".join(f"{c} (rows {', '.join(map(str, ns))})" for (c, _), ns in list(repeated.items())[:10])
            (code, _), rows = next(iter(repeated.items()))
            problems.append(Issue(name, rows[1], code_field, code, f"repeated codes in {name}: {listed}; pass "
                                  f"sum_rows (--sum) to add them up", "pass --sum to add them up, or keep one row",
                                  code="repeated_code"))
    raise_errors(problems)
    if not values:
        raise UserError(gettext("no hay filas de %(name)s con códigos que empiecen por «%(prefix)s» para importar")
                        % {"name": name, "prefix": code_prefix} if code_prefix
                        else gettext("no hay filas de %(name)s para importar") % {"name": name})

    codes = sorted({c for c, _ in values})
    areas = {a.code: a for a in Area.objects.filter(level=level, code__in=codes)}
    unknown = [c for c in codes if c not in areas]
    summary = DemographySummary(path=name, year=year, level=str(level), rows=len(table),
                                notes=list(table.notes))
    if unknown and not skip_unknown:
        raise UserError(gettext("%(n)s códigos de %(name)s no son áreas de nivel %(level)s: %(codes)s; importe antes esas "
                          "áreas, revise --level y --code-field, u omítalos (--skip-unknown)")
                        % {"n": len(unknown), "name": name, "level": level, "codes": _short(unknown, MAX_MESSAGES)})
    summary.skipped_codes = unknown
    summary.skipped_population = int(sum(v["population"] or 0 for (c, _), v in values.items() if c in unknown))
    kept = {k: v for k, v in values.items() if k[0] in areas}
    summary.areas = len({c for c, _ in kept})
    summary.valid = sum(len(ns) for k, ns in first_row.items() if k[0] in areas)
    summary.totals = {f: sum(v.get(f) or 0 for v in kept.values()) for f in fields}

    source = source_label or name
    with transaction.atomic():
        existing = {(d.area.code, d.year): d for d in
                    Demography.objects.filter(area__in=areas.values()).select_related("area")}
        for (code, row_year), parsed in sorted(kept.items()):
            (summary.updated if (code, row_year) in existing else summary.created).append(code)
            if commit:
                Demography.objects.update_or_create(area=areas[code], year=row_year,
                                                    defaults={**parsed, "source": source})
        summary.committed = commit
    return summary
