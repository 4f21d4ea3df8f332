"""The four roles of the observatory and the decorator every view declares.

Roles are Django groups so that an administrator can manage them in the admin.
Each view states who may use it with :func:`allow` (or :func:`public`); a test
walks the URL configuration and fails on any view that declares nothing.
"""

from __future__ import annotations

from enum import Enum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


class Role(str, Enum):
    ADMIN = "admin"
    ANALYST = "analyst"
    OPERATOR = "operator"
    AUTHORITY = "authority"

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self]


GROUP_NAMES = {
    Role.ADMIN: "Administrador",
    Role.ANALYST: "Analista",
    Role.OPERATOR: "Operador de unidad",
    Role.AUTHORITY: "Autoridad",
}

ALL_ROLES = tuple(Role)
# Who may see individual events (points, rows); everyone else sees aggregates.
EVENT_LEVEL_ROLES = (Role.ADMIN, Role.ANALYST, Role.OPERATOR)


def user_roles(user) -> set[Role]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role)
    # Kept on the user object, which AuthenticationMiddleware loads anew for every request: one query per request.
    roles = getattr(user, "_obs_roles", None)
    if roles is None:
        roles = roles_of_groups(user.groups.values_list("name", flat=True))
        user._obs_roles = roles
    return roles


def event_scope(user) -> tuple | None:
    """The one rule for who may see events one by one (map points, lists of events), and which.

    ``()``: every source's (administrators, analysts); a sorted tuple of source
    ids: only those sources' (a unit operator, by their ``OperatorScope``);
    None: aggregates only (authorities, no role, and an operator with no source
    in scope — an empty scope must never read as "all").
    """
    roles = user_roles(user)
    if not roles & set(EVENT_LEVEL_ROLES):
        return None
    if roles & {Role.ADMIN, Role.ANALYST}:
        return ()
    scope = getattr(user, "operator_scope", None)
    ids = tuple(sorted(scope.sources.values_list("id", flat=True))) if scope else ()
    return ids if ids else None


def roles_of_groups(names) -> set[Role]:
    names = set(names)
    return {role for role, name in GROUP_NAMES.items() if name in names}


def has_role(user, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def allow(*roles: Role):
    """Restrict a view to users holding any of ``roles``.

    Anonymous users are sent to the login page; signed-in users without the
    role get 403, so the difference between "who are you" and "not you" shows.
    """
    if not roles:
        raise ValueError("allow() needs at least one role; use public() for open views")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anyone, including anonymous visitors."""
    view.allowed_roles = "public"
    return view


def roles_context(request):
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {"obs_roles": {role.value for role in roles}}
