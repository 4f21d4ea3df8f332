"""One background import per upload, its progress in the upload's state file for the page to poll.

`start` refuses a second job for an upload while one runs. One import at a
time per server: a job waits for the server-wide lock
(`observatorio.records.queue.ImportQueue`: an ``flock`` on a file under the
uploads folder, so every worker process of the server and the command line's
``import --commit`` share it) and, while it waits, its state shows its place
in the queue (first come, first served) so the progress page can say so. The
dashboards never wait: only imports queue. The runner is a thread by
default (`threading_runner`); `run_inline` does the same work in the
caller's thread, for callers that must wait (and tests on a transactional
test database, where a thread would not see the test's data).

The progress callback of `run_import` is called after each stage and per
written chunk; its stages carry weights so that the percentage moves
roughly with the time each takes (the write is the slowest, docs/import.md).
An exception inside `run_import` (including the interruption of the write)
rolls the batch back whole; the job then reports ``failed`` with the message.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connections
from django.utils import timezone

from observatorio.records.queue import ImportQueue, now_text

from .uploads import Upload

log = logging.getLogger(__name__)

DRY_RUN, COMMIT = "dry_run", "commit"
KINDS = (DRY_RUN, COMMIT)
STAGE_WEIGHTS = {"read": 10, "validate": 20, "place": 20, "dedupe": 10, "write": 40}
STAGES_OF = {DRY_RUN: ("read", "validate", "place", "dedupe"), COMMIT: tuple(STAGE_WEIGHTS)}
# Writing the state file for every chunk of a million-row write would cost more than the chunk.
MIN_INTERVAL = 0.25


POLL_SECONDS = 0.5


class JobRunning(Exception):
    """The upload already has a job running."""


def percent(kind: str, stage: str | None, done: int, total: int) -> int:
    """Share of the job's work finished once `stage` reached `done` of `total`."""
    stages = STAGES_OF[kind]
    if stage not in stages:
        return 0
    whole = sum(STAGE_WEIGHTS[s] for s in stages)
    before = sum(STAGE_WEIGHTS[s] for s in stages[:stages.index(stage)])
    fraction = 1.0 if total <= 0 else min(done / total, 1.0)
    return int(100 * (before + STAGE_WEIGHTS[stage] * fraction) / whole)


def threading_runner(work) -> None:
    def target():
        close_old_connections()
        try:
            work()
        finally:
            # The thread's own connection: nobody else will ever close it.
            connections.close_all()

    threading.Thread(target=target, name="observatorio-import", daemon=True).start()


def run_inline(work) -> None:
    work()


RUNNER = threading_runner


def start(upload: Upload, kind: str, user, runner=None, address: str | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}; kinds are: {', '.join(KINDS)}")
    if upload.job.get("status") in ("queued", "running"):
        raise JobRunning(upload.token)
    now = now_text()
    upload.update(job={"kind": kind, "status": "queued", "stage": None, "done": 0, "total": 0, "percent": 0,
                       "stages": [], "batch": None, "error": None, "started_at": now, "queued_at": now,
                       "position": ImportQueue().position(upload.token), "pid": os.getpid(),
                       "host": socket.gethostname(), "finished_at": None})
    user_id = user.pk
    (runner or RUNNER)(lambda: execute(upload, kind, user_id, address=address))


def execute(upload: Upload, kind: str, user_id: int, address: str | None = None) -> None:
    """Wait for the server's turn, then run the import of `upload`; everything it learns goes to the state
    file."""
    try:
        with ImportQueue().turn(upload.token, upload.job.get("queued_at", ""),
                                lambda n: upload.update_job(position=n), poll=POLL_SECONDS):
            _execute(upload, kind, user_id, address)
    except Exception as exc:  # the queue itself failed (the uploads folder): say so rather than wait forever
        log.exception("import job %s could not run", upload.token)
        upload.update_job(status="failed", error={"kind": "crash", "code": type(exc).__name__,
                                                  "message": str(exc)[:300], "fix": ""},
                          finished_at=timezone.now().isoformat())


def _execute(upload: Upload, kind: str, user_id: int, address: str | None) -> None:
    from django.contrib.auth import get_user_model

    from observatorio.records.pipeline import ImportFailed, run_import

    last = {"at": 0.0, "stage": None}

    def progress(stage, done, total):
        now = time.monotonic()
        if stage == last["stage"] and now - last["at"] < MIN_INTERVAL and done < total:
            return
        last.update(at=now, stage=stage)
        stages = list(upload.job.get("stages") or [])
        if stage not in stages:
            stages.append(stage)
        upload.update_job(status="running", stage=stage, done=int(done), total=int(total), stages=stages,
                          percent=percent(kind, stage, done, total))

    try:
        upload.update_job(status="running")
        user = get_user_model().objects.filter(pk=user_id).first()
        state = upload.state
        result = run_import(upload.data_path, state["source"], sheet=state["sheet"] or None, commit=kind == COMMIT,
                            user=user, progress=progress, file_name=state["file_name"], record_dry_run=True,
                            address=address)
    except ImportFailed as exc:
        upload.update_job(status="failed", error={"kind": "import_failed", **exc.as_dict()},
                          finished_at=timezone.now().isoformat())
        return
    except Exception as exc:  # a bug or the database: the batch is rolled back; say so rather than spin forever
        log.exception("import job %s failed", upload.token)
        upload.update_job(status="failed", error={"kind": "crash", "code": type(exc).__name__, "message": str(exc)[:300],
                                                  "fix": ""},
                          finished_at=timezone.now().isoformat())
        return
    key = "committed_batch" if kind == COMMIT else "dry_run_batch"
    upload.update(**{key: result.batch})
    upload.update_job(status="done", percent=100, batch=result.batch, finished_at=timezone.now().isoformat(),
                      counts={"read": result.read, "imported": result.imported, "updated": result.updated,
                              "duplicates": result.duplicates, "rejected": result.rejected})
    if kind == COMMIT:
        upload.discard_file()


def status(upload: Upload) -> dict:
    """The job as the progress endpoint returns it."""
    job = upload.job
    return {"kind": job.get("kind"), "status": job.get("status") or "idle", "stage": job.get("stage"),
            "stages": job.get("stages") or [], "done": job.get("done", 0), "total": job.get("total", 0),
            "percent": job.get("percent", 0), "batch": job.get("batch"), "error": job.get("error"),
            "counts": job.get("counts"),
            "position": job.get("position", 0) if job.get("status") == "queued" else 0}
