"""Alerts of subscriptions: a user is told when an indicator crosses its target or changes significantly, or
when a measure in an area changes significantly (issue #15, item 8).

:func:`check` looks at every :class:`~observatorio.programmes.models.Subscription` and writes one
:class:`~observatorio.programmes.models.Alert` per subject, period and kind of change (its ``key``: the same change
is never told twice), then mails the new ones whose subscription asks for it when an SMTP server is configured
(``OBS_SMTP_HOST``, docs/settings.md); without one the alerts stay in the app (:func:`unread`).

- An indicator: its latest reading (:func:`observatorio.programmes.readings.latest`) whose traffic light moved
  to or from *meets* / *not met* since the reading before, or whose trend is significant (improving, worsening,
  increasing, decreasing).
- A measure in an area: the dashboard's headline (:func:`observatorio.dashboard.engine.headline`) for the last
  complete month of the data against the same month a year before and against the month before, when the exact
  test says the change is significant (and rests on enough events).

A reader who sees aggregates only (authority; an operator outside the measure's sources) gets the counts
through disclosure control (:mod:`observatorio.disclosure.policy`): a count of 1..k−1 is written «reservado».
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from observatorio.errors import UserError

from .models import Alert, Subscription

log = logging.getLogger(__name__)

MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")


@dataclass(frozen=True)
class Notice:
    """One change to tell: ``key`` identifies subject, period and change (unique per subscription)."""

    key: str
    text: str


@dataclass
class CheckResult:
    created: list = field(default_factory=list)  # Alert rows written (or, dry run, the notices that would be)
    emailed: int = 0


def smtp_configured() -> bool:
    return bool(getattr(settings, "OBS_SMTP_HOST", ""))


# --- subscriptions and the inbox --------------------------------------------------------------------------------


def subscribe(user, *, indicator=None, measure=None, area=None, by_email: bool = True) -> Subscription:
    """The user's subscription to an indicator or to a measure (in an area; None: the comuna); once each."""
    if (indicator is None) == (measure is None):
        raise UserError(_("Elija un indicador o una medida para suscribirse (uno de los dos)."))
    sub, created = Subscription.objects.get_or_create(user=user, indicator=indicator, measure=measure, area=area,
                                                      defaults={"by_email": by_email})
    if not created and sub.by_email != by_email:
        sub.by_email = by_email
        sub.save(update_fields=["by_email"])
    return sub


def unsubscribe(user, subscription) -> None:
    """Delete the user's own subscription (and its alerts)."""
    if subscription.user_id != user.pk:
        raise UserError(_("Esa suscripción es de otro usuario."))
    subscription.delete()


def unread(user):
    """The user's alerts not yet read, newest first."""
    return Alert.objects.filter(subscription__user=user, read_at__isnull=True).select_related("subscription")


def mark_read(alert, user) -> Alert:
    if alert.subscription.user_id != user.pk:
        raise UserError(_("Ese aviso es de otro usuario."))
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    return alert


# --- what changed -----------------------------------------------------------------------------------------------


def last_complete_month(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last calendar month that ends on or before ``as_of``."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last:
        return as_of.replace(day=1), as_of
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _month_label(day: dt.date) -> str:
    if translation.get_language() and translation.get_language().startswith("en"):
        return day.strftime("%B %Y")
    return f"{MONTHS_ES[day.month - 1]} {day.year}"


def _shown(count: int, guard) -> str:
    from observatorio.dashboard.numbers import number
    from observatorio.disclosure.policy import SUPPRESSED

    if guard is not None and 0 < count < guard.k:
        return SUPPRESSED
    return number(count)


def _area_name(area) -> str:
    return area.name if area is not None else _("la comuna")


def measure_notices(sub: Subscription, state) -> list[Notice]:
    """The measure's count in the subscription's area in the last complete month, against the month before and
    the same month a year earlier, when the exact test finds the change significant."""
    from observatorio.accounts.roles import event_scope
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.disclosure.policy import guard_for

    start, end = last_complete_month(state.as_of)
    f = filters_for(state, measure=sub.measure.code, start=start, end=end, period="custom",
                    areas=[sub.area_id] if sub.area_id else [])
    head = engine.headline(state, f)
    guard = guard_for(event_scope(sub.user), state.catalog.measure(sub.measure.code), state.catalog)
    out = []
    for which, comparison, against in (
            ("anual", head.last_year, _("el mismo mes del año anterior")),
            ("mensual", head.previous, _("el mes anterior"))):
        verdict = comparison.outcome
        if verdict not in ("up", "down"):
            continue
        if guard is not None and (0 < head.count < guard.k or 0 < comparison.count < guard.k):
            continue  # a significant change between small counts would give them back: not told
        direction = _("subió") if verdict == "up" else _("bajó")
        text = _("%(measure)s en %(area)s %(direction)s de forma significativa en %(month)s: %(count)s frente a "
                 "%(other)s en %(against)s (p = %(p)s).") % {
            "measure": sub.measure.name, "area": _area_name(sub.area), "direction": direction,
            "month": _month_label(start), "count": _shown(head.count, guard),
            "other": _shown(comparison.count, guard), "against": against,
            "p": f"{comparison.p_value:.3g}".replace(".", ",")}
        out.append(Notice(f"medida:{sub.measure.code}:{sub.area_id or 0}:{start:%Y-%m}:{which}:{verdict}", text))
    return out


CROSSING = {"meets", "not_met"}
SIGNIFICANT_TRENDS = {"improving", "worsening", "increasing", "decreasing"}


def indicator_notices(sub: Subscription, *, today: dt.date | None = None) -> list[Notice]:
    """The indicator's latest reading against the one before: its traffic light moved to or from *meets* /
    *not met*, or its trend is significant."""
    from observatorio.labels import indicator_trend_label, status_label

    from . import readings

    got = [r for r in readings.series(sub.indicator, area=sub.area, today=today) if r.value is not None]
    if not got:
        return []
    now = got[-1]
    before = got[-2] if len(got) > 1 else None
    out = []
    ind = sub.indicator
    where = _area_name(sub.area)
    label = now.period.label()
    if before is not None and now.status != before.status and {now.status, before.status} & CROSSING:
        text = _("%(indicator)s (%(area)s, %(period)s): pasó de «%(before)s» a «%(now)s» respecto de la meta "
                 "%(target)s.") % {
            "indicator": ind.name, "area": where, "period": label, "before": status_label(before.status),
            "now": status_label(now.status), "target": _value(now.target)}
        out.append(Notice(f"indicador:{ind.pk}:{sub.area_id or 0}:{now.period.start}:estado:{now.status}", text))
    if now.trend is not None and str(now.trend) in SIGNIFICANT_TRENDS:
        text = _("%(indicator)s (%(area)s, %(period)s): %(trend)s respecto del período anterior (cambio "
                 "significativo).") % {"indicator": ind.name, "area": where, "period": label,
                                       "trend": indicator_trend_label(now.trend)}
        out.append(Notice(f"indicador:{ind.pk}:{sub.area_id or 0}:{now.period.start}:tendencia:{now.trend}", text))
    return out


def _value(x) -> str:
    from observatorio.dashboard.numbers import number

    return _("sin meta") if x is None else number(x, 1)


# --- the check --------------------------------------------------------------------------------------------------


def check(today: dt.date | None = None, *, dry_run: bool = False, state=None) -> CheckResult:
    """Write the new alerts of every subscription and mail those asked for (when SMTP is configured).

    ``dry_run``: nothing written nor sent; the result lists the notices that would be.
    """
    from observatorio.state import holder

    result = CheckResult()
    subs = list(Subscription.objects.select_related("user", "indicator", "measure", "area"))
    if any(s.measure_id for s in subs) and state is None:
        state = holder.current()
    for sub in subs:
        if not sub.user.is_active:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            notices = indicator_notices(sub, today=today) if sub.indicator_id else measure_notices(sub, state)
        known = set(sub.alerts.filter(key__in=[n.key for n in notices]).values_list("key", flat=True))
        for notice in notices:
            if notice.key in known:
                continue
            if dry_run:
                result.created.append(notice)
                continue
            try:
                with transaction.atomic():
                    result.created.append(Alert.objects.create(subscription=sub, key=notice.key[:200],
                                                               text=notice.text))
            except IntegrityError:  # another check wrote it meanwhile
                continue
    if not dry_run:
        result.emailed = send_pending()
    return result


def send_pending() -> int:
    """Mail every alert not yet mailed whose subscription asks for it; nothing without SMTP. One message per
    user with all their new alerts."""
    if not smtp_configured():
        return 0
    pending = (Alert.objects.filter(emailed_at__isnull=True, subscription__by_email=True)
               .exclude(subscription__user__email="").select_related("subscription__user").order_by("id"))
    by_user: dict = {}
    for alert in pending:
        by_user.setdefault(alert.subscription.user, []).append(alert)
    sent = 0
    if not by_user:
        return 0
    with get_connection() as connection:
        for user, alerts in by_user.items():
            with translation.override(settings.LANGUAGE_CODE):
                subject = (_("Observatorio: %(n)s aviso nuevo") if len(alerts) == 1
                           else _("Observatorio: %(n)s avisos nuevos")) % {"n": len(alerts)}
                body = "\n\n".join(f"- {a.text}" for a in alerts) + "\n\n" + _(
                    "Para dejar de recibir estos avisos, quite la suscripción en el Observatorio.") + "\n"
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection)
            message.send()
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
            sent += len(alerts)
    return sent
