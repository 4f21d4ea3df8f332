"""``observatorio import``, ``batches``, ``rollback``, ``mapping``, ``crosswalk``, ``gazetteer``, ``population``.

Thin adapters over `observatorio.records.pipeline`: parse the options, call
the same core the web calls, print a summary (Spanish) or JSON. Problems the
user can fix (`ImportFailed`, `RollbackRefused`, a bad --set) are
ValueErrors, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import json
import sys

STAGES = {"read": "leyendo", "validate": "validando", "place": "ubicando", "dedupe": "duplicados",
          "write": "escribiendo"}


def register(sub):
    p = sub.add_parser("import", help="import a source's export (dry run unless --commit)",
                       description="Read, validate, homologate and place the rows of FILE as records of SOURCE. "
                                   "Nothing is written without --commit; with it the whole file is one batch, "
                                   "written in one transaction.")
    p.add_argument("file", help="CSV, XLSX, Parquet or GeoJSON file")
    p.add_argument("--source", required=True, metavar="CODE", help="source code (or a source kind, e.g. 1461)")
    p.add_argument("--sheet", help="Excel sheet (default: the first)")
    p.add_argument("--crs", help="coordinate system of the coordinates, e.g. EPSG:32719 (default: guessed)")
    p.add_argument("--commit", action="store_true", help="write; without it nothing is written")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=handle_import)

    b = sub.add_parser("batches", help="list import batches, or write a batch's error report",
                       description="List the import batches (newest first), or with --report write one batch's "
                                   "error report as CSV or XLSX.")
    b.add_argument("--source", metavar="CODE", help="only this source")
    b.add_argument("--limit", type=int, default=30, help="how many (default 30)")
    b.add_argument("--report", type=int, metavar="BATCH", help="write the error report of this batch")
    b.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="report format (default csv)")
    b.add_argument("--output", "-o", metavar="FILE", help="report file (default: standard output, CSV only)")
    b.add_argument("--json", action="store_true", help="machine-readable list")
    b.set_defaults(handler=handle_batches)

    r = sub.add_parser("rollback", help="undo a committed batch",
                       description="Remove exactly the records a batch created and restore those it corrected.")
    r.add_argument("batch", type=int, help="batch number (see `observatorio batches`)")
    r.add_argument("--json", action="store_true", help="machine-readable result")
    r.set_defaults(handler=handle_rollback)

    m = sub.add_parser("mapping", help="show or change a source's column mapping",
                       description="Show the saved column mapping of SOURCE, or save a new version of it.")
    m.add_argument("source", metavar="SOURCE", help="source code")
    m.add_argument("--set", action="append", default=[], metavar="FIELD=COLUMN",
                   help="map a field (or attr:NAME) to a file column (repeatable)")
    m.add_argument("--unset", action="append", default=[], metavar="FIELD", help="unmap a field (repeatable)")
    m.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="reading option, e.g. crs=EPSG:32719 or crosswalk_version=2 (KEY= removes it)")
    m.add_argument("--fields", action="store_true", help="list the fields a column can be mapped to")
    m.set_defaults(handler=handle_mapping)

    c = sub.add_parser("crosswalk", help="show or change how a source's labels map to categories",
                       description="List the crosswalk of SOURCE (label → category), or add entries.")
    c.add_argument("source", metavar="SOURCE", help="source code")
    c.add_argument("--set", action="append", default=[], metavar="LABEL=CATEGORY",
                   help="map a label of the source to a category code (repeatable)")
    c.add_argument("--categories", action="store_true", help="list the category codes of the common tree")
    c.set_defaults(handler=handle_crosswalk)

    g = sub.add_parser("gazetteer", help="load the address gazetteer (street, number → coordinates)",
                       description="Validate an address file and, with --commit, load it as the gazetteer "
                                   "addresses are geocoded against.")
    g.add_argument("file", help="CSV, XLSX, Parquet or GeoJSON")
    for role in ("street", "number", "address", "lon", "lat"):
        g.add_argument(f"--{role}-column", metavar="COLUMN", help=f"column with the {role} (default: guessed)")
    g.add_argument("--crs", help="coordinate system, e.g. EPSG:32719 (default: guessed)")
    g.add_argument("--replace", action="store_true", help="delete the current gazetteer first")
    g.add_argument("--commit", action="store_true", help="write; without it nothing is written")
    g.set_defaults(handler=handle_gazetteer)

    pop = sub.add_parser("population", help="load INE population projections by comuna and year",
                         description="Load population projections (cut_comuna, año, población), the "
                                     "denominators of CEAD rates per 100,000.")
    pop.add_argument("file", help="e.g. ../shared/data/cead/censo_proyecciones_anio.parquet")
    pop.add_argument("--commit", action="store_true", help="write; without it nothing is written")
    pop.set_defaults(handler=handle_population)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Bar:
    """A tqdm bar per stage on stderr."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.stage = None

    def __call__(self, stage, done, total):
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=STAGES.get(stage, stage), unit=" filas", file=sys.stderr,
                            leave=False, dynamic_ncols=True)
        self.bar.n = done
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def summary_lines(result) -> list[str]:
    mode = "importado" if result.status == "committed" else "prueba (sin escribir; use --commit para importar)"
    lines = [
        f"{result.file} → fuente {result.source}: {mode}" + (f", lote {result.batch}" if result.batch else ""),
        f"  leídas {_thousands(result.read)} = importadas {_thousands(result.imported)} "
        f"(corregidas {_thousands(result.updated)}) + duplicadas {_thousands(result.duplicates)} "
        f"+ rechazadas {_thousands(result.rejected)}",
    ]
    if result.unmapped_categories:
        lines.append("  etiquetas sin equivalencia (mapéelas con `observatorio crosswalk "
                     f"{result.source} --set \"ETIQUETA=CATEGORÍA\"`):")
        lines += [f"    {label!r}: {_thousands(n)} filas" for label, n in result.unmapped_categories.items()]
    shown = result.errors[:20]
    if shown:
        lines.append(f"  errores ({_thousands(len(result.errors))}):")
        lines += [f"    fila {e.row}, {e.column}: {e.value!r}: {e.message}. {e.fix}" for e in shown]
        if len(result.errors) > len(shown):
            lines.append(f"    … informe completo: observatorio batches --report {result.batch} -o errores.csv"
                         if result.batch else "    …")
    if result.warnings:
        lines.append(f"  avisos: {_thousands(len(result.warnings))} (p. ej. fila {result.warnings[0].row}: "
                     f"{result.warnings[0].message})")
    lines += [f"  nota: {note}" for note in result.notes]
    return lines


def handle_import(args):
    from observatorio.records.pipeline import run_import

    bar = _Bar(not args.quiet)
    try:
        result = run_import(args.file, args.source, sheet=args.sheet, commit=args.commit, progress=bar,
                            options={"crs": args.crs} if args.crs else None)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(summary_lines(result)))
    return 0


def handle_batches(args):
    from observatorio.records.models import ImportBatch
    from observatorio.records.pipeline.report import batch_issues, write_report

    if args.report is not None:
        batch = ImportBatch.objects.filter(pk=args.report).first()
        if batch is None:
            raise ValueError(f"no batch {args.report}; list them with `observatorio batches`")
        data = write_report(batch_issues(batch), args.format)
        if args.output:
            with open(args.output, "wb") as fh:
                fh.write(data)
            print(f"informe del lote {batch.id}: {len(batch_issues(batch))} problemas → {args.output}")
        elif args.format == "csv":
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            raise ValueError("an XLSX report needs --output FILE")
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
        print("no hay lotes")
    for r in rows:
        print(f"{r['batch']}\t{r['created_at']}\t{r['source']}\t{r['status']}\t{r['file']}\t"
              f"leídas {r['read']}, importadas {r['imported']}, duplicadas {r['duplicates']}, "
              f"rechazadas {r['rejected']}")
    return 0


def handle_rollback(args):
    from observatorio.records.pipeline.rollback import rollback_batch

    result = rollback_batch(args.batch)
    if args.json:
        print(json.dumps(result.__dict__))
    else:
        print(f"lote {result.batch} revertido: {_thousands(result.events_deleted)} eventos, "
              f"{_thousands(result.counts_deleted)} conteos y {_thousands(result.responses_deleted)} respuestas de "
              f"encuesta eliminados, {result.events_restored + result.counts_restored} correcciones deshechas")
    return 0


def _pairs(items, what):
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{what} takes KEY=VALUE, got {item!r}")
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
            print(f"{f.name}\t{f.type}\t{'obligatorio' if f.required else 'opcional'}\t{f.help}")
        return 0
    if args.set or args.unset or args.option:
        options = {k: (v or None) for k, v in _pairs(args.option, "--option").items()}
        row = save_mapping(source, set_columns=_pairs(args.set, "--set"), unset=args.unset, options=options)
        print(f"asignación de {source.code} guardada (versión {row.version})")
    saved = saved_mapping(source) or {"columns": {}, "options": {}, "version": None}
    print(f"fuente {source.code} ({source.get_kind_display()}), versión {saved['version'] or '— (por defecto)'}")
    for name in fields_for(config.target):
        column = saved["columns"].get(name)
        if column:
            print(f"  {name} = {column!r}")
        elif column == "":
            print(f"  {name}: sin asignar")
        else:
            print(f"  {name}: por defecto, una de {', '.join(config.columns.get(name, [])) or '(ninguna)'}")
    for name, column in saved["columns"].items():
        if name.startswith("attr:") and column:
            print(f"  {name} = {column!r}")
    for key, value in saved["options"].items():
        print(f"  opción {key} = {value!r}")
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
        print(f"{label!r} → {entry.category.code} (versión {entry.version})" + ("" if created else ": sin cambios"))
    if not args.set:
        for entry in CategoryLabel.objects.filter(source=source).select_related("category").order_by("label", "id"):
            print(f"{entry.label}\t{entry.category.code}\t{entry.version}")
    return 0


def handle_gazetteer(args):
    from observatorio.records.pipeline.gazetteer import load_gazetteer

    result = load_gazetteer(args.file, street_column=args.street_column, number_column=args.number_column,
                            address_column=args.address_column, lon_column=args.lon_column,
                            lat_column=args.lat_column, crs=args.crs, replace=args.replace, commit=args.commit)
    mode = "cargado" if result.committed else "prueba (sin escribir; use --commit)"
    print(f"{result.file}: {mode}: {_thousands(result.loaded)} direcciones, {_thousands(result.skipped)} omitidas")
    for error in result.errors:
        print(f"  {error}")
    return 0


def handle_population(args):
    from observatorio.records.pipeline.population import load_population

    result = load_population(args.file, commit=args.commit)
    mode = "cargado" if result.committed else "prueba (sin escribir; use --commit)"
    print(f"{result.file}: {mode}: {_thousands(result.rows)} filas, {result.comunas} comunas, "
          f"años {result.years[0]}–{result.years[1]}")
    return 0
