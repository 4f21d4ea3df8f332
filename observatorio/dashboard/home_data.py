"""Headline figures and map data for the home page.

The reference date ("as of") is the latest event in the database, not the
clock: a cut of data shows the same page whenever it is opened, and the demo
data never looks stale.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from observatorio.accounts.roles import EVENT_LEVEL_ROLES, Role, user_roles
from observatorio.records.models import Event, Source
from observatorio.territory.models import Area, Boundary, Demography, Level

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


def latest_event_date() -> dt.date | None:
    return Event.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first()


def headline(as_of: dt.date) -> Headline:
    """Events by source in the last ``WINDOW_DAYS`` days up to ``as_of`` and in the window before."""
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    previous_start = window_start - dt.timedelta(days=WINDOW_DAYS)
    previous_end = window_start - dt.timedelta(days=1)
    rows = (Event.objects.filter(occurred_on__gte=previous_start, occurred_on__lte=as_of)
            .values("source_id", "occurred_on").annotate(n=Count("id")))
    current, previous = Counter(), Counter()
    for row in rows:
        (current if row["occurred_on"] >= window_start else previous)[row["source_id"]] += row["n"]
    sources = Source.objects.filter(id__in=set(current) | set(previous)).order_by("name")
    by_source = [SourceCount(s.code, s.name, current[s.id], previous[s.id]) for s in sources]
    by_source.sort(key=lambda s: (-s.current, s.name))
    population, year = _population(as_of.year)
    return Headline(as_of, window_start, previous_start, previous_end, by_source, areas_by_level(), population, year)


def areas_by_level() -> dict[str, int]:
    counts = dict(Area.objects.values_list("level").annotate(n=Count("id")).order_by())
    return {level.value: counts[level.value] for level in Level if counts.get(level.value)}


def _population(year: int) -> tuple[int | None, int | None]:
    """Population of the comunas in force for ``year`` (their own figure, else the sum of their UVs)."""
    for level in (Level.COMUNA, Level.UV):
        areas = list(Area.objects.filter(level=level))
        if not areas:
            continue
        rows = Demography.objects.filter(area__in=areas)
        # Per area: that year's figure or the closest earlier one, else the closest later one.
        best: dict[int, Demography] = {}
        for row in rows:
            kept = best.get(row.area_id)
            if kept is None or _closer(row.year, kept.year, year):
                best[row.area_id] = row
        if best:
            return sum(row.population for row in best.values()), max(row.year for row in best.values())
    return None, None


def _closer(candidate: int, kept: int, year: int) -> bool:
    def rank(y):
        return (0, year - y) if y <= year else (1, y - year)

    return rank(candidate) < rank(kept)


def map_areas(as_of: dt.date | None) -> list[MapArea]:
    """Comuna, macrosectors and UVs with the boundary in force on ``as_of``; UVs carry their 12-month count."""
    day = as_of or dt.date.today()
    boundaries = (Boundary.in_force(day).filter(area__level__in=[lv.value for lv in MAP_LEVELS])
                  .select_related("area").order_by("area__level", "area__code"))
    uv_counts = _uv_counts(as_of) if as_of else {}
    areas = []
    for b in boundaries:
        count = uv_counts.get(b.area_id, 0) if b.area.level == Level.UV and as_of else None
        areas.append(MapArea(b.area.code, b.area.name, b.area.level, b.shape, count))
    return areas


def _uv_counts(as_of: dt.date) -> dict[int, int]:
    """Events of the last ``MAP_DAYS`` days per UV, rolling finer areas (e.g. census zones) up to their UV."""
    since = as_of - dt.timedelta(days=MAP_DAYS - 1)
    per_area = (Event.objects.filter(occurred_on__gte=since, occurred_on__lte=as_of, area__isnull=False)
                .values_list("area_id").annotate(n=Count("id")).order_by())
    parent = dict(Area.objects.values_list("id", "parent_id"))
    level = dict(Area.objects.values_list("id", "level"))
    counts: Counter = Counter()
    for area_id, n in per_area:
        node, hops = area_id, 0
        while node is not None and level.get(node) != Level.UV and hops < 10:
            node, hops = parent.get(node), hops + 1
        if node is not None and level.get(node) == Level.UV:
            counts[node] += n
    return dict(counts)


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
