"""Django's database sessions, read with one hand-written query instead of the ORM's.

Loading the session is the first query of every signed-in request; building it
through the ORM costs ~0.3 ms of Python, ten times the query itself. What was
read is kept for a moment (:mod:`.signin_cache`; saving or deleting a session
forgets it). The table, the expiry rule and everything else (saving,
rotating, deleting, clearing) are Django's ``sessions.backends.db``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import signin_cache


class SessionStore(DatabaseSessionStore):
    def load(self):
        data = self._session_data_from_db()
        if data is None:
            self._session_key = None  # as Django does for a missing or expired session
            return {}
        return self.decode(data)

    def _session_data_from_db(self) -> str | None:
        if not self.session_key:
            return None
        using = router.db_for_read(self.model)
        held = signin_cache.session_data(using, self.session_key)
        if held is not None:
            return held
        meta = self.model._meta
        connection = connections[using]
        qn = connection.ops.quote_name
        sql = (f"SELECT {qn(meta.get_field('session_data').column)}, {qn(meta.get_field('expire_date').column)} "
               f"FROM {qn(meta.db_table)} "
               f"WHERE {qn(meta.get_field('session_key').column)} = %s "
               f"AND {qn(meta.get_field('expire_date').column)} > %s")
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            return None
        data, expires = row
        signin_cache.keep_session(using, self.session_key, _aware(expires), data)
        return data

    def save(self, must_create=False):
        signin_cache.forget_session(router.db_for_write(self.model), self.session_key)
        super().save(must_create=must_create)

    def delete(self, session_key=None):
        signin_cache.forget_session(router.db_for_write(self.model), session_key or self.session_key)
        super().delete(session_key)


def _aware(value) -> dt.datetime:
    """The expiry date as an aware datetime: SQLite hands back naive UTC text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.timezone.utc)
