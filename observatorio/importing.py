"""One shape for every import of a user's file: an `Issue` per problem and one `Report` per run.

Records (`records.pipeline.run_import`), boundaries (`territory.importers`),
demography (`territory.demography_import`), the gazetteer and the population
projections (`records.pipeline.gazetteer`, `.population`) all describe what
they did — or, in a dry run, what they would do — as a `Report`, and every
problem as an `Issue` with a stable code. `observatorio.wording` gives each
code its Spanish sentence (English from the catalogue); the CLI prints every
report with one function (`commands.reports`), and ``--json`` prints
`Report.as_dict`.

Django-free and importing nothing of observatorio but `errors`, so territory
(which never imports records) and records share it. Messages are English and
name the exact value; the interface words the code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from observatorio.errors import UserError

ERROR, WARNING = "error", "warning"
MAX_MESSAGES = 20  # problems named in one error line; the rest are counted


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or row, or feature, when ``column`` is empty). ``row`` is the file's row
    (counting title and blank lines) or a feature's number; 0 when the problem is the whole file's."""

    file: str
    row: int
    column: str
    value: str
    message: str
    fix: str
    code: str
    severity: str = ERROR

    def as_dict(self) -> dict:
        return asdict(self)


class IssuesFound(UserError):
    """Errors that stop an all-or-nothing import (boundaries, demography): nothing was written.

    One line naming the first problems (each message names file, row or feature, column and the fix);
    the issues themselves are kept for whoever wants them one by one.
    """

    def __init__(self, issues, limit: int = MAX_MESSAGES):
        self.issues = list(issues)
        extra = len(self.issues) - limit
        text = "; ".join(i.message for i in self.issues[:limit])
        super().__init__(text + (f"; … and {extra} more problems" if extra > 0 else ""))


def raise_errors(issues) -> None:
    """Raise `IssuesFound` when any of ``issues`` is an error."""
    errors = [i for i in issues if i.severity == ERROR]
    if errors:
        raise IssuesFound(errors)


@dataclass
class Report:
    """What an import wrote, or would write in a dry run.

    ``read``: rows (or features) the file gave; ``valid``: those without an error; ``written``: records
    written — in a dry run (``committed`` False), the records a commit would write. ``details`` holds
    what only this kind of import counts (new areas, duplicates, a batch number…), ordered as shown.
    """

    kind: str  # "records", "boundaries", "demography", "gazetteer", "population"
    file: str
    read: int
    valid: int
    written: int
    committed: bool
    issues: list[Issue] = field(default_factory=list)
    notes: list = field(default_factory=list)  # tables.readers.Note: code, English message, row, params
    details: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def as_dict(self, limit: int | None = None) -> dict:
        errors, warnings = self.errors, self.warnings
        return {
            "kind": self.kind, "file": self.file, "committed": self.committed,
            "read": self.read, "valid": self.valid, "written": self.written,
            "errors": [e.as_dict() for e in errors[:limit]], "errors_total": len(errors),
            "warnings": [w.as_dict() for w in warnings[:limit]], "warnings_total": len(warnings),
            "notes": [n.message for n in self.notes], "note_codes": [n.code for n in self.notes],
            **self.details,
        }
