"""Perception surveys through the import pipeline into SurveyResponse, on a messy file written here."""

from __future__ import annotations

import numpy as np
import pytest

from observatorio.analysis.perception import fear_by_area
from observatorio.records.models import BatchStatus, Event, ImportBatch, SurveyResponse
from observatorio.records.pipeline import rollback_batch, run_import
from observatorio.records.pipeline.answers import FEELS_UNSAFE, YES_NO, parse_answers
from tests.records.test_pipeline_fixtures import point_text, territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SURVEY = "Encuesta de percepción Peñalolén 2024"
# Latin-1, ';', a title row and a blank line above the header, decimal-comma weights, Likert and yes/no
# answers in their Spanish variants, a respondent located only by a point ({P}, inside UV-3), an Excel
# "#N/A" weight, an unknown UV, a repeated respondent and an answer that is no answer (NS/NR).
SURVEY_FILE = (
    "Encuesta de percepción de seguridad - marzo 2024;;;;;;;;;\n"
    ";;;;;;;;;\n"
    "Folio;Fecha;UV;Latitud;Longitud;Factor;Seguridad barrio;Víctima 12 meses;Edad;Sexo\n"
    "1;15-03-2024;UV-1;;;1,25;Muy inseguro;Sí;34;F\n"
    "2;15-03-2024;UV-1;;;0,75;Seguro;No;51;M\n"
    "3;16-03-2024;UV-2;;;2,5;Inseguro;si;29;F\n"
    "4;16-03-2024;UV-2;;;1,5;Muy seguro;0;62;M\n"
    "5;16-03-2024;;{P};1,0;sí;1;40;F\n"
    "6;17-03-2024;UV-3;;;#N/A;Inseguro;No;33;M\n"
    "7;17-03-2024;UV-99;;;1,1;Seguro;No;45;F\n"
    "8;18-03-2024;UV-4;;;3,25;No;No;38;M\n"
    "9;18-03-2024;UV-4;;;1,75;1;Sí;27;F\n"
    "2;15-03-2024;UV-1;;;0,75;Seguro;No;51;M\n"
    "10;18-03-2024;UV-4;;;0,5;NS/NR;No;70;F\n"
    "11;19-03-2024;UV-1;;;2,0;Ni seguro ni inseguro;No;22;M\n"
)
ERRORS = [
    (9, "Factor", "#N/A", "'#N/A' is not a number"),
    (10, "UV", "UV-99", "no area has this code"),
    (14, "Seguridad barrio", "NS/NR", "not an answer this column accepts"),
]
# Hand-computed from the file: Σ w·unsafe / Σ w per area, over the imported respondents.
EXPECTED_SHARE = {"UV-1": 1.25 / 4.0, "UV-2": 2.5 / 4.0, "UV-3": 1.0, "UV-4": 1.75 / 5.0}
TOL = 1e-12


def survey_text(territory, text=SURVEY_FILE) -> str:
    return text.replace("{P}", point_text(territory["UV-3"][1]))


@pytest.fixture
def survey_file(tmp_path, territory):
    path = tmp_path / "encuesta_marzo.csv"
    path.write_bytes(survey_text(territory).encode("latin-1"))
    return path


def counts(result):
    return result.read, result.imported, result.duplicates, result.rejected


def run(path, **kwargs):
    return run_import(path, "encuesta", options={"survey": SURVEY}, **kwargs)


@pytest.mark.parametrize("table, cases", [
    (FEELS_UNSAFE, {"Sí": True, "si": True, "SI": True, "1": True, "No": False, "0": False, "Muy inseguro": True,
                    "Inseguro": True, "insegura": True, "Seguro": False, "Muy segura": False,
                    "Ni seguro ni inseguro": False}),
    (YES_NO, {"Sí": True, "si": True, "1": True, "No": False, "0": False}),
], ids=["feels_unsafe", "yes_no"])
def test_the_documented_answer_rule(table, cases):
    import pandas as pd

    value, known = parse_answers(pd.Series(list(cases)), table)
    assert known.all() and value.tolist() == list(cases.values())
    _, known = parse_answers(pd.Series(["Muy inseguro", "NS/NR", ""]), YES_NO)
    assert known.tolist() == [False, False, False]


def test_dry_run_reports_exact_errors_and_writes_nothing(survey_file):
    result = run(survey_file)
    assert counts(result) == (12, 8, 1, 3)
    assert result.read == result.imported + result.duplicates + result.rejected
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == ERRORS
    assert all(e.file == "encuesta_marzo.csv" and e.fix for e in result.errors)
    assert result.errors[2].fix.startswith("write Sí/Si/1 or No/0, or one of Muy inseguro")
    assert result.status == "dry_run" and SurveyResponse.objects.count() == 0 and Event.objects.count() == 0
    assert result.mapping["columns"]["weight"] == "Factor"
    assert result.mapping["attributes"] == {"Edad": "Edad", "Sexo": "Sexo"}


def test_commit_writes_responses_not_events(survey_file, territory):
    result = run(survey_file, commit=True)
    assert result.status == "committed" and counts(result) == (12, 8, 1, 3)
    assert Event.objects.count() == 0
    rows = {r.external_id: r for r in SurveyResponse.objects.all()}
    assert sorted(rows, key=int) == ["1", "2", "3", "4", "5", "8", "9", "11"]
    uv = {code: area.id for code, (area, _) in territory.items()}
    assert rows["5"].area_id == uv["UV-3"]  # placed by its point
    assert (rows["1"].weight, rows["1"].feels_unsafe, rows["1"].victimized) == (1.25, True, True)
    assert (rows["11"].feels_unsafe, rows["4"].victimized, rows["3"].victimized) == (False, False, True)
    assert rows["1"].survey == SURVEY and rows["1"].answered_on.isoformat() == "2024-03-15"
    assert rows["1"].attributes == {"Edad": "34", "Sexo": "F"} and rows["1"].original["Factor"] == "1,25"
    assert all(r.batch_id == result.batch and len(r.content_hash) == 64 for r in rows.values())
    batch = ImportBatch.objects.get(pk=result.batch)
    assert (batch.rows_read, batch.rows_imported, batch.rows_duplicate, batch.rows_rejected) == (12, 8, 1, 3)


def test_weighted_share_per_area_equals_fear_by_area(survey_file):
    from django.db.models import Case, F, FloatField, Sum, When

    run(survey_file, commit=True)
    stored = (SurveyResponse.objects.values("area__code")
              .annotate(unsafe=Sum(Case(When(feels_unsafe=True, then=F("weight")), default=0.0,
                                        output_field=FloatField())), total=Sum("weight")))
    by_database = {r["area__code"]: r["unsafe"] / r["total"] for r in stored}
    rows = list(SurveyResponse.objects.values_list("area__code", "feels_unsafe", "weight"))
    area, unsafe, weight = (np.asarray(c) for c in zip(*rows))
    table = fear_by_area(area, unsafe, weight)
    assert table.index.tolist() == sorted(EXPECTED_SHARE)
    for code, share in EXPECTED_SHARE.items():
        assert by_database[code] == pytest.approx(share, abs=TOL)
        assert table.loc[code, "proportion"] == pytest.approx(share, abs=TOL)
    assert table.loc["UV-1", "n"] == 3


def test_the_same_file_again_adds_nothing_and_counts_add_up(survey_file):
    first = run(survey_file, commit=True)
    second = run(survey_file, commit=True)
    assert counts(second) == (12, 0, 9, 3) and second.previous_batch == first.batch
    assert SurveyResponse.objects.count() == 8


def test_respondents_without_id_are_recognised_by_content(tmp_path, territory):
    text = "\n".join(";".join(line.split(";")[1:]) for line in survey_text(territory).splitlines()) + "\n"
    path = tmp_path / "sin_folio.csv"
    path.write_bytes(text.encode("latin-1"))
    first = run(path, commit=True)
    assert counts(first) == (12, 8, 1, 3)  # the repeated respondent is the same content
    again = run(path, commit=True)
    assert counts(again) == (12, 0, 9, 3)
    assert set(SurveyResponse.objects.values_list("external_id", flat=True)) == {""}


def test_a_stored_respondent_with_other_answers_is_rejected_naming_its_batch(survey_file, tmp_path, territory):
    first = run(survey_file, commit=True)
    changed = survey_text(territory).replace("1;15-03-2024;UV-1;;;1,25;Muy inseguro", "1;15-03-2024;UV-1;;;1,25;Seguro")
    path = tmp_path / "encuesta_corregida.csv"
    path.write_bytes(changed.encode("latin-1"))
    again = run(path, commit=True)
    assert counts(again) == (12, 0, 8, 4)
    error = next(e for e in again.errors if e.code == "changed_response")
    assert (error.row, error.column, error.value) == (4, "Folio", "1")
    assert f"batch {first.batch}" in error.message and f"roll back batch {first.batch}" in error.fix
    assert SurveyResponse.objects.get(external_id="1").feels_unsafe is True


def test_rollback_removes_exactly_its_responses(survey_file, tmp_path, territory):
    other = tmp_path / "encuesta_abril.csv"
    other.write_bytes(("Folio;Fecha;UV;Factor;Seguridad barrio\n"
                       "A1;02-04-2024;UV-2;1,5;Inseguro\nA2;03-04-2024;UV-4;0,5;Seguro\n").encode("latin-1"))
    kept = run_import(other, "encuesta", commit=True)
    first = run(survey_file, commit=True)
    assert SurveyResponse.objects.count() == 10
    kept_rows = set(SurveyResponse.objects.filter(batch_id=kept.batch).values_list("id", flat=True))
    result = rollback_batch(first.batch)
    assert (result.responses_deleted, result.events_deleted) == (8, 0)
    assert set(SurveyResponse.objects.values_list("id", flat=True)) == kept_rows
    assert set(SurveyResponse.objects.values_list("survey", flat=True)) == {"encuesta_abril"}
    assert ImportBatch.objects.get(pk=first.batch).status == BatchStatus.ROLLED_BACK
    again = run(survey_file, commit=True)
    assert counts(again) == (12, 8, 1, 3)


def test_a_failure_during_the_write_leaves_nothing(survey_file):
    def progress(stage, done, total):
        if stage == "write":
            raise KeyboardInterrupt("interrupted")

    with pytest.raises(KeyboardInterrupt):
        run(survey_file, commit=True, progress=progress)
    assert SurveyResponse.objects.count() == 0
    assert not ImportBatch.objects.filter(status=BatchStatus.COMMITTED).exists()
