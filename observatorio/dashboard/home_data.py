"""Headline figures and map data for the home page, from the data state.

Every figure counts one measure (records.measures): the default measure
(casos-policiales) is the headline, the other count measures stand beside it
with their own names and units, never added; the map colours UVs by the
headline measure. Counting is the dashboard engine's (:func:`engine.headline`,
:func:`engine.area_counts`) over filters built for the measure.

The reference date ("as of") is the latest event (``DataState.as_of``), not
the clock: a cut of data shows the same page whenever it is opened, and the
demo data never looks stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from observatorio.analysis import periods
from observatorio.disclosure import policy, shapes
from observatorio.records.measures import MeasureDef
from observatorio.records.models import Event
from observatorio.state import DataState
from observatorio.territory.models import Level

from . import engine
from .filters import filters_for
from .layers.base import Territory
from .maps import MapArea

WINDOW_DAYS = 28
MAP_DAYS = 365
MAP_LEVELS = (Level.COMUNA, Level.MACROSECTOR, Level.UV)


@dataclass(frozen=True)
class MeasureFigure:
    """One measure's count in the window, with its comparisons (:func:`engine.headline`)."""

    code: str
    name: str
    unit: str
    figure: engine.Headline

    @property
    def count(self) -> int:
        return self.figure.count


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    window_start: dt.date  # first day of the current window
    previous_start: dt.date  # first day of the previous window
    previous_end: dt.date  # last day of the previous window
    main: MeasureFigure | None  # the default measure (casos-policiales), the page's headline
    beside: list[MeasureFigure]  # the other count measures with sources, shown beside it, never added
    comuna: str = ""  # the name of the comuna (or comunas) the figures count
    areas_by_level: dict[str, int] = field(default_factory=dict)
    population: int | None = None
    population_year: int | None = None

    @property
    def figures(self) -> list[MeasureFigure]:
        return ([self.main] if self.main else []) + self.beside

    @property
    def areas_total(self) -> int:
        return sum(self.areas_by_level.values())


def latest_event_date(state: DataState) -> dt.date | None:
    return state.as_of if state.events.size else None


def shown_measures(state: DataState, *, sensitive: bool) -> list[MeasureDef]:
    """The count measures with sources, the headline measure first (the default one when it has sources);
    sensitive measures only when ``sensitive``."""
    catalog = state.catalog
    measures = [m for m in catalog.count_measures if m.sources and (sensitive or not m.sensitive)]
    default = catalog.default_measure
    measures.sort(key=lambda m: m.code != (default.code if default else ""))
    return measures


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The home page's window: the ``WINDOW_DAYS`` days up to ``as_of`` (the dashboard's "28d")."""
    return periods.window("28d", as_of)


def headline(state: DataState, as_of: dt.date, *, sensitive: bool = False, scope=()) -> Headline:
    """Each shown measure's count in the last ``WINDOW_DAYS`` days up to ``as_of``, against the window before
    and the same days a year earlier, with its rate per 1,000 inhabitants (the engine's headline); for a
    reader aggregate-only for a measure (``scope``: the reader's event_scope) through disclosure control."""
    start, end = window(as_of)
    figures = []
    for measure in shown_measures(state, sensitive=sensitive):
        f = filters_for(state, measure=measure.code, start=start, end=end, period="28d")
        figure = engine.headline(state, f)
        guard = policy.guard_for(scope, measure, state.catalog)
        if guard is not None:
            figure = shapes.headline(figure, guard)
        figures.append(MeasureFigure(measure.code, measure.name, measure.unit, figure))
    previous_start, previous_end = periods.previous("28d", start, end)
    population, year = _population(state, as_of.year)
    return Headline(as_of, start, previous_start, previous_end, figures[0] if figures else None, figures[1:],
                    comuna_name(state), areas_by_level(state), population, year)


def comuna_name(state: DataState) -> str:
    index = state.index
    return " · ".join(sorted(index.areas[a].name for a in index.ids_at(Level.COMUNA)))


def areas_by_level(state: DataState) -> dict[str, int]:
    index = state.index
    return {level.value: len(index.ids_at(level.value)) for level in Level if index.ids_at(level.value)}


def _population(state: DataState, year: int) -> tuple[int | None, int | None]:
    """Population of the comunas in force for ``year`` (their own figure, else the sum of their UVs)."""
    index = state.index
    for level in (Level.COMUNA, Level.UV):
        found = {a: index.population_year(a, year) for a in index.ids_at(level)}
        found = {a: y for a, y in found.items() if y is not None}
        if found:
            return sum(index.population[a][y] for a, y in found.items()), max(found.values())
    return None, None


def map_measure(state: DataState) -> MeasureDef | None:
    """The measure the home map colours UVs by: the headline's (the default measure)."""
    shown = shown_measures(state, sensitive=False)
    return shown[0] if shown else None


def map_areas(state: DataState, terr: Territory | None, as_of: dt.date | None, scope=()) -> list[MapArea]:
    """Comuna, macrosectors and UVs of the territory drawn (``layers.territory(state, state.as_of)``, the
    boundaries in force on the "as of" day); UVs carry their 12-month count of :func:`map_measure`, small
    counts suppressed for a reader aggregate-only for it (``scope``: the reader's event_scope)."""
    if terr is None:
        return []
    uv_counts, hidden = _uv_counts(state, as_of, scope) if as_of else ({}, set())
    return [MapArea(shape, None if shape.id in hidden else uv_counts.get(shape.id, 0), shape.id in hidden)
            if shape.level == Level.UV and as_of else MapArea(shape)
            for level in MAP_LEVELS for shape in terr.shapes.get(level, [])]


def _uv_counts(state: DataState, as_of: dt.date, scope=()) -> tuple[dict[int, int], set[int]]:
    """The map measure's count in the last ``MAP_DAYS`` days per UV (finer areas rolled up to their UV), and
    the UVs whose count disclosure control suppresses (the dashboard's rule for the same window and level)."""
    measure = map_measure(state)
    if measure is None or Level.UV not in state.index.ancestor:
        return {}, set()
    f = filters_for(state, measure=measure.code, start=as_of - dt.timedelta(days=MAP_DAYS - 1), end=as_of)
    counts, unplaced = engine.area_counts(state, f, Level.UV)
    hidden: set[int] = set()
    guard = policy.guard_for(scope, measure, state.catalog)
    if guard is not None:
        ids = state.index.ids_at(Level.UV)
        mask, _out = shapes.area_hidden(state, f, Level.UV, guard)
        hidden = {int(a) for a, h in zip(ids, mask) if h}
    return {int(a): int(counts[a]) for a in np.flatnonzero(counts)}, hidden


def recent_events(scope: tuple | None, limit: int = 8) -> list[Event]:
    """The latest events of ``scope`` (:func:`observatorio.accounts.roles.event_scope` of the user): none for
    None, every source's for ``()``, else only the scope's sources'."""
    if scope is None:
        return []
    events = Event.objects.select_related("source", "category", "area").order_by("-occurred_on", "-id")
    if scope:
        events = events.filter(source_id__in=scope)
    return list(events[:limit])
