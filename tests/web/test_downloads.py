"""Downloads people open (issue #14, point 6): every table as XLSX and as "Excel Chile" CSV, read back.

Each download is read back (openpyxl; csv with ``;`` and decimal comma) and its figures compared with the JSON
endpoint's (the dashboard's data sets, the map's GeoJSON) or the page's own figures (quality, profile). The XLSX
names the measure, filters, period and data version on its sheet "acerca"; numbers are numeric cells, dates
date cells; "Excel Chile" writes dd-mm-aaaa, decimal comma and sí/no; a suppressed count reads «reservado»
(never 0) in every format for an aggregate-only reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from observatorio.audit.models import Action, AuditEntry

QUERY = {"period": "12m", "measure": "casos-policiales"}
DATASETS = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas", "cambios")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bob(personas):
    return signed_in(personas["bob"])


@pytest.fixture
def ana(personas):
    """The authority: aggregate-only, small counts suppressed."""
    return signed_in(personas["ana"])


def xlsx(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    data, about = book.worksheets
    rows = [list(r) for r in data.iter_rows()]
    return [c.value for c in rows[0]], rows[1:], {r[0].value: r[1].value for r in about.iter_rows()}


def excel_chile(response):
    """(header, rows, about) of an "Excel Chile" CSV: the table, a blank line, then (label, value) rows."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].endswith('_excel.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    blank = rows.index([])
    return rows[0], rows[1:blank], dict(rows[blank + 1:])


def chile_number(text: str):
    """A number as a Chilean spreadsheet reads it (decimal comma, no thousands mark)."""
    assert "." not in text, text
    return float(text.replace(",", "."))


def chile_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d-%m-%Y").date()


def counts_of(name: str, data: dict) -> list:
    """The counts a data set's JSON carries, in the order of its table's rows."""
    if name == "resumen":
        return [data["count"], data["previous"]["count"], data["last_year"]["count"]]
    if name == "tendencia":
        return data["counts"]
    if name in ("categorias", "familias"):
        return data["counts"]
    if name == "horas":
        return [v for row in data["matrix"] for v in row]
    return [r["count"] for r in data["rows"]]


COUNT_COLUMN = {"resumen": "cantidad", "tendencia": "cantidad", "categorias": "cantidad", "familias": "cantidad",
                "horas": "cantidad", "areas": "cantidad", "top-areas": "cantidad", "cambios": "ahora"}


@pytest.mark.parametrize("name", DATASETS)
def test_board_xlsx_and_excel_chile_carry_the_json_figures(demo, bob, name):
    from observatorio.state import current

    body = bob.get(f"/tablero/datos/{name}.json", QUERY).json()
    expected = counts_of(name, body["data"])
    header, rows, about = xlsx(bob.get(f"/tablero/datos/{name}.csv", {**QUERY, "formato": "xlsx"}))
    column = header.index(COUNT_COLUMN[name])
    assert [r[column].value for r in rows] == expected
    assert all(r[column].data_type == "n" for r in rows)
    assert all(r[0].value == "Casos policiales" for r in rows)
    # the sheet "acerca": measure, filters, period, data version
    state = current()
    assert about["Medida"] == "Casos policiales" and about["Unidad"] == body["measure"]["unit"]
    assert about["Período"] == "Últimos 12 meses completos" and about["Categorías"] == "todas"
    assert about["Período desde"].date() == dt.date.fromisoformat(body["filters"]["start"])
    assert about["Período hasta"].date() == dt.date.fromisoformat(body["filters"]["end"])
    assert about["Versión de datos"].startswith(f"{state.key.version} (")
    assert about["Datos al"].date() == state.as_of
    if "desde" in header:  # dates are date cells
        assert all(r[header.index("desde")].is_date for r in rows)

    c_header, c_rows, c_about = excel_chile(bob.get(f"/tablero/datos/{name}.csv", {**QUERY, "formato": "csv-excel"}))
    assert c_header == header
    assert [int(r[column]) for r in c_rows] == expected
    assert c_about["Medida"] == "Casos policiales" and c_about["Versión de datos"] == about["Versión de datos"]
    assert chile_date(c_about["Período desde"]) == dt.date.fromisoformat(body["filters"]["start"])
    if "desde" in header:
        assert all(chile_date(r[header.index("desde")]) for r in c_rows)
    if name == "tendencia":  # booleans: sí / no
        partial = body["data"]["partial"]
        assert [r[header.index("incompleto")] for r in c_rows] == ["sí" if p else "no" for p in partial]
        assert [r[header.index("incompleto")].value for r in rows] == partial
    if name == "areas":  # decimals: a comma in Excel Chile, a number in XLSX
        rates = [r["rate_per_1000"] for r in body["data"]["rows"]]
        got = [r[header.index("tasa_por_1000")] for r in c_rows]
        assert any("," in g for g in got)
        assert [chile_number(g) if g else None for g in got] == pytest.approx(
            [None if v is None else round(v, 4) for v in rates])
        assert [r[header.index("tasa_por_1000")].value for r in rows] == pytest.approx(
            [None if v is None else round(v, 4) for v in rates])
    if name == "cambios":
        p_values = [r["p_value"] for r in body["data"]["rows"]]
        assert [chile_number(r[header.index("valor_p")]) for r in c_rows] == pytest.approx(p_values, abs=1e-6)


def test_standard_csv_stays_the_default_and_unknown_formats_are_refused(demo, bob):
    standard = bob.get("/tablero/datos/areas.csv", QUERY)
    assert standard["Content-Disposition"].endswith('.csv"') and not standard.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(standard.content.decode())))
    assert rows[0][:3] == ["medida", "unidad", "codigo"]
    assert bob.get("/tablero/datos/areas.csv", {**QUERY, "formato": "csv"}).content == standard.content
    refused = bob.get("/tablero/datos/areas.csv", {**QUERY, "formato": "pdf"})
    assert refused.status_code == 400 and "formato" in refused.json()["error"]["fields"]
    for url in ("/fuentes/datos.csv", "/fuentes/conciliacion.csv", "/mapa/capa/coropletico-count.csv"):
        assert bob.get(url, {"formato": "ods"}).status_code == 400, url


def test_suppressed_counts_read_reservado_in_every_format(demo, ana):
    """An aggregate-only reader: the JSON's suppressed counts are «reservado» in XLSX and Excel Chile, never 0."""
    query = {"measure": "casos-policiales", "period": "28d", "level": "macrosector"}
    seen = 0
    for name in ("categorias", "tendencia", "areas"):
        data = ana.get(f"/tablero/datos/{name}.json", query).json()["data"]
        hidden = data["suppressed"] if "suppressed" in data else [r["suppressed"] for r in data["rows"]]
        expected = ["reservado" if h else c for h, c in zip(hidden, counts_of(name, data))]
        response = ana.get(f"/tablero/datos/{name}.csv", {**query, "formato": "xlsx"})
        assert response["X-Disclosure-K"] == "5"
        header, rows, about = xlsx(response)
        column = header.index("cantidad")
        assert [r[column].value for r in rows] == expected
        assert "Control de divulgación" in about["Nota"]
        c_header, c_rows, c_about = excel_chile(ana.get(f"/tablero/datos/{name}.csv", {**query, "formato": "csv-excel"}))
        assert [r[column] for r in c_rows] == [str(v) for v in expected]
        assert "Control de divulgación" in c_about["Nota"]
        seen += sum(hidden)
    assert seen, "the demo's small counts reached the test"


def test_map_layer_downloads_carry_the_geojson_figures(demo, bob, ana):
    """The map's layer table: the GeoJSON's counts; a suppressed area (the authority's 7 days by UV) has no count
    and says «reservado: sí», never 0."""
    hidden = 0
    for who, query in ((bob, {**QUERY, "level": "macrosector"}), (ana, {"period": "7d", "level": "uv"})):
        geo = who.get(reverse("map_layer", args=("coropletico-count", "geojson")), query).json()
        expected = {f["properties"]["codigo"]: f["properties"]["eventos"] for f in geo["features"]}
        url = reverse("map_layer", args=("coropletico-count", "csv"))
        header, rows, about = xlsx(who.get(url, {**query, "formato": "xlsx"}))
        got = {r[header.index("codigo")].value: r[header.index("eventos")].value for r in rows}
        assert got == expected and expected
        assert about["Capa"] and about["Medida"] == "Casos policiales" and about["Período desde"]
        assert isinstance(rows[0][header.index("lon")].value, float)
        c_header, c_rows, c_about = excel_chile(who.get(url, {**query, "formato": "csv-excel"}))
        lon = chile_number(c_rows[0][c_header.index("lon")])
        assert -71 < lon < -70
        got = {r[c_header.index("codigo")]: r[c_header.index("eventos")] for r in c_rows}
        assert got == {k: "" if v is None else str(v) for k, v in expected.items()}
        if "reservado" in c_header:
            marked = [r for r in c_rows if r[c_header.index("reservado")] == "sí"]
            assert all(r[c_header.index("eventos")] == "" for r in marked)
            hidden += len(marked)
            assert "Control de divulgación" in " ".join(v for k, v in c_about.items() if k == "Nota")
    assert hidden, "the demo's small UV counts reached the test"


def test_profile_downloads_carry_the_standard_figures(demo, bob):
    from observatorio.territory.models import Area

    uv = Area.objects.filter(level="uv").order_by("code").first()
    url = reverse("area_profile_csv", args=(uv.id,))
    standard = list(csv.reader(io.StringIO(bob.get(url).content.decode())))
    header, rows, about = xlsx(bob.get(url, {"formato": "xlsx"}))
    assert header == standard[0] == ["seccion", "indicador", "periodo", "valor"]
    by_key = {(r[0].value, r[1].value, r[2].value or ""): r[3] for r in rows}
    counts = [(r[0], r[1], r[2], r[3]) for r in standard[1:] if r[1].endswith("_conteo")]
    assert counts
    for section, indicator, period, value in counts:
        cell = by_key[(section, indicator, period)]
        assert cell.value == int(value) and cell.data_type == "n"
    assert about["Área"] == f"{uv.name} ({uv.code})" and about["Medida"] == "Casos policiales"
    _h, c_rows, c_about = excel_chile(bob.get(url, {"formato": "csv-excel"}))
    rates = {r[1]: r[3] for r in c_rows if r[1].endswith("_tasa_1000") and r[3]}
    standard_rates = {r[1]: float(r[3]) for r in standard[1:] if r[1].endswith("_tasa_1000") and r[3]}
    assert rates and {k: chile_number(v) for k, v in rates.items()} == standard_rates
    assert c_about["Área"] == about["Área"]


def test_quality_downloads_carry_the_page_figures(demo, bob, ana):
    for who in (bob, ana):
        page = who.get(reverse("quality")).context
        header, rows, about = xlsx(who.get(reverse("quality_csv"), {"formato": "xlsx"}))
        totals = {r[0].value: r[header.index("total")].value for r in rows if r[0].value != "nota"}
        assert totals == {q.code: "reservado" if q.total is None else q.total for q in page["sources"]}
        months = [m.strftime("%Y-%m") for m in page["months"]]
        assert header[9:] == months
        for q, row in zip(page["sources"], rows):
            assert [c.value for c in row[9:]] == ["reservado" if v is None else v for v in q.months]
            if q.last_batch:
                assert row[header.index("ultima_importacion")].is_date
        assert "Versión de datos" in about and about["Fuentes"]
        c_header, c_rows, _about = excel_chile(who.get(reverse("reconciliation_csv"), {"formato": "csv-excel"}))
        standard = list(csv.DictReader(io.StringIO(who.get(reverse("reconciliation_csv")).content.decode())))
        standard = [r for r in standard if r["medida"] != "nota"]
        assert [r[c_header.index("medida_conteo")] for r in c_rows] == [r["medida_conteo"] for r in standard]


def test_an_xlsx_download_is_audited(demo, bob):
    before = AuditEntry.objects.filter(action=Action.DOWNLOAD).count()
    bob.get("/tablero/datos/areas.csv", {**QUERY, "formato": "xlsx"})
    entry = AuditEntry.objects.filter(action=Action.DOWNLOAD).order_by("-id").first()
    assert AuditEntry.objects.filter(action=Action.DOWNLOAD).count() == before + 1
    assert entry.detail["archivo"].endswith(".xlsx") and "formato=xlsx" in entry.target
    # single events, in Excel Chile: logged as a download of single events
    response = bob.get(reverse("map_layer", args=("eventos", "csv")), {**QUERY, "formato": "csv-excel"})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=Action.DOWNLOAD).order_by("-id").first()
    assert entry.detail["eventos"] is True and entry.detail["archivo"].endswith("_excel.csv")


def test_the_pages_offer_the_three_formats(demo, bob):
    from observatorio.territory.models import Area

    uv = Area.objects.filter(level="uv").first()
    for url in ("/tablero/", "/mapa/", reverse("area_profile", args=(uv.id,)), reverse("quality")):
        html = bob.get(url, QUERY if url in ("/tablero/", "/mapa/") else {}).content.decode()
        assert "formato=csv-excel" in html and "formato=xlsx" in html, url
