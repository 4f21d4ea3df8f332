"""Headline figures and map data for the home page, from the data state.

The reference date ("as of") is the latest event (``DataState.as_of``), not
the clock: a cut of data shows the same page whenever it is opened, and the
demo data never looks stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from observatorio.records.models import Event
from observatorio.records.snapshot import day_number
from observatorio.state import DataState
from observatorio.territory.models import Level

from .layers.base import Territory
from .maps import MapArea

WINDOW_DAYS = 28
MAP_DAYS = 365
MAP_LEVELS = (Level.COMUNA, Level.MACROSECTOR, Level.UV)


@dataclass(frozen=True)
class SourceCount:
    code: str
    name: str
    current: int
    previous: int

    @property
    def change_pct(self) -> float | None:
        """Percent change on the previous window; None when there is nothing to compare with."""
        if self.previous == 0:
            return None
        return 100.0 * (self.current - self.previous) / self.previous


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    window_start: dt.date  # first day of the current window
    previous_start: dt.date  # first day of the previous window
    previous_end: dt.date  # last day of the previous window
    by_source: list[SourceCount]
    areas_by_level: dict[str, int] = field(default_factory=dict)
    population: int | None = None
    population_year: int | None = None

    @property
    def total(self) -> SourceCount:
        return SourceCount("", "", sum(s.current for s in self.by_source), sum(s.previous for s in self.by_source))

    @property
    def areas_total(self) -> int:
        return sum(self.areas_by_level.values())


def latest_event_date(state: DataState) -> dt.date | None:
    return state.as_of if state.events.size else None


def _per_source(state: DataState, first: dt.date, last: dt.date) -> np.ndarray:
    events = state.events
    window = events.window(day_number(first), day_number(last))
    return np.bincount(events.source[window], minlength=max(state.catalog.source_kind, default=0) + 1)


def headline(state: DataState, as_of: dt.date) -> Headline:
    """Events by source in the last ``WINDOW_DAYS`` days up to ``as_of`` and in the window before."""
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    previous_start = window_start - dt.timedelta(days=WINDOW_DAYS)
    previous_end = window_start - dt.timedelta(days=1)
    current = _per_source(state, window_start, as_of)
    previous = _per_source(state, previous_start, previous_end)
    by_source = [SourceCount(code, name, int(current[i]), int(previous[i]))
                 for i, code, name in state.catalog.sources if i < current.size and (current[i] or previous[i])]
    by_source.sort(key=lambda s: (-s.current, s.name))
    population, year = _population(state, as_of.year)
    return Headline(as_of, window_start, previous_start, previous_end, by_source, areas_by_level(state),
                    population, year)


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


def map_areas(state: DataState, terr: Territory | None, as_of: dt.date | None) -> list[MapArea]:
    """Comuna, macrosectors and UVs of the territory drawn (``layers.territory(state, state.as_of)``, the
    boundaries in force on the "as of" day); UVs carry their 12-month count when there are events."""
    if terr is None:
        return []
    uv_counts = _uv_counts(state, as_of) if as_of else {}
    return [MapArea(shape, uv_counts.get(shape.id, 0) if shape.level == Level.UV and as_of else None)
            for level in MAP_LEVELS for shape in terr.shapes.get(level, [])]


def _uv_counts(state: DataState, as_of: dt.date) -> dict[int, int]:
    """Events of the last ``MAP_DAYS`` days per UV, rolling finer areas (e.g. census zones) up to their UV."""
    events, index = state.events, state.index
    if Level.UV not in index.ancestor:
        return {}
    window = events.window(day_number(as_of - dt.timedelta(days=MAP_DAYS - 1)), day_number(as_of))
    uv = index.lift(events.area[window], Level.UV)
    counts = np.bincount(uv[uv >= 0])
    return {int(a): int(counts[a]) for a in np.flatnonzero(counts)}


def recent_events(scope: tuple | None, limit: int = 8) -> list[Event]:
    """The latest events of ``scope`` (:func:`observatorio.accounts.roles.event_scope` of the user): none for
    None, every source's for ``()``, else only the scope's sources'."""
    if scope is None:
        return []
    events = Event.objects.select_related("source", "category", "area").order_by("-occurred_on", "-id")
    if scope:
        events = events.filter(source_id__in=scope)
    return list(events[:limit])
