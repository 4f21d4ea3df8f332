"""While new data load in the background, every signed-in page says so and the status endpoint follows it."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.urls import reverse

from observatorio import state
from observatorio.state import holder


@pytest.fixture
def refreshing(db):
    """A background reload in progress for the test database, a third of the way through, while a state is held
    (without one, a page would wait for the first load instead of showing the banner)."""
    state.current()
    key = connection.settings_dict["NAME"]
    status = state.Refresh(time.monotonic(), expected=300, read=100)
    holder._refreshing[key] = status
    yield status
    holder._refreshing.pop(key, None)


def test_status_follows_the_reload(client, personas, refreshing):
    client.force_login(personas["ana"])  # any role may see it: it tells only that data are loading
    body = client.get(reverse("data_status")).json()
    assert body["refreshing"] is True and body["percent"] == 33 and body["seconds"] >= 0
    refreshing.read = 300
    assert client.get(reverse("data_status")).json()["percent"] == 99  # 100 only once it is done


def test_status_without_a_reload(client, personas):
    client.force_login(personas["bob"])
    assert client.get(reverse("data_status")).json() == {"refreshing": False}


def test_status_needs_a_signed_in_user(client, db, refreshing):
    response = client.get(reverse("data_status"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("url", ["quality", "home"])
def test_pages_show_the_banner_only_while_loading(client, personas, url, refreshing):
    client.force_login(personas["bob"])
    html = client.get(reverse(url)).content.decode()
    assert 'class="refresh-banner" role="status"' in html and "<span data-percent>33</span>" in html
    assert "Cargando datos nuevos" in html and "obs/refresh.js" in html
    holder._refreshing.clear()
    assert "refresh-banner" not in client.get(reverse(url)).content.decode()


def test_the_banner_in_english(client, personas, refreshing):
    client.force_login(personas["bob"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("quality")).content.decode()
    assert "Loading new data (<span data-percent>33</span> %)" in html


def test_anonymous_pages_show_no_banner(client, db, refreshing):
    assert "refresh-banner" not in client.get(reverse("login")).content.decode()


def test_serve_warms_the_snapshot(transactional_db):
    from observatorio.commands import serve

    state.reset()
    serve.warm_snapshot()  # starts the load in a thread
    status = next(iter(holder._refreshing.values()), None)
    assert status is None or status.done.wait(10)
    assert holder._held, "the snapshot was read at start"
    state.reset()
