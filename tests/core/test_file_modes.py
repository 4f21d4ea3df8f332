"""The SQLite database is a data file like the others: 0600 (its -wal and -shm too) in a 0700 folder."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing

from tests.backup.instances import cli, environment, ok


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_migrate_on_a_fresh_data_folder_leaves_the_database_private(tmp_path):
    data = tmp_path / "data"
    database = tmp_path / "bases" / "nueva" / "observatorio.sqlite3"  # a folder that does not exist yet
    env = environment(data, f"sqlite:///{database}")
    ok(cli(env, "migrate"))
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700 and mode(database.parent.parent) == 0o700
    with closing(sqlite3.connect(database)) as db:  # a writer: the -wal and -shm exist while it is open
        db.execute("INSERT INTO audit_auditentry (at, username, action, target, detail) "
                   "VALUES (CURRENT_TIMESTAMP, 'prueba', 'descarga', 'modos', '{}')")
        db.commit()
        wal, shm = (database.with_name(database.name + suffix) for suffix in ("-wal", "-shm"))
        assert mode(wal) == 0o600 and mode(shm) == 0o600

        # Files made readable by others before are tightened by the next command (ours keeps the -wal open).
        for path in (database, wal, shm):
            path.chmod(0o644)
        ok(cli(env, "rut-key"))
        assert [mode(p) for p in (database, wal, shm)] == [0o600] * 3


def test_the_default_database_lives_in_the_data_folder_0600(tmp_path):
    data = tmp_path / "data"
    ok(cli(environment(data), "migrate"))
    assert mode(data) == 0o700 and mode(data / "observatorio.sqlite3") == 0o600
