"""A count measure beside the official counts it is reconciled with (CEAD's monthly casos policiales).

For every count measure with a ``reference`` source (records.measures), the
measure's events counted by the dashboard's own selection
(``engine.select_in`` over the whole territory) stand beside the reference
source's `AggregateCount` rows for the territory's top area (the comuna), by
month and category, over the months the reference covers. The data-quality
page shows the totals per year and category and per month; the CSV gives
every month and category.

The demo reconciles exactly: its police events are drawn from CEAD's yearly
totals per category and split into months with the same seasonal profile
and rounding as its CEAD monthly counts (demo/events.py ``count_table``,
``cead_monthly``). A real import shows its gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext

from observatorio.analysis.periods import month_end
from observatorio.records.measures import MeasureDef
from observatorio.state import DataState

from . import engine
from .filters import filters_for

NO_CATEGORY = -1


@dataclass(frozen=True)
class Row:
    month: dt.date  # first day; for yearly rows, 1 January
    category: int  # category id, or NO_CATEGORY
    family: str
    name: str
    measure: int | None  # None: suppressed by disclosure control (observatorio.disclosure)
    official: int

    @property
    def difference(self) -> int | None:
        return None if self.measure is None else self.measure - self.official


@dataclass(frozen=True)
class Reconciliation:
    measure: MeasureDef
    reference: str  # the reference source's name
    first: dt.date
    last: dt.date  # last day covered
    detail: tuple[Row, ...]  # per month and category
    # The measure's counts disclosure control suppresses, as (table, key): ("detail", (month, category)),
    # ("month", month), ("year", (year, category)), ("family", (year, family)), ("total", year). See protect().
    hidden: frozenset = frozenset()

    def _shown(self, table: str, rows: list[Row], key) -> list[Row]:
        if not self.hidden:
            return rows
        return [replace(r, measure=None) if (table, key(r)) in self.hidden else r for r in rows]

    @cached_property
    def shown_detail(self) -> list[Row]:
        """Per month and category, as the reader may see it."""
        return self._shown("detail", list(self.detail), lambda r: (r.month, r.category))

    def _sum(self, key) -> list[Row]:
        groups: dict[tuple, list[int]] = {}
        names: dict[tuple, tuple[str, str, int]] = {}
        for r in self.detail:
            k = key(r)
            groups.setdefault(k, [0, 0])
            groups[k][0] += r.measure
            groups[k][1] += r.official
            names[k] = (r.family, r.name, r.category)
        return [Row(k[0], names[k][2], names[k][0], names[k][1], m, o) for k, (m, o) in groups.items()]

    @cached_property
    def by_year(self) -> list[Row]:
        """Per year and category, ordered by year, family and category."""
        rows = self._sum(lambda r: (dt.date(r.month.year, 1, 1), r.category))
        rows = self._shown("year", rows, lambda r: (r.month, r.category))
        return sorted(rows, key=lambda r: (r.month, r.family, r.name))

    @cached_property
    def by_year_family(self) -> list[Row]:
        """Per year and family (category NO_CATEGORY, name the family's), ordered by year and family."""
        rows = self._sum(lambda r: (dt.date(r.month.year, 1, 1), r.family))
        rows = [Row(r.month, NO_CATEGORY, r.family, r.family or r.name, r.measure, r.official) for r in rows]
        rows = self._shown("family", rows, lambda r: (r.month, r.family))
        return sorted(rows, key=lambda r: (r.month, r.family))

    @cached_property
    def years(self) -> list[Row]:
        """Per year, every category together."""
        rows = self._shown("total", self._sum(lambda r: (dt.date(r.month.year, 1, 1),)), lambda r: r.month)
        return sorted(rows, key=lambda r: r.month)

    @cached_property
    def months(self) -> list[Row]:
        """Per month, every category together."""
        return sorted(self._shown("month", self._sum(lambda r: (r.month,)), lambda r: r.month), key=lambda r: r.month)

    @cached_property
    def exact_by_year(self) -> bool:
        # Over the counts shown: a suppressed count is not said to match (that would give it back).
        return all(r.difference == 0 for r in self.by_year if r.measure is not None)

    @cached_property
    def exact_by_month(self) -> bool:
        return all(r.difference == 0 for r in self.shown_detail if r.measure is not None)


def _official(state: DataState, reference: int) -> dict[tuple[dt.date, int], int]:
    """The reference source's counts for the territory's top areas, per (month, category id)."""
    from observatorio.records.models import AggregateCount

    roots = [a for a in state.index.areas.values() if a.parent_id is None]
    rows = AggregateCount.objects.filter(source_id=reference)
    by_id = rows.filter(area_id__in=[a.id for a in roots])
    rows = by_id if by_id.exists() else rows.filter(area_code__in=[a.code for a in roots])
    out: dict[tuple[dt.date, int], int] = {}
    for start, category, n in (rows.values_list("period_start", "category_id").annotate(n=Sum("count"))
                               .order_by()):
        key = (start.replace(day=1), NO_CATEGORY if category is None else category)
        out[key] = out.get(key, 0) + int(n or 0)
    return out


def _counted(state: DataState, measure: MeasureDef, first: dt.date, last: dt.date) -> dict[tuple[dt.date, int], int]:
    """The measure's events per (month, category id) between ``first`` and ``last``, as the dashboard counts."""
    f = filters_for(state, measure=measure.code, start=first, end=last)
    window, mask = engine.select_in(state, f)
    snap = state.events
    days = snap.day[window] if mask is None else snap.day[window][mask]
    categories = snap.category[window] if mask is None else snap.category[window][mask]
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    keys, counts = np.unique(np.rec.fromarrays([months.astype(np.int64), categories.astype(np.int64)]),
                             return_counts=True)
    out = {}
    for (month, category), n in zip(keys.tolist(), counts.tolist()):
        start = np.datetime64(int(month), "M").astype("datetime64[D]").astype(dt.date)
        out[(start, NO_CATEGORY if category < 0 else int(category))] = int(n)
    return out


def reconcile(state: DataState, measure: MeasureDef) -> Reconciliation | None:
    """The measure beside its reference counts (None: no reference, or the reference has no counts here)."""
    if measure.reference is None or not measure.is_count:
        return None
    official = _official(state, measure.reference)
    if not official:
        return None
    first = min(m for m, _c in official)
    last_month = max(m for m, _c in official)
    last = month_end(last_month.year, last_month.month)
    counted = _counted(state, measure, first, last) if state.events.size else {}
    taxonomy = engine.taxonomy(state)
    unnamed = gettext("sin categoría")

    def names(category: int) -> tuple[str, str]:
        if category == NO_CATEGORY:
            return "", unnamed
        family = taxonomy.category_family.get(category, category)
        return taxonomy.family_name.get(family, ""), taxonomy.category_name.get(category, str(category))

    detail = []
    for month, category in sorted(set(official) | set(counted)):
        family, name = names(category)
        detail.append(Row(month, category, family, name, counted.get((month, category), 0),
                          official.get((month, category), 0)))
    return Reconciliation(measure, state.catalog.source_name(measure.reference), first, last, tuple(detail))


def reconciliations(state: DataState, scope=()) -> list[Reconciliation]:
    """One per count measure whose reference counts are loaded (not kept: the counts are read each time, as the
    rest of the page's aggregate figures); through disclosure control for a reader (``scope``: their
    event_scope) aggregate-only for the measure."""
    from observatorio.disclosure.policy import guard_for

    found = [reconcile(state, m) for m in state.catalog.count_measures]
    out = []
    for rec in found:
        if rec is None:
            continue
        guard = guard_for(scope, rec.measure, state.catalog)
        out.append(rec if guard is None else protect(rec, guard.k))
    return out


def protect(rec: Reconciliation, k: int) -> Reconciliation:
    """The measure's counts of every table the page and its CSV publish, suppressed together (one linked
    table: a month is the sum of its categories, a year's category the sum of its months, a year's family the
    sum of its categories, a year the sum of its families and of its months); the official counts are public."""
    from observatorio.disclosure.suppress import suppress

    cells: dict[tuple, int] = {}
    members: dict[tuple, list[tuple]] = {}

    def add(key: tuple, part: tuple | None, value: int) -> None:
        cells[key] = cells.get(key, 0) + value
        if part is not None:
            members.setdefault(key, []).append(part)

    for r in rec.detail:
        year = dt.date(r.month.year, 1, 1)
        cell = ("detail", (r.month, r.category))
        cells[cell] = r.measure
        add(("month", r.month), cell, r.measure)
        add(("year", (year, r.category)), cell, r.measure)
    family_of = {r.category: r.family for r in rec.detail}
    for key in [c for c in cells if c[0] == "year"]:
        year, category = key[1]
        family = family_of[category]
        cells.setdefault(("family", (year, family)), 0)
        cells[("family", (year, family))] += cells[key]
        members.setdefault(("family", (year, family)), []).append(key)
    for key in [c for c in cells if c[0] == "family"]:
        add(("total", key[1][0]), key, cells[key])
    for key in [c for c in cells if c[0] == "month"]:
        members.setdefault(("total-months", dt.date(key[1].year, 1, 1)), []).append(key)
    keys = list(cells)
    position = {key: i for i, key in enumerate(keys)}
    equations = [(position[total], [position[m] for m in parts]) for total, parts in members.items()
                 if total[0] != "total-months"]
    equations += [(position[("total", year)], [position[m] for m in parts])
                  for (_t, year), parts in members.items() if _t == "total-months"]
    hidden = suppress([cells[key] for key in keys], equations, k)
    return replace(rec, hidden=frozenset(key for key, h in zip(keys, hidden) if h))
