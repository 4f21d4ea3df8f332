"""Backup and restore of a PostgreSQL instance: pg_dump of a scratch database, pg_restore into a new one.

Each command is a real process whose OBS_DATABASE_URL names a scratch database made for the test (dropped
at the end); skipped, with the reason, only when no PostgreSQL answers at 127.0.0.1:5432 (CI has one).
"""

from __future__ import annotations

import json

import psycopg
import pytest

from .instances import Writer, assert_same_instance, cli, environment, manifest_of, ok, populate, postgres_rows, refused


@pytest.fixture(scope="module")
def source(postgres, tmp_path_factory):
    home = tmp_path_factory.mktemp("pg-source")
    url = postgres("source")
    env = environment(home / "data", url)
    populate(env, home)
    archive = home / "respaldo.tar"
    ok(cli(env, "backup", "-o", str(archive), "--quiet"))
    return {"home": home, "url": url, "env": env, "archive": archive}


def test_round_trip_into_a_new_database_gives_identical_tables(source, postgres, tmp_path):
    manifest = manifest_of(source["archive"])
    assert manifest["backend"] == "postgresql" and manifest["dump"]["member"] == "database.pgdump"
    assert manifest["counts"]["events"] > 1_500 and manifest["counts"]["mappings"] == 1
    assert manifest["counts"]["audit_entries"] > 3  # three by hand, and the receivers' while populating
    before = postgres_rows(source["url"])
    assert before["audit_auditentry"][-1][4] == "respaldo"
    assert len(before["audit_auditentry"]) == manifest["counts"]["audit_entries"] + 1

    url = postgres("empty")  # a new database: not even migrated
    done = ok(cli(environment(tmp_path / "data", url), "restore", str(source["archive"]), "--json"))
    summary = json.loads(done.stdout)
    assert not summary["forced"] and summary["restored"]["counts"] == manifest["counts"]
    after = postgres_rows(url)
    assert_same_instance(before, after, manifest)
    assert any("'resultado': 'Derivado'" in str(row) for row in after["records_event"])  # attributes kept
    assert any("(editada)" in str(row) for row in after["records_measure"])
    assert after["audit_auditentry"][-1][4] == "restauracion"
    (old,), (new,) = before["records_dataversion"], after["records_dataversion"]
    assert new[2] == old[2] + 1 and new[3] != old[3]
    # The sequences came back too: the restored instance adds rows after the restored ones.
    with psycopg.connect(url) as conn:
        top = conn.execute("SELECT max(id) FROM audit_auditentry").fetchone()[0]
    assert top == after["audit_auditentry"][-1][0]


def test_restore_into_a_migrated_empty_database(source, postgres, tmp_path):
    url = postgres("migrated")
    env = environment(tmp_path / "data", url)
    ok(cli(env, "migrate"))
    ok(cli(env, "restore", str(source["archive"]), "--quiet"))
    rows = postgres_rows(url)
    assert len(rows["records_event"]) == manifest_of(source["archive"])["counts"]["events"]


def test_a_non_empty_database_is_refused_unless_forced(source, postgres, tmp_path):
    message = refused(cli(source["env"], "restore", str(source["archive"])))
    assert "no está vacía" in message and "--force" in message
    ok(cli(source["env"], "restore", str(source["archive"]), "--force", "--quiet"))
    assert postgres_rows(source["url"])["audit_auditentry"][-1][4] == "restauracion"


def test_a_backup_of_a_newer_schema_is_refused(source, postgres, tmp_path):
    url = postgres("newer")
    env = environment(tmp_path / "newer", url)
    ok(cli(env, "restore", str(source["archive"]), "--quiet"))
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('audit', '0099_del_futuro', now())")
    archive = tmp_path / "nuevo.tar"
    ok(cli(env, "backup", "-o", str(archive), "--quiet"))
    target = postgres("target")
    message = refused(cli(environment(tmp_path / "target", target), "restore", str(archive)))
    assert "audit.0099_del_futuro" in message and "actualice el programa primero" in message
    assert postgres_rows(target) == {}


def test_a_postgresql_backup_is_refused_by_a_sqlite_installation(source, tmp_path):
    message = refused(cli(environment(tmp_path / "data"), "restore", str(source["archive"])))
    assert "PostgreSQL" in message and "SQLite" in message and "mismo motor" in message


def test_a_backup_taken_while_a_server_writes_is_one_consistent_picture(source, postgres, tmp_path):
    live = postgres("live")
    env = environment(tmp_path / "live", live)
    ok(cli(env, "restore", str(source["archive"]), "--quiet"))

    def count():
        with psycopg.connect(live) as conn:
            return conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0]

    archive = tmp_path / "en-marcha.tar"
    with Writer(lambda: psycopg.connect(live)):
        started = count()
        ok(cli(env, "backup", "-o", str(archive), "--quiet"))
        ended = count()
    dumped = manifest_of(archive)["tables"]["audit_auditentry"]
    assert started < dumped < ended  # taken in the middle of the writes
    # Restore compares every table's rows with the manifest: pg_dump read the snapshot the counts were read in.
    target = postgres("after-live")
    ok(cli(environment(tmp_path / "target", target), "restore", str(archive), "--quiet"))
    assert len(postgres_rows(target)["audit_auditentry"]) == dumped + 1
