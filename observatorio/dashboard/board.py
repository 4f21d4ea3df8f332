"""The dashboard page (/tablero/) and its data endpoints (/tablero/datos/<name>.json|.csv).

Each data set is computed by :mod:`.engine` from the event snapshot, then
served three ways: as a Plotly figure (plain JSON built here, no Plotly Python
objects: validating them costs more than the aggregation), as JSON data and
as CSV. Filters come from the URL (see :mod:`.filters`); a bad filter answers
400 with the form's errors in one JSON shape, :func:`error_body`.

Every figure counts one measure (``measure``, default casos-policiales) and says
so: every JSON answer carries ``"measure": {code, name, unit}``, every CSV
starts with the columns ``medida`` and ``unidad``, every panel title and figure
names the measure and its unit. There is no total over sources.

Every data set is an aggregate, so all four roles may see them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.analysis.periods import whole_months
from observatorio.disclosure import policy, shapes
from observatorio.labels import outcome_label
from observatorio.programmes.impact import programme_starts
from observatorio.records.measures import MeasureDef
from observatorio.state import DataState, current

from . import colours, downloads, engine, numbers
from .filter_form import empty_reason, form_fields
from .filters import PERIODS, WEEKDAYS, Filters, error_sentences, parse_filters
from .layers.base import territory
from .numbers import number

COLORSCALE = "Viridis"
_ENCODER = DjangoJSONEncoder()  # what JsonResponse would use for dates and decimals
BAR = "#3b528b"  # a viridis blue, readable on white
METRICS = ("count", "rate", "eb")
# How the change-by-area table is ordered: by code (the level's order), name, change (rises first; "-change":
# falls first) or p-value.
SORTS = ("code", "name", "change", "-change", "p")
NIGHTS = (20, 6)  # the "noches" preset: 20:00 up to 06:00
WEEKEND = (5, 6)  # the "fines de semana" preset: Saturday and Sunday


def error_body(status: int, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    """The one JSON error shape of the dashboard's endpoints."""
    return {"error": {"status": status, "message": message, "fields": fields or {}}}


def _error(status: int, message: str, fields=None) -> JsonResponse:
    return JsonResponse(error_body(status, message, fields), status=status, json_dumps_params={"ensure_ascii": False})


@dataclass(frozen=True)
class Context:
    state: DataState
    filters: Filters
    metric: str
    spanish: bool
    measure: MeasureDef | None = None
    compare: str = "previous"  # what the change-by-area table compares with (engine.COMPARES)
    sort: str = "code"  # the change-by-area table's order (SORTS)
    guard: policy.Guard | None = None  # disclosure control for this reader and measure (None: exact figures)

    @property
    def separators(self) -> str:
        # Plotly's layout.separators: decimal mark, then thousands mark (Chile: 1.234,5).
        return numbers.separators()

    @cached_property
    def markers(self) -> list[dict]:
        """Programmes starting in the filters' window, in their areas or comuna-wide
        (:func:`observatorio.programmes.impact.programme_starts`): read once per request, for the trend's
        figure and its JSON."""
        f = self.filters
        return programme_starts(f.start, f.end, f.areas, self.state.index)

    @property
    def name(self) -> str:
        return self.measure.name if self.measure else _("Sin medida")

    @property
    def unit(self) -> str:
        return self.measure.unit if self.measure else ""

    @property
    def label(self) -> str:
        """The measure and its unit, as panel titles and axes name it: "Casos policiales (casos)"."""
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def amount(self, count) -> str:
        """A count with its unit: "1.234 casos" (a suppressed count: "reservado")."""
        if count is None:
            return _(policy.SUPPRESSED)
        return f"{number(count)} {self.unit}".strip()

    def extras(self, **changes) -> dict:
        """The page's own parameters (not filters) that differ from their defaults, changed by ``changes``."""
        params = {"metric": self.metric, "compare": self.compare, "sort": self.sort, **changes}
        defaults = {"metric": "count", "compare": "previous", "sort": "code"}
        return {k: (None if v == defaults[k] else v) for k, v in params.items()}

    def query(self, **changes) -> str:
        """The URL's query string with ``changes`` (None drops a parameter)."""
        extras = {k: changes.pop(k) for k in ("metric", "compare", "sort") if k in changes}
        return self.filters.to_query(**changes, **self.extras(**extras))


def measure_json(ctx: Context) -> dict:
    return {"code": ctx.measure.code if ctx.measure else "", "name": ctx.name, "unit": ctx.unit}


def build_context(request, state: DataState, *, hours: bool = False) -> tuple[Context | None, dict]:
    """The request's context, or the form's errors; for an aggregate-only reader a sensitive view finer than
    allowed is refused (``hours``: the hour × weekday table is asked) and a UV level coarsened."""
    filters, errors = parse_filters(request.GET, state)
    choices = {"metric": (METRICS, "count"), "compare": (engine.COMPARES, "previous"), "sort": (SORTS, "code")}
    chosen = {}
    for key, (options, default) in choices.items():
        chosen[key] = request.GET.get(key) or default
        if chosen[key] not in options:
            errors = {**errors, key: [f"«{chosen[key]}» no es una opción válida: {', '.join(options)}"]}
    if filters is not None and not state.index.ids_at(filters.level):
        errors = {**errors, "level": [f"no hay áreas de nivel «{filters.level}»"]}
    if errors:
        return None, errors
    measure = state.catalog.measure(filters.measure) if filters.measure else None
    guard = policy.guard_of_request(request, measure, state.catalog, filters.categories)
    refused = policy.coarse_refusal(guard, filters, state.index, hours=hours)
    if refused:
        return None, {"disclosure": [refused]}
    filters = replace(filters, level=policy.coarse_level(guard, filters.level))
    return Context(state, filters, chosen["metric"], numbers.spanish(), measure, chosen["compare"],
                   chosen["sort"], guard), {}


# --- data sets ------------------------------------------------------------------------------------------------
# Each is (compute, to_json, to_rows, to_figure): compute runs the engine once, the others only reshape.
# Every CSV gets the measure's name and unit as its first two columns (board_data), so to_rows leaves them out.


def _fmt_date(d: dt.date) -> str:
    return d.isoformat()


def _date(d: dt.date) -> str:
    return dateformat.format(d, "d-m-Y" if numbers.spanish() else "j M Y")


def period_name(start: dt.date, end: dt.date) -> str:
    """A window in words with its dates: "octubre 2026 (01-10-2026 al 31-10-2026)", or just the dates."""
    dates = _("del %(start)s al %(end)s") % {"start": _date(start), "end": _date(end)}
    months = whole_months(start, end)
    if months == 1:
        return f"{dateformat.format(start, 'F Y')} ({dates})"
    if months == 12 and start.month == 1:
        return f"{start.year} ({dates})"
    if months:
        return f"{dateformat.format(start, 'F Y')} – {dateformat.format(end, 'F Y')} ({dates})"
    return dates


def _round(value, digits: int):
    """A float rounded for a CSV; None (suppressed, or no value) stays None."""
    return None if value is None else round(value, digits)


def _hidden(values) -> list[bool]:
    """Per value, whether disclosure control suppressed it (None): the JSON's ``suppressed`` flags."""
    return [v is None for v in values]


def _headline_json(h: engine.Headline) -> dict:
    return {**h.as_dict(), "suppressed": h.count is None}


def _headline_rows(h: engine.Headline):
    header = ["periodo", "desde", "hasta", "cantidad", "variacion", "variacion_pct", "valor_p", "eventos_comparacion",
              "veredicto"]
    rows = [["actual", h.start, h.end, h.count, "", "", "", "", ""]]
    for name, c in (("anterior", h.previous), ("mismo_periodo_ano_anterior", h.last_year)):
        rows.append([name, c.start, c.end, c.count, c.change,
                     "" if c.pct_change is None else round(c.pct_change, 2), _round(c.p_value, 6), c.events,
                     c.outcome])
    return header, rows


def _layout(ctx: Context, **extra) -> dict:
    layout = {"separators": ctx.separators, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "height": 320,
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "hovermode": "closest",
              "font": {"family": "system-ui, sans-serif", "size": 12},
              "meta": {"measure": measure_json(ctx), "disclosure": disclosure_json(ctx)}}
    layout.update(extra)
    return layout


def _trend_json(t: engine.Trend) -> dict:
    counts = t.counts.tolist()
    return {"step": t.step, "starts": [_fmt_date(d) for d in t.starts], "counts": counts,
            "suppressed": _hidden(counts), "days": t.days.tolist(), "partial": t.partial().tolist()}


def _trend_rows(t: engine.Trend):
    return ["desde", "cantidad", "dias", "incompleto"], [
        [d, None if c is None else int(c), int(n), bool(p)]
        for d, c, n, p in zip(t.starts, t.counts, t.days, t.partial())]


def _trend_figure(t: engine.Trend, ctx: Context) -> dict:
    x = [_fmt_date(d) for d in t.starts]
    unit = f" {ctx.unit}" if ctx.unit else ""
    trace = {"type": "scatter", "mode": "lines+markers" if len(t.starts) <= 60 else "lines",
             "x": x, "y": t.counts.tolist(), "line": {"color": BAR, "width": 2},
             "marker": {"size": 4}, "name": ctx.name, "showlegend": False,
             "hovertemplate": "%{x|%d-%m-%Y}: %{y:,d}" + unit + "<extra>" + ctx.name + "</extra>"}
    data = [trace]
    cut = np.flatnonzero(t.partial())
    if cut.size:
        # A week or month the window cuts short counts fewer events: marked, so it is not read as a fall.
        data.append({"type": "scatter", "mode": "markers", "x": [x[i] for i in cut],
                     "y": [None if t.counts[i] is None else int(t.counts[i]) for i in cut], "customdata": [int(t.days[i]) for i in cut],
                     "marker": {"size": 10, "symbol": "circle-open", "color": BAR, "line": {"width": 2}},
                     "name": _("Período incompleto"),
                     "hovertemplate": "%{x|%d-%m-%Y}: %{y:,d}" + unit + " ("
                                      + _("%(n)s días") % {"n": "%{customdata}"}
                                      + ")<extra>" + _("Período incompleto") + "</extra>"})
    layout = _layout(ctx, xaxis={"type": "date", "tickformat": "%d-%m-%Y"},
                     yaxis={"rangemode": "tozero", "tickformat": ",d", "title": {"text": ctx.label}})
    starts = ctx.markers
    if starts:  # programmes starting in the window (issue #15): a dotted vertical line and the programme's name
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": m["date"], "x1": m["date"],
                             "y0": 0, "y1": 1, "line": {"color": "#555555", "width": 1, "dash": "dot"}}
                            for m in starts]
        layout["annotations"] = [{"x": m["date"], "y": 1, "xref": "x", "yref": "paper", "showarrow": False,
                                  "text": _("Inicio: %(name)s") % {"name": m["label"]}, "textangle": -90,
                                  "xanchor": "left", "yanchor": "top", "font": {"size": 10, "color": "#333333"}}
                                 for m in starts]
    if cut.size:
        layout["showlegend"] = True
        layout["legend"] = {"orientation": "h", "y": -0.2}
    return {"data": data, "layout": layout}


def _breakdown_json(b: engine.Breakdown) -> dict:
    return {"ids": b.ids, "names": b.names, "counts": b.counts, "suppressed": _hidden(b.counts)}


def _breakdown_rows(b: engine.Breakdown):
    return ["id", "nombre", "cantidad"], [[i, n, c] for i, n, c in zip(b.ids, b.names, b.counts)]


def _breakdown_figure(b: engine.Breakdown, ctx: Context) -> dict:
    # Largest on top; a suppressed count (None) is drawn as no bar and named so.
    shown = [(n if c is not None else f"{n} ({policy.SUPPRESSED})", c)
             for n, c in zip(b.names, b.counts)][:15][::-1]
    unit = f" {ctx.unit}" if ctx.unit else ""
    trace = {"type": "bar", "orientation": "h", "y": [n for n, _c in shown], "x": [c for _n, c in shown],
             "name": ctx.name, "marker": {"color": BAR},
             "hovertemplate": "%{y}: %{x:,d}" + unit + "<extra>" + ctx.name + "</extra>"}
    height = max(220, 26 * len(shown) + 70)
    return {"data": [trace], "layout": _layout(ctx, height=height, margin={"l": 200, "r": 10, "t": 10, "b": 50},
                                                 xaxis={"tickformat": ",d", "title": {"text": ctx.label}},
                                                 yaxis={"automargin": True})}


def _hours_json(h: shapes.Hours) -> dict:
    return {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "matrix": h.matrix,
            "suppressed": [_hidden(row) for row in h.matrix], "without_time": h.without_time,
            "weekday_totals": h.weekday_totals, "hour_totals": h.hour_totals, "total": h.total}


def _hours_rows(h: shapes.Hours):
    rows = [[WEEKDAYS[d], hour, h.matrix[d][hour]] for d in range(7) for hour in range(24)]
    return ["dia", "hora", "cantidad"], rows


def _hours_figure(h: shapes.Hours, ctx: Context) -> dict:
    unit = f" {ctx.unit}" if ctx.unit else ""
    trace = {"type": "heatmap", "z": h.matrix, "x": [f"{hour:02d}" for hour in range(24)],
             "y": [_(d) for d in WEEKDAYS], "colorscale": COLORSCALE, "hoverongaps": False, "name": ctx.name,
             "colorbar": {"thickness": 10, "tickformat": ",d", "title": {"text": ctx.unit, "side": "right"}},
             "hovertemplate": "%{y} %{x} h: %{z:,d}" + unit + "<extra>" + ctx.name + "</extra>"}
    return {"data": [trace], "layout": _layout(ctx, height=300, margin={"l": 80, "r": 10, "t": 10, "b": 40},
                                                 yaxis={"autorange": "reversed", "automargin": True},
                                                 xaxis={"title": {"text": _("Hora")}, "dtick": 2})}


def _areas_json(t: engine.AreaTable) -> dict:
    return {"level": t.level, "population_year": t.year, "unplaced": t.unplaced,
            "rows": [_area_row_json(r) for r in t.rows]}


def _areas_rows(t: engine.AreaTable):
    header = ["codigo", "nombre", "cantidad", "poblacion", "tasa_por_1000", "tasa_eb_por_1000"]

    def r4(v):
        return "" if v is None else round(v, 4)

    return header, [[r.code, r.name, r.count, "" if r.population is None else r.population, r4(r.rate),
                     r4(r.eb_rate)] for r in t.rows]


def _area_row_json(r: engine.AreaRow) -> dict:
    return {"id": r.id, "code": r.code, "name": r.name, "count": r.count, "suppressed": r.count is None,
            "population": r.population, "rate_per_1000": r.rate, "eb_rate_per_1000": r.eb_rate}


def _top_json(t: engine.AreaTable) -> dict:
    return {"level": t.level, "rows": [_area_row_json(r) for r in t.top()]}


def _top_rows(t: engine.AreaTable):
    return _areas_rows(engine.AreaTable(t.level, t.year, t.top(), t.unplaced))


def _metric_values(t: engine.AreaTable, metric: str) -> list[float | None]:
    if metric == "count":
        return [None if r.count is None else float(r.count) for r in t.rows]
    return [r.rate if metric == "rate" else r.eb_rate for r in t.rows]


def metric_title(ctx: Context, metric: str | None = None) -> str:
    """What the area map shows: "Casos policiales (casos)", "Casos policiales por 1.000 hab." …"""
    metric = metric or ctx.metric
    if metric == "count":
        return ctx.label
    if metric == "rate":
        return _("%(measure)s por 1.000 hab.") % {"measure": ctx.name}
    return _("%(measure)s: tasa suavizada (EB) por 1.000 hab.") % {"measure": ctx.name}


def _areas_figure(t: engine.AreaTable, ctx: Context) -> dict:
    terr = territory(ctx.state, ctx.filters.end)
    shapes = {} if terr is None else {s.id: terr.rings_xy(s) for s in terr.shapes.get(t.level, [])}
    values = _metric_values(t, ctx.metric)
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    colour_of = iter(colours.sample(COLORSCALE, [min(max(v / top, 0.0), 1.0) for v in known]))
    tick_format = ",d" if ctx.metric == "count" else ",.2f"
    title = metric_title(ctx)
    click = _("Clic: ver la ficha del área")
    traces = []
    for row, value in zip(t.rows, values):
        if row.id not in shapes:
            continue
        fill = next(colour_of) if value is not None else "#e4e7eb"
        xs, ys = shapes[row.id]
        if value is None:
            shown = policy.SUPPRESSED
        else:
            shown = ctx.amount(value) if ctx.metric == "count" else number(value, 2)
        label = ctx.name if ctx.metric == "count" else title
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself", "fillcolor": fill,
                       "line": {"color": "#ffffff", "width": 1}, "hoveron": "fills", "hoverinfo": "text",
                       "text": f"{row.name}<br>{label}: {shown}<br>{click}", "name": row.code, "showlegend": False,
                       "meta": {"profile": reverse("area_profile", args=[row.id])}})
    if traces:
        first = traces[0]
        traces.append({"type": "scatter", "x": [first["x"][0]], "y": [first["y"][0]], "mode": "markers",
                       "hoverinfo": "skip", "showlegend": False,
                       "marker": {"size": 0.1, "opacity": 0, "color": [0], "cmin": 0, "cmax": top,
                                  "colorscale": COLORSCALE, "showscale": True,
                                  "colorbar": {"title": {"text": title, "side": "right"},
                                               "thickness": 10, "tickformat": tick_format}}})
    return {"data": traces, "layout": _layout(ctx, height=440, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                                               dragmode="pan", xaxis={"visible": False},
                                               yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1})}


def sorted_changes(changes: engine.AreaChanges, sort: str) -> engine.AreaChanges:
    """The table in the order asked for (SORTS); ties by code."""
    keys = {
        # Rows whose counts disclosure control suppressed (change None) go last: their place would bound them.
        "code": lambda r: (r.code,),
        "name": lambda r: (r.name.casefold(), r.code),
        "change": lambda r: (r.change is None, -(r.change or 0), r.p_value or 0, r.code),
        "-change": lambda r: (r.change is None, r.change or 0, r.p_value or 0, r.code),
        "p": lambda r: (r.p_value is None, r.p_value or 0, -abs(r.change or 0), r.code),
    }
    return replace(changes, rows=sorted(changes.rows, key=keys[sort]))


def _changes(ctx: Context) -> engine.AreaChanges:
    return sorted_changes(engine.area_changes(ctx.state, ctx.filters, ctx.compare), ctx.sort)


def _changes_json(t: engine.AreaChanges) -> dict:
    return {"level": t.level, "compare": t.compare, "start": _fmt_date(t.start), "end": _fmt_date(t.end),
            "before_start": _fmt_date(t.before_start), "before_end": _fmt_date(t.before_end), "alpha": t.alpha,
            "min_events": engine.MIN_EVENTS_FOR_TEST, "tested": t.tested, "threshold": t.threshold,
            "unplaced": t.unplaced, "unplaced_before": t.unplaced_before,
            "rows": [{"id": r.id, "code": r.code, "name": r.name, "count": r.count, "before": r.before,
                      "suppressed": r.count is None or r.before is None, "change": r.change, "pct_change": r.pct_change, "p_value": r.p_value, "q_value": r.q_value,
                      "events": r.events, "few_events": r.few, "verdict": r.outcome,
                      "url": reverse("area_profile", args=[r.id])} for r in t.rows]}


def _changes_rows(t: engine.AreaChanges):
    header = ["codigo", "nombre", "ahora", "antes", "variacion", "variacion_pct", "valor_p", "valor_q",
              "eventos_prueba", "veredicto", "desde", "hasta", "antes_desde", "antes_hasta"]
    dates = [t.start, t.end, t.before_start, t.before_end]
    return header, [[r.code, r.name, r.count, r.before, r.change,
                     "" if r.pct_change is None else round(r.pct_change, 2), _round(r.p_value, 6),
                     "" if r.q_value is None else round(r.q_value, 6), r.events, r.outcome, *dates]
                    for r in t.rows]


def _no_figure(_payload, _ctx) -> None:
    return None


@dataclass(frozen=True)
class DataSet:
    compute: object
    to_json: object
    to_rows: object
    to_figure: object


DATASETS: dict[str, DataSet] = {
    "resumen": DataSet(lambda c: engine.headline(c.state, c.filters), _headline_json, _headline_rows,
                       _no_figure),
    "tendencia": DataSet(lambda c: engine.trend(c.state, c.filters), _trend_json, _trend_rows,
                         _trend_figure),
    "categorias": DataSet(lambda c: engine.by_category(c.state, c.filters), _breakdown_json,
                          _breakdown_rows, _breakdown_figure),
    "familias": DataSet(lambda c: engine.by_family(c.state, c.filters), _breakdown_json,
                        _breakdown_rows, _breakdown_figure),
    "horas": DataSet(lambda c: engine.hour_weekday(c.state, c.filters), _hours_json, _hours_rows,
                     _hours_figure),
    "areas": DataSet(lambda c: engine.by_area(c.state, c.filters), _areas_json, _areas_rows,
                     _areas_figure),
    "top-areas": DataSet(lambda c: engine.by_area(c.state, c.filters), _top_json, _top_rows, _no_figure),
    "cambios": DataSet(_changes, _changes_json, _changes_rows, _no_figure),
}


def shown(name: str, ctx: Context, payload=None):
    """A data set as this reader may see it: computed (unless ``payload`` is given), then, for an
    aggregate-only reader (``ctx.guard``), passed through disclosure control against the totals it is
    published with (observatorio.disclosure)."""
    g, state, f = ctx.guard, ctx.state, ctx.filters
    if name == "tendencia" and g is not None and g.sensitive:
        payload = engine.trend(state, f, step="month")  # a sensitive count is never shown by day or week
    if payload is None:
        payload = DATASETS[name].compute(ctx)
    if g is None:
        return shapes.hours(payload, None) if name == "horas" else payload
    total = engine.headline(state, f)
    if name == "resumen":
        return shapes.headline(payload, g)
    if name == "tendencia":
        return shapes.trend(payload, g, total.count)
    if name in ("categorias", "familias"):
        cats, fams = shapes.breakdowns(engine.by_category(state, f), engine.by_family(state, f),
                                       engine.taxonomy(state).category_family, g, total.count)
        return cats if name == "categorias" else fams
    if name == "horas":
        return shapes.hours(payload, g)
    if name in ("areas", "top-areas"):
        return shapes.areas(payload, g, state, f)
    if name == "cambios":
        # Protected in the level's order (as the area table is), then put in the order asked for.
        protected = shapes.changes(sorted_changes(payload, "code"), g, state, f,
                                   engine.compared_window(f, ctx.compare))
        return sorted_changes(protected, ctx.sort)
    raise ValueError(f"no disclosure rule for the data set {name!r}")


def disclosure_json(ctx: Context) -> dict:
    """What every JSON answer says about disclosure control: applied (with k and a note) or not."""
    return ctx.guard.as_json() if ctx.guard is not None else {"applied": False}


def _filters_json(ctx: Context) -> dict:
    f = ctx.filters
    return {"as_of": _fmt_date(ctx.state.as_of), "start": _fmt_date(f.start), "end": _fmt_date(f.end),
            "period": f.period, "month": f.query.get("month") or None, "year": f.query.get("year") or None,
            "measure": f.measure, "sources": list(f.sources), "categories": list(f.categories),
            "hours": list(f.hours) if f.hours else None, "weekdays": list(f.weekdays), "level": f.level,
            "areas": list(f.areas), "metric": ctx.metric, "compare": ctx.compare, "sort": ctx.sort}


@allow(*ALL_ROLES)
def board_data(request, name: str, fmt: str):
    """One data set as JSON ({dataset, measure, filters, data, figure}) or as a download (``.csv`` with
    ``?formato=`` csv, csv-excel or xlsx: :mod:`.downloads`); the first two columns say the measure and its
    unit."""
    dataset = DATASETS.get(name)
    if fmt not in ("json", "csv"):
        return _error(404, f"formato «{fmt}» desconocido; opciones: json, csv")
    if dataset is None:
        return _error(404, f"no existe el conjunto de datos «{name}»; opciones: {', '.join(DATASETS)}")
    download = downloads.format_of(request) if fmt == "csv" else "json"
    if download is None:
        return downloads.unknown_format(request)
    ctx, errors = build_context(request, current(), hours=name == "horas")
    if ctx is None:
        message = errors["disclosure"][0] if "disclosure" in errors else "filtros no válidos"
        return _error(400, message, errors)
    payload = shown(name, ctx)
    if fmt == "csv":
        response = downloads.respond(board_download(name, payload, ctx), download)
        if ctx.guard is not None:
            response["X-Disclosure-K"] = str(ctx.guard.k)
        return response
    body = {"dataset": name, "measure": measure_json(ctx), "filters": _filters_json(ctx),
            "disclosure": disclosure_json(ctx),
            "data": dataset.to_json(payload), "figure": dataset.to_figure(payload, ctx)}
    if name == "tendencia":
        body["markers"] = ctx.markers
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_ENCODER.default),
                        content_type="application/json")


def board_download(name: str, payload, ctx: Context) -> downloads.Download:
    """A data set as a table to download: the measure and its unit in the first two columns; for an
    aggregate-only reader a suppressed count written «reservado» and the note naming k after the table."""
    header, rows = DATASETS[name].to_rows(payload)
    code = ctx.measure.code if ctx.measure else "sin-medida"
    stem = f"tablero-{name}-{code}-{ctx.filters.start.isoformat()}-{ctx.filters.end.isoformat()}"
    notes = []
    if ctx.guard is not None:
        rows = [[policy.SUPPRESSED if v is None else v for v in row] for row in rows]
        notes = [["nota", ctx.guard.note()]]
    extra = [(_("Comparado con"), _(COMPARE_LABELS[ctx.compare]))] if name == "cambios" else []
    return downloads.Download(name, stem, ["medida", "unidad", *header],
                              [[ctx.name, ctx.unit, *row] for row in rows],
                              downloads.about(ctx.state, measure=ctx.measure, filters=ctx.filters) + extra, notes)


CHARTS = (
    ("tendencia", gettext_noop("Tendencia")),
    ("familias", gettext_noop("Por familia de delitos")),
    ("categorias", gettext_noop("Por categoría")),
    ("horas", gettext_noop("Día de la semana y hora")),
    ("areas", gettext_noop("Mapa por área")),
)
COMPARE_LABELS = {"previous": gettext_noop("el período anterior"),
                  "last_year": gettext_noop("el mismo período del año anterior")}


def _definition(measure: MeasureDef | None) -> tuple[str, str]:
    """The measure's definition cut after its first sentence: (short, rest)."""
    text = (measure.definition if measure else "").strip()
    cut = text.find(". ")
    return (text, "") if cut < 0 else (text[:cut + 1], text[cut + 2:])


def _measure_panel(ctx: Context) -> dict:
    """What the page says about the measure: definition, and for a measure of several sources its rule and,
    when it links events, how many of the other sources' events it counts once."""
    m = ctx.measure
    short, rest = _definition(m)
    panel = {"short": short, "rest": rest, "rule": "", "links": None}
    if m is not None and len(m.sources) > 1:
        panel["rule"] = m.rule()
        panel["sources"] = [ctx.state.catalog.source_name(s) for s in m.sources]
        if m.links:
            panel["links"] = shapes.link_summary(engine.link_summary(ctx.state, m.code), ctx.guard)
    return panel


def _changes_view(ctx: Context, changes: engine.AreaChanges) -> dict:
    rows = [{"row": r, "label": outcome_label(r.outcome), "url": reverse("area_profile", args=[r.id])}
            for r in changes.rows]
    few = sum(1 for r in changes.rows if r.few and r.events is not None)
    # Keyed for the template (no "-" in a variable name): "fall" is "-change".
    sorts = {("fall" if s == "-change" else s): ctx.query(sort=s) + "#cambios" for s in SORTS}
    compares = [(c, _(COMPARE_LABELS[c]), ctx.query(compare=c) + "#cambios") for c in engine.COMPARES]
    return {"table": changes, "rows": rows, "few": few, "sorts": sorts, "compares": compares,
            "current": period_name(changes.start, changes.end),
            "before": period_name(changes.before_start, changes.before_end),
            "csv": f"datos/cambios.csv?{ctx.query()}"}


def _headline_view(ctx: Context, h: engine.Headline) -> dict:
    def comp(key: str, title: str, c: engine.Comparison) -> dict:
        return {"key": key, "title": title, "c": c, "period": period_name(c.start, c.end),
                "amount": ctx.amount(c.count), "events": ctx.amount(c.events), "label": outcome_label(c.outcome)}

    return {"h": h, "amount": ctx.amount(h.count), "period": period_name(h.start, h.end),
            "comparisons": [comp("previous", _("Frente al período anterior equivalente"), h.previous),
                            comp("last-year", _("Frente al mismo período del año anterior"), h.last_year)]}


@allow(*ALL_ROLES)
def board(request):
    state = current()
    ctx, errors = build_context(request, state)
    base = {
        # The one filter form of the dashboard and the map (filter_form.py, template dashboard/_filters.html).
        "fields": form_fields(state, request.GET, ctx.filters if ctx is not None else None),
        "metrics": [("count", _("Cantidad")), ("rate", _("Tasa por 1.000 hab.")),
                    ("eb", _("Tasa suavizada (EB)"))],
        "error_lines": error_sentences(errors),
    }
    if ctx is None:
        return render(request, "dashboard/board.html", {**base, "errors": errors}, status=400)
    f = ctx.filters
    headline = shown("resumen", ctx)
    areas = shown("areas", ctx)
    figures = {}
    hours_refused = policy.coarse_refusal(ctx.guard, f, state.index, hours=True)
    for name, _title in CHARTS:
        if name == "horas" and hours_refused:
            figures[name] = None
            continue
        dataset = DATASETS[name]
        figures[name] = dataset.to_figure(areas if name == "areas" else shown(name, ctx), ctx)
    query = ctx.query()
    charts = [{"name": name, "title": f"{_(title)} · {metric_title(ctx) if name == 'areas' else ctx.label}",
               "figure_id": f"fig-{name}", "csv": f"datos/{name}.csv?{query}",
               "refused": hours_refused if name == "horas" else ""} for name, title in CHARTS]
    reset = {"period": None, "start": None, "end": None, "month": None, "year": None}
    context = {
        **base, "ctx": ctx, "filters": f, "measure": ctx.measure, "measure_panel": _measure_panel(ctx),
        "headline": _headline_view(ctx, headline), "top": areas.top(), "area_table": areas, "charts": charts,
        "figures": figures, "query": query, "as_of": state.as_of, "min_events": engine.MIN_EVENTS_FOR_TEST,
        "changes": _changes_view(ctx, shown("cambios", ctx)),
        "disclosure": ctx.guard.note() if ctx.guard is not None else "",
        "quick": [(p, _(label), ctx.query(**{**reset, "period": p}))
                  for p, label in PERIODS.items() if p not in ("custom", "month", "year")],
        "presets": [
            ("nights", _("Noches 20:00–06:00"), ctx.query(hour_from=NIGHTS[0], hour_to=NIGHTS[1]),
             f.hours == NIGHTS),
            ("weekends", _("Fines de semana"), ctx.query(weekday=[str(d) for d in WEEKEND]),
             f.weekdays == WEEKEND),
            ("all-hours", _("Todo el día, todos los días"), ctx.query(hour_from=None, hour_to=None, weekday=None),
             f.hours is None and not f.weekdays),
        ],
        "time_note": _time_note(f),
        "empty_reason": empty_reason(state, f) if headline.count == 0 else "",
        "rose_query": ctx.query(**{**reset, "period": "last-month"}, level="macrosector", area=None,
                                compare="previous", sort="change") + "#cambios",
    }
    return render(request, "dashboard/board.html", context)


def _time_note(f: Filters) -> str:
    """The time-of-day and weekday filters in words ("" without them)."""
    parts = []
    if f.hours is not None:
        start, stop = f.hours
        parts.append(_("de %(start)s a %(stop)s") % {"start": f"{start:02d}:00", "stop": f"{stop:02d}:00"})
    if f.weekdays:
        parts.append(", ".join(_(WEEKDAYS[d]) for d in f.weekdays))
    if not parts:
        return ""
    note = _("Solo eventos %(when)s") % {"when": "; ".join(parts)}
    if f.hours is not None:
        note += " " + _("(los eventos sin hora registrada quedan fuera).")
    return note
