"""No raw personal data is kept: a file full of personal columns goes through the import pages, and then no
value of it is anywhere in the database (every text column of every table) or under the data folder.

Also: a protected column cannot be mapped to a field that would store it; previews mask; uploads are deleted
when committed and when abandoned; files are 0600 in 0700 folders; the RUT key's fingerprint stops an import
made with another key; a missing key is never silently regenerated outside development.
"""

from __future__ import annotations

import os
import stat
import time

import pytest

from observatorio.tables.rut import check_digit
from tests.records.test_pipeline_fixtures import territory  # noqa: F401 - fixture
from tests.records.test_web_support import login, token_of, upload, web  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def rut(body: int, dotted=True) -> str:
    text = f"{body:,}".replace(",", ".") if dotted else str(body)
    return f"{text}-{check_digit(body)}"


VICTIM, VICTIM2, OFFENDER, CEDULA, IN_TEXT, IN_ADDRESS, IN_LABEL = (12345678, 9876543, 7654321, 11222333, 15432109,
                                                                   16543210, 13579246)
NAMES = ("Josefina Andrea", "Pérez Soto", "Benjamín", "Carrasco Lillo")
PHONES = ("+56 2 2345 6789", "987654321", "+56 9 4455 6677")
EMAILS = ("josefina.perez@example.cl", "b.carrasco@correo.example")
PASSPORT = "AB1234567"
HEADER = ("ID caso;Fecha;Tipo violencia;UV;Rut Víctima;RUTVictima;R.U.T.;Cédula;Nombres;Apellidos;Teléfono;"
          "Celular;E-mail;Pasaporte;Relación;Dirección;Observaciones")


def personal_file(tmp_path):
    rows = [
        f"C-1;2024-03-01;VIF;UV-1;{rut(VICTIM)};{rut(VICTIM, False)};{rut(OFFENDER)};{rut(CEDULA)};{NAMES[0]};"
        f"{NAMES[1]};{PHONES[0]};{PHONES[1]};{EMAILS[0]};{PASSPORT};pareja;Los Aromos 12 rut {rut(IN_ADDRESS)};"
        f"denuncia de {rut(IN_TEXT)} por amenazas",
        f"C-2;2024-03-02;Amenazas {rut(IN_LABEL)};UV-2;{rut(VICTIM2)};{rut(VICTIM2, False)};;{rut(CEDULA)};{NAMES[2]};{NAMES[3]};"
        f"{PHONES[2]};;{EMAILS[1]};;ex pareja;;llamó la víctima, RUT {rut(IN_TEXT, False)}",
    ]
    path = tmp_path / "vif_marzo.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def needles() -> list[str]:
    """Every raw personal value of the file, in the forms it could be stored (dotted, plain, compact)."""
    out = []
    for body in (VICTIM, VICTIM2, OFFENDER, CEDULA, IN_TEXT, IN_ADDRESS, IN_LABEL):
        out += [rut(body), rut(body, False), rut(body, False).replace("-", ""), f"{body:,}".replace(",", ".")]
    out += ["Josefina", "Andrea", "Pérez Soto", "Benjamín", "Carrasco Lillo", PASSPORT, *EMAILS,
            *PHONES, "2345 6789", "4455 6677", "44556677", "23456789"]
    return out


def database_text() -> list[tuple[str, str, str]]:
    """(table, column, value) of every non-empty value of every column of every table, as text."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    if value is not None and not isinstance(value, bool | int | float):
                        text = value.decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else \
                            str(bytes(value).decode("utf-8", "replace") if isinstance(value, memoryview) else value)
                        out.append((table, column, text))
    return out


def folder_text(root) -> list[tuple[str, str]]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            data = open(path, "rb").read()
            out.append((path, data.decode("utf-8", "replace")))
            out.append((path, data.decode("latin-1")))
    return out


def _vif_source():
    from observatorio.records.models import Source

    return Source.objects.get_or_create(code="vif", defaults={"name": "VIF", "kind": "vif"})[0]


def test_a_file_full_of_personal_columns_leaves_no_raw_value_in_the_database_or_the_data_folder(
        client, web, personas, territory, tmp_path):
    from observatorio.records.models import Event, ImportBatch
    from observatorio.records.pipeline.mapping import save_mapping

    source = _vif_source()
    # The free text is worth keeping for this source: it is an attribute, and its RUTs are masked.
    save_mapping(source, set_columns={"attr:observaciones": "Observaciones"})
    path = personal_file(tmp_path)
    login(client, "alice")
    token = token_of(upload(client, path, source="vif"))
    preview = client.get(f"/cargas/archivo/{token}/")
    html = preview.content.decode()
    for needle in needles():
        assert needle not in html, needle
    assert "Nombres" in preview.context["preview"]["protected"] and "[RUT]" in html
    client.post(f"/cargas/archivo/{token}/validar/")
    client.post(f"/cargas/archivo/{token}/importar/")
    batch = ImportBatch.objects.get(status="committed")
    assert batch.rows_imported == 1 and batch.rows_rejected == 1, batch.report
    # The label with a RUT in it is not a category: reported, masked, and the row rejected.
    assert batch.report["unmapped_categories"] == {"Amenazas [RUT]": 1}

    events = {e.external_id: e for e in Event.objects.all()}
    assert set(events) == {"C-1"}
    first = events["C-1"]
    # Only mapped fields and declared attributes, never an unmapped or protected column.
    assert set(first.original) == {"ID caso", "Fecha", "Tipo violencia", "UV", "Relación", "Dirección",
                                   "Observaciones"}
    assert first.attributes == {"observaciones": "denuncia de [RUT] por amenazas", "relacion": "pareja"}
    assert first.address == "Los Aromos 12 rut [RUT]"
    assert len(first.victim_key) == 64
    codes = {n["code"] for n in batch.report["notes"]}
    assert {"rut_column", "personal_column"} <= codes

    rows = database_text()
    assert any(t == "records_event" for t, _c, _v in rows)
    for needle in needles():
        hits = [(t, c) for t, c, v in rows if needle in v]
        assert not hits, (needle, hits)
    files = folder_text(web)
    assert files, "the data folder holds the upload's state"
    for needle in needles():
        hits = [p for p, text in files if needle in text]
        assert not hits, (needle, hits)
    # The uploaded file itself is gone once committed.
    assert not (web / "uploads" / token / "archivo.csv").exists()


def test_a_protected_column_cannot_be_mapped_to_a_field_that_would_store_it(territory, tmp_path):
    from observatorio.errors import UserError
    from observatorio.records.models import Event, SourceMapping
    from observatorio.records.pipeline import ImportFailed, run_import
    from observatorio.records.pipeline.mapping import save_mapping

    source = _vif_source()
    for name, column in (("attr:telefono", "Teléfono"), ("attr:rut", "RUTVictima"), ("external_id", "Cédula"),
                         ("address", "Nombres"), ("attr:correo", "E-mail"), ("victim_rut", "Apellidos")):
        with pytest.raises(UserError, match="no puede asignarse"):
            save_mapping(source, set_columns={name: column})
    assert not SourceMapping.objects.filter(source=source).exists()
    save_mapping(source, set_columns={"offender_rut": "R.U.T."})  # a RUT column to a RUT field: its hash only
    # A mapping stored before the rule (or edited by hand) is refused when the file is imported.
    SourceMapping.objects.create(source=source, version=9, columns={"attr:fono": "Celular"}, options={})
    with pytest.raises(ImportFailed) as caught:
        run_import(personal_file(tmp_path), source, commit=True)
    assert caught.value.code == "protected_column"
    assert "la columna «Celular» contiene datos personales" in caught.value.message and "attr:fono" in caught.value.fix
    assert Event.objects.count() == 0


def test_the_mapping_page_refuses_a_personal_column_with_a_message(client, web, personas, territory, tmp_path):
    from observatorio.records.models import SourceMapping

    _vif_source()
    login(client, "alice")
    token = token_of(upload(client, personal_file(tmp_path), source="vif"))
    page = client.get(f"/cargas/archivo/{token}/columnas/")
    data = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    data["external_id"] = "Nombres"
    response = client.post(f"/cargas/archivo/{token}/columnas/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Una columna con datos personales está asignada a un campo que la guardaría tal cual." in html
    assert "Columna: «Nombres»." in html and "holds personal data" not in html
    assert not SourceMapping.objects.exists()


def test_uploads_are_private_and_abandoned_ones_are_deleted(client, web, personas, settings, tmp_path, territory):
    from observatorio.records.web import uploads

    login(client, "alice")
    _vif_source()
    token = token_of(upload(client, personal_file(tmp_path), source="vif"))
    folder = web / "uploads" / token
    assert stat.S_IMODE((web / "uploads").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # A second upload, still fresh, and a third whose job is queued: both survive the purge.
    fresh = token_of(upload(client, personal_file(tmp_path), source="vif"))
    busy = token_of(upload(client, personal_file(tmp_path), source="vif"))
    uploads.load(busy).update_job(status="queued")
    settings.UPLOAD_RETENTION_HOURS = 2
    old = time.time() - 3 * 3600
    for name in (token, busy):
        for path in [web / "uploads" / name, *(web / "uploads" / name).iterdir()]:
            os.utime(path, (old, old))
    assert uploads.purge_expired() == 1
    assert not folder.exists()
    assert (web / "uploads" / fresh).exists() and (web / "uploads" / busy).exists()
    # Each new upload purges too.
    for path in [web / "uploads" / fresh, *(web / "uploads" / fresh).iterdir()]:
        os.utime(path, (old, old))
    token_of(upload(client, personal_file(tmp_path), source="vif"))
    assert not (web / "uploads" / fresh).exists()


def test_the_rut_key_fingerprint_stops_an_import_with_another_key(settings, territory, tmp_path):
    from observatorio.records.identifiers import fingerprint, stored_fingerprint
    from observatorio.records.models import Event
    from observatorio.records.pipeline import ImportFailed, run_import

    settings.RUT_HASH_KEY = "the-key-the-data-was-hashed-with-0123456789"
    source = _vif_source()
    run_import(personal_file(tmp_path), source, commit=True)
    assert stored_fingerprint() == fingerprint(settings.RUT_HASH_KEY.encode())
    assert len(stored_fingerprint()) == 16 and settings.RUT_HASH_KEY not in stored_fingerprint()
    count = Event.objects.count()
    settings.RUT_HASH_KEY = "a-regenerated-key-that-matches-nothing-0000"
    for path in (personal_file(tmp_path), tmp_path / "sin_rut.csv"):
        if path.name == "sin_rut.csv":
            path.write_text("ID caso;Fecha;Tipo violencia;UV\nC-9;2024-03-05;VIF;UV-1\n", encoding="utf-8")
        with pytest.raises(ImportFailed) as caught:
            run_import(path, source, commit=True)
        assert caught.value.code == "rut_key_mismatch"
        assert "no es aquella con que se cifraron los RUT de esta base" in caught.value.message
    assert Event.objects.count() == count


def test_a_missing_key_is_an_error_outside_development_and_is_created_once(settings, tmp_path, monkeypatch, db):
    from django.core.exceptions import ImproperlyConfigured

    from observatorio import env
    from observatorio.cli import main
    from observatorio.records.identifiers import fingerprint, settings_key, stored_fingerprint

    key_file = tmp_path / "secrets" / "rut_key"
    monkeypatch.delenv("OBS_RUT_KEY", raising=False)
    monkeypatch.setenv("OBS_RUT_KEY_FILE", str(key_file))
    settings.RUT_HASH_KEY = ""
    assert env.rut_key() == "" and not key_file.exists()  # never generated
    with pytest.raises(ImproperlyConfigured, match="observatorio rut-key --create"):
        settings_key()
    assert not key_file.exists() and stored_fingerprint() is None
    assert main(["rut-key", "--create"]) == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    key = settings_key()
    assert key == key_file.read_text().strip().encode() and stored_fingerprint() == fingerprint(key)
    assert main(["rut-key", "--create"]) == 2  # never replaced
    assert settings_key() == key


def test_imports_commits_and_rollbacks_are_audited_with_who(client, web, personas, territory, tmp_path):
    from observatorio.audit.models import AuditEntry
    from observatorio.records.models import ImportBatch
    from observatorio.records.pipeline import rollback_batch, run_import

    _vif_source()
    login(client, "alice")
    token = token_of(upload(client, personal_file(tmp_path), source="vif"))
    client.post(f"/cargas/archivo/{token}/validar/")
    client.post(f"/cargas/archivo/{token}/importar/")
    batch = ImportBatch.objects.get(status="committed")
    response = client.post(f"/cargas/lote/{batch.id}/revertir/", {"confirmar": "si"})
    assert response.status_code == 302
    ours = ("importacion", "confirmacion", "reversion")  # other actions (settings, users) are others' tests
    entries = list(AuditEntry.objects.filter(action__in=ours).order_by("id"))
    assert [(e.action, e.username, e.address) for e in entries] == [
        ("importacion", "alice", "127.0.0.1"), ("confirmacion", "alice", "127.0.0.1"),
        ("reversion", "alice", "127.0.0.1")]
    assert entries[1].detail["batch"] == batch.id and entries[1].detail["imported"] == 1
    assert entries[2].target == f"lote {batch.id}: vif_marzo.csv" and entries[2].detail["events_deleted"] == 1
    # The command line records the same actions (no web user: a command run on the server).
    result = run_import(personal_file(tmp_path), "vif", commit=True)
    rollback_batch(result.batch)
    later = AuditEntry.objects.filter(action__in=ours).order_by("id")
    assert list(later.values_list("action", "username"))[3:] == [("confirmacion", ""), ("reversion", "")]
    import getpass

    assert later.last().detail["system_user"] == getpass.getuser()
    assert "system_user" not in entries[2].detail
