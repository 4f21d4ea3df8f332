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
