"""Django's database sessions, with one exception: a refresh of the last-seen time that the database cannot take
right now is skipped instead of failing the request.

SQLite has one writer. While an import commits (one transaction, minutes for a million rows) every other write waits
for the busy timeout and then fails; Django turns a failed session update into "400 Bad Request"
(``SessionInterrupted``). The once-a-minute refresh of ``LAST_SEEN`` (accounts/lifetime.py) is the only session
write of an ordinary page view, and losing one costs the idle timeout at most a minute of precision. Any other
change (a sign-in, a sign-out, a message) still raises, so nothing a user did is silently lost. PostgreSQL writers
do not block each other on different rows, so there the exception never fires.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from .lifetime import LAST_SEEN

log = logging.getLogger(__name__)


class SessionStore(DatabaseStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create)
        except UpdateError:
            if must_create or not self._only_last_seen_moved():
                raise
            log.warning("session %s…: last-seen refresh skipped, the database is busy", self.session_key[:6])

    def _only_last_seen_moved(self) -> bool:
        """Whether the stored session equals this one but for ``LAST_SEEN`` (read: readers never wait in WAL)."""
        stored = self._get_session_from_db()
        if stored is None:
            return False  # the session was deleted meanwhile (a sign-out elsewhere): that is a real interruption
        before = self.decode(stored.session_data)
        now = dict(self._get_session())
        before.pop(LAST_SEEN, None)
        now.pop(LAST_SEEN, None)
        return before == now
