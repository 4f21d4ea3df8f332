"""``observatorio serve``: the web application on Waitress, or on Django's development server with ``--dev``.

Waitress is a production WSGI server in pure Python: one process with many
threads, so the per-process caches (the events' snapshot, the map's cells)
are shared by every request and memory stays that of one process (decision 27). Static files are served by WhiteNoise inside the
application either way.
"""

from __future__ import annotations

import logging

from observatorio.errors import UserError

from .i18n import _

logger = logging.getLogger(__name__)

THREADS = 8


def register(sub):
    p = sub.add_parser("serve", help=_("sirve la aplicación web"), description=_("Sirve la aplicación web."))
    p.add_argument("--host", default="127.0.0.1", help=_("dirección en que escucha (por defecto 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8000, help=_("puerto (por defecto 8000)"))
    p.add_argument("--threads", type=int, default=THREADS,
                   help=_("solicitudes atendidas a la vez (por defecto %(default)s)"))
    p.add_argument("--dev", action="store_true",
                   help=_("el servidor de desarrollo de Django en vez de Waitress (solo para depurar)"))
    p.set_defaults(handler=handle)


def handle(args):
    if not 0 < args.port < 65536:
        raise UserError(_("--port %(port)s no es un puerto TCP; use 1–65535") % {"port": args.port})
    if not 0 < args.threads <= 256:
        raise UserError(_("--threads %(threads)s debe estar entre 1 y 256") % {"threads": args.threads})
    print(_("Observatorio en http://%(host)s:%(port)s/ (Ctrl+C para detener)")
          % {"host": args.host, "port": args.port}, flush=True)
    # The events' snapshot is read while the server starts, not by the first person who opens a dashboard
    # (13-19 s at 5M events); a page asked for before it is ready shows the load's progress.
    warm_snapshot()
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
        return 0
    from waitress import serve

    from observatorio.wsgi import application

    serve(application, host=args.host, port=args.port, threads=args.threads, ident="observatorio")
    return 0


def warm_snapshot() -> None:
    """Start building the data state in a background thread (``observatorio.state.warm_up``)."""
    from django.db import connection

    from observatorio.state import warm_up

    try:
        warm_up()
    except Exception:  # a missing table (not migrated) or a database down: the first request will say so
        logger.exception("could not start reading the event snapshot")
    finally:
        connection.close()  # the server's threads open their own
