"""The cross table (/tabla/): hand-counted cells on the small dataset, drill down and back, totals equal to the
board's, disclosure for the authority, downloads read back equal.

The small-dataset tests come first: the demo (module-scoped, tests/conftest.py) stays loaded from its first
test to the end of the module, and the small dataset's comuna would collide with it."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.disclosure.test_board_disclosure import K, gap_ok, small
from tests.web.dataset import build_small_dataset

# January to the small dataset's last day (15 March 2026): March is cut short by the window.
WINDOW = {"period": "custom", "start": "2026-01-01", "end": "2026-03-15"}
MONTHS = ["2026-01", "2026-02", "2026-03"]
# Counted by hand from tests/web/dataset.py's EVENTS (days before 15-03-2026):
# 1461 calls: UV3 on 12-03, 05-03, 23-02; UV1 on 13-02, 12-02, 03-02, 02-02, 24-01, 20-01.
CALLS = {"UV1": [2, 4, 0], "UV2": [0, 0, 0], "UV3": [0, 1, 2], "UV4": [0, 0, 0]}
CALLS_MACRO = {"M1": [2, 4, 0], "M2": [0, 1, 2]}
# STOP cases: UV1 on 15-03, 14-03, 10-03, 03-03, 16-02; UV2 on 15-02, 19-01.
CASES_MACRO = {"M1": [1, 2, 4], "M2": [0, 0, 0]}


@pytest.fixture
def small_dataset(db):
    return build_small_dataset()


@pytest.fixture
def bob(client, personas):
    client.force_login(personas["bob"])
    return client


def table(client, **params):
    response = client.get("/tabla/datos.json", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def counts(body) -> dict[str, list]:
    return {r["code"]: r["counts"] for r in body["data"]["rows"]}


def test_hand_counted_cells_by_level(small_dataset, bob):
    top = table(bob, measure="llamados-1461", **WINDOW)
    data = top["data"]
    assert top["measure"]["code"] == "llamados-1461"
    assert [m["month"] for m in data["months"]] == MONTHS
    assert [m["partial"] for m in data["months"]] == [False, False, True]
    assert data["level"] == "comuna" and counts(top) == {"13122": [2, 5, 2]}
    assert data["column_totals"] == [2, 5, 2] and data["total"] == 9
    comuna = data["rows"][0]
    macro = table(bob, **{k: v for k, v in _drill(comuna).items()})
    assert macro["data"]["level"] == "macrosector" and counts(macro) == CALLS_MACRO
    assert [r["total"] for r in macro["data"]["rows"]] == [6, 3] and macro["data"]["total"] == 9
    west = macro["data"]["rows"][0]
    uv = table(bob, **_drill(west))
    assert uv["data"]["level"] == "uv"
    assert counts(uv) == {"UV1": CALLS["UV1"], "UV2": CALLS["UV2"]}
    assert uv["data"]["column_totals"] == CALLS_MACRO["M1"] and uv["data"]["total"] == 6
    assert all(r["drill"] == "" for r in uv["data"]["rows"])  # no level below the UVs
    cases = table(bob, measure="casos-policiales", level="macrosector", **WINDOW)
    assert counts(cases) == CASES_MACRO  # another measure, its own events only: never the sum of both


def _drill(row) -> dict:
    from urllib.parse import parse_qs

    assert row["drill"], row
    return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(row["drill"]).items()}


def test_rates_per_100000_where_population_is_known(small_dataset, bob):
    from tests.web.dataset import POPULATION

    data = table(bob, measure="llamados-1461", **WINDOW)["data"]
    assert data["rows"][0]["rate_per_100000"] == pytest.approx(100_000 * 9 / POPULATION)
    macro = table(bob, measure="llamados-1461", level="macrosector", **WINDOW)["data"]
    assert all(r["rate_per_100000"] is None for r in macro["rows"])  # no population by macrosector


def test_rows_by_category(small_dataset, bob):
    body = table(bob, measure="llamados-1461", rows="category", **WINDOW)
    rows = body["data"]["rows"]
    assert sum(r["total"] for r in rows) == 9 and body["data"]["column_totals"] == [2, 5, 2]
    assert body["filters"]["rows"] == "category"


def test_page_drills_down_and_back(small_dataset, bob):
    text = bob.get("/tabla/", {"measure": "llamados-1461", **WINDOW}).content.decode()
    assert "Tabla cruzada" in text and 'id="cross-table"' in text
    link = re.search(r'<a href="\?([^"]+)" data-drill="13122">', text).group(1).replace("&amp;", "&")
    text = bob.get(f"/tabla/?{link}").content.decode()
    assert 'data-drill="M1"' in text and 'data-drill="M2"' in text
    link = re.search(r'<a href="\?([^"]+)" data-drill="M1">', text).group(1).replace("&amp;", "&")
    text = bob.get(f"/tabla/?{link}").content.decode()
    assert 'data-row="UV1"' in text and 'data-row="UV3"' not in text and "data-drill=" not in text
    crumbs = re.search(r'<ol class="crumbs" id="crumbs">(.*?)</ol>', text, re.S).group(1)
    assert "Todo el territorio" in crumbs and "Peñalolén" in crumbs and "Macrosector Poniente" in crumbs
    assert 'aria-current="page">Macrosector Poniente<' in crumbs
    back = re.findall(r'<a href="\?([^"]*)" data-crumb', crumbs)
    assert len(back) == 2  # the whole territory and the comuna; the macrosector is where we are
    up = bob.get(f"/tabla/?{back[1].replace('&amp;', '&')}").content.decode()
    assert 'data-drill="M1"' in up  # back at the comuna's macrosectors
    top = bob.get(f"/tabla/?{back[0].replace('&amp;', '&')}").content.decode()
    assert 'data-drill="13122"' in top
    # Spanish numbers and the month cut short marked.
    assert "mar 2026*" in text.lower()


def test_bad_rows_choice_is_refused(small_dataset, bob):
    response = bob.get("/tabla/datos.json", {"rows": "hours"})
    assert response.status_code == 400 and "rows" in response.json()["error"]["fields"]
    assert bob.get("/tabla/", {"rows": "hours"}).status_code == 400


def test_the_form_keeps_the_other_filters_once(small_dataset, bob):
    text = bob.get("/tabla/", {"measure": "llamados-1461", "level": "uv", "rows": "category",
                               **WINDOW}).content.decode()
    form = re.search(r'<form class="cross-filters".*?</form>', text, re.S).group(0)
    names = re.findall(r'name="([a-z_]+)"', form)
    # Each once (the small dataset has no categories to tick; the demo test below ticks one).
    assert sorted(n for n in names if n != "category") == sorted(
        ["measure", "period", "level", "month", "year", "start", "end", "rows"])
    assert 'name="start" value="2026-01-01"' in form



def test_spanish_first_and_english_available(small_dataset, bob, settings):
    params = {"measure": "llamados-1461", "period": "12m"}
    spanish = bob.get("/tabla/", params).content.decode()
    assert "Tabla cruzada" in spanish and "Todo el territorio" in spanish and "Tasa por 100.000 hab." in spanish
    assert re.search(r'data-col="rate">\d+,\d<', spanish)  # es-CL decimal comma
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = bob.get("/tabla/", params).content.decode()
    assert "Cross table" in english and "Whole territory" in english and "Rate per 100,000 inh." in english
    assert re.search(r'data-col="rate">\d+\.\d<', english)

@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_downloads_read_back_equal(small_dataset, bob, fmt):
    params = {"measure": "llamados-1461", "level": "uv", **WINDOW, "formato": fmt}
    response = bob.get("/tabla/datos.csv", params)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["tabla"]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        about = {r[0]: r[1] for r in book["acerca"].iter_rows(values_only=True)}
    else:
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if fmt == "csv-excel" else ","))
        about = {r[0]: r[1] for r in rows if len(r) == 2}
    header = rows[0]
    assert header[:4] == ["medida", "unidad", "codigo", "nombre"] and header[4:8] == [*MONTHS, "total"]
    body = {r[2]: [int(v) for v in r[4:8]] for r in rows[1:] if len(r) > 8 and r[2]}
    assert body == {**{k: v + [sum(v)] for k, v in CALLS.items()}, "total": [2, 5, 2, 9]}
    assert {r[0] for r in rows[1:] if len(r) > 8 and r[2]} == {"Llamados al 1461"}
    if fmt != "csv":  # the standard CSV is the bare table, for programs (dashboard/downloads.py)
        assert about["Medida"] == "Llamados al 1461" and about["Filas"] == "Áreas"
        assert "Versión de datos" in about and "Período desde" in about


def test_the_authority_sees_reservado_never_a_small_count(small_dataset, client, personas):
    client.force_login(personas["ana"])
    body = table(client, measure="llamados-1461", level="macrosector", **WINDOW)
    assert body["disclosure"]["applied"] is True
    check_table(body)
    assert body["data"]["total"] == 9  # the headline is public
    text = client.get("/tabla/", {"measure": "llamados-1461", "level": "macrosector", **WINDOW}).content.decode()
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', text)
    assert "reservado" in cells and not any(c.strip() in {"1", "2", "3", "4"} for c in cells)
    csv_text = client.get("/tabla/datos.csv", {"measure": "llamados-1461", "level": "macrosector",
                                               **WINDOW}).content.decode()
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[-1][0] == "nota" and f"k = {K}" in rows[-1][1]
    for row in rows[1:-1]:
        assert not any(v.isdigit() and small(int(v)) for v in row[4:8]), row


def check_table(body):
    """No count of 1..k−1 visible, nor any row, column or total minus its visible cells."""
    data = body["data"]
    rows = data["rows"]
    for r in rows:
        assert not any(small(c) for c in r["counts"]) and not small(r["total"]), r
        assert all((c is None) == s for c, s in zip(r["counts"], r["suppressed"]))
        if r["total"] is None:
            assert r["rate_per_100000"] is None
        gap_ok(r["total"], r["counts"], f"row {r['code']}")
    assert not any(small(c) for c in data["column_totals"]) and not small(data["total"])
    for j, total in enumerate(data["column_totals"]):
        gap_ok(total, [r["counts"][j] for r in rows], f"column {j}")
    gap_ok(data["total"], data["column_totals"], "months")
    gap_ok(data["total"], [r["total"] for r in rows], "rows")
    gap_ok(data["total"], [c for r in rows for c in r["counts"]], "total − cells")


query = st.fixed_dictionaries({
    "measure": st.sampled_from(["casos-policiales", "llamados-1461", "denuncias", "patrullajes", "casos-vif"]),
    "period": st.sampled_from(["28d", "last-month", "last-quarter", "12m"]),
    "level": st.sampled_from(["comuna", "macrosector", "uv"]),
    "rows": st.sampled_from(["area", "category", "area-category"]),
}, optional={"family": st.sampled_from(["familia-propiedad", "familia-vida", "familia-vif"])})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=query, data=st.data())
def test_the_authority_never_reads_a_small_count_on_the_demo(demo, db, client, personas, params, data):
    from observatorio.state import current

    client.force_login(personas["ana"])
    if data.draw(st.booleans()):
        params = {**params, "area": str(data.draw(st.sampled_from(current().index.ids_at("macrosector"))))}
    response = client.get("/tabla/datos.json", params)
    if response.status_code == 400:
        assert "Dato sensible" in response.json()["error"]["message"]
        return
    body = response.json()
    check_table(body)
    headline = client.get("/tablero/datos/resumen.json", params).json()["data"]["count"]
    assert body["data"]["total"] == headline or headline is None


@pytest.mark.parametrize("params", [
    {"measure": "casos-policiales", "period": "12m", "level": "macrosector"},
    {"measure": "llamados-1461", "period": "last-quarter", "level": "uv"},
    {"measure": "denuncias", "period": "28d", "level": "uv", "family": "familia-propiedad"},
    {"measure": "casos-policiales", "period": "ytd", "level": "uv", "weekday": ["5", "6"]},
])
def test_totals_equal_the_boards_figures(demo, db, bob, params):
    body = table(bob, **params)["data"]
    board = lambda name, **extra: bob.get(f"/tablero/datos/{name}.json", {**params, **extra}).json()["data"]  # noqa: E731
    assert body["total"] == board("resumen")["count"]
    areas = board("areas")
    by_code = {r["code"]: r["total"] for r in body["rows"] if r["code"]}
    assert by_code == {r["code"]: r["count"] for r in areas["rows"]}
    assert sum(r["total"] for r in body["rows"] if not r["code"]) == areas["unplaced"]
    trend = board("tendencia")
    if trend["step"] == "month":
        assert body["column_totals"] == trend["counts"]
    else:
        assert sum(body["column_totals"]) == sum(trend["counts"])
    cats = table(bob, **params, rows="category")["data"]
    by_category = board("categorias")
    assert sorted(r["total"] for r in cats["rows"]) == sorted(by_category["counts"])
    assert cats["column_totals"] == body["column_totals"]


def test_a_sensitive_measure_stops_at_macrosectors_for_the_authority(demo, db, client, personas):
    client.force_login(personas["ana"])
    body = table(client, measure="casos-vif", period="12m", level="uv")
    assert body["data"]["level"] == "macrosector"
    assert all(r["drill"] == "" for r in body["data"]["rows"])
    top = table(client, measure="casos-vif", period="12m")
    assert all("level=uv" not in r["drill"] for r in top["data"]["rows"])
    refused = client.get("/tabla/datos.json", {"measure": "casos-vif", "period": "7d"})
    assert refused.status_code == 400 and "Dato sensible" in refused.json()["error"]["message"]
    analyst = client.get  # the analyst (below) drills to UVs
    client.force_login(personas["bob"])
    body = analyst("/tabla/datos.json", {"measure": "casos-vif", "period": "12m", "level": "macrosector"}).json()
    assert any("level=uv" in r["drill"] for r in body["data"]["rows"])


def test_a_category_chosen_in_the_form_narrows_the_table(demo, db, bob):
    everything = table(bob, measure="casos-policiales", period="12m")["data"]["total"]
    text = bob.get("/tabla/", {"measure": "casos-policiales", "period": "12m"}).content.decode()
    code = re.search(r'<input type="checkbox" name="category" value="([^"]+)"', text).group(1)
    narrowed = table(bob, measure="casos-policiales", period="12m", category=code)["data"]
    board = bob.get("/tablero/datos/resumen.json", {"measure": "casos-policiales", "period": "12m",
                                                    "category": code}).json()["data"]["count"]
    assert narrowed["total"] == board <= everything
    page = bob.get("/tabla/", {"measure": "casos-policiales", "period": "12m", "category": code}).content.decode()
    assert f'value="{code}" checked' in page


def test_rows_by_area_and_columns_by_category(demo, db, bob):
    """Area × category: each cell is the ORM's count of the area's events of that category in the window; the
    margins are the area table's and the category table's, and the download carries the same cells."""
    from observatorio.records.models import Event

    params = {"measure": "llamados-1461", "period": "12m", "level": "macrosector"}
    body = table(bob, **params, rows="area-category")
    cross, window = body["data"], body["filters"]
    assert body["filters"]["rows"] == "area-category" and cross["months"] == []
    keys = [c["key"] for c in cross["columns"]]
    assert len(keys) > 1 and all(keys)
    events = Event.objects.filter(source__code="1461", occurred_on__range=(window["start"], window["end"]))
    for r in cross["rows"]:
        assert sum(r["counts"]) == r["total"]
        if r["code"]:
            mine = events.filter(area__parent__code=r["code"])
            assert r["counts"] == [mine.filter(category__code=k).count() for k in keys], r["code"]
    by_area = table(bob, **params)["data"]
    assert {r["code"]: r["total"] for r in cross["rows"]} == {r["code"]: r["total"] for r in by_area["rows"]}
    assert cross["total"] == by_area["total"] == sum(cross["column_totals"])
    by_category = table(bob, **params, rows="category")["data"]
    assert dict(zip(keys, cross["column_totals"])) == {r["code"]: r["total"] for r in by_category["rows"]}

    response = bob.get("/tabla/datos.csv", {**params, "rows": "area-category"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][4:4 + len(keys) + 1] == [*keys, "total"]
    written = {r[2]: [int(v) for v in r[4:4 + len(keys)]] for r in rows[1:] if len(r) > 4 and r[2]}
    assert written == {**{r["code"]: r["counts"] for r in cross["rows"] if r["code"]},
                       "total": cross["column_totals"]}

    page = bob.get("/tabla/", {**params, "rows": "area-category"}).content.decode()
    assert "Macrosector × categoría" in page and page.count("data-category=") == len(keys)
    assert re.search(r'aria-current="true" data-rows="area-category"', page)
    drill = re.search(r'<a href="\?([^"]+)" data-drill="', page).group(1)
    assert "rows=area-category" in drill  # one level down keeps the columns
