"""Dashboard test fixtures; the small demo itself is tests/conftest.py's `demo`."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_AS_OF as AS_OF  # noqa: F401 - the dashboard tests import it from here


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The personas are created with real PBKDF2 otherwise: seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_user(client, fast_hashing):
    def login(user):
        client.force_login(user)
        return client

    return login
