"""The events' columns hold exactly what the database holds; the data state reads them again on change."""

import datetime as dt

import numpy as np
import pytest

from observatorio import state
from observatorio.records import snapshot
from observatorio.records.models import Event, Source


@pytest.fixture
def source(db):
    return Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")


@pytest.fixture(autouse=True)
def _fresh_cache():
    state.reset()
    yield
    state.reset()


def test_empty_database_gives_an_empty_snapshot(db):
    snap = state.current().events
    assert snap.size == 0
    assert snap.day.dtype == np.int32


def test_snapshot_columns_match_the_rows(source):
    Event.objects.create(source=source, occurred_on=dt.date(2024, 3, 1), occurred_time=dt.time(21, 45),
                         lon=-70.53, lat=-33.48)
    Event.objects.create(source=source, occurred_on=dt.date(1970, 1, 2), outside=True)
    snap = state.current().events
    assert snap.size == 2
    order = np.argsort(snap.id)
    assert snap.day[order].tolist() == [snapshot.day_number(dt.date(2024, 3, 1)), 1]
    assert snap.minute[order].tolist() == [21 * 60 + 45, -1]
    assert snap.lon[order][0] == pytest.approx(-70.53)
    assert np.isnan(snap.lat[order][1])
    assert snap.area.tolist() == [-1, -1]
    assert snap.outside[order].tolist() == [False, True]
    assert snap.source.tolist() == [source.id, source.id]


def test_the_state_is_kept_until_the_version_moves(source):
    first = state.current().events
    assert state.current().events is first
    Event.objects.create(source=source, occurred_on=dt.date(2024, 1, 1))  # the signal bumps the version
    second = state.current().events
    assert second is not first and second.size == 1
    Event.objects.bulk_create([Event(source=source, occurred_on=dt.date(2024, 1, 2))])
    assert state.current().events is second, "bulk writes must bump explicitly"
    snapshot.bump()
    assert state.current().events.size == 2


def test_day_numbers_round_trip():
    day = dt.date(2025, 12, 31)
    assert snapshot.from_day_number(snapshot.day_number(day)) == day


def _event(source, day, **extra):
    return Event.objects.create(source=source, occurred_on=day, **extra)


def test_rows_are_ordered_by_day_and_windows_are_slices(source):
    days = [dt.date(2024, 5, 3), dt.date(2023, 1, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 3), dt.date(2025, 1, 1)]
    ids = [_event(source, d).id for d in days]
    snap = state.current().events
    assert snap.day.tolist() == sorted(snapshot.day_number(d) for d in days)
    # Same day: id order kept (stable sort).
    assert snap.id.tolist() == [ids[1], ids[2], ids[0], ids[3], ids[4]]
    window = snap.window(snapshot.day_number(dt.date(2024, 5, 1)), snapshot.day_number(dt.date(2024, 5, 3)))
    assert snap.id[window].tolist() == [ids[2], ids[0], ids[3]]
    empty = snap.window(snapshot.day_number(dt.date(2030, 1, 1)), snapshot.day_number(dt.date(2031, 1, 1)))
    assert snap.id[empty].size == 0


def test_vendor_sql_equals_the_generic_value_by_value_path(source, monkeypatch):
    """The vendor's loader (SQL integers, or PostgreSQL's binary columns) must give what Python's parsing gives."""
    from observatorio.records.models import Category
    from observatorio.territory.models import Area

    cat = Category.objects.create(code="robo", name="Robo")
    area = Area.objects.create(code="X1", name="X1", level="uv")
    _event(source, dt.date(1969, 12, 31), occurred_time=dt.time(0, 0), category=cat, area=area, lon=0.0, lat=0.0)
    _event(source, dt.date(2024, 2, 29), occurred_time=dt.time(23, 59, 30, 500))
    _event(source, dt.date(2100, 3, 1), lon=-70.5, lat=None)
    fast = snapshot.load_snapshot()
    monkeypatch.setattr(snapshot, "_LOADERS", {})
    slow = snapshot.load_snapshot()
    for column in ("id", "source", "category", "day", "minute", "area", "outside"):
        assert getattr(fast, column).tolist() == getattr(slow, column).tolist(), column
        assert getattr(fast, column).dtype == getattr(slow, column).dtype, column
    np.testing.assert_array_equal(fast.lon, slow.lon)
    np.testing.assert_array_equal(fast.lat, slow.lat)
    assert fast.day.tolist() == [-1, snapshot.day_number(dt.date(2024, 2, 29)), snapshot.day_number(dt.date(2100, 3, 1))]
    assert fast.minute.tolist() == [0, 23 * 60 + 59, -1]
    assert fast.category.tolist() == [cat.id, -1, -1] and fast.area.tolist() == [area.id, -1, -1]
    assert fast.lon[0] == 0.0 and np.isnan(fast.lat[2]) and np.isnan(fast.lon[1])


# --- the vendor loaders against the generic, value-by-value path ------------------------------------------------

# 999.0 is the loaders' stand-in for NULL (read back as NaN on every path); SQLite stores NaN as NULL.
ODD_DOUBLES = [-70.123456789012345, -33.45678901234567, 0.1, 1 / 3, 5e-324, 1e-310, 2.2250738585072014e-308,
               1.7976931348623157e308, -0.0, 0.0, float("inf"), float("-inf"), 999.0, float("nan"), 2.0**53 + 2,
               1e23, -1e-7, 123456.78901234567, -179.99999999999997]


def _odd_events(source, n: int, seed: int = 20261125) -> list[int]:
    """``n`` events with NULL categories, areas, times and coordinates, awkward doubles and days far from 1970."""
    from observatorio.records.models import Category
    from observatorio.territory.models import Area

    rng = np.random.default_rng(seed)
    categories = [None] + [Category.objects.create(code=f"c{i}", name=f"C{i}") for i in range(3)]
    areas = [None] + [Area.objects.create(code=f"A{i}", name=f"A{i}", level="uv") for i in range(3)]
    doubles = np.concatenate([
        rng.uniform(-76, -66, n), rng.uniform(-56, -17, n),  # coordinates of Chile
        rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n),  # any magnitude
        np.frombuffer(rng.integers(0, 2**63, n, dtype=np.int64).tobytes(), np.float64),  # any bit pattern
    ])
    doubles = doubles[np.isfinite(doubles)].tolist() + ODD_DOUBLES

    def coordinate(k, odd):
        if k < len(ODD_DOUBLES):
            return odd[k]
        return None if rng.random() < 0.1 else doubles[int(rng.integers(len(doubles)))]

    events = []
    for k in range(n):
        day = dt.date(1900, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200 * 366)))
        time = None if rng.random() < 0.2 else dt.time(int(rng.integers(24)), int(rng.integers(60)),
                                                        int(rng.integers(60)), int(rng.integers(2)) * 999_999)
        events.append(Event(source=source, occurred_on=day, occurred_time=time, lon=coordinate(k, ODD_DOUBLES),
                            lat=coordinate(k, ODD_DOUBLES[::-1]), category=categories[k % 4],
                            area=areas[(k // 4) % 4], outside=bool(k % 3 == 0)))
    return [e.id for e in Event.objects.bulk_create(events)]


def _assert_same_snapshot(fast, slow):
    assert fast.size == slow.size
    for name in snapshot._COLUMNS:
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype, name
        # Bytes, so that floats are compared bit for bit (NaN positions and -0.0 included).
        assert a.tobytes() == b.tobytes(), name


def _generic(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "_LOADERS", {})
        return snapshot.load_snapshot()


def test_the_vendor_loader_gives_the_generic_arrays_bit_for_bit(source, monkeypatch):
    _odd_events(source, 3000)
    fast = snapshot.load_snapshot()
    slow = _generic(monkeypatch)
    _assert_same_snapshot(fast, slow)
    assert fast.size == 3000
    assert np.isnan(fast.lon).sum() >= 200, "NULL coordinates must come back as NaN"
    assert (fast.minute == -1).sum() >= 400 and (fast.category == -1).sum() == 750
    assert (fast.area == -1).sum() == sum((k // 4) % 4 == 0 for k in range(3000))
    assert fast.day.min() < 0 < fast.day.max()
    assert (np.diff(fast.day) >= 0).all()
    assert all(v in fast.lon.tolist() for v in ODD_DOUBLES if np.isfinite(v) and v != 999.0)


def test_the_vendor_loader_reads_gapped_ids_in_many_chunks(source, monkeypatch):
    ids = _odd_events(source, 1200, seed=3)
    Event.objects.filter(id__in=ids[100:700]).delete()  # a gap of 600 ids, several chunks wide
    Event.objects.filter(id__in=ids[900:1200:2]).delete()
    snapshot.bump()
    monkeypatch.setattr(snapshot, "_PG_IDS_PER_CHUNK", 97)
    fast = snapshot.load_snapshot()
    assert fast.size == 1200 - 600 - 150
    _assert_same_snapshot(fast, _generic(monkeypatch))


def test_the_vendor_loader_on_an_empty_table(db, monkeypatch):
    fast = snapshot.load_snapshot()
    _assert_same_snapshot(fast, _generic(monkeypatch))
    assert fast.size == 0


def test_rows_out_of_id_order_still_give_day_then_id(source, monkeypatch):
    """A range's rows follow the server's scan: with no index to read, PostgreSQL returns them as stored."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's loader reads rows in scan order")
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in np.random.default_rng(5).integers(0, 30, 400)]
    # Stored in descending id order, and read by a sequential scan.
    Event.objects.bulk_create([Event(id=10_000 - k, source=source, occurred_on=day) for k, day in enumerate(days)])
    snapshot.bump()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; "
                       "SET LOCAL enable_bitmapscan = off")
    assert not (np.diff(snapshot._postgresql_columns()["id"]) > 0).all(), "the scan was meant to read ids unordered"
    fast = snapshot.load_snapshot()
    _assert_same_snapshot(fast, _generic(monkeypatch))
    assert np.lexsort((fast.id, fast.day)).tolist() == list(range(400))


@pytest.mark.parametrize("expected", [0, 2, 5, 40], ids=["none", "fewer", "exact", "more"])
def test_columns_grow_or_are_cut_when_the_count_was_off(expected):
    # The count read before the rows is a hint: an import committing in between must not lose or pad rows.
    columns = snapshot._Columns(expected)
    rows = np.arange(5)
    for lo, hi in ((0, 2), (2, 3), (3, 5)):
        columns.add({name: rows[lo:hi] for name in snapshot._COLUMNS})
    out = columns.finish()
    assert out["id"].tolist() == [0, 1, 2, 3, 4] and out["day"].dtype == np.int32
    assert all(out[name].size == 5 for name in snapshot._COLUMNS)
