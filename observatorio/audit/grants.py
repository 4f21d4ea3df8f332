"""PostgreSQL privileges of the application's own role: everything it needs, and no way to rewrite the trail.

In production the tables belong to an owner role that runs ``observatorio migrate``; the server connects as
a second, login role (``OBS_DATABASE_APP_ROLE``) that may read and write the application's tables but may
only SELECT and INSERT on the audit table — never UPDATE, DELETE or TRUNCATE it. ``observatorio migrate``
applies this after every migration when the variable is set (new tables need their grants);
``observatorio db-roles`` applies it on its own.
"""

from __future__ import annotations

import re

from django.db import connection
from django.utils.translation import gettext as _

from observatorio.errors import UserError

from .models import AuditEntry

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def statements(role: str, schema: str, audit_table: str) -> list[str]:
    q = connection.ops.quote_name
    role, schema, audit_table = q(role), q(schema), q(audit_table)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON {schema}.{audit_table} FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.{audit_table} TO {role}",
    ]


def grant_app_role(role: str) -> list[str]:
    """Apply the grants to ``role`` on the database Django is connected to (as the tables' owner); the SQL run."""
    if connection.vendor != "postgresql":
        raise UserError(_("los permisos del rol de la aplicación son para PostgreSQL; con SQLite solo la "
                          "aplicación protege la bitácora de auditoría (defina OBS_DATABASE_URL=postgres://…)"))
    if not _ROLE_NAME.match(role):
        raise UserError(_("«%(role)s» no es un nombre de rol de PostgreSQL; use letras, dígitos y _ (p. ej. obs_app)")
                        % {"role": role})
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise UserError(_("no existe el rol de PostgreSQL «%(role)s»; créelo antes como superusuario: "
                              "CREATE ROLE %(role)s LOGIN PASSWORD '…'") % {"role": role})
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        sql = statements(role, schema, AuditEntry._meta.db_table)
        for statement in sql:
            cursor.execute(statement)
    return sql
