"""/informes/ on the small demo: an analyst generates a report (the background work run inline: the test database
is one transaction a thread could not see), follows its progress, previews and downloads it (audited); the file
is the one the run records; an authority sees and downloads only public reports and may not generate; a bad
period is refused with its reason; the bulletin subscription toggles."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.records.test_web_support import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inline(settings, tmp_path, monkeypatch):
    from observatorio.reports.web import background

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "RUNNER", background.run_inline)


def generate(client, **fields):
    data = {"kind": "boletin", "month": "2026-10", "start": "", "end": "", "fmt": "pdf", "language": "es"}
    data.update(fields)
    if not data.get("public"):
        data.pop("public", None)
    return client.post("/informes/", data)


def test_analyst_generates_previews_and_downloads(demo, personas, client):
    from observatorio.audit.models import AuditEntry
    from observatorio.reports.models import ReportRun

    login(client, "bob")
    page = client.get("/informes/")
    assert page.status_code == 200
    assert 'value="boletin"' in page.content.decode()

    response = generate(client)
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert response["Location"] == f"/informes/{run.pk}/"
    assert (run.status, run.progress, run.created_by.username) == ("done", 100, "bob")
    assert (run.start.isoformat(), run.end.isoformat(), run.public) == ("2026-10-01", "2026-10-31", False)

    progress = client.get(f"/informes/{run.pk}/avance.json").json()
    assert progress["status"] == "done" and progress["progress"] == 100

    html = client.get(f"/informes/{run.pk}/").content.decode()
    assert f'src="/informes/{run.pk}/ver/"' in html and run.sha256 in html and run.data_version in html

    before = AuditEntry.objects.filter(action="descarga").count()
    download = client.get(f"/informes/{run.pk}/descargar/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and "boletin-2026-10-01-2026-10-31.pdf" in \
        download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == run.sha256
    entry = AuditEntry.objects.filter(action="descarga").order_by("-id").first()
    assert AuditEntry.objects.filter(action="descarga").count() == before + 1
    assert entry.username == "bob" and entry.target == f"/informes/{run.pk}/descargar/"
    assert entry.detail["archivo"] == "boletin-2026-10-01-2026-10-31.pdf"

    preview = client.get(f"/informes/{run.pk}/ver/")
    assert preview.status_code == 200 and "inline" in preview["Content-Disposition"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert AuditEntry.objects.filter(action="descarga").count() == before + 2
    entry = AuditEntry.objects.filter(action="descarga").order_by("-id").first()
    assert entry.detail["informe"] == run.pk and entry.detail["vista previa"] is True

    history = client.get("/informes/").content.decode()
    row = re.search(rf'<tr data-run="{run.pk}" data-status="done">(.*?)</tr>', history, re.S).group(1)
    assert "01-10-2026 – 31-10-2026" in row and "bob" in row and run.content_hash[:12] in row


def test_an_html_report_is_previewed_inline(demo, personas, client):
    from observatorio.reports.models import ReportRun

    login(client, "alice")
    generate(client, month="", start="01-10-2026", end="31-10-2026", fmt="html", language="en")
    run = ReportRun.objects.get()
    assert (run.format, run.language, run.status) == ("html", "en", "done")
    preview = client.get(f"/informes/{run.pk}/ver/")
    assert preview["Content-Type"].startswith("text/html")
    assert "Monthly bulletin" in b"".join(preview.streaming_content).decode()
    assert "sandbox" in client.get(f"/informes/{run.pk}/").content.decode()


def test_authority_reads_only_public_reports_and_may_not_generate(demo, personas, client):
    from observatorio.reports.models import ReportRun

    login(client, "bob")
    generate(client)
    generate(client, public="on")
    internal, public = ReportRun.objects.order_by("id")
    assert (internal.public, public.public) == (False, True)
    client.logout()

    login(client, "ana")
    page = client.get("/informes/").content.decode()
    assert 'id="report-form"' not in page
    assert f'data-run="{public.pk}"' in page and f'data-run="{internal.pk}"' not in page
    assert client.get(f"/informes/{public.pk}/descargar/").status_code == 200
    for url in ("/", "avance.json", "ver/", "descargar/"):
        assert client.get(f"/informes/{internal.pk}/{url.lstrip('/')}").status_code == 404, url
    assert generate(client).status_code == 403
    assert ReportRun.objects.count() == 2


def test_a_bad_period_is_refused_with_its_reason(demo, personas, client):
    from observatorio.reports.models import ReportRun

    login(client, "bob")
    page = generate(client, month="", start="31-10-2026", end="01-10-2026").content.decode()
    assert "«Hasta» es anterior a «Desde»" in page
    page = generate(client, month="2026-10", start="01-10-2026", end="31-10-2026").content.decode()
    assert "no ambos" in page
    page = generate(client, month="").content.decode()
    assert "Indique el período" in page
    page = generate(client, month="", start="2026-10-01", end="31-10-2026").content.decode()
    assert "dd-mm-aaaa" in page or "fecha válida" in page.lower()
    assert ReportRun.objects.count() == 0


def test_a_failed_run_shows_its_message(demo, personas, client, monkeypatch):
    from observatorio.reports import runs
    from observatorio.reports.models import ReportRun

    def broken(*args, **kwargs):
        raise RuntimeError("el disco está lleno")

    monkeypatch.setattr(runs, "render", broken)
    login(client, "bob")
    generate(client)
    run = ReportRun.objects.get()
    assert run.status == "failed"
    page = client.get(f"/informes/{run.pk}/").content.decode()
    assert "el disco está lleno" in page and 'id="download-link"' not in page
    assert client.get(f"/informes/{run.pk}/descargar/").status_code == 404


def test_subscription_toggles(personas, client):
    from observatorio.reports.models import ReportSubscription

    login(client, "ana")
    assert client.post("/informes/suscripcion/", {"language": "en"}).status_code == 302
    assert ReportSubscription.objects.get(user=personas["ana"]).language == "en"
    page = client.get("/informes/").content.decode()
    assert 'id="unsubscribe-button"' in page and "Versión pública." in page
    client.post("/informes/suscripcion/", {"action": "unsubscribe"})
    assert not ReportSubscription.objects.filter(user=personas["ana"]).exists()
    client.logout()
    login(client, "olga")  # operators have no reports
    assert client.post("/informes/suscripcion/", {"language": "es"}).status_code == 403


def test_a_run_cut_off_by_a_stopped_server_is_marked_failed_when_it_starts(personas, client, capsys, monkeypatch):
    import datetime as dt

    from django.db import connection

    from observatorio.commands.startup import recover_jobs
    from observatorio.reports.models import ReportRun

    # The start-up closes its connection (the server's workers open their own); here it is the test's transaction.
    monkeypatch.setattr(connection, "close", lambda: None)

    run = ReportRun.objects.create(kind="boletin", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                                   format="pdf", created_by=personas["bob"], progress=40)
    recover_jobs(dead=(999_999,))  # a worker that exited while the server runs: its siblings' runs go on
    run.refresh_from_db()
    assert run.status == "running"
    recover_jobs()  # the server starting
    run.refresh_from_db()
    assert run.status == "failed" and "servidor se detuvo" in run.error
    assert "1 informes interrumpidos" in capsys.readouterr().out
    login(client, "bob")
    assert "genérelo de nuevo" in client.get(f"/informes/{run.pk}/").content.decode()
