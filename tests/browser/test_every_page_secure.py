"""Every page, as the administrator, in a real browser: nothing fetched from another host, no violation of the
content-security policy, and no chart toolbar button that sends data anywhere."""

from __future__ import annotations

import pytest

from browser.test_map_profile import demo  # noqa: F401 - the demo loaded for the live server
from browser.test_smoke import browser  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser

ALL_LAYERS = ("referencia-manzanas", "referencia-calles", "coropletico-count", "coropletico-rate", "coropletico-eb",
              "densidad", "gi", "emergentes", "limites-uv", "limites-macrosector", "limites-comuna", "lugares",
              "grupos", "eventos")
# Records every violation of the policy the page meets, before any of its own scripts runs.
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + (e.lineNumber || "")));"""
SHARE_BUTTONS = """() => Array.from(document.querySelectorAll('.modebar-btn')).filter(b =>
  /cloud|chart studio|share|compartir/i.test((b.getAttribute('data-title') || '') + ' ' + (b.getAttribute('data-attr') || '')
  + ' ' + (b.getAttribute('data-val') || ''))).length"""


def _running_upload(token: str, user, source_code: str) -> None:
    """An upload whose import job is running (its progress page polls): written as the web flow writes it."""
    import os

    from django.utils import timezone

    from observatorio.records.web import uploads

    folder = uploads.uploads_root() / token
    folder.mkdir(parents=True)
    (folder / "archivo.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    uploads.write_state(folder, {
        "token": token, "user": user.pk, "source": source_code, "sheet": "", "file_name": "llamados.csv",
        "stored": "archivo.csv", "size": 8, "created_at": timezone.now().isoformat(),
        "job": {"kind": "commit", "status": "running", "stage": "write", "done": 1, "total": 2, "percent": 80,
                "stages": ["read", "write"], "batch": None, "error": None, "pid": os.getpid()}})


def test_every_page_loads_only_from_the_server_and_keeps_the_policy(browser, live_server, demo, settings,  # noqa: F811
                                                                   tmp_path):
    from django.contrib.auth import get_user_model

    from observatorio.records.models import Source
    from observatorio.territory.models import Area

    settings.DATA_DIR = tmp_path
    admin = get_user_model().objects.get(username="admin")
    _running_upload("prueba-progreso", admin, Source.objects.order_by("code").first().code)
    uv = Area.objects.filter(level="uv").order_by("code").first()
    layers = "&".join(f"capa={key}" for key in ALL_LAYERS)
    pages = {
        "login": "/cuenta/ingresar/",
        "home": "/",
        "board": "/tablero/?period=12m",
        "map, every layer on": f"/mapa/?period=custom&start=2024-01-01&end=2026-11-25&{layers}",
        "profile": f"/area/{uv.pk}/",
        "quality": "/fuentes/",
        "uploads": "/cargas/",
        "new upload": "/cargas/nueva/",
        "import progress": "/cargas/archivo/prueba-progreso/progreso/",
        "reports": "/informes/",
        "admin index": "/admin/",
        "admin users": "/admin/auth/user/",
        "not found": "/no-existe/",
    }

    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="es-CL")
    context.add_init_script(LISTEN)
    page = context.new_page()
    foreign, console = [], []
    page.on("request", lambda req: req.url.startswith((live_server.url, "data:", "blob:")) or foreign.append(req.url))
    page.on("console", lambda msg: msg.type in ("error", "warning") and console.append(msg.text))
    page.on("pageerror", lambda exc: console.append(f"page error: {exc}"))

    page.goto(live_server.url + pages["login"])
    assert page.evaluate("window.__csp") == []
    # The control: the policy does forbid an inline script, and the listener hears it.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_function("() => window.__csp.length >= 1")
    assert page.evaluate("window.__ran") is None
    page.evaluate("window.__csp = []")
    page.fill("#id_username", "admin")
    page.fill("#id_password", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    problems = {}
    charts = 0
    for name, path in pages.items():
        console.clear()
        page.goto(live_server.url + path)
        if name == "import progress":  # it polls its job every 400 ms: the network is never idle
            page.wait_for_load_state("load")
            page.wait_for_timeout(1500)
        else:
            page.wait_for_load_state("networkidle")
        if page.locator(".js-plotly-plot").count():
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            charts += page.locator(".js-plotly-plot").count()
            page.locator(".js-plotly-plot").first.hover()
            assert page.evaluate(SHARE_BUTTONS) == 0, f"{name}: a toolbar button sends the chart away"
            assert page.locator(".modebar-btn").count() > 0, f"{name}: no toolbar drawn, nothing checked"
        violations = page.evaluate("window.__csp") + [m for m in console if "Content Security Policy" in m]
        if violations:
            problems[name] = violations
        if name == "map, every layer on":
            assert page.evaluate("document.getElementById('layer-map').data.length") > 30
        if name == "import progress":
            assert page.locator("#job-bar").is_visible()
    context.close()
    assert charts >= 5, "the pages drew fewer charts than expected: the test saw too little"
    assert problems == {}, problems
    assert foreign == [], foreign
