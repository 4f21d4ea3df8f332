"""Production serving: ``check --deploy`` clean with the documented environment, ``serve --prod`` with several
worker processes, and a form posted through an HTTPS proxy that passes the origin check (real processes, real
ports)."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_serve import BIN, _free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "observatorio.example.cl"
PASSWORD = "una-clave-larga-de-prueba-2026"

# The production environment docs/deploy.md documents (its secrets made up here).
PRODUCTION = {
    "OBS_DEBUG": "false",
    "OBS_HTTPS": "true",
    "OBS_BEHIND_PROXY": "true",
    "OBS_HSTS_PRELOAD": "true",
    "OBS_ALLOWED_HOSTS": HOST,
    "OBS_TRUSTED_ORIGINS": f"https://{HOST}",
    "OBS_SECRET_KEY": "k" * 20 + "-a-made-up-secret-key-for-this-test-only-0123456789",
}


def _environ(tmp_path, **extra) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "OBS_DATABASE_URL" and not k.startswith("DJANGO_")}
    environ["OBS_DATA_DIR"] = str(tmp_path)
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
    environ.update(extra)
    return environ


def test_documented_production_environment_passes_check_deploy(tmp_path):
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    for name in PRODUCTION:
        assert f"{name}=" in deploy, f"docs/deploy.md does not set {name}"
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=_environ(tmp_path, DJANGO_SETTINGS_MODULE="observatorio.settings", **PRODUCTION),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_https_check_deploy_names_what_is_missing(tmp_path):
    """The check is real: the same run without OBS_HTTPS warns about the cookies, the redirect and HSTS."""
    environ = {k: v for k, v in PRODUCTION.items() if k != "OBS_HTTPS"}
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=_environ(tmp_path, DJANGO_SETTINGS_MODULE="observatorio.settings", **environ),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    for code in ("W004", "W008", "W012", "W016"):
        assert code in done.stderr + done.stdout


class Server:
    """``observatorio serve --prod`` in a process of its own; ``request`` speaks HTTP to it as the proxy would."""

    def __init__(self, environ: dict, workers: int):
        self.port = _free_port()
        self.log = open(Path(environ["OBS_DATA_DIR"]) / "server.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen([BIN, "serve", "--prod", "--workers", str(workers), "--threads", "2",
                                         "--port", str(self.port)], env=environ, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def request(self, method, path, *, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def wait(self, headers=None):
        stop = time.monotonic() + 120
        while True:
            try:
                return self.request("GET", "/cuenta/ingresar/", headers=headers)
            except OSError:
                if self.process.poll() is not None or time.monotonic() > stop:
                    self.log.seek(0)
                    pytest.fail(f"the server never answered:\n{self.log.read()}")
                time.sleep(0.2)

    def workers(self) -> list[int]:
        """Pids of the processes whose parent is the server (gunicorn's workers)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def wait_workers(self, n: int, seconds: float = 30) -> int:
        """How many workers the server has once it has ``n`` (or after ``seconds``)."""
        stop = time.monotonic() + seconds
        while len(found := self.workers()) < n and time.monotonic() < stop:
            time.sleep(0.1)
        return len(found)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        return output


@pytest.fixture
def production(tmp_path):
    """A migrated SQLite instance under the production environment, with one analyst."""
    environ = _environ(tmp_path, **PRODUCTION)
    subprocess.run([BIN, "migrate"], env=environ, check=True, capture_output=True, timeout=300)
    subprocess.run([BIN, "createuser", "--role", "analyst", "bea"], env={**environ, "OBS_PASSWORD": PASSWORD},
                   check=True, capture_output=True, timeout=300)
    return environ


def _cookies(headers) -> dict[str, str]:
    return dict(re.match(r"([^=]+)=([^;]*)", c).groups() for c in headers.get_all("Set-Cookie") or [])


def test_prod_server_behind_an_https_proxy(production):
    server = Server(production, workers=2)
    proxy = {"Host": HOST, "X-Forwarded-Proto": "https"}
    try:
        status, headers, body = server.wait(headers=proxy)
        assert status == 200, body[:500]
        # gunicorn's master and two worker processes: it forks them one after another, and a worker forked from a
        # master that is ready for requests may answer before the next one is forked.
        assert server.wait_workers(2) == 2

        # Every answer: HSTS, the content-security policy, nothing cached, no framing.
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "script-src 'self';" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0]
        assert "no-store" in headers["Cache-Control"] and headers["X-Frame-Options"] == "DENY"
        set_cookie = headers["Set-Cookie"]
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie

        # Plain HTTP (the proxy's header absent) is sent to HTTPS.
        status, headers, _ = server.request("GET", "/cuenta/ingresar/", headers={"Host": HOST})
        assert status == 301 and headers["Location"] == f"https://{HOST}/cuenta/ingresar/"

        # The sign-in form, posted through the proxy with the browser's Origin, passes the CSRF origin check.
        status, headers, body = server.request("GET", "/cuenta/ingresar/", headers=proxy)
        csrf = _cookies(headers)["csrftoken"]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = f"csrfmiddlewaretoken={token}&username=bea&password={PASSWORD}"
        post = {**proxy, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/cuenta/ingresar/",
                "Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"}
        status, headers, body = server.request("POST", "/cuenta/ingresar/", headers=post, body=form)
        assert status == 302 and headers["Location"] == "/", body[:500]
        session = _cookies(headers)["sessionid"]
        status, headers, body = server.request("GET", "/datos/estado.json",
                                               headers={**proxy, "Cookie": f"sessionid={session}"})
        assert status == 200 and b"refreshing" in body and "no-store" in headers["Cache-Control"]

        # The same form from another origin is refused.
        status, _, _ = server.request("POST", "/cuenta/ingresar/", body=form,
                                      headers={**post, "Origin": "https://evil.example.org"})
        assert status == 403
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


def test_serve_refuses_workers_without_prod(tmp_path):
    done = subprocess.run([BIN, "serve", "--workers", "2"], env=_environ(tmp_path), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "--workers solo sirve con --prod" in done.stderr


def test_master_imports_the_views_before_forking_without_touching_the_database(tmp_path):
    # What serve --prod's master does before gunicorn forks its workers: afterwards the views and the libraries
    # of a first dashboard answer are imported (a forked worker inherits them), and no connection was opened...
    code = (
        "import sys, django; django.setup()\n"
        "from django.db import connections\n"
        "from observatorio.commands.startup import ready_for_requests\n"
        "before = {'observatorio.dashboard.board', 'scipy.special', 'pandas'} - set(sys.modules)\n"
        "ready_for_requests()\n"
        "missing = [m for m in ('observatorio.dashboard.board', 'observatorio.dashboard.views', 'scipy.special',\n"
        "           'pandas', 'pyproj') if m not in sys.modules]\n"
        "opened = [a for a in connections if connections[a].connection is not None]\n"
        "import gc\n"
        "print(sorted(before), missing, opened, gc.get_freeze_count() > 50_000)\n"
    )
    env = _environ(tmp_path, DJANGO_SETTINGS_MODULE="observatorio.settings")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    # ... and what was imported is set aside from the garbage collector's full collections (gc.freeze).
    assert done.stdout.split("\n")[0] == "['observatorio.dashboard.board', 'pandas', 'scipy.special'] [] [] True"


# Faults taken by allocating 3 MB of temporary array twice, freed in between (under NumPy's 4 MB, from which it
# asks for huge pages): a process with glibc's defaults gives the first back to the system and faults the second
# in afresh; one that keeps freed memory reuses it.
REUSE = (
    "import resource, sys, numpy as np\n"
    "from observatorio.commands.startup import keep_freed_memory\n"
    "kept = keep_freed_memory() if sys.argv[1] == 'keep' else None\n"
    "a = np.ones(3 * 2**20, dtype=np.uint8); del a\n"
    "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
    "b = np.ones(3 * 2**20, dtype=np.uint8)\n"
    "print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
)


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc")
def test_a_server_process_reuses_freed_memory_instead_of_faulting_it_in_again(tmp_path):
    def faults(how: str) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-c", REUSE, how], env=_environ(tmp_path), capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        kept, n = done.stdout.split()
        return kept, int(n)

    pages = 3 * 2**20 // 4096
    default_kept, default_faults = faults("default")
    kept, kept_faults = faults("keep")
    assert default_kept == "None" and default_faults > pages // 2  # given back, faulted in again
    assert kept == "True" and kept_faults < pages // 20
