"""The data state this process answers with: read the key, and swap in a new state when it moved.

:func:`current` is the one accessor every view, command and later module reads
data through. Per call it reads the :class:`~.key.Key` (one statement); while
the key stands it returns the same :class:`~.data.DataState`; when it moves it
builds the next state, reusing the parts that did not change, and swaps it in
whole.

The events' columns of a new version come from the column files
(:mod:`.store`) when another process already wrote them, else from the
database, and are then written there for the others. A state of
:data:`BACKGROUND_FROM` events or more is replaced in a background thread
while requests keep the one held (decision 26); the pages show the load's
progress (:func:`refresh_status`). A process with no state yet whose first
load runs in the background answers :class:`StateLoading` after
:data:`FIRST_LOAD_WAIT` (``dashboard/loading.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.db import connection

from observatorio.records import snapshot
from observatorio.records.catalog import load_catalog
from observatorio.records.snapshot import EventSnapshot
from observatorio.territory.index import build_index

from . import store
from .data import DataState
from .key import Key, read_key

logger = logging.getLogger(__name__)

# A state of at least this many events is replaced in a background thread while requests keep the held one
# (a load from the database took 13-19 s at 5M events); a smaller one is replaced within the request.
BACKGROUND_FROM = 500_000
# How long a request with no state at all waits for the first one loading in the background before it is
# told to come back (StateLoading): a small database is read within it, a large one shows progress.
FIRST_LOAD_WAIT = 1.0


@dataclass
class Refresh:
    """A load running in the background: what the pages show while they wait for it."""

    started: float  # time.monotonic()
    expected: int  # events expected (the size of the state it replaces, or a count)
    read: int = 0  # events read so far
    done: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def percent(self) -> int:
        return min(99, int(100 * self.read / self.expected)) if self.expected else 0

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


class StateLoading(Exception):
    """No state is held yet and the first one is still loading: the request is to be answered later."""

    def __init__(self, status: Refresh):
        super().__init__(f"the events are still loading ({status.percent} %)")
        self.status = status


_lock = threading.Lock()  # one build at a time per process
_held: dict[str, DataState] = {}  # database name → the state answered with
_refreshing: dict[str, Refresh] = {}  # database name → the background load running


def _database() -> str:
    return connection.settings_dict["NAME"]


def current() -> DataState:
    """The state of the data as they are now (or, while a large one loads in the background, as they were)."""
    key = read_key()
    name = _database()
    held = _held.get(name)
    if held is not None and held.key == key:
        return held
    if held is not None and held.key.events != key.events and held.events.size >= BACKGROUND_FROM:
        refresh_in_background()
        return held
    if held is None:
        loading = _refreshing.get(name)
        if loading is not None and not loading.done.wait(FIRST_LOAD_WAIT):
            raise StateLoading(loading)
    with _lock:
        held = _held.get(name)
        if held is None or held.key != key:
            held = _install(name, _build(key, held))
    return held


def _build(key: Key, held: DataState | None, progress: Refresh | None = None) -> DataState:
    same = held is not None and held.key.events == key.events
    events = held.events if same else _events(key, progress)
    index = held.index if held is not None and held.key.territory == key.territory else build_index()
    catalog = held.catalog if held is not None and held.key.catalog == key.catalog else load_catalog()
    state = DataState(key, events, index, catalog)
    if held is not None:
        state.inherit(held)
    return state


def _install(name: str, state: DataState) -> DataState:
    held = _held.get(name)
    if held is None or held.key.version <= state.key.version:
        _held[name] = state
        return state
    return held  # a newer state arrived meanwhile (a background load and a request crossing)


def _events(key: Key, progress: Refresh | None) -> EventSnapshot:
    """The columns of the key's version: mapped from its files, else read from the database and written there."""
    folder = store.version_folder(key.version, key.token)
    if folder is None:
        return snapshot.load_snapshot(progress)
    loaded: list[EventSnapshot] = []

    def build() -> dict | None:
        loaded.append(snapshot.load_snapshot(progress))
        # The data moved since the key was read: these are not this version's columns, so they are not kept.
        return loaded[0].columns() if loaded[0].version == key.version else None

    arrays = store.kept(folder, build)
    if arrays is None:
        return loaded[0]
    store.prune(folder)
    if progress is not None:
        progress.read = progress.expected
    return EventSnapshot(version=key.version, **arrays)


def refresh_in_background(expected: int | None = None) -> Refresh | None:
    """Start building this database's next state in a thread, unless one is running; None if one was."""
    name = _database()
    with _lock:
        if name in _refreshing:
            return None
        held = _held.get(name)
        if expected is None:
            expected = held.events.size if held is not None else 0
        status = _refreshing[name] = Refresh(time.monotonic(), expected)
    threading.Thread(target=_refresh, args=(name, status), name=f"state-{name}", daemon=True).start()
    return status


def _refresh(name: str, status: Refresh) -> None:
    try:
        key = read_key()
        state = _build(key, _held.get(name), status)
        with _lock:
            _install(name, state)
    except Exception:  # the requests go on with the state they have; the next one tries again
        logger.exception("loading the data state of %s failed", name)
    finally:
        with _lock:
            _refreshing.pop(name, None)
        status.done.set()
        connection.close()  # this thread's own connection


def warm_up() -> Refresh | None:
    """Build the first state in a background thread (a server starting); None when one is held or loading."""
    if _held.get(_database()) is not None:
        return None
    return refresh_in_background(snapshot.count_events())


def refresh_status() -> Refresh | None:
    """The background load of this database's next state, if one is running."""
    return _refreshing.get(_database())


def warm_after_commit(sender=None, name: str = snapshot.EVENTS, **_kwargs) -> None:
    """After events committed in this process, start loading a large state at once, not at the next request."""
    held = _held.get(_database())
    if name == snapshot.EVENTS and held is not None and held.events.size >= BACKGROUND_FROM:
        refresh_in_background()


snapshot.data_changed.connect(warm_after_commit, dispatch_uid="state_warm_after_commit")


def reset() -> None:
    """Forget every state held by this process (tests: a database rolled back or flushed under it)."""
    with _lock:
        _held.clear()
