# Spelled out here because the parser is built before Django is set up, when the
# models (and so demography_import) cannot be imported yet; a test keeps them equal.
DEMOGRAPHY_FIELDS = ("population", "households", "women", "children_youth", "migrants", "indigenous", "poverty_pct")


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

    imp = tsub.add_parser("import", help="import area boundaries from GeoJSON, GeoPackage or Shapefile",
                          description="Validate a boundary file and, with --commit, load its areas "
                                      "(all or nothing). A dry run by default.")
    imp.add_argument("file", help="GeoJSON, GeoPackage or Shapefile (.shp)")
    imp.add_argument("--level", required=True, help="level of the areas: comuna, macrosector, uv, zona_censal, …")
    imp.add_argument("--code-field", required=True, help="attribute holding each area's code")
    imp.add_argument("--name-field", required=True, help="attribute holding each area's name")
    imp.add_argument("--parent-field", help="attribute holding the parent's code (else parents are found spatially)")
    imp.add_argument("--parent-level", help="level of the parents (default: the level above, or the comuna)")
    imp.add_argument("--layer", help="layer of a GeoPackage")
    imp.add_argument("--crs", help="CRS of the coordinates when the file lacks or misstates it, e.g. EPSG:32719")
    imp.add_argument("--valid-from", help="date the boundaries start, YYYY-MM-DD (needed to version a changed one)")
    imp.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                     help="only features whose FIELD equals VALUE (repeatable)")
    imp.add_argument("--source", help="source label stored with the areas (default: the file name)")
    imp.add_argument("--commit", action="store_true", help="write; without it nothing is written")
    imp.set_defaults(handler=handle_import)

    dem = tsub.add_parser("demography", help="import population by area and year from a CSV",
                          description="Validate a demography CSV (UTF-8 or Latin-1, ',' ';' or tab, read as "
                                      "`observatorio import` reads it) and, with --commit, load it (all or "
                                      "nothing). A dry run by default.")
    dem.add_argument("file", help="CSV file")
    dem.add_argument("--year", type=int, help="year of every row")
    dem.add_argument("--year-field", help="column holding the year, instead of --year")
    dem.add_argument("--level", default="uv", help="level of the areas the codes belong to (default: uv)")
    dem.add_argument("--code-field", default="code", help="column with the area code (default: code)")
    for name in DEMOGRAPHY_FIELDS:
        dem.add_argument(f"--{name.replace('_', '-')}-field", dest=f"{name}_field", metavar="COLUMN",
                         help=f"column holding {name}")
    dem.add_argument("--sum", action="store_true", help="add up several rows per code (e.g. one per age band)")
    dem.add_argument("--code-prefix", help="only codes starting with this, e.g. 13122 in census geocodes")
    dem.add_argument("--skip-unknown", action="store_true", help="report codes with no area instead of failing")
    dem.add_argument("--decimal", choices=("auto", ",", "."), default="auto",
                     help="decimal mark of the numbers (default auto: 1.234 is 1234, 20,7 is 20.7)")
    dem.add_argument("--source", help="source label (default: the file name)")
    dem.add_argument("--commit", action="store_true", help="write; without it nothing is written")
    dem.set_defaults(handler=handle_demography)


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


def _parse_where(items):
    where = {}
    for item in items:
        fld, sep, value = item.partition("=")
        if not sep or not fld:
            raise ValueError(f"--where takes FIELD=VALUE, got {item!r}")
        where[fld] = value
    return where


def handle_import(args):
    import datetime as dt

    from observatorio.territory.importers import import_boundaries

    valid_from = None
    if args.valid_from:
        try:
            valid_from = dt.date.fromisoformat(args.valid_from)
        except ValueError:
            raise ValueError(f"--valid-from takes a date YYYY-MM-DD, got {args.valid_from!r}") from None
    summary = import_boundaries(
        args.file, args.level, args.code_field, args.name_field, parent_field=args.parent_field,
        parent_level=args.parent_level, valid_from=valid_from, commit=args.commit, source_label=args.source,
        layer=args.layer, crs=args.crs, where=_parse_where(args.where))
    print("\n".join(summary.lines()))


def handle_demography(args):
    from observatorio.territory.demography_import import import_demography

    fields = {name: getattr(args, f"{name}_field") for name in DEMOGRAPHY_FIELDS if getattr(args, f"{name}_field")}
    summary = import_demography(
        args.file, year=args.year, code_field=args.code_field, level=args.level, fields=fields or None,
        sum_rows=args.sum, year_field=args.year_field, code_prefix=args.code_prefix,
        skip_unknown=args.skip_unknown, commit=args.commit, source_label=args.source, decimal=args.decimal)
    print("\n".join(summary.lines()))
