def register(sub):
    p = sub.add_parser("territory", help="set up and inspect the territory",
                       description="Set up comunas, import areas and demography, list areas.")
    tsub = p.add_subparsers(dest="territory_command", metavar="ACTION")
    tsub.required = True

    c = tsub.add_parser("comuna", help="set up a Chilean comuna from the DPA 2023 boundaries")
    c.add_argument("comuna", help="name (accents optional) or CUT code, e.g. 'Peñalolén' or 13122")
    c.set_defaults(handler=handle_comuna)

    ls = tsub.add_parser("list", help="list the areas")
    ls.add_argument("--level", help="only this level (comuna, macrosector, uv, zona_censal, …)")
    ls.set_defaults(handler=handle_list)


def handle_comuna(args):
    from observatorio.territory.comunas import setup_comuna

    area = setup_comuna(args.comuna)
    boundary = area.boundaries.first()
    print(f"comuna {area.code} {area.name}: {boundary.area_km2:.1f} km²")


def handle_list(args):
    from observatorio.territory.models import Area

    areas = Area.objects.select_related("parent").order_by("level", "code")
    if args.level:
        areas = areas.filter(level=args.level)
    for area in areas:
        parent = area.parent.code if area.parent else "-"
        print(f"{area.level}\t{area.code}\t{area.name}\t{parent}")
