"""``record()``: the one way anything writes to the audit trail."""

from __future__ import annotations

import contextlib
import contextvars

from .models import Action, AuditEntry

# Set while the software writes its own starting configuration (migrate's role groups, the standard measures,
# the category tree): that is nobody's change, and a new instance must stay empty of entries.
_SEEDING = contextvars.ContextVar("audit_seeding", default=False)


@contextlib.contextmanager
def seeding():
    """Configuration written inside this block is the software's own seeding: the change receivers skip it."""
    token = _SEEDING.set(True)
    try:
        yield
    finally:
        _SEEDING.reset(token)


def is_seeding() -> bool:
    return _SEEDING.get()


def client_address(request) -> str | None:
    """The address the request came from (REMOTE_ADDR: behind a proxy, the proxy's settings make it the
    client's)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record(action: Action | str, *, request=None, user=None, target: str = "", detail: dict | None = None,
           address: str | None = None) -> AuditEntry:
    """Add an entry: ``request`` gives the user and address when it is a web action; ``user`` (or none, for a
    command run on the server) otherwise. ``target`` names what was acted on, ``detail`` says the rest."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if address is None:
        address = client_address(request)
    return AuditEntry.objects.create(
        action=Action(action), user=user if user is not None and user.pk else None,
        username=getattr(user, "username", "") or "", address=address, target=str(target)[:300],
        detail=detail or {})
