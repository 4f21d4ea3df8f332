"""Who may load which source: the rule every view of the import pages applies after `allow`.

Administrators and analysts load any source; a unit operator only the
sources of their `OperatorScope` (the 1461 call centre must not load VIF
cases); authorities load nothing. Changing a source's crosswalk changes how
every past and future batch is homologated, so it stays with the analysts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from observatorio.accounts.roles import Role, has_role

LOADER_ROLES = (Role.ADMIN, Role.ANALYST, Role.OPERATOR)
CROSSWALK_ROLES = (Role.ADMIN, Role.ANALYST)


def loadable_sources(user):
    """The `Source` queryset `user` may upload to and whose batches they may see."""
    from observatorio.records.models import Source

    if has_role(user, Role.ADMIN, Role.ANALYST):
        return Source.objects.all()
    if has_role(user, Role.OPERATOR):
        return Source.objects.filter(operatorscope__user=user)
    return Source.objects.none()


def may_load(user, source) -> bool:
    if has_role(user, Role.ADMIN, Role.ANALYST):
        return True
    return has_role(user, Role.OPERATOR) and loadable_sources(user).filter(pk=source.pk).exists()


def require_source(user, source) -> None:
    if not may_load(user, source):
        raise PermissionDenied


def may_map_labels(user) -> bool:
    return has_role(user, *CROSSWALK_ROLES)
