"""``observatorio import``, ``batches``, ``rollback``, ``mapping``, ``crosswalk``, ``gazetteer``, ``population``.

Thin adapters over `observatorio.records.pipeline`: parse the options, call
the same core the web calls, print a summary in the command's language, or
JSON. Problems the user can fix (`ImportFailed`, `RollbackRefused`, a bad
--set) are `UserError`s, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import json
import os
import sys

from observatorio.errors import UserError

from .analyze.options import add_date_format
from .i18n import _, gettext_noop, ngettext, thousands
from .progress import StageBar
from .reports import show

STAGES = {"read": gettext_noop("leyendo"), "validate": gettext_noop("validando"), "place": gettext_noop("ubicando"),
          "dedupe": gettext_noop("duplicados"), "write": gettext_noop("escribiendo")}

WRITE_HELP = gettext_noop("escribe; sin esta opción no se escribe nada")
JSON_HELP = gettext_noop("muestra un resumen legible por máquina (JSON)")


def register(sub):
    p = sub.add_parser("import", help=_("importa la exportación de una fuente (prueba, salvo con --commit)"),
                       description=_("Lee, valida, homologa y ubica las filas de ARCHIVO como registros de la "
                                     "fuente. Sin --commit no se escribe nada; con ella el archivo entero es un "
                                     "lote, escrito en una transacción."))
    p.add_argument("file", metavar=_("ARCHIVO"), help=_("archivo CSV, XLSX, Parquet o GeoJSON"))
    p.add_argument("--source", required=True, metavar=_("CÓDIGO"),
                   help=_("código de la fuente (o un tipo de fuente, p. ej. 1461)"))
    p.add_argument("--sheet", help=_("hoja de Excel (por defecto: la primera)"))
    p.add_argument("--crs", help=_("sistema de coordenadas de las coordenadas, p. ej. EPSG:32719 (por defecto: "
                                   "se deduce)"))
    add_date_format(p)
    p.add_argument("--commit", action="store_true", help=_(WRITE_HELP))
    p.add_argument("--json", action="store_true", help=_(JSON_HELP))
    p.add_argument("--quiet", action="store_true", help=_("sin barra de progreso"))
    p.set_defaults(handler=handle_import)

    b = sub.add_parser("batches", help=_("lista los lotes de importación, o escribe el informe de errores de uno"),
                       description=_("Lista los lotes de importación (los más nuevos primero) o, con --report, "
                                     "escribe el informe de errores de un lote en CSV o XLSX."))
    b.add_argument("--source", metavar=_("CÓDIGO"), help=_("solo esta fuente"))
    b.add_argument("--limit", type=int, default=30, help=_("cuántos (por defecto 30)"))
    b.add_argument("--report", type=int, metavar=_("LOTE"), help=_("escribe el informe de errores de este lote"))
    b.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help=_("formato del informe (por defecto csv)"))
    b.add_argument("--output", "-o", metavar=_("ARCHIVO"),
                   help=_("archivo del informe (por defecto: la salida estándar, solo CSV)"))
    b.add_argument("--json", action="store_true", help=_("lista legible por máquina (JSON)"))
    b.set_defaults(handler=handle_batches)

    r = sub.add_parser("rollback", help=_("deshace un lote escrito"),
                       description=_("Elimina exactamente los registros que creó un lote y restaura los que "
                                     "corrigió."))
    r.add_argument("batch", type=int, metavar=_("LOTE"), help=_("número de lote (vea `observatorio batches`)"))
    r.add_argument("--json", action="store_true", help=_("resultado legible por máquina (JSON)"))
    r.set_defaults(handler=handle_rollback)

    k = sub.add_parser("rut-key", help=_("crea la clave de los RUT (una sola vez) o muestra su huella"),
                       description=_("Sin opciones muestra la huella de la clave de los RUT en uso y la guardada en "
                                     "la base de datos. Con --create crea la clave, una sola vez, en "
                                     "OBS_RUT_KEY_FILE (modo 0600): en producción, fuera de la carpeta de datos."))
    k.add_argument("--create", action="store_true", help=_("crea la clave; nunca reemplaza una existente"))
    k.set_defaults(handler=handle_rut_key)

    m = sub.add_parser("mapping", help=_("muestra o cambia la asignación de columnas de una fuente"),
                       description=_("Muestra la asignación de columnas guardada de la fuente, o guarda una "
                                     "versión nueva."))
    m.add_argument("source", metavar=_("FUENTE"), help=_("código de la fuente"))
    m.add_argument("--set", action="append", default=[], metavar=_("CAMPO=COLUMNA"),
                   help=_("asigna un campo (o attr:NOMBRE) a una columna del archivo (repetible)"))
    m.add_argument("--unset", action="append", default=[], metavar=_("CAMPO"),
                   help=_("quita la asignación de un campo (repetible)"))
    m.add_argument("--option", action="append", default=[], metavar=_("CLAVE=VALOR"),
                   help=_("opción de lectura, p. ej. crs=EPSG:32719 o crosswalk_version=2 (CLAVE= la quita)"))
    m.add_argument("--fields", action="store_true", help=_("lista los campos a los que se puede asignar una columna"))
    m.set_defaults(handler=handle_mapping)

    c = sub.add_parser("crosswalk", help=_("muestra o cambia cómo las etiquetas de una fuente se asignan a "
                                           "categorías"),
                       description=_("Lista la tabla de equivalencias de la fuente (etiqueta → categoría), o "
                                     "agrega entradas."))
    c.add_argument("source", metavar=_("FUENTE"), help=_("código de la fuente"))
    c.add_argument("--set", action="append", default=[], metavar=_("ETIQUETA=CATEGORÍA"),
                   help=_("asigna una etiqueta de la fuente a un código de categoría (repetible)"))
    c.add_argument("--categories", action="store_true", help=_("lista los códigos de categoría del árbol común"))
    c.set_defaults(handler=handle_crosswalk)

    g = sub.add_parser("gazetteer", help=_("carga el callejero (calle, número → coordenadas)"),
                       description=_("Valida un archivo de direcciones y, con --commit, lo carga como el callejero "
                                     "contra el que se geocodifican las direcciones."))
    g.add_argument("file", metavar=_("ARCHIVO"), help=_("CSV, XLSX, Parquet o GeoJSON"))
    roles = {"street": _("la calle"), "number": _("el número"), "address": _("la dirección"),
             "lon": _("la longitud"), "lat": _("la latitud")}
    for role, what in roles.items():
        g.add_argument(f"--{role}-column", metavar=_("COLUMNA"),
                       help=_("columna con %(what)s (por defecto: se deduce)") % {"what": what})
    g.add_argument("--crs", help=_("sistema de coordenadas, p. ej. EPSG:32719 (por defecto: se deduce)"))
    g.add_argument("--replace", action="store_true", help=_("borra primero el callejero actual"))
    g.add_argument("--commit", action="store_true", help=_(WRITE_HELP))
    g.add_argument("--json", action="store_true", help=_(JSON_HELP))
    g.set_defaults(handler=handle_gazetteer)

    pop = sub.add_parser("population", help=_("carga las proyecciones de población del INE por comuna y año"),
                         description=_("Carga proyecciones de población (cut_comuna, año, población), los "
                                       "denominadores de las tasas CEAD por 100.000 habitantes."))
    pop.add_argument("file", metavar=_("ARCHIVO"),
                     help=_("p. ej. ../shared/data/cead/censo_proyecciones_anio.parquet"))
    pop.add_argument("--commit", action="store_true", help=_(WRITE_HELP))
    pop.add_argument("--json", action="store_true", help=_(JSON_HELP))
    pop.set_defaults(handler=handle_population)


def handle_import(args):
    from observatorio.records.pipeline import run_import

    options = {k: v for k, v in (("crs", args.crs), ("date_format", args.date_format)) if v}

    def run():
        with StageBar(not args.quiet, STAGES) as bar:
            return run_import(args.file, args.source, sheet=args.sheet, commit=args.commit, progress=bar,
                              options=options or None)

    if args.commit:
        result = _in_turn(run)
    else:
        result = run()  # a dry run writes only its report: it need not wait for the server's turn
    show(result.report(), args.json)
    return 0


def _in_turn(run):
    """Run a committing import in the server's one line of imports (the web's too), saying while it waits."""
    from observatorio.records.queue import ImportQueue

    def waiting(place):
        if place:
            print(_("esperando turno: otra importación está escribiendo en este servidor (lugar %(n)s en la "
                    "fila)") % {"n": place}, file=sys.stderr, flush=True)

    with ImportQueue().ticket(waiting):
        return run()


def handle_batches(args):
    from observatorio.records.models import ImportBatch
    from observatorio.records.pipeline.report import batch_issues, write_report

    if args.report is not None:
        batch = ImportBatch.objects.filter(pk=args.report).first()
        if batch is None:
            raise UserError(_("no hay un lote %(batch)s; vea la lista con `observatorio batches`")
                            % {"batch": args.report})
        data = write_report(batch_issues(batch), args.format)
        if args.output:
            # The report quotes the file's values: readable by its owner only.
            fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            n = len(batch_issues(batch))
            print(ngettext("informe del lote %(batch)s: %(n)s problema → %(output)s",
                           "informe del lote %(batch)s: %(n)s problemas → %(output)s", n)
                  % {"batch": batch.id, "n": thousands(n), "output": args.output})
        elif args.format == "csv":
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            raise UserError(_("un informe XLSX necesita --output ARCHIVO"))
        return 0
    batches = ImportBatch.objects.select_related("source", "created_by").order_by("-created_at", "-id")
    if args.source:
        batches = batches.filter(source__code=args.source)
    rows = [{"batch": b.id, "source": b.source.code, "file": b.file_name, "sha256": b.sha256,
             "status": b.status, "created_at": b.created_at.isoformat(timespec="seconds"),
             "user": b.created_by.username if b.created_by else "", "read": b.rows_read,
             "imported": b.rows_imported, "updated": b.rows_updated, "duplicates": b.rows_duplicate,
             "rejected": b.rows_rejected, "errors": b.error_count} for b in batches[:args.limit]]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(_("no hay lotes"))
    for r in rows:
        counts = (_("leídas %(read)s, importadas %(imported)s, duplicadas %(duplicates)s, rechazadas %(rejected)s")
                  % r)
        print(f"{r['batch']}\t{r['created_at']}\t{r['source']}\t{r['status']}\t{r['file']}\t{counts}")
    return 0


def handle_rollback(args):
    from observatorio.records.pipeline.rollback import rollback_batch

    result = rollback_batch(args.batch)
    if args.json:
        print(json.dumps(result.__dict__))
    else:
        print(_("lote %(batch)s revertido; eliminados: eventos %(events)s, conteos %(counts)s, respuestas de "
                "encuesta %(responses)s; correcciones deshechas: %(restored)s")
              % {"batch": result.batch, "events": thousands(result.events_deleted),
                 "counts": thousands(result.counts_deleted), "responses": thousands(result.responses_deleted),
                 "restored": thousands(result.events_restored + result.counts_restored)})
    return 0


def handle_rut_key(args):
    from observatorio import env
    from observatorio.records.identifiers import fingerprint, stored_fingerprint

    if args.create:
        path = env.create_rut_key()
        key = path.read_text().strip().encode("utf-8")
        print(_("clave de los RUT creada en %(path)s (huella %(fp)s); respáldela aparte de la base de datos: "
                "con ambas se pueden revertir los hashes") % {"path": path, "fp": fingerprint(key)})
        return 0
    key = env.rut_key()
    stored = stored_fingerprint()
    mine = fingerprint(key.encode("utf-8")) if key else ""
    print(_("clave en uso: %(fp)s (%(where)s)") % {"fp": mine or _("ninguna"),
                                                    "where": "OBS_RUT_KEY" if os.environ.get("OBS_RUT_KEY")
                                                    else env.rut_key_path()})
    print(_("huella guardada en la base de datos: %(fp)s") % {"fp": stored or _("ninguna (aún no se usa)")})
    if stored and mine and stored != mine:
        raise UserError(_("la clave en uso no es la de los datos guardados: restaure la clave original"))
    return 0


def _pairs(items, what):
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(_("%(option)s lleva CLAVE=VALOR, no %(item)r") % {"option": what, "item": item})
        out[key.strip()] = value.strip()
    return out


def handle_mapping(args):
    from observatorio.records.pipeline.fields import fields_for
    from observatorio.records.pipeline.mapping import save_mapping
    from observatorio.records.pipeline.run import resolve_source, saved_mapping
    from observatorio.records.sources import config_for

    source = resolve_source(args.source)
    config = config_for(source.kind)
    if args.fields:
        for f in fields_for(config.target).values():
            print(f"{f.name}\t{f.type}\t{_('obligatorio') if f.required else _('opcional')}\t{f.help}")
        return 0
    if args.set or args.unset or args.option:
        options = {k: (v or None) for k, v in _pairs(args.option, "--option").items()}
        row = save_mapping(source, set_columns=_pairs(args.set, "--set"), unset=args.unset, options=options)
        print(_("asignación de %(source)s guardada (versión %(version)s)")
              % {"source": source.code, "version": row.version})
    saved = saved_mapping(source) or {"columns": {}, "options": {}, "version": None}
    print(_("fuente %(source)s (%(kind)s), versión %(version)s")
          % {"source": source.code, "kind": source.get_kind_display(),
             "version": saved["version"] or _("— (por defecto)")})
    for name in fields_for(config.target):
        column = saved["columns"].get(name)
        if column:
            print(f"  {name} = {column!r}")
        elif column == "":
            print(_("  %(field)s: sin asignar") % {"field": name})
        else:
            print(_("  %(field)s: por defecto, una de %(columns)s")
                  % {"field": name, "columns": ", ".join(config.columns.get(name, [])) or _("(ninguna)")})
    for name, column in saved["columns"].items():
        if name.startswith("attr:") and column:
            print(f"  {name} = {column!r}")
    for key, value in saved["options"].items():
        print(_("  opción %(key)s = %(value)r") % {"key": key, "value": value})
    return 0


def handle_crosswalk(args):
    from observatorio.records.models import Category, CategoryLabel
    from observatorio.records.pipeline.crosswalk import seed_default_crosswalk, set_label
    from observatorio.records.pipeline.run import resolve_source
    from observatorio.records.sources import config_for

    source = resolve_source(args.source)
    seed_default_crosswalk(source, config_for(source.kind))
    if args.categories:
        for c in Category.objects.order_by("code"):
            print(f"{c.code}\t{c.name}\t{c.family}")
        return 0
    for label, code in _pairs(args.set, "--set").items():
        entry, created = set_label(source, label, code)
        line = _("%(label)r → %(category)s (versión %(version)s)") % {"label": label, "category": entry.category.code,
                                                                      "version": entry.version}
        print(line if created else _("%(line)s: sin cambios") % {"line": line})
    if not args.set:
        for entry in CategoryLabel.objects.filter(source=source).select_related("category").order_by("label", "id"):
            print(f"{entry.label}\t{entry.category.code}\t{entry.version}")
    return 0


def handle_gazetteer(args):
    from observatorio.records.pipeline.gazetteer import load_gazetteer

    result = load_gazetteer(args.file, street_column=args.street_column, number_column=args.number_column,
                            address_column=args.address_column, lon_column=args.lon_column,
                            lat_column=args.lat_column, crs=args.crs, replace=args.replace, commit=args.commit)
    show(result.report(), args.json)
    return 0


def handle_population(args):
    from observatorio.records.pipeline.population import load_population

    result = load_population(args.file, commit=args.commit)
    show(result.report(), args.json)
    return 0
