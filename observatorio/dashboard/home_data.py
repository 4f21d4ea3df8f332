"""Headline figures and map data for the home page, from the data state.

The reference date ("as of") is the latest event (``DataState.as_of``), not
the clock: a cut of data shows the same page whenever it is opened, and the
demo data never looks stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from observatorio.accounts.roles import EVENT_LEVEL_ROLES, Role, user_roles
from observatorio.records.models import Event
from observatorio.records.snapshot import day_number
from observatorio.state import DataState
from observatorio.territory.models import Boundary, Level

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


def map_areas(state: DataState, as_of: dt.date | None) -> list[MapArea]:
    """Comuna, macrosectors and UVs with the boundary in force on ``as_of``; UVs carry their 12-month count."""
    day = as_of or dt.date.today()
    boundaries = (Boundary.in_force(day).filter(area__level__in=[lv.value for lv in MAP_LEVELS])
                  .select_related("area").order_by("area__level", "area__code"))
    uv_counts = _uv_counts(state, as_of) if as_of else {}
    areas = []
    for b in boundaries:
        count = uv_counts.get(b.area_id, 0) if b.area.level == Level.UV and as_of else None
        areas.append(MapArea(b.area.code, b.area.name, b.area.level, b.shape, count))
    return areas


def _uv_counts(state: DataState, as_of: dt.date) -> dict[int, int]:
    """Events of the last ``MAP_DAYS`` days per UV, rolling finer areas (e.g. census zones) up to their UV."""
    events, index = state.events, state.index
    if Level.UV not in index.ancestor:
        return {}
    window = events.window(day_number(as_of - dt.timedelta(days=MAP_DAYS - 1)), day_number(as_of))
    uv = index.lift(events.area[window], Level.UV)
    counts = np.bincount(uv[uv >= 0])
    return {int(a): int(counts[a]) for a in np.flatnonzero(counts)}


def recent_events(user, limit: int = 8) -> list[Event]:
    """The latest events the user may see one by one: none for authorities, own sources for operators."""
    roles = user_roles(user)
    if not roles & set(EVENT_LEVEL_ROLES):
        return []
    events = Event.objects.select_related("source", "category", "area").order_by("-occurred_on", "-id")
    if not roles & {Role.ADMIN, Role.ANALYST}:
        scope = getattr(user, "operator_scope", None)
        events = events.filter(source__in=scope.sources.all()) if scope else events.none()
    return list(events[:limit])
