"""The dashboard page (/tablero/) and its data endpoints (/tablero/datos/<name>.json|.csv).

Each data set is computed by :mod:`.engine` from the event snapshot, then
served three ways: as a Plotly figure (plain JSON built here, no Plotly Python
objects: validating them costs more than the aggregation), as JSON data and
as CSV. Filters come from the URL (see :mod:`.filters`); a bad filter answers
400 with the form's errors in one JSON shape, :func:`error_body`.

Every data set is an aggregate, so all four roles may see them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.state import DataState, current

from . import colours, engine, numbers
from .filters import PERIODS, Filters, parse_filters
from .layers.base import territory
from .numbers import number

COLORSCALE = "Viridis"
_ENCODER = DjangoJSONEncoder()  # what JsonResponse would use for dates and decimals
BAR = "#3b528b"  # a viridis blue, readable on white
METRICS = ("count", "rate", "eb")
# gettext_noop: translated where shown; marked here so makemessages keeps them.
WEEKDAYS = (gettext_noop("Lunes"), gettext_noop("Martes"), gettext_noop("Miércoles"), gettext_noop("Jueves"),
            gettext_noop("Viernes"), gettext_noop("Sábado"), gettext_noop("Domingo"))


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

    @property
    def separators(self) -> str:
        # Plotly's layout.separators: decimal mark, then thousands mark (Chile: 1.234,5).
        return numbers.separators()


def build_context(request, state: DataState) -> tuple[Context | None, dict]:
    filters, errors = parse_filters(request.GET, state)
    metric = request.GET.get("metric") or "count"
    if metric not in METRICS:
        errors = {**errors, "metric": [f"«{metric}» no es una opción válida: {', '.join(METRICS)}"]}
    if filters is not None and not state.index.ids_at(filters.level):
        errors = {**errors, "level": [f"no hay áreas de nivel «{filters.level}»"]}
    if errors:
        return None, errors
    return Context(state, filters, metric, numbers.spanish()), {}


# --- data sets ------------------------------------------------------------------------------------------------
# Each is (compute, to_json, to_rows, to_figure): compute runs the engine once, the others only reshape.


def _fmt_date(d: dt.date) -> str:
    return d.isoformat()


def _headline_json(h: engine.Headline) -> dict:
    def comp(c: engine.Comparison) -> dict:
        return {"start": _fmt_date(c.start), "end": _fmt_date(c.end), "count": c.count, "change": c.change,
                "pct_change": c.pct_change, "p_value": c.p_value, "verdict": c.verdict}

    return {"start": _fmt_date(h.start), "end": _fmt_date(h.end), "days": h.days, "count": h.count,
            "per_day": h.per_day, "population": h.population, "rate_per_1000": h.rate,
            "previous": comp(h.previous), "last_year": comp(h.last_year)}


def _headline_rows(h: engine.Headline):
    header = ["periodo", "desde", "hasta", "eventos", "variacion", "variacion_pct", "valor_p", "veredicto"]
    rows = [["actual", _fmt_date(h.start), _fmt_date(h.end), h.count, "", "", "", ""]]
    for name, c in (("anterior", h.previous), ("mismo_periodo_ano_anterior", h.last_year)):
        rows.append([name, _fmt_date(c.start), _fmt_date(c.end), c.count, c.change,
                     "" if c.pct_change is None else round(c.pct_change, 2), round(c.p_value, 6), c.verdict])
    return header, rows


def _layout(ctx: Context, **extra) -> dict:
    layout = {"separators": ctx.separators, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "height": 320,
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "hovermode": "closest",
              "font": {"family": "system-ui, sans-serif", "size": 12}}
    layout.update(extra)
    return layout


def _trend_json(t: engine.Trend) -> dict:
    return {"step": t.step, "starts": [_fmt_date(d) for d in t.starts], "counts": t.counts.tolist(),
            "days": t.days.tolist(), "partial": t.partial().tolist()}


def _trend_rows(t: engine.Trend):
    return ["desde", "eventos", "dias", "incompleto"], [
        [_fmt_date(d), int(c), int(n), bool(p)] for d, c, n, p in zip(t.starts, t.counts, t.days, t.partial())]


def _trend_figure(t: engine.Trend, ctx: Context) -> dict:
    x = [_fmt_date(d) for d in t.starts]
    trace = {"type": "scatter", "mode": "lines+markers" if len(t.starts) <= 60 else "lines",
             "x": x, "y": t.counts.tolist(), "line": {"color": BAR, "width": 2},
             "marker": {"size": 4}, "name": _("Eventos"), "showlegend": False,
             "hovertemplate": "%{x|%d-%m-%Y}: %{y:,d}<extra></extra>"}
    data = [trace]
    cut = np.flatnonzero(t.partial())
    if cut.size:
        # A week or month the window cuts short counts fewer events: marked, so it is not read as a fall.
        data.append({"type": "scatter", "mode": "markers", "x": [x[i] for i in cut],
                     "y": [int(t.counts[i]) for i in cut], "customdata": [int(t.days[i]) for i in cut],
                     "marker": {"size": 10, "symbol": "circle-open", "color": BAR, "line": {"width": 2}},
                     "name": _("Período incompleto"),
                     "hovertemplate": "%{x|%d-%m-%Y}: %{y:,d} (" + _("%(n)s días") % {"n": "%{customdata}"}
                                      + ")<extra>" + _("Período incompleto") + "</extra>"})
    layout = _layout(ctx, xaxis={"type": "date", "tickformat": "%d-%m-%Y"},
                     yaxis={"rangemode": "tozero", "tickformat": ",d"})
    if cut.size:
        layout["showlegend"] = True
        layout["legend"] = {"orientation": "h", "y": -0.2}
    return {"data": data, "layout": layout}


def _breakdown_json(b: engine.Breakdown) -> dict:
    return {"ids": b.ids, "names": b.names, "counts": b.counts}


def _breakdown_rows(b: engine.Breakdown):
    return ["id", "nombre", "eventos"], [[i, n, c] for i, n, c in zip(b.ids, b.names, b.counts)]


def _breakdown_figure(b: engine.Breakdown, ctx: Context) -> dict:
    shown = list(zip(b.names, b.counts))[:15][::-1]  # largest on top
    trace = {"type": "bar", "orientation": "h", "y": [n for n, _c in shown], "x": [c for _n, c in shown],
             "marker": {"color": BAR}, "hovertemplate": "%{y}: %{x:,d}<extra></extra>"}
    height = max(220, 26 * len(shown) + 60)
    return {"data": [trace], "layout": _layout(ctx, height=height, margin={"l": 200, "r": 10, "t": 10, "b": 40},
                                                 xaxis={"tickformat": ",d"}, yaxis={"automargin": True})}


def _hours_json(h: engine.HourWeekday) -> dict:
    return {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "matrix": h.matrix.astype(int).tolist(),
            "without_time": h.without_time}


def _hours_rows(h: engine.HourWeekday):
    rows = [[WEEKDAYS[d], hour, int(h.matrix[d, hour])] for d in range(7) for hour in range(24)]
    return ["dia", "hora", "eventos"], rows


def _hours_figure(h: engine.HourWeekday, ctx: Context) -> dict:
    trace = {"type": "heatmap", "z": h.matrix.astype(int).tolist(), "x": [f"{hour:02d}" for hour in range(24)],
             "y": [_(d) for d in WEEKDAYS], "colorscale": COLORSCALE, "hoverongaps": False,
             "colorbar": {"thickness": 10, "tickformat": ",d"},
             "hovertemplate": "%{y} %{x} h: %{z:,d}<extra></extra>"}
    return {"data": [trace], "layout": _layout(ctx, height=300, margin={"l": 80, "r": 10, "t": 10, "b": 40},
                                                 yaxis={"autorange": "reversed", "automargin": True},
                                                 xaxis={"title": {"text": _("Hora")}, "dtick": 2})}


def _areas_json(t: engine.AreaTable) -> dict:
    return {"level": t.level, "population_year": t.year, "unplaced": t.unplaced,
            "rows": [_area_row_json(r) for r in t.rows]}


def _areas_rows(t: engine.AreaTable):
    header = ["codigo", "nombre", "eventos", "poblacion", "tasa_por_1000", "tasa_eb_por_1000"]

    def r4(v):
        return "" if v is None else round(v, 4)

    return header, [[r.code, r.name, r.count, "" if r.population is None else r.population, r4(r.rate),
                     r4(r.eb_rate)] for r in t.rows]


def _area_row_json(r: engine.AreaRow) -> dict:
    return {"id": r.id, "code": r.code, "name": r.name, "count": r.count, "population": r.population,
            "rate_per_1000": r.rate, "eb_rate_per_1000": r.eb_rate}


def _top_json(t: engine.AreaTable) -> dict:
    return {"level": t.level, "rows": [_area_row_json(r) for r in t.top()]}


def _top_rows(t: engine.AreaTable):
    return _areas_rows(engine.AreaTable(t.level, t.year, t.top(), t.unplaced))


def _metric_values(t: engine.AreaTable, metric: str) -> list[float | None]:
    if metric == "count":
        return [float(r.count) for r in t.rows]
    return [r.rate if metric == "rate" else r.eb_rate for r in t.rows]


def _metric_title(metric: str) -> str:
    return {"count": _("Eventos"), "rate": _("Tasa por 1.000 hab."), "eb": _("Tasa suavizada (EB) por 1.000 hab.")}[
        metric]


def _areas_figure(t: engine.AreaTable, ctx: Context) -> dict:
    terr = territory(ctx.state, ctx.filters.end)
    shapes = {} if terr is None else {s.id: terr.rings_xy(s) for s in terr.shapes.get(t.level, [])}
    values = _metric_values(t, ctx.metric)
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    colour_of = iter(colours.sample(COLORSCALE, [min(max(v / top, 0.0), 1.0) for v in known]))
    tick_format = ",d" if ctx.metric == "count" else ",.2f"
    title = _metric_title(ctx.metric)
    traces = []
    for row, value in zip(t.rows, values):
        if row.id not in shapes:
            continue
        fill = next(colour_of) if value is not None else "#e4e7eb"
        xs, ys = shapes[row.id]
        shown = number(value, 0 if ctx.metric == "count" else 2)
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself", "fillcolor": fill,
                       "line": {"color": "#ffffff", "width": 1}, "hoveron": "fills", "hoverinfo": "text",
                       "text": f"{row.name}<br>{title}: {shown}", "name": row.code, "showlegend": False})
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
}


def _filters_json(ctx: Context) -> dict:
    f = ctx.filters
    return {"as_of": _fmt_date(ctx.state.as_of), "start": _fmt_date(f.start), "end": _fmt_date(f.end), "period": f.period,
            "sources": list(f.sources), "categories": list(f.categories), "level": f.level, "areas": list(f.areas),
            "metric": ctx.metric}


@allow(*ALL_ROLES)
def board_data(request, name: str, fmt: str):
    """One data set as JSON ({filters, data, figure}) or CSV (UTF-8 with BOM so Excel reads the accents)."""
    dataset = DATASETS.get(name)
    if fmt not in ("json", "csv"):
        return _error(404, f"formato «{fmt}» desconocido; opciones: json, csv")
    if dataset is None:
        return _error(404, f"no existe el conjunto de datos «{name}»; opciones: {', '.join(DATASETS)}")
    ctx, errors = build_context(request, current())
    if ctx is None:
        return _error(400, "filtros no válidos", errors)
    payload = dataset.compute(ctx)
    if fmt == "csv":
        header, rows = dataset.to_rows(payload)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="tablero-{name}-{ctx.filters.start.isoformat()}'
                                           f'-{ctx.filters.end.isoformat()}.csv"')
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response
    body = {"dataset": name, "filters": _filters_json(ctx), "data": dataset.to_json(payload),
            "figure": dataset.to_figure(payload, ctx)}
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_ENCODER.default), content_type="application/json")


CHARTS = (
    ("tendencia", gettext_noop("Tendencia")),
    ("familias", gettext_noop("Eventos por familia")),
    ("categorias", gettext_noop("Eventos por categoría")),
    ("horas", gettext_noop("Día de la semana y hora")),
    ("areas", gettext_noop("Mapa por área")),
)


@allow(*ALL_ROLES)
def board(request):
    state = current()
    ctx, errors = build_context(request, state)
    catalog, index = state.catalog, state.index
    sources = [(c, n) for _i, c, n in catalog.sources]
    families = [(c, n) for _i, c, n in catalog.families]
    categories = [(c, n) for _i, c, n, _p in catalog.categories]
    from observatorio.territory.models import Level

    level_labels = dict(Level.choices)
    base = {
        "periods": list(PERIODS.items()),
        "sources": sources, "families": families, "categories": categories,
        "levels": [(lv, level_labels.get(lv, lv)) for lv in index.levels()],
        "areas": sorted(((a.id, a.code, a.name, a.level) for a in index.areas.values()),
                        key=lambda a: (a[3], a[1])),
        "metrics": [("count", _("Eventos")), ("rate", _("Tasa por 1.000 hab.")),
                    ("eb", _("Tasa suavizada (EB)"))],
        "q": request.GET,
        "selected": {k: request.GET.getlist(k) for k in ("source", "family", "category", "area")},
    }
    if ctx is None:
        return render(request, "dashboard/board.html", {**base, "errors": errors}, status=400)
    headline = engine.headline(state, ctx.filters)
    areas = engine.by_area(state, ctx.filters)
    figures = {}
    for name, _title in CHARTS:
        dataset = DATASETS[name]
        payload = areas if name == "areas" else dataset.compute(ctx)
        figures[name] = dataset.to_figure(payload, ctx)
    query = ctx.filters.to_query(metric=ctx.metric if ctx.metric != "count" else None)
    charts = [{"name": name, "title": _(title), "figure_id": f"fig-{name}",
               "csv": f"datos/{name}.csv?{query}"} for name, title in CHARTS]
    context = {
        **base, "ctx": ctx, "filters": ctx.filters, "headline": headline, "top": areas.top(),
        "area_table": areas, "charts": charts, "figures": figures, "query": query,
        "metric_title": _metric_title(ctx.metric), "as_of": state.as_of,
        "quick": [(p, _(label), ctx.filters.to_query(period=p, start=None, end=None,
                                                      metric=ctx.metric if ctx.metric != "count" else None))
                  for p, label in PERIODS.items() if p != "custom"],
    }
    return render(request, "dashboard/board.html", context)
