"""Ending every session of a user, as an administrator does from the users' admin page.

Sessions live in the database and every request reads its own (decision 24), so deleting the rows signs the
user out at once in every server process. Sessions are found by decoding the unexpired ones: an observatory
has tens of users, not millions of sessions.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions(user) -> int:
    """Delete every unexpired session signed in as ``user``; how many there were."""
    ours = [session.pk for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
            if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)]
    Session.objects.filter(pk__in=ours).delete()
    return len(ours)
