"""One picture of the data: the events' columns, the territory index, the catalog, and what is derived from them.

A :class:`DataState` never changes. Things derived from it (the dashboard's
cube, the map's cells and outlines, the filter form, the taxonomy, answers
worth keeping) are built on first use through :meth:`DataState.memo` and live
as long as the state does, so when the data move and a new state replaces this
one, they all go with it: nothing else in the code keeps data between requests.
A new state takes over the derived values whose parts did not change (a new
boundary does not rebuild the cube).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar

import cachetools

from observatorio.records.catalog import Catalog
from observatorio.records.snapshot import EventSnapshot, from_day_number
from observatorio.territory.index import TerritoryIndex

from .key import Key

T = TypeVar("T")
PARTS = ("events", "territory", "catalog", "surveys")


class DataState:
    def __init__(self, key: Key, events: EventSnapshot, index: TerritoryIndex, catalog: Catalog):
        self.key = key
        self.events = events
        self.index = index
        self.catalog = catalog
        self._memo: dict[str, tuple[tuple, tuple, object]] = {}  # name → (parts, their keys, value)
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def as_of(self) -> dt.date:
        """The latest event's day (the data cut-off), not the clock: a cut shows the same page whenever opened."""
        events = self.events
        return from_day_number(int(events.day[-1])) if events.size else dt.date.today()

    def memo(self, name: str, build: Callable[[], T], on: tuple[str, ...] = PARTS) -> T:
        """``build()`` once for this state; ``on``: the parts it is derived from (what a new state may reuse).

        Two threads asking for the same name wait for one build; different names build side by side.
        """
        held = self._memo.get(name)
        if held is not None:
            return held[2]
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            held = self._memo.get(name)
            if held is None:
                held = (on, tuple(self.key.part(p) for p in on), build())
                self._memo[name] = held
        return held[2]

    def shared(self, name: str, build: Callable[[], dict | None]) -> dict | None:
        """Arrays derived from the events (``build()``: a dict of arrays, or None), kept as files beside the
        events' columns and mapped, so every process holds one copy and only the first builds them.

        ``name`` must say everything else they depend on (e.g. the boundaries drawn). Call it inside a
        :meth:`memo` build, which keeps what is made of the arrays with the state.
        """
        from . import store

        folder = store.derived_folder(self.key.version, self.key.token, name)
        return build() if folder is None else store.kept(folder, build)

    def cache(self, name: str, size: int, on: tuple[str, ...] = PARTS) -> Answers:
        """A bounded store of answers (least recently used out first) for this state, e.g. per filter."""
        return self.memo(name, lambda: Answers(size), on)

    def inherit(self, older: DataState) -> None:
        """Take over ``older``'s derived values whose parts have the same keys here."""
        for name, (on, keys, value) in list(older._memo.items()):
            if name not in self._memo and keys == tuple(self.key.part(p) for p in on):
                self._memo[name] = (on, keys, value)


class Answers:
    """Answers kept per question for one state: an LRU cache (``cachetools``) behind a lock."""

    def __init__(self, size: int):
        self._cache = cachetools.LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, question, build: Callable[[], T]) -> T:
        """The kept answer, or ``build()`` kept unless it is None (two threads may both build one question)."""
        missing = object()
        with self._lock:
            value = self._cache.get(question, missing)
        if value is missing:
            value = build()
            if value is not None:
                with self._lock:
                    self._cache[question] = value
        return value

    def __len__(self) -> int:
        return len(self._cache)
