"""An administrator ends every session of a user from the users' admin page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from observatorio.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _browser(who: str) -> Client:
    browser = Client()
    assert browser.post(reverse("login"), {"username": who, "password": f"{who}-pass-123"}).status_code == 302
    return browser


def test_ending_a_user_s_sessions_signs_out_every_browser_of_theirs(personas):
    phone, laptop, ana, alice = _browser("bob"), _browser("bob"), _browser("ana"), _browser("alice")
    bob = get_user_model().objects.get(username="bob")
    response = alice.post(reverse("admin:auth_user_changelist"),
                          {"action": "end_all_sessions", "_selected_action": [bob.pk]})
    assert response.status_code == 302
    for browser in (phone, laptop):
        assert browser.get(reverse("quality")).status_code == 302
    assert ana.get(reverse("quality")).status_code == 200
    assert alice.get(reverse("quality")).status_code == 200
    entry = AuditEntry.objects.get(action="sesiones-cerradas")
    assert (entry.username, entry.target, entry.detail) == ("alice", "bob", {"sesiones": 2})
