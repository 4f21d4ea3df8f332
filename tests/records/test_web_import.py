"""The 1461 scenario of the core and CLI tests, through the import pages: the same counts, errors and batches."""

from __future__ import annotations

import json

import pytest

from observatorio.records.models import Event, ImportBatch, SourceMapping
from observatorio.records.pipeline import run_import
from observatorio.records.pipeline.report import batch_issues, write_report
from tests.records.test_pipeline_fixtures import CALLS_1461_ERRORS, CALLS_1461_WARNINGS, calls_file, territory  # noqa: F401 - fixtures
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture
from tests.records.test_wording import COMMAND

pytestmark = pytest.mark.django_db

KEYS = ("read", "imported", "updated", "duplicates", "rejected")


def _progress(client, token):
    return json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)


def _batch_counts(batch):
    return {"read": batch.rows_read, "imported": batch.rows_imported, "updated": batch.rows_updated,
            "duplicates": batch.rows_duplicate, "rejected": batch.rows_rejected}


def test_upload_preview_dry_run_commit_history_rollback_equal_the_core(client, web, personas, calls_file):
    core = run_import(calls_file, "1461", record_dry_run=False)
    assert (core.read, core.imported, core.duplicates, core.rejected) == (10, 5, 1, 4)
    login(client, "olga")

    token = token_of(upload(client, calls_file))
    stored = web / "uploads" / token
    assert (stored / "archivo.csv").read_bytes() == calls_file.read_bytes()

    page = client.get(f"/cargas/archivo/{token}/")
    html = page.content.decode()
    assert page.status_code == 200
    for fact in ('data-fact="encoding">cp1252<', 'data-fact="header_row">3<', 'data-fact="rows">10<',
                 "punto y coma (;)", "<th scope=\"col\">Folio</th>", "Ruidos molestos"):
        assert fact in html, fact
    assert page.context["preview"]["columns"] == ["Folio", "Fecha", "Hora", "Tipo", "Latitud", "Longitud",
                                                  "Dirección", "Resultado"]
    assert page.context["preview"]["row_numbers"][:3] == [4, 5, 7]  # the file's own rows: title and blanks count
    assert "Se omitió una fila de totales al final." in html
    assert Event.objects.count() == 0 and ImportBatch.objects.count() == 0

    response = client.post(f"/cargas/archivo/{token}/validar/")
    assert response["Location"] == f"/cargas/archivo/{token}/progreso/"
    job = _progress(client, token)
    assert (job["status"], job["kind"], job["percent"]) == ("done", "dry_run", 100)
    assert job["stages"] == ["read", "validate", "place", "dedupe"]
    dry = ImportBatch.objects.get(pk=job["batch"])
    assert dry.status == "dry_run" and Event.objects.count() == 0
    assert _batch_counts(dry) == {k: getattr(core, k) for k in KEYS}

    report = client.get(job["next"])
    assert report.context["batch"] == dry
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in report.context["errors"]] == CALLS_1461_ERRORS
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in report.context["warnings"]] == \
        CALLS_1461_WARNINGS
    assert report.context["unmapped"] == [("Fuegos artificiales", 2)]
    assert report.context["labels_form"] is None  # an operator sees the labels, the analysts map them
    html = report.content.decode()
    # The web shows the sentence of each code and what to do, never the pipeline's English detail (that is in the
    # downloadable report) nor a command line.
    assert "La fecha no es válida." in html and "February has 28 or 29 days" not in html
    assert COMMAND.search(html) is None
    assert 'data-count="imported">5<' in html and 'data-count="rejected">4<' in html

    csv = client.get(f"/cargas/lote/{dry.id}/informe.csv")
    assert csv.content == write_report(core.errors + core.warnings, "csv") == write_report(batch_issues(dry), "csv")
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(f"/cargas/lote/{dry.id}/informe.xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get(f"/cargas/lote/{dry.id}/informe.pdf").status_code == 404

    response = client.post(f"/cargas/archivo/{token}/importar/")
    assert response.status_code == 302
    job = _progress(client, token)
    assert (job["status"], job["kind"], job["percent"]) == ("done", "commit", 100)
    assert job["stages"] == ["read", "validate", "place", "dedupe", "write"]
    committed = ImportBatch.objects.get(pk=job["batch"])
    assert committed.status == "committed" and committed.created_by.username == "olga"
    assert Event.objects.filter(batch=committed).count() == 5
    assert _batch_counts(committed) == {k: getattr(core, k) for k in KEYS}
    assert job["next"] == f"/cargas/lote/{committed.id}/"
    assert not (stored / "archivo.csv").exists()  # kept only until the import was done
    # The upload is spent: a second commit of it is refused, nothing added.
    client.post(f"/cargas/archivo/{token}/importar/")
    assert ImportBatch.objects.filter(status="committed").count() == 1

    history = client.get("/cargas/?fuente=1461")
    rows = [(b.id, b.status, b.rows_imported) for b in history.context["page"]]
    assert rows == [(committed.id, "committed", 5), (dry.id, "dry_run", 5)]

    # Bob, the analyst, maps the unmapped label from the report and re-runs the same file: 2 new, 6 duplicates.
    client.logout()
    login(client, "bob")
    second = token_of(upload(client, calls_file))
    client.post(f"/cargas/archivo/{second}/validar/")
    report = client.get(f"/cargas/archivo/{second}/informe/")
    assert report.context["previous_batch"] == committed.id
    form = report.context["labels_form"]
    (key, label, count), = form.labels
    assert (label, count) == ("Fuegos artificiales", 2)
    client.post(f"/cargas/archivo/{second}/equivalencias/", {key: "ruidos"})
    client.post(f"/cargas/archivo/{second}/validar/")
    again = ImportBatch.objects.get(pk=_progress(client, second)["batch"])
    assert (again.rows_imported, again.rows_duplicate, again.rows_rejected) == (2, 6, 2)
    client.post(f"/cargas/archivo/{second}/importar/")
    second_batch = ImportBatch.objects.get(pk=_progress(client, second)["batch"])
    assert (second_batch.status, second_batch.rows_imported) == ("committed", 2)
    assert Event.objects.count() == 7

    # Olga rolls back Bob's 1461 batch: a confirmation first, then exactly its 2 events go.
    client.logout()
    login(client, "olga")
    confirm = client.get(f"/cargas/lote/{second_batch.id}/revertir/")
    assert confirm.status_code == 200 and "Se eliminarán los 2 eventos" in confirm.content.decode()
    unconfirmed = client.post(f"/cargas/lote/{second_batch.id}/revertir/")
    assert unconfirmed.status_code == 200 and Event.objects.count() == 7
    done = client.post(f"/cargas/lote/{second_batch.id}/revertir/", {"confirmar": "si"}, follow=True)
    assert f"Lote {second_batch.id:d} revertido. Eliminados: eventos 2," in done.content.decode()
    assert Event.objects.count() == 5
    second_batch.refresh_from_db()
    assert second_batch.status == "rolled_back"
    refused = client.post(f"/cargas/lote/{second_batch.id}/revertir/", {"confirmar": "si"})
    assert refused.status_code == 409 and "ya se revirtió" in refused.content.decode()


def test_the_mapping_page_saves_a_version_for_the_source(client, web, personas, territory, tmp_path):
    path = tmp_path / "llamados.csv"
    path.write_text("Folio;Día del llamado;Tipo\n1;05-01-2024;Ruidos molestos\n", encoding="utf-8")
    login(client, "olga")
    token = token_of(upload(client, path))
    page = client.get(f"/cargas/archivo/{token}/")
    assert page.context["failure"]["code"] == "required_column_missing"
    assert "Falta una columna obligatoria." in page.content.decode()
    assert 'id="validate-button"' not in page.content.decode()

    form = client.get(f"/cargas/archivo/{token}/columnas/").context["form"]
    assert form["label"].initial == "Tipo" and form["occurred_on"].initial == ""
    missing = client.post(f"/cargas/archivo/{token}/columnas/", {"label": "Tipo", "external_id": "Folio"})
    assert missing.status_code == 200 and "occurred_on" in missing.context["form"].errors
    assert SourceMapping.objects.count() == 0

    client.post(f"/cargas/archivo/{token}/columnas/",
                {"label": "Tipo", "external_id": "Folio", "occurred_on": "Día del llamado"})
    saved = SourceMapping.objects.get()
    assert (saved.version, saved.columns) == (1, {"occurred_on": "Día del llamado"})
    client.post(f"/cargas/archivo/{token}/validar/")
    job = _progress(client, token)
    batch = ImportBatch.objects.get(pk=job["batch"])
    assert (batch.rows_read, batch.rows_imported, batch.mapping["version"]) == (1, 1, 1)
    assert batch.mapping["columns"]["occurred_on"] == "Día del llamado"


def test_a_file_that_cannot_be_read_shows_why_and_keeps_nothing(client, web, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, "olga")
    # UTF-16 without its byte-order mark: NUL bytes everywhere, not text in any 8-bit encoding.
    raw = "Folio;Fecha;Tipo\n1;05-01-2024;Ruidos\n".encode("utf-16-le")
    response = client.post("/cargas/nueva/", {"file": SimpleUploadedFile("llamados.csv", raw), "source": "1461"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "No se pudo leer el archivo." in html and "datos binarios (bytes NUL)" in html
    assert ImportBatch.objects.count() == 0 and Event.objects.count() == 0
    assert list((web / "uploads").iterdir()) == []

    response = client.post("/cargas/nueva/", {"file": SimpleUploadedFile("notas.docx", b"x"), "source": "1461"})
    assert "El archivo debe ser CSV" in response.content.decode()
    assert list((web / "uploads").iterdir()) == []


def test_impossible_dates_and_a_missing_column_at_validation_write_nothing(client, web, personas, territory,
                                                                            tmp_path):
    from observatorio.records.models import Source
    from observatorio.records.pipeline.mapping import save_mapping

    path = tmp_path / "llamados.csv"
    path.write_text("Folio;Fecha;Tipo\n1;31-02-2024;Ruidos molestos\n2;2024-13-01;Ruidos molestos\n",
                    encoding="utf-8")
    login(client, "olga")
    token = token_of(upload(client, path))
    client.post(f"/cargas/archivo/{token}/validar/")
    report = client.get(f"/cargas/archivo/{token}/informe/")
    assert [(e["row"], e["code"]) for e in report.context["errors"]] == [(2, "bad_date"), (3, "bad_date")]
    html = report.content.decode()
    assert 'id="commit-button"' not in html and "Importar 0 filas" not in html
    assert 'id="nothing-to-import"' in html and "No hay filas que importar" in html
    assert Event.objects.count() == 0

    # The saved mapping names a column this file lacks (saved by someone else meanwhile): the job fails whole.
    save_mapping(Source.objects.get(code="1461"), set_columns={"occurred_on": "Fecha del llamado"})
    before = ImportBatch.objects.count()
    client.post(f"/cargas/archivo/{token}/importar/")
    job = _progress(client, token)
    assert job["status"] == "failed" and job["error"]["code"] == "mapped_column_missing"
    assert job["error"]["spanish"] == "Una columna de la asignación guardada no está en el archivo."
    page = client.get(f"/cargas/archivo/{token}/progreso/").content.decode()
    assert "Una columna de la asignación guardada no está en el archivo." in page
    assert ImportBatch.objects.count() == before and Event.objects.count() == 0


def test_the_pages_speak_english_when_asked(client, web, personas, calls_file):
    from django.conf import settings

    login(client, "olga")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    token = token_of(upload(client, calls_file))
    client.post(f"/cargas/archivo/{token}/validar/")
    html = client.get(f"/cargas/archivo/{token}/informe/").content.decode()
    assert "Validation report" in html and "The date is not valid." in html and "Import 5 rows" in html
    assert "Informe de validación" not in html
