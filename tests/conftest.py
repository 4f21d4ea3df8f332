"""Shared fixtures: the path to ../shared/data and named personas for permissions."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The cut-off date of the small demo the page tests share.
DEMO_AS_OF = dt.date(2026, 11, 25)
SHARED_DATA = Path(os.environ.get("OBS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def pytest_configure(config):
    """One password hasher for every test: PBKDF2 costs a second per persona, and no test is about it.

    Processes a test starts (a real server, the command line) keep the project's own hashers.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real data lives in ../shared/data beside the project (CI has it)")
    return path


@pytest.fixture
def personas(db):
    """alice the administrator, bob the analyst, olga the 1461 operator, ana the authority, charlie with no role."""
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.records.models import Source

    call_centre, _ = Source.objects.get_or_create(code="1461", defaults={"name": "Central 1461", "kind": "1461"})
    from django.contrib.auth import get_user_model

    people = {
        "alice": create_user("alice", "alice-pass-123", Role.ADMIN),
        "bob": create_user("bob", "bob-pass-123", Role.ANALYST),
        "olga": create_user("olga", "olga-pass-123", Role.OPERATOR, sources=[call_centre]),
        "ana": create_user("ana", "ana-pass-123", Role.AUTHORITY),
        "charlie": get_user_model().objects.create_user("charlie", password="charlie-pass-123"),
    }
    return people


def _clear_caches():
    from observatorio import state

    state.reset()


def build_demo(n_events: int | None = 3_000):
    """Peñalolén's demo scenario as of DEMO_AS_OF (seed 1, three years): ``n_events`` rescales it, None keeps
    its natural size (CEAD's totals)."""
    from django.conf import settings

    from observatorio.demo.scenario import build_scenario

    key = settings.RUT_HASH_KEY
    return build_scenario("13122", seed=1, years=3, as_of=DEMO_AS_OF, n_events=n_events,
                          key=key.encode() if isinstance(key, str) else bytes(key))


@contextmanager
def loaded(scenario, django_db_blocker, **options):
    """The scenario loaded for the block (a module's tests) and rolled back after it; ``options`` go to
    ``load_scenario`` (``programmes=True``: the demo's programmes too)."""
    from django.db import transaction

    from observatorio.demo.load import load_scenario

    with django_db_blocker.unblock():
        _clear_caches()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_scenario(scenario, show_progress=False, **options)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            _clear_caches()


@pytest.fixture(scope="session")
def demo_scenario():
    """The small demo's scenario (Peñalolén, 3,000 events), generated once per test session.

    Generating is most of the demo's cost and pure (no database): every module that loads the demo loads
    this same scenario.
    """
    return build_demo()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_scenario):
    """The small demo loaded once per module and rolled back after it."""
    with loaded(demo_scenario, django_db_blocker) as result:
        yield result


@pytest.fixture(scope="module")
def demo_programmes(django_db_setup, django_db_blocker, demo_scenario):
    """The small demo with its programmes, indicators and measurements (demo/programmes.py), once per module."""
    with loaded(demo_scenario, django_db_blocker, programmes=True) as result:
        yield result


@pytest.fixture
def snapshot_gate(monkeypatch):
    """Holds every background snapshot load (not one in the test's own thread) until the test sets the event."""
    import threading

    from observatorio.records import snapshot

    opened = threading.Event()
    real = snapshot.load_snapshot

    def held(progress=None):
        if threading.current_thread() is not threading.main_thread():
            assert opened.wait(30), "the test never let the snapshot load finish"
        return real(progress)

    monkeypatch.setattr(snapshot, "load_snapshot", held)
    yield opened
    opened.set()


@pytest.fixture(autouse=True)
def _spanish_after_each_test():
    """Each test starts in the default language: a request through the locale middleware (an English reader)
    leaves its language active in the thread, and a later test that writes words (an import's error report)
    would then write them in English."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
