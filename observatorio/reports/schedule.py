"""The scheduled monthly bulletin: ``observatorio report schedule`` (cron or a systemd timer, docs/deploy.md).

:func:`deliver` makes the bulletin of one month (by default the last complete one) once per version needed —
language × full or public — through ``runs.generate``, and e-mails it as a PDF attachment to every subscribed
user (``ReportSubscription``) who has not had that month's bulletin yet (``BulletinDelivery``): a second run the
same month sends nothing new, and generates nothing. The version follows the user's role when it is sent:
analysts and administrators get the full bulletin, authorities the public one (small counts withheld by the
builder's disclosure control); users with neither role (operators, no role) get nothing and are named.

Mail goes over SMTP (Django's EmailMessage and its SMTP backend, settings OBS_SMTP_*); without OBS_SMTP_HOST
nothing is generated and the caller is told so (a UserError: exit 2 in the CLI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from observatorio.accounts.roles import Role, has_role
from observatorio.errors import UserError

from .models import BulletinDelivery, ReportSubscription

KIND = "boletin"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def last_complete_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def full_version(user) -> bool:
    return has_role(user, Role.ADMIN, Role.ANALYST)


def may_receive(user) -> bool:
    return user.is_active and has_role(user, Role.ADMIN, Role.ANALYST, Role.AUTHORITY)


@dataclass(frozen=True)
class Recipient:
    user: object
    address: str
    language: str
    public: bool


@dataclass
class Outcome:
    month: dt.date
    recipients: list[Recipient] = field(default_factory=list)  # still to receive this month's bulletin
    already: int = 0  # received it in an earlier run
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (username, why)
    runs: dict = field(default_factory=dict)  # (language, public) → ReportRun generated
    sent: list[str] = field(default_factory=list)  # usernames


def plan(month: dt.date) -> Outcome:
    """Who is to get ``month``'s bulletin, in which language and version; who is left out and why."""
    outcome = Outcome(month)
    delivered = set(BulletinDelivery.objects.filter(month=month).values_list("user_id", flat=True))
    for subscription in ReportSubscription.objects.select_related("user").order_by("user__username"):
        user = subscription.user
        if user.pk in delivered:
            outcome.already += 1
        elif not may_receive(user):
            outcome.left_out.append((user.username, _("sin un rol que reciba informes (o cuenta inactiva)")))
        elif not user.email:
            outcome.left_out.append((user.username, _("sin dirección de correo; agréguela en la administración")))
        else:
            outcome.recipients.append(Recipient(user, user.email, subscription.language, not full_version(user)))
    return outcome


def smtp_configured() -> bool:
    return bool(getattr(settings, "OBS_SMTP_HOST", ""))


def deliver(month: dt.date | None = None, *, today: dt.date | None = None, dry_run: bool = False,
            progress=None) -> Outcome:
    """Generate ``month``'s bulletin (once per version needed) and e-mail it to who has not had it yet."""
    from django.core.mail import EmailMessage, get_connection

    from observatorio.analysis.periods import month_end

    month = (month or last_complete_month(today or timezone.localdate())).replace(day=1)
    if not dry_run and not smtp_configured():
        raise UserError(_("no hay servidor de correo configurado: defina OBS_SMTP_HOST (y OBS_SMTP_PORT, "
                          "OBS_SMTP_USER, OBS_SMTP_PASSWORD, OBS_SMTP_TLS, OBS_MAIL_FROM); no se generó nada"))
    outcome = plan(month)
    if dry_run or not outcome.recipients:
        return outcome
    from .runs import generate, path_of

    failures = []
    connection = get_connection(SMTP_BACKEND)
    try:  # the server first: unreachable, nothing is generated
        connection.open()
    except OSError as exc:
        raise UserError(_("no se pudo conectar con el servidor de correo %(host)s:%(port)s (%(error)s); revise "
                          "OBS_SMTP_HOST y OBS_SMTP_PORT") % {"host": settings.EMAIL_HOST,
                                                              "port": settings.EMAIL_PORT, "error": exc}) from None
    try:
        end = month_end(month.year, month.month)
        for key in sorted({(r.language, r.public) for r in outcome.recipients}):
            language, public = key
            outcome.runs[key] = generate(KIND, month, end, fmt="pdf", language=language, public=public,
                                         options={"scheduled": True}, progress=progress)
        for recipient in outcome.recipients:
            run = outcome.runs[(recipient.language, recipient.public)]
            message = _message(recipient, run, path_of(run).read_bytes(), connection, EmailMessage)
            try:
                message.send()
            except OSError as exc:
                failures.append(f"{recipient.user.username} <{recipient.address}>: {exc}")
                continue
            BulletinDelivery.objects.create(user=recipient.user, month=month, run=run, address=recipient.address)
            outcome.sent.append(recipient.user.username)
    finally:
        connection.close()
    if failures:
        raise UserError(_("el boletín no llegó a %(n)s destinatarios (se reintentará en la próxima ejecución): "
                          "%(list)s") % {"n": len(failures), "list": "; ".join(failures)})
    return outcome


def _message(recipient: Recipient, run, data: bytes, connection, EmailMessage):
    from django.conf import settings

    with translation.override(recipient.language):
        month = dateformat.format(run.start, "F Y")
        subject = _("Boletín mensual del observatorio: %(month)s") % {"month": month}
        version = (_("Versión pública: los conteos pequeños aparecen como «reservado».") if recipient.public
                   else _("Versión completa, para uso interno del municipio."))
        body = "\n\n".join([
            _("Adjuntamos el boletín mensual de seguridad de %(month)s (PDF).") % {"month": month},
            version,
            _("Versión de los datos %(version)s; SHA-256 del archivo %(sha)s.") % {"version": run.data_version,
                                                                                 "sha": run.sha256},
            _("Para dejar de recibirlo, desactive la suscripción en la página Informes del observatorio."),
        ])
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.address], connection=connection)
    message.attach(f"boletin-{run.start:%Y-%m}.pdf", data, "application/pdf")
    return message
