"""The command line's ``import --commit`` waits in the server's one line of imports, as the web's jobs do:
two real processes, one holding the turn, the command waiting for it (and a dry run not waiting)."""

from __future__ import annotations

import selectors
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

from tests.backup.instances import ROOT, calls_csv, cli, environment, ok

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="the command runs on its own SQLite file; the lock is the same on both")

HOLDER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from observatorio.records.queue import ImportQueue\n"
    "with ImportQueue(Path(sys.argv[1])).ticket():\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.readline()\n"
)


def _line(stream, seconds=60) -> str:
    """The next line of a child's pipe, or "" after ``seconds``."""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        if not sel.select(timeout=seconds):
            return ""
    return stream.readline()


def _events(data: Path) -> int:
    with closing(sqlite3.connect(data / "observatorio.sqlite3")) as db:
        return db.execute("SELECT count(*) FROM records_event").fetchone()[0]


def test_a_committing_import_waits_for_the_turn_another_process_holds(tmp_path):
    data = tmp_path / "data"
    env = environment(data)
    ok(cli(env, "migrate"))
    ok(cli(env, "territory", "comuna", "13122"))
    calls = calls_csv(tmp_path / "llamados.csv")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data / "uploads")], env=env, cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    importer = None
    try:
        assert _line(holder.stdout) == "held\n", holder.stderr.read()
        # A dry run writes only its report: it does not wait.
        dry = ok(cli(env, "import", str(calls), "--source", "1461", "--quiet"))
        assert "esperando turno" not in dry.stderr
        importer = subprocess.Popen([sys.executable, "-m", "observatorio.cli", "import", str(calls), "--source",
                                     "1461", "--commit", "--quiet"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        said = _line(importer.stderr)
        assert said.startswith("esperando turno: otra importación está escribiendo en este servidor (lugar 2 "
                               "en la fila)"), said
        time.sleep(1.0)
        assert importer.poll() is None and _events(data) == 0, "the command wrote while another held the turn"
        tickets = list((data / "uploads" / ".queue").glob("*.json"))
        assert len(tickets) == 2 and all(t.stat().st_mode & 0o777 == 0o600 for t in tickets)

        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        out, err = importer.communicate(timeout=300)
        assert importer.returncode == 0, err
    finally:
        for proc in (holder, importer):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert _events(data) == 40
    assert list((data / "uploads" / ".queue").glob("*.json")) == []  # each waiter removed its ticket
