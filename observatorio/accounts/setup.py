"""Create the role groups and users: shared by the CLI, the demo and tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from observatorio.errors import UserError

from .roles import Role


def ensure_role_groups() -> dict[Role, Group]:
    return {role: Group.objects.get_or_create(name=role.group_name)[0] for role in Role}


@transaction.atomic
def create_user(username: str, password: str, role: Role, email: str = "", sources=()):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise UserError(_("el usuario «%(name)s» ya existe; elija otro nombre") % {"name": username})
    groups = ensure_role_groups()
    user = User.objects.create_user(username=username, password=password, email=email)
    if role is Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(groups[role])
    if role is Role.OPERATOR:
        from .models import OperatorScope

        scope = OperatorScope.objects.create(user=user)
        scope.sources.set(sources)
    return user
