"""Words for the analysis results in the summaries, keyed by the results' stable codes.

The analysis package returns codes (enum values, directions); the summary
names them in the command's language. The Spanish sentences are the ones the
web already translates (same msgids in the catalogue).
"""

from __future__ import annotations

from ..i18n import _, gettext_noop

GI_BINS = {
    -3: gettext_noop("Punto frío (99 % de confianza)"),
    -2: gettext_noop("Punto frío (95 % de confianza)"),
    -1: gettext_noop("Punto frío (90 % de confianza)"),
    0: gettext_noop("No significativo"),
    1: gettext_noop("Punto caliente (90 % de confianza)"),
    2: gettext_noop("Punto caliente (95 % de confianza)"),
    3: gettext_noop("Punto caliente (99 % de confianza)"),
}

EMERGING = {
    "new_hot": gettext_noop("Nuevo punto caliente"),
    "consecutive_hot": gettext_noop("Punto caliente consecutivo"),
    "intensifying_hot": gettext_noop("Punto caliente en intensificación"),
    "persistent_hot": gettext_noop("Punto caliente persistente"),
    "diminishing_hot": gettext_noop("Punto caliente en disminución"),
    "sporadic_hot": gettext_noop("Punto caliente esporádico"),
    "oscillating_hot": gettext_noop("Punto caliente oscilante"),
    "historical_hot": gettext_noop("Punto caliente histórico"),
    "new_cold": gettext_noop("Nuevo punto frío"),
    "consecutive_cold": gettext_noop("Punto frío consecutivo"),
    "intensifying_cold": gettext_noop("Punto frío en intensificación"),
    "persistent_cold": gettext_noop("Punto frío persistente"),
    "diminishing_cold": gettext_noop("Punto frío en disminución"),
    "sporadic_cold": gettext_noop("Punto frío esporádico"),
    "oscillating_cold": gettext_noop("Punto frío oscilante"),
    "historical_cold": gettext_noop("Punto frío histórico"),
    "no_pattern": gettext_noop("Sin patrón detectado"),
}

QUADRANTS = {
    "HH": gettext_noop("Alto-Alto (foco)"),
    "LH": gettext_noop("Bajo-Alto"),
    "LL": gettext_noop("Bajo-Bajo (zona fría)"),
    "HL": gettext_noop("Alto-Bajo"),
    "ns": gettext_noop("No significativo"),
}

GAPS = {
    "HH": gettext_noop("Alto temor, alta delincuencia"),
    "HL": gettext_noop("Alto temor, baja delincuencia"),
    "LH": gettext_noop("Bajo temor, alta delincuencia"),
    "LL": gettext_noop("Bajo temor, baja delincuencia"),
}

# compare's verdict and trend's direction.
VERDICTS = {
    "sube": gettext_noop("sube"), "up": gettext_noop("sube"),
    "baja": gettext_noop("baja"), "down": gettext_noop("baja"),
    "sin cambio significativo": gettext_noop("sin cambio significativo"),
    "sin tendencia significativa": gettext_noop("sin tendencia significativa"),
    "none": gettext_noop("sin tendencia significativa"),
}

KDE_UNITS = {"density": gettext_noop("eventos por km²"), "expected": gettext_noop("eventos por celda")}


def label(table: dict, code) -> str:
    """The word for ``code`` in the command's language; an unknown code is shown as it is."""
    code = getattr(code, "value", code)
    return _(table[code]) if code in table else str(code)


def join(names) -> str:
    """'a', 'a y b', 'a, b y c' (English: 'a and b')."""
    names = [str(n) for n in names]
    if len(names) == 1:
        return names[0]
    return _("%(first)s y %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def describe(profile) -> str:
    """A type by its distinctive indicators (mean |z| ≥ 0.5, at most two each way), as typology.describe."""
    high = profile[profile >= 0.5].sort_values(ascending=False).index[:2].tolist()
    low = profile[profile <= -0.5].sort_values().index[:2].tolist()
    parts = []
    if high:
        parts.append(_("alto en %(names)s") % {"names": join(high)})
    if low:
        parts.append(_("bajo en %(names)s") % {"names": join(low)})
    return "; ".join(parts) if parts else _("cercano al promedio")
