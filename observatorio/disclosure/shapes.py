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


def area_hidden(counts, unplaced: int, total: int, g: Guard) -> tuple[np.ndarray, bool]:
    """Which of an area level's counts are suppressed (the areas in the level's order, zeros included), and
    whether the events placed in no area are: one answer for the dashboard's table, the map and the home."""
    hidden, extra, _total = suppress.list_with_total(np.asarray(counts, dtype=np.int64), g.k, extra=[unplaced],
                                                     total=total)
    return hidden, bool(extra[0])


def areas(t: engine.AreaTable, g: Guard, total: int) -> engine.AreaTable:
    hidden, unplaced_hidden = area_hidden([r.count for r in t.rows], t.unplaced, total, g)
    rows = [replace(r, count=None, rate=None, eb_rate=None) if hid else r for r, hid in zip(t.rows, hidden)]
    return replace(t, rows=rows, unplaced=None if unplaced_hidden else t.unplaced)


def changes(t: engine.AreaChanges, g: Guard, now_total: int, before_total: int) -> engine.AreaChanges:
    now, now_out = area_hidden([r.count for r in t.rows], t.unplaced, now_total, g)
    then, then_out = area_hidden([r.before for r in t.rows], t.unplaced_before, before_total, g)
    rows = []
    for r, a, b in zip(t.rows, now, then):
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
