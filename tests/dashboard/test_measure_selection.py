"""The engine counts one measure: its sources and categories, the time-of-day and weekday filters, linked events.

A synthetic snapshot (no database) is selected two ways: by the engine's
look-up tables (``engine.select_in``, and the cube where it can answer) and by
:func:`filters.event_mask`, written plainly with ``np.isin`` and Python's
``date.weekday()``. Then on the database: the filters take the default
measure, narrow categories, refuse unknown measures, and the data state moves
when a measure is edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from django.http import QueryDict

from observatorio.dashboard import engine, filters
from observatorio.dashboard.filters import Filters, event_mask
from observatorio.records.measures import MeasureDef
from observatorio.records.models import Combine, MeasureKind
from observatorio.records.snapshot import EventSnapshot, day_number
from observatorio.state import DataState
from observatorio.state.key import Key
from tests.dashboard.test_board_cube import CATALOG, INDEX

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 6, 30)


def _measure(code, sources, categories=(), combine=Combine.SINGLE, primary=None) -> MeasureDef:
    return MeasureDef(len(code), code, code.title(), "casos", MeasureKind.COUNT, tuple(sources), tuple(categories),
                      combine, primary, "", 100, 24, None, False, "")


POLICE = _measure("policia", (3,))
CALLS = _measure("llamados", (5,), categories=(11, 12))
BOTH = _measure("ambas", (3, 9), combine=Combine.PROXIMITY, primary=3)


def _state() -> DataState:
    rng = np.random.default_rng(7)
    n = 6000
    day = np.sort(rng.integers(day_number(FIRST), day_number(LAST) + 1, n)).astype(np.int32)
    minute = rng.integers(0, 1440, n).astype(np.int16)
    minute[rng.random(n) < 0.1] = -1
    snap = EventSnapshot(version=1, id=np.arange(1, n + 1, dtype=np.int64),
                         source=rng.choice(np.array([3, 5, 9], dtype=np.int32), n),
                         category=rng.choice(np.array([-1, 11, 12, 21], dtype=np.int32), n), day=day,
                         minute=minute, lon=np.zeros(n), lat=np.zeros(n),
                         area=rng.choice(np.array([4, 5, 7, 8], dtype=np.int32), n), outside=np.zeros(n, dtype=bool))
    catalog = dataclasses.replace(CATALOG, measures=(POLICE, CALLS, BOTH))
    return DataState(Key(1, "", (), (), ()), snap, INDEX, catalog)


STATE = _state()


def _filters(measure: MeasureDef, **changes) -> Filters:
    base = Filters(FIRST, LAST, "custom", measure.sources, measure.categories, "uv", (), measure.code, measure.links)
    return dataclasses.replace(base, **changes)


def _oracle(f: Filters, linked=None) -> int:
    return int(event_mask(STATE.events, f, INDEX, linked=linked).sum())


@pytest.mark.parametrize("changes", [
    {},
    {"hours": (20, 6)},  # nights, across midnight
    {"hours": (8, 12)},
    {"hours": (23, 0)},
    {"weekdays": (5, 6)},  # weekends
    {"weekdays": (0,), "hours": (0, 6)},
    {"areas": (2,), "hours": (20, 6)},
])
@pytest.mark.parametrize("measure", [POLICE, CALLS])
def test_counts_equal_the_plain_selection(measure, changes):
    f = _filters(measure, **changes)
    h = engine.headline(STATE, f)
    assert h.count == _oracle(f)
    assert h.previous.count == _oracle(f.previous())
    assert int(engine.trend(STATE, f).counts.sum()) == h.count
    assert sum(engine.by_category(STATE, f).counts) == h.count
    assert int(engine.hour_weekday(STATE, f).matrix.sum()) + engine.hour_weekday(STATE, f).without_time == h.count


def test_hours_across_midnight_by_hand():
    snap = STATE.events
    f = _filters(POLICE, hours=(20, 6))
    minute = snap.minute.astype(int)
    by_hand = sum(1 for s, m in zip(snap.source, minute) if s == 3 and m >= 0 and (m >= 20 * 60 or m < 6 * 60))
    assert engine.headline(STATE, f).count == by_hand
    # Every event counted has a known hour at night; unknown times are left out.
    hw = engine.hour_weekday(STATE, f)
    assert hw.without_time == 0 and hw.matrix[:, 6:20].sum() == 0


def test_the_measure_categories_bound_what_can_be_chosen():
    assert engine.headline(STATE, _filters(CALLS)).count == int(
        np.count_nonzero((STATE.events.source == 5) & np.isin(STATE.events.category, [11, 12])))
    nothing = _filters(CALLS, categories=filters.NOTHING)
    assert engine.headline(STATE, nothing).count == 0


def test_linked_events_are_left_out():
    f = _filters(BOTH)
    linked = np.zeros(STATE.events.size, dtype=bool)
    linked[(STATE.events.source == 9).nonzero()[0][::3]] = True  # every third event of the other source
    STATE.memo(f"linked:{BOTH.code}", lambda: linked)
    expected = _oracle(f, linked)
    assert engine.headline(STATE, f).count == expected
    assert expected == int(np.count_nonzero(np.isin(STATE.events.source, [3, 9]) & ~linked))
    summary = engine.link_summary(STATE, BOTH.code)
    assert summary.secondary == int(np.count_nonzero(STATE.events.source == 9))
    assert summary.linked == int(linked.sum())


# --- on the database ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters_take_the_default_measure_and_refuse_unknown_ones():
    from observatorio import state
    from observatorio.records.models import Measure, Source

    police = Source.objects.create(code="stop", name="STOP", kind="stop")
    calls = Source.objects.create(code="central", name="1461", kind="1461")
    data = state.current()
    f, errors = filters.parse_filters(QueryDict(""), data)
    assert not errors and f.measure == "casos-policiales" and f.sources == (police.id,)
    f, errors = filters.parse_filters(QueryDict("measure=llamados-1461"), data)
    assert f.sources == (calls.id,)
    f, errors = filters.parse_filters(QueryDict("measure=todo"), data)
    assert f is None and "measure" in errors
    # The source parameter is gone: nothing chooses sources to add up.
    assert "source" not in filters.FilterForm.base_fields
    # A measure without sources selects nothing (not everything).
    f, _ = filters.parse_filters(QueryDict("measure=patrullajes"), data)
    assert f.sources == filters.NOTHING
    # Editing a measure moves the data state.
    Measure.objects.get(code="patrullajes").sources.add(calls)
    moved = state.current()
    assert moved is not data
    f, _ = filters.parse_filters(QueryDict("measure=patrullajes"), moved)
    assert f.sources == (calls.id,)


@pytest.mark.django_db
def test_time_filters_need_both_hours():
    from observatorio import state

    data = state.current()
    for query in ("hour_from=20", "hour_from=3&hour_to=3", "hour_from=24&hour_to=2", "weekday=7"):
        f, errors = filters.parse_filters(QueryDict(query), data)
        assert f is None and errors, query
    f, errors = filters.parse_filters(QueryDict("hour_from=20&hour_to=6&weekday=5&weekday=6"), data)
    assert f.hours == (20, 6) and f.weekdays == (5, 6) and f.by_rows
    assert "hour_from=20" in f.to_query() and "weekday=5" in f.to_query()


@pytest.mark.django_db(transaction=True)
def test_standard_measures_survive_a_flush():
    """Seeded after every migrate and flush (post_migrate), not by a data migration a flush would undo."""
    from django.core.management import call_command

    from observatorio.records.measures import STANDARD
    from observatorio.records.models import Measure

    call_command("flush", interactive=False, verbosity=0)
    assert sorted(Measure.objects.values_list("code", flat=True)) == sorted(s.code for s in STANDARD)
