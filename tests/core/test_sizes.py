"""A size in bytes reads as a person reads it, with the marks of the reader's language (issue #14 point 2)."""

from __future__ import annotations

import gettext

import pytest

from observatorio.commands.i18n import LOCALE_DIR
from observatorio.errors import N_, Size, Text, human_size

ENGLISH = gettext.translation("django", LOCALE_DIR, languages=["en"]).gettext


@pytest.mark.parametrize("n, spanish, english", [
    (0, "0 bytes", "0 bytes"), (1, "1 byte", "1 byte"), (1023, "1023 bytes", "1023 bytes"),
    (1024, "1 KB", "1 KB"), (52_428, "51,2 KB", "51.2 KB"), (1024 * 1024, "1 MB", "1 MB"),
    (200 * 1024 * 1024, "200 MB", "200 MB"), (int(2.5 * 1024 ** 3), "2,5 GB", "2.5 GB"),
    (1536 * 1024 ** 4, "1.536 TB", "1,536 TB"),
])
def test_human_size_in_both_languages(n, spanish, english):
    assert human_size(n) == spanish
    assert Size(n).translated(ENGLISH) == english
    assert str(Size(n)) == spanish


def test_a_size_inside_a_message_follows_the_language_it_is_shown_in():
    message = Text(N_("el archivo pesa %(size)s, más que el límite de %(limit)s (OBS_UPLOAD_MAX_MB)"),
                   size=Size(52_428), limit=Size(1024 * 1024 * 200))
    assert str(message) == "el archivo pesa 51,2 KB, más que el límite de 200 MB (OBS_UPLOAD_MAX_MB)"
    assert message.translated(ENGLISH).startswith("the file is 51.2 KB")
