"""An autouse fixture: ``str()`` of a `UserError` or a `ReadError` is its English translation while a test runs."""

from __future__ import annotations

import gettext

import pytest

from observatorio.commands.i18n import LOCALE_DIR
from observatorio.errors import UserError
from observatorio.tables.readers import ReadError


@pytest.fixture(autouse=True)
def english_errors(monkeypatch):
    english = gettext.translation("django", LOCALE_DIR, languages=["en"]).gettext
    for kind in (UserError, ReadError):
        monkeypatch.setattr(kind, "__str__", lambda exc: exc.translated(english))
