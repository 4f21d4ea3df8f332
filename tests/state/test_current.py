"""The data state: one per key, parts reused, and large ones replaced in a background thread.

Outside a transaction (``transactional_db``): another thread would not see a transaction's rows.
``BACKGROUND_FROM`` is lowered so that a few events count as large.
"""

import datetime as dt
import threading
import time

import pytest

from observatorio import state
from observatorio.records import snapshot
from observatorio.records.models import Event, Source
from observatorio.state import holder


@pytest.fixture(autouse=True)
def _fresh_cache():
    state.reset()
    yield
    _wait_for_refresh()
    state.reset()


@pytest.fixture
def source(transactional_db):
    return Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")


def _wait_for_refresh(seconds: float = 10.0) -> None:
    stop = time.monotonic() + seconds
    while holder._refreshing and time.monotonic() < stop:
        time.sleep(0.01)
    assert not holder._refreshing, "the background reload did not finish"


def _events(source, n, day=dt.date(2025, 5, 1)):
    Event.objects.bulk_create([Event(source=source, occurred_on=day) for _ in range(n)])
    snapshot.bump()


def test_large_snapshot_is_served_while_the_new_one_loads(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(holder, "BACKGROUND_FROM", 3)
    _events(source, 3)
    first = state.current().events
    assert first.size == 3 and state.refresh_status() is None
    _events(source, 2)
    version = snapshot.current_version()
    assert state.current().events is first  # the held one, at once
    status = state.refresh_status()
    assert status is not None and status.expected == 3 and status.percent == 0
    assert state.current().events is first and state.refresh_status() is status  # one reload only
    snapshot_gate.set()
    _wait_for_refresh()
    fresh = state.current().events
    assert fresh.size == 5 and fresh.version == version
    assert state.refresh_status() is None


def test_progress_counts_the_events_read(source, monkeypatch):
    _events(source, 4)
    progress = state.Refresh(time.monotonic(), expected=8)
    snap = snapshot.load_snapshot(progress)
    assert snap.size == 4 and progress.read == 4 and progress.percent == 50


def test_a_small_snapshot_reloads_within_the_request(source):
    _events(source, 3)
    first = state.current().events
    _events(source, 1)
    second = state.current().events
    assert second is not first and second.size == 4 and state.refresh_status() is None


def test_a_failed_reload_keeps_the_held_snapshot_and_tries_again(source, monkeypatch):
    monkeypatch.setattr(holder, "BACKGROUND_FROM", 2)
    _events(source, 2)
    first = state.current().events
    real = snapshot.load_snapshot

    def broken(progress=None):
        if threading.current_thread() is threading.main_thread():
            return real(progress)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(snapshot, "load_snapshot", broken)
    _events(source, 1)  # the commit starts a reload, which fails
    _wait_for_refresh()
    assert state.current().events is first
    _wait_for_refresh()
    assert state.current().events is first  # a new attempt starts, and fails too
    _wait_for_refresh()
    monkeypatch.setattr(snapshot, "load_snapshot", real)
    state.current()
    _wait_for_refresh()
    assert state.current().events.size == 3


def test_a_commit_here_starts_the_reload_at_once(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(holder, "BACKGROUND_FROM", 2)
    _events(source, 2)
    first = state.current().events
    _events(source, 1)  # bump() commits: data_changed reaches this process's snapshot
    assert state.refresh_status() is not None
    snapshot_gate.set()
    _wait_for_refresh()
    assert holder._held and next(iter(holder._held.values())).events.size == 3
    assert state.current().events is not first


def test_without_a_snapshot_requests_are_told_to_come_back_while_the_first_one_loads(source, snapshot_gate, monkeypatch):
    monkeypatch.setattr(holder, "FIRST_LOAD_WAIT", 0.05)
    _events(source, 3)
    status = state.warm_up()
    assert status is not None and status.expected == 3  # counted first, for the progress
    with pytest.raises(state.StateLoading) as loading:
        state.current()
    assert loading.value.status is status and "0 %" in str(loading.value)
    assert state.warm_up() is None  # one load at a time
    snapshot_gate.set()
    _wait_for_refresh()
    assert status.done.is_set() and state.current().events.size == 3
    assert state.warm_up() is None  # held already


def test_a_quick_first_load_is_waited_for(source, monkeypatch):
    monkeypatch.setattr(holder, "FIRST_LOAD_WAIT", 10.0)
    _events(source, 2)
    state.warm_up()
    assert state.current().events.size == 2  # within the wait: no SnapshotLoading


def test_a_process_started_later_maps_the_files_instead_of_reading_the_database(source, monkeypatch):
    _events(source, 3)
    first = state.current()
    state.reset()  # what a worker started now holds: nothing
    monkeypatch.setattr(snapshot, "load_snapshot", lambda progress=None: pytest.fail("read the database again"))
    second = state.current()
    assert second.key == first.key and second.events is not first.events
    assert second.events.id.tolist() == first.events.id.tolist()
    assert all(not a.flags.writeable and not a.flags.owndata for a in second.events.columns().values())


def test_a_new_version_writes_its_files_and_removes_the_older_ones(source):
    from observatorio.state import store

    _events(source, 2)
    older = store.version_folder(*state.current().key.events)
    assert older.is_dir() and sorted(p.name for p in older.iterdir())[:2] == ["area.npy", "category.npy"]
    _events(source, 1)
    newer = store.version_folder(*state.current().key.events)
    assert newer.is_dir() and not older.exists()


def test_a_territory_change_keeps_the_events_and_what_derives_from_them_alone(source):
    from observatorio.territory.models import Area

    _events(source, 2)
    before = state.current()
    cube = before.memo("cube-like", object, on=("events",))
    whole = before.memo("everything", object)
    Area.objects.create(code="X1", name="Nueva", level="uv")
    after = state.current()
    assert after is not before and after.events is before.events and after.catalog is before.catalog
    assert after.index is not before.index and "X1" in {a.code for a in after.index.areas.values()}
    assert after.memo("cube-like", object, on=("events",)) is cube
    assert after.memo("everything", object) is not whole


def test_every_part_of_the_key_moves_with_its_tables(source):
    from observatorio.records.models import Category, Place, SurveyResponse
    from observatorio.state.key import read_key
    from observatorio.territory.models import Area

    keys = [read_key()]
    _events(source, 1)
    keys.append(read_key())
    Area.objects.create(code="X2", name="Otra", level="uv")
    keys.append(read_key())
    Place.objects.create(kind="school", name="Escuela", lon=-70.5, lat=-33.5)
    keys.append(read_key())
    Category.objects.create(code="nueva", name="Nueva categoría")
    keys.append(read_key())
    source.name = "Denuncias Fiscalía"
    source.save()
    keys.append(read_key())
    SurveyResponse.objects.create(source=source, answered_on=dt.date(2025, 1, 1), feels_unsafe=True)
    keys.append(read_key())
    assert len(set(keys)) == len(keys)
    assert keys[1].version == keys[0].version + 1 and keys[1].token != keys[0].token


def test_a_version_number_that_comes_back_after_a_rollback_has_a_new_token(source):
    from django.db import transaction

    from observatorio.state.key import read_key

    _events(source, 1)
    with transaction.atomic():
        _events(source, 1)
        inside = read_key()
        transaction.set_rollback(True)
    _events(source, 1)
    after = read_key()
    assert after.version == inside.version and after.token != inside.token
