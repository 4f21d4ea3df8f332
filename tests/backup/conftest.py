"""The scratch PostgreSQL databases of the PostgreSQL tests (helpers for both backends: instances.py)."""

from __future__ import annotations

import os

import pytest

from .instances import PG_ADMIN


@pytest.fixture(scope="session")
def postgres():
    """A function making scratch PostgreSQL databases (dropped at the end); skips when none is reachable."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server is the reason to skip
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 as postgres ({exc}); CI has it")
    made = []

    def run(sql):
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(sql)

    def scratch(name: str) -> str:
        name = f"obs_backup_test_{name}_{os.getpid()}"
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    yield scratch
    for name in made:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
