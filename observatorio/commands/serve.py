import logging
import threading

logger = logging.getLogger(__name__)


def register(sub):
    p = sub.add_parser("serve", help="serve the web app", description="Serve the web application.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(handler=handle)


def handle(args):
    from django.core.management import call_command

    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port; use 1–65535")
    print(f"Observatorio en http://{args.host}:{args.port}/ (Ctrl+C para detener)", flush=True)
    # The events' snapshot is read while the server starts, not by the first person who opens a dashboard
    # (13-19 s at 5M events); requests that come before it is ready wait for the same load.
    threading.Thread(target=warm_snapshot, name="snapshot-warm-up", daemon=True).start()
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)


def warm_snapshot() -> None:
    from django.db import connection

    from observatorio.records.snapshot import get_snapshot

    try:
        get_snapshot()
    except Exception:  # a missing table (not migrated) or a database down: the first request will say so
        logger.exception("could not read the event snapshot at start")
    finally:
        connection.close()
