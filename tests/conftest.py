"""Shared fixtures: the path to ../shared/data and named personas for permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OBS_SHARED_DATA", ROOT.parent / "shared" / "data"))


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
