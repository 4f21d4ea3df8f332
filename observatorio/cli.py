"""The ``observatorio`` command: a thin adapter over the same core the web uses.

Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage (the message
says what to fix), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from observatorio.env import ConfigError

# Each name is a module in observatorio/commands with register(subparsers).
COMMANDS = ("serve", "migrate", "createuser", "territory", "demo", "analyze", "importer")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="observatorio",
        description="Observatorio de Seguridad Humana: registro, territorio, análisis y publicación.",
    )
    from observatorio import __version__

    parser.add_argument("--version", action="version", version=f"observatorio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"observatorio.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "needs_django", True):
            setup_django()
        result = args.handler(args)
        return EXIT_OK if result is None else int(result)
    except ConfigError as exc:
        print(f"observatorio: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, ValueError) as exc:
        print(f"observatorio {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"observatorio {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence for scripts
        from django.db.utils import OperationalError

        if isinstance(exc, OperationalError):
            print(f"observatorio {args.command}: database error: {exc}. Is the database reachable and migrated "
                  f"(observatorio migrate)?", file=sys.stderr)
            return EXIT_FAILURE
        raise


if __name__ == "__main__":
    sys.exit(main())
