"""gunicorn as ``observatorio serve --prod``'s process manager, run inside the command's own process (its master)."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from .startup import recover_jobs, warm_snapshot

logger = logging.getLogger(__name__)


def post_worker_init(worker) -> None:
    """Each worker starts building (or mapping) the data state as it starts, not on its first request."""
    warm_snapshot()


def child_exit(server, worker) -> None:
    """A worker that died mid-import (killed, out of memory) leaves its job failed, not "running" forever."""
    recover_jobs(dead=(worker.pid,))


def import_views() -> None:
    """Import every view and the libraries they use (pandas, SciPy, pyproj, Plotly...) by loading the URLconf.

    The master calls this before it forks its workers: a worker forked afterwards (at start, or replacing one
    that died) has them already, so its first answer does not wait ~1.5 s for imports, and the libraries' pages
    are shared by all workers (docs/performance.md, "Workers sharing one data state"). Nothing here touches
    the database.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf and, through it, every view)
    # Plotly looks a named colour scale up by building a validator of every scale (~0.1 s, once per process):
    # done here, a worker's first area table or choropleth does not pay it (docs/performance.md, 2026-12-07).
    from observatorio.dashboard import board, colours
    from observatorio.dashboard.layers import choropleth

    for name in (board.COLORSCALE, choropleth.CHOROPLETH_SCALE):
        colours.sample(name, [0.0])


class ObservatorioServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from observatorio.wsgi import application

        return application


def serve_prod(*, host: str, port: int, workers: int, threads: int) -> None:
    import_views()
    ObservatorioServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        # A worker answers its master from its own loop while threads compute; a slow answer is not a hang.
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "proc_name": "observatorio",
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": post_worker_init,
        "child_exit": child_exit,
        # The X-Forwarded-* headers of the proxy on this machine only (OBS_BEHIND_PROXY; docs/deploy.md).
        "forwarded_allow_ips": "127.0.0.1,::1",
    }).run()
