"""The columnar snapshot holds exactly what the database holds and reloads on change."""

import datetime as dt

import numpy as np
import pytest

from observatorio.records import snapshot
from observatorio.records.models import Event, Source


@pytest.fixture
def source(db):
    return Source.objects.create(code="denuncias", name="Denuncias", kind="denuncia")


@pytest.fixture(autouse=True)
def _fresh_cache():
    snapshot.clear_cache()
    yield
    snapshot.clear_cache()


def test_empty_database_gives_an_empty_snapshot(db):
    snap = snapshot.get_snapshot()
    assert snap.size == 0
    assert snap.day.dtype == np.int32


def test_snapshot_columns_match_the_rows(source):
    Event.objects.create(source=source, occurred_on=dt.date(2024, 3, 1), occurred_time=dt.time(21, 45),
                         lon=-70.53, lat=-33.48)
    Event.objects.create(source=source, occurred_on=dt.date(1970, 1, 2), outside=True)
    snap = snapshot.get_snapshot()
    assert snap.size == 2
    order = np.argsort(snap.id)
    assert snap.day[order].tolist() == [snapshot.day_number(dt.date(2024, 3, 1)), 1]
    assert snap.minute[order].tolist() == [21 * 60 + 45, -1]
    assert snap.lon[order][0] == pytest.approx(-70.53)
    assert np.isnan(snap.lat[order][1])
    assert snap.area.tolist() == [-1, -1]
    assert snap.outside[order].tolist() == [False, True]
    assert snap.source.tolist() == [source.id, source.id]


def test_snapshot_is_cached_until_the_version_moves(source):
    first = snapshot.get_snapshot()
    assert snapshot.get_snapshot() is first
    Event.objects.create(source=source, occurred_on=dt.date(2024, 1, 1))  # the signal bumps the version
    second = snapshot.get_snapshot()
    assert second is not first and second.size == 1
    Event.objects.bulk_create([Event(source=source, occurred_on=dt.date(2024, 1, 2))])
    assert snapshot.get_snapshot() is second, "bulk writes must bump explicitly"
    snapshot.bump()
    assert snapshot.get_snapshot().size == 2


def test_day_numbers_round_trip():
    day = dt.date(2025, 12, 31)
    assert snapshot.from_day_number(snapshot.day_number(day)) == day


def _event(source, day, **extra):
    return Event.objects.create(source=source, occurred_on=day, **extra)


def test_rows_are_ordered_by_day_and_windows_are_slices(source):
    days = [dt.date(2024, 5, 3), dt.date(2023, 1, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 3), dt.date(2025, 1, 1)]
    ids = [_event(source, d).id for d in days]
    snap = snapshot.get_snapshot()
    assert snap.day.tolist() == sorted(snapshot.day_number(d) for d in days)
    # Same day: id order kept (stable sort).
    assert snap.id.tolist() == [ids[1], ids[2], ids[0], ids[3], ids[4]]
    window = snap.window(snapshot.day_number(dt.date(2024, 5, 1)), snapshot.day_number(dt.date(2024, 5, 3)))
    assert snap.id[window].tolist() == [ids[2], ids[0], ids[3]]
    empty = snap.window(snapshot.day_number(dt.date(2030, 1, 1)), snapshot.day_number(dt.date(2031, 1, 1)))
    assert snap.id[empty].size == 0


def test_vendor_sql_equals_the_generic_value_by_value_path(source, monkeypatch):
    """The integer SQL (julianday, substr) must give what Python's date and time parsing gives."""
    from observatorio.records.models import Category
    from observatorio.territory.models import Area

    cat = Category.objects.create(code="robo", name="Robo")
    area = Area.objects.create(code="X1", name="X1", level="uv")
    _event(source, dt.date(1969, 12, 31), occurred_time=dt.time(0, 0), category=cat, area=area, lon=0.0, lat=0.0)
    _event(source, dt.date(2024, 2, 29), occurred_time=dt.time(23, 59, 30, 500))
    _event(source, dt.date(2100, 3, 1), lon=-70.5, lat=None)
    fast = snapshot.load_snapshot()
    monkeypatch.setattr(snapshot, "_SQL", {})
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


def test_version_sql_reads_what_current_version_reads(source):
    from django.db import connection

    def read():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({snapshot.version_sql()})")
            return cursor.fetchone()[0] or 0

    assert read() == snapshot.current_version()
    snapshot.bump()
    assert read() == snapshot.current_version() > 0
    with pytest.raises(ValueError):
        snapshot.version_sql("x'; DROP TABLE records_event; --")


def test_a_version_read_by_the_caller_is_trusted(source):
    first = snapshot.get_snapshot()
    Event.objects.bulk_create([Event(source=source, occurred_on=dt.date(2024, 1, 2))])
    assert snapshot.get_snapshot(first.version) is first
    assert snapshot.get_snapshot(first.version + 1).size == 1
