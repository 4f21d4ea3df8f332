"""``observatorio measures export|import``: the measures as a JSON file (``records.measure_io``)."""

from __future__ import annotations

import json

from .i18n import _, current, thousands


def register(sub):
    p = sub.add_parser("measures", help=_("exporta o importa las medidas (qué cuenta cada cifra) como JSON"),
                       description=_("Las medidas son datos: se exportan con la configuración y se importan por "
                                     "código (crea o actualiza). La importación es una prueba salvo con --commit, "
                                     "y con --commit se escribe todo o nada."))
    verbs = p.add_subparsers(dest="verb", metavar=_("ACCIÓN"))
    verbs.required = True
    out = verbs.add_parser("export", help=_("escribe todas las medidas como JSON"))
    out.add_argument("file", nargs="?", metavar=_("ARCHIVO"), help=_("archivo de salida (por defecto: la salida "
                                                                     "estándar)"))
    out.set_defaults(handler=handle_export)
    inp = verbs.add_parser("import", help=_("crea o actualiza medidas desde un JSON (prueba, salvo con --commit)"))
    inp.add_argument("file", metavar=_("ARCHIVO"), help=_("archivo JSON escrito por «observatorio measures export»"))
    inp.add_argument("--commit", action="store_true", help=_("escribe los cambios (sin esta opción, solo prueba)"))
    inp.add_argument("--json", action="store_true", help=_("el informe como JSON"))
    inp.set_defaults(handler=handle_import)


def handle_export(args):
    from pathlib import Path

    from observatorio.records.measure_io import export_measures, export_text

    text = export_text()
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
        print(_("%(n)s medidas escritas en %(file)s") % {"n": thousands(len(export_measures()["measures"])),
                                                         "file": args.file})
    else:
        print(text, end="")
    return 0


def issue_line(issue, codes: list[str]) -> str:
    """One problem: the file, the measure, the field, what is wrong and how to fix it (English: the message)."""
    from observatorio.wording import fix_text, issue_text

    if current() == "en" or not issue_text(issue.code):
        return f"  {issue.message}. {issue.fix}"
    where = _("%(file)s: medida %(row)s") % {"file": issue.file, "row": issue.row}
    if 0 < issue.row <= len(codes) and codes[issue.row - 1]:
        where += f" ({codes[issue.row - 1]})"
    field = _(", campo «%(field)s»") % {"field": issue.column} if issue.column else ""
    value = f" ({issue.value})" if issue.value else ""
    return f"  {where}{field}: {issue_text(issue.code)}{value} {fix_text(issue.code)}"


def handle_import(args):
    from observatorio.records.measure_io import import_measures

    report = import_measures(args.file, commit=args.commit)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
        return 2 if report.errors else 0
    d = report.details
    verb = _("escritas") if report.committed else _("se escribirían")
    print(_("%(file)s (medidas): leídas %(read)s, válidas %(valid)s, %(verb)s %(written)s")
          % {"file": report.file, "read": thousands(report.read), "valid": thousands(report.valid), "verb": verb,
             "written": thousands(report.written)})
    for key, label in (("created", _("nuevas")), ("updated", _("actualizadas")), ("unchanged", _("sin cambios"))):
        if d[key]:
            print(f"  {label}: {', '.join(d[key])}")
    if report.errors:
        print(_("  errores (%(n)s); no se escribió nada:") % {"n": thousands(len(report.errors))})
        for issue in report.errors:
            print(issue_line(issue, d.get("codes", [])))
        return 2
    print(_("escrito") if report.committed else _("prueba: no se escribió nada; agregue --commit"))
    return 0
