"""Undo a committed batch: remove exactly its records and restore what it corrected.

A batch owns the events, counts and survey responses it created (``batch`` foreign key) and
the revisions of the records it corrected. Rolling back deletes the first
and writes the previous values back from the second. If a later committed
batch corrected the same records, restoring would overwrite its work, so the
rollback refuses and names that batch (roll it back first). The batch row
stays, marked rolled back, so history keeps what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from observatorio.errors import UserError


class RollbackRefused(UserError):
    """The batch cannot be rolled back as asked; the message says why and what to do."""


@dataclass(frozen=True)
class RollbackResult:
    batch: int
    events_deleted: int
    counts_deleted: int
    events_restored: int
    counts_restored: int
    responses_deleted: int = 0


def _restore_value(field: str, value):
    if value is None:
        return None
    if field == "occurred_on":
        return dt.date.fromisoformat(value)
    if field == "occurred_time":
        return dt.time.fromisoformat(value)
    return value


@transaction.atomic
def rollback_batch(batch_id: int, *, user=None, address: str | None = None) -> RollbackResult:
    """Roll back batch `batch_id`; `user` (and `address`, from the web) is who did it, for the audit trail."""
    from observatorio.records import snapshot
    from observatorio.records.models import (
        AggregateCount,
        BatchStatus,
        CountRevision,
        Event,
        EventRevision,
        ImportBatch,
    )

    try:
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise RollbackRefused(gettext("no hay un lote %(batch)s; vea la lista con `observatorio batches`")
                              % {"batch": batch_id}) from None
    if batch.status == BatchStatus.ROLLED_BACK:
        raise RollbackRefused(gettext("el lote %(batch)s ya se revirtió el %(when)s")
                              % {"batch": batch_id, "when": f"{batch.rolled_back_at:%Y-%m-%d %H:%M}"})
    if batch.status == BatchStatus.DRY_RUN:
        raise RollbackRefused(gettext("el lote %(batch)s es una prueba: no escribió nada, no hay nada que revertir")
                              % {"batch": batch_id})

    revisions = EventRevision.objects.filter(batch=batch)
    later = (EventRevision.objects.filter(event_id__in=revisions.values("event_id"), id__gt=0)
             .exclude(batch=batch).filter(batch__id__gt=batch.id, batch__status=BatchStatus.COMMITTED)
             .values_list("batch_id", flat=True).distinct())
    later_counts = (CountRevision.objects.filter(count_id__in=CountRevision.objects.filter(batch=batch)
                                                 .values("count_id"))
                    .exclude(batch=batch).filter(batch__id__gt=batch.id, batch__status=BatchStatus.COMMITTED)
                    .values_list("batch_id", flat=True).distinct())
    # Deleting this batch's own records would also silently drop later corrections of them.
    corrected_own = (EventRevision.objects.filter(event__batch=batch, batch__status=BatchStatus.COMMITTED)
                     .exclude(batch=batch).values_list("batch_id", flat=True).distinct())
    corrected_own_counts = (CountRevision.objects.filter(count__batch=batch, batch__status=BatchStatus.COMMITTED)
                            .exclude(batch=batch).values_list("batch_id", flat=True).distinct())
    blockers = sorted(set(later) | set(later_counts) | set(corrected_own) | set(corrected_own_counts))
    if blockers:
        raise RollbackRefused(gettext("lotes posteriores (%(later)s) corrigieron registros del lote %(batch)s; "
                                      "reviértalos primero") % {"later": ", ".join(map(str, blockers)),
                                                                "batch": batch_id})

    restored = 0
    for revision in revisions.order_by("-id"):
        values = {k: _restore_value(k, v) for k, v in revision.previous.items()}
        restored += Event.objects.filter(pk=revision.event_id).update(**values)
    count_restored = 0
    for revision in CountRevision.objects.filter(batch=batch).order_by("-id"):
        count_restored += AggregateCount.objects.filter(pk=revision.count_id).update(count=revision.previous_count)
    revisions.delete()
    CountRevision.objects.filter(batch=batch).delete()
    # Revisions other batches made to this batch's own events go with them (cascade).
    # Plain SQL: a queryset delete would load every id of a million-row batch to cascade by hand.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_eventrevision WHERE event_id IN "
                       "(SELECT id FROM records_event WHERE batch_id = %s)", [batch.id])
        cursor.execute("DELETE FROM records_event WHERE batch_id = %s", [batch.id])
        events_deleted = cursor.rowcount
        cursor.execute("DELETE FROM records_countrevision WHERE count_id IN "
                       "(SELECT id FROM records_aggregatecount WHERE batch_id = %s)", [batch.id])
        cursor.execute("DELETE FROM records_aggregatecount WHERE batch_id = %s", [batch.id])
        counts_deleted = cursor.rowcount
        cursor.execute("DELETE FROM records_surveyresponse WHERE batch_id = %s", [batch.id])
        responses_deleted = cursor.rowcount
    batch.status = BatchStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.save(update_fields=["status", "rolled_back_at"])
    snapshot.bump()
    snapshot.bump("counts")
    from observatorio.audit.models import Action
    from observatorio.audit.record import record

    from .run import _actor

    record(Action.ROLLBACK, user=user if getattr(user, "pk", None) else None, address=address,
           target=f"lote {batch.id}: {batch.file_name}",
           detail={"batch": batch.id, "source": batch.source_id, "events_deleted": events_deleted,
                   "counts_deleted": counts_deleted, "responses_deleted": responses_deleted,
                   "restored": restored + count_restored, **_actor(user)})
    return RollbackResult(batch.id, events_deleted, counts_deleted, restored, count_restored, responses_deleted)
