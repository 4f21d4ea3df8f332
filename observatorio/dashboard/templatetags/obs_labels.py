"""``{{ member|obs_label }}``: the label of an analysis enum member in the active language (observatorio.labels)."""

from __future__ import annotations

from django import template

from observatorio import labels

register = template.Library()


@register.filter
def obs_label(member) -> str:
    """``Verdict.UP`` → "sube" in Spanish, "up" in English; blanks stay blank."""
    if member is None or member == "":
        return "—"
    return labels.label(member)
