"""A small demo (Peñalolén, 3,000 events) loaded once per module and rolled back after it."""

from __future__ import annotations

import datetime as dt

import pytest

AS_OF = dt.date(2026, 11, 25)


def _clear_caches():
    from observatorio.records import snapshot
    from observatorio.territory import index

    snapshot.clear_cache()
    index.clear_cache()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import transaction

    from observatorio.demo.load import run_demo

    with django_db_blocker.unblock():
        _clear_caches()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield run_demo("13122", seed=1, years=3, as_of=AS_OF, n_events=3_000, show_progress=False)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            _clear_caches()


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
