"""The programmes pages for every role, and the entry forms through programmes.entry (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.programmes.pages_world import SUCCESSES, build_world

READERS = ("alice", "bob", "olga", "ana")


@pytest.fixture
def world(db, personas):
    return build_world(personas)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_opens_for_every_reader_and_not_without_a_role(world, personas):
    urls = ["/programas/", f"/programas/{world.programme.code}/", f"/indicadores/{world.indicator.code}/",
            f"/metas/{world.year}/", f"/metas/{world.year}/evaluacion/", f"/metas/{world.year}/tablero/",
            f"/metas/{world.year}/tablero/?por=areas"]
    for who in READERS:
        client = _as(personas[who])
        for url in urls:
            assert client.get(url).status_code == 200, (who, url)
    charlie = _as(personas["charlie"])
    assert all(charlie.get(url).status_code == 403 for url in urls)
    assert Client().get(urls[0]).status_code == 302  # anonymous: to the login


def test_programme_page_shows_the_logical_framework_money_and_counts(world, personas):
    html = _as(personas["ana"]).get(f"/programas/{world.programme.code}/").content.decode()
    for text in ("Marco lógico", "Mejorar la seguridad percibida", "Encuesta anual", "Se mantiene la dotación",
                 "Atender a tiempo los llamados", "$ 120.000.000", "$ 90.500.000", "75,4 %", "Turno nocturno",
                 "Llamados atendidos a tiempo"):
        assert text in html, text
    assert '<dd class="num" id="beneficiaries">2</dd>' in html
    # December, the latest, meets its target: the word beside the colour, its explanation readable without hover.
    assert "cumple la meta" in html and "Todo el intervalo de confianza está del lado bueno de la meta." in html


def test_indicator_page_lists_the_year_with_words_and_marks_the_special_cause(world, personas):
    html = _as(personas["ana"]).get(f"/indicadores/{world.indicator.code}/").content.decode()
    assert "Llamados atendidos en menos de 15 min" in html  # the formula in words
    assert html.count("no cumple la meta") >= 1  # November's 20 %
    assert "cumple la meta" in html and 'title="Todo el intervalo' in html
    assert 'id="indicator-xmr"' in html and 'id="special-causes"' in html
    special = html.split('id="special-causes"')[1].split("</ul>")[0]
    assert "nov" in special and "20,0" in special and "preocupación" in special
    assert "mia" in html  # who entered
    assert "<form" not in html.split('id="mediciones"')[1]  # an authority enters nothing


def test_a_member_enters_an_authority_gets_403(world, personas):
    from observatorio.programmes.models import Measurement

    url = f"/indicadores/{world.indicator.code}/ingresar/"
    first = Measurement.objects.get(indicator=world.indicator, period_start__month=1, area__isnull=True)
    period = f"{first.period_start.isoformat()}_{first.period_end.isoformat()}"
    assert "Guardar medición" in _as(world.member).get(f"/indicadores/{world.indicator.code}/").content.decode()
    # the form lists this year's and last year's periods; January of last year is among them
    response = _as(world.member).post(url, {"period": period, "numerator": "85", "denominator": "100"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.numerator, first.denominator) == (85, 100)
    assert first.revisions.count() == 2  # the first entry and this correction
    assert _as(personas["ana"]).post(url, {"period": period, "numerator": "1", "denominator": "100"}).status_code == 403
    assert _as(personas["charlie"]).post(url, {"period": period, "numerator": "1"}).status_code == 403
    assert _as(world.member).get(url).status_code == 405  # POST only
    first.refresh_from_db()
    assert first.numerator == 85


def test_bad_values_are_refused_with_a_message_and_nothing_written(world):
    from observatorio.programmes.models import Measurement

    m = Measurement.objects.get(indicator=world.indicator, period_start__month=2, area__isnull=True)
    response = _as(world.member).post(f"/indicadores/{world.indicator.code}/ingresar/",
                                      {"period": f"{m.period_start}_{m.period_end}", "numerator": "150",
                                       "denominator": "100"}, follow=True)
    assert "mayor que el denominador" in response.content.decode()
    m.refresh_from_db()
    assert m.numerator == SUCCESSES[1]


def test_head_approves_and_locks_member_cannot_change_it_admin_unlocks(world, personas):
    from observatorio.programmes.models import Measurement

    m = Measurement.objects.get(indicator=world.indicator, period_start__month=3, area__isnull=True)
    period = {"period": f"{m.period_start}_{m.period_end}", "numerator": "50", "denominator": "100"}
    assert _as(world.member).post(f"/mediciones/{m.id}/aprobar/").status_code == 403  # a member does not approve
    assert _as(personas["ana"]).post(f"/mediciones/{m.id}/aprobar/").status_code == 403
    assert _as(world.head).post(f"/mediciones/{m.id}/aprobar/").status_code == 302
    m.refresh_from_db()
    assert m.approval == "aprobada" and m.approved_by == world.head
    html = _as(world.member).post(f"/indicadores/{world.indicator.code}/ingresar/", period, follow=True)
    assert "no se puede cambiar" in html.content.decode()
    m.refresh_from_db()
    assert m.numerator == SUCCESSES[2]
    assert _as(world.head).post(f"/mediciones/{m.id}/cerrar/").status_code == 302
    m.refresh_from_db()
    assert m.approval == "cerrada"
    assert _as(world.head).post(f"/mediciones/{m.id}/abrir/").status_code == 403  # only administrators reopen
    assert _as(personas["alice"]).post(f"/mediciones/{m.id}/abrir/").status_code == 302
    m.refresh_from_db()
    assert m.approval == "ingresada"
    _as(world.member).post(f"/indicadores/{world.indicator.code}/ingresar/", period)
    m.refresh_from_db()
    assert m.numerator == 50
    assert [r.action for r in m.revisions.order_by("at", "id")] == ["ingreso", "aprobacion", "cierre", "reapertura",
                                                                     "correccion"]


def test_evaluation_counts_each_status(world, personas):
    html = _as(personas["ana"]).get(f"/metas/{world.year}/evaluacion/").content.decode()
    summary = html.split('id="evaluation-summary"')[1].split("</ul>")[0]
    # one indicator: its last reading of the year (December, 80 of 100, Wilson 71,1–86,7 > 70) meets the target
    assert "cumple la meta</span></span>: <strong>1</strong>" in summary
    assert "no cumple la meta</span></span>: <strong>0</strong>" in summary
    assert "Atender a tiempo" in html and 'id="print-page"' in html


def test_scorecard_shows_quarters_with_words_and_values(world, personas):
    html = _as(personas["ana"]).get(f"/metas/{world.year}/tablero/").content.decode()
    table = html.split('id="scorecard"')[1].split("</table>")[0]
    for quarter in ("T1", "T2", "T3", "T4"):
        assert f"{quarter} {world.year}" in table
    # each quarter shows its last month: March 79, June 83, September 82, December 80 — all meet 70
    assert table.count("cumple la meta") == 4 and "no cumple" not in table
    assert "79,0" in table and "83,0" in table


def test_scorecard_xlsx_opens_and_pdf_is_the_same_twice(world, personas):
    import openpyxl

    client = _as(personas["ana"])
    response = client.get(f"/metas/{world.year}/tablero/datos/?formato=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Meta anual", "Indicador", "Unidad de medida", f"T1 {world.year}")
    assert rows[1][:3] == ("Atender a tiempo", "Llamados atendidos a tiempo", "%")
    assert "79,0 · cumple la meta" in rows[1][3]
    first = client.get(f"/metas/{world.year}/tablero.pdf")
    second = client.get(f"/metas/{world.year}/tablero.pdf")
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert first.content == second.content
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
    assert "Llamados atendidos a tiempo" in text and "cumple la meta" in text


def test_indicator_series_downloads_as_csv(world, personas):
    response = _as(personas["bob"]).get(f"/indicadores/{world.indicator.code}/datos/?formato=csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Desde,Hasta,Numerador,Denominador,Valor")
    november = next(line for line in lines if line.startswith(f"{world.year}-11-01"))
    assert ",20.0,100.0,20.0," in november and "no cumple la meta" in november


def test_optional_blocks_render_only_when_their_template_exists(rf):
    from observatorio.programmes.views import _optional

    request = rf.get("/")
    assert _optional("programmes/_no_such_block.html", {}, request) == ""
    assert "Qué significa cada color" in _optional("programmes/_legend.html", {"statuses": []}, request)


def test_targets_read_as_runs_not_one_line_per_month(world, personas):
    html = _as(personas["ana"]).get(f"/indicadores/{world.indicator.code}/").content.decode()
    assert f"01-01-{world.year} – 31-12-{world.year} (12 períodos): <strong>70</strong>" in html


def test_pages_in_english(world, personas):
    client = _as(personas["ana"])
    client.cookies[__import__("django.conf").conf.settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/programas/{world.programme.code}/").content.decode()
    assert "Logical framework" in html and "Marco lógico" not in html
    assert "target met" in html and "$ 120,000,000" in html
    scorecard = client.get(f"/metas/{world.year}/tablero/").content.decode()
    assert f"Q1 {world.year}" in scorecard and "Indicator scorecard" in scorecard


def test_counts_from_a_measure_are_reserved_for_aggregate_only_readers(world, personas):
    """An indicator counting events of a measure: 3 events (below k = 5) are «reservado» for the authority, exact
    for the analyst; the page says why."""
    from observatorio.programmes import entry
    from observatorio.programmes import models as p
    from observatorio.programmes.formulas import Sides
    from observatorio.programmes.periods import periods_of
    from observatorio.records.models import Measure

    measure = Measure.objects.order_by("id").first()
    counted = p.Indicator.objects.create(
        code="conteo", name="Casos contados", unit=world.unit, dimension="eficacia", scope="resultado", kind="rate",
        numerator="medida", numerator_measure=measure, unit_label="casos", polarity="lower_is_better",
        periodicity="anual")
    entry.store_computed(counted, periods_of("anual", world.year)[0], None, Sides(3.0, None, 1))
    ana = _as(personas["ana"]).get("/indicadores/conteo/").content.decode()
    bob = _as(personas["bob"]).get("/indicadores/conteo/").content.decode()
    row = ana.split('id="mediciones"')[1]
    assert "reservado" in row and "Control de divulgación" in ana
    assert "reservado" not in bob.split('id="mediciones"')[1] and "3,0" in bob.split('id="mediciones"')[1]
    csv = _as(personas["ana"]).get("/indicadores/conteo/datos/?formato=csv").content.decode()
    line = next(x for x in csv.splitlines() if x.startswith(f"{world.year}-01-01"))
    assert line.split(",")[2:5] == ["reservado", "reservado", "reservado"]


def test_scorecard_by_area_drills_down_from_the_comuna(world, personas):
    """Area columns: the comuna, then its macrosectors; a macrosector with UVs links to them, and its page shows
    the macrosector itself and each UV."""
    from observatorio.programmes import entry
    from observatorio.programmes.periods import periods_of
    from observatorio.territory.models import Area

    comuna = Area.objects.create(code="13122", name="Peñalolén", level="comuna")
    north = Area.objects.create(code="M1", name="Macrosector Norte", level="macrosector", parent=comuna)
    Area.objects.create(code="M2", name="Macrosector Sur", level="macrosector", parent=comuna)
    uv = Area.objects.create(code="UV1", name="Unidad vecinal 1", level="uv", parent=north)
    december = periods_of("mensual", world.year)[-1]
    entry.enter(world.indicator, december, north, 40, 100, user=world.member)  # far below 70
    entry.enter(world.indicator, december, uv, 95, 100, user=world.member)
    client = _as(personas["ana"])
    html = client.get(f"/metas/{world.year}/tablero/?por=areas").content.decode()
    head = html.split('id="scorecard"')[1].split("</thead>")[0]
    assert ">Comuna<" in head and "Macrosector Sur" in head
    assert f'href="?por=areas&area={north.id}"' in head  # Norte has UVs: its header drills down
    cells = html.split('id="scorecard"')[1].split("</table>")[0].split("<td class=\"pp-cell")[1:]
    assert "cumple la meta" in cells[0] and "80,0" in cells[0]  # the comuna: December's 80 of 100
    assert "no cumple la meta" in cells[1] and "40,0" in cells[1]  # Norte
    assert "datos insuficientes" in cells[2]  # Sur: nothing entered
    down = client.get(f"/metas/{world.year}/tablero/?por=areas&area={north.id}").content.decode()
    head = down.split('id="scorecard"')[1].split("</thead>")[0]
    assert "Macrosector Norte" in head and "Unidad vecinal 1" in head and "Macrosector Sur" not in head
    assert "95,0" in down.split('id="scorecard"')[1] and 'id="scorecard-crumbs"' in down
    xlsx = client.get(f"/metas/{world.year}/tablero/datos/?por=areas&area={north.id}&formato=xlsx")
    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][3:5] == ("Macrosector Norte", "Unidad vecinal 1")
    assert rows[1][3].startswith("40,0 · no cumple la meta") and rows[1][4].startswith("95,0 · cumple la meta")
