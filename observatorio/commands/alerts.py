"""``observatorio alerts send``: write the new alerts of every subscription and mail them (for cron).

The work is :func:`observatorio.programmes.alerts.check`; ``--dry-run`` prints what would be told and writes
and sends nothing. Without ``OBS_SMTP_HOST`` the alerts stay in the app (docs/settings.md, docs/deploy.md).
"""

from __future__ import annotations

from .i18n import _


def register(sub):
    p = sub.add_parser("alerts", help=_("avisos de las suscripciones a indicadores y medidas"))
    verbs = p.add_subparsers(dest="verb", metavar=_("ACCIÓN"))
    verbs.required = True
    send = verbs.add_parser("send", help=_("escribe los avisos nuevos y los envía por correo si hay SMTP"))
    send.add_argument("--dry-run", action="store_true", help=_("muestra los avisos sin escribirlos ni enviarlos"))
    send.set_defaults(handler=handle_send)


def handle_send(args):
    from observatorio.programmes import alerts

    result = alerts.check(dry_run=args.dry_run)
    for item in result.created:
        print(f"- {item.text}")
    if args.dry_run:
        print(_("%(n)s avisos nuevos (prueba: nada se escribió ni se envió)") % {"n": len(result.created)})
    else:
        print(_("%(n)s avisos nuevos; %(m)s enviados por correo") % {"n": len(result.created), "m": result.emailed})
        if not alerts.smtp_configured():
            print(_("Sin OBS_SMTP_HOST: los avisos quedan en la aplicación."))
    return 0
