"""Sources and data quality (/fuentes/): so gaps show before anyone reads a trend.

Per source: records by month over the last ``MONTHS`` months (a heat table;
an empty month after the source's first record is a gap), its last import,
the share located as a point or geocoded address, the share with an area, and
the share whose label has no category in the common tree yet.

Event sources are counted on the snapshot; CEAD-style aggregate sources count
their cases (``AggregateCount``), survey sources their responses. Precision is
not in the snapshot, so its shares come from one GROUP BY, cached per data
version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import render
from django.utils.translation import gettext as _
from plotly.colors import sample_colorscale

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.records.models import AggregateCount, BatchStatus, Event, ImportBatch, Source, SurveyResponse
from observatorio.state import DataState, current

MONTHS = 24
SCALE = "Cividis"


@dataclass
class SourceQuality:
    id: int
    code: str
    name: str
    kind: str
    unit: str  # what is counted: "eventos", "casos" or "respuestas"
    months: list  # counts per month, oldest first
    total: int = 0
    last_batch: ImportBatch | None = None
    batches: int = 0
    located: float | None = None  # share with precision point or address
    with_area: float | None = None
    unmapped: float | None = None
    cells: list = field(default_factory=list)  # (count, background, text colour, is_gap) per month

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell[3])


def month_starts(as_of: dt.date, n: int = MONTHS) -> list[dt.date]:
    """First days of the ``n`` months ending with the month of ``as_of``, oldest first."""
    out = []
    y, m = as_of.year, as_of.month
    for _i in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_index(days: np.ndarray, first: dt.date) -> np.ndarray:
    """Months since ``first`` of each day number (days since 1970-01-01)."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months - ((first.year - 1970) * 12 + first.month - 1)


def _event_figures(state: DataState, months: list[dt.date]) -> tuple[dict, dict, dict, dict]:
    """Per source: monthly counts, total, share with an area, share without category (snapshot)."""
    snap = state.events

    def build():
        per_month, totals, with_area, unmapped = {}, {}, {}, {}
        idx = month_index(snap.day, months[0])
        inside = (idx >= 0) & (idx < len(months))
        for sid in np.unique(snap.source):
            m = snap.source == sid
            per_month[int(sid)] = np.bincount(idx[m & inside], minlength=len(months)).tolist()
            n = int(m.sum())
            totals[int(sid)] = n
            with_area[int(sid)] = float((snap.area[m] >= 0).sum() / n)
            unmapped[int(sid)] = float((snap.category[m] < 0).sum() / n)
        return per_month, totals, with_area, unmapped

    return state.memo(f"quality-events-{months[0]}", build, on=("events",))


def _precision_shares(state: DataState) -> dict:
    """Share of each source's events located as a point or a geocoded address."""
    def build():
        rows = Event.objects.values("source_id", "precision").annotate(n=Count("id")).order_by()
        totals: dict[int, int] = {}
        located: dict[int, int] = {}
        for row in rows:
            totals[row["source_id"]] = totals.get(row["source_id"], 0) + row["n"]
            if row["precision"] in ("point", "address"):
                located[row["source_id"]] = located.get(row["source_id"], 0) + row["n"]
        return {sid: located.get(sid, 0) / n for sid, n in totals.items() if n}

    return state.memo("quality-precision", build, on=("events",))


def _monthly_from(queryset, date_field: str, value, months: list[dt.date]) -> dict:
    """Per source: totals by month from an ORM queryset (aggregate counts, survey responses)."""
    first, last = months[0], months[-1]
    position = {m: i for i, m in enumerate(months)}
    out: dict[int, list[int]] = {}
    rows = (queryset.filter(**{f"{date_field}__gte": first})
            .annotate(month=TruncMonth(date_field)).values("source_id", "month").annotate(n=value).order_by())
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if month is None or month > last:
            continue
        out.setdefault(row["source_id"], [0] * len(months))[position[month]] += int(row["n"] or 0)
    return out


def source_quality(state: DataState, as_of: dt.date | None = None) -> tuple[list[SourceQuality], list[dt.date]]:
    as_of = as_of or state.as_of
    months = month_starts(as_of)
    per_month, totals, with_area, unmapped = _event_figures(state, months)
    located = _precision_shares(state)
    aggregates = _monthly_from(AggregateCount.objects.all(), "period_start", Sum("count"), months)
    surveys = _monthly_from(SurveyResponse.objects.all(), "answered_on", Count("id"), months)
    agg_stats = {r["source_id"]: r for r in AggregateCount.objects.values("source_id").annotate(
        n=Sum("count"), rows=Count("id"), area=Count("area_id"), cat=Count("category_id")).order_by()}
    survey_stats = {r["source_id"]: r for r in SurveyResponse.objects.values("source_id").annotate(
        n=Count("id"), area=Count("area_id")).order_by()}
    batches = {}
    for batch in ImportBatch.objects.filter(status=BatchStatus.COMMITTED).order_by("source_id", "-created_at"):
        batches.setdefault(batch.source_id, batch)
    batch_counts = dict(ImportBatch.objects.filter(status=BatchStatus.COMMITTED).values_list("source_id")
                        .annotate(n=Count("id")).order_by())

    out = []
    for source in Source.objects.order_by("name"):
        sid = source.id
        if sid in per_month or sid in totals:
            q = SourceQuality(sid, source.code, source.name, source.kind, "eventos", per_month.get(sid, [0] * MONTHS),
                              totals.get(sid, 0), located=located.get(sid), with_area=with_area.get(sid),
                              unmapped=unmapped.get(sid))
        elif sid in agg_stats:
            st = agg_stats[sid]
            q = SourceQuality(sid, source.code, source.name, source.kind, "casos", aggregates.get(sid, [0] * MONTHS),
                              int(st["n"] or 0), with_area=st["area"] / st["rows"] if st["rows"] else None,
                              unmapped=1 - st["cat"] / st["rows"] if st["rows"] else None)
        elif sid in survey_stats:
            st = survey_stats[sid]
            q = SourceQuality(sid, source.code, source.name, source.kind, "respuestas", surveys.get(sid, [0] * MONTHS),
                              int(st["n"]), with_area=st["area"] / st["n"] if st["n"] else None)
        else:
            q = SourceQuality(sid, source.code, source.name, source.kind, "eventos", [0] * MONTHS, 0)
        q.last_batch = batches.get(sid)
        q.batches = batch_counts.get(sid, 0)
        # A survey is a one-off wave: the months between waves are not gaps.
        q.cells = _cells(q.months, None if q.unit == "respuestas" else _first_month(q))
        out.append(q)
    return out, months


def _first_month(q: SourceQuality) -> int | None:
    """Index of the first month with records (earlier empty months are before the source began, not gaps)."""
    nonzero = [i for i, v in enumerate(q.months) if v]
    return nonzero[0] if nonzero else None


def _cells(counts: list[int], first: int | None) -> list[tuple]:
    top = max(counts) if counts else 0
    cells = []
    for i, v in enumerate(counts):
        if v == 0:
            cells.append((0, "#ffffff", "#9aa5b1", first is not None and i > first))
            continue
        share = v / top if top else 0.0
        # More records, darker cell (Cividis runs dark blue → yellow, so it is read backwards).
        colour = sample_colorscale(SCALE, [0.95 - 0.85 * share])[0]
        cells.append((v, colour, "#ffffff" if share > 0.5 else "#1f2933", False))
    return cells


@dataclass(frozen=True)
class Combined:
    """A measure that combines sources: its rule and, when it links events, how many it leaves out."""

    code: str
    name: str
    sources: list[str]
    rule: str
    summary: object  # records.links.LinkSummary, or None for disjoint sources


def combined_measures(state: DataState, scope=()) -> list[Combined]:
    """The measures of several sources, their rule and linked events (through disclosure control for a reader,
    ``scope`` their event_scope, aggregate-only for the measure)."""
    from observatorio.disclosure import policy, shapes

    from . import engine

    return [Combined(m.code, m.name, [state.catalog.source_name(s) for s in m.sources], m.rule(),
                     shapes.link_summary(engine.link_summary(state, m.code),
                                         policy.guard_for(scope, m, state.catalog)))
            for m in state.catalog.count_measures if len(m.sources) > 1]


def guarded_quality(state: DataState, scope) -> tuple[list[SourceQuality], list[dt.date], str]:
    """:func:`source_quality` through disclosure control (observatorio.disclosure) for a reader (``scope``:
    their event_scope) aggregate-only for a source: its months and total suppressed together (1..k−1, and
    secondary against the total, the months before the table counting as one more cell), and a share dropped
    when it would give back a small count (of events placed, or not, in an area…). Returns the note too."""
    from observatorio.disclosure import policy
    from observatorio.disclosure.suppress import list_with_total

    sources, months = source_quality(state)
    note = ""
    for q in sources:
        guard = policy.guard_for(scope, _SourceOnly((q.id,)), state.catalog)
        if guard is None:
            continue
        note = guard.note()
        before = max(int(q.total) - sum(q.months), 0)
        hidden, _before, total_hidden = list_with_total(q.months, guard.k, extra=[before], total=q.total)
        q.months = [None if h else v for v, h in zip(q.months, hidden)]
        q.total = None if total_hidden else q.total
        q.cells = [(None, "#e4e7eb", "#1f2933", False) if h else cell for cell, h in zip(q.cells, hidden)]
        for name in ("located", "with_area", "unmapped"):
            share = getattr(q, name)
            if share is not None and (q.total is None or any(
                    1 <= round(part) < guard.k for part in (share * q.total, (1 - share) * q.total))):
                setattr(q, name, None)
    return sources, months, note


@dataclass(frozen=True)
class _SourceOnly:
    """A source's figures read as a measure of that source alone (for policy.guard_for)."""

    sources: tuple
    sensitive: bool = False
    categories: tuple = ()


@allow(*ALL_ROLES)
def quality_page(request):
    from observatorio.accounts.roles import event_scope

    from .reconcile import reconciliations

    state = current()
    scope = event_scope(request.user)
    sources, months, note = guarded_quality(state, scope)
    recs = reconciliations(state, scope)
    if any(r.hidden for r in recs) and not note:
        from observatorio.disclosure.policy import Guard, k

        note = Guard(k()).note()
    context = {"sources": sources, "months": months, "as_of": state.as_of,
               "snapshot_size": state.events.size, "month_count": MONTHS, "disclosure": note,
               "reconciliations": recs, "combined": combined_measures(state, scope)}
    return render(request, "dashboard/quality.html", context)


@allow(*ALL_ROLES)
def quality_csv(request):
    """Each source's quality figures and its records by month, in the format asked for (:mod:`.downloads`)."""
    from observatorio.accounts.roles import event_scope

    from . import downloads

    fmt = downloads.format_of(request)
    if fmt is None:
        return downloads.unknown_format(request)
    state = current()
    sources, months, note = guarded_quality(state, event_scope(request.user))
    headers = ["fuente", "nombre", "unidad", "total", "ultima_importacion", "lotes", "share_ubicados",
               "share_con_area", "share_sin_categoria"] + [m.strftime("%Y-%m") for m in months]
    rows = [[q.code, q.name, q.unit, "reservado" if q.total is None else q.total,
             q.last_batch.created_at.date() if q.last_batch else "", q.batches,
             *("" if share is None else round(share, 4) for share in (q.located, q.with_area, q.unmapped)),
             *("reservado" if v is None else v for v in q.months)] for q in sources]
    about = downloads.about(state, sources=[q.name for q in sources], period=(months[0], state.as_of))
    return downloads.respond(downloads.Download("calidad", "calidad_fuentes", headers, rows, about,
                                                [["nota", note]] if note else []), fmt)


@allow(*ALL_ROLES)
def reconciliation_csv(request):
    """Every reconciled measure by month and category: the measure's count, the official count, the difference
    (in the format asked for, :mod:`.downloads`)."""
    from observatorio.accounts.roles import event_scope

    from . import downloads
    from .reconcile import reconciliations

    fmt = downloads.format_of(request)
    if fmt is None:
        return downloads.unknown_format(request)
    state = current()
    recs = reconciliations(state, event_scope(request.user))
    rows = [[rec.measure.code, rec.reference, r.month.strftime("%Y-%m"), r.family, r.name,
             "reservado" if r.measure is None else r.measure, r.official,
             "reservado" if r.difference is None else r.difference] for rec in recs for r in rec.shown_detail]
    notes = []
    if any(r.hidden for r in recs):
        from observatorio.disclosure.policy import Guard, k

        notes = [["nota", Guard(k()).note()]]
    about = downloads.about(state, sources=sorted({rec.reference for rec in recs}),
                            notes=[_("%(measure)s frente a %(reference)s") % {"measure": rec.measure.name,
                                                                            "reference": rec.reference}
                                   for rec in recs])
    return downloads.respond(downloads.Download("conciliacion", "conciliacion_cead",
                                                ["medida", "referencia", "mes", "familia", "categoria",
                                                 "medida_conteo", "oficial_conteo", "diferencia"], rows, about, notes),
                             fmt)
