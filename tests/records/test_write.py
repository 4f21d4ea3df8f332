"""The shared event writer: JSON built column-wise equals json.dumps, values round-trip exactly, and the bulk-load
index (and, on PostgreSQL, foreign-key) rebuild is safe."""

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.records.models import Category, Event, Source
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
    """The definition of every index and foreign key of the events table, as the database states it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                           "WHERE indrelid = 'records_event'::regclass")
            found = cursor.fetchall()
            cursor.execute("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                           "WHERE conrelid = 'records_event'::regclass")
            return sorted(found) + sorted(cursor.fetchall())
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='records_event' "
                       "AND sql IS NOT NULL")
        return sorted(cursor.fetchall())


def _columns(source, n, start=dt.date(2024, 1, 1)):
    return {"source_id": source.id, "occurred_on": np.array([start + dt.timedelta(days=i % 300) for i in range(n)]),
            "lon": np.full(n, -70.53), "lat": np.full(n, -33.48), "original": [{"i": i} for i in range(n)]}


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_rebuilds_every_index_and_key(monkeypatch):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    before = _indexes()
    assert len(before) >= 5
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    with connection.cursor() as cursor:
        assert write.is_bulk_load(cursor, "records_event", 200)
    with transaction.atomic():
        assert write.insert_events(_columns(source, 200)) == 200
    assert _indexes() == before
    assert Event.objects.count() == 200
    assert Event.objects.order_by("id").first().original == {"i": 0}


@pytest.mark.django_db(transaction=True)
def test_a_small_load_into_a_larger_table_is_not_a_bulk_load(monkeypatch):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    with transaction.atomic():
        write.insert_events(_columns(source, 200))
    # The highest id stands for the stored rows (at least 200; more when earlier tests used ids).
    stored = Event.objects.order_by("-id").values_list("id", flat=True).first()
    assert stored >= 200
    with connection.cursor() as cursor:
        assert not write.is_bulk_load(cursor, "records_event", stored - 1)
        assert write.is_bulk_load(cursor, "records_event", stored)
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 1000)
    with connection.cursor() as cursor:
        assert not write.is_bulk_load(cursor, "records_event", 999)


@pytest.mark.django_db(transaction=True)
def test_a_failed_bulk_load_leaves_no_rows_and_every_index_and_key(monkeypatch):
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


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_with_a_key_pointing_nowhere_fails_whole(monkeypatch):
    """The foreign keys put back after the load are checked over the whole table, as row-by-row checks would be."""
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    before = _indexes()
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    columns = _columns(source, 200)
    columns["category_id"] = np.full(200, 987_654, dtype=np.int64)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            write.insert_events(columns)
    assert Event.objects.count() == 0
    assert _indexes() == before


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_breaking_a_unique_index_fails_whole(monkeypatch):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 10)
    columns = _columns(source, 200)
    columns["external_id"] = np.asarray(["F-1"] * 2 + [f"F-{i}" for i in range(2, 200)], dtype=object)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            write.insert_events(columns)
    assert Event.objects.count() == 0


# Text a writer could get wrong: COPY's escapes and NULL marker, quotes, accents, characters beyond the BMP.
TRICKY = ["plain", "back\\slash", "tab\there", "new\nline", "carriage\rreturn", "\\N", "N", "",
          'comillas "dobles"', "ñandú Peñalolén", "emoji 🚓", "trailing\\"]


@pytest.mark.parametrize("bulk", [False, True], ids=["in-place", "bulk-load"])
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_value_reads_back_exactly(monkeypatch, bulk):
    source = Source.objects.create(code="s", name="S", kind="denuncia")
    category = Category.objects.order_by("id").first() or Category.objects.create(code="c", name="C")
    monkeypatch.setattr(write, "REBUILD_MIN_ROWS", 1 if bulk else 10**9)
    n = len(TRICKY)
    lon = np.asarray([-70.123456789012, np.nan, 1e-7, -70.5] * 3)
    seconds = np.asarray([0, 59, 3600 * 23 + 59 * 60 + 59, -1] * 3)
    columns = {
        "source_id": source.id, "external_id": np.asarray([f"x{i}" for i in range(n)], dtype=object),
        "category_id": np.asarray([category.id, -1, category.id] * 4, dtype=np.int64),
        "original_label": np.asarray(TRICKY, dtype=object), "address": np.asarray(TRICKY[::-1], dtype=object),
        "occurred_on": np.asarray(["2024-02-29", "NaT", "1999-12-31"] * 4, dtype="datetime64[D]")[[0, 2] * 6],
        "occurred_time": seconds, "lon": lon, "lat": -lon, "outside": np.asarray([True, False] * 6),
        "victim_sex": np.asarray([None, "F", np.nan, "M"] * 3, dtype=object),
        "original": write.json_objects({"texto": TRICKY}), "attributes": [{"k": t} for t in TRICKY],
        "content_hash": "h",
    }
    with transaction.atomic():
        assert write.insert_events(columns) == n
    rows = list(Event.objects.order_by("id").values(
        "external_id", "category_id", "original_label", "address", "occurred_on", "occurred_time", "lon", "lat",
        "outside", "victim_sex", "original", "attributes"))
    assert [r["original_label"] for r in rows] == TRICKY
    assert [r["address"] for r in rows] == TRICKY[::-1]
    assert [r["original"] for r in rows] == [{"texto": t} for t in TRICKY]
    assert [r["attributes"] for r in rows] == [{"k": t} for t in TRICKY]
    assert [r["category_id"] for r in rows] == [category.id, None, category.id] * 4
    assert [r["occurred_on"] for r in rows] == [dt.date(2024, 2, 29), dt.date(1999, 12, 31)] * 6
    assert [r["occurred_time"] for r in rows] == [dt.time(0, 0), dt.time(0, 0, 59), dt.time(23, 59, 59), None] * 3
    stored_lon = [r["lon"] for r in rows]
    assert [x for x in stored_lon if x is not None] == [x for x in lon.tolist() if x == x]  # exact doubles
    assert [r["lat"] for r in rows][:2] == [70.123456789012, None]
    assert [r["outside"] for r in rows] == [True, False] * 6
    assert [r["victim_sex"] for r in rows] == ["", "F", "", "M"] * 3


@pytest.mark.parametrize("kind, values", [
    (write.ID, np.asarray([3, -1, 0, 10**12])),
    (write.INT, np.asarray([0, -5, 2**40])),
    (write.FLOAT, np.asarray([0.1, 1 / 3, np.nan, -70.436857, 1e20, 2.5e-7, -0.0])),
    (write.BOOL, np.asarray([True, False, True])),
    (write.DATE, np.asarray(["2024-02-29", "NaT", "1900-01-01"], dtype="datetime64[D]")),
    (write.TIME, np.asarray([0, 86_399, -1, 86_400, 45_296])),
    (write.TEXT, np.asarray(["a", None, np.nan, "tab\t", "\\N", "ñ"], dtype=object)),
    (write.JSON, np.asarray(['{"a": "b\\\"c"}', "{}"], dtype=object)),
], ids=["ids", "ints", "floats", "bools", "dates", "times", "texts", "json"])
def test_the_fast_copy_fields_equal_the_general_path(kind, values):
    fast = write._fast_field(values, kind)
    assert fast is not None, "this input should take the fast path"
    assert fast.to_pylist() == write._copy_field(write._CONVERT[kind](values), kind).to_pylist()


def test_copy_fields_escape_and_mark_nulls():
    field = write._copy_field(["a\\b", "c\td", None, "\\N", "e\nf\rg"], write.TEXT)
    assert field.to_pylist() == ["a\\\\b", "c\\td", "\\N", "\\\\N", "e\\nf\\rg"]
    assert write._copy_field([1.5, None], write.FLOAT).to_pylist() == ["1.5", "\\N"]
    # Inputs outside the fast paths (float ids with NaN, dicts for JSON) take the general one.
    float_ids = np.asarray([3.0, np.nan, 7.0])
    assert write._fast_field(float_ids, write.ID) is None
    assert write._copy_fields({"source_id": float_ids}, {"source_id": write.ID}, {}, 3)[0].to_pylist() == \
        ["3", "\\N", "7"]
    assert write._copy_fields({"original": [{"a": 1}]}, {"original": write.JSON}, {}, 1)[0].to_pylist() == \
        ['{"a": 1}']


def test_escape_detection_reads_only_the_array_own_bytes():
    strings = pa.array(["ñandú", 'say "hi"', "plain", "tab\there"], type=pa.large_string())
    assert write._holds_any(strings, write._JSON_ESCAPED)
    assert not write._holds_any(strings.slice(0, 1), write._JSON_ESCAPED)  # multi-byte UTF-8 is never a mark
    assert not write._holds_any(strings.slice(2, 1), write._COPY_ESCAPED)  # the tab after the slice is not read
    assert write._holds_any(strings.slice(3, 1), write._COPY_ESCAPED)
    assert not write._holds_any(pa.array([], type=pa.large_string()), write._COPY_ESCAPED)
