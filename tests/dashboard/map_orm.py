"""What the map's layers count, computed independently with the ORM: the measure's events under the filters.

The measure's sources and categories are read from the ``Measure`` rows (not the data state's catalog), areas
are walked through ``Area.parent``, the hour filter is written on ``occurred_time`` and the weekday filter
on ``occurred_on``'s week day, so nothing here shares code with the engine the layers use.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Q

from observatorio.analysis.projection import to_metres

EPSG = 32719  # UTM 19S: Peñalolén


def measure_row(code: str) -> dict:
    from observatorio.records.models import Measure

    m = Measure.objects.get(code=code)
    return {"code": m.code, "name": m.name, "unit": m.unit}


def _below(area_ids) -> set[int]:
    """The areas and every area under them, through Area.parent."""
    from observatorio.territory.models import Area

    found, frontier = set(area_ids), set(area_ids)
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def events(code: str, start: dt.date, end: dt.date, *, categories=(), areas=(), hours=None, weekdays=()):
    """The measure's events in [start, end] under the filters (categories by code, areas by id, hours as
    (from, to) with to exclusive and across midnight when to <= from, weekdays 0 = Monday)."""
    from observatorio.records.models import Category, Event, Measure

    m = Measure.objects.get(code=code)
    q = Event.objects.filter(source__in=m.sources.all(), occurred_on__gte=start, occurred_on__lte=end)
    own = set(m.categories.values_list("id", flat=True))
    own |= set(Category.objects.filter(parent_id__in=own).values_list("id", flat=True))
    if own:
        q = q.filter(category_id__in=own)
    if categories:
        q = q.filter(category__code__in=categories)
    if areas:
        q = q.filter(area_id__in=_below(areas))
    if hours is not None:
        start_h, stop_h = hours
        if stop_h > start_h:
            q = q.filter(occurred_time__hour__gte=start_h, occurred_time__hour__lt=stop_h)
        else:
            q = q.filter(Q(occurred_time__hour__gte=start_h) | Q(occurred_time__hour__lt=stop_h))
    if weekdays:
        # Django's week_day: 1 Sunday … 7 Saturday; ours: 0 Monday … 6 Sunday.
        q = q.filter(occurred_on__week_day__in=[(d + 1) % 7 + 1 for d in weekdays])
    return q


def metres(q) -> tuple[np.ndarray, np.ndarray]:
    """Projected coordinates of the located events of ``q`` inside the comuna."""
    pts = np.array(list(q.filter(lon__isnull=False, outside=False).values_list("lon", "lat")), float).reshape(-1, 2)
    x, y, _epsg = to_metres(pts[:, 0], pts[:, 1], EPSG)
    return x, y


def in_study_area(q, grid, mask) -> int:
    """Events of ``q`` in the cells of ``grid`` the mask keeps: what a Gi* on that grid rests on."""
    x, y = metres(q)
    return int(grid.counts(x, y)[mask].sum())


def per_area(q, ids: list[int]) -> dict[int, int]:
    """Events of ``q`` per area of ``ids`` (an event counts for the area of ``ids`` it lies in or under)."""
    from observatorio.territory.models import Area

    parent = dict(Area.objects.values_list("id", "parent_id"))
    out = dict.fromkeys(ids, 0)
    for area_id in q.filter(area__isnull=False).values_list("area_id", flat=True):
        node = area_id
        while node is not None and node not in out:
            node = parent.get(node)
        if node is not None:
            out[node] += 1
    return out
