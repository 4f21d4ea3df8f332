"""Events known only within a from–to window: mapping, validation, aware storage and aoristic use."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from observatorio.analysis.timepatterns import aoristic_weights
from observatorio.records.models import Event, EventRevision
from observatorio.records.pipeline import rollback_batch, run_import
from tests.records.test_pipeline_fixtures import territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
TOL = 1e-12
# Crime reports of burglaries and thefts found after the fact, Latin-1 with ';'.
WINDOWS = (
    "RUC;Fecha desde;Hora desde;Fecha hasta;Hora hasta;Delito;UV\n"
    "5001;20-01-2024;18:00;03-02-2024;11:30;Robo en lugar habitado;UV-1\n"
    "5002;05-01-2024;22:00;06-01-2024;07:00;Robo de vehículo motorizado;UV-2\n"
    "5003;10-01-2024;;10-01-2024;;Robo en lugar no habitado;UV-3\n"
    "5004;05-02-2024;20:00;02-02-2024;08:00;Robo en lugar habitado;UV-1\n"
    "5005;01-12-2023;;15-02-2024;;Robo en lugar no habitado;UV-4\n"
    "5006;12-02-2024;14:30;;;Robo de vehículo motorizado;UV-2\n"
    "5007;;;14-02-2024;10:00;Robo en lugar habitado;UV-3\n"
)
ERRORS = [
    (5, "Fecha desde/Fecha hasta", "05-02-2024 20:00 – 02-02-2024 08:00",
     "the window ends ('Fecha hasta': 02-02-2024 08:00) before it starts ('Fecha desde': 05-02-2024 20:00)"),
    (8, "Fecha desde/Fecha hasta", "14-02-2024 10:00",
     "the window has an end ('Fecha hasta') but no start ('Fecha desde')"),
]
WARNINGS = [(6, "Fecha desde/Fecha hasta", "01-12-2023 – 15-02-2024",
             "the window lasts 77.0 days, more than 31: its hour and weekday say little")]


def local(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SANTIAGO)


@pytest.fixture
def windows_file(tmp_path, territory):
    path = tmp_path / "robos_con_intervalo.csv"
    path.write_bytes(WINDOWS.encode("latin-1"))
    return path


def counts(result):
    return result.read, result.imported, result.duplicates, result.rejected


def test_windows_are_validated_with_exact_errors_and_warnings(windows_file):
    result = run_import(windows_file, "denuncia", as_of=dt.date(2024, 3, 1))
    assert counts(result) == (7, 5, 0, 2)
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == ERRORS
    assert [(w.row, w.column, w.value, w.message) for w in result.warnings] == WARNINGS
    assert result.mapping["columns"]["window_start_on"] == "Fecha desde"
    assert "occurred_on" not in result.mapping["columns"]


def test_commit_stores_aware_windows_and_the_start_date(windows_file):
    run_import(windows_file, "denuncia", commit=True, as_of=dt.date(2024, 3, 1))
    events = {e.external_id: e for e in Event.objects.all()}
    assert sorted(events) == ["5001", "5002", "5003", "5005", "5006"]
    got = {k: (e.occurred_on, e.occurred_time, e.window_start, e.window_end) for k, e in events.items()}
    assert got == {
        "5001": (dt.date(2024, 1, 20), None, local(2024, 1, 20, 18), local(2024, 2, 3, 11, 30)),
        "5002": (dt.date(2024, 1, 5), None, local(2024, 1, 5, 22), local(2024, 1, 6, 7)),
        "5003": (dt.date(2024, 1, 10), None, local(2024, 1, 10), local(2024, 1, 10, 23, 59, 59)),
        "5005": (dt.date(2023, 12, 1), None, local(2023, 12, 1), local(2024, 2, 15, 23, 59, 59)),
        "5006": (dt.date(2024, 2, 12), dt.time(14, 30), None, None),
    }
    # Summer time in January: Santiago is UTC-3.
    assert events["5002"].window_start == dt.datetime(2024, 1, 6, 1, 0, tzinfo=dt.UTC)


def test_aoristic_weights_of_imported_windows_sum_to_one_per_event(windows_file):
    run_import(windows_file, "denuncia", commit=True, as_of=dt.date(2024, 3, 1))
    rows = list(Event.objects.filter(window_start__isnull=False).order_by("external_id")
                .values_list("external_id", "window_start", "window_end"))
    starts = [s.astimezone(SANTIAGO) for _, s, _ in rows]
    ends = [e.astimezone(SANTIAGO) for _, _, e in rows]
    for method in ("blocks", "overlap"):
        weights = aoristic_weights(starts, ends, method=method)
        assert weights.shape == (4, 168)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=TOL)
    # 5002: Friday 5 January 22:00 to Saturday 07:00 covers nine clock hours, 1/9 each.
    blocks = aoristic_weights(starts, ends)[[k for k, _, _ in rows].index("5002")]
    friday, saturday = 4 * 24, 5 * 24
    assert np.flatnonzero(blocks).tolist() == [friday + 22, friday + 23] + list(range(saturday, saturday + 7))
    assert blocks[friday + 22] == pytest.approx(1 / 9, abs=TOL)


@pytest.mark.parametrize("limit, warned", [(7, [2, 6]), (100, [])], ids=["a-week", "a-hundred-days"])
def test_the_longest_window_is_an_option(windows_file, limit, warned):
    result = run_import(windows_file, "denuncia", as_of=dt.date(2024, 3, 1), options={"window_max_days": limit})
    assert [w.row for w in result.warnings if w.code == "long_window"] == warned
    assert counts(result) == (7, 5, 0, 2)


def test_a_corrected_window_updates_the_event_and_its_rollback_restores_it(windows_file, tmp_path):
    run_import(windows_file, "denuncia", commit=True, as_of=dt.date(2024, 3, 1))
    corrected = tmp_path / "robos_corregidos.csv"
    corrected.write_bytes(WINDOWS.replace("5001;20-01-2024;18:00", "5001;21-01-2024;09:00").encode("latin-1"))
    again = run_import(corrected, "denuncia", commit=True, as_of=dt.date(2024, 3, 1))
    assert counts(again) == (7, 1, 4, 2) and again.updated == 1
    event = Event.objects.get(external_id="5001")
    assert (event.occurred_on, event.window_start) == (dt.date(2024, 1, 21), local(2024, 1, 21, 9))
    assert EventRevision.objects.filter(event=event).count() == 1
    rollback_batch(again.batch)
    event.refresh_from_db()
    assert (event.occurred_on, event.window_start, event.window_end) == (
        dt.date(2024, 1, 20), local(2024, 1, 20, 18), local(2024, 2, 3, 11, 30))


def test_a_window_column_without_its_start_stops_the_import(tmp_path, territory):
    from observatorio.records.pipeline import ImportFailed

    path = tmp_path / "sin_desde.csv"
    path.write_text("RUC;Fecha;Fecha hasta;Delito\n1;01-01-2024;02-01-2024;Robo en lugar habitado\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        run_import(path, "denuncia")
    assert failed.value.code == "half_window" and "'Fecha hasta'" in failed.value.message


def test_files_without_windows_keep_their_hashes(tmp_path, territory):
    """Adding the window fields must not change the content hash of events without one."""
    from observatorio.records.pipeline import dedupe

    path = tmp_path / "denuncias.csv"
    path.write_text("Fecha;Hora;Delito;UV\n01-02-2024;10:00;Robo en lugar habitado;UV-1\n", encoding="utf-8")
    run_import(path, "denuncia", commit=True, as_of=dt.date(2024, 3, 1))
    event = Event.objects.get()
    assert event.window_start is None and event.occurred_time == dt.time(10)
    expected = dedupe.hash_rows([[v] for v in ["2024-02-01", 36000, "robo en lugar habitado", "", "", "", "UV-1",
                                               "", "", "", "", "", "", "", "", "{}"]])[0]
    assert event.content_hash == expected
