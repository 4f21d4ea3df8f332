"""The account pages and the audit trail in a real browser, on a 390 px phone: signing in, setting up the second
factor from the page's own QR key (the code computed as the phone would), the password change and the trail."""

from __future__ import annotations

import os

import pyotp
import pytest

from browser.test_smoke import browser  # noqa: F401 - fixture

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _fits(page, path):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_account_and_audit_pages_on_a_phone(browser, live_server, transactional_db, personas):  # noqa: F811
    from observatorio.accounts.models import RolePolicy
    from observatorio.audit.models import AuditEntry

    RolePolicy.objects.update_or_create(role="admin", defaults={"second_factor": True})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()
    foreign = []
    page.on("request", lambda req: req.url.startswith(live_server.url) or req.url.startswith("data:")
            or foreign.append(req.url))
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-pass-123")
    page.click("form.form button[type=submit]")
    # Her role requires the second factor and she has none: the setup page, with its QR code drawn inline.
    page.wait_for_url(live_server.url + "/cuenta/segundo-factor/?next=%2F")
    _fits(page, "setup")
    assert page.locator(".qr-code svg").is_visible()
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("#second-factor-setup button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.click("#nav-toggle")  # on a phone the navigation folds behind its button
    assert page.locator(".site-nav a", has_text="Auditoría").is_visible()
    _fits(page, "/")

    for path in ("/auditoria/", "/auditoria/?accion=ingreso", "/cuenta/contrasena/", "/cuenta/segundo-factor/"):
        page.goto(live_server.url + path)
        _fits(page, path)
    page.goto(live_server.url + "/auditoria/?quien=alice")
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 2 and "Ingreso" in page.inner_text("#audit-table")
    with page.expect_download() as download:
        page.click("#audit-csv")
    assert download.value.suggested_filename.startswith("auditoria_")
    assert AuditEntry.objects.filter(action="descarga", username="alice").exists()
    assert not foreign, foreign
    context.close()


def test_the_lockout_page_on_a_phone(browser, live_server, transactional_db, personas):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-CL")
    page = context.new_page()
    for _ in range(5):
        page.goto(live_server.url + "/cuenta/ingresar/")
        page.fill("#id_username", "bob")
        page.fill("#id_password", "not-the-password")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("#locked-out").is_visible()
    assert "15 minutos" in page.inner_text("#locked-out")
    _fits(page, "lockout")
    context.close()
