"""Throttling sign-in: after N wrong passwords for one user from one address, even the right one is refused
until the cool-off has passed; other users and other addresses are not locked out with them."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from observatorio.audit.models import AuditEntry

LOGIN = "/cuenta/ingresar/"


def _sign_in(client, who, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": who, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_at_that_address_until_the_cool_off(client, personas):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = _sign_in(client, "bob", "not-bobs-password")
        assert response.status_code == 200 and "no son correctos" in response.content.decode()
    locked = _sign_in(client, "bob", "not-bobs-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Ingreso bloqueado" in page and "15 minutos" in page

    refused = _sign_in(client, "bob", "bob-pass-123")  # the right password, still refused
    assert refused.status_code == 429 and "_auth_user_id" not in client.session

    # Neither another user at the same address, nor bob from another address, is locked out.
    assert _sign_in(client.__class__(), "ana", "ana-pass-123").status_code == 302
    assert _sign_in(client.__class__(), "bob", "bob-pass-123", address="10.1.2.3").status_code == 302

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert _sign_in(client, "bob", "bob-pass-123").status_code == 302
    assert client.get(reverse("quality")).status_code == 200

    trail = AuditEntry.objects.filter(target="bob")
    assert trail.filter(action="ingreso-fallido", address="127.0.0.1").count() == limit + 1
    assert trail.filter(action="bloqueo", address="127.0.0.1").count() >= 2  # at the 5th failure and when refused
    assert AuditEntry.objects.filter(action="ingreso", username="bob").count() == 2


@pytest.mark.django_db
def test_the_lockout_page_speaks_english_on_request(client, personas):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, "bob", "wrong-password-x")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
