"""Main points of a report written from its figures, one sentence per point, in Spanish or in English.

Rule-based, as the Office for National Statistics and the Bureau of Labor
Statistics write their bulletins' main points: each sentence says what one
figure shows and nothing the figure does not support.

- A change is claimed only when its test supports it (``p < alpha`` and a
  :class:`~observatorio.analysis.compare.Verdict` that is not ``NO_CHANGE``);
  otherwise the subject "se mantuvo estable" and the variation is given as
  not significant.
- A figure the disclosure rules hide (``suppressed``, or a value of None) is
  never written, nor bounded ("menos de k" would reveal k): the sentence says
  the figure is reserved.
- Where a significant change concentrates, the areas that account for most
  of it are named (:func:`concentration`).

Pure: no Django (tests/test_purity.py). The Spanish and English wording of
every sentence sits side by side in :data:`TEMPLATES`; ``lang`` ("es" or
"en") picks one. Numbers follow each language's marks (es-CL 1.234,5 and
14,5 %; English 1,234.5 and 14.5%), as :mod:`observatorio.dashboard.numbers`
writes them in the web interface (that module reads Django's active
language, so the few lines are repeated here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from observatorio.analysis.compare import Verdict

LANGS = ("es", "en")
ALPHA = 0.05
CONCENTRATION_SHARE = 0.6
"""The areas named where a change concentrates account for at least this share of it."""
MAX_NAMED_AREAS = 3


@dataclass(frozen=True)
class Subject:
    """What a sentence is about, with the grammar its verb needs.

    ``es`` and ``en`` are written as they start a sentence's subject, with their
    article where the language wants one ("los robos con violencia", "robberies
    with violence"); the sentence capitalises the first letter. ``plural`` gives
    the verb's number ("bajaron"/"bajó"; "fell" either way, "were"/"was").
    The gender is the caller's article ("la violencia intrafamiliar"): the
    templates use only words that do not agree in gender ("estable", "alta").
    """

    es: str
    en: str
    plural: bool = True


@dataclass(frozen=True)
class Unit:
    """What a number counts, singular and plural in both languages (``Unit("caso", "casos", "case", "cases")``)."""

    es: str
    es_plural: str
    en: str
    en_plural: str

    def words(self, value: float, lang: str) -> str:
        one = value == 1
        if lang == "es":
            return self.es if one else self.es_plural
        return self.en if one else self.en_plural


CASES = Unit("caso", "casos", "case", "cases")
PER_100K = Unit("por 100.000 habitantes", "por 100.000 habitantes", "per 100,000 residents",
                "per 100,000 residents")


@dataclass(frozen=True)
class AreaContribution:
    """One area's part of a change: ``change`` = its current − previous value (counts, or a rate's part)."""

    area: str
    change: float
    suppressed: bool = False
    """The area's figures are hidden by the disclosure rules: it is never named."""


@dataclass(frozen=True)
class Change:
    """A figure in two periods and the test of its change (``analysis.compare``)."""

    subject: Subject
    current: float | None
    previous: float | None
    p_value: float
    verdict: Verdict
    current_label: str
    """The current period as the sentence names it: "2025", "noviembre de 2025" / "November 2025"."""
    previous_label: str
    unit: Unit = CASES
    digits: int = 0
    """Decimals of the values (0 for counts, 1 for rates)."""
    suppressed: bool = False
    where: Sequence[AreaContribution] = field(default_factory=tuple)


@dataclass(frozen=True)
class Total:
    """A figure in one period: "los robos sumaron 1.234 casos en 2025"."""

    subject: Subject
    value: float | None
    period_label: str
    unit: Unit = CASES
    digits: int = 0
    suppressed: bool = False


@dataclass(frozen=True)
class Ranked:
    """One area of a ranking; a suppressed one is left out of the sentence."""

    area: str
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Rank:
    """The areas with the highest values: "los robos registraron las cifras más altas en A (312 casos), B (280) y C
    (240) en 2025"; a suppressed area is left out (it holds few events, never the highest)."""

    subject: Subject
    items: Sequence[Ranked]
    period_label: str
    unit: Unit = CASES
    digits: int = 0
    top: int = 3


@dataclass(frozen=True)
class Share:
    """A part of a whole: "los robos representaron el 23 % de los casos policiales en 2025"."""

    subject: Subject
    whole: Subject
    part: float | None
    total: float | None
    period_label: str
    suppressed: bool = False


# Paired templates: the same sentence in Spanish and in English. Keys ending in _sg/_pl take the subject's number.
TEMPLATES = {
    "down_pl": ("{S} bajaron {pct} en {cur} respecto de {prev} (de {a} a {b}; {p}).",
                "{S} fell by {pct} in {cur} compared with {prev} (from {a} to {b}; {p})."),
    "down_sg": ("{S} bajó {pct} en {cur} respecto de {prev} (de {a} a {b}; {p}).",
                "{S} fell by {pct} in {cur} compared with {prev} (from {a} to {b}; {p})."),
    "up_pl": ("{S} subieron {pct} en {cur} respecto de {prev} (de {a} a {b}; {p}).",
              "{S} rose by {pct} in {cur} compared with {prev} (from {a} to {b}; {p})."),
    "up_sg": ("{S} subió {pct} en {cur} respecto de {prev} (de {a} a {b}; {p}).",
              "{S} rose by {pct} in {cur} compared with {prev} (from {a} to {b}; {p})."),
    "up_from_zero_pl": ("{S} subieron de {a} a {b} en {cur} respecto de {prev} ({p}).",
                        "{S} rose from {a} to {b} in {cur} compared with {prev} ({p})."),
    "up_from_zero_sg": ("{S} subió de {a} a {b} en {cur} respecto de {prev} ({p}).",
                        "{S} rose from {a} to {b} in {cur} compared with {prev} ({p})."),
    "stable_pl": ("{S} se mantuvieron estables en {cur} respecto de {prev} (variación de {pct}, no significativa; "
                  "{p}).",
                  "{S} were stable in {cur} compared with {prev} (a change of {pct}, not significant; {p})."),
    "stable_sg": ("{S} se mantuvo estable en {cur} respecto de {prev} (variación de {pct}, no significativa; {p}).",
                  "{S} was stable in {cur} compared with {prev} (a change of {pct}, not significant; {p})."),
    "stable_from_zero_pl": ("{S} se mantuvieron estables en {cur} respecto de {prev} (de {a} a {b}, variación no "
                            "significativa; {p}).",
                            "{S} were stable in {cur} compared with {prev} (from {a} to {b}, a change that is not "
                            "significant; {p})."),
    "stable_from_zero_sg": ("{S} se mantuvo estable en {cur} respecto de {prev} (de {a} a {b}, variación no "
                            "significativa; {p}).",
                            "{S} was stable in {cur} compared with {prev} (from {a} to {b}, a change that is not "
                            "significant; {p})."),
    "none_pl": ("{S} no registraron {unit} en {cur} ni en {prev}.",
                "{S} recorded no {unit} in {cur} or in {prev}."),
    "none_sg": ("{S} no registró {unit} en {cur} ni en {prev}.",
                "{S} recorded no {unit} in {cur} or in {prev}."),
    "change_reserved": ("Las cifras de {s} en {cur} y {prev} se reservan por las reglas de confidencialidad; "
                        "no se informa su variación.",
                        "The figures for {s} in {cur} and {prev} are withheld under the confidentiality rules; "
                        "their change is not reported."),
    "concentrated_down": ("La baja se concentra en {areas} ({share} de la disminución).",
                          "The fall is concentrated in {areas} ({share} of the decrease)."),
    "concentrated_up": ("El alza se concentra en {areas} ({share} del aumento).",
                        "The rise is concentrated in {areas} ({share} of the increase)."),
    "total_pl": ("{S} sumaron {a} en {cur}.", "{S} totalled {a} in {cur}."),
    "total_sg": ("{S} sumó {a} en {cur}.", "{S} totalled {a} in {cur}."),
    "total_reserved": ("La cifra de {s} en {cur} se reserva por las reglas de confidencialidad.",
                       "The figure for {s} in {cur} is withheld under the confidentiality rules."),
    "rank_pl": ("{S} registraron las cifras más altas en {items} en {cur}.",
                "{S} were highest in {items} in {cur}."),
    "rank_sg": ("{S} registró las cifras más altas en {items} en {cur}.",
                "{S} was highest in {items} in {cur}."),
    "rank_one_pl": ("{S} registraron la cifra más alta en {items} en {cur}.", "{S} were highest in {items} in {cur}."),
    "rank_one_sg": ("{S} registró la cifra más alta en {items} en {cur}.", "{S} was highest in {items} in {cur}."),
    "rank_reserved": ("Las cifras por área de {s} en {cur} se reservan por las reglas de confidencialidad.",
                      "The figures by area for {s} in {cur} are withheld under the confidentiality rules."),
    "share": ("{S} representaron el {pct} de {w} en {cur} ({a} de {b}).",
              "{S} made up {pct} of {w} in {cur} ({a} of {b})."),
    "share_sg": ("{S} representó el {pct} de {w} en {cur} ({a} de {b}).",
                 "{S} made up {pct} of {w} in {cur} ({a} of {b})."),
    "share_reserved": ("La proporción de {s} en {w} en {cur} se reserva por las reglas de confidencialidad.",
                       "The share of {s} in {w} in {cur} is withheld under the confidentiality rules."),
    "and": (" y ", " and "),
    "p_below": ("p < {v}", "p < {v}"),
    "p_equal": ("p = {v}", "p = {v}"),
    "p_above": ("p > {v}", "p > {v}"),
}


def _t(key: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: one of {LANGS}")
    return TEMPLATES[key][LANGS.index(lang)]


def number(value: float, lang: str, digits: int = 0) -> str:
    """``value`` rounded to ``digits`` decimals with the language's marks.

    >>> number(1234.5, "es", 1), number(1234.5, "en", 1)
    ('1.234,5', '1,234.5')
    """
    text = f"{float(value):,.{int(digits)}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    return text.translate(str.maketrans({",": ".", ".": ","})) if lang == "es" else text


def percent(value: float, lang: str, signed: bool = False) -> str:
    """A percentage rounded sensibly: whole numbers, one decimal below 10 % only where the whole number would be 0.

    >>> percent(-14.2, "es"), percent(4.4, "es", signed=True), percent(0.42, "en", signed=True)
    ('14 %', '+4 %', '+0.4%')
    """
    digits = 1 if 0 < abs(value) < 0.95 else 0
    text = number(value if signed else abs(value), lang, digits)
    if signed and not text.startswith("-") and round(value, digits) != 0:
        text = "+" + text
    return f"{text} %" if lang == "es" else f"{text}%"


def p_text(p_value: float, lang: str) -> str:
    """A p-value as a bulletin writes it: p < 0,001, p < 0,01, p = 0,031 (two significant digits), p = 0,41.

    A value just below 0.05 that would round to it reads "p < 0,05"; above 0.99, "p > 0,99".

    >>> p_text(0.0004, "es"), p_text(0.0312, "es"), p_text(0.049, "en"), p_text(0.413, "en")
    ('p < 0,001', 'p = 0,031', 'p = 0.049', 'p = 0.41')
    """
    key, value = _p_parts(p_value, lang)
    return _t(key, lang).format(v=value)


def p_figure(p_value: float | None, lang: str) -> str:
    """The same p- (or q-) value for a table cell, without its letter: < 0,001, 0,031, > 0,99; «—» for none.

    >>> p_figure(0.0004, "es"), p_figure(0.0312, "es"), p_figure(None, "en")
    ('< 0,001', '0,031', '—')
    """
    if p_value is None:
        return "—"
    key, value = _p_parts(p_value, lang)
    return {"p_below": "< ", "p_above": "> "}.get(key, "") + value


def _p_parts(p_value: float, lang: str) -> tuple[str, str]:
    """The relation (a TEMPLATES key) and the rounded figure of a p-value, as ``p_text`` writes them."""
    if not 0 <= p_value <= 1:
        raise ValueError(f"p_value={p_value!r} is not a probability")
    if p_value < 0.001:
        return "p_below", number(0.001, lang, 3)
    if p_value < 0.01:
        return "p_below", number(0.01, lang, 2)
    if p_value > 0.99:
        return "p_above", number(0.99, lang, 2)
    # two significant digits below 0.1, two decimals above
    digits = 2 if p_value >= 0.095 else 1 - math.floor(math.log10(p_value))
    if p_value < ALPHA <= round(p_value, digits):
        return "p_below", number(ALPHA, lang, 2)  # 0.0499 is not "p = 0,05"
    return "p_equal", number(p_value, lang, digits).rstrip("0").rstrip(",.")


def significant(p_value: float, verdict: Verdict, alpha: float = ALPHA) -> bool:
    """Whether a change may be claimed: the test's verdict is a change and ``p_value < alpha`` (strictly)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be strictly between 0 and 1")
    return Verdict(verdict) != Verdict.NO_CHANGE and p_value < alpha


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _subject(subject: Subject, lang: str) -> str:
    return subject.es if lang == "es" else subject.en


def _listed(names: Sequence[str], lang: str) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + _t("and", lang) + names[-1]


def _amount(value: float, unit: Unit, digits: int, lang: str) -> str:
    return f"{number(value, lang, digits)} {unit.words(round(value, digits), lang)}"


def _hidden(value, suppressed: bool) -> bool:
    return suppressed or value is None or (isinstance(value, float) and math.isnan(value))


def change(c: Change, lang: str = "es", alpha: float = ALPHA) -> list[str]:
    """The sentences of a change: what happened, then where it concentrates (only for a significant change)."""
    s = _subject(c.subject, lang)
    if _hidden(c.current, c.suppressed) or _hidden(c.previous, c.suppressed):
        return [_t("change_reserved", lang).format(s=s, cur=c.current_label, prev=c.previous_label)]
    number_key = "pl" if c.subject.plural else "sg"
    fields = dict(S=_capital(s), cur=c.current_label, prev=c.previous_label,
                  a=number(c.previous, lang, c.digits), b=_amount(c.current, c.unit, c.digits, lang),
                  unit=c.unit.words(0, lang), p=p_text(c.p_value, lang))
    is_change = significant(c.p_value, c.verdict, alpha)
    if is_change:
        rising = c.current > c.previous
        if rising != (Verdict(c.verdict) == Verdict.UP) or c.current == c.previous:
            raise ValueError(f"verdict {Verdict(c.verdict).value!r} disagrees with {c.previous} → {c.current}")
    if c.previous == 0:
        if c.current == 0:
            return [_t(f"none_{number_key}", lang).format(**fields)]
        key = "up_from_zero" if is_change else "stable_from_zero"
        return [_t(f"{key}_{number_key}", lang).format(**fields)]
    pct = 100.0 * (c.current - c.previous) / c.previous
    if not is_change:
        return [_t(f"stable_{number_key}", lang).format(pct=percent(pct, lang, signed=True), **fields)]
    key = "up" if c.current > c.previous else "down"
    sentences = [_t(f"{key}_{number_key}", lang).format(pct=percent(pct, lang), **fields)]
    where = concentration(c.current - c.previous, c.where)
    if where:
        names, share = where
        sentences.append(_t(f"concentrated_{key}", lang).format(areas=_listed(names, lang),
                                                              share=percent(100.0 * share, lang)))
    return sentences


def concentration(total_change: float, where: Sequence[AreaContribution], *, share: float = CONCENTRATION_SHARE,
                  max_named: int = MAX_NAMED_AREAS) -> tuple[list[str], float] | None:
    """The fewest areas that account for at least ``share`` of a change, and the share they account for.

    The share is of the areas' changes in the change's direction (of the decreases, for a fall), so areas that
    moved the other way do not push it past 100 %. Areas are taken by the size of their part. None when the
    change is zero, a hidden area would be needed, or more than ``max_named`` areas (or more than half of them)
    would be: then the change is spread, not concentrated. Areas whose changes do not add up to the total
    (another set of areas) are refused.
    """
    if not where or total_change == 0:
        return None
    if not math.isclose(sum(a.change for a in where), total_change, rel_tol=1e-6, abs_tol=1e-6):
        raise ValueError(f"the areas' changes add up to {sum(a.change for a in where)}, not {total_change}")
    sign = 1 if total_change > 0 else -1
    ordered = sorted((a for a in where if sign * a.change > 0), key=lambda a: (-abs(a.change), a.area))
    gross = sum(a.change for a in ordered)
    named, got = [], 0.0
    for a in ordered:
        if a.suppressed:
            return None
        named.append(a.area)
        got += a.change
        if got / gross >= share:
            break
    if len(named) > max_named or 2 * len(named) > len(where):
        return None
    return named, got / gross


def total(t: Total, lang: str = "es") -> str:
    s = _subject(t.subject, lang)
    if _hidden(t.value, t.suppressed):
        return _t("total_reserved", lang).format(s=s, cur=t.period_label)
    key = "total_pl" if t.subject.plural else "total_sg"
    return _t(key, lang).format(S=_capital(s), a=_amount(t.value, t.unit, t.digits, lang), cur=t.period_label)


def rank(r: Rank, lang: str = "es") -> str:
    """The top areas, highest first (ties by name); the unit is written with the first value only."""
    s = _subject(r.subject, lang)
    shown = sorted((i for i in r.items if not _hidden(i.value, i.suppressed)), key=lambda i: (-i.value, i.area))
    shown = shown[: r.top]
    if not shown:
        return _t("rank_reserved", lang).format(s=s, cur=r.period_label)
    items = [f"{shown[0].area} ({_amount(shown[0].value, r.unit, r.digits, lang)})"]
    items += [f"{i.area} ({number(i.value, lang, r.digits)})" for i in shown[1:]]
    key = ("rank_one_" if len(shown) == 1 else "rank_") + ("pl" if r.subject.plural else "sg")
    return _t(key, lang).format(S=_capital(s), cur=r.period_label, items=_listed(items, lang))


def share(sh: Share, lang: str = "es") -> str:
    s, w = _subject(sh.subject, lang), _subject(sh.whole, lang)
    if _hidden(sh.part, sh.suppressed) or _hidden(sh.total, sh.suppressed) or not sh.total:
        return _t("share_reserved", lang).format(s=s, w=w, cur=sh.period_label)
    key = "share" if sh.subject.plural else "share_sg"
    return _t(key, lang).format(S=_capital(s), w=w, cur=sh.period_label, pct=percent(100.0 * sh.part / sh.total, lang),
                                a=number(sh.part, lang), b=number(sh.total, lang))


# --- programme indicators (reports/kinds/programas.py, reports/programme_status.py) -----------------------------


@dataclass(frozen=True)
class TargetTally:
    """The indicators with a target and a value in a period, by status: "De 23 indicadores con meta y datos en
    2025, 14 la cumplen, 5 no la cumplen y 4 no son concluyentes". ``uncertain``: the interval contains the target (no claim either way)."""

    meets: int
    not_met: int
    uncertain: int
    period_label: str


@dataclass(frozen=True)
class StatusChanges:
    """Indicators whose status changed between two periods: ``better`` moved towards meeting the target
    (not met → uncertain → meets), ``worse`` away from it, ``other`` to or from "no target / not enough data"."""

    better: int
    worse: int
    other: int
    current_label: str
    previous_label: str


@dataclass(frozen=True)
class Displacement:
    """A programme's Weighted Displacement Difference (``analysis.wdd``): negative, fewer events than the
    control's trend predicts. ``suppressed``: a zone's count is hidden by the disclosure rules."""

    programme: str
    estimate: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    suppressed: bool = False


TEMPLATES.update({
    "tally": ("De {n} {ind} con meta y datos en {cur}, {a} {meets}, {b} no la {cumple} y {c} no {son} "
              "{inciertos} (el intervalo incluye la meta).",
              "Of {n} {ind} with a target and data in {cur}, {a} {meets}, {b} did not and {c} {son} not conclusive "
              "(the interval includes the target)."),
    "tally_none": ("Ningún indicador con meta tiene datos en {cur}.",
                   "No indicator with a target has data in {cur}."),
    "changes": ("{n} {ind} de programas cambiaron de estado entre {prev} y {cur}: {b} {mejoro} y {w} {empeoro}.",
                "{n} programme {ind} changed status between {prev} and {cur}: {b} improved and {w} worsened."),
    "changes_other": (" {o} {pasa} a o desde «sin meta» o «sin datos suficientes».",
                      " {o} moved to or from “no target” or “not enough data”."),
    "changes_none": ("Ningún indicador de programa cambió de estado entre {prev} y {cur}.",
                     "No programme indicator changed status between {prev} and {cur}."),
    "wdd_down": ("En la zona de {name} hubo {x} eventos menos de lo esperable según la zona de control, "
                 "desplazamiento incluido (diferencia ponderada {e}; IC 95 %: {lo} a {hi}; {p}).",
                 "In the area of {name} there were {x} fewer events than the control area predicts, displacement "
                 "included (weighted displacement difference {e}; 95% CI {lo} to {hi}; {p})."),
    "wdd_up": ("En la zona de {name} hubo {x} eventos más de lo esperable según la zona de control, "
               "desplazamiento incluido (diferencia ponderada {e}; IC 95 %: {lo} a {hi}; {p}).",
               "In the area of {name} there were {x} more events than the control area predicts, displacement "
               "included (weighted displacement difference {e}; 95% CI {lo} to {hi}; {p})."),
    "wdd_none": ("En la zona de {name} los eventos no difieren significativamente de lo esperable según la zona de "
                 "control (diferencia ponderada {e}; IC 95 %: {lo} a {hi}; {p}).",
                 "In the area of {name} events did not differ significantly from what the control area predicts "
                 "(weighted displacement difference {e}; 95% CI {lo} to {hi}; {p})."),
    "wdd_reserved": ("El análisis de impacto de {name} se reserva por las reglas de confidencialidad.",
                     "The impact analysis of {name} is withheld under the confidentiality rules."),
})


def tally(t: TargetTally, lang: str = "es") -> str:
    """How many indicators with a target meet it, do not, and are uncertain; counts only what has a value."""
    n = t.meets + t.not_met + t.uncertain
    if n == 0:
        return _t("tally_none", lang).format(cur=t.period_label)
    if lang == "es":
        words = dict(ind="indicador" if n == 1 else "indicadores",
                     meets="la cumple" if t.meets == 1 else "la cumplen", cumple="cumple" if t.not_met == 1 else
                     "cumplen", son="es" if t.uncertain == 1 else "son",
                     inciertos="concluyente" if t.uncertain == 1 else "concluyentes")
    else:
        words = dict(ind="indicator" if n == 1 else "indicators", meets="met it", cumple="", inciertos="",
                     son="was" if t.uncertain == 1 else "were")
    return _t("tally", lang).format(n=number(n, lang), a=number(t.meets, lang), b=number(t.not_met, lang),
                                    c=number(t.uncertain, lang), cur=t.period_label, **words)


def status_changes(c: StatusChanges, lang: str = "es") -> str:
    n = c.better + c.worse + c.other
    if n == 0:
        return _t("changes_none", lang).format(cur=c.current_label, prev=c.previous_label)
    if lang == "es":
        words = dict(ind="indicador" if n == 1 else "indicadores",
                     mejoro="mejoró" if c.better == 1 else "mejoraron",
                     empeoro="empeoró" if c.worse == 1 else "empeoraron")
    else:
        words = dict(ind="indicator" if n == 1 else "indicators", mejoro="", empeoro="")
    text = _t("changes", lang).format(n=number(n, lang), b=number(c.better, lang), w=number(c.worse, lang),
                                      cur=c.current_label, prev=c.previous_label, **words)
    if lang == "es" and n == 1:
        text = text.replace("cambiaron", "cambió", 1)
    if c.other:
        text += _t("changes_other", lang).format(o=number(c.other, lang),
                                                 pasa="pasó" if c.other == 1 else "pasaron")
    return _capital(text)


def displacement(d: Displacement, lang: str = "es", alpha: float = ALPHA) -> str:
    """The WDD in words: a rise or fall only when its test supports it (``p < alpha``)."""
    if d.suppressed or None in (d.estimate, d.lower, d.upper, d.p_value):
        return _t("wdd_reserved", lang).format(name=d.programme)
    figures = dict(name=d.programme, e=number(d.estimate, lang, 1), lo=number(d.lower, lang, 1),
                   hi=number(d.upper, lang, 1), p=p_text(d.p_value, lang), x=number(abs(d.estimate), lang, 1))
    key = "wdd_none" if d.p_value >= alpha or d.estimate == 0 else ("wdd_down" if d.estimate < 0 else "wdd_up")
    return _t(key, lang).format(**figures)
