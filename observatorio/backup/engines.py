"""The two databases' own ways to copy themselves: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

Each engine writes one dump file of the configured database and reads the facts the manifest records (counts
per table, applied migrations, comunas) *from the same picture of the data the dump holds*: on SQLite from the
copy just made, on PostgreSQL from a repeatable-read transaction whose snapshot pg_dump is told to use
(``--snapshot``). Both are consistent while servers keep writing.

``progress(stage, done, total)`` is called as the work advances (the command draws bars from it).
"""

from __future__ import annotations

import glob
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from observatorio.errors import UserError

SQLITE, POSTGRESQL = "sqlite", "postgresql"
# SQLite's backup copies in one step: a copy made in several steps starts again whenever another connection
# writes in between (forever, under a steady stream of writes); one step holds a read transaction, which in
# WAL mode does not stop the writers, and is one consistent picture. Restoring in one step writes the whole
# database under one lock: a server sees the old one or the new one.
PAGES_PER_STEP = -1
CHUNK = 1 << 20


def no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class Facts:
    """What the manifest says about the data in a dump: rows per table, applied migrations, comunas."""

    tables: dict[str, int]
    migrations: dict[str, list[str]]
    comunas: list[dict[str, str]]


def read_facts(cursor, tables: list[str]) -> Facts:
    """Counts, migrations and comunas through any DB-API cursor (sqlite3, psycopg), inside one snapshot."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    comunas = []
    if "territory_area" in counts:
        cursor.execute("SELECT code, name FROM territory_area WHERE level = 'comuna' ORDER BY code")
        comunas = [{"code": code, "name": name} for code, name in cursor.fetchall()]
    return Facts(counts, migrations, comunas)


def backend_of(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise UserError(_("no se sabe respaldar la base de datos %(engine)s; use SQLite o PostgreSQL")
                    % {"engine": engine})


def engine_for(database: dict):
    return SqliteEngine(database) if backend_of(database) == SQLITE else PostgresEngine(database)


class SqliteEngine:
    backend = SQLITE
    member = "database.sqlite3.gz"

    def __init__(self, database: dict):
        self.path = Path(database["NAME"])

    def describe(self) -> str:
        return str(self.path)

    def dump(self, workdir: Path, progress=no_progress) -> tuple[Path, Facts]:
        """The live file copied page by page with the online backup API, then gzip-compressed."""
        if not self.path.exists():
            raise UserError(_("no existe la base de datos %(path)s; revise OBS_DATA_DIR u OBS_DATABASE_URL")
                            % {"path": self.path})
        copy = workdir / "database.sqlite3"
        src = sqlite3.connect(self.path, timeout=60)
        dst = sqlite3.connect(copy)
        try:
            progress("copy", 0, 1)
            src.backup(dst, pages=PAGES_PER_STEP,
                       progress=lambda status, remaining, total: progress("copy", total - remaining, total))
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            cursor = dst.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            facts = read_facts(cursor, [name for (name,) in cursor.fetchall()])
        finally:
            dst.close()
            src.close()
        packed = workdir / self.member
        _copy_with_progress(copy, gzip.open(packed, "wb", compresslevel=6), copy.stat().st_size, "compress",
                            progress, opener=lambda p: open(p, "rb"))
        copy.unlink()
        return packed, facts

    def dump_tables(self, dump: Path) -> set[str]:
        return set()  # the backup API replaces the whole file: nothing of the target is left over

    def restore(self, dump: Path, workdir: Path, progress=no_progress) -> None:
        """Decompress, check the copy is a sound SQLite database, then write it over the live one with the
        backup API (under SQLite's own lock: a server reading meanwhile sees the old or the new database)."""
        copy = workdir / "database.sqlite3"
        with open(copy, "wb") as out:
            _copy_with_progress(dump, out, None, "decompress", progress, opener=lambda p: gzip.open(p, "rb"))
        src = sqlite3.connect(copy)
        try:
            check = src.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise UserError(_("la copia de la base de datos del respaldo está dañada (%(check)s)")
                                % {"check": check})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(self.path, timeout=60)
            try:
                progress("restore", 0, 1)
                src.backup(dst, pages=PAGES_PER_STEP,
                           progress=lambda status, remaining, total: progress("restore", total - remaining, total))
                dst.execute("PRAGMA journal_mode=WAL")  # as the settings open it
            finally:
                dst.close()
        finally:
            src.close()
        copy.unlink()


def _copy_with_progress(source: Path, out, total, stage, progress, opener) -> None:
    done = 0
    with opener(source) as fh, out:
        while chunk := fh.read(CHUNK):
            out.write(chunk)
            done += len(chunk)
            progress(stage, done, total or done)


class PostgresEngine:
    backend = POSTGRESQL
    member = "database.pgdump"

    def __init__(self, database: dict):
        self.database = database
        self.name = database["NAME"]

    def describe(self) -> str:
        host = self.database.get("HOST") or "localhost"
        return f"{host}:{self.database.get('PORT') or 5432}/{self.name}"

    def environment(self) -> dict[str, str]:
        """The connection for pg_dump/pg_restore, in libpq's variables: the password never on a command line."""
        env = dict(os.environ)
        for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                              ("PASSWORD", "PGPASSWORD")):
            if self.database.get(key):
                env[variable] = str(self.database[key])
        sslmode = (self.database.get("OPTIONS") or {}).get("sslmode")
        if sslmode:
            env["PGSSLMODE"] = sslmode
        env["PGDATABASE"] = self.name
        return env

    def connect(self):
        import psycopg

        keys = {"HOST": "host", "PORT": "port", "USER": "user", "PASSWORD": "password"}
        kwargs = {word: str(self.database[key]) for key, word in keys.items() if self.database.get(key)}
        kwargs.update({k: v for k, v in (self.database.get("OPTIONS") or {}).items() if k == "sslmode"})
        return psycopg.connect(dbname=self.name, **kwargs)

    def dump(self, workdir: Path, progress=no_progress) -> tuple[Path, Facts]:
        """pg_dump --format=custom of the snapshot a repeatable-read transaction exports, whose counts the
        manifest records: the counts and the dump are the same picture of the data."""
        out = workdir / self.member
        with self.connect() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            cursor = conn.cursor()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            facts = read_facts(cursor, [name for (name,) in cursor.fetchall()])
            self._run(tool("pg_dump"), ["--format=custom", f"--snapshot={snapshot}", f"--file={out}",
                                        "--no-password", "--verbose"],
                      "dump", len(facts.tables), re.compile(r"dumping contents of table"), progress)
            conn.rollback()
        return out, facts

    def dump_tables(self, dump: Path) -> set[str]:
        """The tables a dump holds, from its table of contents (``pg_restore --list``)."""
        listing = subprocess.run([tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True,
                                 env=self.environment())
        if listing.returncode != 0:
            raise UserError(_("pg_restore no puede leer la copia del respaldo: %(error)s")
                            % {"error": _last_line(listing.stderr)})
        found = set()
        for line in listing.stdout.splitlines():
            parts = line.split()
            if ";" in line and not line.startswith(";") and " TABLE " in line and " TABLE DATA " not in line:
                i = parts.index("TABLE")
                found.add(parts[i + 2])
        return found

    def restore(self, dump: Path, workdir: Path, progress=no_progress) -> None:
        """Drop the target's tables the dump does not hold (a newer schema's), then pg_restore with --clean in
        one transaction: the target holds the old data or the new, never half of it."""
        tables = self.dump_tables(dump)
        with self.connect() as conn:
            rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
            for (name,) in rows:
                if name not in tables:
                    conn.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        self._run(tool("pg_restore"), ["--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                                       "--no-owner", "--no-privileges", "--no-password", "--verbose",
                                       f"--dbname={self.name}", str(dump)],
                  "restore", len(tables), re.compile(r"processing data for table"), progress)

    def _run(self, program: str, arguments: list[str], stage: str, total: int, step, progress) -> None:
        proc = subprocess.Popen([program, *arguments], env=self.environment(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        done, tail = 0, []
        for line in proc.stderr:
            if step.search(line):
                done += 1
                progress(stage, min(done, total), total)
            else:
                tail = [*tail[-19:], line.rstrip()]
        if proc.wait() != 0:
            errors = [line for line in tail if "error" in line.lower()] or tail
            raise UserError(_("%(program)s falló: %(error)s") % {"program": Path(program).name,
                                                                "error": (errors[-1] if errors else "?")})


def tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest under /usr/lib/postgresql/*/bin (Debian, Ubuntu)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except ValueError:
            return 0.0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise UserError(_("no se encontró %(name)s; instale el cliente de PostgreSQL (p. ej. apt install "
                      "postgresql-client) o agréguelo al PATH") % {"name": name})


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "?"
