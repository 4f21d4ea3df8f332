"""Shared pieces of the import pages' tests: uploads under tmp_path, jobs run in the request, helpers."""

from __future__ import annotations

import pytest


@pytest.fixture
def web(settings, tmp_path, monkeypatch):
    """Uploads in a temporary OBS_DATA_DIR; the background job runs inline (the test database is one transaction,
    which a thread could not see)."""
    from observatorio.records.web import jobs

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    monkeypatch.setattr(jobs, "RUNNER", jobs.run_inline)
    return settings.DATA_DIR


def login(client, name):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=name))
    return client


def upload(client, path, source="1461", sheet=""):
    with open(path, "rb") as fh:
        return client.post("/cargas/nueva/", {"file": fh, "source": source, "sheet": sheet})


def token_of(response) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    parts = response["Location"].strip("/").split("/")
    assert parts[:2] == ["cargas", "archivo"], response["Location"]
    return parts[2]
