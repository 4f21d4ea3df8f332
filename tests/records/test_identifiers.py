"""The pipeline's RUT key comes from settings.RUT_HASH_KEY, as bytes, and must be set."""

from __future__ import annotations

import pytest

from observatorio.records.identifiers import settings_key


def test_settings_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.RUT_HASH_KEY = "a-long-enough-key-for-hmac"
    assert settings_key() == b"a-long-enough-key-for-hmac"
    settings.RUT_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="RUT_HASH_KEY"):
        settings_key()
