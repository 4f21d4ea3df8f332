"""Uploads are bounded: size, rows and inflated size (a zip bomb is refused from its directory, before it is
inflated), binary junk sent as CSV is refused clearly, and one import runs at a time per server, the next one
queued with its position shown."""

from __future__ import annotations

import json
import os
import threading
import time
import zipfile

import pytest

from observatorio.records.models import Event, ImportBatch
from tests.records.test_pipeline_fixtures import calls_file, territory  # noqa: F401 - fixtures
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _web_failure(client, path, status):
    login(client, "olga")
    response = upload(client, path)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def _core_failure(path):
    from observatorio.records.pipeline import ImportFailed, run_import

    with pytest.raises(ImportFailed) as caught:
        run_import(path, "1461", commit=True)
    return caught.value.message


def test_a_file_over_the_size_limit_is_refused_and_nothing_kept(client, web, personas, settings, tmp_path):
    settings.UPLOAD_MAX_MB = 0.05
    path = tmp_path / "grande.csv"
    path.write_text("Folio;Fecha;Tipo\n" + "".join(f"{i};05-01-2024;Ruidos molestos\n" for i in range(5000)))
    assert path.stat().st_size > 0.05 * 1024 * 1024
    html = _web_failure(client, path, 413)
    assert "grande.csv" in html and "el archivo supera el límite de 51,2 KB" in html and "OBS_UPLOAD_MAX_MB" in html
    assert list((web / "uploads").iterdir()) == []
    message = _core_failure(path)
    assert message.startswith("grande.csv: el archivo pesa ") and "más que el límite de 51,2 KB" in message
    assert not ImportBatch.objects.exists()


def test_an_upload_declared_too_large_is_refused_before_its_body_is_read(client, web, personas, settings):
    settings.UPLOAD_MAX_MB = 1
    login(client, "olga")
    response = client.generic("POST", "/cargas/nueva/", b"x" * 10, CONTENT_TYPE="multipart/form-data; boundary=b",
                              CONTENT_LENGTH=str(5 * 1024 * 1024))
    assert response.status_code == 413
    assert "el archivo enviado: el archivo supera el límite de 1 MB (OBS_UPLOAD_MAX_MB)" in response.content.decode()
    assert not (web / "uploads").exists() or list((web / "uploads").iterdir()) == []


def test_a_file_over_the_row_limit_is_refused(client, web, personas, settings, tmp_path):
    settings.UPLOAD_MAX_ROWS = 5
    path = tmp_path / "filas.csv"
    path.write_text("Folio;Fecha;Tipo\n" + "".join(f"{i};05-01-2024;Ruidos molestos\n" for i in range(6)))
    message = _core_failure(path)
    assert "filas.csv: el archivo tiene 6 filas, más que el límite de 5" in message and "OBS_UPLOAD_MAX_ROWS" in message
    path.write_text("Folio;Fecha;Tipo\n" + "".join(f"{i};05-01-2024;Ruidos molestos\n" for i in range(500)))
    assert "más que el límite de 5 filas" in _core_failure(path)  # counted before it is parsed
    html = _web_failure(client, path, 422)
    assert "filas.csv: el archivo tiene más de" in html and "OBS_UPLOAD_MAX_ROWS" in html
    assert list((web / "uploads").iterdir()) == []


def zip_bomb(path, inflated_mb: int):
    """An .xlsx-shaped zip whose sheet is `inflated_mb` MB of one repeated row (a few hundred KB packed)."""
    row = b"<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>" * 1000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(inflated_mb * 1024 * 1024 // len(row)):
                sheet.write(row)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(client, web, personas, settings, tmp_path, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = zip_bomb(tmp_path / "bomba.xlsx", 60)
    assert path.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    message = _core_failure(path)
    assert time.perf_counter() - started < 2
    assert "bomba.xlsx: el libro es una bomba zip" in message and "el límite es 200 veces" in message
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 20
    message = _core_failure(path)
    assert "bomba.xlsx: el libro se descomprimiría a 60 MB, más que el límite de 20 MB" in message
    assert "OBS_UPLOAD_MAX_UNCOMPRESSED_MB" in message
    html = _web_failure(client, path, 422)
    assert "bomba.xlsx: el libro se descomprimiría a 60 MB" in html
    assert list((web / "uploads").iterdir()) == [] and not ImportBatch.objects.exists()


def test_binary_junk_sent_as_csv_is_refused_clearly(client, web, personas, tmp_path):
    junk = bytes(b for b in os.urandom(40_000) if b)  # random bytes without NUL: no reader would call it text
    path = tmp_path / "llamados.csv"
    path.write_bytes(junk)
    message = _core_failure(path)
    assert "llamados.csv: no es un archivo de texto: sus primeros bytes son datos binarios" in message
    html = _web_failure(client, path, 422)
    assert "no es un archivo de texto" in html and "exporte de nuevo la tabla como CSV" in html


def _progress(client, token):
    return json.loads(client.get(f"/cargas/archivo/{token}/progreso.json").content)


def _wait(client, token, done, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = _progress(client, token)
        if done(data):
            return data
        time.sleep(0.05)
    raise AssertionError(f"the job never got there; last: {data}")


@pytest.mark.django_db(transaction=True)
def test_one_import_at_a_time_the_next_one_queued_with_its_position(client, web, personas, calls_file,
                                                                    monkeypatch):
    from observatorio.records.pipeline import write
    from observatorio.records.web import jobs

    monkeypatch.setattr(jobs, "RUNNER", jobs.threading_runner)
    monkeypatch.setattr(jobs, "POLL_SECONDS", 0.05)
    release = threading.Event()
    original = write.insert_events

    def held_insert(*args, **kwargs):
        assert release.wait(30), "the test never released the write"
        return original(*args, **kwargs)

    monkeypatch.setattr(write, "insert_events", held_insert)
    login(client, "olga")
    first = token_of(upload(client, calls_file))
    second = token_of(upload(client, calls_file))
    third = token_of(upload(client, calls_file))
    client.post(f"/cargas/archivo/{first}/importar/")
    _wait(client, first, lambda d: d["stage"] == "dedupe")
    client.post(f"/cargas/archivo/{second}/validar/")
    client.post(f"/cargas/archivo/{third}/validar/")
    waiting = _wait(client, third, lambda d: d["position"] == 3)
    assert waiting["status"] == "queued" and waiting["stages"] == []
    assert _wait(client, second, lambda d: d["position"] == 2)["stages"] == []
    page = client.get(f"/cargas/archivo/{second}/progreso/").content.decode()
    assert "este archivo es el número 2 de la fila" in page
    time.sleep(0.3)
    assert _progress(client, second)["status"] == "queued"  # still waiting: the first holds the server's turn

    release.set()
    done = _wait(client, first, lambda d: d["status"] in ("done", "failed"))
    assert done["status"] == "done" and done["position"] == 0
    for token in (second, third):
        final = _wait(client, token, lambda d: d["status"] in ("done", "failed"))
        assert final["status"] == "done" and final["position"] == 0, final
    assert Event.objects.count() == 5
    states = {t: json.loads((web / "uploads" / t / "state.json").read_text())["job"] for t in (first, second, third)}
    # First come, first served: each started after the one before it finished.
    assert states[first]["finished_at"] <= states[second]["finished_at"] <= states[third]["finished_at"]
