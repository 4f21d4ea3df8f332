"""Measures as a file: export every measure as JSON, import such a file (dry run unless committed).

The file is the measures' part of the observatory's configuration; sources
and categories are named by code, so it moves between databases::

    {"format": "observatorio-measures", "version": 1, "measures": [
      {"code": "casos-policiales", "name": "Casos policiales", "unit": "casos", "kind": "conteo",
       "sources": ["cead-policial"], "categories": [], "combine": "una", "primary_source": null,
       "link_attribute": "", "link_metres": 100, "link_hours": 24, "reference_source": "cead",
       "sensitive": false, "definition": "…", "position": 10}]}

An import creates or updates measures by code; a field left out of a
measure keeps its value (or the model's default for a new measure). Every
problem is an `importing.Issue` naming the file, the measure (its position in
the list, ``row``, and its code in the message), the field and the fix;
with any error nothing is written, and a commit is one transaction. The
data state sees the change by itself (its catalog key sums the measures).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.db import transaction

from observatorio.importing import ERROR, Issue, Report

from .measures import problems
from .models import Category, Combine, Measure, MeasureKind, Source, SourceKind

FORMAT, VERSION = "observatorio-measures", 1
FIELDS = ("code", "name", "unit", "kind", "sources", "categories", "combine", "primary_source", "link_attribute",
          "link_metres", "link_hours", "reference_source", "sensitive", "definition", "position")
TEXTS = {"name": 200, "unit": 60, "link_attribute": 60}  # field → max length
NUMBERS = {"link_metres": (1, 100_000), "link_hours": (1, 24 * 366), "position": (0, 32767)}
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
NEW_REQUIRED = ("name", "unit", "definition")


def measure_dict(m: Measure) -> dict:
    """One measure as the file holds it (sources and categories by code, sorted)."""
    return {"code": m.code, "name": m.name, "unit": m.unit, "kind": m.kind,
            "sources": sorted(s.code for s in m.sources.all()),
            "categories": sorted(c.code for c in m.categories.all()), "combine": m.combine,
            "primary_source": m.primary_source.code if m.primary_source else None,
            "link_attribute": m.link_attribute, "link_metres": m.link_metres, "link_hours": m.link_hours,
            "reference_source": m.reference_source.code if m.reference_source else None,
            "sensitive": m.sensitive, "definition": m.definition, "position": m.position}


def export_measures() -> dict:
    measures = Measure.objects.select_related("primary_source", "reference_source").prefetch_related(
        "sources", "categories").order_by("position", "code")
    return {"format": FORMAT, "version": VERSION, "measures": [measure_dict(m) for m in measures]}


def export_text() -> str:
    return json.dumps(export_measures(), ensure_ascii=False, indent=1) + "\n"


# --- import ---------------------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[list | None, list[Issue]]:
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return None, [Issue(name, 0, "", "", f"{name}: no such file", "Give the path of a measures file "
                            "written by `observatorio measures export`.", code="measure_bad_file")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Issue(name, 0, "", "", f"{name}: not a UTF-8 JSON file ({exc})",
                            "Write the file as `observatorio measures export` does: UTF-8 JSON.",
                            code="measure_bad_file")]
    if isinstance(data, dict) and data.get("format", FORMAT) == FORMAT and isinstance(data.get("measures"), list):
        return data["measures"], []
    if isinstance(data, list):
        return data, []
    return None, [Issue(name, 0, "measures", "", f"{name}: no list of measures",
                        'Give an object with "measures": [ … ] (or the list itself).', code="measure_bad_file")]


class _Checker:
    """Checks one measure of the file against the database, collecting issues; keeps the values it reads."""

    def __init__(self, file: str, row: int, item: dict, existing: Measure | None, sources: dict, categories: dict):
        self.file, self.row, self.item, self.existing = file, row, item, existing
        self.sources, self.categories = sources, categories
        self.code = str(item.get("code", ""))
        self.issues: list[Issue] = []
        self.values: dict = measure_dict(existing) if existing else {
            "code": self.code, "name": "", "unit": "", "kind": MeasureKind.COUNT, "sources": [], "categories": [],
            "combine": Combine.SINGLE, "primary_source": None, "link_attribute": "", "link_metres": 100,
            "link_hours": 24, "reference_source": None, "sensitive": False, "definition": "", "position": 100}

    def where(self, field: str) -> str:
        return f"{self.file}: measure {self.row} ({self.code or 'without code'}), field {field!r}"

    def issue(self, field: str, value, problem: str, fix: str, code: str) -> None:
        self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: {problem}",
                                 fix, code=code))

    def check(self) -> None:
        item = self.item
        for field in sorted(set(item) - set(FIELDS)):
            self.issues.append(Issue(self.file, self.row, field, _shown(item[field]),
                                     f"{self.where(field)}: unknown field",
                                     f"Use only the fields {', '.join(FIELDS)}.", code="measure_unknown_field"))
        if self.existing is None:
            for field in NEW_REQUIRED:
                if not str(item.get(field) or "").strip():
                    self.issues.append(Issue(self.file, self.row, field, "", f"{self.where(field)}: a new measure "
                                             "needs it", f"Write the measure's {field}.", code="measure_required"))
        for field, value in item.items():
            if field in FIELDS:
                self.value(field, value)
        if not any(i.severity == ERROR for i in self.issues):
            self.rules()

    def value(self, field: str, value) -> None:  # noqa: C901 - one branch per field, read top to bottom
        v = self.values
        if field == "code":
            if not isinstance(value, str) or not SLUG.match(value):
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not a "
                                         "code", "Use 1-40 letters, digits, hyphens or underscores.",
                                         code="measure_bad_value"))
        elif field in TEXTS or field == "definition":
            limit = TEXTS.get(field)
            if not isinstance(value, str) or (limit and len(value) > limit):
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not a "
                                         f"text of at most {limit or 'any'} characters",
                                         "Write a text (in quotes).", code="measure_bad_value"))
            else:
                v[field] = value
        elif field in ("kind", "combine"):
            choices = MeasureKind.values if field == "kind" else Combine.values
            if value not in choices:
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not "
                                         "one of the choices", f"Use one of: {', '.join(choices)}.",
                                         code="measure_bad_value"))
            else:
                v[field] = value
        elif field in NUMBERS:
            low, high = NUMBERS[field]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not a "
                                         f"whole number from {low} to {high}", "Write a whole number in range.",
                                         code="measure_bad_value"))
            else:
                v[field] = value
        elif field == "sensitive":
            if not isinstance(value, bool):
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not "
                                         "true or false", "Write true or false.", code="measure_bad_value"))
            else:
                v[field] = value
        elif field in ("sources", "categories"):
            known = self.sources if field == "sources" else self.categories
            if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: not a "
                                         "list of codes", 'Write a list of codes, e.g. ["cead-policial"].',
                                         code="measure_bad_value"))
                return
            unknown = [c for c in value if c not in known]
            fix = (f"Use one of: {', '.join(sorted(known))}." if known else
                   f"There are no {field} yet: create them first.")
            for c in unknown:
                message = f"{self.where(field)}: no {field[:-1] if field == 'sources' else 'category'} has the code {c!r}"
                if field == "sources":
                    self.issues.append(Issue(self.file, self.row, field, c, message, fix,
                                             code="measure_unknown_source"))
                else:
                    self.issues.append(Issue(self.file, self.row, field, c, message, fix,
                                             code="measure_unknown_category"))
            if not unknown:
                v[field] = sorted(set(value))
        elif field in ("primary_source", "reference_source"):
            if value is not None and value not in self.sources:
                self.issues.append(Issue(self.file, self.row, field, _shown(value), f"{self.where(field)}: no "
                                         f"source has the code {value!r}",
                                         f"Use null or one of: {', '.join(sorted(self.sources))}.",
                                         code="measure_unknown_source"))
            else:
                v[field] = value

    def rules(self) -> None:
        v = self.values
        sources = [self.sources[c] for c in v["sources"]]
        primary = self.sources.get(v["primary_source"]) if v["primary_source"] else None
        for problem in problems(v["kind"], v["combine"], sources, primary, v["link_attribute"]):
            self.issues.append(Issue(self.file, self.row, "combine", problem, f"{self.where('combine')}: the "
                                     f"measure cannot count honestly: {problem}",
                                     "Change its sources, combine, primary_source or link_attribute.",
                                     code="measure_rule"))
        reference = self.sources.get(v["reference_source"]) if v["reference_source"] else None
        if reference is not None and reference.kind != SourceKind.CEAD:
            self.issues.append(Issue(self.file, self.row, "reference_source", reference.code,
                                     f"{self.where('reference_source')}: {reference.code!r} is not a source of "
                                     "aggregate counts (CEAD)", "Name a CEAD source, or null.",
                                     code="measure_rule"))


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def import_measures(path, *, commit: bool = False) -> Report:
    """Check the file and, with ``commit`` and no error, create or update its measures in one transaction."""
    file = str(path)
    items, issues = _read(Path(path))
    report = Report("measures", file, 0, 0, 0, False, issues,
                    details={"created": [], "updated": [], "unchanged": []})
    if items is None:
        return report
    sources = {s.code: s for s in Source.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    existing = {m.code: m for m in Measure.objects.select_related("primary_source", "reference_source")
                .prefetch_related("sources", "categories")}
    checked, seen = [], set()
    for row, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            report.issues.append(Issue(file, row, "", _shown(item), f"{file}: measure {row} is not an object",
                                       "Write each measure as { \"code\": …, … }.", code="measure_bad_file"))
            continue
        checker = _Checker(file, row, item, existing.get(str(item.get("code", ""))), sources, categories)
        if "code" not in item:
            report.issues.append(Issue(file, row, "code", "", f"{checker.where('code')}: missing",
                                       "Give every measure its code.", code="measure_required"))
        elif checker.code in seen:
            report.issues.append(Issue(file, row, "code", checker.code, f"{checker.where('code')}: the code "
                                       "appears twice in the file", "Keep one entry per measure.",
                                       code="measure_repeated"))
        seen.add(checker.code)
        checker.check()
        report.issues.extend(checker.issues)
        checked.append(checker)
    report.read = len(items)
    report.details["codes"] = [str(i.get("code", "")) if isinstance(i, dict) else "" for i in items]
    bad = {i.row for i in report.issues if i.severity == ERROR}
    report.valid = sum(1 for c in checked if c.row not in bad)
    for c in checked:
        if c.row in bad:
            continue
        key = "unchanged" if c.existing and measure_dict(c.existing) == c.values else (
            "updated" if c.existing else "created")
        report.details[key].append(c.code)
    report.written = len(report.details["created"]) + len(report.details["updated"])
    if commit and not report.errors:
        with transaction.atomic():
            for c in checked:
                if c.code in report.details["unchanged"]:
                    continue
                _save(c.existing, c.values, sources, categories)
        report.committed = True
    return report


def _save(measure: Measure | None, v: dict, sources: dict, categories: dict) -> None:
    measure = measure or Measure(code=v["code"])
    for field in ("name", "unit", "kind", "combine", "link_attribute", "link_metres", "link_hours", "sensitive",
                  "definition", "position"):
        setattr(measure, field, v[field])
    measure.primary_source = sources.get(v["primary_source"]) if v["primary_source"] else None
    measure.reference_source = sources.get(v["reference_source"]) if v["reference_source"] else None
    measure.save()
    measure.sources.set([sources[c] for c in v["sources"]])
    measure.categories.set([categories[c] for c in v["categories"]])
