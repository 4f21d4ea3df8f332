"""The pipeline's RUT key comes from settings.RUT_HASH_KEY, as bytes, must be set, and matches the database's
fingerprint (tests/records/test_privacy.py has the mismatch and the one-time creation)."""

from __future__ import annotations

import pytest

from observatorio.records.identifiers import fingerprint, settings_key


def test_settings_key(settings, monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.RUT_HASH_KEY = "a-long-enough-key-for-hmac"
    assert settings_key(check=False) == b"a-long-enough-key-for-hmac"
    monkeypatch.delenv("OBS_RUT_KEY", raising=False)
    monkeypatch.setenv("OBS_RUT_KEY_FILE", str(tmp_path / "absent"))
    settings.RUT_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="RUT_HASH_KEY"):
        settings_key(check=False)


def test_fingerprint_names_the_key_without_revealing_it():
    a, b = fingerprint(b"a-long-enough-key-for-hmac"), fingerprint(b"another-long-enough-key-x")
    assert len(a) == 16 and a != b and a == fingerprint(b"a-long-enough-key-for-hmac")
    assert int(a, 16) >= 0 and "long" not in a


@pytest.mark.django_db
def test_the_first_use_stores_the_fingerprint(settings):
    from observatorio.records.identifiers import stored_fingerprint

    settings.RUT_HASH_KEY = "a-long-enough-key-for-hmac"
    assert stored_fingerprint() is None
    settings_key()
    assert stored_fingerprint() == fingerprint(b"a-long-enough-key-for-hmac")
