"""What the dashboard's per-process caches are checked against, read at most every few seconds.

The snapshot follows the events' :class:`~observatorio.records.models.DataVersion`;
the territory index and the filter catalog follow keys of counts and largest
ids (``territory.index.key_sql``, ``filters.catalog_key_sql``). Reading them is
one statement of a dozen sub-queries, ~0.5 ms on PostgreSQL: with the session
and the user, the third query of every request, and a sixth of a dashboard
answer. So a process reads them again only when

* :data:`CHECK_SECONDS` have passed since the last read (changes made by
  another process: an import run from the command line, the admin of another
  server process);
* a data version was bumped here and committed (an import through the web,
  which runs in a thread of this process: ``records.snapshot.data_changed``),
  or an area, boundary, demography row, source or category was saved or
  deleted here (model signals);
* the request runs inside a transaction, whose rollback no signal announces
  (tests).

So an import made here shows on the next request, and one made elsewhere within
:data:`CHECK_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import post_delete, post_save

from observatorio.records.models import Category, Source
from observatorio.records.snapshot import data_changed, version_sql
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
_held: dict[str, tuple[float, Stamp]] = {}  # database name → (monotonic time of the read, stamp)


def read_stamp() -> Stamp:
    """The stamp read at most :data:`CHECK_SECONDS` ago (or now: see the module's notes)."""
    name = connection.settings_dict["NAME"]
    held = _held.get(name)
    if held is not None and not connection.in_atomic_block and time.monotonic() - held[0] <= CHECK_SECONDS:
        return held[1]
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


data_changed.connect(forget, dispatch_uid="dashboard-stamp-data-changed")
for _model in (Area, Boundary, Demography, Source, Category):
    post_save.connect(forget, sender=_model, dispatch_uid=f"dashboard-stamp-save-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"dashboard-stamp-delete-{_model.__name__}")
