"""Each point to its finest area, with the boundaries in force on the event's date.

DESIGN.md decision 3: an event keeps its finest area of the main hierarchy
(UV when the municipality has loaded them, else macrosector, else comuna).
Points are assigned in bulk with `territory.locate.PolygonLocator`, one
locator per set of boundaries in force (boundaries are versioned: events of
2019 use the UVs of 2019). A point in the comuna but in no finest area gets
the comuna; a point in no comuna is flagged ``outside`` and kept.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from observatorio.territory.locate import PolygonLocator

LEVEL_ORDER = ("uv", "macrosector", "comuna")


class AreaIndex:
    """The territory's areas and boundaries, loaded once per import."""

    def __init__(self):
        from observatorio.territory.models import Area, Boundary

        self.areas = list(Area.objects.values_list("id", "code", "level"))
        levels_with_boundaries = set(Boundary.objects.values_list("area__level", flat=True).distinct())
        self.finest_level = next((lv for lv in LEVEL_ORDER if lv in levels_with_boundaries), None)
        self.has_comuna = "comuna" in levels_with_boundaries
        wanted = {lv for lv in (self.finest_level, "comuna") if lv}
        self.boundaries = [
            (b.area_id, level, b.valid_from, b.valid_to, b.shape)
            for b, level in ((b, b.area.level) for b in Boundary.objects.filter(area__level__in=wanted)
                             .select_related("area").order_by("area__code", "valid_from"))
        ]
        self._locators: dict[tuple, PolygonLocator] = {}

    @property
    def empty(self) -> bool:
        return not self.boundaries

    def _in_force(self, day: dt.date, level: str):
        return [(aid, geom) for aid, lv, start, end, geom in self.boundaries
                if lv == level and start <= day and (end is None or end > day)]

    def _locator(self, day: dt.date, level: str):
        chosen = self._in_force(day, level)
        key = (level, tuple(aid for aid, _ in chosen), tuple(id(g) for _, g in chosen))
        if key not in self._locators:
            self._locators[key] = PolygonLocator([g for _, g in chosen])
        return self._locators[key], np.asarray([aid for aid, _ in chosen], dtype=np.int64)

    def assign(self, lon: np.ndarray, lat: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(area id or -1, outside)`` per point; `days` is datetime64[D] (the event dates).

        Points with NaN coordinates get -1 and outside False.
        """
        n = len(lon)
        area = np.full(n, -1, dtype=np.int64)
        outside = np.zeros(n, dtype=bool)
        located = np.isfinite(lon) & np.isfinite(lat)
        if self.empty or not located.any():
            return area, outside
        cuts = sorted({d for _, _, start, end, _ in self.boundaries for d in (start, end) if d is not None})
        edges = np.asarray(cuts, dtype="datetime64[D]")
        day_values = np.asarray(days, dtype="datetime64[D]")
        # Undated rows never reach here (a date is required); NaT sorts last, so guard anyway.
        period = np.searchsorted(edges, np.where(np.isnat(day_values), edges[-1], day_values), side="right")
        for p in np.unique(period[located]):
            rows = np.flatnonzero(located & (period == p))
            day = cuts[p - 1] if p > 0 else cuts[0] - dt.timedelta(days=1)
            x, y = lon[rows], lat[rows]
            if self.finest_level and self.finest_level != "comuna":
                locator, ids = self._locator(day, self.finest_level)
                if len(ids):
                    hit = locator.assign(x, y)
                    area[rows[hit >= 0]] = ids[hit[hit >= 0]]
            if self.has_comuna:
                locator, ids = self._locator(day, "comuna")
                hit = locator.assign(x, y) if len(ids) else np.full(len(rows), -1)
                inside = hit >= 0
                fill = inside & (area[rows] < 0)
                area[rows[fill]] = ids[hit[fill]]
                outside[rows[~inside]] = True
        return area, outside

    def codes_to_ids(self, codes: pd.Series) -> np.ndarray:
        """Area id per code (-1 when unknown); a code used at several levels means the finest."""
        rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
        best: dict[str, tuple[int, int]] = {}
        for aid, code, level in self.areas:
            r = rank.get(level, len(LEVEL_ORDER))
            if code not in best or r < best[code][0]:
                best[code] = (r, aid)
        lookup = {code: aid for code, (_, aid) in best.items()}
        factor, uniques = pd.factorize(codes.fillna("").astype(str).str.strip())
        ids = np.asarray([lookup.get(u, -1) for u in uniques.tolist()], dtype=np.int64)
        return ids[factor] if len(factor) else np.empty(0, dtype=np.int64)

    def known_codes(self, limit: int = 12) -> list[str]:
        rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
        return [c for _, c, _ in sorted(self.areas, key=lambda a: (rank.get(a[2], 9), a[1]))][:limit]
