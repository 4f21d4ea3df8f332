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
