"""Impact of a place-based programme: the Weighted Displacement Difference (issue #15, item 7).

Treatment area T = the union of the programme's target areas; displacement buffer D = the ring of ``buffer_m``
metres (400 by default) around T; control C = the rest of the comuna outside T and D (or the union of chosen
control areas, less T and D). Before and after are windows of equal length on either side of the programme's
start (``days``: at most a year, and no longer than the data after the start). The counts are the chosen
measure's events with a point, from the data state (the dashboard's own selection, :func:`engine.select_in`);
events placed only by area cannot be told inside or outside a ring and are left out (``unplaced``).

WDD = ΔT − ΔC + ΔD − ΔC (the same control for T and for D), its standard error and interval from
:func:`observatorio.analysis.wdd.wdd` (Wheeler & Ratcliffe 2018). Negative: fewer events than the control's
trend predicts, displacement included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from observatorio.analysis.wdd import WDD, wdd

BUFFER_M = 400.0
MAX_DAYS = 365


@dataclass(frozen=True)
class Impact:
    programme_id: int
    measure: str
    buffer_m: float
    before: tuple[dt.date, dt.date]
    after: tuple[dt.date, dt.date]
    treated: tuple[int, int]  # (before, after)
    displacement: tuple[int, int]
    control: tuple[int, int]
    unplaced: int
    result: WDD

    def words(self) -> str:
        from django.utils.translation import gettext as _

        from observatorio.dashboard.numbers import number

        r = self.result
        if r.p_value < 0.05:
            verdict = _("menos eventos que lo esperable según el control") if r.estimate < 0 else \
                _("más eventos que lo esperable según el control")
        else:
            verdict = _("sin diferencia significativa con el control")
        return _("Diferencia de desplazamiento ponderada: %(wdd)s eventos (IC 95 %%: %(lo)s a %(hi)s; p = %(p)s): "
                 "%(verdict)s.") % {"wdd": number(r.estimate, 1), "lo": number(r.lower, 1),
                                     "hi": number(r.upper, 1), "p": f"{r.p_value:.3g}".replace(".", ","),
                                     "verdict": verdict}


def windows(start: dt.date, last_day: dt.date, days: int | None = None) -> tuple[tuple, tuple]:
    """Before = the ``days`` days before ``start``; after = ``days`` days from ``start``; ``days`` at most a
    year and no more than the data after the start."""
    from observatorio.errors import UserError

    available = (last_day - start).days + 1
    if available < 1:
        raise UserError(f"El programa comienza el {start:%d-%m-%Y}, después del último dato "
                        f"({last_day:%d-%m-%Y}): aún no hay un «después» que evaluar.")
    days = min(days or MAX_DAYS, MAX_DAYS, available)
    return ((start - dt.timedelta(days=days), start - dt.timedelta(days=1)),
            (start, start + dt.timedelta(days=days - 1)))


def zones(treatment, outline, buffer_m: float = BUFFER_M, control=None):
    """(T, D, C) in metres: the treatment, the ring of ``buffer_m`` around it, and the control (``control`` or
    the ``outline``) less both."""
    ring = treatment.buffer(buffer_m).difference(treatment)
    rest = (control if control is not None else outline).difference(treatment.buffer(buffer_m))
    return treatment, ring, rest


def zone_counts(x, y, after, shapes) -> list[tuple[int, int]]:
    """(before, after) counts of the points (x, y metres; ``after``: bool per point) inside each shape."""
    x, y, after = np.asarray(x, float), np.asarray(y, float), np.asarray(after, bool)
    out = []
    for shape in shapes:
        inside = shapely.contains_xy(shape, x, y) if x.size and not shape.is_empty else np.zeros(x.size, bool)
        out.append((int((inside & ~after).sum()), int((inside & after).sum())))
    return out


def programme_impact(programme, *, measure: str = "casos-policiales", buffer_m: float = BUFFER_M,
                     days: int | None = None, control_areas=None, state=None) -> Impact | None:
    """The WDD of a place-based programme with target areas; None when it is not one, or without boundaries."""
    from observatorio.analysis.projection import to_metres
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.layers.base import territory
    from observatorio.state import holder

    if not programme.place_based:
        return None
    targets = set(programme.target_areas.values_list("id", flat=True))
    if not targets:
        return None
    state = state or holder.current()
    before, after = windows(programme.start, state.as_of, days)
    terr = territory(state, after[1])
    if terr is None:
        return None
    shapes = {s.id: s.metric for level in terr.shapes.values() for s in level}
    treated_shape = shapely.union_all([shapes[i] for i in targets if i in shapes])
    control = None
    if control_areas:
        control = shapely.union_all([shapes[a.id if hasattr(a, "id") else a] for a in control_areas])
    t_shape, d_shape, c_shape = zones(treated_shape, terr.outline, buffer_m, control)
    f = filters_for(state, measure=measure, start=before[0], end=after[1])
    window, mask = engine.select_in(state, f)
    snap = state.events
    lon, lat = engine._take(snap, "lon", window, mask), engine._take(snap, "lat", window, mask)
    day = engine._take(snap, "day", window, mask)
    has = np.isfinite(lon) & np.isfinite(lat)
    x, y = to_metres(lon[has], lat[has], terr.epsg)[:2]
    from observatorio.records.snapshot import day_number

    is_after = day[has] >= day_number(after[0])
    t, d, c = zone_counts(x, y, is_after, (t_shape, d_shape, c_shape))
    return Impact(programme.pk, measure, buffer_m, before, after, t, d, c, int((~has).sum()),
                  wdd(t, c, d, c))


def programme_starts(start: dt.date, end: dt.date, areas=(), index=None) -> list[dict]:
    """Programmes starting in [start, end] as the dashboard's trend chart marks them: ``{date, label}``. With
    ``areas`` chosen (ids; ``index`` the territory index), only the programmes whose target areas lie inside,
    contain or are those areas, and the comuna-wide ones (no target area)."""
    from .models import Programme

    wanted: set[int] = set()
    for area_id in areas:
        wanted |= index.descendants_or_self(area_id)
        parent = index.areas[area_id].parent_id if area_id in index.areas else None
        while parent is not None:
            wanted.add(parent)
            parent = index.areas[parent].parent_id if parent in index.areas else None
    out = []
    for p in Programme.objects.filter(start__gte=start, start__lte=end).prefetch_related("target_areas") \
            .order_by("start", "name"):
        targets = {a.id for a in p.target_areas.all()}
        if areas and targets and not targets & wanted:
            continue
        out.append({"date": p.start.isoformat(), "label": p.name})
    return out
