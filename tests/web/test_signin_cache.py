"""Sessions and users kept for two seconds: fewer queries, and no sign-in outlives a change made here.

These tests run outside a transaction (``transactional_db``): inside one the cache is never used.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from observatorio.accounts import signin_cache


@pytest.fixture(autouse=True)
def empty_cache():
    signin_cache.clear()
    yield
    signin_cache.clear()


def _auth_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, [q["sql"] for q in queries.captured_queries
                    if "django_session" in q["sql"] or "auth_user" in q["sql"]]


def test_a_second_request_reads_neither_session_nor_user(transactional_db, client, personas, monkeypatch):
    monkeypatch.setattr(signin_cache, "CHECK_SECONDS", 60.0)  # a slow machine must not outlast the window
    client.force_login(personas["bob"])
    status, first = _auth_queries(client, reverse("quality"))
    assert status == 200 and len(first) == 2
    status, second = _auth_queries(client, reverse("quality"))
    assert status == 200 and second == []


def test_after_the_window_both_are_read_again(transactional_db, client, personas, monkeypatch):
    client.force_login(personas["bob"])
    client.get(reverse("quality"))
    monkeypatch.setattr(signin_cache, "CHECK_SECONDS", -1.0)
    status, again = _auth_queries(client, reverse("quality"))
    assert status == 200 and len(again) == 2


def test_logout_here_signs_out_at_once(transactional_db, client, personas):
    client.force_login(personas["bob"])
    assert client.get(reverse("quality")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("quality")).status_code == 302


def test_a_role_taken_away_here_counts_at_once(transactional_db, client, personas):
    from django.contrib.auth.models import Group

    from observatorio.accounts.roles import Role

    bob = personas["bob"]
    client.force_login(bob)
    assert client.get(reverse("quality")).status_code == 200
    bob.groups.remove(Group.objects.get(name=Role.ANALYST.group_name))
    assert client.get(reverse("quality")).status_code == 403


def test_a_user_deactivated_here_is_signed_out_at_once(transactional_db, client, personas):
    bob = personas["bob"]
    client.force_login(bob)
    assert client.get(reverse("quality")).status_code == 200
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert client.get(reverse("quality")).status_code == 302


def test_a_session_ended_elsewhere_counts_within_the_window(transactional_db, client, personas, monkeypatch):
    from django.contrib.sessions.models import Session

    monkeypatch.setattr(signin_cache, "CHECK_SECONDS", 60.0)
    client.force_login(personas["bob"])
    assert client.get(reverse("quality")).status_code == 200
    # Another process deletes the row: no signal reaches this one.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session WHERE session_key = %s", [client.cookies["sessionid"].value])
    assert not Session.objects.exists()
    assert client.get(reverse("quality")).status_code == 200  # still within CHECK_SECONDS
    monkeypatch.setattr(signin_cache, "CHECK_SECONDS", -1.0)  # the window has passed
    assert client.get(reverse("quality")).status_code == 302


def test_a_kept_session_past_its_expiry_is_not_used(transactional_db, client, personas):
    client.force_login(personas["bob"])
    key = client.cookies["sessionid"].value
    assert client.get(reverse("quality")).status_code == 200
    using, held = next((k, v) for k, v in signin_cache._sessions.items() if k[1] == key)
    signin_cache._sessions[using] = (held[0], timezone.now() - dt.timedelta(seconds=1), held[2])
    assert signin_cache.session_data(using[0], key) is None


def test_users_are_handed_out_as_copies(transactional_db, personas):
    from observatorio.accounts.backends import RoleModelBackend

    backend = RoleModelBackend()
    first = backend.get_user(personas["bob"].pk)
    first.note = "set by one request"
    first._obs_roles.clear()
    second = backend.get_user(personas["bob"].pk)
    assert second is not first and not hasattr(second, "note")
    assert second._obs_roles and second.username == "bob"


def test_nothing_is_kept_inside_a_transaction(db, client, personas):
    client.force_login(personas["bob"])
    client.get(reverse("quality"))
    status, again = _auth_queries(client, reverse("quality"))
    assert status == 200 and len(again) == 2
    assert signin_cache._sessions == {} and signin_cache._users == {}
