"""``observatorio serve``: the web application on Waitress, or on Django's development server with ``--dev``.

Waitress is a production WSGI server in pure Python: one process with many
threads, so the per-process caches (the events' snapshot, the map's cells)
are shared by every request and memory stays that of one process (decision 27). Static files are served by WhiteNoise inside the
application either way.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

THREADS = 8


def register(sub):
    p = sub.add_parser("serve", help="serve the web app", description="Serve the web application.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=int, default=THREADS, help=f"requests served at once (default {THREADS})")
    p.add_argument("--dev", action="store_true",
                   help="Django's development server instead of Waitress (debugging only)")
    p.set_defaults(handler=handle)


def handle(args):
    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port; use 1–65535")
    if not 0 < args.threads <= 256:
        raise ValueError(f"--threads {args.threads} must be between 1 and 256")
    print(f"Observatorio en http://{args.host}:{args.port}/ (Ctrl+C para detener)", flush=True)
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
    """Start reading the snapshot in a background thread (``records.snapshot.warm_up``)."""
    from django.db import connection

    from observatorio.records.snapshot import warm_up

    try:
        warm_up()
    except Exception:  # a missing table (not migrated) or a database down: the first request will say so
        logger.exception("could not start reading the event snapshot")
    finally:
        connection.close()  # the server's threads open their own
