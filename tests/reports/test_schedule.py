"""The scheduled monthly bulletin: ``observatorio report schedule`` e-mails the PDF to every subscriber through
a real SMTP server (aiosmtpd, started here on a free local port), once per month; without SMTP it generates
nothing and exits 2."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket

import pytest

from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.OBS_SMTP_HOST = settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT, settings.EMAIL_USE_TLS = port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "observatorio@penalolen.test"
    yield inbox
    controller.stop()


@pytest.fixture
def subscribers(personas):
    from observatorio.reports.models import ReportSubscription

    for name, language in (("bob", "es"), ("ana", "en"), ("charlie", "es")):
        user = personas[name]
        user.email = f"{name}@penalolen.test"
        user.save()
        ReportSubscription.objects.create(user=user, language=language)
    return personas


def test_the_bulletin_reaches_the_subscribers_once(demo, subscribers, smtp, capsys):
    from observatorio.cli import main
    from observatorio.reports.models import BulletinDelivery, ReportRun

    assert main(["report", "schedule", "--month", "2026-10", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "charlie" in out  # no role: named, not sent
    received = {tuple(rcpt): message for rcpt, message in smtp.messages}
    assert set(received) == {("bob@penalolen.test",), ("ana@penalolen.test",)}

    texts = {}
    for (address,), message in received.items():
        assert message["From"] == "observatorio@penalolen.test"
        attachments = list(message.iter_attachments())
        assert len(attachments) == 1
        part = attachments[0]
        assert part.get_content_type() == "application/pdf"
        assert part.get_filename() == "boletin-2026-10.pdf"
        data = part.get_content()
        assert data[:5] == b"%PDF-"
        texts[address] = pdf_text(data)
    assert "Boletín mensual" in texts["bob@penalolen.test"]
    assert "octubre" in received[("bob@penalolen.test",)]["Subject"]
    assert "Monthly bulletin" in texts["ana@penalolen.test"]  # in the language she chose
    assert "October" in received[("ana@penalolen.test",)]["Subject"]

    # bob (analyst) got the full bulletin, ana (authority) the public one; the file sent is the run's file.
    deliveries = {d.user.username: d for d in BulletinDelivery.objects.select_related("run", "user")}
    assert set(deliveries) == {"bob", "ana"}
    assert not deliveries["bob"].run.public and deliveries["ana"].run.public
    assert deliveries["ana"].run.language == "en"
    assert all(d.month == dt.date(2026, 10, 1) and d.run.end == dt.date(2026, 10, 31) for d in deliveries.values())
    runs_before = ReportRun.objects.count()
    assert runs_before == 2

    # A second run the same month: nothing generated, nothing sent.
    assert main(["report", "schedule", "--month", "2026-10", "--quiet"]) == 0
    assert len(smtp.messages) == 2
    assert ReportRun.objects.count() == runs_before
    assert "2 ya lo tenían" in capsys.readouterr().out


def test_dry_run_names_who_would_receive_it_and_sends_nothing(demo, subscribers, smtp, capsys):
    from observatorio.cli import main
    from observatorio.reports.models import BulletinDelivery, ReportRun

    assert main(["report", "schedule", "--month", "2026-10", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "bob <bob@penalolen.test>" in out and "versión completa" in out
    assert "ana <ana@penalolen.test>" in out and "versión pública" in out
    assert smtp.messages == [] and ReportRun.objects.count() == 0 and BulletinDelivery.objects.count() == 0


def test_without_smtp_nothing_is_generated(demo, subscribers, settings, capsys):
    from observatorio.cli import main
    from observatorio.reports.models import ReportRun

    settings.OBS_SMTP_HOST = ""
    assert main(["report", "schedule", "--month", "2026-10"]) == 2
    assert "OBS_SMTP_HOST" in capsys.readouterr().err
    assert ReportRun.objects.count() == 0


def test_an_unreachable_server_is_named_and_nothing_recorded_as_sent(demo, subscribers, settings, capsys):
    from observatorio.cli import main
    from observatorio.reports.models import BulletinDelivery

    settings.OBS_SMTP_HOST = settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT, settings.EMAIL_USE_TLS = free_port(), False  # nobody listens there
    assert main(["report", "schedule", "--month", "2026-10", "--quiet"]) == 2
    assert "OBS_SMTP_PORT" in capsys.readouterr().err
    assert BulletinDelivery.objects.count() == 0


def test_the_last_complete_month():
    from observatorio.reports.schedule import last_complete_month

    assert last_complete_month(dt.date(2026, 12, 7)) == dt.date(2026, 11, 1)
    assert last_complete_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    assert last_complete_month(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)


def test_schedule_refuses_the_options_of_a_single_report(demo, capsys):
    from observatorio.cli import main

    assert main(["report", "schedule", "-o", "x.pdf"]) == 2
    assert main(["report", "boletin", "--month", "2026-10", "--dry-run", "-o", "x.pdf"]) == 2
    assert main(["report", "boletin", "--month", "2026-10"]) == 2  # no -o


def test_without_month_it_takes_the_last_complete_one(demo, subscribers):
    from observatorio.reports.schedule import deliver

    outcome = deliver(today=dt.date(2026, 11, 15), dry_run=True)
    assert outcome.month == dt.date(2026, 10, 1)
    assert sorted((r.user.username, r.language, r.public) for r in outcome.recipients) == [
        ("ana", "en", True), ("bob", "es", False)]
    assert [name for name, why in outcome.left_out] == ["charlie"]
