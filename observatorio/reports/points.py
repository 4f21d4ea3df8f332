"""Main points from a section's facts: the one way a report turns its figures (``reports/facts.py``) into
sentences (``reports/sentences.py``).

A kind's builder counts through the dashboard engine and keeps the plain numbers in ``Section.facts``
(``CountFact`` with its two ``facts.Change`` comparisons, ``AreaFact`` for the areas that moved after FDR
control, ``HotspotFact`` and ``EmergingFact`` for the maps); :func:`main_points` writes the section's main
points from them, in Spanish or English. The two families of dataclasses are not the same thing twice:
``facts`` hold what the engine answered (counts, p-values, windows, None where disclosure control withholds
a figure), ``sentences`` hold what a sentence needs (a subject with its grammar, labels of periods, a unit);
this module is the only bridge.

Rules, as ``sentences`` keeps them: a change is claimed only when the engine's shown verdict is a change
(enough events, ``p < 0.05``); a comparison resting on too few events says so; a withheld figure (None) is
never written nor bounded; an area or cell withheld is never named.

Pure: no Django (tests/test_purity.py). Its few words are paired Spanish/English templates (:data:`WORDS`),
as in ``sentences.py`` and ``maps.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from observatorio.analysis.compare import Verdict

from . import sentences
from .facts import AreaFact, Change, CountFact
from .sentences import Subject, Unit, number

MAX_NAMED = 3
"""Areas named in a sentence; more are counted ("y 2 más")."""

MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

UNITS = {  # the measures' units (Spanish plural, as records/measures.py writes them) in English
    "casos": ("case", "cases"), "denuncias": ("report", "reports"), "llamados": ("call", "calls"),
    "patrullajes": ("patrol", "patrols"), "demandas": ("request", "requests"), "eventos": ("event", "events"),
}

WORDS = {
    "month": ("{m} de {y}", "{m} {y}"),
    "span": ("el período del {a} al {b}", "the period {a} to {b}"),
    "few": ("{S} pasaron de {a} a {b} en {cur} respecto de {prev}: son muy pocos eventos ({n}; se necesitan "
            "{min}) para afirmar un cambio.",
            "{S} went from {a} to {b} in {cur} compared with {prev}: too few events ({n}; {min} are needed) to "
            "claim a change."),
    "few_sg": ("{S} pasó de {a} a {b} en {cur} respecto de {prev}: son muy pocos eventos ({n}; se necesitan "
               "{min}) para afirmar un cambio.",
               "{S} went from {a} to {b} in {cur} compared with {prev}: too few events ({n}; {min} are needed) "
               "to claim a change."),
    "areas_up": ("Frente a {prev}, {n} {level} subieron significativamente tras controlar la tasa de falsos "
                 "descubrimientos: {items}.",
                 "Compared with {prev}, {n} {level} rose significantly after false discovery rate control: "
                 "{items}."),
    "areas_down": ("Frente a {prev}, {n} {level} bajaron significativamente tras controlar la tasa de falsos "
                   "descubrimientos: {items}.",
                   "Compared with {prev}, {n} {level} fell significantly after false discovery rate control: "
                   "{items}."),
    "areas_up_one": ("Frente a {prev}, {a_one} {level_one} subió significativamente tras controlar la tasa de falsos "
                     "descubrimientos: {items}.",
                     "Compared with {prev}, one {level_one} rose significantly after false discovery rate "
                     "control: {items}."),
    "areas_down_one": ("Frente a {prev}, {a_one} {level_one} bajó significativamente tras controlar la tasa de "
                       "falsos descubrimientos: {items}.",
                       "Compared with {prev}, one {level_one} fell significantly after false discovery rate "
                       "control: {items}."),
    "areas_none": ("{No} {level_one} cambió significativamente frente a {prev} tras controlar la tasa de "
                   "falsos descubrimientos.",
                   "No {level_one} changed significantly compared with {prev} after false discovery rate "
                   "control."),
    "area_item": ("{name} (de {a} a {b})", "{name} (from {a} to {b})"),
    "more": ("{n} más", "{n} more"),
    "top_areas": ("{The} {level} con más {unit} en {cur} fueron {items}.",
                  "The {level} with the most {unit} in {cur} were {items}."),
    "top_one": ("{The_one} {level_one} con más {unit} en {cur} fue {items}.",
                "The {level_one} with the most {unit} in {cur} was {items}."),
    "top_reserved": ("Las cifras por {level_one} en {cur} se reservan por las reglas de confidencialidad.",
                     "The figures by {level_one} in {cur} are withheld under the confidentiality rules."),
    "hot": ("En {cur}, {n} celdas de {cell} m son puntos calientes de {unit} (Gi*, confianza de 90 % o más con "
            "corrección FDR){where}.",
            "In {cur}, {n} cells of {cell} m are hot spots of {unit} (Gi*, 90% confidence or more with FDR "
            "correction){where}."),
    "hot_one": ("En {cur}, una celda de {cell} m es punto caliente de {unit} (Gi*, confianza de 90 % o más con "
                "corrección FDR){where}.",
                "In {cur}, one cell of {cell} m is a hot spot of {unit} (Gi*, 90% confidence or more with FDR "
                "correction){where}."),
    "hot_none": ("En {cur} ninguna celda es un punto caliente significativo de {unit} (Gi* con corrección FDR).",
                 "In {cur} no cell is a significant hot spot of {unit} (Gi* with FDR correction)."),
    "hot_few": ("En {cur} hay {n} {unit} ubicados en el área de estudio: se necesitan al menos {min} para "
                "identificar puntos calientes, por lo que no se informan.",
                "In {cur} there are {n} {unit} placed in the study area: at least {min} are needed to identify "
                "hot spots, so none are reported."),
    "hot_few_withheld": ("En {cur} hay menos de {min} {unit} ubicados en el área de estudio, los que se necesitan "
                         "para identificar puntos calientes, por lo que no se informan.",
                         "In {cur} fewer than {min} {unit} are placed in the study area, the number needed to "
                         "identify hot spots, so none are reported."),
    "emerging_few_withheld": ("Para los puntos calientes emergentes se necesitan al menos {min} eventos ubicados "
                              "en cada mes de los {steps} hasta {cur}; algún mes tiene menos, por lo que no se "
                              "informan.",
                              "Emerging hot spots need at least {min} placed events in each of the {steps} months "
                              "to {cur}; some month has fewer, so none are reported."),
    "where": (", sobre todo en {areas}", ", mostly in {areas}"),
    "emerging": ("En los {steps} meses hasta {cur}, {what}{where}.",
                 "Over the {steps} months to {cur}, {what}{where}."),
    "emerging_new": ("{n} celdas son puntos calientes nuevos", "{n} cells are new hot spots"),
    "emerging_new_one": ("una celda es un punto caliente nuevo", "one cell is a new hot spot"),
    "emerging_int": ("{n} celdas son puntos calientes que se intensifican",
                     "{n} cells are intensifying hot spots"),
    "emerging_int_one": ("una celda es un punto caliente que se intensifica", "one cell is an intensifying hot spot"),
    "emerging_none": ("En los {steps} meses hasta {cur} no aparecen puntos calientes nuevos ni que se "
                      "intensifiquen.",
                      "Over the {steps} months to {cur} no new or intensifying hot spot appears."),
    "emerging_few": ("Para los puntos calientes emergentes se necesitan al menos {min} eventos ubicados en cada "
                     "mes de los {steps} hasta {cur}; el mes con menos tiene {n}, por lo que no se informan.",
                     "Emerging hot spots need at least {min} placed events in each of the {steps} months to "
                     "{cur}; the month with the fewest has {n}, so none are reported."),
    "families_stable": ("Ninguna familia cambió significativamente frente a {prev} ni frente a {last}.",
                        "No family changed significantly compared with {prev} or with {last}."),
    "methods": ("Las cifras cuentan los datos cargados hasta el {cut} (versión {v}); los cambios se afirman solo "
                "con la prueba exacta de Poisson al 5 % y, por área, tras controlar la tasa de falsos "
                "descubrimientos.",
                "The figures count the data loaded up to {cut} (version {v}); changes are claimed only by the "
                "exact Poisson test at 5% and, by area, after false discovery rate control."),
    "reserved": ("Las cifras de {name} en {cur} y {prev} se reservan por las reglas de confidencialidad; no se "
                 "informa su variación.",
                 "The figures for {name} in {cur} and {prev} are withheld under the confidentiality rules; their "
                 "change is not reported."),
    "families_stable_one": ("Ninguna familia cambió significativamente frente a {prev}.",
                            "No family changed significantly compared with {prev}."),
    "and": (" y ", " and "),
}

LEVELS = {  # level → language → (singular, plural, "one", "no", "the" plural, "the" singular)
    "uv": {"es": ("unidad vecinal", "unidades vecinales", "una", "Ninguna", "Las", "La"),
           "en": ("neighbourhood unit", "neighbourhood units", "one", "No", "The", "The")},
    "macrosector": {"es": ("macrosector", "macrosectores", "un", "Ningún", "Los", "El"),
                    "en": ("macrosector", "macrosectors", "one", "No", "The", "The")},
}


def w(key: str, lang: str, **fields) -> str:
    if lang not in sentences.LANGS:
        raise ValueError(f"lang={lang!r}: one of {sentences.LANGS}")
    return WORDS[key][sentences.LANGS.index(lang)].format(**fields)


def _listed(names: Sequence[str], lang: str) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + w("and", lang) + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- words for periods, subjects and units ------------------------------------------------------------------


def _month_end(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def period_label(start: dt.date, end: dt.date, lang: str) -> str:
    """A period as a sentence names it: "noviembre de 2026" / "November 2026" for a whole month, "2026" for a
    whole year, else "el período del 01-11-2026 al 15-11-2026" / "the period 2026-11-01 to 2026-11-15"."""
    if start.day == 1 and end == _month_end(start) and start.month == end.month and start.year == end.year:
        return w("month", lang, m=MONTHS[lang][start.month - 1], y=start.year)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if lang == "es":
        return w("span", lang, a=start.strftime("%d-%m-%Y"), b=end.strftime("%d-%m-%Y"))
    return w("span", lang, a=start.isoformat(), b=end.isoformat())


def unit_of(unit: str) -> Unit:
    """A measure's unit ("casos") in both languages; an unknown one is written as it is in English too."""
    plural = unit.strip() or "eventos"
    singular = plural[:-1] if plural.endswith("s") and not plural.endswith("es") else plural
    en = UNITS.get(plural.lower(), (plural, plural))
    return Unit(singular, plural, *en)


def subject_of(fact: CountFact) -> Subject:
    """"la cifra de casos policiales" for a measure, "los casos de robos …" for one family of it."""
    if fact.family:
        return Subject(f"los casos de {fact.family.lower()}", f"cases of “{fact.family}”")
    return Subject(f"la cifra de {fact.measure_name.lower()}", f"the count of “{fact.measure_name}”", plural=False)


# --- the facts' sentences -----------------------------------------------------------------------------------


FEW_EVENTS = "few_events"


def change_points(fact: CountFact, c: Change, lang: str, *, min_events: int) -> list[str]:
    """The sentences of one comparison of ``fact``: a change only where the engine's shown verdict is one."""
    subject, unit = subject_of(fact), unit_of(fact.unit)
    cur, prev = period_label(fact.start, fact.end, lang), period_label(c.start, c.end, lang)
    hidden = fact.count is None or c.count is None
    if hidden:
        name = fact.family or fact.measure_name
        return [w("reserved", lang, name=name.lower() if lang == "es" else f"“{name}”", cur=cur, prev=prev)]
    if c.outcome == FEW_EVENTS:
        key = "few" if subject.plural else "few_sg"
        s = subject.es if lang == "es" else subject.en
        return [w(key, lang, S=_capital(s), a=number(c.count, lang),
                  b=f"{number(fact.count, lang)} {unit.words(fact.count, lang)}", cur=cur, prev=prev,
                  n=number(fact.count + c.count, lang), min=number(min_events, lang))]
    verdict = Verdict(c.outcome) if c.outcome in (Verdict.UP, Verdict.DOWN) else Verdict.NO_CHANGE
    if verdict != Verdict.NO_CHANGE and not hidden and (fact.count > c.count) != (verdict == Verdict.UP):
        verdict = Verdict.NO_CHANGE  # rates per day and counts disagree (months of unequal length): claim nothing
    where = tuple(sentences.AreaContribution(p.name, p.change, p.withheld) for p in c.where)
    return sentences.change(sentences.Change(
        subject, fact.count, c.count, 1.0 if c.p_value is None else c.p_value, verdict, cur, prev, unit=unit,
        suppressed=hidden, where=where), lang)


def count_points(fact: CountFact, lang: str, *, min_events: int, which=("previous", "last_year")) -> list[str]:
    """The comparisons ``which`` of ``fact``; a window compared twice (a year's previous year is the year
    before) is written once."""
    out: list[str] = []
    seen = set()
    for name in which:
        c = getattr(fact, name)
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            out += change_points(fact, c, lang, min_events=min_events)
    return out


def _level(level: str, lang: str) -> dict:
    """The words of a level for the templates: level, level_one and their articles."""
    one, many, a_one, no, the, the_one = LEVELS["uv" if level == "uv" else "macrosector"][lang]
    return dict(level=many, level_one=one, a_one=a_one, No=no, The=the, The_one=the_one)


def area_points(areas: Sequence[AreaFact], *, level: str, previous: str, lang: str) -> list[str]:
    """The areas that rose and those that fell after FDR control (``previous``: the compared window's label);
    an area whose counts are withheld is not named (it is not in the section's facts)."""
    shown = [a for a in areas if a.count is not None and a.before is not None]
    if not shown:
        return [w("areas_none", lang, prev=previous, **_level(level, lang))]
    out = []
    for direction in ("up", "down"):
        moved = [a for a in shown if a.outcome == direction]
        if not moved:
            continue
        items = [w("area_item", lang, name=a.name, a=number(a.before, lang), b=number(a.count, lang))
                 for a in moved[:MAX_NAMED]]
        if len(moved) > MAX_NAMED:
            items.append(w("more", lang, n=number(len(moved) - MAX_NAMED, lang)))
        key = f"areas_{direction}" + ("_one" if len(moved) == 1 else "")
        out.append(w(key, lang, prev=previous, n=number(len(moved), lang), items=_listed(items, lang),
                     **_level(level, lang)))
    return out


@dataclass(frozen=True)
class RankFact:
    """The areas of a map with the most events in the period (None: withheld, never named)."""

    level: str
    unit: str
    start: dt.date
    end: dt.date
    counts: Sequence[tuple[str, int | None]]


def rank_points(r: RankFact, lang: str, top: int = MAX_NAMED) -> list[str]:
    shown = sorted(((n, c) for n, c in r.counts if c is not None and c > 0), key=lambda x: (-x[1], x[0]))[:top]
    cur, unit = period_label(r.start, r.end, lang), unit_of(r.unit)
    if not shown:
        if any(c is None for _n, c in r.counts):
            return [w("top_reserved", lang, cur=cur, **_level(r.level, lang))]
        return []
    items = _listed([f"{n} ({number(c, lang)})" for n, c in shown], lang)
    key = "top_one" if len(shown) == 1 else "top_areas"
    return [w(key, lang, unit=unit.words(2, lang), cur=cur, items=items, **_level(r.level, lang))]


@dataclass(frozen=True)
class HotspotFact:
    """Gi* of the period: hot cells drawn (withheld ones left out) and the areas holding most of them."""

    unit: str
    start: dt.date
    end: dt.date
    cell: int
    events: int | None  # None: withheld (1..k−1 in a public report)
    minimum: int
    hot_cells: int | None  # None: too few events for Gi*
    areas: Sequence[str] = ()


def hotspot_points(h: HotspotFact, lang: str) -> list[str]:
    cur, unit = period_label(h.start, h.end, lang), unit_of(h.unit)
    if h.hot_cells is None and h.events is None:
        return [w("hot_few_withheld", lang, cur=cur, unit=unit.words(2, lang), min=number(h.minimum, lang))]
    if h.hot_cells is None:
        return [w("hot_few", lang, cur=cur, n=number(h.events, lang), unit=unit.words(h.events, lang),
                  min=number(h.minimum, lang))]
    if h.hot_cells == 0:
        return [w("hot_none", lang, cur=cur, unit=unit.words(2, lang))]
    where = w("where", lang, areas=_listed(list(h.areas), lang)) if h.areas else ""
    key = "hot_one" if h.hot_cells == 1 else "hot"
    return [w(key, lang, cur=cur, n=number(h.hot_cells, lang), cell=h.cell, unit=unit.words(2, lang),
              where=where)]


@dataclass(frozen=True)
class EmergingFact:
    """New and intensifying hot spots over ``steps`` months to the period's end (cells withheld left out)."""

    start: dt.date
    end: dt.date
    steps: int
    fewest: int | None  # events of the month with fewest; None: withheld (1..k−1 in a public report)
    minimum: int
    new: int | None  # None: too few events in some month
    intensifying: int | None
    areas: Sequence[str] = ()


def emerging_points(e: EmergingFact, lang: str) -> list[str]:
    cur = period_label(e.start, e.end, lang)
    if (e.new is None or e.intensifying is None) and e.fewest is None:
        return [w("emerging_few_withheld", lang, min=number(e.minimum, lang), steps=e.steps, cur=cur)]
    if e.new is None or e.intensifying is None:
        return [w("emerging_few", lang, min=number(e.minimum, lang), steps=e.steps, cur=cur,
                  n=number(e.fewest, lang))]
    if not e.new and not e.intensifying:
        return [w("emerging_none", lang, steps=e.steps, cur=cur)]
    parts = []
    if e.new:
        parts.append(w("emerging_new_one" if e.new == 1 else "emerging_new", lang, n=number(e.new, lang)))
    if e.intensifying:
        parts.append(w("emerging_int_one" if e.intensifying == 1 else "emerging_int", lang,
                       n=number(e.intensifying, lang)))
    where = w("where", lang, areas=_listed(list(e.areas), lang)) if e.areas else ""
    return [w("emerging", lang, steps=e.steps, cur=cur, what=_listed(parts, lang), where=where)]


def main_points(facts: Sequence, lang: str, *, min_events: int, level: str = "uv", previous: str = "") -> list[str]:
    """The main points of a section from its facts, in order: each ``CountFact``'s two comparisons, the
    ``AreaFact``s together (``level`` and ``previous`` name them), the maps' facts."""
    out: list[str] = []
    area_facts = [f for f in facts if isinstance(f, AreaFact)]
    for f in facts:
        if isinstance(f, CountFact):
            out += count_points(f, lang, min_events=min_events)
        elif isinstance(f, RankFact):
            out += rank_points(f, lang)
        elif isinstance(f, HotspotFact):
            out += hotspot_points(f, lang)
        elif isinstance(f, EmergingFact):
            out += emerging_points(f, lang)
    if area_facts or previous:
        out += area_points(area_facts, level=level, previous=previous, lang=lang)
    return out
