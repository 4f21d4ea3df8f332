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
