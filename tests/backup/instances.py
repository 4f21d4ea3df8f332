"""Real instances in their own processes: a SQLite file in its own data folder, or a scratch PostgreSQL database.

Every command runs as ``python -m observatorio.cli`` in a child whose environment names the instance, so
the backup and the restore touch real files and real databases, never the test's own connection.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUT_KEY = "clave-rut-de-las-pruebas-de-respaldo-0123456789"
OTHER_KEY = "otra-clave-rut-distinta-de-la-del-respaldo-98765"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

# Tables whose rows restore changes on purpose: the data version is bumped, the restore adds its audit entry.
CHANGED_BY_RESTORE = ("records_dataversion", "audit_auditentry")


def environment(data_dir: Path, database_url: str | None = None, rut_key: str = RUT_KEY) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OBS_DATABASE_URL", "OBS_RUT_KEY", "OBS_LANGUAGE")}
    env.update(OBS_DATA_DIR=str(data_dir), OBS_RUT_KEY=rut_key, PYTHONPATH=str(ROOT))
    if database_url:
        env["OBS_DATABASE_URL"] = database_url
    return env


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "observatorio.cli", *args], env=env, capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
    return done


def refused(done: subprocess.CompletedProcess) -> str:
    """The one-line error of a refused command (exit 2, the user's problem), without the progress bars."""
    assert done.returncode == 2, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
    lines = [line for line in done.stderr.replace("\r", "\n").splitlines() if "error:" in line]
    assert lines, done.stderr
    return lines[-1]


def calls_csv(path: Path) -> Path:
    """Forty calls to the 1461 centre in January 2026, inside Peñalolén, each with a result (an attribute)."""
    lines = ["Folio;Fecha;Hora;Tipo;Latitud;Longitud;Dirección;Resultado"]
    for i in range(40):
        lines.append(f"{900000 + i};{1 + i % 28:02d}-01-2026;{i % 24:02d}:15;Ruidos molestos;"
                     f"{-33.49 + i * 0.0002:.6f};{-70.56 + i * 0.0002:.6f};;{'Atendido' if i % 3 else 'Derivado'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def populate(env: dict, work: Path) -> None:
    done = subprocess.run([sys.executable, str(HERE / "populate.py"), str(calls_csv(work / "llamados.csv"))],
                          env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file, in primary-key order."""
    with closing(sqlite3.connect(path)) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def postgres_rows(url: str) -> dict[str, list[tuple]]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [n for (n,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                             "ORDER BY tablename")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def assert_same_instance(before: dict, after: dict, backup: dict) -> None:
    """Table by table, identical rows; the audit trail is the backed-up one plus the restore's own entry."""
    assert sorted(before) == sorted(after)
    for table in before:
        if table not in CHANGED_BY_RESTORE:
            assert after[table] == before[table], f"{table} differs after the restore"
    # The source's trail then got the backup's own entry (written after the dump): the restored trail is the
    # dumped one, followed by one restore entry.
    dumped = backup["tables"]["audit_auditentry"]
    assert after["audit_auditentry"][:dumped] == before["audit_auditentry"][:dumped]
    assert len(after["audit_auditentry"]) == dumped + 1


class Writer:
    """A server's steady writes while a backup runs: one audit entry per transaction, from another thread and
    connection, until stopped; ``count()`` is how many it has committed."""

    SQL = ("INSERT INTO audit_auditentry (at, username, action, target, detail) "
           "VALUES (CURRENT_TIMESTAMP, 'escritor', 'descarga', 'durante el respaldo', '{}')")

    def __init__(self, connect):
        import threading

        self.connect, self.done, self.committed = connect, threading.Event(), 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        conn = self.connect()
        try:
            while not self.done.is_set():
                conn.execute(self.SQL)
                conn.commit()
                self.committed += 1
                # A server's writes leave the database free between them: SQLite's locks are not fair, and a
                # writer that never pauses starves every other writer (the backup's own audit entry).
                self.done.wait(0.005)
        finally:
            conn.close()

    def __enter__(self):
        import time

        self.thread.start()
        while not self.committed:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(30)
