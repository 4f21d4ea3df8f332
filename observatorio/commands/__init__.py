"""One module per top-level CLI command, each with ``register(subparsers)``.

Each module's handler parses options, calls the core function and prints the
result; a problem the user can fix is raised as ``observatorio.errors.UserError``,
which ``cli.py`` prints as one line with exit code 2. Help and messages are
Spanish strings marked with ``_()`` from ``i18n.py`` (English in the catalogue).
"""
