"""A sign-out, a deactivation or a removed role counts on the very next request in every server process.

Two real ``observatorio serve`` processes share one SQLite database. The test signs in through A and
sends the same session cookie to B, then changes who may do what (a sign-out through A; a deactivation or
a removed role written straight into the database, as the admin of another process or the command line
would) and asks B again at once: nothing B read a moment before may still let the session in.
An administrator ending every session of a user through A's admin counts on B at once too.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from http.cookiejar import CookieJar

import pytest

from .test_serve import BIN, _free_port

LOGIN = "/cuenta/ingresar/"
LOGOUT = "/cuenta/salir/"
PROTECTED = "/datos/estado.json"  # allow(every role), and answers without the events' snapshot
PASSWORD = "bob-pass-1234"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(opener, url: str, data: dict | None = None, headers: dict | None = None):
    """(status, headers) of one request; redirects are answers, not followed."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body, headers=headers or {}), timeout=60) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def _wait_ready(base: str, server: subprocess.Popen, log) -> None:
    """Until the login page answers (the first request imports the views: seconds on a busy machine)."""
    stop = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + LOGIN, timeout=60).close()
            return
        except OSError:  # refused while starting; a timeout
            if server.poll() is not None or time.monotonic() > stop:
                pytest.fail(f"{base} never answered:\n{log.read_text()}")
            time.sleep(0.1)


def _write(database, sql: str, params=()) -> int:
    """A change made outside both servers, as the admin of a third process or the command line would."""
    with closing(sqlite3.connect(database)) as db, db:
        return db.execute(sql, params).lastrowid


def _add_user(database, username: str, role, admin: bool = False) -> int:
    """A user with PASSWORD, written with the servers' password hasher (a ``createuser`` process costs seconds;
    the tests' own fast hasher is not one the servers accept)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = _write(database, "INSERT INTO auth_user (username, password, first_name, last_name, email, is_superuser, "
                            "is_staff, is_active, date_joined) VALUES (?, ?, '', '', '', ?, ?, TRUE, CURRENT_TIMESTAMP)",
                  [username, PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt()), admin, admin])
    _write(database, "INSERT INTO auth_user_groups (user_id, group_id) SELECT ?, id FROM auth_group WHERE name = ?",
           [user, role.group_name])
    return user


def _add_analyst(database) -> None:
    """The analyst bob, and the administrator alice."""
    from observatorio.accounts.roles import Role

    _add_user(database, "bob", Role.ANALYST)
    _add_user(database, "alice", Role.ADMIN, admin=True)


@pytest.fixture
def servers(tmp_path):
    """(database file, base URL of A, base URL of B) on one migrated database, with the analyst bob."""
    database = tmp_path / "db.sqlite3"
    environ = dict(os.environ, OBS_DATA_DIR=str(tmp_path), OBS_DATABASE_URL=f"sqlite:///{database}")
    subprocess.run([BIN, "migrate"], env=environ, check=True, capture_output=True, timeout=300)
    started = []
    try:
        for name in ("a", "b"):
            port, log = _free_port(), tmp_path / f"server-{name}.log"
            with log.open("w") as out:
                server = subprocess.Popen([BIN, "serve", "--port", str(port), "--threads", "2"], env=environ,
                                          stdout=out, stderr=subprocess.STDOUT)
            started.append((server, f"http://127.0.0.1:{port}", log))
        _add_analyst(database)
        for server, base, log in started:
            _wait_ready(base, server, log)
        yield database, started[0][1], started[1][1]
    finally:
        for server, _, _ in started:
            server.terminate()
        for server, _, _ in started:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Browser:
    """One signed-in browser, on server A (its cookies for 127.0.0.1 would go to any port)."""

    def __init__(self, base: str, username: str = "bob"):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        page = self.opener.open(base + LOGIN, timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers = _open(self.opener, base + LOGIN,
                                {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        assert status == 302 and headers["Location"] == "/", "signing in failed"
        self.session = self._cookie("sessionid")

    def _cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def sign_out(self) -> None:
        status, headers = _open(self.opener, self.base + LOGOUT, {"csrfmiddlewaretoken": self._cookie("csrftoken")})
        assert status == 302 and headers["Location"] == LOGIN


def _ask(base: str, session: str):
    """(status, Location) of the role-protected page on ``base`` with this session cookie, sent as is."""
    opener = urllib.request.build_opener(_NoRedirect)
    status, headers = _open(opener, base + PROTECTED, headers={"Cookie": f"sessionid={session}"})
    return status, headers.get("Location", "")


def test_sign_in_changes_count_at_once_on_another_server_process(servers):
    database, a, b = servers
    to_login = (302, f"{LOGIN}?next={PROTECTED}")

    browser = Browser(a)
    assert _ask(b, browser.session) == (200, "")
    browser.sign_out()
    assert _ask(b, browser.session) == to_login, "a sign-out on A let the same cookie in on B"

    browser = Browser(a)
    assert _ask(b, browser.session) == (200, "")
    _write(database, "UPDATE auth_user SET is_active = FALSE WHERE username = 'bob'")
    assert _ask(b, browser.session) == to_login, "a deactivated user was let in on B"

    _write(database, "UPDATE auth_user SET is_active = TRUE WHERE username = 'bob'")
    browser = Browser(a)
    assert _ask(b, browser.session) == (200, "")
    _write(database, "DELETE FROM auth_user_groups WHERE user_id = (SELECT id FROM auth_user WHERE username = 'bob')")
    assert _ask(b, browser.session)[0] == 403, "a user whose role was removed was let in on B"


def test_ending_a_user_s_sessions_on_one_server_counts_at_once_on_the_other(servers):
    """An administrator on A ends every session of bob (the users' admin action); B refuses bob's cookie on its
    very next request, and the trail says who did it."""
    database, a, b = servers
    bob_here, bob_there = Browser(a), Browser(b)
    assert _ask(b, bob_here.session) == (200, "") and _ask(a, bob_there.session) == (200, "")
    alice = Browser(a, "alice")
    with closing(sqlite3.connect(database)) as db:
        bob_id = db.execute("SELECT id FROM auth_user WHERE username = 'bob'").fetchone()[0]
    status, headers = _open(alice.opener, a + "/admin/auth/user/", {
        "csrfmiddlewaretoken": alice._cookie("csrftoken"), "action": "end_all_sessions",
        "_selected_action": bob_id, "index": 0})
    assert status == 302, "the admin action failed"
    to_login = (302, f"{LOGIN}?next={PROTECTED}")
    assert _ask(b, bob_here.session) == to_login, "a session ended on A still let bob in on B"
    assert _ask(b, bob_there.session) == to_login, "bob's session opened on B itself survived"
    assert _ask(a, alice.session) == (200, "")
    with closing(sqlite3.connect(database)) as db:
        entry = db.execute("SELECT username, target, detail FROM audit_auditentry WHERE action = 'sesiones-cerradas'"
                           ).fetchall()
    assert entry == [("alice", "bob", '{"sesiones": 2}')]
