"""Numbers in the reader's language: the one formatter of the web interface.

Chile writes 1.234,5 (a dot groups thousands, a comma marks decimals);
English writes 1,234.5. Every number a page writes itself — the templates'
filters (``templatetags/obs_format``), the hover text of the map, the
dashboard and the home page's map, the notes of the map's layers — goes through
:func:`number`; numbers Plotly writes itself (axes, colour bars, ``%{z}``)
follow :func:`separators`, the same marks as Plotly's ``layout.separators``.

Django's own ``number_format`` is not used: its Spanish locale groups thousands
with a non-breaking space (1 234,5) and it has no Chilean locale.
"""

from __future__ import annotations

import math

from django.utils.translation import get_language

DASH = "—"  # what a missing number (None, NaN, ±∞) shows
_CHILEAN = str.maketrans({",": ".", ".": ","})


def spanish() -> bool:
    """Whether the active language is Spanish (any variant): Chilean marks, else English ones."""
    return (get_language() or "es").lower().startswith("es")


def number(value, digits: int = 0) -> str:
    """``value`` rounded to ``digits`` decimals with the active language's marks, "—" when it is not a number.

    >>> number(1234.5, 1)  # doctest: +SKIP
    '1.234,5' in Spanish, '1,234.5' in English
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        return DASH
    if not math.isfinite(value):
        return DASH
    text = f"{value:,.{int(digits)}f}"
    return text.translate(_CHILEAN) if spanish() else text


def size(n: int) -> str:
    """A size in bytes as a person reads it, with the active language's marks: "51,2 KB", "200 MB", "1 byte"."""
    from observatorio.errors import human_size

    return human_size(n, separators())


def separators() -> str:
    """Plotly's ``layout.separators`` for the active language: decimal mark, then thousands mark."""
    return ",." if spanish() else ".,"
