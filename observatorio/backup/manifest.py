"""The manifest of a backup: what the archive holds, read before anything of it is restored.

It names the format (and its version), the program's version, the database backend, the schema (the applied
migrations per app), rows per table (and a summary under plain names), the dump's SHA-256, the RUT key's
fingerprint, when it was made and the comuna(s) the data is about.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils.translation import gettext as _

from observatorio.errors import UserError

from .engines import Facts

FORMAT = "observatorio-backup"
FORMAT_VERSION = 1
NAME = "manifest.json"

# Plain names for the tables people ask about; the manifest keeps every table's count as well.
SUMMARY = {
    "events": "records_event",
    "batches": "records_importbatch",
    "mappings": "records_sourcemapping",
    "measures": "records_measure",
    "categories": "records_category",
    "sources": "records_source",
    "areas": "territory_area",
    "boundaries": "territory_boundary",
    "places": "records_place",
    "survey_responses": "records_surveyresponse",
    "aggregate_counts": "records_aggregatecount",
    "audit_entries": "audit_auditentry",
    "users": "auth_user",
}


# The fingerprint's constant and algorithm are those of ``records.identifiers.fingerprint`` (the privacy work,
# which stores the key's fingerprint in the database): the same key gives the same 16 hex digits in both places.


def key_fingerprint(key: bytes | str | None = None) -> str | None:
    """16 hex digits that name the RUT key without revealing it: SHA-256 of HMAC-SHA256(key, a constant).

    ``key`` defaults to ``settings.RUT_HASH_KEY``; None when the installation has no key."""
    if key is None:
        from django.conf import settings

        key = getattr(settings, "RUT_HASH_KEY", None)
        if not key:
            return None
    from observatorio.records.identifiers import fingerprint

    return fingerprint(key.encode("utf-8") if isinstance(key, str) else bytes(key))


def build(*, backend: str, facts: Facts, member: str, sha256: str, size: int, fingerprint: str,
          database: str) -> dict:
    from observatorio import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "backend": backend,
        "database": database,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema": {"migrations": facts.migrations,
                   "latest": {app: names[-1] for app, names in sorted(facts.migrations.items()) if names}},
        "counts": {name: facts.tables.get(table, 0) for name, table in SUMMARY.items()},
        "tables": facts.tables,
        "dump": {"member": member, "sha256": sha256, "bytes": size},
        "rut_key_fingerprint": fingerprint,
        "comunas": facts.comunas,
    }


def dumps(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def parse(raw: bytes, file: str) -> dict:
    """The manifest of ``file``, checked for the fields restore needs; a newer format is refused."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(_("%(file)s: el manifiesto del respaldo no es JSON válido (%(error)s)")
                        % {"file": file, "error": exc}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(_("%(file)s no es un respaldo de Observatorio (el manifiesto no dice format=%(format)s)")
                        % {"file": file, "format": FORMAT})
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise UserError(_("%(file)s usa el formato de respaldo %(version)s, más nuevo que el que este programa "
                          "conoce (%(known)s); actualice el programa primero")
                        % {"file": file, "version": version, "known": FORMAT_VERSION})
    missing = [key for key in ("backend", "schema", "tables", "dump", "rut_key_fingerprint")
               if key not in manifest]
    if missing or not isinstance(manifest["schema"].get("migrations"), dict) \
            or not {"member", "sha256"} <= set(manifest["dump"]):
        raise UserError(_("%(file)s: al manifiesto del respaldo le faltan campos (%(fields)s)")
                        % {"file": file, "fields": ", ".join(missing) or "schema.migrations, dump"})
    return manifest


def applied(manifest: dict) -> set[tuple[str, str]]:
    return {(app, name) for app, names in manifest["schema"]["migrations"].items() for name in names}


def known_migrations() -> set[tuple[str, str]]:
    """Every migration the running code knows: on disk, and the ones a squashed migration replaces."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or ())
    return known


def newer_than_code(manifest: dict, known: set[tuple[str, str]]) -> list[str]:
    """Migrations applied in the backup that this program does not have: the backup is of a newer schema."""
    return [f"{app}.{name}" for app, name in sorted(applied(manifest) - known)]


def summary(manifest: dict) -> dict:
    """What an audit entry and the command's --json say about a backup: no table-by-table detail."""
    return {key: manifest.get(key) for key in ("created_at", "app_version", "backend", "database", "counts",
                                               "comunas", "rut_key_fingerprint")} | {
        "sha256": manifest["dump"]["sha256"], "bytes": manifest["dump"].get("bytes"),
        "schema": manifest["schema"].get("latest", {})}
