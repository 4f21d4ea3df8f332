"""An import killed with SIGKILL in the middle of writing leaves nothing in the database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="uses its own SQLite file; the transaction itself is tested on both databases")

ROWS = 150_000


def _cli(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "observatorio.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_sigkill_during_the_write_leaves_no_event_and_no_committed_batch(tmp_path):
    env = {**os.environ, "OBS_DATA_DIR": str(tmp_path / "data")}
    env.pop("OBS_DATABASE_URL", None)
    assert _cli(env, "migrate").returncode == 0
    assert _cli(env, "territory", "comuna", "13122").returncode == 0

    rng = np.random.default_rng(3)
    days = rng.integers(1, 29, ROWS)
    lat = rng.uniform(-33.50, -33.47, ROWS)
    lon = rng.uniform(-70.58, -70.55, ROWS)
    lines = ["Folio;Fecha;Hora;Tipo;Latitud;Longitud;Dirección;Resultado"]
    lines += [f"{100000 + i};{days[i]:02d}-01-2024;21:30;Ruidos molestos;{lat[i]:.6f};{lon[i]:.6f};;Atendido"
              for i in range(ROWS)]
    path = tmp_path / "llamados.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # The import runs in a child whose progress hook, once the write has begun and before it ends, says so
    # and blocks: the kill lands mid-write every time, with no guess at timing.
    child = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'observatorio.settings')\n"
        "import django; django.setup()\n"
        "from observatorio.records.pipeline import run_import\n"
        "def hook(stage, done, total):\n"
        "    if stage == 'write' and 0 < done < total:\n"
        "        print('writing', done, total, flush=True); sys.stdin.read()\n"
        f"run_import({str(path)!r}, '1461', commit=True, progress=hook)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", child], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("writing"), f"the import never reached the middle of its write: {proc.stderr.read()[-800:]}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    db = sqlite3.connect(tmp_path / "data" / "observatorio.sqlite3")
    try:
        assert db.execute("SELECT count(*) FROM records_event").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM records_importbatch WHERE status = 'committed'").fetchone()[0] == 0
        # The indexes dropped for the bulk load came back with the rollback.
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type='index' AND tbl_name='records_event' "
                          "AND sql IS NOT NULL").fetchone()[0] >= 5
    finally:
        db.close()

    # The same file then imports completely.
    done = _cli(env, "import", str(path), "--source", "1461", "--commit", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "data" / "observatorio.sqlite3")
    try:
        assert db.execute("SELECT count(*) FROM records_event").fetchone()[0] == ROWS
    finally:
        db.close()
