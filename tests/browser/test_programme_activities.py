"""Registering an activity on a phone (390 px) in a real browser: the unit's member opens the form on the
programme page, fills it in and saves; the page does not scroll sideways, the activity is listed, and the
alerts page and its badge fit the phone as well."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from programmes.pages_world import build_world

from browser.test_smoke import ARTIFACTS, CHROMIUM_ARGS, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, personas):
    return build_world(personas)


def _page(browser, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="es-CL")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_member_records_an_activity_on_a_phone(browser, live_server, world):  # noqa: F811
    from observatorio.programmes.alerts import subscribe
    from observatorio.programmes.models import Activity, Alert

    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _page(browser, live_server, world.member)
    page.goto(live_server.url + f"/programas/{world.programme.code}/")
    page.locator("#registrar-actividad summary").click()
    page.get_by_label("Actividad", exact=True).fill("Ronda en la plaza")
    page.get_by_label("Fecha", exact=True).fill(f"05-03-{world.year}")
    page.get_by_label("Horas").fill("2,5")
    page.get_by_label("Participantes").fill("7")
    assert _overflow(page) <= 0, "the open activity form scrolls sideways at 390 px"
    page.screenshot(path=str(ARTIFACTS / "programme-activity-form-390.png"), full_page=True)
    page.get_by_role("button", name="Guardar actividad").click()
    page.wait_for_selector(".message--success")
    assert "Ronda en la plaza" in page.locator("#actividades").inner_text()
    a = Activity.objects.get(title="Ronda en la plaza")
    assert (float(a.hours), a.participants) == (2.5, 7)
    assert _overflow(page) <= 0

    sub = subscribe(world.member, indicator=world.indicator)
    Alert.objects.create(subscription=sub, key="k", text="Llamados atendidos a tiempo pasó de «cumple la meta» a "
                         "«no cumple la meta» respecto de la meta 70,0.")
    page.goto(live_server.url + "/avisos/")
    page.locator("#nav-toggle").click() if page.locator("#nav-toggle").is_visible() else None
    assert page.locator("#nav-alerts .nav-badge").inner_text().startswith("1")
    assert _overflow(page) <= 0, "the alerts page scrolls sideways at 390 px"
    page.get_by_role("button", name="Marcar como leído").click()
    page.wait_for_selector('[data-read="1"]')
    assert page.locator("#nav-alerts .nav-badge").count() == 0
    assert page.errors == []
    context.close()
