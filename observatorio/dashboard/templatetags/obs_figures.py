"""Decimals and shares for the map, area profile and data-quality pages (1.234,5 and 12,3 %)."""

from __future__ import annotations

import math

from django import template
from django.utils.translation import get_language

register = template.Library()


def _spanish() -> bool:
    return (get_language() or "es").lower().startswith("es")


def _number(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    if _spanish():
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


@register.filter
def obs_dec(value, digits: int = 1) -> str:
    """12345.678 → "12.345,7" (Spanish) or "12,345.7"; None and NaN → "—"."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(value):
        return "—"
    return _number(value, int(digits))


@register.filter
def obs_share(value, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.123 → "12,3 %" (Spanish) or "12.3%"."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(value):
        return "—"
    text = _number(100.0 * value, int(digits))
    return f"{text}\u00a0%" if _spanish() else f"{text}%"
