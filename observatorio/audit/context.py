"""The request being answered, for the audit's model receivers (who changed a user, a measure, from where).

Set by :class:`observatorio.audit.middleware.AuditMiddleware` around every request; outside a request (the
command line, a background job) there is none, and the entry names no user.
"""

from __future__ import annotations

from contextvars import ContextVar

_current = ContextVar("obs_audit_request", default=None)


def current_request():
    return _current.get()


def set_request(request):
    return _current.set(request)


def reset(token) -> None:
    _current.reset(token)
