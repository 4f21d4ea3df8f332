"""``observatorio demo``: an illustrative observatory for any comuna, in one transaction."""

import datetime as dt

from .i18n import _, thousands


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(_("%(text)r no es una fecha; use AAAA-MM-DD") % {"text": text}) from None


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es un número entero") % {"text": text}) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("%(value)s debe ser al menos 1") % {"value": value})
    return value


def register(sub):
    p = sub.add_parser(
        "demo", help=_("carga una demostración ilustrativa (territorio, eventos, lugares, encuesta, usuarios)"),
        description=_("Carga un observatorio ilustrativo para una comuna: UV y macrosectores dibujados dentro de "
                      "su área urbana, demografía, lugares de interés, eventos de cinco fuentes (los totales "
                      "policiales igualan a los del CEAD), conteos mensuales del CEAD, una encuesta de percepción "
                      "y un usuario de demostración por rol. Todo es determinista a partir de --seed y --as-of, y "
                      "se escribe en una transacción."))
    p.add_argument("--comuna", default="13122", metavar=_("NOMBRE|CUT"),
                   help=_("nombre de la comuna (tildes opcionales) o código CUT (por defecto 13122, Peñalolén)"))
    p.add_argument("--seed", type=int, default=1, help=_("semilla aleatoria (por defecto 1)"))
    p.add_argument("--years", type=_positive, default=3,
                   help=_("años calendario completos de eventos, hasta el último año de la tabla del CEAD (por "
                          "defecto 3)"))
    p.add_argument("--events", type=_positive, default=None, metavar="N",
                   help=_("reescala cada fuente a unos N eventos en total (mediciones; por defecto: el volumen "
                          "natural)"))
    p.add_argument("--if-empty", action="store_true", help=_("no hace nada si ya existe alguna área"))
    p.add_argument("--as-of", type=_date, default=None, metavar=_("AAAA-MM-DD"),
                   help=_("fecha de corte de los datos; los eventos del año en curso llegan hasta ella (por "
                          "defecto: hoy)"))
    p.add_argument("--geography", default=None, metavar=_("CARPETA"),
                   help=_("carpeta con geografía real (como ../shared/data/penalolen): UV, manzanas, lugares y "
                          "direcciones reales reemplazan a los dibujados (por defecto OBS_DEMO_GEOGRAPHY; sin ella, "
                          "todo se dibuja)"))
    p.add_argument("--quiet", action="store_true", help=_("sin barra de progreso"))
    p.set_defaults(handler=handle)


def handle(args):
    from observatorio.demo.load import DEMO_USERS, has_areas, run_demo
    from observatorio.env import env_str
    from observatorio.territory.dpa import find_comuna

    if args.if_empty and has_areas():
        print(_("demo: la base de datos ya tiene áreas; no hay nada que hacer (--if-empty)"))
        return 0
    comuna = find_comuna(args.comuna)  # UserError → exit 2 with the hint
    as_of = args.as_of or dt.date.today()
    geography = args.geography or env_str("OBS_DEMO_GEOGRAPHY") or None
    result = run_demo(comuna.cut, seed=args.seed, years=args.years, as_of=as_of, n_events=args.events,
                      show_progress=not args.quiet, geography=geography)
    c = result.counts
    s = result.scenario
    events = sum(c[k] for k in ("cead-policial", "denuncias", "1461", "patrullaje", "vif"))
    years = f"{s.full_years[0]}–{s.full_years[-1]}"
    if s.partial_year:
        years += _(" y %(year)s hasta %(as_of)s") % {"year": s.partial_year, "as_of": s.as_of}
    figures = {"cut": comuna.cut, "name": comuna.name, "macro": len(s.plan.macrosectors), "uvs": len(s.plan.uvs),
               "events": thousands(events), "years": years, "places": c["places"], "survey": c["survey"],
               "cead": c["cead"], "addresses": thousands(c["addresses"]), "folder": geography}
    if geography is None:
        print(_("demo %(cut)s %(name)s: %(macro)s macrosectores, %(uvs)s UV (ilustrativas), %(events)s eventos "
                "(%(years)s), %(places)s lugares, %(survey)s encuestas, %(cead)s conteos CEAD") % figures)
    else:
        print(_("demo %(cut)s %(name)s sobre la geografía real de %(folder)s: %(macro)s macrosectores "
                "(ilustrativos), %(uvs)s UV reales, %(events)s eventos (%(years)s) en manzanas INE, %(places)s "
                "lugares, %(addresses)s direcciones en el nomenclátor, %(survey)s encuestas, %(cead)s conteos "
                "CEAD") % figures)
    if c.get("projections"):
        print(_("para comparar con la región, el país y sus pares: %(others)s conteos CEAD de otras comunas y "
                "%(projections)s proyecciones de población del INE") % {
                    "others": thousands(c["cead_others"]), "projections": thousands(c["projections"])})
    if result.password is None:
        print(_("los usuarios de demostración ya existían; su contraseña está en %(path)s")
              % {"path": result.credentials_path})
        return 0
    print(_("usuarios de demostración: %(users)s; contraseña común guardada en %(path)s")
          % {"users": ", ".join(u for u, _pw in DEMO_USERS), "path": result.credentials_path})
    print(_("ingrese como admin / %(password)s en la dirección que muestra `observatorio serve`")
          % {"password": result.password})
    return 0

