"""A large snapshot is reloaded in a background thread while requests keep the one they have.

Outside a transaction (``transactional_db``): inside one, another thread would not see the rows, and the
reload is always immediate. ``BACKGROUND_FROM`` is lowered so that a few events count as large.
"""

import datetime as dt
import threading
import time

import pytest

from observatorio.records import snapshot
from observatorio.records.models import Event, Source


@pytest.fixture(autouse=True)
def _fresh_cache():
    snapshot.clear_cache()
    yield
    _wait_for_refresh()
    snapshot.clear_cache()


@pytest.fixture
def source(transactional_db):
    return Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")


def _wait_for_refresh(seconds: float = 10.0) -> None:
    stop = time.monotonic() + seconds
    while snapshot._refreshing and time.monotonic() < stop:
        time.sleep(0.01)
    assert not snapshot._refreshing, "the background reload did not finish"


def _events(source, n, day=dt.date(2025, 5, 1)):
    Event.objects.bulk_create([Event(source=source, occurred_on=day) for _ in range(n)])
    snapshot.bump()


def test_large_snapshot_is_served_while_the_new_one_loads(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(snapshot, "BACKGROUND_FROM", 3)
    _events(source, 3)
    first = snapshot.get_snapshot()
    assert first.size == 3 and snapshot.refresh_status() is None
    _events(source, 2)
    version = snapshot.current_version()
    assert snapshot.get_snapshot(version) is first  # the held one, at once
    status = snapshot.refresh_status()
    assert status is not None and status.expected == 3 and status.percent == 0
    assert snapshot.get_snapshot(version) is first and snapshot.refresh_status() is status  # one reload only
    snapshot_gate.set()
    _wait_for_refresh()
    fresh = snapshot.get_snapshot(version)
    assert fresh.size == 5 and fresh.version == version
    assert snapshot.refresh_status() is None


def test_progress_counts_the_events_read(source, monkeypatch):
    _events(source, 4)
    progress = snapshot.Refresh(time.monotonic(), expected=8)
    snap = snapshot.load_snapshot(progress)
    assert snap.size == 4 and progress.read == 4 and progress.percent == 50


def test_a_small_snapshot_reloads_within_the_request(source):
    _events(source, 3)
    first = snapshot.get_snapshot()
    _events(source, 1)
    second = snapshot.get_snapshot()
    assert second is not first and second.size == 4 and snapshot.refresh_status() is None


def test_inside_a_transaction_the_reload_is_immediate(source, monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(snapshot, "BACKGROUND_FROM", 1)
    _events(source, 2)
    first = snapshot.get_snapshot()
    with transaction.atomic():
        _events(source, 1)
        inside = snapshot.get_snapshot()
        assert inside.size == 3 and snapshot.refresh_status() is None
    assert inside is not first


def test_a_failed_reload_keeps_the_held_snapshot_and_tries_again(source, monkeypatch):
    monkeypatch.setattr(snapshot, "BACKGROUND_FROM", 2)
    _events(source, 2)
    first = snapshot.get_snapshot()
    real = snapshot.load_snapshot

    def broken(progress=None):
        if threading.current_thread() is threading.main_thread():
            return real(progress)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(snapshot, "load_snapshot", broken)
    _events(source, 1)  # the commit starts a reload, which fails
    _wait_for_refresh()
    assert snapshot.get_snapshot() is first
    _wait_for_refresh()
    assert snapshot.get_snapshot() is first  # a new attempt starts, and fails too
    _wait_for_refresh()
    monkeypatch.setattr(snapshot, "load_snapshot", real)
    snapshot.get_snapshot()
    _wait_for_refresh()
    assert snapshot.get_snapshot().size == 3


def test_a_commit_here_starts_the_reload_at_once(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(snapshot, "BACKGROUND_FROM", 2)
    _events(source, 2)
    first = snapshot.get_snapshot()
    _events(source, 1)  # bump() commits: data_changed reaches this process's snapshot
    assert snapshot.refresh_status() is not None
    snapshot_gate.set()
    _wait_for_refresh()
    assert snapshot._cache and next(iter(snapshot._cache.values())).size == 3
    assert snapshot.get_snapshot() is not first


def test_without_a_snapshot_requests_are_told_to_come_back_while_the_first_one_loads(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(snapshot, "FIRST_LOAD_WAIT", 0.05)
    _events(source, 3)
    status = snapshot.warm_up()
    assert status is not None and status.expected == 3  # counted first, for the progress
    with pytest.raises(snapshot.SnapshotLoading) as loading:
        snapshot.get_snapshot()
    assert loading.value.status is status and "0 %" in str(loading.value)
    assert snapshot.warm_up() is None  # one load at a time
    snapshot_gate.set()
    _wait_for_refresh()
    assert status.done.is_set() and snapshot.get_snapshot().size == 3
    assert snapshot.warm_up() is None  # held already


def test_a_quick_first_load_is_waited_for(source, monkeypatch):
    monkeypatch.setattr(snapshot, "FIRST_LOAD_WAIT", 10.0)
    _events(source, 2)
    snapshot.warm_up()
    assert snapshot.get_snapshot().size == 2  # within the wait: no SnapshotLoading
