"""The one exception type for a problem the user can fix (``UserError``).

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
"""

from __future__ import annotations


class UserError(ValueError):
    """A problem the user can fix; its message says what to fix (CLI: one line, exit code 2)."""
