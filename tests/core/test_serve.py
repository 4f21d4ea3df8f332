"""``observatorio serve`` answers pages and static files on Waitress, from a real process on a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

BIN = os.path.join(os.path.dirname(sys.executable), "observatorio")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 30.0):
    stop = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=timeout)
        except OSError:  # refused while starting; or a timeout: the first request imports the views
            if time.monotonic() > stop:
                raise
            time.sleep(0.2)


@pytest.fixture
def env(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "OBS_DATABASE_URL"}  # its own SQLite file
    environ["OBS_DATA_DIR"] = str(tmp_path)
    subprocess.run([BIN, "migrate"], env=environ, check=True, capture_output=True, timeout=300)
    return environ


def test_serve_answers_pages_and_static_files_on_waitress(env):
    port = _free_port()
    server = subprocess.Popen([BIN, "serve", "--port", str(port), "--threads", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _get(f"http://127.0.0.1:{port}/cuenta/ingresar/")
        assert page.status == 200 and page.headers["Server"] == "observatorio"
        assert "Ingresar" in page.read().decode("utf-8")
        css = _get(f"http://127.0.0.1:{port}/static/obs/site.css")
        assert css.status == 200 and b".refresh-banner" in css.read()
        # Data need a signed-in user: the anonymous request is sent to the login page, not answered.
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.build_opener(_NoRedirect).open(f"http://127.0.0.1:{port}/tablero/datos/resumen.json",
                                                          timeout=5)
        assert denied.value.code == 302 and "/cuenta/ingresar/" in denied.value.headers["Location"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output


@pytest.mark.parametrize("args, message", [(["--port", "0"], "--port 0 no es un puerto TCP"),
                                           (["--threads", "0"], "--threads 0 debe estar entre 1 y 256")])
def test_serve_refuses_bad_options(env, args, message):
    done = subprocess.run([BIN, "serve", *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr
