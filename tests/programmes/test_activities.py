"""Activities and beneficiaries registered by the programme's unit (programmes.activities and its pages):
who may write, one activity by the form, CSV (Latin-1, «;») and XLSX uploads validated cell by cell with
nothing written on an error, beneficiaries stored only as keyed hashes, counted once per programme."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from observatorio.errors import UserError


@pytest.fixture
def programme(people):
    from observatorio.programmes.models import Objective, Programme
    from observatorio.territory.models import Area

    p = Programme.objects.create(code="patrullaje", name="Patrullaje preventivo", unit=people["unit"],
                                 start=dt.date(2024, 1, 1))
    Objective.objects.create(programme=p, level="componente", position=1, statement="Rondas en sectores críticos")
    Objective.objects.create(programme=p, level="componente", position=2, statement="Talleres vecinales")
    comuna = Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    Area.objects.create(code="UV-07", name="Lo Hermida", level="uv", parent=comuna)
    return p


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rut(body: int) -> str:
    from observatorio.tables.rut import check_digit

    return f"{body:,}".replace(",", ".") + "-" + check_digit(body)


# --- who may write ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "allowed"), [("mario", True), ("hilda", True), ("alice", True), ("otto", False),
                                              ("bob", False), ("ana", False)])
def test_only_the_unit_and_administrators_record_activities(people, programme, who, allowed):
    from observatorio.audit.models import AuditEntry
    from observatorio.programmes import activities
    from observatorio.programmes.models import Activity

    user = people[who]
    assert activities.can_record(user, programme) is allowed
    if allowed:
        a = activities.record_activity(programme, user=user, title="Ronda nocturna", date=dt.date(2025, 3, 4),
                                       hours=3.5, participants=4)
        assert (a.title, a.date, float(a.hours), a.participants) == ("Ronda nocturna", dt.date(2025, 3, 4), 3.5, 4)
        entry = AuditEntry.objects.get(action="actividad")
        assert entry.username == user.username and entry.detail["activity"] == a.pk
    else:
        with pytest.raises(UserError, match="Solo la unidad responsable"):
            activities.record_activity(programme, user=user, title="Ronda", date=dt.date(2025, 3, 4))
        assert not Activity.objects.exists()


def test_the_web_form_records_for_a_member_and_refuses_an_authority(people, programme):
    from observatorio.programmes.models import Activity
    from observatorio.territory.models import Area

    uv = Area.objects.get(code="UV-07")
    comp = programme.objectives.get(position=2)
    page = _as(people["mario"]).get(f"/programas/{programme.code}/").content.decode()
    assert 'id="registrar-actividad"' in page and 'id="cargar-beneficiarios"' in page
    assert 'id="registrar-actividad"' not in _as(people["ana"]).get(f"/programas/{programme.code}/").content.decode()
    form = {"title": "Taller de parentalidad", "component": comp.pk, "date": "15-04-2025", "hours": "2,5",
            "area": uv.pk, "lat": "", "lon": "", "participants": "18", "notes": "Sede vecinal"}
    url = f"/programas/{programme.code}/actividades/nueva/"
    assert _as(people["ana"]).post(url, form).status_code == 403
    assert _as(people["otto"]).post(url, form).status_code == 403
    response = _as(people["mario"]).post(url, form, follow=True)
    a = Activity.objects.get()
    assert (a.title, a.date, float(a.hours), a.area, a.component, a.participants) == (
        "Taller de parentalidad", dt.date(2025, 4, 15), 2.5, uv, comp, 18)
    assert "Taller de parentalidad" in response.content.decode()


def test_a_point_needs_both_coordinates_and_the_date_not_before_the_programme(people, programme):
    from observatorio.programmes import activities

    with pytest.raises(UserError, match="latitud y longitud"):
        activities.record_activity(programme, user=people["mario"], title="X", date=dt.date(2025, 1, 1), lat=-33.4)
    with pytest.raises(UserError, match="anterior al inicio"):
        activities.record_activity(programme, user=people["mario"], title="X", date=dt.date(2023, 1, 1))
    a = activities.record_activity(programme, user=people["mario"], title="Punto", date=dt.date(2025, 1, 1),
                                   lat=-33.48, lon=-70.55)
    assert (a.lat, a.lon, a.area) == (-33.48, -70.55, None)


# --- many activities at once -------------------------------------------------------------------------------------


GOOD_CSV = ("Actividad;Fecha;Componente;Horas;Área;Participantes;Observaciones\n"
            "Ronda en Lo Hermida;03-02-2025;1;4,5;UV-07;0;Turno noche\n"
            "Taller de prevención;10-02-2025;Talleres vecinales;2;Lo Hermida;25;Sede Peñalolén\n")


def test_a_latin1_semicolon_csv_writes_every_row(people, programme):
    from observatorio.programmes import activities
    from observatorio.programmes.models import Activity

    result = activities.import_activities(programme, GOOD_CSV.encode("latin-1"), filename="actividades.csv",
                                          user=people["mario"])
    assert result.ok and result.written == 2
    rows = {a.title: a for a in Activity.objects.all()}
    assert float(rows["Ronda en Lo Hermida"].hours) == 4.5
    assert rows["Ronda en Lo Hermida"].component.position == 1
    assert rows["Taller de prevención"].component.position == 2
    assert rows["Taller de prevención"].participants == 25
    assert rows["Taller de prevención"].notes == "Sede Peñalolén"
    assert rows["Taller de prevención"].area.code == "UV-07"


def test_errors_name_file_row_and_column_and_nothing_is_written(people, programme):
    from observatorio.programmes import activities
    from observatorio.programmes.models import Activity

    bad = ("Actividad;Fecha;Horas;Área;Participantes\n"
           "Ronda;31-02-2025;2;UV-07;3\n"          # row 2: no such date
           "Taller;05-03-2025;dos;UV-99;-4\n"      # row 3: hours not a number, unknown area, negative people
           ";06-03-2025;1;;1\n"                    # row 4: no title
           "Bien;07-03-2025;1;;1\n")
    result = activities.import_activities(programme, bad.encode("latin-1"), filename="malo.csv",
                                          user=people["mario"])
    assert not result.ok and result.written == 0
    where = {(i.row, i.column) for i in result.issues}
    assert where == {(2, "Fecha"), (3, "Horas"), (3, "Área"), (3, "Participantes"), (4, "Actividad")}
    text = [str(i) for i in result.issues]
    assert any(t.startswith("malo.csv, fila 3, columna «Área»: el área «UV-99» no existe. Solución:") for t in text)
    assert not Activity.objects.exists()


def test_a_missing_column_is_named(people, programme):
    from observatorio.programmes import activities

    result = activities.import_activities(programme, b"Actividad,Horas\nRonda,2\n", filename="sin-fecha.csv",
                                          user=people["mario"])
    assert [(i.row, i.column) for i in result.issues] == [(None, "fecha")]
    assert "agregue una columna «fecha»" in str(result.issues[0])


def test_an_xlsx_upload_through_the_page(people, programme):
    from openpyxl import Workbook

    from observatorio.programmes.models import Activity

    book = Workbook()
    sheet = book.active
    sheet.append(["actividad", "fecha", "latitud", "longitud", "participantes"])
    sheet.append(["Ronda plaza", "04-05-2025", -33.48, -70.55, 6])
    sheet.append(["Ronda parque", "xx", -33.49, None, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    url = f"/programas/{programme.code}/actividades/cargar/"
    upload = SimpleUploadedFile("rondas.xlsx", buffer.getvalue())
    assert _as(people["ana"]).post(url, {"file": upload}).status_code == 403
    upload = SimpleUploadedFile("rondas.xlsx", buffer.getvalue())
    page = _as(people["hilda"]).post(url, {"file": upload}, follow=True).content.decode()
    assert "No se guardó nada" in page and "rondas.xlsx, fila 3, columna «fecha»" in page
    assert "rondas.xlsx, fila 3, columna «longitud»" in page
    assert not Activity.objects.exists()
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    page = _as(people["hilda"]).post(url, {"file": SimpleUploadedFile("rondas.xlsx", buffer.getvalue())},
                                     follow=True).content.decode()
    a = Activity.objects.get()
    assert (a.title, a.date, a.lat, a.lon, a.participants) == ("Ronda plaza", dt.date(2025, 5, 4), -33.48, -70.55, 6)
    assert "1 actividades registradas desde rondas.xlsx" in page


# --- beneficiaries -------------------------------------------------------------------------------------------------


def _raw_forms(body: int) -> list[str]:
    text = rut(body)
    return [text, text.replace(".", ""), text.replace(".", "").replace("-", ""), str(body)]


def test_beneficiaries_are_hashed_counted_once_and_no_rut_is_kept(people, programme, settings):
    from django.core.management import call_command

    from observatorio.programmes import activities
    from observatorio.programmes.models import Beneficiary
    from observatorio.records.identifiers import settings_key
    from observatorio.tables.rut import rut_key

    a, b, c = 12_345_678, 9_876_543, 15_151_515
    first = (f"RUT Beneficiario;Fecha de ingreso;Área\n{rut(a)};03-02-2025;UV-07\n"
             f"{rut(b).replace('.', '')};05-02-2025;\n"
             f"{rut(a).replace('.', '').replace('-', '')};01-02-2025;\n")  # a again, earlier: counted once
    before = set(Path(tempfile.gettempdir()).glob("obs-programa-*"))
    result = activities.import_beneficiaries(programme, first.encode("latin-1"), filename="benef.csv",
                                             user=people["mario"])
    assert result.ok and (result.written, result.already) == (2, 0)
    key = settings_key()
    stored = {x.person_key: x for x in Beneficiary.objects.filter(programme=programme)}
    assert set(stored) == {rut_key(rut(a), key), rut_key(rut(b), key)}
    assert stored[rut_key(rut(a), key)].first_served == dt.date(2025, 2, 1)
    assert stored[rut_key(rut(a), key)].area.code == "UV-07"

    second = f"run;fecha\n{rut(b)};01-01-2025\n{rut(c)};10-03-2025\n"
    result = activities.import_beneficiaries(programme, second.encode(), filename="benef2.csv", user=people["hilda"])
    assert (result.written, result.already) == (1, 1)
    assert Beneficiary.objects.filter(programme=programme).count() == 3
    assert Beneficiary.objects.get(person_key=rut_key(rut(b), key)).first_served == dt.date(2025, 1, 1)

    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    for body in (a, b, c):
        for form in _raw_forms(body):
            assert form not in dump, form
    for path in Path(settings.DATA_DIR).rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            data = path.read_bytes()
            assert not any(form.encode() in data for body in (a, b, c) for form in _raw_forms(body)[:3]), path
    assert set(Path(tempfile.gettempdir()).glob("obs-programa-*")) == before


def test_a_bad_rut_names_row_and_cell_and_nothing_is_counted(people, programme):
    from observatorio.programmes import activities
    from observatorio.programmes.models import Beneficiary

    good, body = rut(12_345_678), 11_111_111
    wrong = f"{body}-{'0' if rut(body)[-1] != '0' else '1'}"
    data = f"RUT;Fecha\n{good};03-02-2025\n{wrong};04-02-2025\n;05-02-2025\n".encode()
    result = activities.import_beneficiaries(programme, data, filename="lista.csv", user=people["mario"])
    assert [(i.row, i.column) for i in result.issues] == [(3, "RUT"), (4, "RUT")]
    assert "dígito verificador" in str(result.issues[0])
    assert wrong not in " ".join(str(i) for i in result.issues)  # the message does not repeat the RUT
    assert not Beneficiary.objects.exists()


def test_beneficiaries_page_upload_says_new_and_already_and_refuses_other_units(people, programme):
    url = f"/programas/{programme.code}/beneficiarios/cargar/"
    data = f"RUT;Fecha\n{rut(12_345_678)};03-02-2025\n".encode()
    assert _as(people["otto"]).post(url, {"file": SimpleUploadedFile("b.csv", data)}).status_code == 403
    page = _as(people["mario"]).post(url, {"file": SimpleUploadedFile("b.csv", data)}, follow=True).content.decode()
    assert "1 beneficiarios nuevos; 0 ya estaban contados" in page
    page = _as(people["mario"]).post(url, {"file": SimpleUploadedFile("b.csv", data)}, follow=True).content.decode()
    assert "0 beneficiarios nuevos; 1 ya estaban contados" in page


def test_an_upload_over_the_row_limit_is_refused_whole(people, programme, settings):
    from observatorio.programmes import activities
    from observatorio.programmes.models import Activity

    settings.UPLOAD_MAX_ROWS = 1
    with pytest.raises(UserError, match="grande.csv"):
        activities.import_activities(programme, GOOD_CSV.encode(), filename="grande.csv", user=people["mario"])
    assert not Activity.objects.exists()


def test_an_issue_reads_in_english(people, programme):
    from django.utils import translation
    from django.utils.translation import gettext

    from observatorio.programmes import activities

    result = activities.read_activities(programme, b"Actividad;Fecha\nRonda;31-02-2025\n", filename="a.csv")
    with translation.override("en"):
        assert result.issues[0].translated(gettext) == (
            "a.csv, row 2, column “Fecha”: “31-02-2025” is not a date. Fix: write the date as dd-mm-yyyy, "
            "e.g. 31-01-2025")
