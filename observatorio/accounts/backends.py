"""Django's ModelBackend, loading the signed-in user and their role groups in one query per request.

Every request of a signed-in user loads the user (``get_user``) and every view
then checks the roles (``roles.allow``): two ORM queries, ~0.8 ms on SQLite and
~1.4 ms on PostgreSQL, most of it spent building the SQL, about as much as a
dashboard answer. Here one hand-written query (``Manager.raw``, so Django's
own type conversions apply) reads the user's row joined to their groups, and
the roles are attached to the user for :func:`~observatorio.accounts.roles.user_roles`;
what was read is kept for a moment (:mod:`.signin_cache`).
Logging in, the active check, the session hash and permissions are ModelBackend's.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, connections, router

from . import signin_cache
from .roles import roles_of_groups


@lru_cache(maxsize=4)
def _user_with_groups_sql(vendor: str) -> str:
    user_model = get_user_model()
    through = user_model.groups.through._meta
    qn = connection.ops.quote_name
    columns = ", ".join(f"u.{qn(f.column)}" for f in user_model._meta.concrete_fields)
    return (f"SELECT {columns}, g.{qn('name')} AS obs_group_name FROM {qn(user_model._meta.db_table)} u "
            f"LEFT JOIN {qn(through.db_table)} ug ON ug.{qn(through.get_field('user').column)} = u.{qn(user_model._meta.pk.column)} "
            f"LEFT JOIN {qn(Group._meta.db_table)} g ON g.{qn(Group._meta.pk.column)} = ug.{qn(through.get_field('group').column)} "
            f"WHERE u.{qn(user_model._meta.pk.column)} = %s")


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        using = router.db_for_read(user_model)
        user = signin_cache.user(using, pk)
        if user is None:
            rows = list(user_model._default_manager.db_manager(using).raw(
                _user_with_groups_sql(connections[using].vendor), [pk]))
            if not rows:
                return None
            user = rows[0]
            user._obs_roles = roles_of_groups(r.obs_group_name for r in rows if r.obs_group_name is not None)
            signin_cache.keep_user(using, pk, user)
        return user if self.user_can_authenticate(user) else None
