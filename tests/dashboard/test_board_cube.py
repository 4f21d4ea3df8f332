"""The pre-aggregated cube answers exactly what a scan of the snapshot's rows answers; the change by area and
the small-number rule on hand-built counts.

A synthetic snapshot (seeded) and a hand-built territory (comuna → 2
macrosectors → 6 UVs) need no database: every engine figure is computed twice,
from the cube and with the cube switched off (the row scans), and the counts
are also checked against :func:`filters.event_mask`, an independent
``np.isin`` selection over the whole snapshot. Then, on the demo, the request
path: one query checks every cache, and the filter choices follow edits.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from observatorio.analysis.compare import Verdict
from observatorio.dashboard import cube as cube_module
from observatorio.dashboard import engine
from observatorio.dashboard.filters import Filters, event_mask
from observatorio.records.catalog import Catalog
from observatorio.records.snapshot import EventSnapshot, day_number
from observatorio.state import DataState
from observatorio.state.key import Key
from observatorio.territory.index import AreaInfo, TerritoryIndex

SEED = 20261125
N_EVENTS = 20_000
COMBOS = 40
FIRST = dt.date(2024, 1, 1)
LAST = dt.date(2026, 11, 25)
SOURCES = (3, 5, 9)
CATEGORIES = (-1, 11, 12, 13, 21, 22)  # 11–13 in family 10, 21–22 in family 20
AREAS = (-1, 1, 2, 4, 5, 6, 7, 8, 9)  # finest areas as events carry them (some only know their macrosector)


def _index() -> TerritoryIndex:
    parents = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3}
    levels = {1: "comuna", 2: "macrosector", 3: "macrosector"}
    areas = {i: AreaInfo(i, f"A{i}", f"Área {i}", levels.get(i, "uv"), p, False) for i, p in parents.items()}
    ancestor = {}
    for level in ("comuna", "macrosector", "uv"):
        lut = np.full(max(areas) + 2, -1, dtype=np.int64)
        for a in areas.values():
            node = a
            while node is not None and node.level != level:
                node = areas.get(node.parent_id) if node.parent_id else None
            if node is not None:
                lut[a.id] = node.id
        ancestor[level] = lut
    population = {i: {2024: 1000 * i, 2026: 1100 * i} for i in areas}
    return TerritoryIndex(areas=areas, ancestor=ancestor, population=population)


def _snapshot(rng) -> EventSnapshot:
    n = N_EVENTS
    day = np.sort(rng.integers(day_number(FIRST), day_number(LAST) + 1, n)).astype(np.int32)
    minute = rng.integers(0, 1440, n).astype(np.int16)
    minute[rng.random(n) < 0.1] = -1
    return EventSnapshot(
        version=1, id=np.arange(1, n + 1, dtype=np.int64),
        source=rng.choice(np.array(SOURCES, dtype=np.int32), n),
        category=rng.choice(np.array(CATEGORIES, dtype=np.int32), n), day=day, minute=minute,
        lon=np.zeros(n), lat=np.zeros(n), area=rng.choice(np.array(AREAS, dtype=np.int32), n),
        outside=np.zeros(n, dtype=bool))


CATALOG = Catalog(sources=(), families=((10, "fa", "Familia A"), (20, "fb", "Familia B")),
                  categories=((11, "a1", "a1", 10), (12, "a2", "a2", 10), (13, "a3", "a3", 10), (21, "b1", "b1", 20),
                              (22, "b2", "b2", 20)),
                  source_id={}, category_id={}, family_children={}, source_kind={})


def state_of(snap: EventSnapshot) -> DataState:
    """A data state over a synthetic snapshot, the hand-built territory and catalog: no database."""
    return DataState(Key(snap.version, "", (), (), ()), snap, INDEX, CATALOG)  # no token: no files


def _random_filters(rng) -> list[Filters]:
    out = []
    for _ in range(COMBOS):
        days = int(rng.choice([1, 7, 28, 90, 365, 800, 1500]))
        end = LAST + dt.timedelta(days=int(rng.integers(-400, 40)))  # some windows run past the data
        start = end - dt.timedelta(days=days - 1)
        def pick(pool, p):
            return tuple(sorted(int(x) for x in rng.choice(pool, int(rng.integers(1, 3)), replace=False))) \
                    if rng.random() < p else ()
        out.append(Filters(start, end, "custom", pick([3, 5, 9, 4], 0.5), pick([11, 12, 13, 21, 22], 0.4),
                           str(rng.choice(["comuna", "macrosector", "uv"])), pick([1, 2, 3, 4, 8], 0.3)))
    return out


RNG = np.random.default_rng(SEED)
SNAP = _snapshot(RNG)
INDEX = _index()
STATE = state_of(SNAP)
FILTERS = _random_filters(RNG)
IDS = [f"{f.start}+{f.days}d-s{len(f.sources)}c{len(f.categories)}a{len(f.areas)}-{f.level}-{k}"
       for k, f in enumerate(FILTERS)]


def _both(monkeypatch, compute):
    """The figure with the cube, then with the cube switched off (row scans), each on a fresh state."""
    with_cube = state_of(SNAP)
    assert cube_module.cube_of(with_cube) is not None
    first = compute(with_cube)
    monkeypatch.setattr(cube_module, "MAX_ENTRIES", 0)
    rows = state_of(SNAP)
    assert cube_module.cube_of(rows) is None
    return first, compute(rows)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_window_counts_equal_a_direct_count(f):
    cube = cube_module.cube_of(STATE)
    cells = engine.select_cells(cube, f, INDEX)
    for w in (f, f.previous(), f.last_year()):
        expected = int(event_mask(SNAP, w, INDEX).sum())
        assert cube.total(day_number(w.start), day_number(w.end), cells) == expected
        assert int(cube.daily(day_number(w.start), day_number(w.end), cells).sum()) == expected


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_every_engine_figure_equals_the_row_scan(monkeypatch, f):
    def compute(state):
        return (engine.headline(state, f), engine.trend(state, f), engine.by_category(state, f),
                engine.by_family(state, f), engine.hour_weekday(state, f), engine.by_area(state, f),
                [engine.area_changes(state, f, compare) for compare in engine.COMPARES])

    cube_answer, rows_answer = _both(monkeypatch, compute)
    (h1, t1, c1, fam1, hw1, a1, ch1), (h2, t2, c2, fam2, hw2, a2, ch2) = cube_answer, rows_answer
    assert ch1 == ch2
    for changes, other in zip(ch1, (f.previous(), f.last_year())):
        assert sum(r.count for r in changes.rows) + changes.unplaced == sum(r.count for r in a1.rows) + a1.unplaced
        if not f.areas:
            assert sum(r.before for r in changes.rows) + changes.unplaced_before == int(
                event_mask(SNAP, other, INDEX).sum())
    assert h1 == h2
    assert t1.step == t2.step and t1.starts == t2.starts
    np.testing.assert_array_equal(t1.counts, t2.counts)
    np.testing.assert_array_equal(t1.days, t2.days)
    assert int(t1.days.sum()) == f.days
    assert t1.counts.dtype == np.int64
    assert c1 == c2 and fam1 == fam2
    np.testing.assert_array_equal(hw1.matrix, hw2.matrix)
    assert hw1.without_time == hw2.without_time
    assert a1 == a2
    assert h1.count == int(event_mask(SNAP, f, INDEX).sum()) == sum(c1.counts) == int(t1.counts.sum())


TIME_FILTERS = [((20, 6), ()), ((8, 12), ()), (None, (5, 6)), ((22, 2), (0, 4)), ((23, 0), ())]


@pytest.mark.parametrize("hours,weekdays", TIME_FILTERS, ids=[f"{h}-{w}" for h, w in TIME_FILTERS])
def test_time_filters_count_what_event_mask_counts(hours, weekdays):
    """Hours across midnight and weekdays: the engine's row scan against the plain reference."""
    for k, base in enumerate(FILTERS[:8]):
        f = Filters(base.start, base.end, "custom", base.sources, base.categories, base.level, base.areas,
                    hours=hours, weekdays=weekdays)
        assert f.by_rows
        expected = event_mask(SNAP, f, INDEX)
        h = engine.headline(STATE, f)
        assert h.count == int(expected.sum()), k
        assert h.previous.count == int(event_mask(SNAP, f.previous(), INDEX).sum())
        hw = engine.hour_weekday(STATE, f)
        assert int(hw.matrix.sum()) + hw.without_time == h.count
        assert hw.without_time == 0 or hours is None  # an hour filter leaves out the events without time
        if weekdays:
            assert hw.matrix[[d for d in range(7) if d not in weekdays]].sum() == 0
        counts, unplaced = engine.area_counts(STATE, f, "uv")
        assert int(counts.sum()) + unplaced == h.count


@pytest.mark.parametrize("hours,weekdays", TIME_FILTERS, ids=[f"{h}-{w}" for h, w in TIME_FILTERS])
def test_time_filters_from_the_cube_equal_the_row_scan(monkeypatch, hours, weekdays):
    """The cube's slot totals (no cells chosen) and its code scan (cells chosen) against the plain row scan."""
    chosen = [Filters(b.start, b.end, "custom", b.sources, b.categories, b.level, b.areas, hours=hours,
                      weekdays=weekdays) for b in FILTERS[:12]]
    chosen.append(Filters(FIRST, LAST, "custom", (), (), "uv", (), hours=hours, weekdays=weekdays))
    assert any(not (f.sources or f.categories or f.areas) for f in chosen)

    def compute(state):
        return [(engine.headline(state, f), engine.trend(state, f), engine.by_category(state, f),
                 engine.by_family(state, f), engine.hour_weekday(state, f), engine.by_area(state, f))
                for f in chosen]

    cube_answer, rows_answer = _both(monkeypatch, compute)
    for f, (h1, t1, c1, fam1, hw1, a1), (h2, t2, c2, fam2, hw2, a2) in zip(chosen, cube_answer, rows_answer):
        assert h1 == h2 and c1 == c2 and fam1 == fam2 and a1 == a2
        assert h1.count == int(event_mask(SNAP, f, INDEX).sum())
        np.testing.assert_array_equal(t1.counts, t2.counts)
        np.testing.assert_array_equal(hw1.matrix, hw2.matrix)
        assert hw1.without_time == hw2.without_time


def test_one_scan_of_the_codes_serves_every_breakdown_of_a_time_filtered_page(monkeypatch):
    """Categories, families and areas of one question share one scan of the cube's codes (kept with the state);
    another window scans again; the kept counts cannot be changed by whoever reads them."""
    scans = []
    real = cube_module.Cube.scan_cells
    monkeypatch.setattr(cube_module.Cube, "scan_cells", lambda self, *a: scans.append(1) or real(self, *a))
    state = state_of(SNAP)
    night = Filters(FIRST, LAST, "custom", (3, 5), (11, 21), "uv", (2,), hours=(20, 6))
    answers = (engine.by_category(state, night), engine.by_family(state, night), engine.by_area(state, night),
               engine.area_counts(state, night, "macrosector"))
    assert len(scans) == 1
    assert engine.by_category(state, night) == answers[0] and len(scans) == 1
    # The same time filter over other sources and areas is the same scan; another window is another.
    engine.by_category(state, Filters(FIRST, LAST, "custom", (9,), (), "uv", (), hours=(20, 6)))
    assert len(scans) == 1
    engine.by_category(state, night.over(FIRST, LAST - dt.timedelta(days=1)))
    assert len(scans) == 2
    # What was kept equals a fresh state's answer and is read-only.
    assert engine.by_category(state_of(SNAP), night) == answers[0]
    kept = next(iter(state.cache("cell-scans", engine.CELL_SCANS_KEPT, on=("events", "catalog"))._cache.values()))
    with pytest.raises(ValueError):
        kept[0] = 1


# --- change by area and small numbers, on counts made by hand ------------------------------------------------

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))  # 31 days, against September's 30
# UV → (events in October, events in September) and the outcome expected after BH at 0.05 over the tested UVs.
HAND = {4: (40, 10, "up"),  # p = 2.7e-5
        5: (9, 0, "few_events"),  # p = 0.0039 alone, but 9 events
        6: (12, 12, "no_change"),  # p = 1
        7: (0, 30, "down"),  # p = 5.7e-10
        8: (0, 0, "few_events"),
        9: (15, 5, "no_change")}  # p = 0.042 alone; third of four tested, above BH's 3 × 0.05 / 4 = 0.0375


def _hand_snapshot() -> EventSnapshot:
    days, areas = [], []
    for area, (now, before, _outcome) in HAND.items():
        days += [day_number(dt.date(2026, 10, 1 + k % 31)) for k in range(now)]
        days += [day_number(dt.date(2026, 9, 1 + k % 30)) for k in range(before)]
        areas += [area] * (now + before)
    order = np.argsort(days, kind="stable")
    n = len(days)
    return EventSnapshot(1, np.arange(1, n + 1), np.full(n, 3, dtype=np.int32), np.full(n, 11, dtype=np.int32),
                         np.asarray(days, dtype=np.int32)[order], np.full(n, 600, dtype=np.int16), np.zeros(n),
                         np.zeros(n), np.asarray(areas, dtype=np.int32)[order], np.zeros(n, dtype=bool))


def test_area_changes_on_counts_made_by_hand():
    from scipy import stats

    f = Filters(*OCTOBER, "month", level="uv")
    changes = engine.area_changes(state_of(_hand_snapshot()), f, "previous")
    assert (changes.before_start, changes.before_end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert changes.tested == 4 and changes.threshold == pytest.approx(2 * 0.05 / 4)
    rows = {r.id: r for r in changes.rows}
    assert list(rows) == [4, 5, 6, 7, 8, 9]
    for area, (now, before, expected) in HAND.items():
        r = rows[area]
        assert (r.count, r.before, r.change, r.events) == (now, before, now - before, now + before)
        p = stats.binomtest(now, now + before, 31 / 61).pvalue if now + before else 1.0
        assert r.p_value == pytest.approx(p, rel=1e-12)
        assert r.outcome == expected, area
        assert (r.q_value is None) == (now + before < engine.MIN_EVENTS_FOR_TEST)
    assert rows[9].p_value < 0.05 and rows[9].verdict == Verdict.NO_CHANGE  # the FDR control at work
    assert rows[5].p_value < 0.05 and rows[5].few  # significant alone, yet too few events to conclude
    # Only the macrosectors' sums at that level, tested the same way.
    macro = engine.area_changes(state_of(_hand_snapshot()), Filters(*OCTOBER, "month", level="macrosector"))
    assert [(r.id, r.count, r.before) for r in macro.rows] == [(2, 61, 22), (3, 15, 35)]


def test_small_numbers_in_the_headline():
    """Nine events against none: the exact test alone says "up" (p = 0.004), the outcome says too few; ten say up."""
    for now, expected in ((9, "few_events"), (10, "up")):
        days = [day_number(dt.date(2026, 10, 1 + k)) for k in range(now)]
        n = len(days)
        snap = EventSnapshot(1, np.arange(1, n + 1), np.full(n, 3, dtype=np.int32), np.full(n, 11, dtype=np.int32),
                             np.asarray(days, dtype=np.int32), np.full(n, -1, dtype=np.int16), np.zeros(n),
                             np.zeros(n), np.full(n, 4, dtype=np.int32), np.zeros(n, dtype=bool))
        h = engine.headline(state_of(snap), Filters(*OCTOBER, "month"))
        c = h.previous
        assert (h.count, c.count, c.events) == (now, 0, now)
        assert c.verdict == Verdict.UP and c.p_value < 0.01
        assert c.outcome == expected and c.few == (expected == "few_events")
    assert engine.MIN_EVENTS_FOR_TEST == 10


def test_hour_weekday_counts_slots_by_hand():
    """A Monday 00:30, a Sunday 23:59 and one without time, counted by hand."""
    monday = day_number(dt.date(2026, 11, 23))
    snap = EventSnapshot(1, np.array([1, 2, 3]), np.array([3, 3, 5], dtype=np.int32),
                         np.array([11, 11, 11], dtype=np.int32), np.array([monday, monday, monday + 6], np.int32),
                         np.array([30, -1, 1439], dtype=np.int16), np.zeros(3), np.zeros(3),
                         np.array([4, 4, 4], dtype=np.int32), np.zeros(3, dtype=bool))
    f = Filters(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    for chosen in (f, Filters(f.start, f.end, sources=(3, 5))):
        result = engine.hour_weekday(state_of(snap), chosen)
        assert result.matrix[0, 0] == 1 and result.matrix[6, 23] == 1 and result.matrix.sum() == 2
        assert result.without_time == 1
    only_5 = engine.hour_weekday(state_of(snap), Filters(f.start, f.end, sources=(5,)))
    assert only_5.matrix.sum() == 1 and only_5.matrix[6, 23] == 1 and only_5.without_time == 0


def test_cube_is_built_once_per_state_and_kept_small():
    cube = cube_module.cube_of(STATE)
    assert cube_module.cube_of(STATE) is cube
    assert cube.prefix.dtype == np.int32 and cube.row_slot.dtype == np.uint8 and cube.row_cell.dtype == np.uint8
    assert cube.cells == len(np.unique(np.stack([SNAP.source, SNAP.category, SNAP.area]), axis=1).T)
    assert cube.days == int(SNAP.day[-1]) - int(SNAP.day[0]) + 1
    assert cube.rows(day_number(FIRST), day_number(LAST)) == slice(0, SNAP.size)
    other = _snapshot(np.random.default_rng(SEED + 1))
    assert cube_module.cube_of(state_of(other)) is not cube


def test_windows_outside_the_data_count_nothing():
    cube = cube_module.cube_of(STATE)
    before = day_number(FIRST) - 100
    assert cube.total(before, before + 50, None) == 0
    assert cube.total(day_number(LAST) + 1, day_number(LAST) + 9, np.arange(cube.cells)) == 0
    assert cube.daily(before, before + 3, None).tolist() == [0, 0, 0, 0]
    assert cube.slot_counts(before, before + 9).sum() == 0
    assert cube.slot_daily(before, before + 3, np.ones(cube_module.SLOTS, dtype=bool)).tolist() == [0, 0, 0, 0]
    window, mask = cube.scan(before, before + 9, np.arange(cube.cells), np.ones(cube_module.SLOTS, dtype=bool))
    assert window.stop == window.start and cube.scan_daily(before, before + 9, window, mask).sum() == 0


def test_empty_snapshot_has_no_cube_and_the_engine_still_answers():
    empty = EventSnapshot(0, *(np.empty(0, dtype=t) for t in (np.int64, np.int32, np.int32, np.int32, np.int16,
                                                                float, float, np.int32, bool)))
    assert cube_module.build_cube(empty) is None
    f = Filters(dt.date(2026, 1, 1), dt.date(2026, 1, 28))
    assert engine.headline(state_of(empty), f).count == 0
    assert engine.by_area(state_of(empty), f).unplaced == 0


# --- the request path, on the demo ------------------------------------------------------------------------------


@pytest.fixture
def bob(demo, db, personas, as_user):
    return as_user(personas["bob"])


def test_one_query_checks_every_cache(bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {"measure": "llamados-1461", "family": "familia-vif", "hour_from": 20, "hour_to": 6}
    bob.get("/tablero/datos/resumen.json", query)
    with CaptureQueriesContext(connection) as captured:
        response = bob.get("/tablero/datos/resumen.json", query)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    ours = [s for s in sql if "records_" in s or "territory_" in s]
    assert len(ours) == 1, ours
    assert all(t in ours[0] for t in ("records_dataversion", "territory_area", "records_source", "records_category",
                                      "records_measure"))


def test_measure_choices_follow_new_measures(bob):
    from observatorio.records.models import Event, Measure, Source

    assert bob.get("/tablero/datos/resumen.json", {"measure": "nueva"}).status_code == 400
    calls = Source.objects.get(code="1461")
    m = Measure.objects.create(code="nueva", name="Nueva", unit="llamados", definition="Una medida nueva.")
    m.sources.add(calls)
    body = bob.get("/tablero/datos/resumen.json", {"measure": "nueva", "period": "12m"}).json()
    assert body["measure"] == {"code": "nueva", "name": "Nueva", "unit": "llamados"}
    assert body["filters"]["sources"] == [calls.id]
    start, end = dt.date.fromisoformat(body["data"]["start"]), dt.date.fromisoformat(body["data"]["end"])
    assert body["data"]["count"] == Event.objects.filter(source=calls, occurred_on__range=(start, end)).count() > 0
    Measure.objects.filter(code="nueva").update(name="Renombrada")  # no signal: the key's checksum moves
    assert bob.get("/tablero/datos/resumen.json", {"measure": "nueva"}).json()["measure"]["name"] == "Renombrada"
    # A measure with no source counts nothing (never everything).
    Measure.objects.create(code="vacia", name="Vacía", unit="casos", definition="Sin fuentes.")
    assert bob.get("/tablero/datos/resumen.json", {"measure": "vacia", "period": "12m"}).json()["data"]["count"] == 0


@pytest.mark.parametrize("dtype,size", [(np.uint8, 175), (np.uint8, 256), (np.uint16, 3000)])
def test_lookup_equals_numpy_indexing(dtype, size):
    rng = np.random.default_rng(size)
    table = rng.random(size) < 0.4
    codes = rng.integers(0, size, 10_000).astype(dtype)
    got = cube_module.lookup(table, codes)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, table[codes])
    for runs in ([(0, 1)], [(3, 9), (size - 2, size)], [(k, k + 1) for k in range(0, size, 2)]):
        table = np.zeros(size, dtype=bool)
        for start, stop in runs:
            table[start:stop] = True
        np.testing.assert_array_equal(cube_module.among(table, codes), table[codes])


def test_counts_per_run_equal_a_count_of_each_slice():
    # Empty runs anywhere (first, middle, several at the end), an empty mask, a run of one row.
    rng = np.random.default_rng(SEED)
    cases = [(np.zeros(0, dtype=bool), np.array([0, 0, 0])), (np.array([True]), np.array([0, 1, 1]))]
    for _ in range(300):
        mask = rng.random(int(rng.integers(0, 60))) < 0.4
        inner = np.sort(rng.integers(0, mask.size + 1, int(rng.integers(0, 9))))
        cases.append((mask, np.concatenate(([0], inner, [mask.size]))))
    for mask, bounds in cases:
        expected = [int(mask[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:])]
        got = cube_module.per_run(mask, bounds)
        assert got.dtype == np.int64 and got.tolist() == expected, (mask, bounds)


def test_chosen_cells_by_pairs_and_places_equal_a_plain_lookup(monkeypatch):
    """Areas chosen (many runs of cells): tested as pairs × places when the choice is a product, else plainly."""
    monkeypatch.setattr(cube_module, "MAX_RUNS", 2)  # the synthetic cube's choices make few runs
    cube = cube_module.cube_of(STATE)
    window = cube.rows(day_number(FIRST), day_number(LAST))
    rng = np.random.default_rng(7)
    product = engine.select_cells(cube, Filters(FIRST, LAST, "custom", (3, 9), (11, 21, 22), "uv", (2, 8)), INDEX)
    scattered = np.sort(rng.choice(cube.cells, 60, replace=False))  # not a product of pairs and areas
    for cells in (product, scattered, np.arange(cube.cells)):
        assert cube_module._runs(np.isin(np.arange(cube.cells), cells)) > 2 or cells.size == cube.cells
        expected = np.isin(cube.row_cell[window], cells)
        np.testing.assert_array_equal(cube._in_cells(cells, window), expected)
