"""The monthly bulletin (``boletin``): the month of every count measure against the month before and the same
month a year earlier, the default measure by family, its trend over 13 months and the areas whose count
changed significantly after FDR control.

Counting is the dashboard engine's (``engine.headline``, ``engine.trend``, ``engine.area_changes``) over
filters built for each measure (``filters.filters_for``), at comuna level as the authority's home counts
"each family's last month against last year" (``dashboard/home_data.families``); verdicts are the engine's
shown outcomes (the exact Poisson test, "pocos eventos" below its minimum). A public bulletin is read as by
an authority: every count goes through disclosure control (``disclosure.shapes``; a family's counts are
protected against the measure's total with ``suppress.list_with_total``) and a withheld count is written
«reservado».

Hand-off to ``reports/sentences.py``: ``main_points`` are left empty here; each section carries its figures
in ``Section.facts`` (``facts.CountFact`` per measure or family, ``facts.AreaFact`` per changed area, None
where withheld), from which the sentences module writes the main points (``sentences.fill(report)`` or the
like replaces each section's ``main_points``), so no sentence is parsed back out of a formatted cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.analysis import periods
from observatorio.dashboard import engine, home_data
from observatorio.dashboard.filters import filters_for
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy, shapes
from observatorio.disclosure.suppress import list_with_total
from observatorio.labels import outcome_label
from observatorio.territory.models import Level

from .. import charts
from ..document import Figure, Notice, Paragraph, Report, Section, Table
from ..facts import AreaFact, Change, CountFact

KIND = "boletin"
TITLE = gettext_noop("Boletín mensual")
TREND_MONTHS = 13


# --- formatting -----------------------------------------------------------------------------------------------


def day(d: dt.date, language: str) -> str:
    return d.isoformat() if language == "en" else d.strftime("%d-%m-%Y")


def span(start: dt.date, end: dt.date, language: str) -> str:
    return _("%(start)s a %(end)s") % {"start": day(start, language), "end": day(end, language)}


def count_text(n) -> str:
    return _(policy.SUPPRESSED) if n is None else number(n)


def signed(n) -> str:
    if n is None:
        return "—"
    return ("+" if n > 0 else "−" if n < 0 else "") + number(abs(n))


def percent(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "") + number(abs(value), 1) + " %"


def p_text(value) -> str:
    if value is None:
        return "—"
    return "< " + number(0.001, 3) if value < 0.001 else number(value, 3)


def verdict_text(outcome: str, shown: bool = True) -> str:
    return outcome_label(outcome) if shown else "—"


# --- figures --------------------------------------------------------------------------------------------------


def change_of(c: engine.Comparison) -> Change:
    return Change(c.start, c.end, c.count, c.change, c.pct_change, c.p_value, c.outcome)


def fact_of(measure, h: engine.Headline, family: str = "") -> CountFact:
    return CountFact(measure.code, measure.name, measure.unit, h.start, h.end, h.count, change_of(h.previous),
                     change_of(h.last_year), family, h.rate)


def _headline(ctx, measure, categories=()) -> tuple[engine.Headline, str]:
    """The measure's headline for the period at comuna level, through the reader's guard; a refusal's reason."""
    f = filters_for(ctx.state, measure=measure.code, start=ctx.start, end=ctx.end, level=Level.COMUNA,
                    categories=categories)
    h = engine.headline(ctx.state, f)
    guard = ctx.guard(measure, categories)
    refusal = policy.coarse_refusal(guard, f, ctx.state.index)
    if guard is not None:
        h = shapes.headline(h, guard)
    return h, refusal


def _comparison_row(label: str, h: engine.Headline) -> tuple[str, ...]:
    both = h.count is not None
    rows = [label, count_text(h.count)]
    for c in (h.previous, h.last_year):
        shown = both and c.count is not None
        rows += [count_text(c.count), percent(c.pct_change) if shown else "—",
                 verdict_text(c.outcome, shown and c.change is not None)]
    return tuple(rows)


COMPARISON_NUMERIC = (False, True, True, True, False, True, True, False)


def _comparison_columns() -> tuple[str, ...]:
    return ("", _("Período"), _("Mes anterior"), _("Variación"), _("Veredicto"), _("Año anterior"),
            _("Variación"), _("Veredicto"))


def build(ctx) -> Report:
    state, lang = ctx.state, ctx.language
    municipality = home_data.comuna_name(state) or _("Municipio")
    measures = home_data.shown_measures(state, sensitive=True)
    period = span(ctx.start, ctx.end, lang)
    title = _(TITLE)
    whole_month = periods.whole_months(ctx.start, ctx.end) == 1
    subtitle = dateformat.format(ctx.start, "F Y") if whole_month else period
    disclosure_note = ""
    if ctx.public:
        disclosure_note = policy.Guard(policy.k()).note()
    base = dict(kind=KIND, title=title, municipality=municipality, start=ctx.start, end=ctx.end, language=lang,
                data_version=ctx.data_version, public=ctx.public, subtitle=subtitle,
                disclosure_note=disclosure_note, options=ctx.options)
    total_steps = len(measures) + 3
    ctx.progress("build", 0, total_steps)

    heads = {m.code: _headline(ctx, m) for m in measures}
    raw_counts = {m.code: engine.headline(state, filters_for(state, measure=m.code, start=ctx.start, end=ctx.end,
                                                             level=Level.COMUNA)).count for m in measures}
    if not measures or not any(raw_counts.values()):
        cut = day(state.as_of, lang) if state.events.size else None
        text = (_("No hay datos para el período %(period)s: ninguna medida registra eventos en esas fechas. "
                  "Los datos cargados llegan hasta el %(cut)s; elija un período con datos.")
                % {"period": period, "cut": cut} if cut else
                _("No hay datos para el período %(period)s: no hay eventos cargados.") % {"period": period})
        ctx.progress("build", total_steps, total_steps)
        return Report(**base, sections=(Section(_("Sin datos para el período"), blocks=(Notice(text),)),))

    main = measures[0]
    main_h, main_refusal = heads[main.code]
    base["measure_note"] = _("Cifra principal: %(name)s (%(unit)s), todas sus fuentes y categorías, en %(where)s."
                             ) % {"name": main.name, "unit": main.unit, "where": municipality}
    sections = [_overview(ctx, main, main_h, main_refusal, municipality)]
    ctx.progress("build", 1, total_steps)
    sections.append(_families(ctx, main, main_h, municipality))
    ctx.progress("build", 2, total_steps)
    others = measures[1:]
    if others:
        sections.append(_other_measures(ctx, others, heads))
    ctx.progress("build", 3, total_steps)
    sections.append(_areas(ctx, main, municipality))
    from ..programme_status import section as programme_status  # the programme indicators that changed status
    sections.append(programme_status(ctx))
    sections.append(_methods(ctx))
    ctx.progress("build", total_steps, total_steps)
    return Report(**base, sections=tuple(sections))


def _stated(measure, municipality: str, start: dt.date, end: dt.date, lang: str, what: str) -> str:
    return _("Medida: %(name)s (%(unit)s) · %(where)s · todas las categorías · %(period)s · %(what)s") % {
        "name": measure.name, "unit": measure.unit, "where": municipality, "period": span(start, end, lang),
        "what": what}


def _overview(ctx, measure, h, refusal, municipality) -> Section:
    lang = ctx.language
    blocks = []
    if refusal:
        return Section(measure.name, blocks=(Notice(refusal),))
    rows = (_comparison_row(measure.name, h),)
    blocks.append(Table(
        _("%(name)s: %(period)s frente al período anterior (%(prev)s) y al mismo período del año anterior "
          "(%(last)s)") % {"name": measure.name, "period": span(h.start, h.end, lang),
                           "prev": span(h.previous.start, h.previous.end, lang),
                           "last": span(h.last_year.start, h.last_year.end, lang)},
        _comparison_columns(), rows,
        (_("Veredicto: prueba exacta de igualdad de tasas diarias (Poisson), nivel 5 %%; «pocos eventos» bajo el "
           "mínimo de %(n)s eventos.") % {"n": engine.MIN_EVENTS_FOR_TEST},
         _("Fuente: %(name)s, conteo en %(where)s.") % {"name": measure.name, "where": municipality}),
        COMPARISON_NUMERIC))
    if h.count is not None and h.rate is not None:
        blocks.append(Paragraph(_("Tasa: %(rate)s %(unit)s por 1.000 habitantes en el período (%(pop)s "
                                  "habitantes).") % {"rate": number(h.rate, 2), "unit": measure.unit,
                                                    "pop": number(h.population)}))
    start = periods.add_months(ctx.start.replace(day=1), -(TREND_MONTHS - 1))
    f = filters_for(ctx.state, measure=measure.code, start=start, end=ctx.end, level=Level.COMUNA)
    t = engine.trend(ctx.state, f, "month")
    guard = ctx.guard(measure)
    counts = [int(c) for c in t.counts]
    if guard is not None:
        counts = list(shapes.trend(t, guard, engine.headline(ctx.state, f).count).counts)
    labels = [d.strftime("%Y-%m") if lang == "en" else d.strftime("%m-%Y") for d in t.starts]
    current = [d >= ctx.start for d in t.starts]
    svg = charts.trend(labels, counts, language=lang, marked=current, ylabel=measure.unit,
                       marked_label=_("período del boletín"))
    blocks.append(Figure(
        _("%(name)s por mes, últimos %(n)s meses") % {"name": measure.name, "n": len(t.starts)},
        _stated(measure, municipality, start, ctx.end, lang, _("conteo mensual")),
        _("Gráfico de línea: %(name)s por mes de %(start)s a %(end)s") % {
            "name": measure.name, "start": labels[0], "end": labels[-1]},
        svg=svg))
    return Section(measure.name, blocks=tuple(blocks), facts=(fact_of(measure, h),))


def _families(ctx, measure, total_h, municipality) -> Section:
    """The measure by family; families with no event in any of the three windows left out."""
    state, lang = ctx.state, ctx.language
    found = []
    for family_id, code, name in state.catalog.families:
        cats = (family_id, *state.catalog.family_children.get(code, ()))
        f = filters_for(state, measure=measure.code, start=ctx.start, end=ctx.end, level=Level.COMUNA,
                        categories=cats)
        h = engine.headline(state, f)
        if h.count or h.previous.count or h.last_year.count:
            found.append((name, cats, f, h))
    title = _("%(name)s por familia") % {"name": measure.name}
    if not found:
        return Section(title, blocks=(Notice(_("Ninguna familia registra eventos en estos períodos.")),))
    guard = ctx.guard(measure)
    whole = engine.headline(state, filters_for(state, measure=measure.code, start=ctx.start, end=ctx.end,
                                               level=Level.COMUNA))
    heads = [h for *_x, h in found]
    if guard is not None:
        heads = _guard_families(ctx, measure, found, whole, guard)
    rows = tuple(_comparison_row(name, h) for (name, *_x), h in zip(found, heads))
    facts = tuple(fact_of(measure, h, name) for (name, *_x), h in zip(found, heads))
    notes = [_("Una familia cuenta sus categorías; los eventos sin familia no se muestran, por eso las filas "
               "pueden sumar menos que el total.")]
    if guard is not None:
        notes.append(guard.note())
    table = Table(_("%(name)s por familia: %(period)s") % {"name": measure.name,
                                                           "period": span(ctx.start, ctx.end, lang)},
                  _comparison_columns(), rows, tuple(notes), COMPARISON_NUMERIC)
    svg = charts.bars([n for n, *_x in found], [h.count for h in heads], language=lang, xlabel=measure.unit,
                      withheld=_(policy.SUPPRESSED))
    figure = Figure(_("%(name)s por familia en el período") % {"name": measure.name},
                    _stated(measure, municipality, ctx.start, ctx.end, lang, _("conteo por familia")),
                    _("Barras horizontales: %(name)s por familia") % {"name": measure.name}, svg=svg)
    return Section(title, blocks=(table, figure), facts=facts)


def _guard_families(ctx, measure, found, whole, guard) -> list[engine.Headline]:
    """Each window's family counts suppressed against the measure's total in that window (both published),
    events of no family one more unshown cell; a comparison with a hidden side says nothing."""
    hidden = {}
    for side in ("now", "previous", "last_year"):
        counts = [h.count if side == "now" else getattr(h, side).count for *_x, h in found]
        total = whole.count if side == "now" else getattr(whole, side).count
        mask, _extra, _t = list_with_total(counts, guard.k, extra=[max(total - sum(counts), 0)], total=total)
        hidden[side] = mask
    out = []
    for k, (_name, cats, f, h) in enumerate(found):
        refused = bool(policy.coarse_refusal(ctx.guard(measure, cats), f, ctx.state.index))
        count = None if refused or hidden["now"][k] else h.count

        def side(c, name, k=k, count=count, refused=refused):
            other = None if refused or hidden[name][k] else c.count
            if count is None or other is None:
                return replace(c, count=other, change=None, pct_change=None, p_value=None, events=None)
            return c

        out.append(replace(h, count=count, per_day=None if count is None else h.per_day,
                           rate=None if count is None else h.rate,
                           previous=side(h.previous, "previous"), last_year=side(h.last_year, "last_year")))
    return out


def _other_measures(ctx, measures, heads) -> Section:
    rows, facts, notes = [], [], []
    for m in measures:
        h, refusal = heads[m.code]
        if refusal:
            rows.append((m.name, *(_(policy.SUPPRESSED),) * 7))
            notes.append(f"{m.name}: {refusal}")
            continue
        rows.append(_comparison_row(f"{m.name} ({m.unit})", h))
        facts.append(fact_of(m, h))
    notes.insert(0, _("Cada medida cuenta lo suyo: sus cifras no se suman entre sí ni con la cifra principal."))
    table = Table(_("Otras medidas: %(period)s") % {"period": span(ctx.start, ctx.end, ctx.language)},
                  _comparison_columns(), tuple(rows), tuple(notes), COMPARISON_NUMERIC)
    return Section(_("Otras medidas"), blocks=(table,), facts=tuple(facts))


def _areas(ctx, measure, municipality) -> Section:
    state, lang = ctx.state, ctx.language
    title = _("Áreas con cambios significativos")
    level = Level.UV if Level.UV in state.index.ancestor else Level.MACROSECTOR
    if level not in state.index.ancestor:
        return Section(title, blocks=(Notice(_("El territorio no tiene unidades vecinales ni macrosectores.")),))
    f = filters_for(state, measure=measure.code, start=ctx.start, end=ctx.end, level=level)
    guard = ctx.guard(measure)
    refusal = policy.coarse_refusal(guard, f, state.index)
    if refusal:
        return Section(title, blocks=(Notice(refusal),))
    changes = engine.area_changes(state, f, "last_year")
    if guard is not None:
        changes = shapes.changes(changes, guard, state, f, engine.compared_window(f, "last_year"))
    moved = [r for r in changes.rows if r.outcome in ("up", "down") and r.count is not None]
    moved.sort(key=lambda r: (r.outcome != "up", r.q_value if r.q_value is not None else 1.0, r.code))
    facts = tuple(AreaFact(r.code, r.name, r.count, r.before, r.pct_change, r.q_value, r.outcome) for r in moved)
    explain = _("%(name)s por área (%(level)s) de %(period)s frente a %(before)s: prueba exacta de Poisson por "
                "área y control de la tasa de falsos descubrimientos (Benjamini–Hochberg, %(alpha)s) entre las "
                "%(n)s áreas con al menos %(min)s eventos.") % {
        "name": measure.name, "level": _level_name(level), "period": span(changes.start, changes.end, lang),
        "before": span(changes.before_start, changes.before_end, lang), "alpha": number(changes.alpha, 2),
        "n": number(changes.tested), "min": engine.MIN_EVENTS_FOR_TEST}
    if not moved:
        return Section(title, blocks=(Paragraph(explain), Paragraph(
            _("Ninguna área cambió significativamente frente al mismo período del año anterior."))), facts=facts)
    rows = tuple((f"{r.name} ({r.code})", count_text(r.count), count_text(r.before), percent(r.pct_change),
                  p_text(r.q_value), outcome_label(r.outcome)) for r in moved)
    table = Table(_("Áreas que subieron o bajaron frente al mismo período del año anterior"),
                  (_("Área"), _("Período"), _("Año anterior"), _("Variación"), _("Valor q"), _("Veredicto")),
                  rows, (explain,) + ((guard.note(),) if guard is not None else ()),
                  (False, True, True, True, True, False))
    return Section(title, blocks=(table,), facts=facts)


def _level_name(level: str) -> str:
    return {Level.UV: _("unidad vecinal"), Level.MACROSECTOR: _("macrosector")}.get(level, level)


def _methods(ctx) -> Section:
    text = [_("Cada cifra cuenta una medida con nombre; las medidas no se suman entre sí. Los períodos se "
              "comparan por tasa diaria con la prueba exacta de Poisson; un veredicto se da solo con al menos "
              "%(n)s eventos entre ambos períodos.") % {"n": engine.MIN_EVENTS_FOR_TEST},
            _("Versión de los datos: %(v)s. El mismo período, opciones y versión de los datos dan el mismo "
              "documento.") % {"v": ctx.data_version}]
    if ctx.public:
        text.append(policy.Guard(policy.k()).note())
    return Section(_("Notas metodológicas"), blocks=tuple(Paragraph(t) for t in text))
