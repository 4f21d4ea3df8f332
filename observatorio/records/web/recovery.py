"""Import jobs left "queued" or "running" by a process that is gone: marked failed, so they can be retried.

A web import runs in a thread of the server process that started it (``jobs.py``), which records its pid in
the job. If that process dies — a crash, the machine restarted, a worker killed for memory — the database
rolls the import's one transaction back, but the job's state file still says "running" and the page would
spin forever. :func:`recover_stale_jobs` runs when ``observatorio serve`` starts (and, under ``--prod``,
whenever a worker process exits): a job whose process is not alive, is this very process (a pid reused after
a restart) or is one of ``dead`` is marked failed, with a message that nothing was written. The upload's
file is kept, so the same job can be started again (the progress page's "Reintentar" button).
"""

from __future__ import annotations

import json
import logging
import os

from django.utils import timezone
from django.utils.translation import gettext as _

from observatorio.records.queue import process_alive

from .uploads import Upload, read_state, uploads_root

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")


def is_stale(job: dict, dead: frozenset[int] = frozenset()) -> bool:
    if job.get("status") not in UNFINISHED:
        return False
    pid = job.get("pid")
    if not isinstance(pid, int):  # a job from before pids were recorded: no process can still own it
        return True
    return pid in dead or pid == os.getpid() or not process_alive(pid)


def recover_stale_jobs(dead=()) -> list[str]:
    """Mark every stale job failed; the tokens of the uploads changed."""
    dead = frozenset(dead)
    recovered = []
    for folder in sorted(uploads_root().iterdir()):
        try:
            upload = Upload(folder.name, read_state(folder))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            continue
        if not is_stale(upload.job, dead):
            continue
        was = upload.job.get("status")
        upload.update_job(status="failed", finished_at=timezone.now().isoformat(), error={
            "kind": "crash", "code": "interrupted",
            "message": _("el servidor se detuvo mientras el proceso corría (proceso %(pid)s)")
            % {"pid": upload.job.get("pid", "?")},
            "fix": _("nada quedó escrito; pulse «Reintentar» para empezar de nuevo"),
        })
        log.warning("import job %s was left %s by a process that is gone: marked failed", folder.name, was)
        recovered.append(folder.name)
    return recovered
