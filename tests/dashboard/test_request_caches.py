"""The per-request shortcuts of the data endpoints: parsed filters kept per query, and the stamp kept briefly.

They must never serve stale data for long: a new catalog or territory starts a new filter cache, and the
stamp is read again after ``CHECK_SECONDS``, at once after data committed or an edit in this process, and
always inside a transaction.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from observatorio.dashboard import filters, stamp

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture
def catalog_and_index(db):
    from observatorio.records.models import Category, Source
    from observatorio.territory.index import get_index
    from observatorio.territory.models import Area

    Source.objects.create(code="1461", name="Central 1461", kind="1461")
    family = Category.objects.create(code="familia-x", name="Familia X")
    Category.objects.create(code="robo-x", name="Robo X", parent=family)
    Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    filters.clear_cache()
    return filters.get_catalog(), get_index()


def test_a_repeated_query_is_parsed_once(catalog_and_index):
    catalog, index = catalog_and_index
    query = QueryDict("period=12m&source=1461&family=familia-x")
    first, errors = filters.parse_filters(query, as_of=AS_OF, index=index, catalog=catalog)
    assert not errors and first.categories
    again, _errors = filters.parse_filters(QueryDict("period=12m&source=1461&family=familia-x"), as_of=AS_OF,
                                           index=index, catalog=catalog)
    assert again is first
    later, _errors = filters.parse_filters(query, as_of=AS_OF + dt.timedelta(days=1), index=index, catalog=catalog)
    assert later is not first and later.end == AS_OF + dt.timedelta(days=1)


def test_errors_are_not_kept_and_a_new_catalog_starts_afresh(catalog_and_index):
    from observatorio.records.models import Source

    catalog, index = catalog_and_index
    query = QueryDict("source=stop")
    for _ in range(2):
        f, errors = filters.parse_filters(query, as_of=AS_OF, index=index, catalog=catalog)
        assert f is None and "source" in errors
    Source.objects.create(code="stop", name="STOP", kind="stop")
    fresh = filters.get_catalog()
    assert fresh is not catalog
    f, errors = filters.parse_filters(query, as_of=AS_OF, index=index, catalog=fresh)
    assert not errors and f.sources == (fresh.source_id["stop"],)


def test_boundaries_are_part_of_the_territory_key(db):
    import shapely

    from observatorio.territory.index import _key
    from observatorio.territory.models import Area, Boundary

    area = Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    before = _key()
    boundary = Boundary(area=area)
    boundary.set_shape(shapely.box(-70.6, -33.5, -70.5, -33.4), area_km2=1.0)
    boundary.save()
    assert _key() != before


@pytest.fixture
def committed(transactional_db):
    """Outside any transaction, as a server's requests run: the stamp may keep its keys."""
    stamp.forget()
    yield
    stamp.forget()


def _insert_source_behind_the_orms_back(code: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO records_source (code, name, kind, description, owner_unit) "
                       "VALUES (%s, %s, 'stop', '', '')", [code, code])


def test_between_reads_a_request_asks_the_database_nothing(committed):
    first = stamp.read_stamp()
    with CaptureQueriesContext(connection) as queries:
        assert stamp.read_stamp() == first
    assert queries.captured_queries == []


def test_changes_elsewhere_are_seen_after_the_check_interval(committed, monkeypatch):
    from observatorio.records import snapshot

    snapshot.bump()  # the events' version row exists
    first = stamp.read_stamp()
    # As another process would write: no signal reaches this one.
    _insert_source_behind_the_orms_back("otra-fuente")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_dataversion SET version = version + 1 WHERE name = 'events'")
    assert stamp.read_stamp() == first
    clock = stamp.time.monotonic()
    monkeypatch.setattr(stamp.time, "monotonic", lambda: clock + stamp.CHECK_SECONDS + 0.1)
    later = stamp.read_stamp()
    assert later.catalog != first.catalog and later.events == first.events + 1


def test_data_committed_and_edits_here_are_seen_at_once(committed):
    from observatorio.records import snapshot
    from observatorio.records.models import Category

    first = stamp.read_stamp()
    _insert_source_behind_the_orms_back("importada")  # an import adds a source and bumps the events' version
    snapshot.bump()
    moved = stamp.read_stamp()
    assert moved.events == first.events + 1 and moved.catalog != first.catalog
    Category.objects.create(code="nueva", name="Nueva")  # the admin, in this process
    assert stamp.read_stamp().catalog != moved.catalog


def test_inside_a_transaction_every_key_is_read(db):
    stamp.forget()
    stamp.read_stamp()
    _insert_source_behind_the_orms_back("en-transaccion")
    with CaptureQueriesContext(connection) as queries:
        stamp.read_stamp()
    assert len(queries.captured_queries) == 1 and "records_category" in queries.captured_queries[0]["sql"]
