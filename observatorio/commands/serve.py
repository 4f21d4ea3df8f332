"""``observatorio serve``: the web application on Waitress (one process), on gunicorn with ``--prod`` (several
worker processes), or on Django's development server with ``--dev``.

Waitress is a production WSGI server in pure Python: one process with many
threads, so the per-process caches (the events' snapshot, the map's cells)
are shared by every request and memory stays that of one process (decision 27). Static files are served by WhiteNoise inside the
application either way.

``--prod`` runs gunicorn in this process as its master: ``--workers`` processes with ``--threads`` threads
each (gthread workers), forked from a master that has imported every view and its libraries
(``startup.ready_for_requests``) but holds no data and no connection: each worker maps the events' column files that
the first one wrote (``observatorio.state.store``), so the data are held once in memory for all. A worker that dies is replaced, and the import job it was running is marked failed.

Either way, import jobs left "running" by a server that stopped are marked failed first
(``records/web/recovery.py``), so they can be retried.
"""

from __future__ import annotations

import os

from observatorio.errors import UserError

from .i18n import _
from .startup import ready_for_requests, recover_jobs, warm_snapshot

THREADS = 8


def register(sub):
    p = sub.add_parser("serve", help=_("sirve la aplicación web"), description=_("Sirve la aplicación web."))
    p.add_argument("--host", default="127.0.0.1", help=_("dirección en que escucha (por defecto 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8000, help=_("puerto (por defecto 8000)"))
    p.add_argument("--threads", type=int, default=THREADS,
                   help=_("solicitudes atendidas a la vez (por defecto %(default)s)"))
    p.add_argument("--dev", action="store_true",
                   help=_("el servidor de desarrollo de Django en vez de Waitress (solo para depurar)"))
    p.add_argument("--prod", action="store_true",
                   help=_("varios procesos (gunicorn) en vez de uno: para producción, detrás de un proxy"))
    p.add_argument("--workers", type=int, default=None,
                   help=_("procesos con --prod (por defecto: uno por núcleo, al menos 2)"))
    p.set_defaults(handler=handle)


def handle(args):
    if not 0 < args.port < 65536:
        raise UserError(_("--port %(port)s no es un puerto TCP; use 1–65535") % {"port": args.port})
    if not 0 < args.threads <= 256:
        raise UserError(_("--threads %(threads)s debe estar entre 1 y 256") % {"threads": args.threads})
    if args.workers is not None and not args.prod:
        raise UserError(_("--workers solo sirve con --prod"))
    if args.prod and args.dev:
        raise UserError(_("elija --prod o --dev, no ambos"))
    workers = args.workers if args.workers is not None else default_workers()
    if not 0 < workers <= 64:
        raise UserError(_("--workers %(workers)s debe estar entre 1 y 64") % {"workers": workers})
    recover_jobs()
    print(_("Observatorio en http://%(host)s:%(port)s/ (Ctrl+C para detener)")
          % {"host": args.host, "port": args.port}, flush=True)
    if args.prod:
        from django.db import connections

        from .prodserver import serve_prod

        connections.close_all()  # the workers are forked from this process: none may share its connections
        serve_prod(host=args.host, port=args.port, workers=workers, threads=args.threads)
        return 0
    # The events' snapshot is read while the server starts, not by the first person who opens a dashboard
    # (13-19 s at 5M events); a page asked for before it is ready shows the load's progress.
    warm_snapshot()
    ready_for_requests()  # while the state loads in its thread: the first answer waits for neither
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
        return 0
    from waitress import serve

    from observatorio.wsgi import application

    serve(application, host=args.host, port=args.port, threads=args.threads, ident="observatorio")
    return 0


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)
