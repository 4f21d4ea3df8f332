"""What can go wrong, in two sizes: a whole file (`ImportFailed`) or one cell (`Issue`).

Like the readers and parsers, messages are English and carry a ``fix``; the
interface translates them. A value shown in an issue is already safe to show:
RUTs are masked before an `Issue` is made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from observatorio.errors import UserError

ERROR, WARNING = "error", "warning"


class ImportFailed(UserError):
    """Nothing of the file can be imported (unreadable, unmapped required column, unknown source).

    A `UserError`, so the CLI turns it into one line and exit code 2.
    """

    def __init__(self, file: str, message: str, fix: str, code: str = "import_failed"):
        self.file = file
        self.message = message
        self.fix = fix
        self.code = code
        super().__init__(f"{message}. Fix: {fix}" if fix else message)

    def as_dict(self) -> dict:
        return {"file": self.file, "code": self.code, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or row, when ``column`` is empty)."""

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
