"""Numbers and dates the way each interface language writes them.

Django's Spanish locale groups thousands with a space; Chile writes 1.234 and
25-11-2026, so the observatory formats them itself rather than patching the
global FORMAT_MODULE_PATH. Numbers are written by :func:`observatorio.dashboard.numbers.number`,
the one formatter the map's and the dashboard's hover text use too.
"""

from __future__ import annotations

import datetime as dt
import math

from django import template
from django.utils import dateformat

from ..numbers import number as _number
from ..numbers import spanish as _spanish

register = template.Library()


def _finite(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@register.filter
def obs_int(value) -> str:
    """1234567 → "1.234.567" in Spanish, "1,234,567" in English; blanks stay blank."""
    if value is None or value == "":
        return "—"
    return _number(int(value))


@register.filter
def obs_pct(value, digits: int = 0) -> str:
    """A signed percent change: "+12 %" / "−3,5 %" in Spanish, "+12%" in English."""
    if value is None:
        return "—"
    text = _number(abs(value), int(digits))
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{text}\u00a0%" if _spanish() else f"{sign}{text}%"


@register.filter
def obs_date(value) -> str:
    """25-11-2026 in Spanish (as Chileans write it), 25 Nov 2026 in English."""
    if not isinstance(value, dt.date):
        return "—"
    return dateformat.format(value, "d-m-Y" if _spanish() else "j M Y")


@register.filter
def obs_dec(value, digits: int = 1) -> str:
    """12345.678 → "12.345,7" (Spanish) or "12,345.7"; None and NaN → "—"."""
    value = _finite(value)
    return "—" if value is None else _number(value, int(digits))


@register.filter
def obs_share(value, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.123 → "12,3 %" (Spanish) or "12.3%"."""
    value = _finite(value)
    if value is None:
        return "—"
    text = _number(100.0 * value, int(digits))
    return f"{text}\u00a0%" if _spanish() else f"{text}%"


@register.filter
def obs_count(value) -> str:
    """A count that disclosure control may have suppressed (None): "reservado", never 0 or a dash."""
    if value is None:
        from django.utils.translation import gettext

        return gettext("reservado")
    return _number(int(value))
