"""The programme indicators whose status changed between the month before and the month: a table and a main
point, for the monthly bulletin (``section(context)``) and for the programme-evaluation report.

Readings are the programmes core's (``programmes.readings.series``), read as of the day after the period (or
after the data's last day, whichever comes first), so the same data give the same section. A status is the
reading's (interval against target, ``analysis.indicator.assess``); an indicator counts as changed when the
last reading with a value ending by the month's end and the last one ending before the month differ. In a
public report an indicator built from a guarded measure shows its status word and hides its value when a side
counts 1 … k − 1 (as the programmes pages do).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from observatorio.analysis.indicator import Status
from observatorio.labels import status_label

from . import sentences
from .document import Paragraph, Section, Table

RANK = {Status.NOT_MET: 0, Status.UNCERTAIN: 1, Status.MEETS: 2}


def as_of(ctx) -> dt.date:
    """The day readings are taken on: the day after the period, or after the data's last day if earlier."""
    last = min(ctx.end, ctx.state.as_of) if getattr(ctx.state, "as_of", None) else ctx.end
    return last + dt.timedelta(days=1)


def guard_of(ctx, indicator):
    """The report reader's disclosure guard for ``indicator`` (None: exact), as ``programmes.views.guard_of``."""
    from observatorio.programmes.views import MEASURE_TERMS

    catalog = ctx.state.catalog
    for term, measure in ((indicator.numerator, indicator.numerator_measure),
                          (indicator.denominator, indicator.denominator_measure)):
        if term in MEASURE_TERMS and measure is not None:
            guard = ctx.guard(catalog.measure(measure.code) or measure)
            if guard is not None:
                return guard
    return None


def year_readings(indicator, years, today, state) -> list:
    from observatorio.errors import UserError
    from observatorio.programmes import readings

    out = []
    for year in years:
        try:
            out += readings.series(indicator, year=year, today=today, state=state)
        except UserError:
            return []
    return out


def changes(ctx) -> list[tuple]:
    """(indicator, reading before, reading now) for every active indicator whose status changed."""
    from observatorio.programmes.models import Indicator

    today = as_of(ctx)
    before_end = ctx.start - dt.timedelta(days=1)
    years = sorted({before_end.year, ctx.end.year})
    out = []
    for indicator in Indicator.objects.filter(active=True).select_related(
            "programme", "numerator_measure", "denominator_measure").order_by("code"):
        rows = [r for r in year_readings(indicator, years, today, ctx.state) if r.value is not None]
        now = [r for r in rows if r.period.end <= ctx.end]
        before = [r for r in rows if r.period.end <= before_end]
        if not now or not before or now[-1].period == before[-1].period:
            continue
        if now[-1].status != before[-1].status:
            out.append((indicator, before[-1], now[-1]))
    return out


def direction(before: Status, now: Status) -> str:
    if before in RANK and now in RANK:
        return "better" if RANK[now] > RANK[before] else "worse"
    return "other"


def section(ctx) -> Section:
    """The bulletin's section: the changed indicators (programme, indicator, period and status before and now)."""
    from observatorio.programmes.views import shown

    lang = ctx.language
    found = changes(ctx)
    cur, prev = _month(ctx.start, lang), _month(ctx.start - dt.timedelta(days=1), lang)
    tally = {"better": 0, "worse": 0, "other": 0}
    rows = []
    for indicator, before, now in found:
        tally[direction(Status(before.status), Status(now.status))] += 1
        guard = guard_of(ctx, indicator)
        b, n = shown(before, indicator, guard), shown(now, indicator, guard)
        rows.append((indicator.programme.name if indicator.programme else "—", indicator.name,
                     f'{before.period.label(lang)}: {b["value"]} · {status_label(before.status)}',
                     f'{now.period.label(lang)}: {n["value"]} · {status_label(now.status)}'))
    point = sentences.status_changes(sentences.StatusChanges(tally["better"], tally["worse"], tally["other"],
                                                             cur, prev), lang)
    title = _("Indicadores de programas que cambiaron de estado")
    if not rows:
        return Section(title, main_points=(point,), blocks=(Paragraph(point),))
    table = Table(_("Indicadores de programas cuyo estado cambió entre %(prev)s y %(cur)s") % {"prev": prev,
                                                                                             "cur": cur},
                  (_("Programa"), _("Indicador"), _("Antes"), _("Ahora")), tuple(rows),
                  (_("Estado: el intervalo de confianza del valor frente a la meta («cumple», «no cumple», "
                     "«no concluyente» cuando el intervalo incluye la meta)."),))
    return Section(title, main_points=(point,), blocks=(table,), facts=tuple(found))


MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")


def _month(d: dt.date, lang: str) -> str:
    return f"{MONTHS_ES[d.month - 1]} de {d.year}" if lang == "es" else d.strftime("%B %Y")
