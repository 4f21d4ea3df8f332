"""Dashboard test fixtures; the small demo itself is tests/conftest.py's `demo`."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_AS_OF as AS_OF  # noqa: F401 - the dashboard tests import it from here


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
