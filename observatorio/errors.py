"""The one exception type for a problem the user can fix (``UserError``), and how its words are kept.

Django-free, so that every layer can raise it: the analysis package (which
imports no Django), the readers and the import pipeline, the territory and
the commands. The CLI prints a ``UserError`` as one line and exits with code
2; any other exception that reaches it is a bug (exit code 1, the traceback
with ``--debug``).

It subclasses ``ValueError`` so that callers that catch ``ValueError`` (the
web's views and forms) keep catching it. The rule: raise ``UserError`` where
the message tells the person what to fix in their input (an option, a file,
a column, a code); raise ``ValueError`` (or anything else) only for a
programming error, which the CLI reports as an internal error.

The layers below Django (``analysis``, ``tables``) cannot translate, so they
write each message as a Spanish source string marked with `N_` (the catalogue
collects it, like ``gettext_noop``) and keep its named values apart:
``raise UserError(N_("%(file)s: el archivo no tiene filas de datos"), file=name)``.
``str()`` of the error is the Spanish text; whoever shows it (the CLI's one
error printer, the web) calls ``translated(gettext)`` for the reader's language.
A value may itself be a `Text` (a reader's reason inside an import failure):
it is translated the same way.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the conventional name of gettext_noop
    """Marks a Spanish source string for the catalogue; it is translated where it is shown."""
    return text


def render(template: str, params: dict, gettext=None) -> str:
    """``template`` (through ``gettext`` when given) filled with ``params``, nested `Text` values translated too."""
    text = gettext(template) if gettext is not None and template else template
    if not params:
        return text
    values = {key: value.translated(gettext) if hasattr(value, "translated") else value
              for key, value in params.items()}
    return text % values


class Text:
    """A message that is not (yet) an exception: a Spanish template and its named values."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, /, **params):
        self.template, self.params = template, params

    def translated(self, gettext=None) -> str:
        return render(self.template, self.params, gettext)

    def __str__(self) -> str:
        return self.translated()

    def __repr__(self) -> str:
        return f"Text({str(self)!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


# The marks of a number, decimal then thousands, in the reader's language: Chile writes 1.234,5; the English
# catalogue turns this into ".," (1,234.5). The one place below Django that knows a language's number marks.
NUMBER_MARKS = N_(",.")
UNITS = ("KB", "MB", "GB", "TB")


def human_size(n: int, marks: str = ",.") -> str:
    """A size in bytes as a person reads it: "52.428 bytes" → "51,2 KB", "1 byte", "200 MB" (powers of 1,024;
    one decimal, none when it is 0); ``marks`` are the decimal and thousands marks (`NUMBER_MARKS`)."""
    n = int(n)
    if abs(n) < 1024:
        return f"{n} byte" if abs(n) == 1 else f"{n} bytes"
    power = 1
    while power < len(UNITS) and abs(n) >= 1024 ** (power + 1):
        power += 1
    value, unit = n / 1024 ** power, UNITS[power - 1]
    text = f"{value:,.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    decimal, thousands = (marks + ",.")[:2]
    return text.translate(str.maketrans({".": decimal, ",": thousands})) + " " + unit


class Size:
    """A size in bytes inside a message, written in the reader's language where the message is shown."""

    __slots__ = ("bytes",)

    def __init__(self, n: int):
        self.bytes = int(n)

    def translated(self, gettext=None) -> str:
        return human_size(self.bytes, gettext(NUMBER_MARKS) if gettext is not None else NUMBER_MARKS)

    def __str__(self) -> str:
        return self.translated()

    def __repr__(self) -> str:
        return f"Size({self.bytes})"


class UserError(ValueError):
    """A problem the user can fix; its message says what to fix (CLI: one line, exit code 2).

    ``template`` is the Spanish source string (marked with `N_`), ``params`` its named values; ``str()``
    is the Spanish text, `translated` the text in the language of ``gettext``.
    """

    def __init__(self, template="", /, **params):
        if isinstance(template, Text):
            template, params = template.template, {**template.params, **params}
        self.template, self.params = str(template), params
        super().__init__(render(self.template, params))

    def translated(self, gettext=None) -> str:
        return render(self.template, self.params, gettext)


def as_text(exc) -> Text:
    """An exception's message to pass on inside another: a `UserError` keeps its Spanish template (so it is
    translated with the message around it), anything else is its text as it is."""
    if isinstance(exc, UserError):
        return Text(exc.template, **exc.params)
    return Text("%(text)s", text=str(exc))
