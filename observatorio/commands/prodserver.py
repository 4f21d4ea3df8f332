"""gunicorn as ``observatorio serve --prod``'s process manager, run inside the command's own process (its master)."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from .startup import ready_for_requests, recover_jobs, warm_snapshot

logger = logging.getLogger(__name__)


def post_worker_init(worker) -> None:
    """Each worker starts building (or mapping) the data state as it starts, not on its first request."""
    warm_snapshot()


def child_exit(server, worker) -> None:
    """A worker that died mid-import (killed, out of memory) leaves its job failed, not "running" forever."""
    recover_jobs(dead=(worker.pid,))


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
    ready_for_requests()
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
