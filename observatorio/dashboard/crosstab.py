"""The cross table (/tabla/): one measure counted by area (or category) × month of the window, or by area ×
category over the whole window, with totals.

Rows are the areas of one level inside the chosen area — the comuna, then its macrosectors, then a
macrosector's UVs: each row links one level down, a breadcrumb goes back up — or the categories the measure
counts (the area then a filter). Columns are the months of the window (the first and last may be cut by
it), then the row's total. Every cell counts one measure, through the engine (:func:`.engine.area_counts`,
:func:`.engine.by_category`, answered from the cube when the filters allow), one window per month: the
months partition the window, so the row totals are the dashboard's area and category counts, the column
totals its trend by month and the grand total its headline. Events placed in no area of the level (or of
no category) are a row of their own, so every margin adds up. By area × category the columns are the
categories the measure counts in the window (largest first), then the events of no category, each counted as
the dashboard's area table is with that one category chosen.

The URL state is the dashboard's (:mod:`.filters`, same parameter names) plus ``rows`` (``area``,
``category`` or ``area-category``). For an aggregate-only reader the table and its margins pass through disclosure control as
one grid (:func:`observatorio.disclosure.suppress.grid_with_margins`, the headline public); a sensitive
view is shown at macrosector at least (the board's rules) and offers no drill down below it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

import numpy as np
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.disclosure import policy, suppress
from observatorio.state import current

from . import downloads, engine
from .board import Context, _error, _filters_json, build_context, disclosure_json, measure_json, period_name
from .filters import PERIODS

ROWS = {"area": gettext_noop("Áreas"), "category": gettext_noop("Categorías"),
        "area-category": gettext_noop("Áreas × categorías")}
BY_AREA = ("area", "area-category")  # the tables whose rows are areas (population, rates, drill down)
PER = 100_000  # rates per 100,000 inhabitants
# The parameters the page's form asks itself; the others (areas, level, categories, hours…) go along hidden.
FORM_FIELDS = ("measure", "period", "month", "year", "start", "end", "rows", "level", "category")


@dataclass(frozen=True)
class Month:
    start: dt.date
    end: dt.date  # inclusive, within the window
    partial: bool  # the window cuts it short

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")


@dataclass(frozen=True)
class Column:
    """A column of counts: a month of the window, or a category (by area × category)."""

    key: str  # the month ("2024-05") or the category's code ("" for the events of no category)
    label: str
    title: str = ""  # a longer description (a cut month's days)
    month: Month | None = None


@dataclass(frozen=True)
class Row:
    code: str  # the area's or category's code ("" for the row of events in none)
    name: str
    counts: list  # per month; None: suppressed
    total: int | None
    id: int | None = None  # the area's or category's id (None: events in none)
    population: int | None = None
    drill: str = ""  # the query string one level down ("" none)

    @property
    def rate(self) -> float | None:
        """Per 100,000 inhabitants over the window (None without population, or suppressed)."""
        if self.total is None or not self.population:
            return None
        return PER * self.total / self.population


@dataclass(frozen=True)
class CrossTable:
    by: str  # "area" | "category" | "area-category"
    level: str  # the areas' level (by area)
    months: list[Month]  # the columns' months (none by area × category)
    rows: list[Row]
    column_totals: list  # per month; None: suppressed
    total: int | None
    population: int | None  # the whole selection's (by area)
    columns: list[Column] = ()  # what each count of a row is (a month or a category)

    @property
    def by_area(self) -> bool:
        return self.by in BY_AREA

    @property
    def rate(self) -> float | None:
        return Row("", "", [], self.total, population=self.population).rate


def months_of(start: dt.date, end: dt.date) -> list[Month]:
    """The calendar months [start, end] touches, each cut to the window."""
    out, first = [], start.replace(day=1)
    while first <= end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        last = following - dt.timedelta(days=1)
        out.append(Month(max(first, start), min(last, end), first < start or last > end))
        first = following
    return out


def level_order(index) -> list[str]:
    """The index's levels from the coarsest (comuna) down, in the order of ``territory.models.Level``."""
    from observatorio.territory.models import Level

    present = set(index.levels())
    return [lv for lv in Level.values if lv in present]


def _children_level(index, area_id: int) -> str | None:
    """The level of an area's children (None: it has none)."""
    for a in index.areas.values():
        if a.parent_id == area_id:
            return a.level
    return None


def _area_rows(ctx: Context, windows: list) -> tuple[list[Row], np.ndarray]:
    """A row per area of the level, a column per filters of ``windows`` (a month, or one category)."""
    state, f, index = ctx.state, ctx.filters, ctx.state.index
    level = f.level
    per_month, unplaced = [], []
    for w in windows:
        counts, outside = engine.area_counts(state, w, level)
        per_month.append(counts)
        unplaced.append(outside)
    ids = index.ids_at(level)
    if f.areas:
        inside = set()
        for a in f.areas:
            inside |= index.descendants_or_self(a)
        ids = [i for i in ids if i in inside or any(int(c[i]) for c in per_month)]
    year = f.end.year
    rows, matrix = [], []
    for i in ids:
        info = index.areas[i]
        below = _children_level(index, i)
        drill = ""
        if below is not None and policy.coarse_level(ctx.guard, below) == below:
            drill = ctx.query(area=[str(i)], level=below)
        rows.append(Row(info.code, info.name, [], None, i, index.population_in(i, year), drill))
        matrix.append([int(c[i]) for c in per_month])
    if any(unplaced):
        rows.append(Row("", _("Sin área asignada en este nivel"), [], None))
        matrix.append(unplaced)
    return rows, np.asarray(matrix, dtype=np.int64).reshape(len(rows), len(windows))


def _area_category_rows(ctx: Context) -> tuple[list[Row], np.ndarray, list[Column]]:
    """Areas × the categories with events in the window (largest first, then by name), then the events of no
    category (the whole window's count less the categories')."""
    state, f = ctx.state, ctx.filters
    found = engine.by_category(state, f)
    codes = {i: c for i, c, _n, _p in state.catalog.categories}
    named = [(i, n) for i, n in zip(found.ids, found.names) if i >= 0]
    windows = [replace(f, categories=(i,)) for i, _n in named]
    rows, matrix = _area_rows(ctx, [*windows, f])
    columns = [Column(codes.get(i, ""), n) for i, n in named]
    rest = matrix[:, -1] - matrix[:, :-1].sum(axis=1)
    matrix = matrix[:, :-1]
    if rest.any():
        matrix = np.column_stack([matrix, rest])
        columns.append(Column("", _("Sin categoría")))
    return rows, matrix, columns


def _month_columns(months: list[Month]) -> list[Column]:
    return [Column(m.key, month_label(m), f"{_date(m.start)} – {_date(m.end)}" if m.partial else "", m)
            for m in months]


def _date(day: dt.date) -> str:
    return dateformat.format(day, "d-m-Y")


def _category_rows(ctx: Context, months: list[Month]) -> tuple[list[Row], np.ndarray]:
    state, f = ctx.state, ctx.filters
    by_month = [engine.by_category(state, f.over(m.start, m.end)) for m in months]
    counts: dict[int, list[int]] = {}
    for j, b in enumerate(by_month):
        for i, c in zip(b.ids, b.counts):
            counts.setdefault(i, [0] * len(months))[j] = int(c)
    names = engine.taxonomy(state).category_name
    codes = {i: c for i, c, _n, _p in state.catalog.categories}
    # Largest first, then by name; the events of no category last.
    order = sorted(counts, key=lambda i: (i < 0, -sum(counts[i]), names.get(i, "")))
    rows = []
    for i in order:
        if i < 0:
            rows.append(Row("", _("Sin categoría"), [], None))
        else:
            rows.append(Row(codes.get(i, ""), names.get(i, ""), [], None, i, None,
                            ctx.query(category=[codes[i]], rows=None) if i in codes else ""))
    return rows, np.asarray([counts[i] for i in order], dtype=np.int64).reshape(len(rows), len(months))


def cross_table(ctx: Context, by: str) -> CrossTable:
    """The table for this reader: exact, or with small counts and what would give them back suppressed."""
    f = ctx.filters
    if by == "area-category":
        months = []
        rows, matrix, columns = _area_category_rows(ctx)
    else:
        months = months_of(f.start, f.end)
        columns = _month_columns(months)
        rows, matrix = (_area_rows(ctx, [f.over(m.start, m.end) for m in months]) if by == "area"
                        else _category_rows(ctx, months))
    row_totals, column_totals = matrix.sum(axis=1), matrix.sum(axis=0)
    grand = int(matrix.sum())
    hidden = {"cells": np.zeros(matrix.shape, dtype=bool), "rows": np.zeros(len(rows), dtype=bool),
              "columns": np.zeros(len(columns), dtype=bool), "total": False}
    if ctx.guard is not None and matrix.size:
        # The grand total is the headline, public (hidden only when itself 1..k−1): with outside = 0 it is the
        # grid's fixed total, so the margins are protected against it and it is shown as the headline is.
        hidden = {**suppress.grid_with_margins(matrix, ctx.guard.k, outside=0),
                  "total": bool(suppress.primary(grand, ctx.guard.k))}

    def shown(values, mask) -> list:
        return [None if h else int(v) for v, h in zip(values, mask)]

    rows = [replace(r, counts=shown(matrix[n], hidden["cells"][n]),
                    total=None if hidden["rows"][n] else int(row_totals[n])) for n, r in enumerate(rows)]
    population = engine.territory_population(f, ctx.state.index, f.end.year) if by in BY_AREA else None
    return CrossTable(by, f.level, months, rows, shown(column_totals, hidden["columns"]),
                      None if hidden["total"] else grand, population, columns)


def _context(request):
    """(context, rows choice, errors): the board's context with the cross table's defaults (the coarsest
    level when the URL names none)."""
    state = current()
    by = request.GET.get("rows") or "area"
    ctx, errors = build_context(request, state)
    if by not in ROWS:
        errors = {**errors, "rows": [f"«{by}» no es una opción válida: {', '.join(ROWS)}"]}
    if ctx is None or "rows" in errors:
        return None, by, errors
    if not ctx.filters.query.get("level"):
        ctx = replace(ctx, filters=replace(ctx.filters, level=level_order(state.index)[0]))
    return ctx, by, {}


# Context.query knows the board's own parameters; the table's ``rows`` goes along as a filter would.
def _with_rows(ctx: Context, by: str) -> Context:
    query = {**ctx.filters.query, "rows": "" if by == "area" else by}
    return replace(ctx, filters=replace(ctx.filters, query=query))


def breadcrumb(ctx: Context) -> list[tuple[str, str]]:
    """(name, query) from the whole territory down to the chosen area; the last one has no link ("")."""
    index, f = ctx.state.index, ctx.filters
    top = level_order(index)[0]
    crumbs = [(_("Todo el territorio"), ctx.query(area=None, level=None))]
    if len(f.areas) == 1 and f.areas[0] in index.areas:
        chain, area = [], index.areas[f.areas[0]]
        while area is not None:
            chain.append(area)
            area = index.areas.get(area.parent_id) if area.parent_id is not None else None
        for a in reversed(chain):
            below = _children_level(index, a.id) or a.level
            crumbs.append((a.name, ctx.query(area=[str(a.id)], level=below)))
    elif f.level != top:
        crumbs.append((_level_name(f.level), ""))
    return [(name, "" if n == len(crumbs) - 1 else q) for n, (name, q) in enumerate(crumbs)]


def _level_name(level: str) -> str:
    from observatorio.territory.models import Level

    return str(dict(Level.choices).get(level, level))


def month_label(m: Month) -> str:
    return dateformat.format(m.start, "M Y") + ("*" if m.partial else "")


def table_json(t: CrossTable) -> dict:
    return {"rows_by": t.by, "level": t.level,
            "months": [{"month": m.key, "start": m.start.isoformat(), "end": m.end.isoformat(),
                        "partial": m.partial} for m in t.months],
            "columns": [{"key": c.key, "name": c.label} for c in t.columns],
            "rows": [{"id": r.id, "code": r.code, "name": r.name, "counts": r.counts,
                      "suppressed": [c is None for c in r.counts], "total": r.total, "population": r.population,
                      "rate_per_100000": r.rate, "drill": r.drill} for r in t.rows],
            "column_totals": t.column_totals, "total": t.total, "population": t.population,
            "rate_per_100000": t.rate}


def table_download(t: CrossTable, ctx: Context) -> downloads.Download:
    """The table as a download: measure and unit first, a row per area or category, a column per month (or
    category: its code), then the totals row; a suppressed count written «reservado», and the note naming k
    after the table."""
    def cell(v):
        return policy.SUPPRESSED if v is None and ctx.guard is not None else v

    def rate(r: Row):
        return "" if r.rate is None else round(r.rate, 2)

    by_area = t.by_area
    header = ["medida", "unidad", "codigo", "nombre", *(c.key or "sin-categoria" for c in t.columns), "total"]
    header += ["poblacion", f"tasa_por_{PER}"] if by_area else []
    rows = []
    for r in [*t.rows, Row("total", _("Total"), t.column_totals, t.total, population=t.population)]:
        extra = ["" if r.population is None else r.population, rate(r)] if by_area else []
        rows.append([ctx.name, ctx.unit, r.code, r.name, *(cell(c) for c in r.counts), cell(r.total), *extra])
    f = ctx.filters
    code = ctx.measure.code if ctx.measure else "sin-medida"
    stem = f"tabla-{code}-{t.by}-{f.start.isoformat()}-{f.end.isoformat()}"
    notes = [["nota", ctx.guard.note()]] if ctx.guard is not None else []
    about = downloads.about(ctx.state, measure=ctx.measure, filters=f)
    about.insert(0, (_("Filas"), _(ROWS[t.by])))
    return downloads.Download("tabla", stem, header, rows, about, notes)


@allow(*ALL_ROLES)
def crosstab_data(request, fmt: str):
    """The table as JSON ({measure, filters, disclosure, data}) or a download (``.csv`` with ``?formato=``)."""
    if fmt not in ("json", "csv"):
        return _error(404, f"formato «{fmt}» desconocido; opciones: json, csv")
    download = downloads.format_of(request) if fmt == "csv" else "json"
    if download is None:
        return downloads.unknown_format(request)
    ctx, by, errors = _context(request)
    if ctx is None:
        message = errors["disclosure"][0] if "disclosure" in errors else "filtros no válidos"
        return _error(400, message, errors)
    table = cross_table(ctx, by)
    if fmt == "csv":
        response = downloads.respond(table_download(table, ctx), download)
        if ctx.guard is not None:
            response["X-Disclosure-K"] = str(ctx.guard.k)
        return response
    body = {"dataset": "tabla", "measure": measure_json(ctx), "filters": {**_filters_json(ctx), "rows": by},
            "disclosure": disclosure_json(ctx), "data": table_json(table)}
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        content_type="application/json")


@allow(*ALL_ROLES)
def crosstab_page(request):
    state = current()
    ctx, by, errors = _context(request)
    base = {"measures": [(m.code, m.name) for m in state.catalog.count_measures],
            "periods": [(p, _(label)) for p, label in PERIODS.items()],
            "levels": [(lv, _level_name(lv)) for lv in level_order(state.index)],
            "categories": [(c, n) for _i, c, n, _p in state.catalog.categories],
            "chosen": request.GET.getlist("category"), "q": request.GET, "by": by}
    if ctx is None:
        return render(request, "dashboard/crosstab.html", {**base, "errors": errors}, status=400)
    ctx = _with_rows(ctx, by)  # drilling down keeps the rows chosen
    table = cross_table(ctx, by)
    query = ctx.query()
    kept = [(k, v) for k, values in ctx.filters.query.items() if k not in FORM_FIELDS
            for v in (values if isinstance(values, list) else [values]) if v not in (None, "")]
    context = {**base, "ctx": ctx, "table": table, "query": query, "kept": kept,
               "columns": table.columns,
               "partial": any(m.partial for m in table.months),
               "period": period_name(ctx.filters.start, ctx.filters.end),
               "crumbs": breadcrumb(ctx), "level_name": _level_name(table.level),
               "other": [(k, _(v), ctx.query(rows=None if k == "area" else k)) for k, v in ROWS.items()],
               "board_query": ctx.query(rows=None),
               "disclosure": ctx.guard.note() if ctx.guard is not None else "",
               "csv": f"datos.csv?{query}"}
    return render(request, "dashboard/crosstab.html", context)
