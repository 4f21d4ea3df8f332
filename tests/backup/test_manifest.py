"""The manifest's checks and the RUT key's fingerprint, without a database."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from observatorio.backup import manifest as manifests
from observatorio.backup.manifest import key_fingerprint
from observatorio.errors import UserError


def test_the_fingerprint_names_a_key_without_revealing_it():
    one, other = b"k" * 32, b"j" * 32
    assert key_fingerprint(one) == key_fingerprint(one)
    assert key_fingerprint(one) != key_fingerprint(other)
    assert len(key_fingerprint(one)) == 16 and int(key_fingerprint(one), 16) >= 0
    assert key_fingerprint() == key_fingerprint(_settings_key())  # the installation's own key by default
    # The algorithm of records.identifiers.fingerprint (privacy): SHA-256 of an HMAC of a fixed constant.
    key = b"0123456789abcdef"
    inner = hmac.new(key, b"observatorio rut key fingerprint v1", hashlib.sha256).digest()
    assert key_fingerprint(key) == key_fingerprint(key.decode()) == hashlib.sha256(inner).hexdigest()[:16]


def _settings_key() -> bytes:
    from django.conf import settings

    return settings.RUT_HASH_KEY.encode()


def _manifest(**changes) -> bytes:
    base = {"format": manifests.FORMAT, "format_version": manifests.FORMAT_VERSION, "backend": "sqlite",
            "schema": {"migrations": {"records": ["0001_initial"]}}, "tables": {}, "rut_key_fingerprint": "x",
            "dump": {"member": "database.sqlite3.gz", "sha256": "0" * 64}}
    return json.dumps(base | changes).encode()


@pytest.mark.parametrize(("raw", "words"), [
    (b"\xff\xfe", "no es JSON"),
    (b"{\"format\": \"otra-cosa\"}", "no es un respaldo de Observatorio"),
    (_manifest(format_version=manifests.FORMAT_VERSION + 1), "actualice el programa primero"),
    (_manifest(dump={"member": "x"}), "le faltan campos"),
])
def test_a_manifest_restore_cannot_trust_is_refused_with_the_file_named(raw, words):
    with pytest.raises(UserError) as refused:
        manifests.parse(raw, "respaldo.tar")
    assert words in str(refused.value) and "respaldo.tar" in str(refused.value)


def test_migrations_the_code_does_not_know_make_a_backup_newer():
    known = manifests.known_migrations()
    assert ("records", "0001_initial") in known and ("audit", "0001_initial") in known
    manifest = manifests.parse(_manifest(schema={"migrations": {"records": ["0001_initial", "0999_futura"]}}), "f")
    assert manifests.newer_than_code(manifest, known) == ["records.0999_futura"]
    assert manifests.newer_than_code(manifests.parse(_manifest(), "f"), known) == []
