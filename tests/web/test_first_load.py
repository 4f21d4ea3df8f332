"""While a large database's first snapshot loads, pages show its progress and data endpoints answer 503."""

from __future__ import annotations

import pytest
from django.urls import reverse

from observatorio import state
from observatorio.records import snapshot
from observatorio.state import holder


@pytest.fixture
def first_load(transactional_db, personas, snapshot_gate, monkeypatch):
    """The first snapshot loading in the background, held until the test lets it finish."""
    from observatorio.records.models import Event, Source

    source = Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")
    Event.objects.bulk_create([Event(source=source, occurred_on="2025-05-01") for _ in range(4)])
    snapshot.bump()
    state.reset()
    opened = snapshot_gate
    monkeypatch.setattr(holder, "FIRST_LOAD_WAIT", 0.05)
    status = state.warm_up()
    yield status, opened
    opened.set()
    status.done.wait(10)
    state.reset()


@pytest.mark.parametrize("url", ["/tablero/", "/mapa/", "/fuentes/"])
def test_pages_show_the_progress_and_reload_themselves(client, personas, first_load, url):
    client.force_login(personas["bob"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert "<h1>Cargando los datos</h1>" in html and "data-auto-reload" in html and "<span data-percent>0</span>" in html
    assert "los 4 eventos" in html
    assert html.count('data-status-url=') == 1  # the page's own, not the banner of base.html too


@pytest.mark.parametrize("url", ["/tablero/datos/resumen.json?period=12m", "/mapa/capa/gi.json?period=12m",
                                 "/fuentes/datos.csv"])
def test_data_endpoints_answer_503_with_the_progress(client, personas, first_load, url):
    client.force_login(personas["bob"])
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "2"
    error = response.json()["error"]
    assert error["code"] == "loading" and error["percent"] == 0 and error["status"] == 503
    assert "Cargando los datos" in error["message"]


def test_once_loaded_the_page_answers(client, personas, first_load):
    status, opened = first_load
    client.force_login(personas["bob"])
    assert client.get("/fuentes/").status_code == 503
    opened.set()
    assert status.done.wait(10)
    assert client.get("/fuentes/").status_code == 200


def test_anonymous_visitors_are_sent_to_login_first(client, first_load):
    response = client.get("/tablero/")
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_loading_page_in_english(client, personas, first_load):
    client.force_login(personas["bob"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/fuentes/").content.decode()
    assert "<h1>Loading the data</h1>" in html and "Reading the events (<span data-percent>0</span> %)" in html
