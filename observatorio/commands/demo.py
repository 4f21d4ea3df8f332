"""``observatorio demo``: an illustrative observatory for any comuna, in one transaction."""

import datetime as dt


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def register(sub):
    p = sub.add_parser(
        "demo", help="load an illustrative demo (territory, events, places, survey, users)",
        description="Load an illustrative observatory for a comuna: UVs and macrosectors drawn inside its urban "
                    "area, demography, places of interest, events of five sources (police totals equal CEAD's), "
                    "CEAD monthly counts, a perception survey and one demo user per role. Everything is "
                    "deterministic from --seed and --as-of, and written in one transaction.")
    p.add_argument("--comuna", default="13122", metavar="NAME|CUT",
                   help="comuna name (accents optional) or CUT code (default 13122, Peñalolén)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--years", type=_positive, default=3,
                   help="full calendar years of events, ending with the last year of the CEAD table (default 3)")
    p.add_argument("--events", type=_positive, default=None, metavar="N",
                   help="rescale every source to about N events in total (benchmarks; default: natural volume)")
    p.add_argument("--if-empty", action="store_true", help="do nothing if any area already exists")
    p.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="data cut-off date; events of the current year run up to it (default: today)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=handle)


def handle(args):
    from observatorio.demo.load import DEMO_USERS, has_areas, run_demo
    from observatorio.territory.dpa import find_comuna

    if args.if_empty and has_areas():
        print("demo: the database already has areas; nothing to do (--if-empty)")
        return 0
    comuna = find_comuna(args.comuna)  # ValueError → exit 2 with the hint
    as_of = args.as_of or dt.date.today()
    result = run_demo(comuna.cut, seed=args.seed, years=args.years, as_of=as_of, n_events=args.events,
                      show_progress=not args.quiet)
    c = result.counts
    s = result.scenario
    events = sum(c[k] for k in ("cead-policial", "denuncias", "1461", "patrullaje", "vif"))
    years = f"{s.full_years[0]}–{s.full_years[-1]}" + (f" y {s.partial_year} hasta {s.as_of}" if s.partial_year else "")
    n_events = f"{events:,}".replace(",", ".")
    print(f"demo {comuna.cut} {comuna.name}: {len(s.plan.macrosectors)} macrosectores, {len(s.plan.uvs)} UV "
          f"(ilustrativas), {n_events} eventos ({years}), {c['places']} lugares, {c['survey']} encuestas, "
          f"{c['cead']} conteos CEAD")
    if result.password is None:
        print(f"los usuarios de demostración ya existían; su contraseña está en {result.credentials_path}")
        return 0
    print(f"usuarios de demostración: {', '.join(u for u, _ in DEMO_USERS)}; "
          f"contraseña común guardada en {result.credentials_path}")
    print(f"ingrese como admin / {result.password} en la dirección que muestra `observatorio serve`")
    return 0
