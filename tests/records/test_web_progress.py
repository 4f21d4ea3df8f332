"""The background import: its progress endpoint reports the stages while the thread runs; a crash leaves nothing."""

from __future__ import annotations

import json
import threading
import time

import pytest

from observatorio.records.models import Event, ImportBatch
from observatorio.records.web import jobs
from tests.records.test_pipeline_fixtures import calls_file, territory  # noqa: F401 - fixtures
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture


@pytest.mark.parametrize(("kind", "stage", "done", "total", "expected"), [
    ("dry_run", "read", 5, 5, 16),        # 10 of the dry run's 60 weight
    ("dry_run", "dedupe", 1, 1, 100),
    ("commit", "dedupe", 1, 1, 60),
    ("commit", "write", 50, 100, 80),
    ("commit", "write", 0, 0, 100),       # an empty write is a finished one
    ("commit", "unknown", 1, 1, 0),
], ids=["dry-read", "dry-last", "commit-before-write", "commit-half-write", "commit-empty-write", "unknown"])
def test_percent_follows_the_stage_weights(kind, stage, done, total, expected):
    assert jobs.percent(kind, stage, done, total) == expected


def _poll(client, token, until, timeout=30.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)
        seen.append(data)
        if until(data):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the job never got there; last: {seen[-1] if seen else None}")


@pytest.mark.django_db(transaction=True)
def test_the_progress_endpoint_reports_stages_while_a_thread_commits(client, web, personas, calls_file,
                                                                     monkeypatch):
    from observatorio.records.pipeline import write

    monkeypatch.setattr(jobs, "RUNNER", jobs.threading_runner)
    release = threading.Event()
    original = write.insert_events

    def held_insert(*args, **kwargs):
        assert release.wait(20), "the test never released the write"
        return original(*args, **kwargs)

    monkeypatch.setattr(write, "insert_events", held_insert)
    login(client, "olga")
    token = token_of(upload(client, calls_file))
    assert client.post(f"/cargas/archivo/{token}/importar/").status_code == 302

    # The thread stops before writing: the page sees every earlier stage, 60 %, and nothing written yet.
    seen = _poll(client, token, lambda d: d["stage"] == "dedupe")
    assert seen[-1]["status"] == "running" and seen[-1]["percent"] == 60
    assert seen[-1]["stages"] == ["read", "validate", "place", "dedupe"]
    assert seen[-1]["stage_name"] == "Buscando duplicados"
    # A second job on the same upload is refused while this one runs. (No ORM query on the batch table here:
    # the test database is SQLite in shared-cache memory, where the held write locks the table for readers.)
    client.post(f"/cargas/archivo/{token}/importar/")
    assert json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)["stage"] == "dedupe"

    release.set()
    final = _poll(client, token, lambda d: d["status"] in ("done", "failed"))[-1]
    assert (final["status"], final["percent"], final["stages"][-1]) == ("done", 100, "write")
    assert final["counts"] == {"read": 10, "imported": 5, "updated": 0, "duplicates": 1, "rejected": 4}
    assert ImportBatch.objects.get().id == final["batch"] and Event.objects.count() == 5
    page = client.get(f"/cargas/archivo/{token}/progreso/").content.decode()
    assert 'value="100"' in page and f'/cargas/lote/{final["batch"]}/' in page


@pytest.mark.django_db
def test_a_crash_during_the_write_fails_the_job_and_writes_nothing(client, web, personas, calls_file, monkeypatch):
    from observatorio.records.pipeline import write

    def broken(*args, progress=None, **kwargs):
        progress("write", 1, 5)
        raise RuntimeError("disk full")

    monkeypatch.setattr(write, "insert_events", broken)
    login(client, "olga")
    token = token_of(upload(client, calls_file))
    client.post(f"/cargas/archivo/{token}/importar/")
    data = json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)
    assert (data["status"], data["error"]["code"], data["stage"]) == ("failed", "RuntimeError", "write")
    assert data["error"]["spanish"].startswith("La carga se interrumpió")
    assert Event.objects.count() == 0 and not ImportBatch.objects.exists()
    # The file stays, so the same upload can be tried again.
    monkeypatch.undo()
    monkeypatch.setattr(jobs, "RUNNER", jobs.run_inline)
    client.post(f"/cargas/archivo/{token}/importar/")
    data = json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)
    assert data["status"] == "done" and Event.objects.count() == 5
