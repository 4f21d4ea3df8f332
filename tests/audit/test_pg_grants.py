"""On PostgreSQL the application's own role may add to the audit trail and read it, never change or delete it.

A real login role is created, granted by ``observatorio migrate`` (OBS_DATABASE_APP_ROLE set) and by
``observatorio db-roles``, and used over its own connection: INSERT works, UPDATE, DELETE and TRUNCATE are
refused by the database, and the other tables stay writable. Run with OBS_DATABASE_URL=postgres://…
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from observatorio import cli
from observatorio.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set OBS_DATABASE_URL=postgres://… to run it")
    name = f"obs_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def _connect_as(role):
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           dbname=settings["NAME"], user=role, autocommit=True)


@pytest.mark.parametrize("how", ["migrate", "db-roles"])
def test_the_app_role_adds_to_the_trail_but_cannot_change_or_delete_it(app_role, monkeypatch, how):
    import psycopg

    if how == "migrate":
        monkeypatch.setenv("OBS_DATABASE_APP_ROLE", app_role)
        assert cli.main(["migrate"]) == 0
    else:
        assert cli.main(["db-roles", app_role]) == 0
    table = AuditEntry._meta.db_table
    with _connect_as(app_role) as db:
        db.execute(f"INSERT INTO {table} (at, username, action, target, detail) "
                   "VALUES (now(), 'bob', 'descarga', '/x.csv', '{}') RETURNING id")
        assert db.execute(f"SELECT count(*) FROM {table} WHERE username = 'bob'").fetchone()[0] == 1
        for statement in (f"UPDATE {table} SET target = 'nada'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(statement)
        # The rest of the application's tables stay fully writable.
        db.execute("INSERT INTO auth_group (name) VALUES ('prueba')")
        db.execute("UPDATE auth_group SET name = 'prueba 2' WHERE name = 'prueba'")
        db.execute("DELETE FROM auth_group WHERE name = 'prueba 2'")
    assert AuditEntry.objects.get(username="bob").target == "/x.csv"


def test_a_missing_role_is_named(app_role, capsys):
    assert cli.main(["db-roles", app_role + "_nope"]) == 2
    assert f"no existe el rol de PostgreSQL «{app_role}_nope»" in capsys.readouterr().err


@pytest.mark.django_db
def test_on_sqlite_the_command_says_it_is_for_postgresql(capsys):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert cli.main(["db-roles", "obs_app"]) == 2
    assert "son para PostgreSQL" in capsys.readouterr().err
