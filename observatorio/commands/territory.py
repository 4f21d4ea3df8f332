from observatorio.errors import UserError

from .i18n import _, decimal
from .reports import show

# Spelled out here because the parser is built before Django is set up, when the
# models (and so demography_import) cannot be imported yet; a test keeps them equal.
REFERENCE_KINDS = ("streets", "blocks", "other")  # territory.models.ReferenceKind
DEMOGRAPHY_FIELDS = ("population", "households", "women", "children_youth", "migrants", "indigenous", "poverty_pct")


def register(sub):
    p = sub.add_parser("territory", help=_("configura y consulta el territorio"),
                       description=_("Configura comunas, importa áreas y demografía, lista las áreas."))
    tsub = p.add_subparsers(dest="territory_command", metavar=_("ACCIÓN"))
    tsub.required = True

    c = tsub.add_parser("comuna", help=_("configura una comuna de Chile a partir de los límites DPA 2023"),
                        description=_("Configura una comuna de Chile a partir de los límites DPA 2023."))
    c.add_argument("comuna", metavar=_("COMUNA"),
                   help=_("nombre (tildes opcionales) o código CUT, p. ej. 'Peñalolén' o 13122"))
    c.set_defaults(handler=handle_comuna)

    ls = tsub.add_parser("list", help=_("lista las áreas"), description=_("Lista las áreas."))
    ls.add_argument("--level", help=_("solo este nivel (comuna, macrosector, uv, zona_censal, …)"))
    ls.set_defaults(handler=handle_list)

    imp = tsub.add_parser("import", help=_("importa límites de áreas desde GeoJSON, GeoPackage o Shapefile"),
                          description=_("Valida un archivo de límites y, con --commit, carga sus áreas (todo o "
                                        "nada). Por defecto es una prueba."))
    imp.add_argument("file", metavar=_("ARCHIVO"), help=_("GeoJSON, GeoPackage o Shapefile (.shp)"))
    imp.add_argument("--level", required=True,
                     help=_("nivel de las áreas: comuna, macrosector, uv, zona_censal, …"))
    imp.add_argument("--code-field", required=True, help=_("atributo con el código de cada área"))
    imp.add_argument("--name-field", required=True, help=_("atributo con el nombre de cada área"))
    imp.add_argument("--parent-field",
                     help=_("atributo con el código del padre (si no, los padres se buscan en el espacio)"))
    imp.add_argument("--parent-level", help=_("nivel de los padres (por defecto: el nivel superior, o la comuna)"))
    imp.add_argument("--layer", help=_("capa de un GeoPackage"))
    imp.add_argument("--crs", help=_("sistema de coordenadas cuando el archivo no lo trae o lo declara mal, "
                                     "p. ej. EPSG:32719"))
    imp.add_argument("--valid-from", metavar=_("AAAA-MM-DD"),
                     help=_("fecha desde la que rigen los límites (necesaria para versionar uno que cambió)"))
    imp.add_argument("--where", action="append", default=[], metavar=_("CAMPO=VALOR"),
                     help=_("solo los elementos cuyo CAMPO es igual a VALOR (repetible)"))
    imp.add_argument("--source", help=_("fuente que se guarda con las áreas (por defecto: el nombre del archivo)"))
    imp.add_argument("--commit", action="store_true", help=_("escribe; sin esta opción no se escribe nada"))
    imp.add_argument("--json", action="store_true", help=_("muestra un resumen legible por máquina (JSON)"))
    imp.set_defaults(handler=handle_import)

    ref = tsub.add_parser("reference", help=_("importa una capa de referencia del mapa (calles, manzanas, …)"),
                          description=_("Valida una capa de referencia (GeoJSON, GeoPackage o Shapefile) y, con "
                                        "--commit, la guarda con el territorio; el mapa la dibuja bajo todo lo "
                                        "demás. Una capa del mismo nombre se reemplaza. Por defecto es una prueba."))
    ref.add_argument("file", metavar=_("ARCHIVO"), help=_("GeoJSON, GeoPackage o Shapefile (.shp)"))
    ref.add_argument("--kind", required=True, choices=REFERENCE_KINDS,
                     help=_("tipo: streets (calles, líneas), blocks (manzanas, polígonos) u other"))
    ref.add_argument("--name-field", help=_("atributo con el nombre de cada elemento, p. ej. via"))
    ref.add_argument("--name", help=_("nombre de la capa (por defecto: el nombre del archivo)"))
    ref.add_argument("--layer", help=_("capa de un GeoPackage"))
    ref.add_argument("--crs", help=_("sistema de coordenadas cuando el archivo no lo trae o lo declara mal, "
                                     "p. ej. EPSG:32719"))
    ref.add_argument("--commit", action="store_true", help=_("escribe; sin esta opción no se escribe nada"))
    ref.add_argument("--json", action="store_true", help=_("muestra un resumen legible por máquina (JSON)"))
    ref.set_defaults(handler=handle_reference)

    dem = tsub.add_parser("demography", help=_("importa población por área y año desde un CSV"),
                          description=_("Valida un CSV de demografía (UTF-8 o Latin-1, separado por ',' ';' o "
                                        "tabulador, leído como lo lee `observatorio import`) y, con --commit, lo "
                                        "carga (todo o nada). Por defecto es una prueba."))
    dem.add_argument("file", metavar=_("ARCHIVO"), help=_("archivo CSV"))
    dem.add_argument("--year", type=int, help=_("año de todas las filas"))
    dem.add_argument("--year-field", help=_("columna con el año, en vez de --year"))
    dem.add_argument("--level", default="uv",
                     help=_("nivel de las áreas a que pertenecen los códigos (por defecto: uv)"))
    dem.add_argument("--code-field", default="code", help=_("columna con el código del área (por defecto: code)"))
    for name in DEMOGRAPHY_FIELDS:
        dem.add_argument(f"--{name.replace('_', '-')}-field", dest=f"{name}_field", metavar=_("COLUMNA"),
                         help=_("columna con %(field)s") % {"field": name})
    dem.add_argument("--sum", action="store_true",
                     help=_("suma varias filas por código (p. ej. una por tramo de edad)"))
    dem.add_argument("--code-prefix",
                     help=_("solo los códigos que empiezan así, p. ej. 13122 en los códigos censales"))
    dem.add_argument("--skip-unknown", action="store_true",
                     help=_("informa los códigos sin área en vez de fallar"))
    dem.add_argument("--decimal", choices=("auto", ",", "."), default="auto",
                     help=_("separador decimal de los números (por defecto auto: 1.234 es 1234, 20,7 es 20.7)"))
    dem.add_argument("--source", help=_("fuente (por defecto: el nombre del archivo)"))
    dem.add_argument("--commit", action="store_true", help=_("escribe; sin esta opción no se escribe nada"))
    dem.add_argument("--json", action="store_true", help=_("muestra un resumen legible por máquina (JSON)"))
    dem.set_defaults(handler=handle_demography)


def handle_comuna(args):
    from observatorio.territory.comunas import setup_comuna

    area = setup_comuna(args.comuna)
    boundary = area.boundaries.first()
    print(_("comuna %(code)s %(name)s: %(km2)s km²")
          % {"code": area.code, "name": area.name, "km2": decimal(boundary.area_km2, 1)})


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
            raise UserError(_("--where lleva CAMPO=VALOR, no %(item)r") % {"item": item})
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
            raise UserError(_("--valid-from lleva una fecha AAAA-MM-DD, no %(value)r")
                            % {"value": args.valid_from}) from None
    s = import_boundaries(
        args.file, args.level, args.code_field, args.name_field, parent_field=args.parent_field,
        parent_level=args.parent_level, valid_from=valid_from, commit=args.commit, source_label=args.source,
        layer=args.layer, crs=args.crs, where=_parse_where(args.where))
    show(s.report(), args.json)


def handle_demography(args):
    from observatorio.territory.demography_import import import_demography

    fields = {name: getattr(args, f"{name}_field") for name in DEMOGRAPHY_FIELDS if getattr(args, f"{name}_field")}
    s = import_demography(
        args.file, year=args.year, code_field=args.code_field, level=args.level, fields=fields or None,
        sum_rows=args.sum, year_field=args.year_field, code_prefix=args.code_prefix,
        skip_unknown=args.skip_unknown, commit=args.commit, source_label=args.source, decimal=args.decimal)
    show(s.report(), args.json)


def handle_reference(args):
    from observatorio.territory.references import import_reference

    s = import_reference(args.file, args.kind, args.name_field, name=args.name, commit=args.commit,
                         layer=args.layer, crs=args.crs)
    show(s.report(), args.json)
