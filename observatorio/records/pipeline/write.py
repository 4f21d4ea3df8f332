"""Bulk writes: new rows with one statement per chunk (COPY on PostgreSQL), corrections with revisions.

Django's ``bulk_create`` builds a model instance per row, which alone costs
more than the whole insert for a million events. Here the rows go straight
from column lists to the database: ``executemany`` on SQLite, ``COPY … FROM
STDIN`` through psycopg's ``cursor.copy`` on PostgreSQL. Always called
inside the import's transaction; `progress` is called after every chunk and
may raise to abort it (the transaction then leaves nothing).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from django.db import connection

CHUNK = 50_000
SQLITE_CACHE_KB = 400_000

EVENT_COLUMNS = (
    "source_id", "batch_id", "external_id", "category_id", "original_label", "occurred_on", "occurred_time",
    "window_start", "window_end", "lon", "lat", "precision", "address", "area_id", "outside",
    "victim_sex", "victim_age_group", "victim_nationality", "victim_key",
    "offender_sex", "offender_age_group", "offender_nationality", "offender_key",
    "original", "attributes", "content_hash",
)
COUNT_COLUMNS = ("source_id", "batch_id", "area_id", "area_code", "period_start", "category_id", "original_label",
                 "count")

# Fields a correction may change, and that a rollback restores.
EVENT_UPDATABLE = tuple(c for c in EVENT_COLUMNS if c not in ("source_id", "batch_id", "external_id", "window_start",
                                                               "window_end"))


def _insert(table: str, names: tuple[str, ...], columns: dict[str, list], progress, stage: str) -> int:
    total = len(columns[names[0]]) if names else 0
    if total == 0:
        return 0
    lists = [columns[name] for name in names]
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
            for start in range(0, total, CHUNK):
                stop = min(start + CHUNK, total)
                with cursor.cursor.copy(sql) as copy:
                    for row in zip(*(col[start:stop] for col in lists)):
                        copy.write_row(row)
                done = stop
                if progress:
                    progress(stage, done, total)
        else:
            # The default 2 MB page cache thrashes on the random-order index inserts (content hash,
            # external id) of a million rows; a larger cache for this connection makes it several times faster.
            cursor.execute("PRAGMA cache_size = -%d" % SQLITE_CACHE_KB)
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
            for start in range(0, total, CHUNK):
                stop = min(start + CHUNK, total)
                cursor.executemany(sql, list(zip(*(col[start:stop] for col in lists))))
                done = stop
                if progress:
                    progress(stage, done, total)
    return done


def insert_events(columns: dict[str, list], progress=None) -> int:
    """Insert events given as ``{column: list}`` (see `EVENT_COLUMNS`); returns rows written."""
    return _insert("records_event", EVENT_COLUMNS, columns, progress, "write")


def insert_counts(columns: dict[str, list], progress=None) -> int:
    return _insert("records_aggregatecount", COUNT_COLUMNS, columns, progress, "write")


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


def _plain(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def update_events(targets: list[int], columns: dict[str, list], positions: list[int], batch_id: int) -> int:
    """Apply corrections: keep each event's previous values in an `EventRevision`, then update it."""
    from observatorio.records.models import Event, EventRevision

    if not targets:
        return 0
    current = {}
    for start in range(0, len(targets), 500):
        chunk = targets[start:start + 500]
        for row in Event.objects.filter(id__in=chunk).values("id", *EVENT_UPDATABLE):
            current[row.pop("id")] = {k: _plain(v) for k, v in row.items()}
    EventRevision.objects.bulk_create(
        [EventRevision(event_id=t, batch_id=batch_id, previous=current[t]) for t in targets], batch_size=1000)
    events = []
    for t, p in zip(targets, positions):
        values = {c: _py(columns[c][p]) for c in EVENT_UPDATABLE}
        for key in ("original", "attributes"):
            values[key] = json.loads(values[key])
        events.append(Event(id=t, **values))
    Event.objects.bulk_update(events, list(EVENT_UPDATABLE), batch_size=500)
    return len(events)


def update_counts(targets: list[int], counts: list[int], batch_id: int) -> int:
    from observatorio.records.models import AggregateCount, CountRevision

    if not targets:
        return 0
    previous = dict(AggregateCount.objects.filter(id__in=targets).values_list("id", "count"))
    CountRevision.objects.bulk_create([CountRevision(count_id=t, batch_id=batch_id, previous_count=previous[t])
                                       for t in targets], batch_size=1000)
    AggregateCount.objects.bulk_update([AggregateCount(id=t, count=c) for t, c in zip(targets, counts)], ["count"],
                                       batch_size=500)
    return len(targets)
