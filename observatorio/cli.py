"""The ``observatorio`` command: a thin adapter over the same core the web uses.

Exit codes: 0 success; 2 a problem the user can fix — a usage error, or a
``UserError`` (``observatorio.errors``) from any layer — printed as one line
that says what to fix; 1 anything else, which is a bug, printed as one line
naming the exception with a hint to rerun with ``--debug`` for the traceback
(also 1, with its own line: the database unreachable, memory exhausted); 130
interrupted; 141 the reader of the output went away (``… | head``), quietly.

Help and messages are in one language, Spanish unless ``--lang en`` or
``OBS_LANGUAGE=en`` asks for English (``commands/i18n.py``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from observatorio.commands import i18n
from observatorio.commands.i18n import _
from observatorio.env import ConfigError
from observatorio.errors import UserError

# Each name is a module in observatorio/commands with register(subparsers).
COMMANDS = ("serve", "migrate", "createuser", "territory", "demo", "analyze", "importer", "figures", "measures",
            "backup", "db_roles", "report", "indicators", "alerts")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatorio.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the language now active (``i18n.active``)."""
    parser = i18n.ArgumentParser(
        prog="observatorio",
        description=_("Observatorio de Seguridad Humana: registro, territorio, análisis y publicación."),
    )
    from observatorio import __version__

    parser.add_argument("--version", action="version", version=f"observatorio {__version__}",
                        help=_("muestra la versión y termina"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help=_("idioma de la ayuda y los mensajes (por defecto: OBS_LANGUAGE, si no es)"))
    parser.add_argument("--debug", action="store_true",
                        help=_("ante un error interno, muestra el detalle (traceback) en vez de una línea"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMANDO"))
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"observatorio.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    with i18n.active(i18n.choose(argv)):
        try:
            parser = build_parser()
            args = parser.parse_args(argv)
            code = run(args)
            sys.stdout.flush()  # a closed pipe surfaces here, not at exit
            return code
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_BROKEN_PIPE


def run(args: argparse.Namespace) -> int:
    """Run the command of ``args``; every failure becomes one line on stderr and an exit code."""
    prog = f"observatorio {args.command}"
    try:
        if getattr(args, "needs_django", True):
            setup_django()
            from django.utils import translation

            with translation.override(i18n.DJANGO_LANGUAGE[i18n.current()]):
                result = args.handler(args)
        else:
            result = args.handler(args)
        return EXIT_OK if result is None else int(result)
    except ConfigError as exc:
        _debug(args)
        _say(_("observatorio: error de configuración: %(message)s") % {"message": _one_line(exc)})
        return EXIT_USAGE
    except UserError as exc:
        _debug(args)
        from observatorio.commands.reports import error_text

        _say(_("%(prog)s: error: %(message)s") % {"prog": prog, "message": error_text(exc)})
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say(_("%(prog)s: interrumpido") % {"prog": prog})
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # main() ends quietly
    except MemoryError:
        _debug(args)
        _say(_("%(prog)s: no hay memoria suficiente para terminar; pruebe con menos datos (un archivo, un "
               "período o un área más pequeños)") % {"prog": prog})
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the last line of defence for scripts
        if _is_database_error(exc):
            _debug(args)
            _say(_("%(prog)s: error de la base de datos: %(message)s. ¿Está disponible y al día (observatorio "
                   "migrate)?") % {"prog": prog, "message": _one_line(exc).rstrip(".")})
            return EXIT_FAILURE
        if args.debug:
            traceback.print_exc()
            return EXIT_FAILURE
        detail = f"{type(exc).__name__}: {_one_line(exc)}" if str(exc) else type(exc).__name__
        _say(_("%(prog)s: error interno: %(detail)s. Vuelva a ejecutar con --debug para ver el detalle.")
             % {"prog": prog, "detail": detail.rstrip(".")})
        return EXIT_FAILURE


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n")).strip()


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _debug(args) -> None:
    """With --debug, the traceback of the error being handled comes before its one line."""
    if args.debug:
        traceback.print_exc()


def _is_database_error(exc: Exception) -> bool:
    if "django.db" not in sys.modules:  # analyze never loads Django
        return False
    from django.db.utils import OperationalError

    return isinstance(exc, OperationalError)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit finds no broken pipe to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pytest's captured stdout has no file descriptor
        pass


if __name__ == "__main__":
    sys.exit(main())
