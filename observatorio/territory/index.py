"""An in-memory index of the territory for fast lookups over event arrays.

Events keep only their finest area (docs/decisions.md #3); dashboards need the
macrosector or comuna of millions of events at once. The index holds, per
level, a lookup table from any area id to its ancestor (or itself) at that
level, so ``lut[event_area]`` answers for all events in one NumPy gather.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models import Area, Boundary, Demography


@dataclass(frozen=True)
class AreaInfo:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    illustrative: bool


@dataclass(frozen=True)
class TerritoryIndex:
    areas: dict[int, AreaInfo]
    ancestor: dict[str, np.ndarray]  # level → LUT (size max_id + 2; index -1 maps to -1)
    population: dict[int, dict[int, int]] = field(default_factory=dict)  # area id → {year: population}
    # (boundary id, area id, valid from, valid to) of every boundary, by area then start: which one is in force
    # on a day is then known without a query.
    boundaries: tuple = ()
    # ids_at's answers: every dashboard request asks for one level's areas.
    _ids_at: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)
    _children: dict = field(default_factory=dict, compare=False, repr=False)  # "map": parent id → child ids

    def boundaries_in_force(self, day) -> dict[int, int]:
        """Area id → id of its boundary in force on ``day`` (``Boundary.in_force``; the latest start wins)."""
        return {area_id: bid for bid, area_id, start, end in self.boundaries
                if start <= day and (end is None or end > day)}

    def ids_at(self, level: str) -> list[int]:
        held = self._ids_at.get(level)
        if held is None:
            held = tuple(sorted((a.id for a in self.areas.values() if a.level == level),
                                key=lambda i: self.areas[i].code))
            self._ids_at[level] = held
        return list(held)

    def levels(self) -> list[str]:
        return sorted({a.level for a in self.areas.values()})

    def lift(self, area_ids: np.ndarray, level: str) -> np.ndarray:
        """Ancestor-or-self at ``level`` of each area id (-1 stays -1, and so does an area with none)."""
        lut = self.ancestor.get(level)
        if lut is None:
            raise ValueError(f"no areas of level {level!r}; levels present: {', '.join(self.levels()) or 'none'}")
        return lut[np.asarray(area_ids)]

    def population_in(self, area_id: int, year: int) -> int | None:
        """The population in force for ``year``: that year's, else the closest earlier, else the closest later."""
        found = self.population_year(area_id, year)
        return None if found is None else self.population[area_id][found]

    def population_year(self, area_id: int, year: int) -> int | None:
        """The year of the population in force for ``year`` (see :meth:`population_in`); None without one."""
        by_year = self.population.get(area_id)
        if not by_year:
            return None
        earlier = [y for y in by_year if y <= year]
        return max(earlier) if earlier else min(by_year)

    def descendants_or_self(self, area_id: int) -> set[int]:
        out, frontier = {area_id}, [area_id]
        children = self._children.get("map")
        if children is None:
            children = {}
            for a in self.areas.values():
                if a.parent_id is not None:
                    children.setdefault(a.parent_id, []).append(a.id)
            self._children["map"] = children  # one assignment: another thread sees all of it or none
        while frontier:
            nxt = [c for p in frontier for c in children.get(p, ())]
            out.update(nxt)
            frontier = nxt
        return out


def build_index() -> TerritoryIndex:
    """The index of the areas, boundaries and demography as the database holds them now."""
    areas = {
        row[0]: AreaInfo(*row)
        for row in Area.objects.values_list("id", "code", "name", "level", "parent_id", "illustrative")
    }
    size = (max(areas) if areas else 0) + 2  # the last slot answers for the id -1
    ancestor: dict[str, np.ndarray] = {}
    for level in {a.level for a in areas.values()}:
        lut = np.full(size, -1, dtype=np.int64)
        for area in areas.values():
            node = area
            while node is not None and node.level != level:
                node = areas.get(node.parent_id) if node.parent_id is not None else None
            if node is not None:
                lut[area.id] = node.id
        ancestor[level] = lut
    population: dict[int, dict[int, int]] = {}
    for area_id, year, pop in Demography.objects.values_list("area_id", "year", "population"):
        population.setdefault(area_id, {})[year] = pop
    boundaries = tuple(Boundary.objects.order_by("area", "valid_from")
                       .values_list("id", "area_id", "valid_from", "valid_to"))
    return TerritoryIndex(areas=areas, ancestor=ancestor, population=population, boundaries=boundaries)
