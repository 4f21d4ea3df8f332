"""The pipeline's RUT key, from Django's settings, and its fingerprint kept in the database.

The RUT rules are in `observatorio.tables.rut`. Whoever holds both the
database and this key can reverse every stored RUT hash (RUTs are few enough
to try them all): the key lives outside the data folder in production
(OBS_RUT_KEY_FILE, docs/settings.md).

The key's fingerprint (`fingerprint`: the first 16 hex digits of SHA-256 of
an HMAC of a constant) is stored at its first use (`KeyFingerprint`);
`settings_key` compares the key in force with it and stops on a mismatch, so
a lost and regenerated key can never silently produce hashes that match
nothing already stored.
"""

from __future__ import annotations

import hashlib
import hmac

from observatorio.errors import N_, UserError
from observatorio.tables.rut import check_key

FINGERPRINT_NAME = "rut"
_CONSTANT = b"observatorio rut key fingerprint v1"


class KeyMismatch(UserError):
    """The RUT key in force is not the one the stored hashes were made with."""


def fingerprint(key: bytes) -> str:
    """16 hex digits that identify `key` without revealing it."""
    return hashlib.sha256(hmac.new(bytes(key), _CONSTANT, hashlib.sha256).digest()).hexdigest()[:16]


def _configured_key() -> bytes:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from observatorio import env

    key = getattr(settings, "RUT_HASH_KEY", None) or env.rut_key()
    if not key:
        where = env.rut_key_path()
        raise ImproperlyConfigured(
            f"RUT_HASH_KEY is not set: there is no RUT key (OBS_RUT_KEY is unset and {where} does not exist), so "
            f"RUTs cannot be hashed. If this installation already has data, restore the key file from its backup "
            f"(a new key would make every stored hash unmatchable); on a new installation create it once with "
            f"`observatorio rut-key --create`")
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    check_key(key)
    return key


def settings_key(*, check: bool = True) -> bytes:
    """``settings.RUT_HASH_KEY`` as bytes, checked against the fingerprint stored in the database.

    The first call on a database stores the key's fingerprint; later calls raise
    `KeyMismatch` when the key differs. ``check=False`` skips the database
    (a caller without one).
    """
    key = _configured_key()
    if check:
        check_fingerprint(key)
    return key


def stored_fingerprint() -> str | None:
    from observatorio.records.models import KeyFingerprint

    return KeyFingerprint.objects.filter(name=FINGERPRINT_NAME).values_list("fingerprint", flat=True).first()


def check_fingerprint(key: bytes) -> str:
    """Store `key`'s fingerprint at first use, or raise `KeyMismatch` when another one is stored."""
    from observatorio.records.models import KeyFingerprint

    mine = fingerprint(key)
    stored, _created = KeyFingerprint.objects.get_or_create(name=FINGERPRINT_NAME, defaults={"fingerprint": mine})
    if stored.fingerprint != mine:
        raise KeyMismatch(
            N_("la clave de RUT vigente (huella %(mine)s) no es aquella con que se cifraron los RUT de esta base "
               "(huella %(stored)s, registrada el %(day)s): no se importó nada. Restaure la clave original "
               "(OBS_RUT_KEY o el archivo OBS_RUT_KEY_FILE) desde su respaldo; una clave nueva nunca coincidiría con "
               "los RUT ya guardados de víctimas e imputados reincidentes"),
            mine=mine, stored=stored.fingerprint, day=f"{stored.created_at:%d-%m-%Y}")
    return mine
