"""Faults answered in the one shape: impossible dates in a filter (400), a bug (the branded 500), the database
down (503); and the headers every answer carries (the content-security policy, no-store)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parents[2]

BAD_DATES = {
    "year-1": "period=custom&start=0001-01-01&end=0001-01-31",
    "year-9999": "period=custom&start=9999-12-01&end=9999-12-31",
    "30-february": "period=custom&start=2025-02-30&end=2025-03-01",
    "month-1": "period=month&month=0001-01",
    "month-9999": "period=month&month=9999-12",
    "far-span": "period=custom&start=1000-01-01&end=2025-01-01",
}
DATA = ("/tablero/datos/resumen.json", "/tablero/datos/resumen.csv", "/tablero/datos/tendencia.json",
        "/tablero/datos/areas.json", "/mapa/capa/emergentes.json", "/mapa/capa/gi.geojson",
        "/mapa/capa/densidad.csv", "/mapa/capa/coropletico-count.json")
PAGES = ("/tablero/", "/mapa/")


@pytest.fixture
def admin_client(client, demo, personas):
    client.force_login(personas["alice"])
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("query", BAD_DATES.values(), ids=BAD_DATES.keys())
def test_impossible_or_far_dates_are_a_400_never_a_500(admin_client, query):
    for path in DATA:
        response = admin_client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, response.content[:300])
        error = json.loads(response.content)["error"]
        assert error["status"] == 400 and error["message"] and error["fields"], (path, error)
    for path in PAGES:
        response = admin_client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert "Página no encontrada" not in response.content.decode()


def test_dates_within_the_bounds_still_answer(admin_client):
    for query in ("period=custom&start=1900-01-01&end=1900-01-31", "period=month&month=2200-12",
                  "period=year&year=1900"):
        for path in DATA + PAGES:
            assert admin_client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_every_answer_has_the_policy_and_no_store_but_static_files_are_cached(admin_client):
    for path in ("/", "/tablero/", "/tablero/datos/resumen.json", "/mapa/capa/limites-uv.json", "/fuentes/",
                 "/cargas/", "/admin/", "/no-existe/"):
        response = admin_client.get(path)
        assert "no-store" in response["Cache-Control"], path
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        script = policy.split("script-src", 1)[1].split(";")[0]
        assert script.strip() == "'self'", path  # no inline scripts, no eval
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
    static = admin_client.get("/static/obs/site.css")
    assert "no-store" not in static.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_event_handler():
    import re

    for template in (ROOT / "observatorio").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{template}: inline {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template}: an inline event handler"


def test_every_plotly_figure_hides_the_share_button():
    for script in (ROOT / "observatorio" / "static" / "obs").glob("*.js"):
        text = script.read_text()
        plots = text.count("Plotly.newPlot") + text.count("Plotly.react")
        if plots:
            assert text.count("showSendToCloud: false") == plots, script
            assert text.count('"sendDataToCloud", "sendChartToCloud"') == plots, script


def test_a_bug_gives_the_branded_page_without_detail(admin_client, monkeypatch):
    from observatorio.dashboard import engine, home_data

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the bug")

    monkeypatch.setattr(home_data, "headline", broken)
    response = admin_client.get("/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Algo falló en el servidor" in text and 'class="site-header"' in text and 'lang="es-CL"' in text
    assert "secret detail" not in text and "Traceback" not in text

    monkeypatch.setattr(engine, "headline", broken)
    response = admin_client.get("/tablero/datos/resumen.json")
    assert response.status_code == 500
    error = json.loads(response.content)["error"]
    assert error["status"] == 500 and "secret" not in error["message"]


def test_the_database_failing_in_a_view_gives_503(admin_client, monkeypatch):
    from observatorio.dashboard import board, views

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(board, "current", down)
    monkeypatch.setattr(views, "current", down)
    response = admin_client.get("/tablero/datos/resumen.json")
    assert response.status_code == 503 and response["Retry-After"]
    error = json.loads(response.content)["error"]
    assert error["status"] == 503 and error["code"] == "database_unavailable" and error["message"]
    response = admin_client.get("/")
    assert response.status_code == 503 and "La base de datos no responde" in response.content.decode()


def test_a_server_whose_database_is_down_answers_503(tmp_path):
    """A real server pointed at a PostgreSQL port where nothing listens."""
    from tests.core.test_serve import BIN, _free_port

    environ = {**os.environ, "OBS_DATA_DIR": str(tmp_path),
               "OBS_DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/nada",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    port = _free_port()
    server = subprocess.Popen([BIN, "serve", "--port", str(port), "--threads", "2"], env=environ,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    signed_in = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}  # reading it needs the database

    def get(path):
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=signed_in), timeout=60) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    try:
        stop = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/static/obs/site.css", timeout=30).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < stop, "the server never answered"
                time.sleep(0.2)
        status, headers, body = get("/tablero/datos/resumen.json")
        assert status == 503 and headers["Retry-After"], body
        assert json.loads(body)["error"]["code"] == "database_unavailable"
        status, headers, body = get("/")
        assert status == 503 and "La base de datos no responde" in body and "Traceback" not in body
        assert 'class="site-header"' in body
    finally:
        server.terminate()
        server.communicate(timeout=60)


@pytest.mark.parametrize("url, origin", [
    ("", []),
    ("https://tiles.example.org/{z}/{x}/{y}.png", ["https://tiles.example.org"]),
    ("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png", ["https://*.tile.example.org:8443"]),
])
def test_the_base_map_host_is_the_only_other_one_images_may_come_from(url, origin):
    from observatorio import env

    assert env.origin_of(url) == origin


def test_a_tile_url_that_is_not_http_is_refused():
    from observatorio import env

    with pytest.raises(env.ConfigError, match="OBS_TILE_URL"):
        env.origin_of("ftp://tiles.example.org/{z}/{x}/{y}.png")
