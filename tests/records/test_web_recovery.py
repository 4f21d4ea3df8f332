"""Import jobs left "running" by a process that is gone are marked failed (at ``serve`` start-up and when a
worker dies) and can be retried from the progress page; a job whose process is alive is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from observatorio.records.models import Event
from observatorio.records.web import jobs, recovery, uploads
from tests.records.test_pipeline_fixtures import calls_file, territory  # noqa: F401 - fixtures
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _as_if_running(token: str, pid, kind=jobs.COMMIT) -> None:
    """The state a server leaves when it dies mid-import: the job "running", stage write, 80 %."""
    upload = uploads.load(token)
    job = {"kind": kind, "status": "running", "stage": "write", "done": 5, "total": 10, "percent": 80,
           "stages": ["read", "validate", "place", "dedupe", "write"], "batch": None, "error": None}
    if pid is not None:
        job["pid"] = pid
    upload.update(job=job)


@pytest.mark.django_db
def test_a_job_whose_process_is_gone_is_marked_failed_and_retried(client, web, personas, calls_file):
    login(client, "olga")
    dead = token_of(upload(client, calls_file))
    alive = token_of(upload(client, calls_file))
    legacy = token_of(upload(client, calls_file))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _as_if_running(dead, _dead_pid())
        _as_if_running(alive, sleeper.pid)
        _as_if_running(legacy, None)  # from before jobs recorded their process
        assert sorted(recovery.recover_stale_jobs()) == sorted([dead, legacy])
    finally:
        sleeper.kill()
        sleeper.wait()
    assert uploads.load(alive).job["status"] == "running"
    job = uploads.load(dead).job
    assert job["status"] == "failed" and job["error"]["code"] == "interrupted" and job["finished_at"]

    # The progress page says what happened and offers to start again: the file is still there.
    page = client.get(f"/cargas/archivo/{dead}/progreso/").content.decode()
    assert "no se escribió nada" in page and "Reintentar" in page
    assert f'action="/cargas/archivo/{dead}/importar/"' in page
    data = json.loads(client.get(f"/cargas/archivo/{dead}/progreso.json").content)
    assert data["status"] == "failed" and data["error"]["code"] == "interrupted"

    assert Event.objects.count() == 0
    response = client.post(f"/cargas/archivo/{dead}/importar/")  # the retry button (jobs run inline here)
    assert response.status_code == 302
    assert uploads.load(dead).job["status"] == "done" and Event.objects.count() > 0


@pytest.mark.django_db
def test_a_dead_worker_and_this_very_process_are_stale(web, personas, calls_file, client):
    login(client, "olga")
    token = token_of(upload(client, calls_file))
    _as_if_running(token, os.getppid())  # alive, but the master says this worker exited
    assert recovery.recover_stale_jobs(dead=[os.getppid()]) == [token]
    _as_if_running(token, os.getpid())  # a pid reused after a restart: nothing of this process runs it
    assert recovery.recover_stale_jobs() == [token]
    uploads.load(token).update_job(status="done")
    assert recovery.recover_stale_jobs() == []


def test_serve_marks_stale_jobs_failed_as_it_starts(tmp_path):
    from .test_serve_helpers import serve_once

    folder = tmp_path / "uploads" / "tok123"
    folder.mkdir(parents=True)
    state = {"token": "tok123", "user": 1, "source": "1461", "sheet": "", "file_name": "a.csv", "stored": "archivo.csv",
             "size": 1, "created_at": "2026-01-01T00:00:00", "job": {"kind": "commit", "status": "running",
                                                                     "pid": _dead_pid()}}
    (folder / "state.json").write_text(json.dumps(state))
    output = serve_once(tmp_path)
    job = json.loads((folder / "state.json").read_text())["job"]
    assert job["status"] == "failed" and job["error"]["code"] == "interrupted", output
    assert "1 importaciones interrumpidas" in output
