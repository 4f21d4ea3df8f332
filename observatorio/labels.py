"""Labels of what the analysis returns, for every interface: web pages, map layers, area profiles and the CLI.

:mod:`observatorio.analysis` returns enums and numbers, never words: a
statistic has no language, and the package must not import Django. Each enum
family has here one table, stable value → Spanish source string marked with
``gettext_noop`` (so ``makemessages`` keeps it; the English is in
``locale/en/LC_MESSAGES/django.po``), and one function that gives a member's
label in the active language. Files, JSON and CSV carry the stable values;
people read the labels.

The tables are keyed by the members' values so that this module imports no
analysis module (``observatorio analyze`` starts without loading them all);
each function turns its argument into its own enum first, so a member of
another family (or an unknown value) is refused rather than mislabelled.

Before Django is set up (``analyze`` runs without it) the labels follow the
command line's language (:data:`translate_without_django`).
"""

from __future__ import annotations

from django.utils.translation import gettext


def gettext_noop(message: str) -> str:
    """Mark ``message`` for ``makemessages`` (which looks for this name) and return it unchanged.

    Django's own ``gettext_noop`` reads the settings, which ``analyze`` never configures.
    """
    return message

GI_BINS = {  # observatorio.analysis.gistar.GiBin
    -3: gettext_noop("Punto frío (99 % de confianza)"),
    -2: gettext_noop("Punto frío (95 % de confianza)"),
    -1: gettext_noop("Punto frío (90 % de confianza)"),
    0: gettext_noop("No significativo"),
    1: gettext_noop("Punto caliente (90 % de confianza)"),
    2: gettext_noop("Punto caliente (95 % de confianza)"),
    3: gettext_noop("Punto caliente (99 % de confianza)"),
}

EMERGING_CLASSES = {  # observatorio.analysis.emerging.EmergingClass
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

QUADRANTS = {  # observatorio.analysis.moran.Quadrant
    "HH": gettext_noop("Alto-Alto (foco)"),
    "LH": gettext_noop("Bajo-Alto"),
    "LL": gettext_noop("Bajo-Bajo (zona fría)"),
    "HL": gettext_noop("Alto-Bajo"),
    "ns": gettext_noop("No significativo"),
}

GAP_CLASSES = {  # observatorio.analysis.perception.GapClass
    "HH": gettext_noop("Alto temor, alta delincuencia"),
    "HL": gettext_noop("Alto temor, baja delincuencia"),
    "LH": gettext_noop("Bajo temor, alta delincuencia"),
    "LL": gettext_noop("Bajo temor, baja delincuencia"),
}

VERDICTS = {  # observatorio.analysis.compare.Verdict
    "up": gettext_noop("sube"),
    "down": gettext_noop("baja"),
    "no_change": gettext_noop("sin cambio significativo"),
}

# A comparison resting on too few events says so instead of a verdict (observatorio.dashboard.engine.FEW_EVENTS).
OUTCOMES = {**VERDICTS, "few_events": gettext_noop("pocos eventos para concluir")}

TREND_DIRECTIONS = {  # observatorio.analysis.trend.Direction
    "up": gettext_noop("sube"),
    "down": gettext_noop("baja"),
    "none": gettext_noop("sin tendencia significativa"),
}

DENSITY_UNITS = {  # observatorio.analysis.kde.DensityUnit
    "events_per_km2": gettext_noop("eventos por km²"),
    "events_per_cell": gettext_noop("eventos por celda"),
}


RATE_METHODS = {  # observatorio.analysis.intervals.RateMethod
    "phe": gettext_noop("exacto con menos de 10 eventos, Byar desde 10"),
    "exact": gettext_noop("exacto de Poisson"),
    "byar": gettext_noop("aproximación de Byar"),
}

POLARITIES = {  # observatorio.analysis.indicator.Polarity
    "higher_is_better": gettext_noop("más alto es mejor"),
    "lower_is_better": gettext_noop("más bajo es mejor"),
    "none": gettext_noop("sin polaridad"),
}

INDICATOR_KINDS = {  # observatorio.analysis.indicator.Kind
    "value": gettext_noop("valor ingresado"),
    "rate": gettext_noop("tasa (conteo de eventos)"),
    "proportion": gettext_noop("proporción"),
}

STATUSES = {  # observatorio.analysis.indicator.Status: the traffic light, always shown in words beside the colour
    "meets": gettext_noop("cumple la meta"),
    "not_met": gettext_noop("no cumple la meta"),
    "uncertain": gettext_noop("no concluyente"),
    "no_target": gettext_noop("sin meta"),
    "not_enough_data": gettext_noop("datos insuficientes"),
}

# What each status means, for the hover text beside the colour.
STATUS_EXPLANATIONS = {
    "meets": gettext_noop("Todo el intervalo de confianza está del lado bueno de la meta."),
    "not_met": gettext_noop("Todo el intervalo de confianza está del lado malo de la meta."),
    "uncertain": gettext_noop(
        "El intervalo de confianza contiene la meta: con estos datos no se puede afirmar si se cumple."),
    "no_target": gettext_noop("No hay una meta definida para este período y área."),
    "not_enough_data": gettext_noop("Falta el numerador o el denominador, o el denominador es cero."),
}

INDICATOR_TRENDS = {  # observatorio.analysis.indicator.Trend
    "improving": gettext_noop("mejora"),
    "worsening": gettext_noop("empeora"),
    "increasing": gettext_noop("aumenta"),
    "decreasing": gettext_noop("disminuye"),
    "no_change": gettext_noop("sin cambio significativo"),
    "not_testable": gettext_noop("cambio no evaluable"),
}

XMR_RULES = {  # observatorio.analysis.xmr.Rule
    "outside_limits": gettext_noop("punto fuera de los límites de control"),
    "shift": gettext_noop("racha de puntos a un mismo lado del promedio"),
    "trend": gettext_noop("puntos seguidos al alza o a la baja"),
    "two_of_three": gettext_noop("dos de tres puntos cerca de un mismo límite"),
}

XMR_VARIATIONS = {  # observatorio.analysis.xmr.Variation
    "common_cause": gettext_noop("variación de causa común"),
    "improvement": gettext_noop("causa especial: mejora"),
    "concern": gettext_noop("causa especial: preocupación"),
    "high": gettext_noop("causa especial: alza"),
    "low": gettext_noop("causa especial: baja"),
    "not_enough_data": gettext_noop("datos insuficientes"),
}

# How a label is translated where Django is not set up: the Spanish source, unless the command line
# (observatorio.commands.i18n, which reads the same catalogue with Python's gettext) says otherwise.
translate_without_django = str


def translate(message: str) -> str:
    """``gettext`` in the active language once Django is set up; :data:`translate_without_django` before."""
    from django.apps import apps

    return gettext(message) if apps.ready else translate_without_django(message)


def gi_bin_label(member) -> str:
    """Label of a :class:`~observatorio.analysis.gistar.GiBin` (or its value, -3..3)."""
    from observatorio.analysis.gistar import GiBin

    return translate(GI_BINS[GiBin(member).value])


def emerging_label(member) -> str:
    """Label of an :class:`~observatorio.analysis.emerging.EmergingClass` (or its value)."""
    from observatorio.analysis.emerging import EmergingClass

    return translate(EMERGING_CLASSES[EmergingClass(member).value])


def emerging_definitions_text(definitions: dict, fmt) -> str:
    """One sentence saying which definitions and parameters classed the cells.

    ``definitions`` is :meth:`observatorio.analysis.emerging.EmergingHotspots.definitions`; ``fmt(value, digits)``
    writes a number in the interface's language (``analyze``'s ``fmt``, the dashboard's ``number``).
    """
    d = definitions
    k = d["time_window"]
    if k is None:
        gi = translate(gettext_noop("Gi* de cada período por sí solo"))
    elif k == 0:
        gi = translate(gettext_noop("Gi* espacio-temporal sin períodos anteriores en la vecindad"))
    elif k == 1:
        gi = translate(gettext_noop("Gi* espacio-temporal (cada período con el anterior en su vecindad)"))
    else:
        gi = translate(gettext_noop("Gi* espacio-temporal (cada período con los %(k)s anteriores en su vecindad)")) % {
            "k": k}
    if d["lead_periods"] == 1:
        gi += translate(gettext_noop(" y el período anterior al primero solo como vecindad de este"))
    elif d["lead_periods"]:
        gi += translate(gettext_noop(" y los %(lead)s períodos anteriores al primero solo como su vecindad")) % {
            "lead": d["lead_periods"]}
    fdr = translate(gettext_noop(" con corrección FDR por período")) if d["fdr"] else ""
    return translate(gettext_noop(
        "Clases según las definiciones de %(definitions)s; %(gi)s; bins significativos a α = %(alpha)s%(fdr)s; "
        "tendencia de Mann–Kendall a α = %(trend)s; «90 %%» de los períodos = al menos %(need)s de %(periods)s."
    )) % {"definitions": d["definitions"], "gi": gi, "alpha": fmt(d["alpha"], 2), "fdr": fdr,
          "trend": fmt(d["trend_alpha"], 2), "need": d["persistence_bins"], "periods": d["periods"]}


def quadrant_label(member) -> str:
    """Label of a LISA :class:`~observatorio.analysis.moran.Quadrant` (or its value)."""
    from observatorio.analysis.moran import Quadrant

    return translate(QUADRANTS[Quadrant(member).value])


def gap_label(member) -> str:
    """Label of a fear–crime :class:`~observatorio.analysis.perception.GapClass` (or its value)."""
    from observatorio.analysis.perception import GapClass

    return translate(GAP_CLASSES[GapClass(member).value])


def verdict_label(member) -> str:
    """Label of a period comparison's :class:`~observatorio.analysis.compare.Verdict` (or its value)."""
    from observatorio.analysis.compare import Verdict

    return translate(VERDICTS[Verdict(member).value])


def outcome_label(value) -> str:
    """Label of a comparison's outcome as the dashboard shows it: a Verdict (or its value), or "few_events"."""
    return translate(OUTCOMES[getattr(value, "value", value)])


def trend_label(member) -> str:
    """Label of a trend's :class:`~observatorio.analysis.trend.Direction` (or its value)."""
    from observatorio.analysis.trend import Direction

    return translate(TREND_DIRECTIONS[Direction(member).value])


def unit_label(member) -> str:
    """Label of a density surface's :class:`~observatorio.analysis.kde.DensityUnit` (or its value)."""
    from observatorio.analysis.kde import DensityUnit

    return translate(DENSITY_UNITS[DensityUnit(member).value])


def _member_label(table: dict, module: str, enum_name: str, member) -> str:
    """The label of ``member`` after turning it into ``observatorio.analysis.<module>.<enum_name>`` (refusing others)."""
    import importlib

    kind = getattr(importlib.import_module(f"observatorio.analysis.{module}"), enum_name)
    return translate(table[kind(member).value])


def _labeller(table: dict, module: str, enum_name: str):
    """A label function for one enum family (each imports its analysis module only when first called)."""
    def label_of(member) -> str:
        return _member_label(table, module, enum_name, member)

    label_of.__doc__ = f"Label from the table for :class:`~observatorio.analysis.{module}.{enum_name}` (or its value)."
    return label_of


rate_method_label = _labeller(RATE_METHODS, "intervals", "RateMethod")
polarity_label = _labeller(POLARITIES, "indicator", "Polarity")
indicator_kind_label = _labeller(INDICATOR_KINDS, "indicator", "Kind")
status_label = _labeller(STATUSES, "indicator", "Status")
status_explanation = _labeller(STATUS_EXPLANATIONS, "indicator", "Status")
"""What a Status means, for the hover text beside its colour."""
indicator_trend_label = _labeller(INDICATOR_TRENDS, "indicator", "Trend")
xmr_rule_label = _labeller(XMR_RULES, "xmr", "Rule")
xmr_variation_label = _labeller(XMR_VARIATIONS, "xmr", "Variation")


def reading_text(status, trend=None) -> str:
    """A reading in words, PHE style: "no cumple la meta y empeora"; the status alone without a trend."""
    words = status_label(status)
    if trend is None:
        return words
    return translate(gettext_noop("%(status)s y %(trend)s")) % {"status": words, "trend": indicator_trend_label(trend)}

# Every enum the analysis returns → (its table, its label function). tests/core/test_labels.py checks that each
# enum defined in observatorio.analysis is here, with a Spanish label and an English translation for every member.
FAMILIES = {
    "observatorio.analysis.gistar.GiBin": (GI_BINS, gi_bin_label),
    "observatorio.analysis.emerging.EmergingClass": (EMERGING_CLASSES, emerging_label),
    "observatorio.analysis.moran.Quadrant": (QUADRANTS, quadrant_label),
    "observatorio.analysis.perception.GapClass": (GAP_CLASSES, gap_label),
    "observatorio.analysis.compare.Verdict": (VERDICTS, verdict_label),
    "observatorio.analysis.trend.Direction": (TREND_DIRECTIONS, trend_label),
    "observatorio.analysis.kde.DensityUnit": (DENSITY_UNITS, unit_label),
    "observatorio.analysis.intervals.RateMethod": (RATE_METHODS, rate_method_label),
    "observatorio.analysis.indicator.Polarity": (POLARITIES, polarity_label),
    "observatorio.analysis.indicator.Kind": (INDICATOR_KINDS, indicator_kind_label),
    "observatorio.analysis.indicator.Status": (STATUSES, status_label),
    "observatorio.analysis.indicator.Trend": (INDICATOR_TRENDS, indicator_trend_label),
    "observatorio.analysis.xmr.Rule": (XMR_RULES, xmr_rule_label),
    "observatorio.analysis.xmr.Variation": (XMR_VARIATIONS, xmr_variation_label),
}


def label(member) -> str:
    """Label of a member of any of the enums above (for templates: ``{{ verdict|obs_label }}``)."""
    kind = type(member)
    family = FAMILIES.get(f"{kind.__module__}.{kind.__qualname__}")
    if family is None:
        raise TypeError(f"no labels for {kind.__qualname__} values ({member!r}); see observatorio.labels.FAMILIES")
    return family[1](member)


def typology_description(distinctive, names=None) -> str:
    """A type in words: "alto en X e Y; bajo en Z", or "cercano al promedio" when nothing stands out.

    ``distinctive`` is an :class:`observatorio.analysis.typology.Distinctive`;
    ``names`` maps an indicator (column name) to the name to show, already in
    the active language (default: the column name).
    """
    def listed(keys) -> str:
        shown = [str(names.get(k, k)) if names else str(k) for k in keys]
        if len(shown) == 1:
            return shown[0]
        return translate(gettext_noop("%(first)s y %(last)s")) % {"first": ", ".join(shown[:-1]), "last": shown[-1]}

    parts = []
    if distinctive.high:
        parts.append(translate(gettext_noop("alto en %(indicators)s")) % {"indicators": listed(distinctive.high)})
    if distinctive.low:
        parts.append(translate(gettext_noop("bajo en %(indicators)s")) % {"indicators": listed(distinctive.low)})
    return "; ".join(parts) if parts else translate(gettext_noop("cercano al promedio"))
