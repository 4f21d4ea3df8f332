"""Property: over random filters on the small demo (where counts of 1..4 are common), nothing the authority can
read from the dashboard's data sets is a count of 1..k−1, directly or as a margin minus the visible cells."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

K = 5
DATASETS = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas", "cambios")
COUNT_COLUMNS = {"cantidad", "ahora", "antes", "eventos_comparacion", "eventos_prueba"}
MEASURES = ("casos-policiales", "llamados-1461", "denuncias", "patrullajes", "demandas-vecinales", "casos-vif")


def small(n) -> bool:
    return n is not None and 1 <= n < K


def gap_ok(total, visible, name):
    if total is None:
        return
    gap = total - sum(v for v in visible if v is not None)
    assert not small(gap), f"{name}: the total {total} minus the visible cells gives {gap}"


filters = st.fixed_dictionaries({
    "measure": st.sampled_from(MEASURES),
    "period": st.sampled_from(["7d", "28d", "last-month", "last-quarter", "12m"]),
    "level": st.sampled_from(["comuna", "macrosector", "uv"]),
}, optional={
    "family": st.lists(st.sampled_from(["familia-propiedad", "familia-vida", "familia-robos-violentos",
                                        "familia-incivilidades", "familia-vif"]), min_size=1, max_size=2,
                       unique=True),
    "weekday": st.lists(st.sampled_from([str(d) for d in range(7)]), min_size=1, max_size=3, unique=True),
    "hour_from": st.just("20"),
    "compare": st.sampled_from(["previous", "last_year"]),
})


def fetch(client, name, fmt, params):
    query = dict(params)
    if "hour_from" in query:
        query["hour_to"] = "6"
    return client.get(f"/tablero/datos/{name}.{fmt}", query)


def check_json(name, body, headline):
    data = body["data"]
    assert body["disclosure"]["applied"] is True and body["disclosure"]["k"] == K
    if body["figure"] is not None:
        assert body["figure"]["layout"]["meta"]["disclosure"]["k"] == K
    if name == "resumen":
        for c in (data["count"], data["previous"]["count"], data["last_year"]["count"]):
            assert not small(c)
        assert data["count"] is not None or data["rate_per_1000"] is None
    elif name == "tendencia":
        assert not any(small(c) for c in data["counts"])
        assert all((c is None) == s for c, s in zip(data["counts"], data["suppressed"]))
        gap_ok(headline, data["counts"], name)
    elif name in ("categorias", "familias"):
        assert not any(small(c) for c in data["counts"])
        gap_ok(headline, data["counts"], name)
    elif name == "horas":
        m = data["matrix"]
        assert not any(small(c) for row in m for c in row)
        for row, total in zip(m, data["weekday_totals"]):
            assert not small(total)
            gap_ok(total, row, "weekday")
        for j, total in enumerate(data["hour_totals"]):
            assert not small(total)
            gap_ok(total, [row[j] for row in m], "hour")
        gap_ok(data["total"], data["weekday_totals"], "weekday totals")
        gap_ok(data["total"], data["hour_totals"], "hour totals")
        assert not small(data["without_time"]) and not small(data["total"])
        gap_ok(headline, [data["total"], data["without_time"]], "headline and the hour table")
        if data["total"] is not None:
            gap_ok(headline, [c for row in m for c in row] + [data["without_time"]], "headline − cells")
    elif name in ("areas", "top-areas"):
        counts = [r["count"] for r in data["rows"]]
        assert not any(small(c) for c in counts)
        assert all((r["count"] is None) == r["suppressed"] for r in data["rows"])
        assert all(r["rate_per_1000"] is None for r in data["rows"] if r["count"] is None)
        if name == "areas":
            assert not small(data["unplaced"])
            gap_ok(headline, counts + [data["unplaced"]], name)
    elif name == "cambios":
        for key in ("count", "before"):
            assert not any(small(r[key]) for r in data["rows"])
        assert not small(data["unplaced"]) and not small(data["unplaced_before"])
        gap_ok(headline, [r["count"] for r in data["rows"]] + [data["unplaced"]], name)
        for r in data["rows"]:
            if r["suppressed"]:
                assert r["change"] is None and r["p_value"] is None


def check_csv(text):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert body and body[-1][0] == "nota" and f"k = {K}" in body[-1][1]
    for row in body[:-1]:
        for column, value in zip(header, row):
            if column in COUNT_COLUMNS and value not in ("", "reservado"):
                assert not small(int(value)), (column, value)


@pytest.fixture
def ana(client, personas):
    client.force_login(personas["ana"])
    return client


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=filters, data=st.data())
def test_the_authority_never_reads_a_small_count(demo, db, ana, params, data):
    from observatorio.state import current

    if data.draw(st.booleans()):  # an area filter: a macrosector or a UV of the demo
        index = current().index
        level = data.draw(st.sampled_from(["macrosector", "uv"]))
        params = {**params, "area": [str(data.draw(st.sampled_from(list(index.ids_at(level)))))]}
    head = fetch(ana, "resumen", "json", params)
    if head.status_code == 400:
        message = head.json()["error"]["message"]
        assert "Dato sensible" in message or "filtros" in message, message
        return
    headline = head.json()["data"]["count"]
    for name in DATASETS:
        response = fetch(ana, name, "json", params)
        if response.status_code == 400:  # the hour table of a sensitive measure
            assert name == "horas" and "Dato sensible" in response.json()["error"]["message"]
            continue
        assert response.status_code == 200, (name, response.content[:300])
        check_json(name, response.json(), headline)
        check_csv(fetch(ana, name, "csv", params).content.decode("utf-8"))


def test_the_analyst_sees_exact_counts(demo, db, client, personas):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import parse_filters
    from observatorio.state import current

    client.force_login(personas["bob"])
    params = {"measure": "casos-policiales", "period": "7d", "level": "uv"}
    body = client.get("/tablero/datos/areas.json", params).json()
    assert body["disclosure"] == {"applied": False}
    f, _errors = parse_filters(params, current())
    exact = {r.code: r.count for r in engine.by_area(current(), f).rows}
    assert {r["code"]: r["count"] for r in body["data"]["rows"]} == exact
    assert any(small(c) for c in exact.values()), "the demo has small counts at UV level over 7 days"
    text = client.get("/tablero/datos/areas.csv", params).content.decode()
    assert "reservado" not in text


def test_the_authority_gets_small_counts_suppressed(demo, db, ana):
    body = ana.get("/tablero/datos/areas.json", {"measure": "casos-policiales", "period": "7d"}).json()
    assert any(r["suppressed"] for r in body["data"]["rows"])
    assert "k = 5" in body["disclosure"]["note"]
    page = ana.get("/tablero/", {"measure": "casos-policiales", "period": "7d"}).content.decode()
    assert "reservado" in page and "data-disclosure" in page


def test_a_sensitive_measure_is_coarse_for_the_authority(demo, db, ana):
    fine = ana.get("/tablero/datos/areas.json", {"measure": "casos-vif", "period": "28d", "level": "uv"})
    assert fine.status_code == 200 and fine.json()["filters"]["level"] == "macrosector"
    assert fine.json()["disclosure"]["sensitive"] is True
    short = ana.get("/tablero/datos/resumen.json", {"measure": "casos-vif", "period": "7d"})
    assert short.status_code == 400 and "28 días" in short.json()["error"]["message"]
    hours = ana.get("/tablero/datos/horas.json", {"measure": "casos-vif", "period": "12m"})
    assert hours.status_code == 400
    trend = ana.get("/tablero/datos/tendencia.json", {"measure": "casos-vif", "period": "28d"}).json()
    assert trend["data"]["step"] == "month"
    family = ana.get("/tablero/datos/resumen.json", {"family": "familia-sexuales", "period": "7d"})
    assert family.status_code == 400


def test_an_operator_sees_their_own_measure_exactly_and_others_protected(demo, db, client, personas):
    client.force_login(personas["olga"])
    own = client.get("/tablero/datos/areas.json", {"measure": "llamados-1461", "period": "7d"}).json()
    other = client.get("/tablero/datos/areas.json", {"measure": "casos-policiales", "period": "7d"}).json()
    assert own["disclosure"] == {"applied": False}
    assert other["disclosure"]["applied"] is True


def test_k_is_a_setting(demo, db, ana, settings):
    """OBS_DISCLOSURE_K: with k = 2 a count of 2 is shown, 1 is not (the demo's UVs over 28 days hold 1s and 2s)."""
    params = {"measure": "casos-policiales", "period": "28d", "level": "uv"}
    settings.OBS_DISCLOSURE_K = 2
    body = ana.get("/tablero/datos/areas.json", params).json()
    counts = [r["count"] for r in body["data"]["rows"]]
    assert body["disclosure"]["k"] == 2 and "k = 2" in body["disclosure"]["note"]
    assert 1 not in counts and 2 in counts


def test_zero_stays_zero_and_the_page_says_withheld(demo, db, ana):
    body = ana.get("/tablero/datos/horas.json", {"measure": "casos-policiales", "period": "28d"}).json()
    cells = [c for row in body["data"]["matrix"] for c in row]
    assert 0 in cells and None in cells
    flags = [f for row in body["data"]["suppressed"] for f in row]
    assert flags == [c is None for c in cells]
    text = ana.get("/tablero/datos/horas.csv", {"measure": "casos-policiales", "period": "28d"}).content.decode()
    assert "reservado" in text and ana.get("/tablero/datos/horas.csv").has_header("X-Disclosure-K")
