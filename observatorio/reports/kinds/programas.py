"""Programme evaluation (``programas``): for a period (a year, usually), each programme active in it — its
logical framework, activities, participants and beneficiaries (counts only), its indicators' last readings
against target (status in words, 95 % interval), the XmR chart's special causes, its focus on the problem zones
and, for a place-based one, its impact (WDD) — then the scorecard of the year's goals (the web's cells) and the
goals' evaluation.

Figures are the programmes core's: ``readings.series`` (as of the day after the period, or after the data's
last day, so the same data give the same document), ``views.shown`` (how a reading is written, «reservado» in
a public report for a guarded measure's side of 1 … k − 1), ``focus.programme_focus``,
``impact.programme_impact`` and ``scorecard.build`` over the goals' indicators in quarter columns as
``views.scorecard_of`` builds them. Main points come from ``reports/sentences.py`` (``tally``,
``displacement``). In a public report beneficiaries, participants and activities of 1 … k − 1 are reserved,
and an impact with a zone count of 1 … k − 1 is withheld.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.analysis.indicator import Status
from observatorio.dashboard import home_data
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy
from observatorio.disclosure.shapes import small
from observatorio.labels import status_label

from .. import charts, sentences
from ..document import Figure, Notice, Paragraph, Report, Section, Table
from ..programme_status import as_of, guard_of, year_readings
from .boletin import day, span

KIND = "programas"
TITLE = gettext_noop("Evaluación de programas")
MEASURE = "casos-policiales"
ORDER = (Status.MEETS, Status.UNCERTAIN, Status.NOT_MET, Status.NO_TARGET, Status.NOT_ENOUGH_DATA)


def _count(ctx, n) -> str:
    """A count of people or things; in a public report 1 … k − 1 is «reservado»."""
    if ctx.public and small(n, policy.k()):
        return _(policy.SUPPRESSED)
    return number(n)


def _period_label(ctx) -> str:
    if ctx.start == dt.date(ctx.start.year, 1, 1) and ctx.end == dt.date(ctx.start.year, 12, 31):
        return str(ctx.start.year)
    return span(ctx.start, ctx.end, ctx.language)


def _in_period(ctx, rows) -> list:
    return [r for r in rows if ctx.start <= r.period.start and r.period.end <= ctx.end]


def _last(ctx, indicator, today):
    rows = [r for r in _in_period(ctx, year_readings(indicator, range(ctx.start.year, ctx.end.year + 1), today,
                                                     ctx.state)) if r.value is not None]
    return rows[-1] if rows else None


def build(ctx) -> Report:
    from observatorio.programmes.models import Goal, Programme

    lang = ctx.language
    municipality = home_data.comuna_name(ctx.state) or _("Municipio")
    period = _period_label(ctx)
    base = dict(kind=KIND, title=_(TITLE), municipality=municipality, start=ctx.start, end=ctx.end, language=lang,
                data_version=ctx.data_version, public=ctx.public, subtitle=period, options=ctx.options,
                disclosure_note=policy.Guard(policy.k()).note() if ctx.public else "",
                measure_note=_("Indicadores de los programas según su ficha; foco e impacto sobre %(m)s.") % {
                    "m": _measure_name(ctx)})
    programmes = list(Programme.objects.filter(start__lte=ctx.end).filter(Q(end__isnull=True) | Q(end__gte=ctx.start))
                      .select_related("unit").prefetch_related("objectives", "indicators").order_by("name"))
    today = as_of(ctx)
    readings = {p.pk: [(i, _last(ctx, i, today)) for i in p.indicators.filter(active=True).select_related(
        "numerator_measure", "denominator_measure").order_by("code")] for p in programmes}
    has_data = any(r is not None for rows in readings.values() for _i, r in rows) or any(
        p.activities.filter(date__gte=ctx.start, date__lte=ctx.end).exists() for p in programmes)
    if not programmes or not has_data:
        text = (_("No hay datos de programas para el período %(period)s: ningún programa vigente registra "
                  "actividades ni mediciones de sus indicadores en esas fechas. Elija un período con datos.")
                % {"period": span(ctx.start, ctx.end, lang)})
        return Report(**base, sections=(Section(_("Sin datos para el período"), blocks=(Notice(text),)),))

    total = len(programmes) + 3
    ctx.progress("build", 0, total)
    sections = [_summary(ctx, programmes, readings, period)]
    for n, programme in enumerate(programmes, 1):
        sections.append(_programme(ctx, programme, readings[programme.pk], period))
        ctx.progress("build", n, total)
    goals = list(Goal.objects.filter(year=ctx.end.year).select_related("unit").prefetch_related("indicators")
                 .order_by("code"))
    sections.append(_scorecard(ctx, goals, today))
    sections.append(_goals(ctx, goals, today))
    sections.append(_methods(ctx))
    ctx.progress("build", total, total)
    return Report(**base, sections=tuple(sections))


def _measure_name(ctx) -> str:
    m = ctx.state.catalog.measure(MEASURE)
    return m.name if m is not None else MEASURE


def _point_tally(readings, label, lang) -> str:
    statuses = [Status(r.status) for r in readings if r is not None]
    return sentences.tally(sentences.TargetTally(statuses.count(Status.MEETS), statuses.count(Status.NOT_MET),
                                                 statuses.count(Status.UNCERTAIN), label), lang)


def _summary(ctx, programmes, readings, period) -> Section:
    rows = []
    for p in programmes:
        acts = p.activities.filter(date__gte=ctx.start, date__lte=ctx.end).aggregate(
            n=Count("id"), people=Sum("participants"))
        benef = p.beneficiaries.filter(first_served__gte=ctx.start, first_served__lte=ctx.end).count()
        statuses = [Status(r.status) for _i, r in readings[p.pk] if r is not None]
        rows.append((p.name, p.unit.name, _count(ctx, acts["n"] or 0), _count(ctx, acts["people"] or 0),
                     _count(ctx, benef), number(statuses.count(Status.MEETS)),
                     number(sum(1 for s in statuses if s in (Status.MEETS, Status.NOT_MET, Status.UNCERTAIN)))))
    every = [r for rows in readings.values() for _i, r in rows]
    table = Table(_("Programas vigentes en %(period)s") % {"period": period},
                  (_("Programa"), _("Unidad"), _("Actividades"), _("Participantes"), _("Beneficiarios nuevos"),
                   _("Indicadores que cumplen"), _("Indicadores con meta y datos")), tuple(rows),
                  (_("Participantes: suma de los asistentes a cada actividad (una persona puede contarse más de una "
                     "vez). Beneficiarios nuevos: personas atendidas por primera vez en el período; solo el conteo, "
                     "nunca identidades."),), (False, False, True, True, True, True, True))
    counts = [sum(1 for r in every if r is not None and Status(r.status) is s) for s in ORDER]
    counts[-1] += sum(1 for r in every if r is None)
    svg = charts.bars([status_label(s) for s in ORDER], counts, language=ctx.language, xlabel=_("indicadores"))
    figure = Figure(_("Indicadores de los programas por estado, última medición de %(period)s") % {
                        "period": period},
                    _("Indicadores vigentes de los programas · última medición con valor del período · %(period)s")
                    % {"period": span(ctx.start, ctx.end, ctx.language)},
                    _("Barras horizontales: indicadores por estado"), svg=svg)
    return Section(_("Resumen"), main_points=(_point_tally(every, period, ctx.language),), blocks=(table, figure))


def _framework(programme) -> Table | None:
    from observatorio.programmes.models import Level

    names = dict(Level.choices)
    order = [c for c, _n in Level.choices]
    objectives = sorted(programme.objectives.all(), key=lambda o: (order.index(o.level) if o.level in order else 9,
                                                                   o.position, o.pk))
    if not objectives:
        return None
    return Table(_("Marco lógico de %(name)s") % {"name": programme.name},
                 (_("Nivel"), _("Enunciado"), _("Medios de verificación")),
                 tuple((str(names.get(o.level, o.level)), o.statement, o.verification or "—") for o in objectives))


def _programme(ctx, programme, rows, period) -> Section:
    from observatorio.programmes.views import shown

    lang = ctx.language
    blocks: list = [Paragraph(_("%(unit)s · desde el %(start)s%(end)s. %(description)s") % {
        "unit": programme.unit.name, "start": day(programme.start, lang),
        "end": _(" hasta el %(d)s") % {"d": day(programme.end, lang)} if programme.end else "",
        "description": programme.description})]
    framework = _framework(programme)
    if framework is not None:
        blocks.append(framework)
    acts = programme.activities.filter(date__gte=ctx.start, date__lte=ctx.end).aggregate(
        n=Count("id"), people=Sum("participants"), hours=Sum("hours"))
    benef = programme.beneficiaries.filter(first_served__gte=ctx.start, first_served__lte=ctx.end).count()
    served = programme.beneficiaries.filter(first_served__lte=ctx.end).count()
    blocks.append(Table(_("Actividades y beneficiarios de %(name)s en %(period)s") % {"name": programme.name,
                                                                                   "period": period},
                        (_("Actividades"), _("Horas"), _("Participantes"), _("Beneficiarios nuevos"),
                         _("Beneficiarios desde el inicio")),
                        ((_count(ctx, acts["n"] or 0), number(float(acts["hours"] or 0), 1),
                          _count(ctx, acts["people"] or 0), _count(ctx, benef), _count(ctx, served)),),
                        numeric=(True,) * 5))
    points = []
    if rows:
        cells, special = [], []
        for indicator, reading in rows:
            s = shown(reading, indicator, guard_of(ctx, indicator))
            cells.append((indicator.name, reading.period.label(lang) if reading else "—",
                          (s["value"] if s["reserved"] else f'{s["value"]} {indicator.unit_label}'.strip()) if reading else "—",
                          s["interval"] or "—", s["target"], s["light"].word, s["trend"] or "—"))
            special += _special(ctx, indicator, guard_of(ctx, indicator))
        blocks.append(Table(_("Indicadores de %(name)s: última medición con valor en %(period)s") % {
                                "name": programme.name, "period": period},
                            (_("Indicador"), _("Período"), _("Valor"), _("Intervalo 95 %"), _("Meta"), _("Estado"),
                             _("Tendencia")), tuple(cells),
                            (_("Estado: el intervalo de confianza del valor frente a la meta; «no concluyente» cuando el "
                               "intervalo incluye la meta. Tendencia: frente al período anterior."),),
                            (False, False, True, True, True, False, False)))
        blocks += [Paragraph(t) for t in special]
        points.append(_point_tally([r for _i, r in rows], period, lang))
    focus_blocks = _focus(ctx, programme)
    blocks += focus_blocks
    impact_blocks, impact_point = _impact(ctx, programme)
    blocks += impact_blocks
    if impact_point:
        points.append(impact_point)
    return Section(programme.name, main_points=tuple(points), blocks=tuple(blocks),
                   facts=tuple(r for _i, r in rows if r is not None))


def _special(ctx, indicator, guard) -> list[str]:
    """The XmR chart's special causes in the period, in words, as the indicator's page writes them (none when
    fewer than 12 points, or the indicator is guarded)."""
    from observatorio.programmes import readings
    from observatorio.programmes.views import _control

    if guard is not None:
        return []
    _figure, explained = _control(indicator)
    inside = {p.label(ctx.language) for p, _v in readings.history(indicator)
              if ctx.start <= p.start and p.end <= ctx.end}
    explained = [e for e in explained if e["x"] in inside]
    if not explained:
        return []
    items = "; ".join(f'{e["x"]}: {e["value"]} ({e["variation"]}: {e["rules"]})' for e in explained)
    return [_("Causas especiales en el gráfico de control (XmR) de «%(name)s» en el período: %(items)s.") % {
        "name": indicator.name, "items": items}]


def _focus(ctx, programme) -> list:
    from observatorio.programmes.focus import programme_focus

    end = min(ctx.end, ctx.state.as_of)
    found = programme_focus(programme, measure=MEASURE, state=ctx.state, start=ctx.start, end=end)
    if found is None:
        return []
    rows = found.rows()
    if ctx.public and (found.patrols_hot or found.patrols_high):
        guard = ctx.guard(ctx.state.catalog.measure("patrullajes")) if ctx.state.catalog.measure("patrullajes") \
            else None
        shares = [s for s in (found.patrols_hot, found.patrols_high) if s is not None]
        if guard is not None and any(small(s.inside, guard.k) or small(s.total, guard.k) for s in shares):
            rows = rows[:len(rows) - len(shares)]
    if not rows:
        return []
    yes, no = _("sí"), _("no")
    table = Table(_("Foco de %(name)s: actividades en las zonas de problema de %(measure)s") % {
                      "name": programme.name, "measure": _measure_name(ctx)},
                  (_("Qué"), _("Proporción"), _("Dentro / total"), _("Intervalo 95 %"), _("Superficie de la zona"),
                   _("Sobre lo esperable")),
                  tuple((r["label"], r["share"], r["n"], r["interval"], r["baseline"], yes if r["above"] else no)
                        for r in rows),
                  (_("Zonas: puntos calientes Gi* (FDR) y unidades vecinales de tasa alta de los 12 meses hasta el "
                     "%(end)s. Lo esperable: la proporción del territorio que cubre la zona; «sí» cuando todo el "
                     "intervalo de Wilson está sobre ella.") % {"end": day(found.zones.end, ctx.language)},),
                  (False, True, True, True, True, False))
    return [table]


def _impact(ctx, programme) -> tuple[list, str]:
    from observatorio.errors import UserError
    from observatorio.programmes.impact import programme_impact

    try:
        found = programme_impact(programme, measure=MEASURE, state=ctx.state)
    except UserError as error:
        return [Notice(str(error))], ""
    if found is None:
        return [], ""
    lang = ctx.language
    measure = ctx.state.catalog.measure(found.measure)
    guard = ctx.guard(measure) if measure is not None else None
    counts = (*found.treated, *found.displacement, *found.control)
    if guard is not None and any(small(n, guard.k) for n in counts):
        point = sentences.displacement(sentences.Displacement(programme.name, None, None, None, None, True), lang)
        return [Paragraph(point)], point
    r = found.result
    point = sentences.displacement(sentences.Displacement(programme.name, r.estimate, r.lower, r.upper, r.p_value),
                                   lang)
    table = Table(_("Impacto de %(name)s: eventos de %(measure)s antes (%(before)s) y después (%(after)s) del "
                    "inicio") % {"name": programme.name, "measure": _measure_name(ctx),
                                "before": span(*found.before, lang), "after": span(*found.after, lang)},
                  (_("Zona"), _("Antes"), _("Después")),
                  ((_("Tratamiento (áreas del programa)"), number(found.treated[0]), number(found.treated[1])),
                   (_("Desplazamiento (anillo de %(m)s m)") % {"m": number(found.buffer_m)},
                    number(found.displacement[0]), number(found.displacement[1])),
                   (_("Control (resto de la comuna)"), number(found.control[0]), number(found.control[1]))),
                  (found.words(), _("Eventos sin punto (no se pueden ubicar en las zonas): %(n)s.") % {
                      "n": number(found.unplaced)}),
                  (False, True, True))
    return [table], point


def _goal_specs(goals):
    from observatorio.programmes import scorecard as sc

    specs, seen = [], set()
    for goal in goals:
        for i in goal.indicators.order_by("code"):
            if i.id not in seen:
                seen.add(i.id)
                specs.append((sc.RowSpec(i.id, i.code, i.name, i.unit_label, i.polarity, goal.title), i))
    return specs


def scorecard_of(ctx, goals, today):
    """The year's scorecard as ``programmes.views.scorecard_of`` builds it (quarter columns), read as of
    ``today``."""
    from observatorio.programmes import periods
    from observatorio.programmes import scorecard as sc

    year = ctx.end.year
    quarters = periods.periods_of("trimestral", year)
    columns = [sc.Column(f"p{n}", q.label(ctx.language), start=q.start, end=q.end)
               for n, q in enumerate(quarters, 1)]
    specs = _goal_specs(goals)
    placed = {spec.indicator_id: sc.place_by_period(year_readings(i, [year], today, ctx.state), columns)
              for spec, i in specs}
    return sc.build([s for s, _i in specs], columns, placed), {spec.indicator_id: i for spec, i in specs}


def _scorecard(ctx, goals, today) -> Section:
    from observatorio.programmes.views import shown

    title = _("Tablero de indicadores %(year)s") % {"year": ctx.end.year}
    if not goals:
        return Section(title, blocks=(Notice(_("No hay metas anuales definidas para %(year)s.") % {
            "year": ctx.end.year}),))
    table, indicators = scorecard_of(ctx, goals, today)
    rows = []
    for group, items in table.groups:
        for row in items:
            indicator = indicators[row.spec.indicator_id]
            guard = guard_of(ctx, indicator)
            cells = []
            for cell in row.cells:
                s = shown(cell.reading, indicator, guard)
                text = s["light"].word if cell.reading is None else f'{s["value"]} · {s["light"].word}'
                cells.append(f'{text} {s["arrow"]}'.strip())
            rows.append((group, row.spec.name, row.spec.unit_label, *cells))
    counts = ", ".join(f"{status_label(s)}: {number(table.counts.get(s, 0))}" for s in ORDER)
    return Section(title, blocks=(Table(
        _("Tablero de indicadores de las metas %(year)s, por trimestre") % {"year": ctx.end.year},
        (_("Meta anual"), _("Indicador"), _("Unidad de medida"), *(c.label for c in table.columns)), tuple(rows),
        (_("Cada celda: la última medición que termina en el trimestre, su estado en palabras y la dirección de un "
           "cambio significativo (▲ ▼ ▶)."), _("Celdas por estado: %(counts)s.") % {"counts": counts})),),
        facts=(table,))


def _goals(ctx, goals, today) -> Section:
    from observatorio.programmes.views import shown

    year = ctx.end.year
    title = _("Metas %(year)s y su evaluación") % {"year": year}
    if not goals:
        return Section(title, blocks=(Notice(_("No hay metas anuales definidas para %(year)s.") % {"year": year}),))
    rows, found = [], []
    for goal in goals:
        for indicator in goal.indicators.order_by("code"):
            got = [r for r in year_readings(indicator, [year], today, ctx.state) if r.value is not None]
            reading = got[-1] if got else None
            found.append(reading)
            s = shown(reading, indicator, guard_of(ctx, indicator))
            rows.append((goal.title, f'{number(goal.weight)} %' if goal.weight is not None else "—", indicator.name,
                         reading.period.label(ctx.language) if reading else "—", s["value"], s["target"],
                         s["light"].word))
    point = _point_tally(found, str(year), ctx.language)
    table = Table(_("Metas %(year)s: última medición de cada indicador") % {"year": year},
                  (_("Meta anual"), _("Ponderación"), _("Indicador"), _("Período"), _("Valor"), _("Meta"),
                   _("Estado")), tuple(rows), (), (False, True, False, False, True, True, False))
    return Section(title, main_points=(point,), blocks=(table,))


def _methods(ctx) -> Section:
    text = [_("Valor e intervalo de cada indicador: intervalos de Byar o exactos de Poisson para tasas y conteos, de "
              "Wilson para proporciones; el estado compara el intervalo completo con la meta. Gráfico de control "
              "XmR con límites de los primeros 12 puntos."),
            _("Foco: proporción de actividades en los puntos calientes Gi* y en las unidades vecinales de tasa alta, "
              "con intervalo de Wilson, frente a la proporción del territorio que cubren. Impacto: diferencia de "
              "desplazamiento ponderada (Wheeler y Ratcliffe, 2018) entre ventanas iguales antes y después del "
              "inicio del programa."),
            _("Mediciones leídas al %(d)s. Versión de los datos: %(v)s.") % {
                "d": day(as_of(ctx), ctx.language), "v": ctx.data_version}]
    if ctx.public:
        text.append(policy.Guard(policy.k()).note())
    return Section(_("Notas metodológicas"), blocks=tuple(Paragraph(t) for t in text))
