"""The shared event writer: JSON built column-wise equals json.dumps, and SQLite's index rebuild is safe."""

import datetime as dt
import json

import numpy as np
import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.records.models import Event, Source
from observatorio.records.pipeline import write

# Strings that need escaping, accents and control characters, plus plain ones.
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
# A column holds one type (plus missing values), as every column of an import does; a column mixing
# False with 0 or 1 with 1.0 is outside the contract (pandas.factorize treats equal values as one).
column_values = st.sampled_from([
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.integers(-10**6, 10**6)),
    # -0.0 and 0.0 are one value to factorize too: the writer may write either (documented).
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: f + 0.0)),
    st.one_of(st.none(), texts),
])


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(1, 40))
def test_json_objects_equal_json_dumps_row_by_row(data, n):
    columns = {key: data.draw(st.lists(data.draw(column_values), min_size=n, max_size=n), label=key)
               for key in ("a", "b", "c")}
    built = write.json_objects(columns)
    rows = [{key: columns[key][i] for key in columns} for i in range(n)]
    assert list(built) == [json.dumps(row, ensure_ascii=False) for row in rows]


def test_many_distinct_strings_take_the_quoting_path_and_stay_exact():
    values = [f"calle {i} ñandú" for i in range(5000)] + ['comillas "dobles" \\ y\ttab']
    built = write.json_objects({"address": values})
    assert list(built) == [json.dumps({"address": v}, ensure_ascii=False) for v in values]


def test_omit_empty_leaves_the_key_out():
    built = write.json_objects({"a": [1, 2], "b": ["", "x"]}, omit_empty=("b",))
    assert list(built) == ['{"a": 1}', '{"a": 2, "b": "x"}']


def _indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='records_event' "
                       "AND sql IS NOT NULL")
        return sorted(r[0] for r in cursor.fetchall())


def _columns(source, n, start=dt.date(2024, 1, 1)):
    return {"source_id": source.id, "occurred_on": np.array([start + dt.timedelta(days=i % 300) for i in range(n)]),
            "lon": np.full(n, -70.53), "lat": np.full(n, -33.48), "original": [{"i": i} for i in range(n)]}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index rebuild is SQLite's path")
@pytest.mark.django_db(transaction=True)
def test_large_sqlite_insert_rebuilds_every_index(monkeypatch):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    before = _indexes()
    assert len(before) >= 5
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    with transaction.atomic():
        assert write.insert_events(_columns(source, 200)) == 200
    assert _indexes() == before
    assert Event.objects.count() == 200
    assert Event.objects.order_by("id").first().original == {"i": 0}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index rebuild is SQLite's path")
@pytest.mark.django_db(transaction=True)
def test_a_failed_large_insert_leaves_no_rows_and_all_indexes(monkeypatch):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    before = _indexes()
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    calls = []

    def explode(stage, done, total):
        calls.append(done)
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        with transaction.atomic():
            write.insert_events(_columns(source, 200), progress=explode)
    assert calls, "the progress callback was never called"
    assert Event.objects.count() == 0
    assert _indexes() == before
