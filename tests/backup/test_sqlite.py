"""Backup and restore of a SQLite instance, each command a real process on real files."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
from contextlib import closing

import pytest
from django.db import connection

from .instances import (
    OTHER_KEY,
    Writer,
    assert_same_instance,
    cli,
    environment,
    manifest_of,
    ok,
    populate,
    refused,
    sqlite_rows,
)

DB = "observatorio.sqlite3"

# These instances are SQLite files of their own whatever the suite runs on: once, in the SQLite run, is enough.
pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite instances of their own; run once, "
                                "in the suite's SQLite run (test_postgres.py covers PostgreSQL)")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A used instance (demo, a committed import with a saved mapping, an edited measure, audit entries) and
    its backup."""
    home = tmp_path_factory.mktemp("source")
    env = environment(home / "data")
    populate(env, home)
    archive = home / "respaldo.tar"
    done = ok(cli(env, "backup", "-o", str(archive), "--json"))
    return {"home": home, "env": env, "db": home / "data" / DB, "archive": archive, "summary": json.loads(done.stdout)}


def test_round_trip_into_an_empty_instance_gives_identical_tables(source, tmp_path):
    archive = source["archive"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = manifest_of(archive)
    assert manifest["backend"] == "sqlite" and manifest["comunas"] == [{"code": "13122", "name": "Peñalolén"}]
    assert manifest["schema"]["latest"]["records"] == manifest["schema"]["migrations"]["records"][-1]
    assert manifest["rut_key_fingerprint"] == source["summary"]["rut_key_fingerprint"]
    counts = manifest["counts"]
    assert counts["events"] > 1_500 and counts["batches"] >= 6 and counts["mappings"] == 1
    # Three entries written by hand, and what the receivers recorded while populating (users, mapping, measure).
    assert counts["audit_entries"] > 3 and counts["users"] == 4 and counts["measures"] >= 7

    before = sqlite_rows(source["db"])
    # The backup wrote its own entry in the source's trail, after the dump.
    assert before["audit_auditentry"][-1][4] == "respaldo" and len(before["audit_auditentry"]) == counts["audit_entries"] + 1

    target = environment(tmp_path / "data")
    done = ok(cli(target, "restore", str(archive)))
    assert "filas iguales al manifiesto" in done.stdout
    after = sqlite_rows(tmp_path / "data" / DB)
    assert_same_instance(before, after, manifest)
    # What the round trip is about, not only "equal": events with their attributes, the import's batch and
    # mapping, the edited measure with its categories.
    events = after["records_event"]
    assert len(events) == counts["events"] and any('"resultado": "Derivado"' in str(row) for row in events)
    assert any("llamados_1461" not in str(row) and "committed" in str(row) for row in after["records_importbatch"])
    assert any("(editada)" in str(row) for row in after["records_measure"])
    assert len(after["records_measure_categories"]) >= 2 and after["records_sourcemapping"]
    restore_entry = after["audit_auditentry"][-1]
    assert restore_entry[4] == "restauracion" and str(archive) in restore_entry[5]
    # Every server sees new data: the version moved on and its token is new.
    (old,), (new,) = before["records_dataversion"], after["records_dataversion"]
    assert new[2] == old[2] + 1 and new[3] != old[3]


def test_a_backup_of_a_newer_schema_is_refused(source, tmp_path):
    newer = tmp_path / "newer"
    shutil.copytree(source["home"] / "data", newer)
    with closing(sqlite3.connect(newer / DB)) as db, db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('records', '0099_del_futuro', "
                   "CURRENT_TIMESTAMP)")
    archive = tmp_path / "nuevo.tar"
    ok(cli(environment(newer), "backup", "-o", str(archive), "--quiet"))
    target = tmp_path / "target"
    message = refused(cli(environment(target), "restore", str(archive)))
    assert "records.0099_del_futuro" in message and "actualice el programa primero" in message
    assert not (target / DB).exists() or not sqlite_rows(target / DB).get("records_event")


def test_a_corrupted_archive_is_refused_before_anything_is_written(source, tmp_path):
    broken = tmp_path / "roto.tar"
    shutil.copy(source["archive"], broken)
    with tarfile.open(broken) as tar:
        offset = tar.getmember("database.sqlite3.gz").offset_data
    with open(broken, "r+b") as fh:
        fh.seek(offset + 1000)
        byte = fh.read(1)
        fh.seek(offset + 1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    target = tmp_path / "target"
    message = refused(cli(environment(target), "restore", str(broken)))
    assert "dañado" in message and "SHA-256" in message and "no se restauró nada" in message
    assert not sqlite_rows(target / DB).get("records_event")

    truncated = tmp_path / "truncado.tar"
    truncated.write_bytes(source["archive"].read_bytes()[: offset + 5000])
    assert "dañado" in refused(cli(environment(target), "restore", str(truncated)))
    not_a_backup = tmp_path / "planilla.tar"
    not_a_backup.write_text("Folio;Fecha\n1;2026-01-01\n")
    assert "no es un respaldo de Observatorio" in refused(cli(environment(target), "restore", str(not_a_backup)))


def test_a_non_empty_instance_is_refused_unless_forced(source, tmp_path):
    used = tmp_path / "used"
    shutil.copytree(source["home"] / "data", used)
    with closing(sqlite3.connect(used / DB)) as db, db:
        db.execute("DELETE FROM records_event WHERE id IN (SELECT id FROM records_event ORDER BY id LIMIT 10)")
    message = refused(cli(environment(used), "restore", str(source["archive"])))
    assert "no está vacía" in message and "records_event" in message and "--force" in message
    with closing(sqlite3.connect(used / DB)) as db:
        assert db.execute("SELECT count(*) FROM records_event").fetchone()[0] == \
            manifest_of(source["archive"])["counts"]["events"] - 10
    done = ok(cli(environment(used), "restore", str(source["archive"]), "--force", "--json"))
    summary = json.loads(done.stdout)
    assert summary["forced"] and summary["replaced"]["records_event"] == summary["restored"]["counts"]["events"] - 10
    with closing(sqlite3.connect(used / DB)) as db:
        assert db.execute("SELECT count(*) FROM records_event").fetchone()[0] == summary["restored"]["counts"]["events"]


def test_a_backup_of_another_backend_is_refused_before_connecting(source, tmp_path):
    # Nothing listens at this database: the refusal must come before any connection.
    env = environment(tmp_path, "postgres://postgres@127.0.0.1:5432/obs_backup_no_existe")
    message = refused(cli(env, "restore", str(source["archive"])))
    assert "SQLite" in message and "PostgreSQL" in message and "mismo motor" in message


def test_another_rut_key_is_refused_unless_accepted(source, tmp_path):
    env = environment(tmp_path / "data", rut_key=OTHER_KEY)
    message = refused(cli(env, "restore", str(source["archive"])))
    assert "clave RUT" in message and manifest_of(source["archive"])["rut_key_fingerprint"] in message
    assert "--accept-key-mismatch" in message
    done = ok(cli(env, "restore", str(source["archive"]), "--accept-key-mismatch"))
    assert "clave RUT no es la del respaldo" in done.stderr


def test_the_commands_speak_english_on_request(source, tmp_path):
    done = cli(environment(tmp_path / "data", rut_key=OTHER_KEY), "--lang", "en", "restore", str(source["archive"]))
    assert done.returncode == 2 and "RUT key" in done.stderr


def test_a_backup_taken_while_a_server_writes_is_one_consistent_picture(source, tmp_path):
    live = tmp_path / "live"
    shutil.copytree(source["home"] / "data", live)

    def count():
        with closing(sqlite3.connect(live / DB)) as db:
            return db.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0]

    archive = tmp_path / "en-marcha.tar"
    with Writer(lambda: sqlite3.connect(live / DB, timeout=30)):
        started = count()
        ok(cli(environment(live), "backup", "-o", str(archive), "--quiet"))
        ended = count()
    dumped = manifest_of(archive)["tables"]["audit_auditentry"]
    assert started < dumped < ended  # taken in the middle of the writes
    # Restore compares every table's rows with the manifest: the dump and its counts are one picture.
    ok(cli(environment(tmp_path / "target"), "restore", str(archive), "--quiet"))
    assert len(sqlite_rows(tmp_path / "target" / DB)["audit_auditentry"]) == dumped + 1


def test_a_backup_of_an_older_schema_is_restored_and_migrated_forward(source, tmp_path):
    older = tmp_path / "older"
    shutil.copytree(source["home"] / "data", older)
    env = environment(older)
    rolled = subprocess.run([sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
                             " 'observatorio.settings'); django.setup(); from django.core.management import "
                             "call_command; call_command('migrate', 'sessions', 'zero', verbosity=0)"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert rolled.returncode == 0, rolled.stderr
    archive = tmp_path / "antiguo.tar"
    ok(cli(env, "backup", "-o", str(archive), "--quiet"))
    assert "sessions" not in manifest_of(archive)["schema"]["migrations"]
    done = ok(cli(environment(tmp_path / "target"), "restore", str(archive), "--json", "--quiet"))
    assert json.loads(done.stdout)["migrated"] == ["sessions.0001_initial"]
    assert "django_session" in sqlite_rows(tmp_path / "target" / DB)
