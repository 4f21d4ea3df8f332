"""Back up the configured database into one file, and restore such a file into an empty instance.

``create_backup`` and ``restore_backup`` are the core; ``observatorio backup`` and ``observatorio restore``
are their adapters. Restore refuses, before touching anything: another backend's backup, a backup of a newer
schema (a migration this program does not know), a different RUT key (unless accepted), a target that holds
data (unless forced), and an archive whose dump does not match its checksum.
"""

from __future__ import annotations

import getpass
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from observatorio.errors import UserError

from . import archive
from . import manifest as manifests
from .engines import SQLITE, engine_for, no_progress

# Tables whose rows mean an instance is in use; what `observatorio migrate` seeds (categories, measures, role
# groups, content types) does not count.
DATA_TABLES = ("records_event", "records_importbatch", "records_sourcemapping", "records_surveyresponse",
               "records_aggregatecount", "records_place", "territory_area", "territory_boundary", "auth_user",
               "audit_auditentry")


def _database() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def create_backup(output: str | Path, *, progress=no_progress) -> dict:
    """Write the backup archive to ``output``; returns its manifest. Consistent while servers write."""
    from observatorio.audit.models import Action
    from observatorio.audit.record import record

    destination = Path(output).expanduser().absolute()
    if destination.is_dir():
        raise UserError(_("%(file)s es una carpeta; indique un archivo, p. ej. %(file)s/respaldo.tar")
                        % {"file": destination})
    if not destination.parent.is_dir():
        raise UserError(_("no existe la carpeta %(folder)s; créela o indique otra") % {"folder": destination.parent})
    engine = engine_for(_database())
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".observatorio-respaldo-") as work:
        dump, facts = engine.dump(Path(work), progress)
        if "django_migrations" not in facts.tables:
            raise UserError(_("la base de datos %(db)s no tiene el esquema de Observatorio; no hay nada que "
                              "respaldar (¿falta `observatorio migrate`?)") % {"db": engine.describe()})
        sha256, size = archive.sha256_of(dump, progress)
        manifest = manifests.build(backend=engine.backend, facts=facts, member=engine.member, sha256=sha256,
                                   size=size, fingerprint=manifests.key_fingerprint(), database=engine.describe())
        archive.write(destination, manifest, dump, progress)
    record(Action.BACKUP, target=str(destination),
           detail=manifests.summary(manifest) | {"os_user": _operator()})
    return manifest


@dataclass
class Restored:
    file: str
    manifest: dict
    forced: bool = False
    replaced: dict = field(default_factory=dict)  # table -> rows the target held before, when forced
    key_mismatch: bool = False
    migrated: list[str] = field(default_factory=list)  # migrations applied after restoring an older schema
    data_version: int = 0

    def as_dict(self) -> dict:
        return {"file": self.file, "restored": manifests.summary(self.manifest), "forced": self.forced,
                "replaced": self.replaced, "key_mismatch_accepted": self.key_mismatch,
                "migrated": self.migrated, "data_version": self.data_version}


def occupied_tables() -> dict[str, int]:
    """The data tables of the configured database that hold rows (none: a new or freshly migrated instance)."""
    from django.db import connection

    present = set(connection.introspection.table_names())
    found = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in present:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                n = int(cursor.fetchone()[0])
                if n:
                    found[table] = n
    return found


def check(manifest: dict, file: str, *, force: bool, accept_key_mismatch: bool) -> Restored:
    """Every refusal that needs no more than the manifest and the target; the checksum comes next."""
    engine = engine_for(_database())
    if manifest["backend"] != engine.backend:
        raise UserError(_("%(file)s es un respaldo de %(theirs)s y esta instalación usa %(ours)s: solo se restaura "
                          "en el mismo motor de base de datos; restáurelo en una instalación con %(theirs)s")
                        % {"file": file, "theirs": _backend_name(manifest["backend"]),
                           "ours": _backend_name(engine.backend)})
    newer = manifests.newer_than_code(manifest, manifests.known_migrations())
    if newer:
        raise UserError(_("%(file)s viene de un esquema más nuevo que el de este programa (la migración "
                          "%(migration)s no existe aquí); actualice el programa primero")
                        % {"file": file, "migration": ", ".join(newer[:3]) + ("…" if len(newer) > 3 else "")})
    result = Restored(file=file, manifest=manifest)
    ours = manifests.key_fingerprint()
    if manifest["rut_key_fingerprint"] != ours:
        if not accept_key_mismatch:
            raise UserError(_("la clave RUT de esta instalación (huella %(ours)s) no es la del respaldo (huella "
                              "%(theirs)s): los RUT de las importaciones nuevas no coincidirían con los "
                              "restaurados. Configure OBS_RUT_KEY con la clave original, o agregue "
                              "--accept-key-mismatch si lo acepta") % {"ours": ours or "—",
                                                                       "theirs": manifest["rut_key_fingerprint"]})
        result.key_mismatch = True
    occupied = occupied_tables()
    if occupied and not force:
        held = ", ".join(f"{table} ({n})" for table, n in occupied.items())
        raise UserError(_("la base de datos %(db)s no está vacía (%(held)s): restaurar reemplazaría todo; use una "
                          "instalación nueva o agregue --force") % {"db": engine.describe(), "held": held})
    result.forced, result.replaced = bool(occupied), occupied
    return result


def restore_backup(file: str | Path, *, force: bool = False, accept_key_mismatch: bool = False,
                   progress=no_progress) -> Restored:
    """Restore ``file`` into the configured database, then check it against the manifest, migrate an older
    schema forward, bump the data version (every server reloads) and add the restore to the restored trail."""
    from django.conf import settings
    from django.db import connections

    from observatorio.audit.models import Action
    from observatorio.audit.record import record
    from observatorio.records import snapshot

    path = Path(file).expanduser().absolute()
    manifest = archive.read_manifest(path)
    result = check(manifest, str(path), force=force, accept_key_mismatch=accept_key_mismatch)
    engine = engine_for(_database())
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".restauracion-") as work:
        dump = archive.extract_dump(path, manifest, Path(work), progress)
        connections.close_all()  # nothing of ours holds the old database while it is replaced
        engine.restore(dump, Path(work), progress)
    connections.close_all()
    _compare_counts(manifest)
    result.migrated = _migrate_forward(manifest)
    result.data_version = snapshot.bump()
    record(Action.RESTORE, target=str(path), detail=result.as_dict() | {"os_user": _operator()})
    return result


def table_counts(tables) -> dict[str, int | None]:
    from django.db import connection

    present = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in present:
                counts[table] = None
                continue
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _compare_counts(manifest: dict) -> None:
    expected = manifest["tables"]
    actual = table_counts(expected)
    wrong = [f"{table}: {actual[table]} ≠ {n}" for table, n in expected.items() if actual[table] != n]
    if wrong:
        raise UserError(_("la base restaurada no coincide con el manifiesto del respaldo (filas restauradas ≠ "
                          "manifiesto): %(tables)s") % {"tables": "; ".join(wrong[:5])})


def _migrate_forward(manifest: dict) -> list[str]:
    """A backup of an older schema is migrated to this program's, as ``observatorio migrate`` would."""
    from django.core.management import call_command

    from observatorio.accounts.setup import ensure_role_groups
    from observatorio.records.taxonomy import seed_taxonomy

    missing = sorted(manifests.known_migrations() - manifests.applied(manifest))
    if not missing:
        return []
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from observatorio.audit.record import seeding

    before = MigrationRecorder(connection).applied_migrations().keys()
    with seeding():
        call_command("migrate", interactive=False, verbosity=0)
        ensure_role_groups()
        seed_taxonomy()
    after = MigrationRecorder(connection).applied_migrations().keys()
    return [f"{app}.{name}" for app, name in sorted(set(after) - set(before))]


def _backend_name(backend: str) -> str:
    return "SQLite" if backend == SQLITE else "PostgreSQL"
