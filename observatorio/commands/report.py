"""``observatorio report KIND``: one report (boletin, …) for a period, as PDF or HTML, with a progress bar.

A thin adapter over ``reports.runs.generate`` (the one way a report is made, as the web will): the run is
recorded (``ReportRun``) and its file kept under OBS_DATA_DIR/reports; the command also writes it to ``-o``.
Not to be confused with ``commands/reports.py``, the printer of an import's report.
"""

from __future__ import annotations

import datetime as dt
import shutil

from observatorio.errors import UserError

from .figures import _date, _month
from .i18n import _, current, gettext_noop
from .progress import StageBar


def register(sub):
    p = sub.add_parser(
        "report", help=_("genera un informe (boletin, …) de un período en PDF o HTML"),
        description=_("Genera un informe del período: el documento queda registrado (tipo, período, versión de "
                      "los datos, SHA-256) y se escribe en el archivo pedido. El mismo período, opciones y "
                      "versión de los datos dan un archivo idéntico."))
    p.add_argument("kind", metavar=_("TIPO"),
                   help=_("tipo de informe, p. ej. boletin; «schedule»: el boletín del último mes completo "
                          "enviado por correo a los suscritos") + f' ({", ".join(kind_names())})')
    p.add_argument("--from", dest="start", type=_date, metavar=_("AAAA-MM-DD"), help=_("primer día (inclusive)"))
    p.add_argument("--to", dest="end", type=_date, metavar=_("AAAA-MM-DD"), help=_("último día (inclusive)"))
    p.add_argument("--month", type=_month, metavar=_("AAAA-MM"), help=_("en vez de --from/--to, un mes completo"))
    p.add_argument("--format", dest="fmt", choices=("pdf", "html"), default="pdf", help=_("pdf (por defecto) o html"))
    p.add_argument("-o", "--output", metavar=_("ARCHIVO"), help=_("archivo a escribir (no con schedule)"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("con schedule: dice a quién se enviaría, sin generar ni enviar"))
    p.add_argument("--public", action="store_true",
                   help=_("versión pública: conteos pequeños «reservado» (control de divulgación)"))
    p.add_argument("--lang", dest="report_lang", choices=("es", "en"), default=None,
                   help=_("idioma del informe (por defecto, el de los mensajes)"))
    p.add_argument("--quiet", action="store_true", help=_("sin barra de avance"))
    p.set_defaults(handler=handle)


def kind_names() -> list[str]:
    """The kinds' names as their modules are named (``reports/kinds/<kind>.py``), without importing them (the
    parser is built before Django is set up)."""
    import pkgutil

    from observatorio.reports import kinds

    return sorted(m.name for m in pkgutil.iter_modules(kinds.__path__) if not m.name.startswith("_"))


def period(args) -> tuple[dt.date, dt.date]:
    from observatorio.analysis.periods import month_end

    if args.month is not None:
        if args.start or args.end:
            raise UserError(_("use --month o --from/--to, no ambos"))
        return args.month, month_end(args.month.year, args.month.month)
    if args.start is None or args.end is None:
        raise UserError(_("indique el período: --from AAAA-MM-DD --to AAAA-MM-DD, o --month AAAA-MM"))
    if args.end < args.start:
        raise UserError(_("--to %(end)s es anterior a --from %(start)s") % {"end": args.end, "start": args.start})
    return args.start, args.end


STAGES = {"build": gettext_noop("Contando las cifras"),
          "render": gettext_noop("Componiendo el documento")}


def handle(args):
    from observatorio.reports.runs import generate, path_of

    if args.kind == "schedule":
        return schedule(args)
    if args.dry_run:
        raise UserError(_("--dry-run es solo para «report schedule»"))
    if not args.output:
        raise UserError(_("indique el archivo a escribir con -o ARCHIVO"))
    start, end = period(args)
    language = args.report_lang or ("en" if current() == "en" else "es")
    with StageBar(not args.quiet, STAGES, unit_of=lambda stage: " " + _("pasos")) as bar:
        run = generate(args.kind, start, end, fmt=args.fmt, language=language, public=args.public, progress=bar)
    try:
        shutil.copyfile(path_of(run), args.output)
    except OSError as exc:
        raise UserError(_("no se pudo escribir %(file)s: %(error)s; elija otra ruta con -o")
                        % {"file": args.output, "error": exc.strerror or exc}) from None
    print(_("%(file)s: %(kind)s del %(start)s al %(end)s, versión de los datos %(version)s, SHA-256 %(sha)s")
          % {"file": args.output, "kind": args.kind, "start": start.strftime("%d-%m-%Y"),
             "end": end.strftime("%d-%m-%Y"), "version": run.data_version, "sha": run.sha256})
    return 0


def schedule(args):
    """``report schedule [--month AAAA-MM] [--dry-run]``: the monthly bulletin e-mailed to its subscribers."""
    from observatorio.reports import schedule as scheduled

    if args.start or args.end or args.output or args.public or args.report_lang or args.fmt != "pdf":
        raise UserError(_("report schedule acepta solo --month y --dry-run (el idioma y la versión son los de "
                          "cada suscripción)"))
    with StageBar(not args.quiet and not args.dry_run, STAGES, unit_of=lambda stage: " " + _("pasos")) as bar:
        outcome = scheduled.deliver(args.month, dry_run=args.dry_run, progress=bar)
    month = outcome.month.strftime("%m-%Y")
    for username, why in outcome.left_out:
        print(_("%(user)s: no se le envía (%(why)s)") % {"user": username, "why": why})
    if args.dry_run:
        for r in outcome.recipients:
            print(_("%(user)s <%(address)s>: boletín de %(month)s, %(version)s, idioma %(lang)s")
                  % {"user": r.user.username, "address": r.address, "month": month, "lang": r.language,
                     "version": _("versión pública") if r.public else _("versión completa")})
    print(_("Boletín de %(month)s: %(sent)s enviados, %(already)s ya lo tenían, %(pending)s por enviar")
          % {"month": month, "sent": len(outcome.sent), "already": outcome.already,
             "pending": len(outcome.recipients) - len(outcome.sent)})
    return 0
