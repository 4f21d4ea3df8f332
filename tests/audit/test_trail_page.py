"""The administrator's page of the trail: filters by who, action, dates and text, pages of 50, and the CSV of
exactly what was found; nobody else may open it, and nothing on it changes an entry."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from observatorio.audit.models import Action, AuditEntry
from observatorio.audit.record import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(personas):
    """A known trail: 60 downloads by bob in March, a lockout of 'mallory', a configuration change by alice."""
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for i in range(60):
        entry = record(Action.DOWNLOAD, user=personas["bob"], target=f"/tablero/datos/areas.csv?n={i}",
                       detail={"archivo": f"tablero-{i}.csv"})
        AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.make_aware(dt.datetime(2026, 3, 1 + i % 28, 10)))
    locked = record(Action.LOCKED_OUT, target="mallory", address="203.0.113.9")
    AuditEntry.objects.filter(pk=locked.pk).update(at=timezone.make_aware(dt.datetime(2026, 4, 2, 3)))
    record(Action.CONFIG, user=personas["alice"], target="medida: Casos VIF", detail={"cambio": "modificado"})
    return start


def _rows(response):
    return response.content.decode().count("<tr data-action=")


def test_only_administrators_open_it(client, personas):
    url = reverse("audit_trail")
    assert client.get(url).status_code == 302
    for who in ("bob", "olga", "ana", "charlie"):
        client.force_login(personas[who])
        assert client.get(url).status_code == 403, who
        assert client.get(reverse("audit_trail_csv")).status_code == 403, who


def test_filters_and_pages(client, personas, trail):
    client.force_login(personas["alice"])
    url = reverse("audit_trail")
    page = client.get(url, {"quien": "bob", "accion": "descarga"})
    assert page.status_code == 200 and _rows(page) == 50 and "60 entradas" in page.content.decode()
    second = client.get(url, {"quien": "bob", "accion": "descarga", "pagina": 2})
    assert _rows(second) == 10
    assert _rows(client.get(url, {"quien": "BOB", "desde": "2026-03-27", "hasta": "2026-03-28"})) == 4
    assert _rows(client.get(url, {"texto": "tablero-59"})) == 1  # inside the detail
    mallory = client.get(url, {"quien": "mallory"})  # a failed or locked sign-in names the account tried
    assert _rows(mallory) == 1 and "203.0.113.9" in mallory.content.decode()
    assert _rows(client.get(url, {"accion": "configuracion", "texto": "VIF"})) == 1
    bad = client.get(url, {"desde": "0001-01-01"})
    assert bad.status_code == 400 and "Use una fecha entre 2000 y 2100" in bad.content.decode()
    assert client.get(url, {"desde": "2026-05-01", "hasta": "2026-04-01"}).status_code == 400


def test_the_csv_holds_exactly_the_filtered_entries(client, personas, trail):
    client.force_login(personas["alice"])
    response = client.get(reverse("audit_trail_csv"), {"quien": "bob", "desde": "2026-03-01", "hasta": "2026-03-02"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["cuándo", "usuario", "desde", "acción", "sobre qué", "detalle"]
    assert len(rows) == 1 + 6  # days 1 and 2 of March, three months' worth of i % 28
    assert {row[1] for row in rows[1:]} == {"bob"} and {row[3] for row in rows[1:]} == {"descarga"}
    # The download itself went into the trail.
    assert AuditEntry.objects.filter(action="descarga", username="alice", target__startswith="/auditoria/").exists()


def test_neither_the_page_nor_the_admin_offers_a_way_to_change_an_entry(client, personas, trail):
    client.force_login(personas["alice"])
    page = client.get(reverse("audit_trail")).content.decode()
    assert 'class="table-wrap"' in page and 'method="post"' not in page.split('id="audit-filter"')[1].split("</section>")[0]
    admin = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "/admin/audit/auditentry/add/" not in admin and "delete_selected" not in admin
