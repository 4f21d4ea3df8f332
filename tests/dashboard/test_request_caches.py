"""What the data endpoints keep between requests: parsed filters per data state and query, never past a change.

Every request reads the state's key (one statement), so a change made anywhere — here, in another process,
inside or outside a transaction — is seen by the very next request.
"""

from __future__ import annotations

import pytest
from django.http import QueryDict

from observatorio import state
from observatorio.dashboard import filters


@pytest.fixture
def data(db):
    from observatorio.records.models import Category, Source
    from observatorio.territory.models import Area

    Source.objects.create(code="1461", name="Central 1461", kind="1461")
    family = Category.objects.create(code="familia-x", name="Familia X")
    Category.objects.create(code="robo-x", name="Robo X", parent=family)
    Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    state.reset()
    yield state.current()
    state.reset()


def test_a_repeated_query_is_parsed_once_per_state(data):
    query = QueryDict("period=ytd&measure=llamados-1461&family=familia-x&hour_from=20&hour_to=6")
    first, errors = filters.parse_filters(query, data)
    assert not errors and first.categories and first.end == data.as_of and first.hours == (20, 6)
    assert first.measure == "llamados-1461" and first.sources == (data.catalog.source_id["1461"],)
    again, _errors = filters.parse_filters(QueryDict("period=ytd&measure=llamados-1461&family=familia-x&hour_from=20"
                                                     "&hour_to=6"), data)
    assert again is first
    assert state.current() is data  # nothing moved: the same state, the same kept answers


def test_errors_are_not_kept_and_a_new_catalog_starts_afresh(data):
    from observatorio.records.models import Measure, Source

    query = QueryDict("measure=robos")
    for _ in range(2):
        f, errors = filters.parse_filters(query, data)
        assert f is None and "measure" in errors
    Source.objects.bulk_create([Source(code="stop", name="STOP", kind="stop")])  # no signal: the key moves
    measure = Measure.objects.create(code="robos", name="Robos", unit="casos", definition="Robos.")
    measure.sources.add(Source.objects.get(code="stop"))
    fresh = state.current()
    assert fresh is not data and fresh.events is data.events and fresh.index is data.index
    f, errors = filters.parse_filters(query, fresh)
    assert not errors and f.sources == (fresh.catalog.source_id["stop"],) and f.measure == "robos"


def test_a_new_boundary_moves_the_territory_key(db):
    import shapely

    from observatorio.state.key import read_key
    from observatorio.territory.models import Area, Boundary

    area = Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    before = read_key()
    boundary = Boundary(area=area)
    boundary.set_shape(shapely.box(-70.6, -33.5, -70.5, -33.4), area_km2=1.0)
    boundary.save()
    after = read_key()
    assert after.territory != before.territory and after.events == before.events
