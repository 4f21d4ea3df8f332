"""The session and the user with their roles are read in one query each, with Django's rules unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from observatorio.accounts.backends import RoleModelBackend
from observatorio.accounts.roles import Role, user_roles


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields}


@pytest.mark.parametrize("who, roles", [("alice", set(Role)), ("bob", {Role.ANALYST}), ("olga", {Role.OPERATOR}),
                                        ("ana", {Role.AUTHORITY}), ("charlie", set())])
def test_the_user_and_roles_are_django_s(personas, who, roles):
    user = personas[who]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as queries:
        loaded = RoleModelBackend().get_user(str(user.pk))
        assert user_roles(loaded) == roles
    assert len(queries.captured_queries) == 1
    expected = ModelBackend().get_user(user.pk)
    assert _fields(loaded) == _fields(expected)
    assert isinstance(loaded.last_login, dt.datetime) and loaded.last_login.tzinfo is not None


def test_unknown_malformed_and_inactive_users_are_nobody(personas):
    backend = RoleModelBackend()
    assert backend.get_user("999999") is None
    assert backend.get_user("no-es-un-id") is None
    bob = personas["bob"]
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert backend.get_user(str(bob.pk)) is None


def test_a_signed_in_request_reads_the_session_and_the_user_once(client, personas):
    client.force_login(personas["bob"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("quality")).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum("django_session" in s for s in sqls) == 1
    user_queries = [s for s in sqls if "auth_user" in s]
    assert len(user_queries) == 1 and "auth_group" in user_queries[0]


def test_a_role_taken_away_counts_on_the_next_request(client, personas):
    from django.contrib.auth.models import Group

    bob = personas["bob"]
    client.force_login(bob)
    assert client.get(reverse("quality")).status_code == 200
    bob.groups.remove(Group.objects.get(name=Role.ANALYST.group_name))
    assert client.get(reverse("quality")).status_code == 403


def test_expired_and_ended_sessions_sign_out(client, personas):
    from django.contrib.sessions.models import Session

    client.force_login(personas["bob"])
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("quality")).status_code == 302
    client.force_login(personas["bob"])
    assert client.get(reverse("quality")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("quality")).status_code == 302


def test_the_session_keeps_what_was_stored(client, personas):
    client.force_login(personas["bob"])
    session = client.session
    session["tablero"] = {"periodo": "12m"}
    session.save()
    assert client.session["tablero"] == {"periodo": "12m"}
    assert client.get(reverse("quality")).status_code == 200
