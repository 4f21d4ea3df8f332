"""While new data load in the background, the page's banner follows the load and offers to reload when done."""

from __future__ import annotations

import time

import pytest

from browser.test_smoke import ARTIFACTS, browser, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def test_banner_follows_the_load_then_offers_to_reload(page, live_server, transactional_db):  # noqa: F811
    from django.db import connection

    from observatorio import state
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.state import holder

    create_user("ana", "ana-pass-123", Role.AUTHORITY)
    state.reset()
    state.current()  # a snapshot is held: the reload replaces it
    key = connection.settings_dict["NAME"]
    status = state.Refresh(time.monotonic(), expected=1000, read=100)
    holder._refreshing[key] = status  # a reload in progress, as snapshot.refresh_in_background leaves it
    try:
        page.goto(live_server.url + "/fuentes/")
        page.fill("#id_username", "ana")
        page.fill("#id_password", "ana-pass-123")
        page.click("form.form button[type=submit]")
        banner = page.locator(".refresh-banner[role=status]")
        banner.wait_for(timeout=15_000)
        assert page.locator(".refresh-banner [data-percent]").inner_text() == "10"
        status.read = 640
        page.wait_for_function("() => document.querySelector('.refresh-banner [data-percent]').textContent === '64'",
                               timeout=10_000)
        assert page.eval_on_selector(".refresh-banner progress", "p => p.value") == 64
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "data-refresh-banner-es.png"))
    finally:
        holder._refreshing.pop(key, None)  # the load ends
    page.wait_for_selector(".refresh-banner a", timeout=10_000)
    assert "Los datos nuevos ya están cargados." in banner.inner_text()
    assert page.eval_on_selector(".refresh-banner progress", "p => p.value") == 100
    page.click(".refresh-banner a")
    page.wait_for_load_state("networkidle")
    assert page.locator(".refresh-banner").count() == 0
    assert page.problems == []


def test_first_load_page_opens_itself_when_the_data_are_ready(page, live_server, transactional_db,  # noqa: F811
                                                               snapshot_gate, monkeypatch):
    from observatorio import state
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.records import snapshot
    from observatorio.records.models import Event, Source
    from observatorio.state import holder

    create_user("ana", "ana-pass-123", Role.AUTHORITY)
    source = Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")
    Event.objects.bulk_create([Event(source=source, occurred_on="2025-05-01") for _ in range(5)])
    snapshot.bump()
    state.reset()
    opened = snapshot_gate
    monkeypatch.setattr(holder, "FIRST_LOAD_WAIT", 0.05)
    status = state.warm_up()
    try:
        page.goto(live_server.url + "/fuentes/")
        page.fill("#id_username", "ana")
        page.fill("#id_password", "ana-pass-123")
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".refresh-banner[data-auto-reload]", timeout=15_000)
        assert page.locator("h1").inner_text() == "Cargando los datos"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "first-load-es.png"))
        opened.set()
        page.wait_for_function("() => document.querySelector('h1') && "
                               "document.querySelector('h1').textContent.includes('Fuentes')", timeout=15_000)
    finally:
        opened.set()
        status.done.wait(10)
        state.reset()
    # The 503 of the loading page itself is the one failed request the console reports.
    assert [p for p in page.problems if "503" not in p] == []
