"""Every data endpoint of /tablero/ against figures computed here, independently, on the demo.

The reference figures come from the database through the ORM (not the
snapshot) and from the analysis engine's own functions (compare_periods,
poisson_rate_test, eb_global, hour_weekday_matrix), so a slip in the snapshot,
the filters or the engine's counting shows up as a mismatch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from observatorio.analysis.compare import compare_periods, poisson_rate_test
from observatorio.analysis.rates import eb_global
from observatorio.analysis.timepatterns import hour_weekday_matrix

from .conftest import AS_OF

REL = 1e-9
ENDPOINTS = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas")
FILTERS = {
    "default": {},
    "12m": {"period": "12m"},
    "1461-ytd": {"period": "ytd", "source": ["1461"]},
    "custom-2y": {"period": "custom", "start": "2024-10-01", "end": "2026-09-30"},
    "macro-level": {"period": "12m", "level": "macrosector"},
}


@pytest.fixture
def bob(demo, db, personas, as_user):
    return as_user(personas["bob"])


def _events(**filters) -> pd.DataFrame:
    from observatorio.records.models import Event

    rows = Event.objects.filter(**filters).values("occurred_on", "occurred_time", "source__code", "category_id",
                                                  "category__parent_id", "area_id")
    return pd.DataFrame.from_records(list(rows), columns=["occurred_on", "occurred_time", "source__code",
                                                          "category_id", "category__parent_id", "area_id"])


def _window(query) -> tuple[dt.date, dt.date]:
    period = query.get("period", "28d")
    if period == "custom":
        return dt.date.fromisoformat(query["start"]), dt.date.fromisoformat(query["end"])
    days = {"28d": 28, "12m": 365, "7d": 7}.get(period)
    if days:
        return AS_OF - dt.timedelta(days=days - 1), AS_OF
    return dt.date(AS_OF.year, 1, 1), AS_OF  # ytd


def _selected(query) -> pd.DataFrame:
    start, end = _window(query)
    filters = {"occurred_on__gte": start, "occurred_on__lte": end}
    if "source" in query:
        filters["source__code__in"] = query["source"]
    return _events(**filters)


def test_as_of_is_the_latest_event(bob):
    from observatorio.records.models import Event

    latest = Event.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    body = bob.get("/tablero/datos/resumen.json").json()
    assert body["filters"]["as_of"] == latest.isoformat() == AS_OF.isoformat()


def test_headline_28d_matches_compare_periods(bob):
    """Default 28 days: the previous-window and year-on-year verdicts are the analysis engine's own."""
    from observatorio.records.models import Event

    dates = pd.to_datetime(pd.Series(Event.objects.values_list("occurred_on", flat=True)))
    body = bob.get("/tablero/datos/resumen.json").json()["data"]
    for key, period in (("previous", "28d"), ("last_year", "yoy")):
        expected = compare_periods(dates, AS_OF, period=period)
        got = body[key]
        assert body["count"] == expected.current
        assert got["count"] == expected.previous, key
        assert got["start"] == expected.previous_start.isoformat() and got["end"] == expected.previous_end.isoformat()
        assert got["p_value"] == pytest.approx(expected.p_value, rel=REL)
        assert got["verdict"] == expected.verdict
        assert got["change"] == expected.change


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
def test_headline_counts_and_poisson_test(bob, query):
    start, end = _window(query)
    days = (end - start).days + 1
    body = bob.get("/tablero/datos/resumen.json", query).json()["data"]
    current = len(_selected(query))
    assert body["count"] == current
    prev_end = start - dt.timedelta(days=1)
    prev = _selected({**query, "period": "custom", "start": (prev_end - dt.timedelta(days=days - 1)).isoformat(),
                      "end": prev_end.isoformat()})
    assert body["previous"]["count"] == len(prev)
    assert body["previous"]["p_value"] == pytest.approx(poisson_rate_test(current, days, len(prev), days), rel=REL)
    from observatorio.territory.models import Area, Demography

    comuna = Area.objects.get(level="comuna")
    population = Demography.objects.filter(area=comuna, year__lte=end.year).order_by("-year").first().population
    assert body["population"] == population
    assert body["rate_per_1000"] == pytest.approx(1000 * current / population, rel=REL)


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
def test_trend_matches_resampled_dates(bob, query):
    body = bob.get("/tablero/datos/tendencia.json", query).json()["data"]
    start, end = _window(query)
    days = pd.Series(1, index=pd.to_datetime(_selected(query)["occurred_on"]))
    step = body["step"]
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[step]
    label = {"day": "left", "week": "left", "month": "left"}[step]
    expected = days.resample(freq, label=label, closed="left").sum() if len(days) else days
    full = pd.Series(0, index=pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D"))
    full = full.add(pd.Series(1, index=pd.to_datetime(_selected(query)["occurred_on"])).groupby(level=0).sum(),
                    fill_value=0)
    binned = full.resample(freq, label="left", closed="left").sum()
    assert sum(body["counts"]) == len(days)
    assert body["counts"] == [int(v) for v in binned.to_numpy()]
    assert body["starts"][0] == start.isoformat()
    # Days of the window per bin, and which bins it cuts short, as pandas counts them.
    in_window = pd.Series(1, index=pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D"))
    per_bin = in_window.resample(freq, label="left", closed="left").sum()
    assert body["days"] == [int(v) for v in per_bin.to_numpy()]
    if step == "day":
        assert not any(body["partial"])
    else:
        lengths = [7 if step == "week" else pd.Timestamp(d).days_in_month for d in per_bin.index]
        assert body["partial"] == [int(n) < full for n, full in zip(per_bin.to_numpy(), lengths)]
    assert expected.sum() == len(days)
    expected_step = "day" if (end - start).days + 1 <= 92 else ("week" if (end - start).days + 1 <= 731 else "month")
    assert step == expected_step


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
def test_categories_and_families_match_group_by(bob, query):
    frame = _selected(query)
    cats = bob.get("/tablero/datos/categorias.json", query).json()["data"]
    fams = bob.get("/tablero/datos/familias.json", query).json()["data"]
    expected = Counter(int(c) if pd.notna(c) else -1 for c in frame["category_id"])
    assert dict(zip(cats["ids"], cats["counts"])) == dict(expected)
    assert cats["counts"] == sorted(cats["counts"], reverse=True)
    expected_fam = Counter(int(c) if pd.notna(c) else -1 for c in frame["category__parent_id"])
    assert dict(zip(fams["ids"], fams["counts"])) == dict(expected_fam)


def test_family_filter_expands_to_its_categories(bob):
    from observatorio.records.models import Category

    family = Category.objects.filter(parent__isnull=True, children__events__isnull=False).first()
    body = bob.get("/tablero/datos/familias.json", {"period": "12m", "family": family.code}).json()["data"]
    assert body["ids"] == [family.id]
    start, end = _window({"period": "12m"})
    expected = len(_events(occurred_on__gte=start, occurred_on__lte=end, category__parent=family))
    assert body["counts"] == [expected] and expected > 0


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
def test_hour_weekday_matches_analysis_matrix(bob, query):
    frame = _selected(query)
    timed = frame[frame["occurred_time"].notna()]
    when = [dt.datetime.combine(d, t) for d, t in zip(timed["occurred_on"], timed["occurred_time"])]
    expected = hour_weekday_matrix(when) if when else np.zeros((7, 24))
    body = bob.get("/tablero/datos/horas.json", query).json()["data"]
    assert np.array(body["matrix"]).tolist() == expected.astype(int).tolist()
    assert body["without_time"] == len(frame) - len(timed)


def _lift(level: str) -> dict[int, int]:
    from observatorio.territory.models import Area

    rows = {a.id: a for a in Area.objects.all()}
    out = {}
    for area in rows.values():
        node = area
        while node is not None and node.level != level:
            node = rows.get(node.parent_id)
        if node is not None:
            out[area.id] = node.id
    return out


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
def test_areas_counts_rates_and_eb(bob, query):
    from observatorio.territory.models import Area, Demography

    level = query.get("level", "uv")
    body = bob.get("/tablero/datos/areas.json", query).json()["data"]
    start, end = _window(query)
    lift = _lift(level)
    counts = Counter(lift.get(int(a)) for a in _selected(query)["area_id"] if pd.notna(a) and int(a) in lift)
    ids = list(Area.objects.filter(level=level).order_by("code").values_list("id", flat=True))
    pops = []
    for area_id in ids:
        row = Demography.objects.filter(area_id=area_id, year__lte=end.year).order_by("-year").first()
        pops.append(row.population)
    rows = body["rows"]
    assert [r["id"] for r in rows] == ids
    assert [r["count"] for r in rows] == [counts.get(i, 0) for i in ids]
    assert [r["population"] for r in rows] == pops
    expected = eb_global([counts.get(i, 0) for i in ids], pops)
    np.testing.assert_allclose([r["eb_rate_per_1000"] for r in rows], expected.smoothed, rtol=REL)
    np.testing.assert_allclose([r["rate_per_1000"] for r in rows],
                               [1000 * counts.get(i, 0) / p for i, p in zip(ids, pops)], rtol=REL)
    assert body["unplaced"] == len(_selected(query)) - sum(counts.values())

    top = bob.get("/tablero/datos/top-areas.json", query).json()["data"]["rows"]
    ranked = sorted(rows, key=lambda r: (-r["count"], r["code"]))[:10]
    assert [r["code"] for r in top] == [r["code"] for r in ranked]


def test_area_filter_keeps_only_its_descendants(bob):
    from observatorio.territory.models import Area

    macro = Area.objects.filter(level="macrosector").order_by("code").first()
    uvs = set(Area.objects.filter(parent=macro).values_list("id", flat=True))
    body = bob.get("/tablero/datos/areas.json", {"period": "12m", "area": macro.id}).json()["data"]
    shown = {r["id"] for r in body["rows"]}
    assert shown == uvs
    start, end = _window({"period": "12m"})
    expected = len(_events(occurred_on__gte=start, occurred_on__lte=end, area_id__in=uvs | {macro.id}))
    headline = bob.get("/tablero/datos/resumen.json", {"period": "12m", "area": macro.id}).json()["data"]
    assert headline["count"] == expected == sum(r["count"] for r in body["rows"]) + body["unplaced"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_csv_carries_the_same_numbers_as_json(bob, name):
    query = {"period": "12m"}
    data = bob.get(f"/tablero/datos/{name}.json", query).json()["data"]
    response = bob.get(f"/tablero/datos/{name}.csv", query)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header, rows = table[0], table[1:]
    if name == "resumen":
        assert int(rows[0][3]) == data["count"] and int(rows[1][3]) == data["previous"]["count"]
        assert rows[2][7] == data["last_year"]["verdict"]
    elif name == "tendencia":
        assert [int(r[1]) for r in rows] == data["counts"]
    elif name in ("categorias", "familias"):
        assert [int(r[2]) for r in rows] == data["counts"]
    elif name == "horas":
        assert [int(r[2]) for r in rows] == [v for row in data["matrix"] for v in row]
    else:
        assert [r[0] for r in rows] == [r["code"] for r in data["rows"]]
        assert [int(r[2]) for r in rows] == [r["count"] for r in data["rows"]]
    assert header and all(len(r) == len(header) for r in rows)


def test_json_carries_a_plotly_figure(bob):
    body = bob.get("/tablero/datos/horas.json").json()
    assert body["figure"]["data"][0]["type"] == "heatmap"
    assert body["figure"]["data"][0]["colorscale"] == "Viridis"
    assert body["figure"]["layout"]["separators"] == ",."
    areas = bob.get("/tablero/datos/areas.json", {"metric": "eb"}).json()
    assert len(areas["figure"]["data"]) == 31 + 1  # one polygon per UV and the colour-bar carrier
    assert areas["filters"]["metric"] == "eb"


BAD = {
    "unknown-period": ({"period": "siempre"}, "period"),
    "custom-without-dates": ({"period": "custom"}, "__all__"),
    "end-before-start": ({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, "__all__"),
    "bad-date": ({"period": "custom", "start": "ayer", "end": "2026-01-01"}, "start"),
    "unknown-source": ({"source": "nada"}, "source"),
    "unknown-area": ({"area": "999999"}, "area"),
    "unknown-level": ({"level": "galaxia"}, "level"),
    "unknown-metric": ({"metric": "magia"}, "metric"),
}


@pytest.mark.parametrize("name", ["resumen", "areas"])
@pytest.mark.parametrize("query,field", list(BAD.values()), ids=list(BAD))
def test_bad_filter_is_400_with_the_form_errors(bob, name, query, field):
    for fmt in ("json", "csv"):
        response = bob.get(f"/tablero/datos/{name}.{fmt}", query)
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"status", "message", "fields"}
        assert body["error"]["status"] == 400
        assert field in body["error"]["fields"] and all(isinstance(m, str) for m in body["error"]["fields"][field])


def test_unknown_dataset_and_format_use_the_same_error_shape(bob):
    for url in ("/tablero/datos/nada.json", "/tablero/datos/resumen.xml"):
        response = bob.get(url)
        assert response.status_code == 404
        assert set(response.json()["error"]) == {"status", "message", "fields"}


def test_board_page_with_bad_filter_says_so(bob):
    response = bob.get("/tablero/", {"period": "siempre"})
    assert response.status_code == 400
    assert "Los filtros no son válidos" in response.content.decode()


def test_board_page_shows_the_headline_and_keeps_filters_in_links(bob):
    response = bob.get("/tablero/", {"period": "12m", "source": "1461"})
    html = response.content.decode()
    data = bob.get("/tablero/datos/resumen.json", {"period": "12m", "source": "1461"}).json()["data"]
    count = f"{data['count']:,}".replace(",", ".")
    assert f'data-kpi="count">{count}<' in html
    assert "datos/areas.csv?period=12m&amp;source=1461" in html
    assert 'id="board-figures"' in html and "vendor/plotly.min.js" in html
    assert "https://" not in html.split("<body")[1].replace("https://www.w3.org", "")
