"""``observatorio indicators compute|template|import``: the programmes' indicators from the command line.

``compute`` keeps every computed indicator's measurements for the year's closed periods (the comuna, and each
area the indicator has a target for) through :func:`observatorio.programmes.entry.store_computed`, then prints
each reading with its status in words; ``--json`` prints the readings. ``template`` writes the workbook a unit
fills (:mod:`observatorio.programmes.workbook`); ``import`` reads one back — a dry run unless ``--commit``, and
with ``--commit`` all rows or none.
"""

from __future__ import annotations

import datetime as dt
import json

from observatorio.errors import UserError

from .i18n import _, decimal, thousands


def register(sub):
    p = sub.add_parser("indicators", help=_("calcula indicadores y lee o escribe la planilla de mediciones"),
                       description=_("Indicadores de los programas: calcula los que se leen de los datos, escribe "
                                     "la plantilla XLSX de los que ingresan las unidades y la importa (prueba, "
                                     "salvo con --commit)."))
    verbs = p.add_subparsers(dest="verb", metavar=_("ACCIÓN"))
    verbs.required = True
    comp = verbs.add_parser("compute", help=_("calcula y guarda las mediciones de los períodos cerrados del año"))
    comp.add_argument("--year", type=int, help=_("el año (por defecto: el actual)"))
    comp.add_argument("--json", action="store_true", help=_("las lecturas como JSON"))
    comp.set_defaults(handler=handle_compute)
    tpl = verbs.add_parser("template", help=_("escribe la plantilla XLSX de las mediciones que se ingresan"))
    tpl.add_argument("-o", "--output", required=True, metavar=_("ARCHIVO"), help=_("archivo .xlsx de salida"))
    tpl.add_argument("--year", type=int, help=_("el año (por defecto: el actual)"))
    tpl.add_argument("--unit", metavar=_("CÓDIGO"), help=_("solo los indicadores de esta unidad"))
    tpl.set_defaults(handler=handle_template)
    imp = verbs.add_parser("import", help=_("importa una planilla de mediciones (prueba, salvo con --commit)"))
    imp.add_argument("file", metavar=_("ARCHIVO"), help=_("la plantilla completada (.xlsx)"))
    imp.add_argument("--commit", action="store_true", help=_("escribe las mediciones (sin esta opción, solo prueba)"))
    imp.add_argument("--user", metavar=_("USUARIO"),
                     help=_("quién ingresa las mediciones (por defecto: el primer administrador)"))
    imp.add_argument("--json", action="store_true", help=_("el informe como JSON"))
    imp.set_defaults(handler=handle_import)


def _indicators(unit_code: str | None = None):
    from observatorio.programmes.models import Indicator, Unit

    rows = Indicator.objects.filter(active=True).select_related("unit").order_by("unit__name", "code")
    if unit_code:
        if not Unit.objects.filter(code=unit_code).exists():
            raise UserError(_("unidad «%(code)s» desconocida; opciones: %(choices)s")
                            % {"code": unit_code, "choices": ", ".join(Unit.objects.values_list("code", flat=True))})
        rows = rows.filter(unit__code=unit_code)
    return list(rows)


def _shown(value) -> str:
    return "—" if value is None else decimal(value, 1)


def handle_compute(args):
    from observatorio import state
    from observatorio.labels import reading_text
    from observatorio.programmes import entry, formulas, readings
    from observatorio.programmes.models import Target
    from observatorio.programmes.periods import periods_of

    today = dt.date.today()
    year = args.year or today.year
    data = state.current()
    stored, out = 0, []
    for ind in _indicators():
        if not ind.computed:
            continue
        areas = [None, *sorted(set(Target.objects.filter(indicator=ind, area__isnull=False)
                                   .values_list("area_id", flat=True)))]
        for area in areas:
            for period in periods_of(ind.periodicity, year):
                if period.end >= today:
                    continue
                entry.store_computed(ind, period, area, formulas.compute(ind, period, area, state=data))
                stored += 1
            for r in readings.series(ind, area=area, year=year, today=today, state=data):
                out.append((ind, r))
    if args.json:
        print(json.dumps([{"indicator_code": ind.code, **r.as_dict()} for ind, r in out], ensure_ascii=False,
                         indent=1))
        return 0
    print(_("%(n)s mediciones calculadas del año %(year)s") % {"n": thousands(stored), "year": year})
    for ind, r in out:
        where = "" if r.area_id is None else f" [{_('área')} {r.area_id}]"
        print(f"  {ind.code}{where} {r.period.label()}: {_shown(r.value)} {ind.unit_label} — "
              f"{reading_text(r.status, r.trend)}")
    return 0


def handle_template(args):
    from pathlib import Path

    from observatorio.programmes.workbook import template

    year = args.year or dt.date.today().year
    chosen = [i for i in _indicators(args.unit) if not i.computed]
    Path(args.output).write_bytes(template(chosen, year))
    print(_("plantilla de %(n)s indicadores del año %(year)s escrita en %(file)s")
          % {"n": thousands(len(chosen)), "year": year, "file": args.output})
    return 0


def _user(name: str | None):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if name:
        found = users.filter(username=name).first()
        if found is None:
            raise UserError(_("usuario «%(name)s» desconocido") % {"name": name})
        return found
    found = users.filter(is_superuser=True, is_active=True).order_by("id").first()
    if found is None:
        raise UserError(_("no hay administradores: indique --user USUARIO"))
    return found


def handle_import(args):
    from pathlib import Path

    from observatorio.programmes import workbook

    path = Path(args.file)
    if not path.is_file():
        raise UserError(_("%(file)s no existe") % {"file": args.file})
    user = _user(args.user)
    result = workbook.read(path.read_bytes(), filename=path.name, user=user)
    written = workbook.commit(result, user=user) if args.commit and result.ok else 0
    if args.json:
        print(json.dumps({**result.as_dict(), "written": written}, ensure_ascii=False, indent=1))
        return 0 if result.ok else 2
    print(_("%(file)s (mediciones de %(year)s, como %(user)s): %(rows)s filas válidas, %(skipped)s en blanco")
          % {"file": path.name, "year": result.year or "—", "user": user.username,
             "rows": thousands(len(result.rows)), "skipped": thousands(result.skipped)})
    if result.issues:
        print(_("  errores (%(n)s); no se escribió nada:") % {"n": thousands(len(result.issues))})
        for issue in result.issues:
            print(f"  {issue}")
        return 2
    if args.commit:
        print(_("escritas %(n)s mediciones") % {"n": thousands(written)})
    else:
        print(_("prueba: no se escribió nada; agregue --commit"))
    return 0
