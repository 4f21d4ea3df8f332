"""Alerts of subscriptions: a significant change of a measure in an area becomes one alert, mailed once through
a real SMTP server (aiosmtpd) started by the test; authorities read it through disclosure control."""

from __future__ import annotations

import datetime as dt
import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from tests.web.dataset import build_small_dataset

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(OBS_SMTP_HOST="127.0.0.1", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
                               EMAIL_USE_TLS=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
                               EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               DEFAULT_FROM_EMAIL="observatorio@municipio.test"):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def rising_calls():
    """1461 calls in UV1: 40 in February 2026, 6 in January 2026 and 5 in February 2025 (data up to 28-02-2026:
    February is the last complete month). 40 against 6 and against 5 are both significant."""
    from observatorio.records.models import Event
    from observatorio.records.snapshot import bump
    from observatorio.state import holder

    data = build_small_dataset()
    uv1, calls = data.areas["UV1"], data.sources["1461"]
    Event.objects.all().delete()
    days = ([dt.date(2026, 2, 1 + i % 28) for i in range(40)] + [dt.date(2026, 1, 3 + i) for i in range(6)]
            + [dt.date(2025, 2, 3 + i) for i in range(5)])
    Event.objects.bulk_create([Event(source=calls, occurred_on=d, area=uv1, original_label="Ruidos",
                                     precision="area") for d in days])
    bump()
    holder.reset()
    yield data
    holder.reset()


def _subscribe(user, area, address):
    from observatorio.programmes import alerts
    from observatorio.records.models import Measure

    user.email = address
    user.save()
    return alerts.subscribe(user, measure=Measure.objects.get(code="llamados-1461"), area=area)


def test_significant_rise_is_mailed_once_through_real_smtp(smtp, rising_calls, personas):
    from observatorio.programmes import alerts
    from observatorio.programmes.models import Alert

    sub = _subscribe(personas["bob"], rising_calls.areas["UV1"], "bob@municipio.test")
    first = alerts.check()
    keys = sorted(a.key for a in first.created)
    assert keys == [f"medida:llamados-1461:{sub.area_id}:2026-02:anual:up",
                    f"medida:llamados-1461:{sub.area_id}:2026-02:mensual:up"]
    assert first.emailed == 2
    assert len(smtp.messages) == 1
    rcpt, message = smtp.messages[0]
    assert rcpt == ["bob@municipio.test"]
    assert message["Subject"] == "Observatorio: 2 avisos nuevos"
    assert message["From"] == "observatorio@municipio.test"
    body = message.get_payload(decode=True).decode()
    assert "Llamados al 1461 en UV 1 Lo Hermida subió de forma significativa en febrero 2026: 40 frente a 6 " \
           "en el mes anterior" in body
    assert "40 frente a 5 en el mismo mes del año anterior" in body
    assert all(a.emailed_at is not None for a in Alert.objects.all())

    second = alerts.check()
    assert second.created == [] and second.emailed == 0
    assert len(smtp.messages) == 1
    assert Alert.objects.count() == 2


def test_dry_run_writes_and_sends_nothing(smtp, rising_calls, personas):
    from observatorio.programmes import alerts
    from observatorio.programmes.models import Alert

    _subscribe(personas["bob"], rising_calls.areas["UV1"], "bob@municipio.test")
    result = alerts.check(dry_run=True)
    assert len(result.created) == 2 and result.emailed == 0
    assert Alert.objects.count() == 0 and smtp.messages == []


def test_without_smtp_alerts_stay_in_the_app(rising_calls, personas):
    from observatorio.programmes import alerts

    bob = personas["bob"]
    _subscribe(bob, rising_calls.areas["UV1"], "bob@municipio.test")
    result = alerts.check()
    assert len(result.created) == 2 and result.emailed == 0
    inbox = list(alerts.unread(bob))
    assert len(inbox) == 2
    alerts.mark_read(inbox[0], bob)
    assert len(alerts.unread(bob)) == 1
    from observatorio.errors import UserError

    with pytest.raises(UserError):
        alerts.mark_read(inbox[1], personas["ana"])


def test_authority_never_gets_a_small_count(rising_calls, personas):
    """k = 5 by default: with 6 calls the month before an authority is told 40 against 6; with 4 (small) the
    monthly comparison is withheld rather than written with a count that small."""
    from observatorio.programmes import alerts
    from observatorio.records.models import Event
    from observatorio.records.snapshot import bump
    from observatorio.state import holder

    _subscribe(personas["ana"], rising_calls.areas["UV1"], "ana@municipio.test")
    january = Event.objects.filter(occurred_on__year=2026, occurred_on__month=1).values_list("pk", flat=True)
    Event.objects.filter(pk__in=list(january[:2])).delete()  # 6 → 4 calls in January
    bump()
    holder.reset()
    texts = [a.text for a in alerts.check().created]
    assert len(texts) == 1 and "mismo mes del año anterior" in texts[0] and "40 frente a 5" in texts[0]


def test_subscribe_needs_one_subject_and_unsubscribe_only_own(personas):
    from observatorio.errors import UserError
    from observatorio.programmes import alerts
    from observatorio.records.models import Measure

    with pytest.raises(UserError):
        alerts.subscribe(personas["bob"])
    bob_sub = alerts.subscribe(personas["bob"], measure=Measure.objects.get(code="llamados-1461"))
    assert alerts.subscribe(personas["bob"], measure=Measure.objects.get(code="llamados-1461")) == bob_sub
    with pytest.raises(UserError):
        alerts.unsubscribe(personas["ana"], bob_sub)
    alerts.unsubscribe(personas["bob"], bob_sub)
    assert not type(bob_sub).objects.exists()


def test_last_complete_month():
    from observatorio.programmes.alerts import last_complete_month

    assert last_complete_month(dt.date(2026, 2, 28)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert last_complete_month(dt.date(2026, 3, 15)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert last_complete_month(dt.date(2024, 3, 1)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_cli_alerts_send(rising_calls, personas, capsys):
    from observatorio.cli import main
    from observatorio.programmes.models import Alert

    _subscribe(personas["bob"], rising_calls.areas["UV1"], "bob@municipio.test")
    assert main(["alerts", "send", "--dry-run"]) == 0
    assert "2 avisos nuevos (prueba" in capsys.readouterr().out and Alert.objects.count() == 0
    assert main(["alerts", "send"]) == 0
    out = capsys.readouterr().out
    assert "2 avisos nuevos; 0 enviados por correo" in out and "Sin OBS_SMTP_HOST" in out
    assert Alert.objects.count() == 2


def test_indicator_crossing_its_target_is_told_once(smtp, personas):
    """An entered proportion (target 70 %): January 90/100 meets it (Wilson 82–95 %), February 50/100 does not
    (40–60 %) — the traffic light moved from meets to not met, and the fall is significant (worsening)."""
    from observatorio.programmes import alerts, entry
    from observatorio.programmes.models import Indicator, Target, Unit
    from observatorio.programmes.periods import period_containing

    bob = personas["bob"]
    bob.email = "bob@municipio.test"
    bob.save()
    unit = Unit.objects.create(code="u", name="Unidad")
    unit.members.add(bob)
    ind = Indicator.objects.create(code="sat", name="Satisfacción", unit=unit, dimension="calidad",
                                   scope="resultado", kind="proportion", polarity="higher_is_better",
                                   unit_label="%", factor=100, numerator="ingresado", denominator="ingresado")
    jan, feb = (period_containing("mensual", dt.date(2026, m, 1)) for m in (1, 2))
    for p in (jan, feb):
        Target.objects.create(indicator=ind, period_start=p.start, period_end=p.end, value=70)
    entry.enter(ind, jan, None, 90, 100, user=bob)
    entry.enter(ind, feb, None, 50, 100, user=bob)
    alerts.subscribe(bob, indicator=ind)
    first = alerts.check(today=dt.date(2026, 3, 20))
    keys = sorted(a.key for a in first.created)
    assert keys == [f"indicador:{ind.pk}:0:2026-02-01:estado:not_met",
                    f"indicador:{ind.pk}:0:2026-02-01:tendencia:worsening"]
    assert "pasó de «cumple la meta» a «no cumple la meta» respecto de la meta 70,0" in \
        next(a.text for a in first.created if ":estado:" in a.key)
    assert first.emailed == 2 and len(smtp.messages) == 1
    assert alerts.check(today=dt.date(2026, 3, 25)).created == [] and len(smtp.messages) == 1
