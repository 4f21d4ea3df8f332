"""Random and corrupted files never crash the pipeline, and its counts always add up."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatorio.records.pipeline import ImportFailed, run_import
from observatorio.records.pipeline.geocode import normalise_street, split_address
from tests.records.test_pipeline_fixtures import calls_text, make_territory

pytestmark = pytest.mark.django_db

CELLS = st.one_of(
    st.sampled_from(["05-01-2024", "31-02-2024", "2024-13-01", "45292", "", "22:15", "25:99", "Ruidos molestos",
                     "Riña", "Fuegos", "-33,48", "-70,55", "-70.55", "352000", "0,0", "Av. Grecia 8010", "1001",
                     "12.345.678-5", "Total", "\"", ";", "ñandú", "1.234,5"]),
    st.text(alphabet=st.characters(codec="latin-1", exclude_categories=("Cs",)), max_size=12),
)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=25)


def _check(result):
    assert result.read == result.imported + result.duplicates + result.rejected
    assert 0 <= result.updated <= result.imported
    assert len({e.row for e in result.errors if e.severity == "error"}) <= result.rejected + result.read


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, header=st.booleans(), encoding=st.sampled_from(["utf-8", "latin-1"]))
def test_random_tables_never_crash_and_counts_add_up(tmp_path_factory, rows, header, encoding):
    path = tmp_path_factory.mktemp("fuzz") / "llamados.csv"
    lines = (["Folio;Fecha;Hora;Tipo;Latitud;Longitud;Dirección"] if header else []) + [";".join(r) for r in rows]
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    try:
        result = run_import(path, "1461", record_dry_run=False)
    except ImportFailed:
        return
    _check(result)




@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_exports_never_crash_and_counts_add_up(tmp_path_factory, data):
    territory = _territory()
    raw = bytearray(calls_text(territory).encode("latin-1"))
    for _ in range(data.draw(st.integers(0, 6), label="edits")):
        position = data.draw(st.integers(0, len(raw) - 1), label="position")
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]), label="action")
        if action == "flip":
            raw[position] = data.draw(st.integers(0, 255), label="byte")
        elif action == "delete":
            del raw[position]
        elif action == "insert":
            raw[position:position] = data.draw(st.sampled_from([b";", b"\n", b"\"", b"\xff", b",", b"\x00"]))
        else:
            del raw[position:]
        if not raw:
            raw = bytearray(b"x")
    path = tmp_path_factory.mktemp("corrupt") / "llamados_1461.csv"
    path.write_bytes(bytes(raw))
    try:
        result = run_import(path, "1461", record_dry_run=False)
    except ImportFailed:
        return
    _check(result)


_TERRITORY = {}


def _territory():
    # Built once per test database: hypothesis runs many examples inside one test.
    from observatorio.territory.models import Area

    if not _TERRITORY or not Area.objects.filter(code="UV-1").exists():
        _TERRITORY.clear()
        _TERRITORY.update(make_territory())
    return _TERRITORY


@pytest.mark.parametrize("text, expected", [
    ("Av. Grecia 1234", ("avenida grecia", 1234)),
    ("AVENIDA GRECIA #1234", ("avenida grecia", 1234)),
    ("avda. grecia nº 1234", ("avenida grecia", 1234)),
    ("Pje. Los Aromos N° 45, depto 3", ("pasaje los aromos", 45)),
    ("Pob. Lo Hermida 12-B", ("poblacion lo hermida", 12)),
    ("Gral. Óscar Bonilla 600", ("general oscar bonilla", 600)),
    ("Calle 5 1234", ("calle 5", 1234)),
    ("Grecia", ("grecia", None)),
], ids=["av", "upper-hash", "avda-no", "pje-depto", "pob-letter", "gral-accent", "numbered-street", "no-number"])
def test_address_normalisation(text, expected):
    assert split_address(text) == expected


def test_street_names_compare_without_accents_case_or_abbreviations():
    assert normalise_street("Avda. José Arrieta") == normalise_street("AVENIDA JOSE ARRIETA") == "avenida jose arrieta"
