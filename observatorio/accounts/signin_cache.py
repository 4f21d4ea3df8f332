"""Signed-in sessions and users, kept per process for at most two seconds.

A dashboard data request on PostgreSQL spent ~1.5 of its ~2.2 ms on two
queries: the session row and the user with their role groups (each a round
trip to the server and back, however small). A page load asks eight or more
endpoints at once with the same cookie, so this process keeps what it read:

* an entry is used for at most :data:`CHECK_SECONDS` after it was read from
  the database (the cadence of :mod:`observatorio.dashboard.stamp`): a change
  made by *another* process (a logout, a role taken away in the admin of
  another server process, a user deactivated from the command line) takes
  effect there within that time (decision 24);
* any change made in *this* process empties it at once: a session saved or
  deleted (login, logout, key rotation), a user, group, role membership or
  operator scope saved or deleted (model signals);
* a session's own expiry date is checked on every use, and the user is
  checked as Django always does (active, session hash: a changed password
  signs out);
* nothing is kept or used inside a transaction (the admin's and the tests'
  writes are rolled back without any signal).

Users are handed out as copies, so nothing a request sets on its user leaks
into another's.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import time

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out
from django.contrib.auth.models import Group
from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

CHECK_SECONDS = 2.0
MAX_ENTRIES = 4096  # sessions or users per kind; beyond it the cache starts again (a handful of staff use it)

_lock = threading.Lock()
_sessions: dict[tuple[str, str], tuple[float, dt.datetime, str]] = {}  # (db, key) → (read at, expires, data)
_users: dict[tuple[str, object], tuple[float, object]] = {}  # (db, user id) → (read at, user)


def _usable(using: str) -> bool:
    return not connections[using].in_atomic_block


def _fresh(read_at: float) -> bool:
    return time.monotonic() - read_at <= CHECK_SECONDS


def session_data(using: str, session_key: str) -> str | None:
    """The session's data as last read within :data:`CHECK_SECONDS` and not expired, else None (ask the database)."""
    if not _usable(using):
        return None
    held = _sessions.get((using, session_key))
    if held is None or not _fresh(held[0]) or held[1] <= timezone.now():
        return None
    return held[2]


def keep_session(using: str, session_key: str, expires: dt.datetime, data: str) -> None:
    if _usable(using):
        with _lock:
            if len(_sessions) >= MAX_ENTRIES:
                _sessions.clear()
            _sessions[(using, session_key)] = (time.monotonic(), expires, data)


def forget_session(using: str, session_key: str | None) -> None:
    if session_key:
        with _lock:
            _sessions.pop((using, session_key), None)


def user(using: str, user_id):
    """A copy of the user (with their roles) read within :data:`CHECK_SECONDS`, else None."""
    if not _usable(using):
        return None
    held = _users.get((using, user_id))
    if held is None or not _fresh(held[0]):
        return None
    kept = held[1]
    fresh = copy.copy(kept)  # Django models copy their state (and its cache of related objects) too
    fresh._obs_roles = set(kept._obs_roles)
    return fresh


def keep_user(using: str, user_id, user_obj) -> None:
    if _usable(using):
        kept = copy.copy(user_obj)
        kept._obs_roles = set(user_obj._obs_roles)
        with _lock:
            if len(_users) >= MAX_ENTRIES:
                _users.clear()
            _users[(using, user_id)] = (time.monotonic(), kept)


def clear(*_args, **_kwargs) -> None:
    """Forget every session and user (any change to who may do what, in this process)."""
    with _lock:
        _sessions.clear()
        _users.clear()


def connect_signals() -> None:
    """Empty the cache on every change in this process to users, roles, scopes and sign-ins."""
    from .models import OperatorScope

    user_model = get_user_model()
    for model in (user_model, Group, OperatorScope):
        post_save.connect(clear, sender=model, dispatch_uid=f"signin_cache_save_{model._meta.label}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"signin_cache_delete_{model._meta.label}")
    for through in (user_model.groups.through, OperatorScope.sources.through):
        m2m_changed.connect(clear, sender=through, dispatch_uid=f"signin_cache_m2m_{through._meta.label}")
    user_logged_in.connect(clear, dispatch_uid="signin_cache_login")
    user_logged_out.connect(clear, dispatch_uid="signin_cache_logout")
