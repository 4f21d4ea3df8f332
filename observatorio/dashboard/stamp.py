"""What the dashboard's per-process caches are checked against, read once per request.

The snapshot follows the events' :class:`~observatorio.records.models.DataVersion`;
the territory index and the filter catalog follow keys of counts and largest
ids (``territory.index.key_sql``, ``filters.catalog_key_sql``). Reading all of
them is one statement of a dozen sub-queries: ~0.5 ms on PostgreSQL, a tenth of
a dashboard request. So every request reads only the events' version (one
indexed row), and the other keys are read again when that version moved (an
import may add sources or categories), when :data:`CHECK_SECONDS` have passed
since they were last read (edits made by another process: the admin, the
territory command), at once after an edit in this process (model signals), and
always inside a transaction, whose rollback no signal announces (tests).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import post_delete, post_save

from observatorio.records.models import Category, Source
from observatorio.records.snapshot import version_sql
from observatorio.territory.index import key_sql as index_key_sql
from observatorio.territory.models import Area, Boundary, Demography

from .filters import catalog_key_sql

CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Stamp:
    events: int
    territory: tuple
    catalog: tuple


_lock = threading.Lock()
_held: dict[str, tuple[float, Stamp]] = {}  # database name → (monotonic time of the full read, stamp)


def read_stamp() -> Stamp:
    """The current stamp: the events' version read now, the other keys at most :data:`CHECK_SECONDS` old."""
    name = connection.settings_dict["NAME"]
    held = _held.get(name)
    if held is None or connection.in_atomic_block:
        return _read_full(name)
    read_at, stamp = held
    with connection.cursor() as cursor:
        cursor.execute(version_sql())
        row = cursor.fetchone()
    if (row[0] if row else 0) != stamp.events or time.monotonic() - read_at > CHECK_SECONDS:
        return _read_full(name)
    return stamp


def _read_full(name: str) -> Stamp:
    territory, catalog = index_key_sql(), catalog_key_sql()
    parts = [version_sql(), *territory, *catalog]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({p})" for p in parts))
        row = cursor.fetchone()
    stamp = Stamp(row[0] or 0, tuple(row[1:1 + len(territory)]), tuple(row[1 + len(territory):]))
    if not connection.in_atomic_block:
        with _lock:
            _held[name] = (time.monotonic(), stamp)
    return stamp


def forget(**_signal) -> None:
    with _lock:
        _held.clear()


for _model in (Area, Boundary, Demography, Source, Category):
    post_save.connect(forget, sender=_model, dispatch_uid=f"dashboard-stamp-save-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"dashboard-stamp-delete-{_model.__name__}")
