"""What can go wrong, in two sizes: a whole file (`ImportFailed`) or one cell (`Issue`, shared by every
import: `observatorio.importing`).

Like the readers and parsers, messages are English and carry a ``fix``; the
interface translates them. A value shown in an issue is already safe to show:
RUTs are masked before an `Issue` is made.
"""

from __future__ import annotations

from observatorio.errors import N_, Text, UserError, render
from observatorio.importing import ERROR, WARNING, Issue

__all__ = ["ERROR", "WARNING", "ImportFailed", "Issue"]


class ImportFailed(UserError):
    """Nothing of the file can be imported (unreadable, unmapped required column, unknown source).

    A `UserError`, so the CLI turns it into one line and exit code 2.
    """

    def __init__(self, file: str, message: str | Text, fix: str | Text, code: str = "import_failed",
                 params: dict | None = None):
        # message and fix: English text, or a `Text` (a reader's Spanish template) that `translated` words.
        self.detail, self.fix_detail = message, fix
        super().__init__(self.translated())
        self.file = file
        self.message = str(message)
        self.fix = str(fix)
        self.code = code
        self.params = dict(params or {})  # the facts the interface's sentence names (a field, a column)

    def translated(self, gettext=None) -> str:
        if not self.fix_detail:
            return render("%(message)s", {"message": _text(self.detail)}, gettext)
        if isinstance(self.detail, Text):
            return render(N_("%(message)s. Solución: %(fix)s"),
                          {"message": self.detail, "fix": _text(self.fix_detail)}, gettext)
        return f"{self.detail}. Fix: {self.fix_detail}"

    @property
    def worded(self) -> bool:
        """Whether the detail is a translatable `Text` (else it is English only)."""
        return isinstance(self.detail, Text)

    def as_dict(self) -> dict:
        return {"file": self.file, "code": self.code, "message": self.message, "fix": self.fix, "params": self.params}


def _text(value) -> Text:
    return value if isinstance(value, Text) else Text(str(value))


def unreadable(name: str, exc) -> ImportFailed:
    """The import failure of a file no reader can read (`tables.readers.ReadError`), its reason translatable."""
    return ImportFailed(name, Text("%(file)s: %(reason)s", file=name, reason=_text(exc.message)), _text(exc.fix),
                        code="unreadable")
