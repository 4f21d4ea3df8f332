"""What can go wrong, in two sizes: a whole file (`ImportFailed`) or one cell (`Issue`, shared by every
import: `observatorio.importing`).

Like the readers and parsers, messages are English and carry a ``fix``; the
interface translates them. A value shown in an issue is already safe to show:
RUTs are masked before an `Issue` is made.
"""

from __future__ import annotations

from observatorio.errors import UserError
from observatorio.importing import ERROR, WARNING, Issue

__all__ = ["ERROR", "WARNING", "ImportFailed", "Issue"]


class ImportFailed(UserError):
    """Nothing of the file can be imported (unreadable, unmapped required column, unknown source).

    A `UserError`, so the CLI turns it into one line and exit code 2.
    """

    def __init__(self, file: str, message: str, fix: str, code: str = "import_failed", params: dict | None = None):
        self.file = file
        self.message = message
        self.fix = fix
        self.code = code
        self.params = dict(params or {})  # the facts the interface's sentence names (a field, a column)
        super().__init__(f"{message}. Fix: {fix}" if fix else message)

    def as_dict(self) -> dict:
        return {"file": self.file, "code": self.code, "message": self.message, "fix": self.fix, "params": self.params}
