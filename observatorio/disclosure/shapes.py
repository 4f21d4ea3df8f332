"""The dashboard's shapes with their small counts suppressed: a suppressed count becomes None.

Each function takes an engine answer and a :class:`~.policy.Guard` and returns the same shape with None
where a count (and whatever would give it back: a rate, a change, a p-value) is suppressed. The tables are
protected against the totals they are published with: the headline count (categories and families together,
areas with the events placed in none, trend bins, the hour × weekday table with its margins and the events
without a time of day) and, for the change table, the compared window's count too. Nothing here counts:
the engine did; this only hides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from observatorio.analysis.compare import Verdict
from observatorio.dashboard import engine

from . import suppress
from .policy import Guard


def small(n, k: int) -> bool:
    return n is not None and 1 <= int(n) < k


def headline(h: engine.Headline, g: Guard) -> engine.Headline:
    """The window's count and its comparisons; a comparison with either side hidden says neither its change
    nor its p-value (both give the hidden count back)."""
    count = None if small(h.count, g.k) else h.count

    def comparison(c: engine.Comparison) -> engine.Comparison:
        other = None if small(c.count, g.k) else c.count
        if count is None or other is None:
            return replace(c, count=other, change=None, pct_change=None, p_value=None, events=None,
                           verdict=Verdict.NO_CHANGE)
        return c

    hidden = count is None
    return replace(h, count=count, per_day=None if hidden else h.per_day, rate=None if hidden else h.rate,
                   previous=comparison(h.previous), last_year=comparison(h.last_year))


def _with_none(values, hidden) -> list:
    return [None if hid else int(v) for v, hid in zip(values, hidden)]


def trend(t: engine.Trend, g: Guard, total: int) -> engine.Trend:
    hidden, _extra, _total = suppress.list_with_total(t.counts, g.k, total=total)
    return replace(t, counts=np.array(_with_none(t.counts, hidden), dtype=object))


def breakdowns(cats: engine.Breakdown, fams: engine.Breakdown, family_of: dict[int, int], g: Guard,
               total: int) -> tuple[engine.Breakdown, engine.Breakdown]:
    """Categories and families protected together: a family is the sum of its categories, so neither list
    may be subtracted from the other."""
    fam_ids = sorted({family_of.get(c, -1) if c >= 0 else -1 for c in cats.ids})
    position = {f: i for i, f in enumerate(fam_ids)}
    parent = [position[family_of.get(c, -1) if c >= 0 else -1] for c in cats.ids]
    cat_hidden, fam_hidden = suppress.nested(parent, cats.counts, g.k, total=total)
    hidden_fam = {f for f, hid in zip(fam_ids, fam_hidden) if hid}
    return (replace(cats, counts=_with_none(cats.counts, cat_hidden)),
            replace(fams, counts=[None if i in hidden_fam else c for i, c in zip(fams.ids, fams.counts)]))


@dataclass(frozen=True)
class Hours:
    """The hour × weekday table as shown: counts (None: suppressed) and its margins."""

    matrix: list  # 7 lists of 24
    without_time: int | None
    weekday_totals: list
    hour_totals: list
    total: int | None


def hours(hw: engine.HourWeekday, g: Guard | None) -> Hours:
    m = np.rint(hw.matrix).astype(np.int64)
    rows, cols, grand = m.sum(axis=1), m.sum(axis=0), int(m.sum())
    if g is None:
        return Hours(m.tolist(), hw.without_time, rows.tolist(), cols.tolist(), grand)
    masks = suppress.grid_with_margins(m, g.k, outside=hw.without_time)
    return Hours([_with_none(r, h) for r, h in zip(m, masks["cells"])],
                 None if masks["outside"] else hw.without_time, _with_none(rows, masks["rows"]),
                 _with_none(cols, masks["columns"]), None if masks["total"] else grand)


# Area levels published as one hierarchy (parent first): each macrosector is the margin of its UVs.
NESTED_LEVELS = ("macrosector", "uv")


def area_hidden(state, f, level: str, g: Guard) -> tuple[np.ndarray, bool]:
    """Which of ``level``'s counts are suppressed (its areas in ``index.ids_at(level)`` order, zeros included)
    and whether the events placed in no area of it are: one answer for the dashboard's table, the map, the
    area profiles and the home, for the selection ``f``.

    Against the headline (public) always. The macrosector and UV tables of the same selection are protected
    together, as one hierarchy, whichever of them is asked for: each macrosector with its UVs is a line, so
    no suppressed UV follows from its macrosector minus the UVs shown, whether the two tables come in one
    answer or in two (the same selection always gets the same cells suppressed)."""
    index = state.index
    total = engine.headline(state, f).count
    counts, unplaced = engine.area_counts(state, f, level)
    ids = np.asarray(index.ids_at(level), dtype=np.int64)
    if level not in NESTED_LEVELS or not all(index.ids_at(lv) for lv in NESTED_LEVELS):
        hidden, extra, _total = suppress.list_with_total(counts[ids], g.k, extra=[unplaced], total=total)
        return hidden, bool(extra[0])
    upper, lower = NESTED_LEVELS
    up_ids, low_ids = (np.asarray(index.ids_at(lv), dtype=np.int64) for lv in NESTED_LEVELS)
    up_counts, up_out = (counts, unplaced) if level == upper else engine.area_counts(state, f, upper)
    low_counts, low_out = (counts, unplaced) if level == lower else engine.area_counts(state, f, lower)
    position = np.full(max(index.areas, default=0) + 2, -1, dtype=np.int64)
    position[up_ids] = np.arange(up_ids.size)
    parent_of = position[index.lift(low_ids, upper)]  # −1 (no macrosector) stays −1
    low_hidden, low_out_hidden, up_hidden, up_out_hidden = suppress.hierarchy(
        parent_of, low_counts[low_ids], up_counts[up_ids], g.k, children_out=low_out, parents_out=up_out,
        total=total)
    return (up_hidden, up_out_hidden) if level == upper else (low_hidden, low_out_hidden)


def _by_id(state, f, level: str, g: Guard) -> tuple[dict[int, bool], bool]:
    hidden, out = area_hidden(state, f, level, g)
    return dict(zip(state.index.ids_at(level), hidden.tolist())), out


def areas(t: engine.AreaTable, g: Guard, state, f) -> engine.AreaTable:
    hidden, unplaced_hidden = _by_id(state, f, t.level, g)
    rows = [replace(r, count=None, rate=None, eb_rate=None) if hidden.get(r.id) else r for r in t.rows]
    return replace(t, rows=rows, unplaced=None if unplaced_hidden else t.unplaced)


def changes(t: engine.AreaChanges, g: Guard, state, f, before) -> engine.AreaChanges:
    """The change table: each window's counts protected as that window's area table is (``before``: the
    compared window's filters)."""
    now, now_out = _by_id(state, f, t.level, g)
    then, then_out = _by_id(state, before, t.level, g)
    rows = []
    for r in t.rows:
        a, b = now.get(r.id, False), then.get(r.id, False)
        if a or b:
            r = replace(r, count=None if a else r.count, before=None if b else r.before, change=None,
                        pct_change=None, p_value=None, q_value=None, events=None,
                        verdict=Verdict.NO_CHANGE)
        rows.append(r)
    return replace(t, rows=rows, unplaced=None if now_out else t.unplaced,
                   unplaced_before=None if then_out else t.unplaced_before)


def link_summary(summary, g: Guard | None):
    """A combining measure's linked events (all time, the whole territory): for a guard, left out when the
    events of the other sources, the linked ones or the rest are 1..k−1."""
    if g is None or summary is None:
        return summary
    parts = (summary.secondary, summary.linked, summary.secondary - summary.linked)
    return None if any(small(n, g.k) for n in parts) else summary
