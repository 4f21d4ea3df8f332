"""The programmes pages (issue #15): programmes, indicators, the year's goals, their evaluation and the scorecard.

Thin over the core: readings come from :mod:`observatorio.programmes.readings`, every write of a measurement
goes through :mod:`observatorio.programmes.entry` (no model is written here), the scorecard is built by
:mod:`observatorio.programmes.scorecard`, downloads by :mod:`observatorio.dashboard.downloads`. Every reader
sees the pages; only a unit's members and head (and administrators) see the entry forms. Indicators counted
from measures go through the disclosure component for aggregate-only readers (small counts «reservado»).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatorio import labels
from observatorio.accounts.roles import ALL_ROLES, Role, allow, has_role
from observatorio.analysis.indicator import Status
from observatorio.dashboard import downloads
from observatorio.dashboard.numbers import number, separators, spanish
from observatorio.errors import UserError
from observatorio.programmes import scorecard as sc
from observatorio.programmes.forms import MeasurementForm, error_text
from observatorio.programmes.models import Approval, Goal, Indicator, Level, Measurement, Programme, Term, Unit
from observatorio.territory.models import Area

# A term that counts events of a measure: its small counts are reserved for aggregate-only readers.
MEASURE_TERMS = (Term.MEASURE, Term.MEASURE_IN_HOTSPOTS, Term.REPEAT)
STATUS_CSS = {Status.MEETS: "meets", Status.NOT_MET: "not-met", Status.UNCERTAIN: "uncertain",
              Status.NO_TARGET: "no-target", Status.NOT_ENOUGH_DATA: "no-data"}
ORDER = (Status.MEETS, Status.UNCERTAIN, Status.NOT_MET, Status.NO_TARGET, Status.NOT_ENOUGH_DATA)
PDF_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""The creation date written in every scorecard PDF, so that two exports of the same table are the same bytes."""


def _lang() -> str:
    return "es" if spanish() else "en"


def _label(period) -> str:
    return period.label(_lang())


# --- what a reader may see of a reading -----------------------------------------------------------------------


def guard_of(request, indicator):
    """The disclosure guard of ``indicator`` for this reader: None (exact figures) unless a side of its formula
    counts a measure the reader may see only in aggregate."""
    from observatorio.disclosure import policy
    from observatorio.state.holder import current

    measures = [m for term, m in ((indicator.numerator, indicator.numerator_measure),
                                  (indicator.denominator, indicator.denominator_measure))
                if term in MEASURE_TERMS and m is not None]
    if not measures:
        return None
    catalog = current().catalog
    for measure in measures:
        guard = policy.guard_of_request(request, catalog.measure(measure.code) or measure, catalog)
        if guard is not None:
            return guard
    return None


def reserved(reading, guard, indicator=None) -> bool:
    """Whether the guard hides this reading: a counted side between 1 and k − 1. An indicator without a
    denominator reads with a denominator of 1 (``readings.reading``): that 1 is no count."""
    from observatorio.disclosure.shapes import small

    if guard is None or reading is None:
        return False
    sides = (reading.numerator, reading.denominator)
    if indicator is not None and (indicator.denominator or "") == "":
        sides = (reading.numerator,)
    return any(small(side, guard.k) for side in sides if side is not None and float(side).is_integer())


@dataclass(frozen=True)
class Light:
    """A status as the pages show it: colour class, word beside it, and why (hover and visible text)."""

    status: Status
    word: str
    why: str
    css: str


def light(status) -> Light:
    status = Status(status)
    return Light(status, labels.status_label(status), labels.status_explanation(status), STATUS_CSS[status])


def shown(reading, indicator, guard=None) -> dict:
    """A reading for a template: value, interval and target as text, its light, trend words, late flag."""
    if reading is None:
        return {"light": light(Status.NOT_ENOUGH_DATA), "value": "—", "interval": "", "target": "—",
                "trend": "", "arrow": "", "late": False, "reserved": False}
    hidden = reserved(reading, guard, indicator)
    digits = 1
    value = _("reservado") if hidden else number(reading.value, digits)
    interval = ""
    if not hidden and reading.lower is not None and reading.upper is not None and reading.lower != reading.upper:
        interval = f"{number(reading.lower, digits)} – {number(reading.upper, digits)}"
    return {"light": light(reading.status), "value": value, "interval": interval,
            "target": number(reading.target, digits) if reading.target is not None else "—",
            "trend": labels.indicator_trend_label(reading.trend) if reading.trend else "",
            "arrow": sc.arrow(reading.trend, indicator.polarity), "late": reading.late, "reserved": hidden,
            "numerator": _("reservado") if hidden else number(reading.numerator, 2).rstrip("0").rstrip(",."),
            "denominator": _("reservado") if hidden else number(reading.denominator, 2).rstrip("0").rstrip(",.")}


def _latest(indicator, guard=None, area=None) -> dict:
    return shown(_readings("latest", indicator, area=area), indicator, guard)


def _optional(name: str, context: dict, request) -> str:
    """A block another part of the issue provides (focus, impact): rendered when its template exists."""
    try:
        template = select_template([name])
    except TemplateDoesNotExist:
        return ""
    return template.render(context, request)


def _analysis_block(kind: str, programme, request) -> str:
    """The programme's focus or impact (``programmes/<kind>.py``'s ``programme_<kind>``) in its template
    ``programmes/_<kind>.html``; "" when either is missing, when it does not apply (None), or when it cannot
    be computed. Impact counts events: for a reader the measure guards, a count of 1 … k − 1 withholds it."""
    import importlib

    try:
        module = importlib.import_module(f"observatorio.programmes.{kind}")
        select_template([f"programmes/_{kind}.html"])
    except (ImportError, TemplateDoesNotExist):
        return ""
    try:
        value = getattr(module, f"programme_{kind}")(programme)
    except UserError:
        return ""
    if value is None:
        return ""
    if kind == "impact" and _impact_withheld(request, value):
        return format_html("<h2>{}</h2><p>{}</p>", _("Impacto"), _(
            "Reservado: las zonas del análisis tienen conteos pequeños (control de divulgación)."))
    return _optional(f"programmes/_{kind}.html", {kind: value, "programme": programme}, request)


def _impact_withheld(request, impact) -> bool:
    from observatorio.disclosure import policy
    from observatorio.disclosure.shapes import small
    from observatorio.state.holder import current

    catalog = current().catalog
    guard = policy.guard_of_request(request, catalog.measure(impact.measure), catalog)
    counts = (*impact.treated, *impact.displacement, *impact.control)
    return guard is not None and any(small(n, guard.k) for n in counts)


# --- programmes -----------------------------------------------------------------------------------------------


@allow(*ALL_ROLES)
def programme_list(request):
    units = Unit.objects.order_by("name")
    chosen = request.GET.get("unidad") or ""
    programmes = Programme.objects.select_related("unit").order_by("unit__name", "name")
    if chosen:
        programmes = programmes.filter(unit__code=chosen)
    groups: dict[Unit, list] = {}
    today = timezone.localdate()
    for p in programmes:
        groups.setdefault(p.unit, []).append({"p": p, "active": p.active_on(today)})
    return render(request, "programmes/list.html", {"units": units, "chosen": chosen, "groups": groups.items()})


def _money(value) -> str:
    return "—" if value is None else f"$ {number(value, 0)}"


@allow(*ALL_ROLES)
def programme_page(request, code):
    programme = get_object_or_404(Programme.objects.select_related("unit"), code=code)
    order = [lvl.value for lvl in Level]
    objectives = sorted(programme.objectives.prefetch_related("indicators"),
                        key=lambda o: (order.index(o.level), o.position, o.id))
    matrix = [{"o": o, "indicators": list(o.indicators.all())} for o in objectives]
    activities = programme.activities.select_related("area")
    totals = activities.aggregate(n=Count("id"), people=Sum("participants"), hours=Sum("hours"))
    indicators = [{"i": i, "r": _latest(i, guard_of(request, i))}
                  for i in programme.indicators.filter(active=True).order_by("code")]
    spent_share = None
    if programme.budget and programme.spent is not None:
        spent_share = number(float(programme.spent) * 100 / float(programme.budget), 1)
    context = {"programme": programme, "matrix": matrix, "activities": activities[:10], "totals": totals,
               "beneficiaries": programme.beneficiaries.count(), "indicators": indicators,
               "areas": programme.target_areas.order_by("level", "name"),
               "budget": _money(programme.budget), "spent": _money(programme.spent), "spent_share": spent_share}
    context["focus_block"] = _analysis_block("focus", programme, request)
    context["impact_block"] = _analysis_block("impact", programme, request)
    return render(request, "programmes/programme.html", context)


# --- indicators -----------------------------------------------------------------------------------------------


def _series(indicator, area=None, today=None):
    """Last year's and this year's periods (begun by today)."""
    today = today or timezone.localdate()
    return [r for year in (today.year - 1, today.year) for r in _readings("series", indicator, area=area, year=year,
                                                                           today=today)]


def _readings(name, indicator, **kwargs):
    """``readings.<name>(indicator, …)``; an indicator that cannot be computed (its definition is incomplete)
    reads as having no data, and its page says why (:func:`problem_of`)."""
    from observatorio.programmes import readings

    try:
        return getattr(readings, name)(indicator, **kwargs)
    except UserError:
        return [] if name == "series" else None


def problem_of(indicator) -> str:
    """Why the indicator cannot be computed ("" when it can)."""
    from observatorio.programmes import readings

    try:
        readings.latest(indicator)
    except UserError as error:
        return str(error)
    return ""


def _trend_figure(indicator, rows, guard) -> dict:
    xs, ys, up, down, targets = [], [], [], [], []
    for reading in rows:
        xs.append(_label(reading.period))
        hidden = reserved(reading, guard, indicator) or reading.value is None
        ys.append(None if hidden else reading.value)
        up.append(None if hidden or reading.upper is None else reading.upper - reading.value)
        down.append(None if hidden or reading.lower is None else reading.value - reading.lower)
        targets.append(reading.target)
    data = [{"type": "scatter", "mode": "lines+markers", "name": _("Valor"), "x": xs, "y": ys,
             "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down, "color": "#52606d"},
             "line": {"color": "#1f5f99"}}]
    if any(t is not None for t in targets):
        data.append({"type": "scatter", "mode": "lines", "name": _("Meta"), "x": xs, "y": targets,
                     "line": {"color": "#b3261e", "dash": "dash", "shape": "hv"}})
    return {"data": data, "layout": {"separators": separators(), "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
                                     "height": 320, "legend": {"orientation": "h"},
                                     "xaxis": {"type": "category"}, "yaxis": {"title": indicator.unit_label}}}


def _control(indicator) -> tuple[dict | None, list]:
    """The XmR chart (12 points or more) and its special-cause points in words."""
    from observatorio.programmes import readings

    chart = readings.control_chart(indicator)
    if chart is None or not chart.enough:
        return None, []
    xs = [_label(period) for period, _v in readings.history(indicator)]
    values = [float(v) for v in chart.values]
    variations = chart.variation(indicator.polarity)
    special = [(xs[i], values[i], chart.signals[i], variations[i]) for i in range(len(values)) if chart.signals[i]]
    explained = [{"x": x, "value": number(v, 1), "variation": labels.label(var),
                  "rules": "; ".join(labels.label(rule) for rule in sorted(rules))} for x, v, rules, var in special]
    n = len(xs)
    data = [{"type": "scatter", "mode": "lines+markers", "name": _("Valor"), "x": xs, "y": values,
             "line": {"color": "#52606d"}},
            {"type": "scatter", "mode": "lines", "name": _("Promedio"), "x": xs, "y": [chart.mean] * n,
             "line": {"color": "#1f5f99"}},
            {"type": "scatter", "mode": "lines", "name": _("Límites de control"), "x": xs + [None] + xs,
             "y": [chart.upper] * n + [None] + [chart.lower] * n, "line": {"color": "#b3261e", "dash": "dot"}}]
    if special:
        data.append({"type": "scatter", "mode": "markers", "name": _("Causa especial"),
                     "x": [e["x"] for e in explained], "y": [v for _x, v, _r, _w in special],
                     "text": [f'{e["variation"]}: {e["rules"]}' for e in explained],
                     "marker": {"size": 12, "symbol": "diamond", "color": "#e8a33d",
                                "line": {"color": "#000", "width": 1}}})
    figure = {"data": data, "layout": {"separators": separators(), "height": 320, "legend": {"orientation": "h"},
                                       "margin": {"l": 50, "r": 10, "t": 10, "b": 60}, "xaxis": {"type": "category"}}}
    return figure, explained


def _people(user) -> str:
    return user.get_username() if user is not None else "—"


def target_runs(targets) -> list[dict]:
    """Targets in words, consecutive periods of one area with the same value joined: "01-01-2025 – 31-12-2025
    (12 períodos): 70" rather than twelve lines."""
    runs: list[list] = []
    for t in targets:
        last = runs[-1] if runs else None
        if last and last[0].area_id == t.area_id and last[0].value == t.value and \
                (t.period_start - last[-1].period_end).days == 1:
            last.append(t)
        else:
            runs.append([t])
    out = []
    for run in runs:
        first, end = run[0], run[-1]
        text = f"{first.period_start:%d-%m-%Y} – {end.period_end:%d-%m-%Y}"
        if len(run) > 1:
            text += " " + _("(%(n)s períodos)") % {"n": len(run)}
        out.append({"period": text, "area": first.area, "value": number(first.value, 2).rstrip("0").rstrip(",.")})
    return out


@allow(*ALL_ROLES)
def indicator_page(request, code):
    from observatorio.programmes import entry, formulas

    indicator = get_object_or_404(Indicator.objects.select_related("unit", "programme"), code=code)
    guard = guard_of(request, indicator)
    rows = _series(indicator)
    ids = [r.measurement_id for r in rows if r.measurement_id]
    stored = {m.id: m for m in Measurement.objects.filter(id__in=ids).select_related("entered_by", "approved_by")
              .prefetch_related("revisions__user")}
    may_enter, may_approve = entry.can_enter(request.user, indicator), entry.can_approve(request.user, indicator)
    admin = has_role(request.user, Role.ADMIN)
    table = []
    for reading in reversed(rows):
        m = stored.get(reading.measurement_id)
        table.append({"period": _label(reading.period), "r": shown(reading, indicator, guard), "m": m,
                      "origin": m.get_origin_display() if m else "",
                      "approval": m.get_approval_display() if m else "",
                      "by": _people(m.entered_by) if m else "", "approver": _people(m.approved_by) if m and
                      m.approved_by else "",
                      "approve": may_approve and m is not None and m.approval == Approval.ENTERED,
                      "lock": may_approve and m is not None and m.approval == Approval.APPROVED,
                      "unlock": admin and m is not None and m.approval in (Approval.APPROVED, Approval.LOCKED),
                      "revisions": list(m.revisions.all()) if m else []})
    figure, special = _control(indicator)
    form = MeasurementForm(indicator=indicator) if may_enter and not indicator.computed else None
    targets = target_runs(indicator.targets.select_related("area").order_by("area_id", "period_start"))
    return render(request, "programmes/indicator.html", {
        "indicator": indicator, "formula": formulas.describe(indicator, _lang()), "table": table,
        "trend_figure": _trend_figure(indicator, rows, guard) if rows else None, "xmr_figure": figure,
        "special": special, "form": form, "targets": targets, "guard": guard, "problem": problem_of(indicator),
        "baseline": number(indicator.baseline, 2).rstrip("0").rstrip(",.") if indicator.baseline is not None else "—",
        "polarity": labels.polarity_label(indicator.polarity), "formats": downloads.FORMATS,
        "statuses": [light(s) for s in ORDER]})


@allow(*ALL_ROLES)
def indicator_download(request, code):
    indicator = get_object_or_404(Indicator, code=code)
    fmt = downloads.format_of(request)
    if fmt is None:
        return downloads.unknown_format(request)
    guard = guard_of(request, indicator)
    out = []
    for reading in _series(indicator):
        hidden = reserved(reading, guard, indicator)
        out.append([reading.period.start, reading.period.end,
                    downloads_value(reading.numerator, hidden), downloads_value(reading.denominator, hidden),
                    downloads_value(reading.value, hidden), downloads_value(reading.lower, hidden),
                    downloads_value(reading.upper, hidden), reading.target, labels.status_label(reading.status),
                    labels.indicator_trend_label(reading.trend) if reading.trend else "", reading.late,
                    reading.origin or "", reading.approval or ""])
    headers = [_("Desde"), _("Hasta"), _("Numerador"), _("Denominador"), _("Valor"), _("Límite inferior"),
               _("Límite superior"), _("Meta"), _("Estado"), _("Tendencia"), _("Atrasada"), _("Origen"),
               _("Aprobación")]
    about = [(_("Indicador"), indicator.name), (_("Unidad de medida"), indicator.unit_label),
             (_("Polaridad"), labels.polarity_label(indicator.polarity))]
    notes = [[guard.note()]] if guard is not None else []
    return downloads.respond(downloads.Download("indicador", f"indicador_{indicator.code}", headers, out, about,
                                                notes), fmt)


def downloads_value(value, hidden: bool):
    from observatorio.disclosure.policy import SUPPRESSED

    return SUPPRESSED if hidden else value


def _back(indicator):
    return redirect(reverse("programmes:indicator", args=[indicator.code]) + "#mediciones")


@allow(*ALL_ROLES)
@require_POST
def measurement_enter(request, code):
    from observatorio.programmes import entry

    indicator = get_object_or_404(Indicator, code=code)
    if not entry.can_enter(request.user, indicator):
        raise PermissionDenied
    form = MeasurementForm(request.POST, indicator=indicator)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return _back(indicator)
    data = form.cleaned_data
    try:
        entry.enter(indicator, data["period"], data["area"], data["numerator"], data["denominator"],
                    user=request.user, note=data["note"])
    except UserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Medición de %(period)s guardada.") % {"period": _label(data["period"])})
    return _back(indicator)


def _state_change(action):
    @allow(*ALL_ROLES)
    @require_POST
    def view(request, pk):
        from observatorio.programmes import entry

        measurement = get_object_or_404(Measurement.objects.select_related("indicator"), pk=pk)
        allowed = (has_role(request.user, Role.ADMIN) if action == "unlock"
                   else entry.can_approve(request.user, measurement.indicator))
        if not allowed:
            raise PermissionDenied
        try:
            getattr(entry, action)(measurement, user=request.user)
        except UserError as error:
            messages.error(request, str(error))
        return _back(measurement.indicator)

    view.__name__ = f"measurement_{action}"
    return view


measurement_approve = _state_change("approve")
measurement_lock = _state_change("lock")
measurement_unlock = _state_change("unlock")


# --- goals, evaluation, scorecard -----------------------------------------------------------------------------


def _goals(year):
    goals = list(Goal.objects.filter(year=year).select_related("unit").prefetch_related("indicators"))
    if not goals and not Goal.objects.filter(year=year).exists() and not (1990 <= year <= 2200):
        raise Http404
    return goals


@allow(*ALL_ROLES)
def goals_page(request, year):
    goals = _goals(year)
    rows = [{"g": g, "indicators": [{"i": i, "r": _year_reading(request, i, year)} for i in g.indicators.all()]}
            for g in goals]
    years = sorted(set(Goal.objects.values_list("year", flat=True)) | {year})
    return render(request, "programmes/goals.html", {"year": year, "goals": rows, "years": years,
                                                     "statuses": [light(s) for s in ORDER]})


def _year_reading(request, indicator, year, area=None) -> dict:
    """The last reading of the year with data, as shown."""
    rows = [r for r in _readings("series", indicator, area=area, year=year) if r.value is not None]
    return shown(rows[-1] if rows else None, indicator, guard_of(request, indicator))


@allow(*ALL_ROLES)
def evaluation_page(request, year):
    goals = _goals(year)
    counts = {s: 0 for s in ORDER}
    rows = []
    for goal in goals:
        items = []
        for indicator in goal.indicators.all():
            r = _year_reading(request, indicator, year)
            counts[r["light"].status] += 1
            items.append({"i": indicator, "r": r})
        rows.append({"g": goal, "indicators": items})
    summary = [{"light": light(s), "n": n} for s, n in counts.items()]
    return render(request, "programmes/evaluation.html", {"year": year, "goals": rows, "summary": summary})


def scorecard_of(request, year: int, by: str, area: Area | None) -> sc.Scorecard:
    """The year's scorecard: rows the goals' indicators (each under its goal), columns the quarters of the year
    or the areas under ``area`` (the comuna first)."""
    from observatorio.programmes import periods

    specs, seen = [], set()
    for goal in _goals(year):
        for i in goal.indicators.order_by("code"):
            if i.id not in seen:
                seen.add(i.id)
                specs.append((sc.RowSpec(i.id, i.code, i.name, i.unit_label, i.polarity, goal.title), i))
    placed: dict[int, dict] = {}
    if by == "areas":
        children = list(area.children.order_by("name") if area else Area.objects.filter(parent__isnull=True,
                                                                                         level="comuna"))
        columns = [sc.Column(f"a{area.id if area else ''}", area.name if area else _("Comuna"),
                             area_id=area.id if area else None)]
        if area is None and len(children) == 1:
            children = list(children[0].children.order_by("name"))
        columns += [sc.Column(f"a{c.id}", c.name, area_id=c.id, drill=c.children.exists()) for c in children]
        for spec, indicator in specs:
            found = {}
            by_area = _readings("series_by_area", indicator, areas=[c.area_id for c in columns], year=year) or {}
            for column in columns:
                series = [r for r in by_area.get(column.area_id, []) if r.value is not None]
                if series:
                    found[column.area_id] = series[-1]
            placed[spec.indicator_id] = sc.place_by_area(found, columns)
    else:
        quarters = periods.periods_of("trimestral", year)
        columns = [sc.Column(f"p{n}", q.label(_lang()), start=q.start, end=q.end) for n, q in enumerate(quarters, 1)]
        for spec, indicator in specs:
            placed[spec.indicator_id] = sc.place_by_period(_readings("series", indicator, year=year), columns)
    return sc.build([s for s, _i in specs], columns, placed)


def _by(request) -> str:
    return "areas" if request.GET.get("por") == "areas" else "periodos"


def _area(request) -> Area | None:
    raw = request.GET.get("area") or ""
    return get_object_or_404(Area, pk=int(raw)) if raw.isdigit() else None


@allow(*ALL_ROLES)
def scorecard_page(request, year):
    by, area = _by(request), _area(request)
    table = scorecard_of(request, year, by, area)
    guards = {}
    groups = []
    indicators = {i.id: i for i in Indicator.objects.filter(id__in=[r.spec.indicator_id for r in table.rows])}
    for group, rows in table.groups:
        out = []
        for row in rows:
            indicator = indicators[row.spec.indicator_id]
            guards.setdefault(indicator.id, guard_of(request, indicator))
            out.append({"spec": row.spec, "cells": [shown(c.reading, indicator, guards[indicator.id])
                                                      for c in row.cells]})
        groups.append((group, out))
    # The way down from the comuna (the first crumb) to the area shown.
    chain = [a for a in reversed([area, *area.ancestors()]) if a.level != "comuna"] if area is not None else []
    return render(request, "programmes/scorecard.html", {
        "year": year, "by": by, "area": area, "chain": chain, "table": table, "groups": groups,
        "summary": [{"light": light(s), "n": table.counts.get(s, 0)} for s in ORDER],
        "statuses": [light(s) for s in ORDER], "query": request.GET.urlencode()})


def _flat(request, year) -> tuple[list, list]:
    table = scorecard_of(request, year, _by(request), _area(request))
    indicators = {i.id: i for i in Indicator.objects.filter(id__in=[r.spec.indicator_id for r in table.rows])}
    headers = [_("Meta anual"), _("Indicador"), _("Unidad de medida")] + [c.label for c in table.columns]
    rows = []
    for group, items in table.groups:
        for row in items:
            guard = guard_of(request, indicators[row.spec.indicator_id])
            cells = []
            for cell in row.cells:
                s = shown(cell.reading, indicators[row.spec.indicator_id], guard)
                text = s["light"].word if cell.reading is None else f'{s["value"]} · {s["light"].word}'
                cells.append(f'{text} {s["arrow"]}'.strip())
            rows.append([group, row.spec.name, row.spec.unit_label, *cells])
    return headers, rows


@allow(*ALL_ROLES)
def scorecard_download(request, year):
    fmt = downloads.format_of(request)
    if fmt is None:
        return downloads.unknown_format(request)
    headers, rows = _flat(request, year)
    return downloads.respond(downloads.Download("tablero", f"tablero_indicadores_{year}", headers, rows,
                                                [(_("Año"), year)]), fmt)


@allow(*ALL_ROLES)
def scorecard_pdf(request, year):
    headers, rows = _flat(request, year)
    body = scorecard_pdf_bytes(_("Tablero de indicadores %(year)s") % {"year": year}, headers, rows)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tablero_indicadores_{year}.pdf"'
    return response


def _typst_text(value) -> str:
    """A cell as a Typst string literal (JSON's escaping is Typst's)."""
    return json.dumps(str(value), ensure_ascii=False)


def scorecard_pdf_bytes(title: str, headers: list, rows: list) -> bytes:
    """A simple landscape table with Typst; the document date is fixed, so equal tables give equal bytes."""
    import typst

    cells = ", ".join(f"[*#{_typst_text(h)}*]" for h in headers)
    for row in rows:
        cells += ", " + ", ".join(f"[#{_typst_text(v)}]" for v in row)
    source = (f'#set document(title: {_typst_text(title)}, date: datetime(year: {PDF_DATE.year}, month: 1, day: 1))\n'
              '#set page(paper: "a4", flipped: true, margin: 1.2cm)\n#set text(size: 8pt, lang: "es")\n'
              f"= #{_typst_text(title)}\n\n#table(columns: {len(headers)}, {cells})\n")
    return typst.compile(source.encode("utf-8"))
