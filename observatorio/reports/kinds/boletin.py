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

Two maps of the month over the streets (``reports/maps.py``): the count by UV (choropleth; a withheld area
hatched) and the Gi* hot and cold spots, computed as the map's layer computes them
(``dashboard/layers/hotspots.hotspot_result``); and the new and intensifying hot spots of the 12 months to
the bulletin's month (``dashboard/layers/emerging.emerging_result`` with monthly steps), with the area each
cell falls in. For an aggregate-only reader a cell of 1..k−1 events is not drawn nor counted
(``disclosure/grids.small_cells``, as the map's layers do).

Every section opens with main points written from its ``Section.facts`` by ``reports/points.py`` (the one
bridge from ``facts`` to ``sentences``), so a sentence quotes the figure its table shows and no sentence is
parsed back out of a formatted cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import shapely
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.analysis import periods
from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
from observatorio.analysis.emerging import EmergingClass
from observatorio.dashboard import engine, home_data
from observatorio.dashboard.filters import filters_for
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy, shapes
from observatorio.disclosure.grids import small_cells
from observatorio.disclosure.suppress import list_with_total
from observatorio.labels import emerging_label, outcome_label
from observatorio.territory.models import Level

from .. import charts, maps, points
from ..document import Figure, Notice, Paragraph, Report, Section, Table
from ..facts import AreaFact, AreaPart, Change, CountFact
from ..points import EmergingFact, HotspotFact, RankFact
from ..sentences import p_figure

KIND = "boletin"
TITLE = gettext_noop("Boletín mensual")
TREND_MONTHS = 13
EMERGING_MONTHS = 12
"""Monthly steps of the new and intensifying hot spots, the bulletin's month last."""
NAMED_AREAS = 3


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
    total_steps = 6
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
    ctx.progress("build", 4, total_steps)
    sections += _maps(ctx, main, municipality)
    ctx.progress("build", 5, total_steps)
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
    fact = fact_of(measure, h)
    fact = replace(fact, previous=replace(fact.previous, where=_where(ctx, measure, h, fact.previous, guard)),
                   last_year=replace(fact.last_year, where=_where(ctx, measure, h, fact.last_year, guard)))
    return Section(measure.name, _points((fact,), lang), tuple(blocks), (fact,))


def _where(ctx, measure, h, c: Change, guard) -> tuple[AreaPart, ...]:
    """Each macrosector's part of a significant change (UVs without macrosectors), for "the fall concentrates
    in …": an area hidden in either window, and the events placed in no area, are never named."""
    state = ctx.state
    if c.outcome not in ("up", "down") or h.count is None or c.count is None:
        return ()
    level = Level.MACROSECTOR if state.index.ids_at(Level.MACROSECTOR) else Level.UV
    ids = state.index.ids_at(level)
    if not ids:
        return ()
    parts, hidden = [], []
    for start, end in ((ctx.start, ctx.end), (c.start, c.end)):
        f = filters_for(state, measure=measure.code, start=start, end=end, level=level)
        counts, _out = engine.area_counts(state, f, level)
        parts.append(counts)
        hidden.append(shapes.area_hidden(state, f, level, guard)[0] if guard is not None else
                      np.zeros(len(ids), dtype=bool))
    out = [AreaPart(state.index.areas[i].name, int(parts[0][i] - parts[1][i]), bool(hidden[0][k] or hidden[1][k]))
           for k, i in enumerate(ids)]
    rest = (h.count - c.count) - sum(p.change for p in out)  # events placed in no area of the level
    return tuple(out) + ((AreaPart("", rest, True),) if rest else ())


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
    return Section(title, _family_points(facts, lang), (table, figure), facts)


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
    said = []
    for fact in facts:
        said += points.change_points(fact, fact.last_year, ctx.language, min_events=engine.MIN_EVENTS_FOR_TEST)
        if fact.previous.outcome in ("up", "down"):
            said += points.change_points(fact, fact.previous, ctx.language, min_events=engine.MIN_EVENTS_FOR_TEST)
    return Section(_("Otras medidas"), tuple(said), (table,), tuple(facts))


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
    said = tuple(points.area_points(facts, level=level, lang=lang,
                                    previous=points.period_label(changes.before_start, changes.before_end, lang)))
    if not moved:
        return Section(title, said, (Paragraph(explain), Paragraph(
            _("Ninguna área cambió significativamente frente al mismo período del año anterior."))), facts)
    rows = tuple((f"{r.name} ({r.code})", count_text(r.count), count_text(r.before), percent(r.pct_change),
                  p_figure(r.q_value, lang), outcome_label(r.outcome)) for r in moved)
    table = Table(_("Áreas que subieron o bajaron frente al mismo período del año anterior"),
                  (_("Área"), _("Período"), _("Año anterior"), _("Variación"), _("Valor q"), _("Veredicto")),
                  rows, (explain,) + ((guard.note(),) if guard is not None else ()),
                  (False, True, True, True, True, False))
    return Section(title, said, (table,), facts)


def _level_name(level: str) -> str:
    return {Level.UV: _("unidad vecinal"), Level.MACROSECTOR: _("macrosector")}.get(level, level)


def _points(facts, lang: str) -> tuple[str, ...]:
    return tuple(points.main_points(facts, lang, min_events=engine.MIN_EVENTS_FOR_TEST))


def _family_points(facts, lang: str) -> tuple[str, ...]:
    """The families whose month changed significantly (against the month before or a year earlier); when none
    did, the one sentence that says so. A withheld family is not named."""
    said = []
    for fact in facts:
        for c in (fact.previous, fact.last_year):
            if c.outcome in ("up", "down") and fact.count is not None and c.count is not None:
                said += points.change_points(fact, c, lang, min_events=engine.MIN_EVENTS_FOR_TEST)
    if not said and facts:
        first = facts[0]
        prev = points.period_label(first.previous.start, first.previous.end, lang)
        last = points.period_label(first.last_year.start, first.last_year.end, lang)
        said.append(points.w("families_stable" if prev != last else "families_stable_one", lang, prev=prev,
                             last=last))
    return tuple(said)


def _methods(ctx) -> Section:
    text = [_("Cada cifra cuenta una medida con nombre; las medidas no se suman entre sí. Los períodos se "
              "comparan por tasa diaria con la prueba exacta de Poisson; un veredicto se da solo con al menos "
              "%(n)s eventos entre ambos períodos.") % {"n": engine.MIN_EVENTS_FOR_TEST},
            _("Versión de los datos: %(v)s. El mismo período, opciones y versión de los datos dan el mismo "
              "documento.") % {"v": ctx.data_version}]
    if ctx.public:
        text.append(policy.Guard(policy.k()).note())
    said = (points.w("methods", ctx.language, cut=day(ctx.state.as_of, ctx.language), v=ctx.data_version),)
    return Section(_("Notas metodológicas"), said, tuple(Paragraph(t) for t in text))


# --- maps: the month by UV, its hot spots, the new and intensifying hot spots ---------------------------------


def cell_areas(shapes_, grid, rows, cols) -> list[str]:
    """The name of the area each cell's centre falls in ("" outside every area); ``shapes_`` with ``.name``
    and ``.metric`` (metres, the grid's CRS)."""
    x = grid.x0 + (np.asarray(cols) + 0.5) * grid.cell
    y = grid.y0 + (np.asarray(rows) + 0.5) * grid.cell
    names = np.full(x.shape, "", dtype=object)
    for shape in shapes_:
        inside = shapely.contains_xy(shape.metric, x, y) & (names == "")
        names[inside] = shape.name
    return names.tolist()


def most_cells(names: list[str], n: int = NAMED_AREAS) -> list[str]:
    """The areas holding most of the cells, most first (ties by name); cells outside every area not named."""
    counted: dict[str, int] = {}
    for name in names:
        if name:
            counted[name] = counted.get(name, 0) + 1
    return [name for name, _c in sorted(counted.items(), key=lambda x: (-x[1], x[0]))[:n]]


def _maps(ctx, measure, municipality) -> list[Section]:
    from observatorio.dashboard.layers.base import GI_CELL, territory
    from observatorio.dashboard.layers.emerging import EMERGING_LEAD, emerging_result, months_before, shown_codes
    from observatorio.dashboard.layers.hotspots import hotspot_result

    state, lang = ctx.state, ctx.language
    title = _("Mapas del período")
    emerging_title = _("Puntos calientes nuevos y que se intensifican")
    terr = territory(state, ctx.end)
    base = maps.base_from_state(state, ctx.end)
    if terr is None or base is None:
        notice = Notice(_("No hay límites territoriales cargados: no se pueden dibujar mapas."))
        return [Section(title, blocks=(notice,)), Section(emerging_title, blocks=(notice,))]
    level = "uv" if "uv" in terr.shapes else "macrosector"
    area_shapes = terr.shapes.get(level) or ()
    guard = ctx.guard(measure)
    f = filters_for(state, measure=measure.code, start=ctx.start, end=ctx.end, level=Level.COMUNA)
    refusal = policy.coarse_refusal(guard, f, state.index)
    if refusal:
        return [Section(title, blocks=(Notice(refusal),)), Section(emerging_title, blocks=(Notice(refusal),))]
    period = span(ctx.start, ctx.end, lang)
    caption = maps.Caption(f"{measure.name} ({measure.unit})", period)
    blocks, facts = [], []

    # the month's count by area
    fa = filters_for(state, measure=measure.code, start=ctx.start, end=ctx.end, level=level)
    table = engine.by_area(state, fa)
    if guard is not None:
        table = shapes.areas(table, guard, state, fa)
    values = {r.name: (None if r.count is None else float(r.count)) for r in table.rows}
    svg = maps.svg(maps.choropleth(base, values, title=measure.unit, caption=caption, lang=lang))
    blocks.append(Figure(
        _("%(name)s por %(level)s en el período") % {"name": measure.name, "level": _level_name(level)},
        _stated(measure, municipality, ctx.start, ctx.end, lang, _("conteo por área")),
        _("Mapa coroplético: %(name)s por %(level)s") % {"name": measure.name, "level": _level_name(level)},
        svg=svg))
    facts.append(RankFact(level, measure.unit, ctx.start, ctx.end, tuple((r.name, r.count) for r in table.rows)))

    # Gi* of the month, as the map's layer computes it
    found = hotspot_result(state, terr, f)
    grid, inside = terr.grid(GI_CELL)
    if found.result is None:
        bins = np.zeros(grid.shape, dtype=int)
        facts.append(HotspotFact(measure.unit, ctx.start, ctx.end, int(GI_CELL), _shown(found.events, guard),
                                 found.minimum, None))
    else:
        bins = found.result.bins(fdr=True)
        if guard is not None:
            bins = np.where(small_cells(found.result.values, guard.k), 0, bins)
        rows, cols = np.nonzero((bins > 0) & inside)
        facts.append(HotspotFact(measure.unit, ctx.start, ctx.end, int(GI_CELL), found.events, found.minimum,
                                 int(rows.size), tuple(most_cells(cell_areas(area_shapes, grid, rows, cols)))))
    svg = maps.svg(maps.hotspots(base, grid, bins, caption=caption, lang=lang, mask=inside))
    blocks.append(Figure(
        _("Puntos calientes y fríos (Gi*) de %(name)s en el período") % {"name": measure.name},
        _stated(measure, municipality, ctx.start, ctx.end, lang,
                _("Gi* en celdas de %(cell)s m con corrección FDR") % {"cell": int(GI_CELL)}),
        _("Mapa de celdas: puntos calientes y fríos de %(name)s") % {"name": measure.name}, svg=svg))
    if found.result is None:
        blocks.append(Notice(points.hotspot_points(facts[-1], lang)[0]))
    map_section = Section(title, _points(tuple(facts), lang), tuple(blocks), tuple(facts))
    return [map_section, _emerging(ctx, measure, municipality, terr, base, area_shapes, f, guard,
                                   emerging_result, months_before(ctx.end, EMERGING_MONTHS + EMERGING_LEAD),
                                   shown_codes)]


def _shown(n: int, guard) -> int | None:
    """A count the sentences may write: None when an aggregate-only reader may not see it (1..k−1)."""
    return None if guard is not None and 1 <= n < guard.k else n


EMERGING_SHOWN = (EmergingClass.NEW_HOT, EmergingClass.INTENSIFYING_HOT)


def _emerging(ctx, measure, municipality, terr, base, area_shapes, f, guard, emerging_result, windows,
              shown_codes) -> Section:
    state, lang = ctx.state, ctx.language
    title = _("Puntos calientes nuevos y que se intensifican")
    built = emerging_result(state, terr, f, windows=windows)
    first, last = built.quarters[0][0], built.quarters[-1][1]
    month = built.quarters[-1]  # the bulletin's (last) month: the sentences say "the 12 months to" it
    if built.result is None:
        fact = EmergingFact(*month, EMERGING_MONTHS, _shown(built.fewest, guard), built.minimum, None, None)
        return Section(title, _points((fact,), lang), (Notice(points.emerging_points(fact, lang)[0]),), (fact,))
    codes = shown_codes(state, terr, f, built, guard)
    grid = built.grid
    rows_out, counted = [], {}
    for member in EMERGING_SHOWN:
        rows, cols = np.nonzero(codes == EMERGING_CLASSES.index(member))
        counted[member] = int(rows.size)
        per_area: dict[str, int] = {}
        for name in cell_areas(area_shapes, grid, rows, cols):
            per_area[name] = per_area.get(name, 0) + 1
        for name, n in sorted(per_area.items(), key=lambda x: (-x[1], x[0])):
            rows_out.append((name or _("fuera de las áreas"), emerging_label(member), number(n)))
    hot = np.isin(codes, [EMERGING_CLASSES.index(m) for m in EMERGING_SHOWN])
    hot_rows, hot_cols = np.nonzero(hot)
    fact = EmergingFact(*month, EMERGING_MONTHS, built.fewest, built.minimum,
                        counted[EmergingClass.NEW_HOT], counted[EmergingClass.INTENSIFYING_HOT],
                        tuple(most_cells(cell_areas(area_shapes, grid, hot_rows, hot_cols))))
    months = span(first, last, lang)
    stated = _stated(measure, municipality, first, last, lang,
                     _("puntos calientes emergentes en celdas de %(cell)s m, %(n)s pasos mensuales") % {
                         "cell": int(grid.cell), "n": EMERGING_MONTHS})
    caption = maps.Caption(f"{measure.name} ({measure.unit})", months)
    svg = maps.svg(maps.emerging(base, grid, np.where(hot, codes, -1), title=title, caption=caption, lang=lang))
    blocks = [Figure(_("Puntos calientes nuevos y que se intensifican de %(name)s, %(period)s") % {
        "name": measure.name, "period": months}, stated,
        _("Mapa de celdas: puntos calientes nuevos y que se intensifican"), svg=svg)]
    notes = [_("Clases de ESRI (Emerging Hot Spot Analysis) sobre Gi* mensual de %(n)s meses, con corrección FDR "
               "y tendencia de Mann–Kendall; un área cuenta las celdas cuyo centro cae en ella.")
             % {"n": EMERGING_MONTHS}]
    if guard is not None:
        notes.append(guard.note())
    if rows_out:
        blocks.append(Table(_("Celdas de puntos calientes nuevos o que se intensifican, por área"),
                            (_("Área"), _("Patrón"), _("Celdas")), tuple(rows_out), tuple(notes),
                            (False, False, True)))
    else:
        blocks.append(Paragraph(" ".join(notes)))
    return Section(title, _points((fact,), lang), tuple(blocks), (fact,))
