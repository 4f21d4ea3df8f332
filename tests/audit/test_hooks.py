"""Every kind of action the trail hears without a view calling record(): sign-in and sign-out, changes to users,
roles and the configuration (from the admin, with who and from where; from the command line, with nobody),
views of single events and every download."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from observatorio.accounts.roles import Role
from observatorio.audit.models import AuditEntry


def _last(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters).order_by("-id").first()


@pytest.mark.django_db
def test_sign_in_failure_and_sign_out(client, personas):
    client.post(reverse("login"), {"username": "bob", "password": "not-it-at-all"}, REMOTE_ADDR="10.0.0.7")
    client.post(reverse("login"), {"username": "bob", "password": "bob-pass-123"}, REMOTE_ADDR="10.0.0.7")
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.7")
    failed, signed_in, signed_out = (_last(a) for a in ("ingreso-fallido", "ingreso", "salida"))
    assert (failed.username, failed.target, failed.address) == ("", "bob", "10.0.0.7")
    assert (signed_in.username, signed_in.address, signed_in.user_id) == ("bob", "10.0.0.7", personas["bob"].pk)
    assert (signed_out.username, signed_out.detail) == ("bob", {"motivo": "salida"})


@pytest.mark.django_db
def test_users_and_roles_changed_in_the_admin(client, personas):
    client.force_login(personas["alice"])
    response = client.post(reverse("admin:auth_user_add"), {
        "username": "rosa", "password1": "una clave larga 9", "password2": "una clave larga 9", "usable_password": "true"},
        REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302, response.content.decode()[:2000]
    created = _last("usuario", target="rosa")
    assert (created.username, created.address, created.detail) == ("alice", "10.0.0.8", {"cambio": "creado"})

    rosa = get_user_model().objects.get(username="rosa")
    analysts = Group.objects.get(name=Role.ANALYST.group_name)
    rosa.groups.add(analysts)  # the command line: nobody signed in
    role = _last("usuario", target="rosa")
    assert (role.username, role.detail) == ("", {"cambio": "rol añadido", "roles": ["Analista"]})
    rosa.is_active = False
    rosa.save()
    assert _last("usuario", target="rosa").detail == {"cambio": "modificado", "campos": ["is_active"]}
    scope = personas["olga"].operator_scope
    scope.sources.clear()
    assert _last("usuario", target="olga").detail == {"cambio": "fuentes quitadas", "fuentes": []}


@pytest.mark.django_db
def test_a_sign_in_does_not_count_as_a_user_change(client, personas):
    before = AuditEntry.objects.filter(action="usuario").count()
    client.post(reverse("login"), {"username": "bob", "password": "bob-pass-123"})
    assert AuditEntry.objects.filter(action="usuario").count() == before


@pytest.mark.django_db
def test_configuration_changes(client, personas):
    from observatorio.accounts.models import RolePolicy
    from observatorio.records.models import Category, CategoryLabel, Measure, Source, SourceMapping

    client.force_login(personas["alice"])
    policy = RolePolicy.objects.get(role="analyst")
    response = client.post(reverse("admin:accounts_rolepolicy_change", args=[policy.pk]),
                           {"role": "analyst", "second_factor": "on"})
    assert response.status_code == 302
    entry = _last("configuracion")
    assert entry.username == "alice" and entry.detail["modelo"] == "accounts.rolepolicy"

    measure = Measure.objects.get(code="casos-vif")
    measure.name = "Casos de violencia intrafamiliar (VIF)"
    measure.save()
    assert _last("configuracion").detail["modelo"] == "records.measure"
    source = Source.objects.get(code="1461")
    mapping = SourceMapping.objects.create(source=source, version=1, columns={"fecha": "date"})
    assert _last("configuracion").detail == {"cambio": "creado", "modelo": "records.sourcemapping", "id": mapping.pk}
    category = Category.objects.create(code="vif-prueba", name="VIF de prueba")
    label = CategoryLabel.objects.create(source=source, label="VIF lesiones", category=category)
    label.delete()
    assert _last("configuracion").detail["cambio"] == "eliminado"


@pytest.mark.django_db
def test_views_of_single_events_and_downloads(client, demo, personas):
    from observatorio.records.models import Event

    client.force_login(personas["bob"])
    assert client.get(reverse("map_layer", args=("eventos", "json"))).status_code == 200
    seen = _last("ver-datos-personales")
    assert seen.username == "bob" and seen.target == "/mapa/capa/eventos.json"
    assert client.get(reverse("map_layer", args=("limites-comuna", "json"))).status_code == 200
    assert _last("ver-datos-personales").pk == seen.pk  # boundaries are no one's personal data

    assert client.get(reverse("map_layer", args=("eventos", "csv"))).status_code == 200
    download = _last("descarga")
    assert download.detail["eventos"] is True and download.detail["archivo"].startswith("eventos")
    assert client.get(reverse("quality_csv")).status_code == 200
    assert _last("descarga").detail == {"archivo": "calidad_fuentes.csv", "tipo": "text/csv; charset=utf-8",
                                        "eventos": False}

    client.force_login(personas["ana"])  # aggregates only: refused, and nothing seen
    assert client.get(reverse("map_layer", args=("eventos", "json"))).status_code == 403
    assert _last("ver-datos-personales").pk == seen.pk

    client.force_login(personas["alice"])
    event = Event.objects.order_by("id").first()
    assert client.get(reverse("admin:records_event_change", args=[event.pk])).status_code == 200
    assert _last("ver-datos-personales").target == f"/admin/records/event/{event.pk}/change/"
