"""``observatorio backup -o ARCHIVO`` and ``observatorio restore ARCHIVO``: adapters over ``observatorio.backup``."""

from __future__ import annotations

import json
import sys

from observatorio.errors import Size

from .i18n import _, gettext_noop, ngettext, thousands
from .progress import StageBar

STAGES = {
    "copy": gettext_noop("copiando la base de datos"),
    "compress": gettext_noop("comprimiendo"),
    "dump": gettext_noop("pg_dump: tablas"),
    "checksum": gettext_noop("suma SHA-256"),
    "write": gettext_noop("escribiendo el respaldo"),
    "read": gettext_noop("leyendo y verificando el respaldo"),
    "decompress": gettext_noop("descomprimiendo"),
    "restore": gettext_noop("restaurando"),
}
PAGES = ("copy", "restore")  # SQLite counts pages; pg_dump/pg_restore count tables (their stages: dump, restore)
BYTES = ("compress", "checksum", "write", "read", "decompress")


def register(sub):
    p = sub.add_parser(
        "backup", help=_("respalda la base de datos completa en un archivo (con servidores funcionando)"),
        description=_("Escribe un archivo tar (permisos 0600) con la copia de la base de datos —la copia en línea "
                      "de SQLite o pg_dump de PostgreSQL— y un manifiesto: versión del esquema, filas por tabla, "
                      "suma SHA-256 y huella de la clave RUT. Es consistente aunque los servidores sigan "
                      "escribiendo. El respaldo contiene datos personales seudonimizados: guárdelo como tales."))
    p.add_argument("-o", "--output", required=True, metavar=_("ARCHIVO"), help=_("archivo del respaldo a escribir"))
    p.add_argument("--json", action="store_true", help=_("el resumen como JSON"))
    p.add_argument("--quiet", action="store_true", help=_("sin barra de progreso"))
    p.set_defaults(handler=handle_backup)

    r = sub.add_parser(
        "restore", help=_("restaura un respaldo en una instalación vacía"),
        description=_("Restaura un archivo de «observatorio backup» en la base de datos configurada, que debe "
                      "estar vacía (o --force), ser del mismo motor y tener la misma clave RUT. Verifica la suma "
                      "SHA-256 y rechaza un respaldo de un esquema más nuevo; uno más antiguo se restaura y se "
                      "migra. Después compara las filas con el manifiesto y avisa a los servidores."))
    r.add_argument("file", metavar=_("ARCHIVO"), help=_("archivo escrito por «observatorio backup»"))
    r.add_argument("--force", action="store_true",
                   help=_("restaura aunque la base de datos tenga datos (los reemplaza todos)"))
    r.add_argument("--accept-key-mismatch", action="store_true",
                   help=_("restaura aunque la clave RUT sea otra (los RUT nuevos no coincidirán con los restaurados)"))
    r.add_argument("--json", action="store_true", help=_("el resumen como JSON"))
    r.add_argument("--quiet", action="store_true", help=_("sin barra de progreso"))
    r.set_defaults(handler=handle_restore)


def _bar(args) -> StageBar:
    def unit_of(stage):
        return "B" if stage in BYTES else " " + (_("páginas") if stage in PAGES else _("tablas"))

    return StageBar(not args.quiet, STAGES, unit_of, scaled=BYTES)


def _counts_line(counts: dict) -> str:
    words = (("events", ("%(n)s evento", "%(n)s eventos")), ("batches", ("%(n)s carga", "%(n)s cargas")),
             ("mappings", ("%(n)s asignación", "%(n)s asignaciones")), ("measures", ("%(n)s medida", "%(n)s medidas")),
             ("areas", ("%(n)s área", "%(n)s áreas")), ("users", ("%(n)s usuario", "%(n)s usuarios")),
             ("audit_entries", ("%(n)s entrada de auditoría", "%(n)s entradas de auditoría")))
    return ", ".join(ngettext(one, many, counts.get(key, 0)) % {"n": thousands(counts.get(key, 0))}
                     for key, (one, many) in words)


def handle_backup(args):
    from observatorio.backup import create_backup
    from observatorio.backup.manifest import summary

    with _bar(args) as bar:
        manifest = create_backup(args.output, progress=bar)
    if args.json:
        print(json.dumps({"file": args.output} | summary(manifest), ensure_ascii=False, indent=1))
        return 0
    comunas = ", ".join(f"{c['code']} {c['name']}" for c in manifest["comunas"]) or "—"
    print(_("respaldo escrito en %(file)s (%(backend)s, %(size)s, SHA-256 %(sha)s…)")
          % {"file": args.output, "backend": manifest["backend"], "size": Size(manifest["dump"]["bytes"]).translated(_),
             "sha": manifest["dump"]["sha256"][:16]})
    print(_("  comuna: %(comunas)s; %(counts)s") % {"comunas": comunas, "counts": _counts_line(manifest["counts"])})
    print(_("  huella de la clave RUT: %(fp)s (restaurar exige la misma clave)")
          % {"fp": manifest["rut_key_fingerprint"]})
    return 0


def handle_restore(args):
    from observatorio.backup import restore_backup

    with _bar(args) as bar:
        result = restore_backup(args.file, force=args.force, accept_key_mismatch=args.accept_key_mismatch,
                                progress=bar)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    m = result.manifest
    if result.key_mismatch:
        print(_("aviso: la clave RUT no es la del respaldo; los RUT de las importaciones nuevas no coincidirán "
                "con los restaurados"), file=sys.stderr)
    if result.forced:
        print(_("aviso: se reemplazaron los datos que tenía la base (%(held)s)")
              % {"held": ", ".join(f"{t} ({n})" for t, n in result.replaced.items())}, file=sys.stderr)
    print(_("restaurado %(file)s, respaldo del %(created)s (%(backend)s, versión %(version)s): filas iguales al "
            "manifiesto en %(tables)s tablas")
          % {"file": args.file, "created": m.get("created_at"), "backend": m["backend"],
             "version": m.get("app_version"), "tables": thousands(len(m["tables"]))})
    print("  " + _counts_line(m["counts"]))
    if result.migrated:
        print(_("  el respaldo era de un esquema anterior: se aplicaron las migraciones %(names)s")
              % {"names": ", ".join(result.migrated)})
    print(_("  versión de los datos %(version)s: los servidores en marcha releen los datos")
          % {"version": result.data_version})
    return 0
