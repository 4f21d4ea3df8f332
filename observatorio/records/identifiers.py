"""The pipeline's RUT key, from Django's settings; the RUT rules are in `observatorio.tables.rut`."""

from __future__ import annotations

from observatorio.tables.rut import check_key


def settings_key() -> bytes:
    """``settings.RUT_HASH_KEY`` as bytes; Django is imported only here, when the pipeline asks."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    key = getattr(settings, "RUT_HASH_KEY", None)
    if not key:
        raise ImproperlyConfigured("RUT_HASH_KEY is not set: RUTs cannot be hashed without a key")
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    check_key(key)
    return key


# A fixed message: the fingerprint names a key (two installations, a backup and the instance it is restored
# into) without revealing it; HMAC is one-way, and 16 hex characters tell keys apart.
FINGERPRINT_MESSAGE = b"observatorio: huella de la clave RUT"


def key_fingerprint(key: bytes | None = None) -> str:
    """The RUT key's fingerprint: the first 16 hex characters of HMAC-SHA256(key, a constant).

    ``key`` defaults to ``settings.RUT_HASH_KEY``. Equal fingerprints mean equal keys, so RUT hashes written
    under one match new imports under the other; the backup manifest and restore compare them."""
    import hashlib
    import hmac

    key = settings_key() if key is None else key
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]
