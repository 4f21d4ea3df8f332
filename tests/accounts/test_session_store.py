"""A session whose only change is its last-seen time survives a database that is busy writing (SQLite's one
writer during an import's commit); any other change still fails loudly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sqlite3, django
    from django.conf import settings
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from django.contrib.sessions.backends.base import UpdateError
    from observatorio.accounts.lifetime import LAST_SEEN
    from observatorio.accounts.session_store import SessionStore
    s = SessionStore()
    s["who"], s[LAST_SEEN] = "ana", 100
    s.save()
    connection.close()
    settings.DATABASES["default"]["OPTIONS"]["timeout"] = 0.2  # fail fast instead of Django's 5 s
    writer = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock, as an import's commit does
    s = SessionStore(s.session_key)
    s[LAST_SEEN] = 200
    s.save()  # skipped, not raised
    print("refresh-skipped")
    s["who"] = "bob"
    try:
        s.save()
    except UpdateError:
        print("other-change-raised")
    writer.execute("ROLLBACK")
    s.save()
    print("saved-after", SessionStore(s.session_key).load()["who"])
""")


def test_a_busy_database_skips_only_the_last_seen_refresh(tmp_path):
    env = {"OBS_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "observatorio.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["refresh-skipped", "other-change-raised", "saved-after bob"]
