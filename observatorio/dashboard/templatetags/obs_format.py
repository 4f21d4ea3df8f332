"""Numbers and dates the way each interface language writes them.

Django's Spanish locale groups thousands with a space; Chile writes 1.234 and
25-11-2026, so the observatory formats them itself rather than patching the
global FORMAT_MODULE_PATH.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import dateformat
from django.utils.translation import get_language

register = template.Library()


def _spanish() -> bool:
    return (get_language() or "es").lower().startswith("es")


@register.filter
def obs_int(value) -> str:
    """1234567 → "1.234.567" in Spanish, "1,234,567" in English; blanks stay blank."""
    if value is None or value == "":
        return "—"
    text = f"{int(value):,}"
    return text.replace(",", ".") if _spanish() else text


@register.filter
def obs_pct(value, digits: int = 0) -> str:
    """A signed percent change: "+12 %" / "−3,5 %" in Spanish, "+12%" in English."""
    if value is None:
        return "—"
    text = f"{abs(value):.{int(digits)}f}"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    if _spanish():
        return f"{sign}{text.replace('.', ',')}\u00a0%"
    return f"{sign}{text}%"


@register.filter
def obs_date(value) -> str:
    """25-11-2026 in Spanish (as Chileans write it), 25 Nov 2026 in English."""
    if not isinstance(value, dt.date):
        return "—"
    return dateformat.format(value, "d-m-Y" if _spanish() else "j M Y")
