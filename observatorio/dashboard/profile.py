"""Area profiles (fichas territoriales): /area/<id>/ for the comuna, every macrosector and every UV.

A profile reads the last ``WINDOW_DAYS`` days up to the latest event and puts
the area beside its peers (the other areas of its level):

* demography of the year in force;
* headline indicators per count measure (records.measures), each with its
  name and unit and never summed: count, rate per 1,000 and the year to date
  against the same days a year earlier (the dashboard engine's headline), and
  one monthly line per measure over ``SERIES_MONTHS`` months;
* rank among peers by the Empirical-Bayes rate per 1,000 of the declared
  ``RANKING_MEASURE`` (casos-policiales, the default measure), with the rate
  of ``BESIDE_MEASURE`` (the 1461 calls) shown beside it, not added;
* LISA class: :func:`observatorio.analysis.moran.local_moran` of that EB rate
  over the level's areas, queen contiguity of their boundaries, 999
  permutations, seed 0, alpha 0.05;
* typology class: :func:`observatorio.analysis.typology.typology` (k-means,
  k by silhouette) on the rates of ``TYPOLOGY_MEASURES`` side by side and the
  demographic shares ``TYPOLOGY_SHARES`` of the level's areas;
* places of interest and perceived insecurity (weighted share feeling unsafe,
  :func:`observatorio.analysis.perception.fear_by_area`) against the ranking
  measure's rate (:func:`observatorio.analysis.perception.perception_gap`).

Counts come from the engine (:func:`engine.area_counts`, :func:`engine.trend`,
:func:`engine.headline`) over filters built for each measure
(:func:`filters.filters_for`): no counting code of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from observatorio.accounts.roles import ALL_ROLES, allow, event_scope
from observatorio.analysis.compare import Verdict
from observatorio.analysis.perception import GapClass, fear_by_area, perception_gap, weighted_proportion
from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.labels import quadrant_label, typology_description
from observatorio.records.measures import DEFAULT_MEASURE, MeasureDef
from observatorio.records.models import Place, PlaceKind, SurveyResponse
from observatorio.state import DataState, current
from observatorio.territory.index import TerritoryIndex
from observatorio.territory.models import Demography, Level

from . import downloads, engine, peers
from .filters import filters_for
from .layers.base import Territory, territory
from .numbers import separators
from .quality import month_starts

WINDOW_DAYS = 365
SERIES_MONTHS = 36
LISA_PERMUTATIONS = 999
LISA_ALPHA = 0.05
SEED = 0
# The measure the ranking, the LISA class and the perception gap use (its rate per 1,000), and the one shown
# beside it, never added (records.measures codes).
RANKING_MEASURE = DEFAULT_MEASURE
BESIDE_MEASURE = "llamados-1461"
# The typology's indicator profile: the rates per 1,000 of these measures (those with sources), side by side,
# and three demographic shares (%).
TYPOLOGY_MEASURES = (DEFAULT_MEASURE, "llamados-1461", "casos-vif")
TYPOLOGY_SHARES = {
    "pobreza_pct": gettext_noop("Pobreza multidimensional (%)"),
    "ninos_jovenes_pct": gettext_noop("Niños, niñas y jóvenes (%)"),
    "migrantes_pct": gettext_noop("Migrantes (%)"),
}
# Okabe–Ito colours, one per measure in the catalogue's order.
MEASURE_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def count_col(code: str) -> str:
    return f"n_{code}"


def rate_col(code: str) -> str:
    return f"tasa_{code}"


EB_RATE = "tasa_eb"  # the ranking measure's Empirical-Bayes rate per 1,000


@dataclass
class LevelStudy:
    """Everything about one level's areas that a profile compares against."""

    level: str
    ids: list
    table: pd.DataFrame  # index area id
    measure: MeasureDef | None = None  # the ranking measure (RANKING_MEASURE when it has sources)
    lisa: dict = field(default_factory=dict)  # area id → Quadrant (NS when not significant)
    lisa_note: str = ""
    typology: dict = field(default_factory=dict)  # area id → (type number, its typology.Distinctive)
    typology_note: str = ""
    gap: pd.DataFrame | None = None
    gap_rho: float | None = None


def profile_measures(state: DataState) -> list[MeasureDef]:
    """The count measures with sources, in the catalogue's order: one indicator (and one line) each."""
    return [m for m in state.catalog.count_measures if m.sources]


def ranking_measure(state: DataState) -> MeasureDef | None:
    """``RANKING_MEASURE`` when it has sources, else the first non-sensitive count measure that has (said on
    the page), else None."""
    shown = profile_measures(state)
    return next((m for m in shown if m.code == RANKING_MEASURE), None) or next(
        (m for m in shown if not m.sensitive), None)


def beside_measure(state: DataState) -> MeasureDef | None:
    ranking = ranking_measure(state)
    return next((m for m in profile_measures(state)
                 if m.code == BESIDE_MEASURE and (ranking is None or m.code != ranking.code)), None)


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of


def _demography(area_ids, year: int) -> dict[int, Demography]:
    """Per area, the row of ``year`` or the closest earlier (else the closest later)."""
    best: dict[int, Demography] = {}
    for row in Demography.objects.filter(area_id__in=list(area_ids)):
        kept = best.get(row.area_id)
        rank = (0, year - row.year) if row.year <= year else (1, row.year - year)
        if kept is None or rank < ((0, year - kept.year) if kept.year <= year else (1, kept.year - year)):
            best[row.area_id] = row
    return best


def _share(part, whole) -> float:
    return float("nan") if not part or not whole else 100.0 * part / whole


def level_table(state: DataState, level: str) -> pd.DataFrame:
    """Per area of ``level``: population, each measure's count and rate per 1,000 in the window, the ranking
    measure's EB rate, demographic shares."""
    index, as_of = state.index, state.as_of

    def build():
        ids = index.ids_at(level)
        start, end = window(as_of)
        demo = _demography(ids, as_of.year)
        rows = {}
        population = np.array([index.population_in(a, as_of.year) or 0 for a in ids], dtype=float)
        table = pd.DataFrame(index=pd.Index(ids, name="area_id"))
        table["poblacion"] = population
        for measure in profile_measures(state):
            f = filters_for(state, measure=measure.code, start=start, end=end, level=level)
            counts, _unplaced = engine.area_counts(state, f, level)
            table[count_col(measure.code)] = counts[ids].astype(np.int64) if ids else np.zeros(0, np.int64)
            table[rate_col(measure.code)] = crude_rate(table[count_col(measure.code)].to_numpy(), population)
        ranking = ranking_measure(state)
        have = population > 0
        eb = np.full(len(ids), np.nan)
        if ranking is not None and have.sum() >= 2:
            eb[have] = eb_global(table.loc[have, count_col(ranking.code)].to_numpy(), population[have]).smoothed
        table[EB_RATE] = eb
        for a in ids:
            d = demo.get(a)
            rows[a] = {
                "hogares": d.households if d else None,
                "mujeres_pct": _share(d.women, d.population) if d else np.nan,
                "ninos_jovenes_pct": _share(d.children_youth, d.population) if d else np.nan,
                "migrantes_pct": _share(d.migrants, d.population) if d else np.nan,
                "indigenas_pct": _share(d.indigenous, d.population) if d else np.nan,
                "pobreza_pct": d.poverty_pct if d and d.poverty_pct is not None else np.nan,
                "anio_demografia": str(d.year) if d else "",
            }
        extra = pd.DataFrame.from_dict(rows, orient="index")
        return table.join(extra)

    return state.memo(f"profile-table-{level}", build)


def lisa_classes(terr: Territory, table: pd.DataFrame, level: str) -> tuple[dict, str]:
    """LISA cluster of each area on the ranking measure's EB rate, or ({}, reason)."""
    # PySAL is imported here, not with the module: ~0.4 s off every server worker's start (the URL configuration
    # imports this module), paid by the first profile instead (docs/performance.md, workers).
    from observatorio.analysis.moran import local_moran
    from observatorio.analysis.weights import contiguity

    shapes = {s.id: s for s in terr.shapes.get(level, [])}
    ids = [a for a in table.index if a in shapes and np.isfinite(table.at[a, EB_RATE])]
    if len(ids) < 3:
        return {}, _("Se necesitan al menos 3 áreas con población en este nivel.")
    w = contiguity([shapes[a].metric for a in ids], kind="queen", ids=ids)
    if len(w.islands) == len(ids):
        return {}, _("Las áreas de este nivel no comparten bordes.")
    result = local_moran(table.loc[ids, EB_RATE].to_numpy(), w, permutations=LISA_PERMUTATIONS, seed=SEED)
    return dict(zip(ids, result.clusters(LISA_ALPHA))), ""


def typology_columns(table: pd.DataFrame) -> list[str]:
    """The typology's indicators: the rates of ``TYPOLOGY_MEASURES`` that have sources, then the shares."""
    return [rate_col(c) for c in TYPOLOGY_MEASURES if rate_col(c) in table.columns] + list(TYPOLOGY_SHARES)


def typology_indicators(table: pd.DataFrame) -> pd.DataFrame:
    return table[typology_columns(table)].astype(float)


def indicator_names(state: DataState) -> dict[str, str]:
    """Readable names of the typology's indicators in the active language (a measure's rate by its name)."""
    names = {rate_col(m.code): _("%(measure)s por 1.000 hab.") % {"measure": m.name}
             for m in profile_measures(state) if m.code in TYPOLOGY_MEASURES}
    names.update({key: _(label) for key, label in TYPOLOGY_SHARES.items()})
    return names


def typology_classes(table: pd.DataFrame) -> tuple[dict, str]:
    """Type number and distinctive indicators of each area, or ({}, reason)."""
    profile = typology_indicators(table).dropna(axis=1, how="any")
    profile = profile.loc[:, profile.std(ddof=0) > 0]
    n = len(profile)
    if n < 4 or profile.shape[1] < 2:
        return {}, _("Se necesitan al menos 4 áreas y 2 indicadores con variación.")
    from observatorio.analysis.typology import typology  # PySAL and scikit-learn: see lisa_classes

    result = typology(profile, method="kmeans", k_range=(2, min(5, n - 1)), seed=SEED)
    return {a: (int(result.labels.loc[a]) + 1, result.distinctive[int(result.labels.loc[a])])
            for a in profile.index}, ""


def typology_text(found, names: dict[str, str]) -> tuple[int, str] | None:
    """(type number, description with the indicators' readable names, :func:`indicator_names`), or None."""
    if found is None:
        return None
    return found[0], typology_description(found[1], names)


def perception_study(index: TerritoryIndex, table: pd.DataFrame, level: str, as_of: dt.date, rate: str):
    """Weighted fear per area of ``level`` and its gap against the ``rate`` column (the ranking measure's rate
    per 1,000); None without surveys."""
    rows = list(SurveyResponse.objects.filter(area__isnull=False, answered_on__lte=as_of)
                .values_list("area_id", "feels_unsafe", "weight"))
    if not rows:
        return None
    area = index.lift(np.array([r[0] for r in rows]), level)
    keep = area >= 0
    fear = fear_by_area(area[keep], np.array([r[1] for r in rows])[keep].astype(int),
                        np.array([r[2] for r in rows], float)[keep])
    fear.index = fear.index.astype(int)
    common = [a for a in fear.index if a in table.index and rate in table.columns
              and np.isfinite(table.at[a, rate])]
    gap = None
    if len(common) >= 3:
        try:
            gap = perception_gap(fear.loc[common, "proportion"], table.loc[common, rate])
        except ValueError:
            gap = None
    return fear, gap


def level_study(state: DataState, terr, level: str) -> LevelStudy:
    index, as_of = state.index, state.as_of

    def build():
        table = level_table(state, level)
        measure = ranking_measure(state)
        study = LevelStudy(level, list(table.index), table, measure)
        if terr is not None:
            study.lisa, study.lisa_note = lisa_classes(terr, table, level)
        study.typology, study.typology_note = typology_classes(table)
        found = perception_study(index, table, level, as_of, rate_col(measure.code) if measure else "")
        if found is not None:
            fear, gap = found
            study.gap = fear.join(gap.table[["crime", "gap", "gap_class"]], how="left") if gap else fear
            study.gap_rho = gap.spearman_rho if gap else None
        return study

    return state.memo(f"profile-study-{level}", build)


@dataclass(frozen=True)
class YearToDate:
    """A measure's year to date in the area against the same days a year earlier (:func:`engine.headline`)."""

    current: int
    previous: int
    current_start: dt.date
    current_end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    pct_change: float | None
    verdict: Verdict


def monthly_series(state: DataState, area_id: int) -> tuple[list, dict]:
    """Months and, per measure (code), its count in the area (and its descendants) per month."""
    months = month_starts(state.as_of, SERIES_MONTHS)
    series = {}
    for measure in profile_measures(state):
        f = filters_for(state, measure=measure.code, start=months[0], end=state.as_of, areas=(area_id,))
        trend = engine.trend(state, f)
        # SERIES_MONTHS months are longer than the engine's weekly bins reach: one bin per month.
        assert trend.step == "month" and len(trend.counts) == len(months), (trend.step, len(trend.counts))
        series[measure.code] = [int(v) for v in trend.counts]
    return months, series


def headline(state: DataState, area_id: int, row: pd.Series) -> list[dict]:
    """Per measure: its name and unit, count and rate per 1,000 in the window, year to date against last year."""
    as_of = state.as_of
    out = []
    for measure in profile_measures(state):
        f = filters_for(state, measure=measure.code, start=as_of.replace(month=1, day=1), end=as_of,
                        period="ytd", areas=(area_id,))
        ytd = engine.headline(state, f)
        before = ytd.last_year
        comparison = YearToDate(ytd.count, before.count, ytd.start, ytd.end, before.start, before.end,
                                before.pct_change, before.verdict)
        out.append({"key": measure.code, "label": measure.name, "unit": measure.unit,
                    "sensitive": measure.sensitive, "count": int(row[count_col(measure.code)]),
                    "rate": float(row[rate_col(measure.code)]), "ytd": comparison})
    return out


def _places(index: TerritoryIndex, area_id: int) -> list[dict]:
    ids = index.descendants_or_self(area_id)
    labels = dict(PlaceKind.choices)
    counts = (Place.objects.filter(area_id__in=ids).values("kind").annotate(n=Count("id")).order_by("-n", "kind"))
    return [{"kind": r["kind"], "label": _(labels.get(r["kind"], r["kind"])), "n": r["n"]} for r in counts]


def _rank(table: pd.DataFrame, area_id: int, column: str) -> tuple[int | None, int]:
    values = table[column].dropna()
    if area_id not in values.index:
        return None, len(values)
    return int((values > values.loc[area_id]).sum()) + 1, len(values)


def _chart_layout(**extra) -> dict:
    layout = dict(separators=separators(), margin=dict(l=50, r=10, t=10, b=40), height=300,
                  paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", hovermode="x unified",
                  legend=dict(orientation="h", y=-0.18), font=dict(size=12),
                  xaxis=dict(gridcolor="#e4e7eb"), yaxis=dict(gridcolor="#e4e7eb", rangemode="tozero"))
    layout.update(extra)
    return layout


def _partial_month(first: dt.date, as_of: dt.date) -> dict:
    """A shaded band and a note over the month of ``as_of`` when it is not over: its lower count is not a fall."""
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    if as_of >= following - dt.timedelta(days=1):
        return {}
    note = _("Mes en curso: hasta el %(day)s") % {"day": as_of.strftime("%d-%m-%Y")}
    return {"shapes": [dict(type="rect", xref="x", yref="paper", x0=first.isoformat(), x1=following.isoformat(),
                            y0=0, y1=1, fillcolor="#e4e7eb", opacity=0.6, line=dict(width=0), layer="below")],
            "annotations": [dict(xref="x", yref="paper", x=first.isoformat(), y=1, xanchor="right", yanchor="top",
                                 text=note, showarrow=False, font=dict(size=11, color="#52606d"))]}


LOCATOR_HEIGHT = 220


def locator_figure(terr: Territory | None, index: TerritoryIndex, area_id: int) -> dict | None:
    """A small map of the comuna: the areas of the profile's level in grey, the area in orange, the comuna's
    outline over them (the outlines as every map draws them, :meth:`Territory.rings_xy`); None without
    boundaries."""
    if terr is None:
        return None
    info = index.areas[area_id]
    level = [s for s in terr.shapes.get(info.level, [])]
    if not any(s.id == area_id for s in level):
        return None
    traces = []
    for shape in sorted(level, key=lambda s: s.id == area_id):  # the area last: drawn on top
        me = shape.id == area_id
        xs, ys = terr.rings_xy(shape)
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", fill="toself", hoverinfo="text",
                           hoveron="fills", text=shape.name, name=shape.code, showlegend=False,
                           fillcolor="#D55E00" if me else "#e4e7eb",
                           line=dict(color="#1f2933" if me else "#ffffff", width=1.5 if me else 0.8),
                           meta=dict(area=shape.id, highlight=me)))
    for shape in terr.shapes.get(Level.COMUNA, []):
        if info.level != Level.COMUNA:
            xs, ys = terr.rings_xy(shape)
            traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                               line=dict(color="#52606d", width=1.2), meta=dict(area=shape.id, highlight=False)))
    return {"data": traces, "layout": dict(height=LOCATOR_HEIGHT, margin=dict(l=0, r=0, t=0, b=0),
                                           paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                                           xaxis=dict(visible=False, fixedrange=True),
                                           yaxis=dict(visible=False, scaleanchor="x", scaleratio=1, fixedrange=True),
                                           dragmode=False, hovermode="closest")}


@dataclass(frozen=True)
class Breakdown:
    """The profile measure's events in the area by family and by category, in the window and the same days a
    year earlier (:func:`engine.by_family`, :func:`engine.by_category`); counts None when suppressed."""

    families: list[dict]  # {"id", "name", "count", "before", "pct_change"}
    categories: list[dict]  # the same and "family"
    before_start: dt.date
    before_end: dt.date
    refused: str = ""  # why it is not shown to this reader ("" shown)


def _pct(now, before):
    return None if now is None or before is None or not before else 100.0 * (now - before) / before


def breakdown(state: DataState, measure: MeasureDef | None, area_id: int, start: dt.date, end: dt.date,
              scope=()) -> Breakdown | None:
    """By family and category for ``measure`` in the area over [start, end] and the same days a year earlier,
    through disclosure control for an aggregate-only reader (``scope``: their event_scope) as the board's
    breakdowns are (:func:`shapes.breakdowns`); a sensitive view of a UV is refused for that reader."""
    from observatorio.disclosure import policy, shapes

    if measure is None:
        return None
    f = filters_for(state, measure=measure.code, start=start, end=end, areas=(area_id,))
    before = f.last_year()
    names = engine.taxonomy(state)
    guard = policy.guard_for(scope, measure, state.catalog)
    if guard is not None and guard.sensitive and state.index.areas[area_id].level not in policy.COARSE_LEVELS:
        return Breakdown([], [], before.start, before.end, refused=guard.note())
    lists = []
    for window in (f, before):
        cats, fams = engine.by_category(state, window), engine.by_family(state, window)
        if guard is not None:
            cats, fams = shapes.breakdowns(cats, fams, names.category_family, guard, sum(cats.counts))
        lists.append((cats, fams))
    (cats, fams), (cats_before, fams_before) = lists

    def rows(now: engine.Breakdown, then: engine.Breakdown, family: bool) -> list[dict]:
        earlier = dict(zip(then.ids, then.counts))
        out = []
        for i, name, n in zip(now.ids, now.names, now.counts):
            b = earlier.get(i, 0)
            row = {"id": i, "name": _(name), "count": n, "before": b, "pct_change": _pct(n, b)}
            if not family:
                fam = names.category_family.get(i, -1) if i >= 0 else -1
                row["family"] = _(names.family_name.get(fam, "Sin categoría"))
            out.append(row)
        return out

    return Breakdown(rows(fams, fams_before, True), rows(cats, cats_before, False), before.start, before.end)


def breakdown_figure(b: Breakdown, measure: MeasureDef) -> dict | None:
    """Families as horizontal bars, the window beside the same days a year earlier (suppressed: no bar)."""
    if b is None or not b.families:
        return None
    fams = b.families[::-1]
    y = [r["name"] for r in fams]
    now = dict(type="bar", orientation="h", y=y, x=[r["count"] for r in fams], name=_("Últimos 12 meses"),
               marker=dict(color="#D55E00"), hovertemplate="%{y}: %{x:,d}<extra></extra>")
    then = dict(type="bar", orientation="h", y=y, x=[r["before"] for r in fams], name=_("Un año antes"),
                marker=dict(color="#9aa5b1"), hovertemplate="%{y}: %{x:,d}<extra></extra>")
    return {"data": [then, now], "layout": _chart_layout(
        barmode="group", hovermode="closest", height=max(220, 90 + 44 * len(fams)), margin=dict(l=160, r=10, t=30, b=40),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        xaxis=dict(gridcolor="#e4e7eb", tickformat=",d", title=dict(text=f"{measure.name} ({measure.unit})")),
        yaxis=dict(automargin=True))}


def comuna_peers(state: DataState, measure: MeasureDef | None, area_id: int, scope=()) -> peers.RateComparison | None:
    """The comuna's reference rate per 100,000 against its region, the country and its peers
    (:func:`peers.peer_rates`), small counts suppressed for an aggregate-only reader."""
    from observatorio.disclosure import policy, shapes

    info = state.index.areas[area_id]
    if info.level != Level.COMUNA or measure is None:
        return None
    found = state.memo(f"profile-peers:{measure.code}:{info.code}", lambda: peers.peer_rates(measure, info.code))
    guard = policy.guard_for(scope, measure, state.catalog)
    if found is None or guard is None:
        return found
    return replace(found, rows=[replace(r, cases=None if shapes.small(r.cases, guard.k) else r.cases)
                                for r in found.rows])


def profile_data(state: DataState, area_id: int) -> dict:
    """The figures of one area's profile, kept per data state and language."""
    if area_id not in state.index.areas:
        raise Http404
    return state.cache("profiles", PROFILES_KEPT).get((area_id, get_language()), lambda: _profile_data(state, area_id))


PROFILES_KEPT = 64


def _profile_data(state: DataState, area_id: int) -> dict:
    index, as_of = state.index, state.as_of
    info = index.areas[area_id]
    terr = territory(state, as_of)
    study = level_study(state, terr, info.level)
    row = study.table.loc[area_id]
    start, end = window(as_of)
    months, series = monthly_series(state, area_id)
    rank, peers = _rank(study.table, area_id, EB_RATE)
    chain = []
    node = info
    while node.parent_id is not None and node.parent_id in index.areas:
        node = index.areas[node.parent_id]
        chain.append(node)
    children = sorted((a for a in index.areas.values() if a.parent_id == area_id), key=lambda a: a.code)
    fear = None
    if study.gap is not None and area_id in study.gap.index:
        g = study.gap.loc[area_id]
        gap_class = g["gap_class"] if "gap_class" in study.gap.columns else None
        fear = {"share": float(g["proportion"]), "lower": float(g["lower"]), "upper": float(g["upper"]),
                "n": int(g["n"]), "gap": None if "gap" not in g or pd.isna(g["gap"]) else float(g["gap"]),
                "gap_class": gap_class if isinstance(gap_class, GapClass) else None}
    elif info.level != Level.UV:
        fear = _fear_of(index, area_id, as_of)
    return {
        "info": info, "as_of": as_of, "start": start, "end": end, "row": row, "study": study,
        "level_label": dict(Level.choices).get(info.level, info.level),
        "headline": headline(state, area_id, row), "months": months, "series": series,
        "measure": study.measure, "beside": beside_measure(state),
        "beside_rate": _beside_rate(state, row),
        "rank": rank, "peers": peers, "chain": chain[::-1], "children": children,
        "lisa": study.lisa.get(area_id), "indicator_names": indicator_names(state),
        "typology": typology_text(study.typology.get(area_id), indicator_names(state)),
        "places": _places(index, area_id), "fear": fear, "locator": locator_figure(terr, index, area_id),
        "names": {a: info.name for a, info in index.areas.items()},
        "peer_rows": sorted(((index.areas[a].name, a, float(study.table.at[a, EB_RATE]))
                             for a in study.ids), key=lambda r: (-np.nan_to_num(r[2], nan=-1), r[0])),
    }


def _beside_rate(state: DataState, row: pd.Series) -> float | None:
    beside = beside_measure(state)
    return None if beside is None else float(row[rate_col(beside.code)])


def for_viewer(data: dict, *, sensitive: bool, scope=(), state: DataState | None = None) -> dict:
    """The profile as a viewer may see it: without the sensitive measures' indicators and lines unless
    ``sensitive`` (those who see events), and with each count of a measure the reader (``scope``: their
    event_scope) is aggregate-only for passed through disclosure control. Adds each line's label."""
    headline = [h for h in data["headline"] if sensitive or not h["sensitive"]]
    codes = [h["key"] for h in headline]
    series = {code: data["series"][code] for code in codes}
    notes = []
    if state is not None:
        headline, series, notes = _guarded(state, data, headline, series, scope)
        codes = [h["key"] for h in headline]
    return {**data, "headline": headline, "series": series, "disclosure": notes[0] if notes else "",
            "series_labels": [f"{h['label']} ({h['unit']})" for h in headline],
            "series_rows": [(m, [series[c][i] for c in codes]) for i, m in enumerate(data["months"])]}


def _guarded(state: DataState, data: dict, headline: list[dict], series: dict, scope):
    """Disclosure control on a profile (observatorio.disclosure): the window's count by the same rule as the
    dashboard's area table of the area's level (so neither gives the other's suppressed cells away), the
    year-to-date counts and the monthly line (against its own total) with small counts suppressed."""
    from observatorio.disclosure import policy, shapes, suppress

    info, out, lines, notes = data["info"], [], dict(series), []
    for h in headline:
        measure = state.catalog.measure(h["key"])
        guard = policy.guard_for(scope, measure, state.catalog)
        if guard is None:
            out.append(h)
            continue
        notes.append(guard.note())
        if guard.sensitive and info.level not in policy.COARSE_LEVELS:
            lines.pop(h["key"], None)  # a sensitive count by UV: not for an aggregate-only reader
            continue
        f = filters_for(state, measure=measure.code, start=data["start"], end=data["end"])
        ids = state.index.ids_at(info.level)
        hidden, _out = shapes.area_hidden(state, f, info.level, guard)
        count_hidden = bool(hidden[ids.index(info.id)]) if info.id in ids else shapes.small(h["count"], guard.k)
        c = h["ytd"]
        hide_ytd = shapes.small(c.current, guard.k) or shapes.small(c.previous, guard.k)
        ytd = replace(c, current=None if shapes.small(c.current, guard.k) else c.current,
                      previous=None if shapes.small(c.previous, guard.k) else c.previous,
                      pct_change=None if hide_ytd else c.pct_change) if hide_ytd else c
        out.append({**h, "count": None if count_hidden else h["count"],
                    "rate": None if count_hidden else h["rate"], "ytd": ytd})
        values = lines.get(h["key"])
        if values:
            mask, _e, _t = suppress.list_with_total(values, guard.k)
            lines[h["key"]] = [None if m else v for v, m in zip(values, mask)]
    return out, lines, notes


def _fear_of(index: TerritoryIndex, area_id: int, as_of: dt.date) -> dict | None:
    """Weighted share feeling unsafe among respondents of the area and its descendants (single area)."""
    rows = list(SurveyResponse.objects.filter(area_id__in=index.descendants_or_self(area_id), answered_on__lte=as_of)
                .values_list("feels_unsafe", "weight"))
    if not rows:
        return None
    r = weighted_proportion(np.array([x[0] for x in rows], int), np.array([x[1] for x in rows], float))
    return {"share": r.proportion, "lower": r.lower, "upper": r.upper, "n": r.n, "gap": None, "gap_class": None}


def _charts(data: dict) -> dict:
    labels = [m.strftime("%Y-%m-01") for m in data["months"]]
    traces = []
    main = data["measure"].code if data["measure"] else ""
    for position, h in enumerate(data["headline"]):
        values = data["series"][h["key"]]
        if not any(values):
            continue
        strong = h["key"] in (main, BESIDE_MEASURE)
        traces.append(dict(type="scatter", mode="lines", x=labels, y=values, name=f"{h['label']} ({h['unit']})",
                           meta=dict(measure=h["key"]),
                           line=dict(color=MEASURE_COLOURS[position % len(MEASURE_COLOURS)],
                                     width=2.5 if strong else 1.5, dash="solid" if strong else "dot")))
    trend = {"data": traces, "layout": _chart_layout(xaxis=dict(gridcolor="#e4e7eb", tickformat="%m-%Y"),
                                                      yaxis=dict(gridcolor="#e4e7eb", rangemode="tozero",
                                                                 title=dict(text=_("Por mes, cada medida en su unidad"))),
                                                      **_partial_month(data["months"][-1], data["as_of"]))}
    charts = {"trend": trend}
    study = data["study"]
    if study.gap is not None and "crime" in study.gap.columns:
        g = study.gap.dropna(subset=["crime"])
        me = g.index == data["info"].id
        names = [data["names"][a] for a in g.index]
        charts["perception"] = {"data": [
            dict(type="scatter", mode="markers", x=g["crime"].round(2).tolist(), y=(100 * g["proportion"]).round(1).tolist(),
                 text=names, hovertemplate="%{text}<br>%{x:,.1f} / 1.000 · %{y:,.1f} %<extra></extra>",
                 marker=dict(size=[14 if m else 8 for m in me], color=["#D55E00" if m else "#9aa5b1" for m in me],
                             line=dict(color="#1f2933", width=[2 if m else 0 for m in me])),
                 name=_("Áreas del mismo nivel"), showlegend=False)],
            "layout": _chart_layout(hovermode="closest",
                                    xaxis=dict(title=dict(text=_("%(measure)s por 1.000 hab.") % {
                                        "measure": data["measure"].name} if data["measure"] else ""),
                                               gridcolor="#e4e7eb"),
                                    yaxis=dict(title=dict(text=_("Se siente inseguro/a (%)")), gridcolor="#e4e7eb"))}
    return charts


@allow(*ALL_ROLES)
def area_profile(request, area_id: int):
    scope = event_scope(request.user)
    data = for_viewer(profile_data(current(), area_id), sensitive=scope is not None, scope=scope, state=current())
    state = current()
    split = breakdown(state, data["measure"], area_id, data["start"], data["end"], scope)
    found = _charts(data)
    found.update({k: v for k, v in (("locator", data["locator"]),
                                    ("breakdown", breakdown_figure(split, data["measure"]))) if v})
    charts = json.loads(json.dumps(found, default=float))
    quadrant = data["lisa"]
    data.update({"charts": charts, "breakdown": split, "comparison": comuna_peers(state, data["measure"], area_id, scope),
                 "printed": timezone.localdate(),
                 "comparison_source": state.catalog.source_name(data["measure"].reference) if data["measure"]
                 and data["measure"].reference else "",
                 "lisa_label": quadrant_label(quadrant) if quadrant is not None else None,
                 "lisa_code": quadrant.value if quadrant is not None else None,
                 "significant": quadrant is not None and quadrant.value != "ns",
                 "lisa_permutations": LISA_PERMUTATIONS, "lisa_alpha": LISA_ALPHA, "window_days": WINDOW_DAYS})
    return render(request, "dashboard/profile.html", data)


def profile_rows(data: dict) -> list[tuple]:
    """The figures of a profile as (section, indicator, period, value) rows."""
    info, row = data["info"], data["row"]
    period = f"{data['start'].isoformat()}/{data['end'].isoformat()}"
    out = [("area", "codigo", "", info.code), ("area", "nombre", "", info.name), ("area", "nivel", "", info.level)]
    for col in ("poblacion", "hogares", "mujeres_pct", "ninos_jovenes_pct", "migrantes_pct", "indigenas_pct",
                "pobreza_pct"):
        out.append(("demografia", col, row.get("anio_demografia") or "", _csv_value(row.get(col))))
    for h in data["headline"]:
        key = h["key"]
        out.append(("medidas", key, "", h["label"]))
        out.append(("medidas", f"{key}_unidad", "", h["unit"]))
        out.append(("indicadores", f"{key}_conteo", period, h["count"]))
        out.append(("indicadores", f"{key}_tasa_1000", period, _csv_value(h["rate"])))
        c = h["ytd"]
        out.append(("indicadores", f"{key}_anio_a_la_fecha", f"{c.current_start}/{c.current_end}", c.current))
        out.append(("indicadores", f"{key}_anio_anterior", f"{c.previous_start}/{c.previous_end}", c.previous))
        out.append(("indicadores", f"{key}_veredicto", "", c.verdict.value))
    measure = data["measure"]
    out.append(("comparacion", "medida", "", measure.code if measure else ""))
    out.append(("comparacion", f"{measure.code}_tasa_eb_1000" if measure else "tasa_eb_1000", period,
                _csv_value(row[EB_RATE])))
    if data["beside"] is not None:
        out.append(("comparacion", f"{data['beside'].code}_tasa_1000", period, _csv_value(data["beside_rate"])))
    out.append(("comparacion", "lugar_entre_pares", period, "" if data["rank"] is None else data["rank"]))
    out.append(("comparacion", "pares", "", data["peers"]))
    out.append(("comparacion", "lisa", period, data["lisa"].value if data["lisa"] is not None else ""))
    out.append(("comparacion", "tipologia", period, data["typology"][0] if data["typology"] else ""))
    if data["fear"]:
        out.append(("percepcion", "inseguridad_ponderada", "", round(data["fear"]["share"], 4)))
        out.append(("percepcion", "respuestas", "", data["fear"]["n"]))
    for p in data["places"]:
        out.append(("lugares", p["kind"], "", p["n"]))
    for key, values in data["series"].items():
        for month, v in zip(data["months"], values):
            out.append(("serie_mensual", key, month.strftime("%Y-%m"), v))
    return out


def extra_rows(data: dict, split: Breakdown | None, comparison: peers.RateComparison | None) -> list[tuple]:
    """The breakdown by family and category (window and a year earlier) and the comuna's peers as rows."""
    period = f"{data['start'].isoformat()}/{data['end'].isoformat()}"
    out = []
    if split is not None and not split.refused:
        before = f"{split.before_start.isoformat()}/{split.before_end.isoformat()}"
        for section, rows in (("familias", split.families), ("categorias", split.categories)):
            for r in rows:
                out += [(section, r["name"], period, r["count"]), (section, r["name"], before, r["before"])]
    if comparison is not None:
        for r in comparison.rows:
            key = f"{r.kind}_{r.code}" if r.code else r.kind
            out += [("comunas_pares", f"{key}_casos", str(comparison.year), r.cases),
                    ("comunas_pares", f"{key}_poblacion", str(comparison.year), r.population),
                    ("comunas_pares", f"{key}_tasa_100000", str(comparison.year), _csv_value(r.rate))]
    return out


def _csv_value(value):
    if value is None:
        return ""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return "" if not np.isfinite(f) else round(f, 4)


@allow(*ALL_ROLES)
def area_profile_csv(request, area_id: int):
    """The profile's figures as (section, indicator, period, value) rows, in the format asked for
    (:mod:`.downloads`)."""
    fmt = downloads.format_of(request)
    if fmt is None:
        return downloads.unknown_format(request)
    scope = event_scope(request.user)
    state = current()
    data = for_viewer(profile_data(state, area_id), sensitive=scope is not None, scope=scope, state=state)
    rows, notes = profile_rows(data) + extra_rows(
        data, breakdown(state, data["measure"], area_id, data["start"], data["end"], scope),
        comuna_peers(state, data["measure"], area_id, scope)), []
    if data["disclosure"]:  # suppressed counts carry an explicit marker, and the file says why
        rows = [(*r[:3], "reservado" if r[3] is None else r[3]) for r in rows]
        notes = [["nota", "control_divulgacion", "", data["disclosure"]]]
    info = data["info"]
    about = [(_("Área"), f"{info.name} ({info.code})"), (_("Nivel"), str(data["level_label"])),
             *downloads.about(state, measure=data["measure"], period=(data["start"], data["end"]))]
    return downloads.respond(downloads.Download("ficha", f"ficha_{info.code}", ["seccion", "indicador", "periodo", "valor"],
                                                [list(r) for r in rows], about, notes), fmt)
