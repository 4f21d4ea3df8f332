"""Sign-in as Django ships it: every request reads its session, its user and their roles from the database.

So a sign-out, a deactivation, a removed role or a new password counts on the very next request, even
when the change is written as another process would write it (no model signals). The tests run outside
a transaction (``transactional_db``), as a server does. tests/core/test_signin_servers.py checks the same
across two server processes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from observatorio.accounts.roles import Role, user_roles

pytestmark = pytest.mark.usefixtures("transactional_db")


def _signed_in(client, personas, who: str = "bob") -> str:
    """Sign in through the login form; the session key."""
    response = client.post(reverse("login"), {"username": who, "password": f"{who}-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("quality")).status_code == 200
    return client.cookies["sessionid"].value


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_every_request_reads_its_session_user_and_roles_once(client, personas):
    _signed_in(client, personas)
    for _ in range(2):  # the second request, too: nothing is kept between requests
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("quality")).status_code == 200
        sqls = [q["sql"] for q in queries.captured_queries]
        assert [sum(f'FROM "{table}"' in s for s in sqls) for table in ("django_session", "auth_user", "auth_group")] \
            == [1, 1, 1]


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(client, personas):
    key = _signed_in(client, personas)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # a copy of the cookie kept elsewhere (another tab, a stolen one)
    assert _sent_to_login(client.get(reverse("quality")))


@pytest.mark.parametrize("end", ["delete", "expire"])
def test_a_session_ended_in_the_database_signs_out(client, personas, end):
    key = _signed_in(client, personas)
    rows = Session.objects.filter(session_key=key)
    if end == "delete":
        rows.delete()
    else:
        rows.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert _sent_to_login(client.get(reverse("quality")))


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, personas):
    _signed_in(client, personas)
    get_user_model().objects.filter(username="bob").update(is_active=False)  # no signal, as another process
    assert _sent_to_login(client.get(reverse("quality")))


def test_a_removed_role_counts_on_the_next_request(client, personas):
    _signed_in(client, personas)
    get_user_model().groups.through.objects.filter(user__username="bob").delete()  # no signal, as another process
    assert client.get(reverse("quality")).status_code == 403


def test_a_new_password_signs_out_the_other_sessions(client, personas):
    _signed_in(client, personas)
    bob = get_user_model().objects.get(username="bob")
    bob.set_password("bob-new-pass-456")
    bob.save(update_fields=["password"])
    assert _sent_to_login(client.get(reverse("quality")))


@pytest.mark.parametrize("who, roles", [("alice", set(Role)), ("bob", {Role.ANALYST}), ("olga", {Role.OPERATOR}),
                                        ("ana", {Role.AUTHORITY}), ("charlie", set())])
def test_the_user_s_roles_are_their_groups(personas, who, roles):
    user = ModelBackend().get_user(personas[who].pk)
    with CaptureQueriesContext(connection) as queries:
        assert user_roles(user) == roles
        assert user_roles(user) == roles
    assert len(queries.captured_queries) == (0 if who == "alice" else 1)  # kept on this request's user object
