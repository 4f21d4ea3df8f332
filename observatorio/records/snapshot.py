"""A columnar, in-memory snapshot of the events for dashboards and analyses.

Dashboards ask many small aggregate questions; answering them from NumPy arrays
held in memory is orders of magnitude faster than a GROUP BY per question, and
it is the same code on SQLite and PostgreSQL. The snapshot is cached per
process and reloaded when :class:`DataVersion` says the events changed.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import F

from .models import DataVersion

EVENTS = "events"
EPOCH = dt.date(1970, 1, 1)
_CHUNK = 200_000


def bump(name: str = EVENTS) -> int:
    """Record that the data changed; call inside the writer's transaction."""
    with transaction.atomic():
        row, _ = DataVersion.objects.select_for_update().get_or_create(name=name)
        DataVersion.objects.filter(pk=row.pk).update(version=F("version") + 1)
    return current_version(name)


def current_version(name: str = EVENTS) -> int:
    return DataVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the unit of ``EventSnapshot.day``."""
    return (day - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@dataclass(frozen=True)
class EventSnapshot:
    """One row per event, one NumPy array per column.

    ``day`` counts days since 1970-01-01; ``minute`` is minutes after midnight
    or -1 when the time is unknown; ``area`` is the finest area id or -1;
    ``source`` and ``category`` are database ids (-1 when missing).
    """

    version: int
    id: np.ndarray
    source: np.ndarray
    category: np.ndarray
    day: np.ndarray
    minute: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    area: np.ndarray
    outside: np.ndarray

    @property
    def size(self) -> int:
        return int(self.id.size)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in
                   ("id", "source", "category", "day", "minute", "lon", "lat", "area", "outside"))


_SQL = (
    "SELECT id, source_id, category_id, occurred_on, occurred_time, lon, lat, area_id, outside "
    "FROM records_event ORDER BY id"
)


def _to_day(value) -> int:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return (value - EPOCH).days


def _to_minute(value) -> int:
    if value is None:
        return -1
    if isinstance(value, str):
        value = dt.time.fromisoformat(value)
    return value.hour * 60 + value.minute


def load_snapshot() -> EventSnapshot:
    """Read every event from the database into arrays (a few seconds per million)."""
    version = current_version()
    parts: dict[str, list[np.ndarray]] = {k: [] for k in
                                          ("id", "source", "category", "day", "minute", "lon", "lat", "area",
                                           "outside")}
    with connection.cursor() as cursor:
        cursor.execute(_SQL)
        while True:
            rows = cursor.fetchmany(_CHUNK)
            if not rows:
                break
            cols = list(zip(*rows))
            parts["id"].append(np.asarray(cols[0], dtype=np.int64))
            parts["source"].append(np.asarray(cols[1], dtype=np.int32))
            parts["category"].append(np.asarray([-1 if v is None else v for v in cols[2]], dtype=np.int32))
            parts["day"].append(np.fromiter((_to_day(v) for v in cols[3]), dtype=np.int32, count=len(rows)))
            parts["minute"].append(np.fromiter((_to_minute(v) for v in cols[4]), dtype=np.int16, count=len(rows)))
            parts["lon"].append(np.asarray([np.nan if v is None else v for v in cols[5]], dtype=np.float64))
            parts["lat"].append(np.asarray([np.nan if v is None else v for v in cols[6]], dtype=np.float64))
            parts["area"].append(np.asarray([-1 if v is None else v for v in cols[7]], dtype=np.int32))
            parts["outside"].append(np.asarray(cols[8], dtype=bool))
    empty = {"id": np.int64, "source": np.int32, "category": np.int32, "day": np.int32, "minute": np.int16,
             "lon": np.float64, "lat": np.float64, "area": np.int32, "outside": bool}
    arrays = {k: (np.concatenate(v) if v else np.empty(0, dtype=empty[k])) for k, v in parts.items()}
    return EventSnapshot(version=version, **arrays)


_lock = threading.Lock()
_cache: dict[str, EventSnapshot] = {}


def get_snapshot() -> EventSnapshot:
    """The cached snapshot, reloaded when the data version moved (one tiny query per call)."""
    version = current_version()
    key = connection.settings_dict["NAME"]
    snap = _cache.get(key)
    if snap is not None and snap.version == version:
        return snap
    with _lock:
        snap = _cache.get(key)
        if snap is None or snap.version != version:
            snap = load_snapshot()
            _cache[key] = snap
    return snap


def clear_cache() -> None:
    with _lock:
        _cache.clear()
