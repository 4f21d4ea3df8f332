"""The audit trail only grows: entries are written by record() and never changed or deleted by the app."""

from __future__ import annotations

import pytest

from observatorio.audit.models import Action, AuditEntry
from observatorio.audit.record import record


@pytest.mark.django_db
def test_record_keeps_who_what_and_never_changes(personas, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = personas["bob"]
    entry = record(Action.DOWNLOAD, request=request, target="/tablero/datos/areas.csv", detail={"rows": 31})
    assert (entry.username, entry.address, entry.action, entry.detail) == ("bob", "10.1.2.3", "descarga", {"rows": 31})
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    # A command run on the server: no user, no address.
    command = record(Action.BACKUP, target="respaldo.tar")
    assert command.username == "" and command.address is None
    # Deleting the user leaves the entry and its name.
    personas["bob"].delete()
    assert AuditEntry.objects.get(pk=entry.pk).username == "bob"


@pytest.mark.django_db(transaction=True)
def test_a_new_instance_has_an_empty_trail_and_later_changes_are_recorded():
    """migrate's own seeding (role groups, standard measures, category tree) is nobody's change: a new or
    restored-into instance starts with an empty trail; an administrator's later edit is recorded."""
    from django.core.management import call_command

    from observatorio.commands import migrate
    from observatorio.records.models import Measure

    call_command("flush", interactive=False, verbosity=0)  # runs post_migrate, as migrate does
    migrate.handle(None)
    assert not AuditEntry.objects.exists()
    measure = Measure.objects.get(code="patrullajes")
    measure.name = "Patrullajes preventivos municipales"
    measure.save()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["configuracion"]
