"""Which events a measure leaves out because they describe an incident another of its sources already counts.

A measure that combines sources (:mod:`observatorio.records.measures`) keeps
every event of its primary source and leaves out an event of another source
when it is linked to one of them:

* by a shared identifier: the event's attribute ``link_attribute`` holds the
  primary event's identifier of origin (a Fiscalía report naming its police
  case's number);
* by proximity: a primary event of the same category lies within
  ``link_metres`` and ``link_hours`` (events without coordinates, or without
  a category, are never linked this way; an event without a time of day is
  taken at noon).

Measures with one source, or with sources declared disjoint, leave nothing out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .measures import MeasureDef
from .models import Combine, Event
from .snapshot import EventSnapshot

NOON = 12 * 60


@dataclass(frozen=True)
class LinkSummary:
    secondary: int  # events of the measure's other sources
    linked: int  # of those, left out as linked to a primary event

    @property
    def share(self) -> float | None:
        return self.linked / self.secondary if self.secondary else None


def _other_sources(measure: MeasureDef) -> np.ndarray:
    return np.asarray([s for s in measure.sources if s != measure.primary], dtype=np.int64)


def linked_rows(snap: EventSnapshot, measure: MeasureDef) -> np.ndarray | None:
    """Per snapshot row, whether the measure leaves it out as linked; None when it leaves nothing out."""
    if not measure.links or snap.size == 0:
        return None
    others = _other_sources(measure)
    if measure.combine == Combine.SHARED_ID:
        return _by_identifier(snap, measure, others)
    return _by_proximity(snap, measure, np.isin(snap.source, others))


def summary(snap: EventSnapshot, measure: MeasureDef, linked: np.ndarray | None) -> LinkSummary:
    if not measure.links:
        return LinkSummary(0, 0)
    secondary = int(np.count_nonzero(np.isin(snap.source, _other_sources(measure))))
    return LinkSummary(secondary, 0 if linked is None else int(np.count_nonzero(linked)))


def _by_identifier(snap: EventSnapshot, measure: MeasureDef, others: np.ndarray) -> np.ndarray:
    primary_ids = set(Event.objects.filter(source_id=measure.primary).exclude(external_id="")
                      .values_list("external_id", flat=True).iterator(chunk_size=50_000))
    key = f"attributes__{measure.link_attribute}"
    linked_ids = [
        i for i, value in Event.objects.filter(source_id__in=others.tolist()).values_list("id", key)
        .iterator(chunk_size=50_000)
        if value is not None and str(value).strip() in primary_ids
    ]
    return np.isin(snap.id, np.asarray(linked_ids, dtype=snap.id.dtype))


def _by_proximity(snap: EventSnapshot, measure: MeasureDef, secondary: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    from observatorio.analysis.projection import to_metres

    out = np.zeros(snap.size, dtype=bool)
    located = np.isfinite(snap.lon) & np.isfinite(snap.lat) & (snap.category >= 0)
    primary = located & (snap.source == measure.primary)
    candidates = located & secondary
    if not primary.any() or not candidates.any():
        return out
    rows = np.flatnonzero(primary | candidates)
    x, y, _epsg = to_metres(snap.lon[rows], snap.lat[rows])
    minutes = snap.day[rows].astype(np.float64) * 1440 + np.where(snap.minute[rows] >= 0, snap.minute[rows], NOON)
    # Scaled so that the tolerances are 1 in every axis: a box query (p = inf) finds the candidates, then the
    # distance on the ground is checked exactly.
    points = np.column_stack([x / measure.link_metres, y / measure.link_metres,
                              minutes / (60.0 * measure.link_hours)])
    is_primary = primary[rows]
    category = snap.category[rows]
    for cat in np.unique(category[~is_primary]):
        here_p = np.flatnonzero(is_primary & (category == cat))
        here_s = np.flatnonzero(~is_primary & (category == cat))
        if here_p.size == 0:
            continue
        tree = cKDTree(points[here_p])
        for k, near in zip(here_s, tree.query_ball_point(points[here_s], r=1.0, p=np.inf)):
            if near:
                dx = points[here_p[near], 0] - points[k, 0]
                dy = points[here_p[near], 1] - points[k, 1]
                if np.any(dx * dx + dy * dy <= 1.0 + 1e-12):
                    out[rows[k]] = True
    return out
