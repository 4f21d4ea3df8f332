"""Idle timeout and absolute lifetime: a session unused too long, or signed in too long ago, is signed out on its
next request. Time passes by moving the session's own clocks back, as the database would hold them."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from observatorio.accounts import lifetime
from observatorio.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _signed_in(client) -> str:
    assert client.post(reverse("login"), {"username": "bob", "password": "bob-pass-123"}).status_code == 302
    return client.cookies["sessionid"].value


def _age(key: str, **seconds_back) -> None:
    session = SessionStore(session_key=key)
    for name, back in seconds_back.items():
        session[name] -= back
    session.save()


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_the_defaults_are_thirty_minutes_and_twelve_hours(settings):
    assert (settings.OBS_SESSION_IDLE_MINUTES, settings.OBS_SESSION_MAX_HOURS) == (30, 12)
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_an_idle_session_ends(client, personas):
    key = _signed_in(client)
    _age(key, obs_last_seen=29 * 60)
    assert client.get(reverse("quality")).status_code == 200  # 29 minutes idle: still in
    _age(key, obs_last_seen=31 * 60)
    assert _sent_to_login(client.get(reverse("quality")))
    page = client.get(reverse("login")).content.decode()
    assert "se cerró por inactividad" in page
    entry = AuditEntry.objects.get(action="salida")
    assert entry.username == "bob" and entry.detail == {"motivo": "inactividad"}


def test_activity_keeps_a_session_alive_but_not_beyond_its_lifetime(client, personas):
    key = _signed_in(client)
    _age(key, obs_last_seen=5 * 60)
    assert client.get(reverse("quality")).status_code == 200
    seen = SessionStore(session_key=key)[lifetime.LAST_SEEN]
    assert lifetime.now() - seen < 60  # the request counted as activity
    _age(key, obs_signed_in_at=12 * 3600 + 1)
    assert _sent_to_login(client.get(reverse("quality")))
    assert "duración máxima" in client.get(reverse("login")).content.decode()
    assert AuditEntry.objects.get(action="salida").detail == {"motivo": "duracion"}


def test_the_limits_are_configurable(client, personas, settings):
    settings.OBS_SESSION_IDLE_MINUTES = 5
    key = _signed_in(client)
    _age(key, obs_last_seen=6 * 60)
    assert _sent_to_login(client.get(reverse("quality")))
