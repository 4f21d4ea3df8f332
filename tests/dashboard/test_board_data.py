"""Every data endpoint of /tablero/ against figures computed here, independently, on the demo.

The reference figures come from the database through the ORM (not the
snapshot): the events of the measure's sources (and categories) in windows
written out by hand below, not computed by ``analysis.periods``; statistics
from the analysis functions (compare_periods, poisson_rate_test, eb_global,
hour_weekday_matrix). A slip in the snapshot, the filters, the calendar or the
engine's counting shows up as a mismatch. No figure sums sources: each test
checks the chosen measure's own count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from observatorio.analysis.compare import compare_periods, poisson_rate_test
from observatorio.analysis.rates import eb_global
from observatorio.analysis.timepatterns import hour_weekday_matrix

from .conftest import AS_OF

REL = 1e-9
D = dt.date
ENDPOINTS = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas", "cambios")
DEFAULT_MEASURE = "casos-policiales"
# query → (current window, previous equivalent window, same window a year earlier), written out by hand for the
# demo's cut-off, Wednesday 25 November 2026.
FILTERS = {
    "default": ({}, (D(2026, 10, 29), D(2026, 11, 25)), (D(2026, 10, 1), D(2026, 10, 28)),
                (D(2025, 10, 29), D(2025, 11, 25))),
    "12m": ({"period": "12m"}, (D(2025, 11, 1), D(2026, 10, 31)), (D(2024, 11, 1), D(2025, 10, 31)),
            (D(2024, 11, 1), D(2025, 10, 31))),
    "1461-ytd": ({"period": "ytd", "measure": "llamados-1461"}, (D(2026, 1, 1), D(2026, 11, 25)),
                 (D(2025, 1, 1), D(2025, 11, 25)), (D(2025, 1, 1), D(2025, 11, 25))),
    "custom-2y": ({"period": "custom", "start": "2024-10-01", "end": "2026-09-30"},
                  (D(2024, 10, 1), D(2026, 9, 30)), (D(2022, 10, 1), D(2024, 9, 30)),
                  (D(2023, 10, 1), D(2025, 9, 30))),
    "patrol-quarter-macro": ({"period": "last-quarter", "level": "macrosector", "measure": "patrullajes"},
                             (D(2026, 7, 1), D(2026, 9, 30)), (D(2026, 4, 1), D(2026, 6, 30)),
                             (D(2025, 7, 1), D(2025, 9, 30))),
    "last-month": ({"period": "last-month"}, (D(2026, 10, 1), D(2026, 10, 31)), (D(2026, 9, 1), D(2026, 9, 30)),
                   (D(2025, 10, 1), D(2025, 10, 31))),
    "denuncias-mtd": ({"period": "mtd", "measure": "denuncias"}, (D(2026, 11, 1), D(2026, 11, 25)),
                      (D(2026, 10, 1), D(2026, 10, 25)), (D(2025, 11, 1), D(2025, 11, 25))),
}
QUERIES = [v[0] for v in FILTERS.values()]


@pytest.fixture
def bob(demo, db, personas, as_user):
    return as_user(personas["bob"])


def measure_of(code: str):
    """(measure row, its source ids, its category ids with families expanded: empty for every category)."""
    from observatorio.records.models import Measure

    m = Measure.objects.get(code=code)
    categories = set()
    for c in m.categories.all():
        categories |= {c.id, *c.children.values_list("id", flat=True)}
    return m, set(m.sources.values_list("id", flat=True)), categories


def events(measure: str, start: dt.date | None = None, end: dt.date | None = None, **filters) -> pd.DataFrame:
    """The measure's events (its sources, its categories) in [start, end], straight from the database."""
    from observatorio.records.models import Event

    _m, sources, categories = measure_of(measure)
    rows = Event.objects.filter(source_id__in=sources, **filters)
    if categories:
        rows = rows.filter(category_id__in=categories)
    if start is not None:
        rows = rows.filter(occurred_on__gte=start, occurred_on__lte=end)
    columns = ["occurred_on", "occurred_time", "source_id", "category_id", "category__parent_id", "area_id"]
    return pd.DataFrame.from_records(list(rows.values(*columns)), columns=columns)


def _measure_code(query) -> str:
    return query.get("measure", DEFAULT_MEASURE)


def _selected(query, window=None) -> pd.DataFrame:
    start, end = window or _windows(query)[0]
    return events(_measure_code(query), start, end)


def _windows(query):
    for q, *windows in FILTERS.values():
        if q == query:
            return windows
    raise KeyError(query)


def _days(window) -> int:
    return (window[1] - window[0]).days + 1


def test_as_of_is_the_latest_event(bob):
    from observatorio.records.models import Event

    latest = Event.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    body = bob.get("/tablero/datos/resumen.json").json()
    assert body["filters"]["as_of"] == latest.isoformat() == AS_OF.isoformat()


def test_headline_28d_matches_compare_periods(bob):
    """Default 28 days of police cases: the previous-window and year-on-year verdicts are the analysis engine's."""
    dates = pd.to_datetime(events(DEFAULT_MEASURE)["occurred_on"])
    body = bob.get("/tablero/datos/resumen.json").json()["data"]
    for key, period in (("previous", "28d"), ("last_year", "yoy")):
        expected = compare_periods(dates, AS_OF, period=period)
        got = body[key]
        assert body["count"] == expected.current
        assert got["count"] == expected.previous, key
        assert got["start"] == expected.previous_start.isoformat() and got["end"] == expected.previous_end.isoformat()
        assert got["p_value"] == pytest.approx(expected.p_value, rel=REL)
        assert got["test_verdict"] == expected.verdict
        assert got["events"] == expected.current + expected.previous
        assert got["verdict"] == (expected.verdict if got["events"] >= 10 else "few_events")
        assert got["change"] == expected.change


@pytest.mark.parametrize("query", QUERIES, ids=list(FILTERS))
def test_headline_counts_windows_and_poisson_test(bob, query):
    current, previous, last_year = _windows(query)
    body = bob.get("/tablero/datos/resumen.json", query).json()["data"]
    n = len(_selected(query))
    assert (body["start"], body["end"]) == (current[0].isoformat(), current[1].isoformat())
    assert body["count"] == n and body["days"] == _days(current)
    for key, window in (("previous", previous), ("last_year", last_year)):
        other = len(_selected(query, window))
        got = body[key]
        assert (got["start"], got["end"]) == (window[0].isoformat(), window[1].isoformat()), key
        assert got["count"] == other and got["events"] == n + other
        assert got["p_value"] == pytest.approx(poisson_rate_test(n, _days(current), other, _days(window)), rel=REL)
    from observatorio.territory.models import Area, Demography

    comuna = Area.objects.get(level="comuna")
    population = Demography.objects.filter(area=comuna, year__lte=current[1].year).order_by("-year").first()
    assert body["population"] == population.population
    assert body["rate_per_1000"] == pytest.approx(1000 * n / population.population, rel=REL)


@pytest.mark.parametrize("query", QUERIES, ids=list(FILTERS))
def test_trend_matches_resampled_dates(bob, query):
    body = bob.get("/tablero/datos/tendencia.json", query).json()["data"]
    start, end = _windows(query)[0]
    dates = pd.to_datetime(_selected(query)["occurred_on"])
    step = body["step"]
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[step]
    full = pd.Series(0, index=pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D"))
    full = full.add(pd.Series(1, index=dates).groupby(level=0).sum(), fill_value=0)
    binned = full.resample(freq, label="left", closed="left").sum()
    assert sum(body["counts"]) == len(dates)
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
    days = (end - start).days + 1
    assert step == ("day" if days <= 92 else ("week" if days <= 731 else "month"))


@pytest.mark.parametrize("query", QUERIES, ids=list(FILTERS))
def test_categories_and_families_match_group_by(bob, query):
    frame = _selected(query)
    cats = bob.get("/tablero/datos/categorias.json", query).json()["data"]
    fams = bob.get("/tablero/datos/familias.json", query).json()["data"]
    expected = Counter(int(c) if pd.notna(c) else -1 for c in frame["category_id"])
    assert dict(zip(cats["ids"], cats["counts"])) == dict(expected)
    assert cats["counts"] == sorted(cats["counts"], reverse=True)
    expected_fam = Counter(int(c) if pd.notna(c) else -1 for c in frame["category__parent_id"])
    assert dict(zip(fams["ids"], fams["counts"])) == dict(expected_fam)


def test_family_filter_narrows_the_measure_to_its_categories(bob):
    from observatorio.records.models import Category

    _m, sources, _c = measure_of(DEFAULT_MEASURE)
    family = Category.objects.filter(parent__isnull=True, children__events__source_id__in=sources).first()
    body = bob.get("/tablero/datos/familias.json", {"period": "12m", "family": family.code}).json()["data"]
    assert body["ids"] == [family.id]
    start, end = FILTERS["12m"][1]
    expected = len(events(DEFAULT_MEASURE, start, end, category__parent=family))
    assert body["counts"] == [expected] and expected > 0


@pytest.mark.parametrize("query", QUERIES, ids=list(FILTERS))
def test_hour_weekday_matches_analysis_matrix(bob, query):
    frame = _selected(query)
    timed = frame[frame["occurred_time"].notna()]
    when = [dt.datetime.combine(d, t) for d, t in zip(timed["occurred_on"], timed["occurred_time"])]
    expected = hour_weekday_matrix(when) if when else np.zeros((7, 24))
    body = bob.get("/tablero/datos/horas.json", query).json()["data"]
    assert np.array(body["matrix"]).tolist() == expected.astype(int).tolist()
    assert body["without_time"] == len(frame) - len(timed)


def lift(level: str) -> dict[int, int]:
    """Area id → the id of its area at ``level`` (itself, or an ancestor), from the database."""
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


def per_area(frame: pd.DataFrame, level: str) -> Counter:
    up = lift(level)
    return Counter(up[int(a)] for a in frame["area_id"] if pd.notna(a) and int(a) in up)


@pytest.mark.parametrize("query", QUERIES, ids=list(FILTERS))
def test_areas_counts_rates_and_eb(bob, query):
    from observatorio.territory.models import Area, Demography

    level = query.get("level", "uv")
    body = bob.get("/tablero/datos/areas.json", query).json()["data"]
    end = _windows(query)[0][1]
    counts = per_area(_selected(query), level)
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
    start, end = FILTERS["12m"][1]
    expected = len(events(DEFAULT_MEASURE, start, end, area_id__in=uvs | {macro.id}))
    headline = bob.get("/tablero/datos/resumen.json", {"period": "12m", "area": macro.id}).json()["data"]
    assert headline["count"] == expected == sum(r["count"] for r in body["rows"]) + body["unplaced"]
    assert expected > 0


def _csv(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return table[0], table[1:]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_csv_carries_the_same_numbers_as_json(bob, name):
    query = {"period": "12m", "measure": "llamados-1461"}
    data = bob.get(f"/tablero/datos/{name}.json", query).json()["data"]
    header, table = _csv(bob.get(f"/tablero/datos/{name}.csv", query))
    assert header[:2] == ["medida", "unidad"]
    assert {(r[0], r[1]) for r in table} == {("Llamados al 1461", "llamados")}
    rows = [r[2:] for r in table]
    if name == "resumen":
        assert int(rows[0][3]) == data["count"] and int(rows[1][3]) == data["previous"]["count"]
        assert int(rows[1][7]) == data["previous"]["events"]
        assert rows[2][8] == data["last_year"]["verdict"]
    elif name == "tendencia":
        assert [int(r[1]) for r in rows] == data["counts"]
    elif name in ("categorias", "familias"):
        assert [int(r[2]) for r in rows] == data["counts"]
    elif name == "horas":
        assert [int(r[2]) for r in rows] == [v for row in data["matrix"] for v in row]
    elif name == "cambios":
        assert [r[0] for r in rows] == [r["code"] for r in data["rows"]]
        assert [(int(r[2]), int(r[3]), int(r[4])) for r in rows] == [(r["count"], r["before"], r["change"])
                                                                     for r in data["rows"]]
        assert [float(r[6]) for r in rows] == pytest.approx([r["p_value"] for r in data["rows"]], abs=1e-6)
        assert [r[9] for r in rows] == [r["verdict"] for r in data["rows"]]
    else:
        assert [r[0] for r in rows] == [r["code"] for r in data["rows"]]
        assert [int(r[2]) for r in rows] == [r["count"] for r in data["rows"]]
    assert header and all(len(r) == len(header) for r in table)


# --- the measure ------------------------------------------------------------------------------------------------


def _count_measures():
    from observatorio.records.models import Measure, MeasureKind

    return list(Measure.objects.filter(kind=MeasureKind.COUNT).order_by("position", "code")
                .values_list("code", flat=True))


def test_every_data_set_names_the_measure_in_json_csv_and_figure(bob):
    from observatorio.records.models import Measure

    for code in _count_measures():
        m = Measure.objects.get(code=code)
        query = {"measure": code, "period": "12m"}
        for name in ENDPOINTS:
            body = bob.get(f"/tablero/datos/{name}.json", query).json()
            assert body["measure"] == {"code": m.code, "name": m.name, "unit": m.unit}, (code, name)
            assert body["filters"]["measure"] == code
            if body["figure"] is not None:
                figure = json.dumps(body["figure"], ensure_ascii=False)
                assert m.name in figure and m.unit in figure, (code, name)
            response = bob.get(f"/tablero/datos/{name}.csv", query)
            header, rows = _csv(response)
            assert header[:2] == ["medida", "unidad"]
            assert all(r[0] == m.name and r[1] == m.unit for r in rows), (code, name)
            assert f"tablero-{name}-{code}-" in response["Content-Disposition"]  # even with no rows
            assert rows or name in ("categorias", "familias", "top-areas"), (code, name)


def test_every_data_set_counts_the_measure_and_nothing_else(bob):
    """Each measure's figures equal the ORM count of its own sources; no figure is the all-sources total, and
    changing the measure changes the figures."""
    from observatorio.records.models import Event

    start, end = FILTERS["12m"][1]
    everything = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end).count()
    seen = {}
    for code in _count_measures():
        query = {"measure": code, "period": "12m"}
        n = len(events(code, start, end))
        got = {name: bob.get(f"/tablero/datos/{name}.json", query).json()["data"] for name in ENDPOINTS}
        assert got["resumen"]["count"] == n, code
        assert sum(got["tendencia"]["counts"]) == n
        assert sum(got["categorias"]["counts"]) == n == sum(got["familias"]["counts"])
        assert sum(map(sum, got["horas"]["matrix"])) + got["horas"]["without_time"] == n
        assert sum(r["count"] for r in got["areas"]["rows"]) + got["areas"]["unplaced"] == n
        assert sum(r["count"] for r in got["cambios"]["rows"]) + got["cambios"]["unplaced"] == n
        assert n < everything
        seen[code] = n
    counted = [n for n in seen.values() if n]
    assert len(counted) >= 4 and len(set(counted)) == len(counted), seen  # each measure its own figures
    assert everything not in seen.values()


def test_a_measure_of_chosen_categories_counts_only_them(bob):
    from observatorio.records.models import Category, Measure, Source

    family = Category.objects.get(name="Robos violentos")
    m = Measure.objects.create(code="robos-violentos", name="Robos violentos (casos policiales)", unit="casos",
                               definition="Casos policiales de robos violentos.", position=99)
    m.sources.add(Source.objects.get(code="cead-policial"))
    m.categories.add(family)
    start, end = FILTERS["12m"][1]
    expected = len(events("robos-violentos", start, end))
    assert expected == len(events(DEFAULT_MEASURE, start, end, category__parent=family)) > 0
    body = bob.get("/tablero/datos/categorias.json", {"measure": "robos-violentos", "period": "12m"}).json()
    assert sum(body["data"]["counts"]) == expected
    assert set(body["data"]["ids"]) <= set(family.children.values_list("id", flat=True))
    assert body["measure"]["name"] == "Robos violentos (casos policiales)"


def test_a_combined_measure_shows_its_rule_and_linked_share(bob):
    from observatorio.dashboard import engine
    from observatorio.records.models import Combine, Measure, Source
    from observatorio.state import current

    police, reports = Source.objects.get(code="cead-policial"), Source.objects.get(code="denuncias")
    m = Measure.objects.create(code="policiales-y-denuncias", name="Casos policiales y denuncias", unit="hechos",
                               definition="Hechos denunciados. Una denuncia cercana a un caso policial se cuenta "
                                          "una vez.", combine=Combine.PROXIMITY, primary_source=police,
                               link_metres=500, link_hours=72, position=98)
    m.sources.add(police, reports)
    summary = engine.link_summary(current(), "policiales-y-denuncias")
    assert summary.secondary == len(events("denuncias"))
    html = bob.get("/tablero/", {"measure": "policiales-y-denuncias", "period": "12m"}).content.decode()
    assert 'id="measure-rule"' in html and "500 m" in html
    linked = f"{summary.linked:,}".replace(",", ".")
    secondary = f"{summary.secondary:,}".replace(",", ".")
    assert f"{linked} de {secondary} eventos" in html
    # The count: every police case, and the reports not linked to one.
    start, end = FILTERS["12m"][1]
    body = bob.get("/tablero/datos/resumen.json", {"measure": "policiales-y-denuncias", "period": "12m"}).json()
    both = len(events("policiales-y-denuncias", start, end))
    assert len(events(DEFAULT_MEASURE, start, end)) <= body["data"]["count"] <= both


# --- calendar periods through the endpoint ----------------------------------------------------------------------


CALENDAR = {
    # January against December, and against January a year earlier.
    "january": ({"period": "month", "month": "2026-01"}, (D(2026, 1, 1), D(2026, 1, 31)),
                (D(2025, 12, 1), D(2025, 12, 31)), (D(2025, 1, 1), D(2025, 1, 31))),
    # February of a leap year: 29 days, against January's 31 and February 2023's 28.
    "leap-february": ({"period": "month", "month": "2024-02", "measure": "llamados-1461"},
                      (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 1, 1), D(2024, 1, 31)),
                      (D(2023, 2, 1), D(2023, 2, 28))),
    # March against a February of 28 days.
    "march": ({"period": "month", "month": "2025-03", "measure": "llamados-1461"}, (D(2025, 3, 1), D(2025, 3, 31)),
              (D(2025, 2, 1), D(2025, 2, 28)), (D(2024, 3, 1), D(2024, 3, 31))),
    # A year against a leap year: 365 days against 366.
    "year": ({"period": "year", "year": "2025"}, (D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31)),
             (D(2024, 1, 1), D(2024, 12, 31))),
}


def _check_windows(bob, query, current, previous, last_year):
    body = bob.get("/tablero/datos/resumen.json", query).json()
    data = body["data"]
    code = _measure_code(query)
    n = len(events(code, *current))
    assert (data["start"], data["end"], data["days"]) == (current[0].isoformat(), current[1].isoformat(),
                                                          _days(current))
    assert data["count"] == n
    for key, window in (("previous", previous), ("last_year", last_year)):
        other = len(events(code, *window))
        assert (data[key]["start"], data[key]["end"]) == (window[0].isoformat(), window[1].isoformat()), key
        assert data[key]["count"] == other
        assert data[key]["p_value"] == pytest.approx(poisson_rate_test(n, _days(current), other, _days(window)),
                                                     rel=REL)
    return body


@pytest.mark.parametrize("case", list(CALENDAR))
def test_calendar_periods_at_month_and_year_edges(bob, case):
    query, current, previous, last_year = CALENDAR[case]
    body = _check_windows(bob, query, current, previous, last_year)
    assert body["filters"]["month"] == query.get("month") and body["filters"]["year"] == query.get("year")


@pytest.fixture
def forget_state():
    """For a test that changes the events: the state it saw is dropped before the database rolls back (a state
    of a newer version is otherwise kept over the older one the rollback brings back)."""
    from observatorio import state

    yield
    state.reset()


def test_last_month_quarter_and_year_to_date_on_a_day_in_january(bob, forget_state):
    """Data cut on a January day: the last full month is December of the year before, the last quarter its
    fourth, and the year to date compares with the same days of last January."""
    from observatorio.records import snapshot
    from observatorio.records.models import Event

    Event.objects.filter(occurred_on__gt=D(2026, 1, 14)).delete()
    snapshot.bump()
    as_of = Event.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    assert as_of.month == 1 and as_of.year == 2026
    body = _check_windows(bob, {"period": "last-month"}, (D(2025, 12, 1), D(2025, 12, 31)),
                          (D(2025, 11, 1), D(2025, 11, 30)), (D(2024, 12, 1), D(2024, 12, 31)))
    assert body["filters"]["as_of"] == as_of.isoformat()
    _check_windows(bob, {"period": "last-quarter"}, (D(2025, 10, 1), D(2025, 12, 31)),
                   (D(2025, 7, 1), D(2025, 9, 30)), (D(2024, 10, 1), D(2024, 12, 31)))
    _check_windows(bob, {"period": "ytd"}, (D(2026, 1, 1), as_of), (D(2025, 1, 1), as_of.replace(year=2025)),
                   (D(2025, 1, 1), as_of.replace(year=2025)))


def test_month_and_year_need_their_value(bob):
    for query, field in (({"period": "month"}, "__all__"), ({"period": "year"}, "__all__"),
                         ({"period": "month", "month": "2026-13"}, "month")):
        response = bob.get("/tablero/datos/resumen.json", query)
        assert response.status_code == 400 and field in response.json()["error"]["fields"], query


# --- time of day and weekday ------------------------------------------------------------------------------------


def _by_hand(frame: pd.DataFrame, hours=None, weekdays=None) -> pd.DataFrame:
    keep = []
    for day, time in zip(frame["occurred_on"], frame["occurred_time"]):
        ok = True
        if hours is not None:
            start, stop = hours
            ok = time is not None and not pd.isna(time) and (
                (start <= time.hour < stop) if stop > start else (time.hour >= start or time.hour < stop))
        if weekdays is not None:
            ok = ok and day.weekday() in weekdays
        keep.append(ok)
    return frame[np.array(keep, dtype=bool)] if len(frame) else frame


@pytest.mark.parametrize("hours,weekdays", [((20, 6), None), ((8, 12), None), (None, (5, 6)), ((20, 6), (5, 6)),
                                            ((23, 0), (0,))], ids=["nights", "morning", "weekends",
                                                                   "weekend-nights", "monday-23h"])
@pytest.mark.parametrize("measure", ["casos-policiales", "llamados-1461"])
def test_hour_and_weekday_filters_against_a_hand_count(bob, hours, weekdays, measure):
    query = {"period": "12m", "measure": measure}
    if hours:
        query.update(hour_from=hours[0], hour_to=hours[1])
    if weekdays:
        query["weekday"] = list(weekdays)
    start, end = FILTERS["12m"][1]
    previous = FILTERS["12m"][2]
    kept = _by_hand(events(measure, start, end), hours, weekdays)
    kept_before = _by_hand(events(measure, *previous), hours, weekdays)
    body = bob.get("/tablero/datos/resumen.json", query).json()
    assert body["filters"]["hours"] == (list(hours) if hours else None)
    assert body["filters"]["weekdays"] == list(weekdays or ())
    assert body["data"]["count"] == len(kept) > 0
    assert body["data"]["previous"]["count"] == len(kept_before)
    matrix = np.array(bob.get("/tablero/datos/horas.json", query).json()["data"]["matrix"])
    assert matrix.sum() == len(kept)
    if hours:
        start_h, stop_h = hours
        inside = [h for h in range(24) if ((start_h <= h < stop_h) if stop_h > start_h
                                           else (h >= start_h or h < stop_h))]
        assert matrix[:, [h for h in range(24) if h not in inside]].sum() == 0
    if weekdays:
        assert matrix[[d for d in range(7) if d not in weekdays], :].sum() == 0
    areas = bob.get("/tablero/datos/areas.json", query).json()["data"]
    assert sum(r["count"] for r in areas["rows"]) + areas["unplaced"] == len(kept)
    counts = per_area(kept, "uv")
    assert {r["id"]: r["count"] for r in areas["rows"] if r["count"]} == dict(counts)


# --- change by area ----------------------------------------------------------------------------------------------


CHANGES = {
    "1461-12m-macro": ({"period": "12m", "level": "macrosector", "measure": "llamados-1461"}, "12m", "previous"),
    "police-12m-uv": ({"period": "12m"}, "12m", "previous"),
    "1461-12m-uv-last-year": ({"period": "12m", "measure": "llamados-1461", "compare": "last_year"}, "12m",
                              "last_year"),
    "police-last-quarter-macro-year": ({"period": "last-quarter", "level": "macrosector", "compare": "last_year"},
                                       "patrol-quarter-macro", "last_year"),
    "1461-ytd-uv": ({"period": "ytd", "measure": "llamados-1461"}, "1461-ytd", "previous"),
}


def expected_changes(query, windows_of: str, compare: str) -> dict[int, dict]:
    """The table computed here: ORM counts per area, SciPy's exact test, BH over the areas with 10+ events."""
    from observatorio.analysis.fdr import benjamini_hochberg
    from observatorio.territory.models import Area

    _q, current, previous, last_year = FILTERS[windows_of]
    before = previous if compare == "previous" else last_year
    level = query.get("level", "uv")
    code = _measure_code(query)
    now, then = per_area(events(code, *current), level), per_area(events(code, *before), level)
    ids = list(Area.objects.filter(level=level).order_by("code").values_list("id", flat=True))
    p = [poisson_rate_test(now.get(i, 0), _days(current), then.get(i, 0), _days(before)) for i in ids]
    tested = [now.get(i, 0) + then.get(i, 0) >= 10 for i in ids]
    fdr = benjamini_hochberg([pv for pv, t in zip(p, tested) if t], alpha=0.05)
    reject = iter(fdr.reject.tolist())
    q = iter(fdr.adjusted.tolist())
    out = {}
    for i, pv, t in zip(ids, p, tested):
        c, b = now.get(i, 0), then.get(i, 0)
        if not t:
            verdict, qv = "few_events", None
        else:
            qv = next(q)
            rising = c / _days(current) > b / _days(before)
            verdict = ("up" if rising else "down") if next(reject) else "no_change"
        out[i] = {"count": c, "before": b, "change": c - b, "p_value": pv, "q_value": qv, "verdict": verdict,
                  "events": c + b, "pct_change": 100.0 * (c - b) / b if b else None}
    return out


@pytest.mark.parametrize("case", list(CHANGES))
def test_changes_by_area_against_the_exact_test_and_fdr_run_separately(bob, case):
    query, windows_of, compare = CHANGES[case]
    body = bob.get("/tablero/datos/cambios.json", query).json()
    data = body["data"]
    expected = expected_changes(query, windows_of, compare)
    _q, current, previous, last_year = FILTERS[windows_of]
    before = previous if compare == "previous" else last_year
    assert (data["start"], data["end"]) == (current[0].isoformat(), current[1].isoformat())
    assert (data["before_start"], data["before_end"]) == (before[0].isoformat(), before[1].isoformat())
    assert data["compare"] == compare and data["min_events"] == 10
    assert [r["id"] for r in data["rows"]] == list(expected)  # default order: the level's, by code
    for row in data["rows"]:
        want = expected[row["id"]]
        for key in ("count", "before", "change", "events", "verdict"):
            assert row[key] == want[key], (row["code"], key)
        assert row["p_value"] == pytest.approx(want["p_value"], rel=REL)
        assert row["q_value"] == (None if want["q_value"] is None else pytest.approx(want["q_value"], rel=REL))
        assert row["pct_change"] == (None if want["pct_change"] is None else pytest.approx(want["pct_change"]))
        assert row["few_events"] == (want["events"] < 10)
        assert row["url"] == f"/area/{row['id']}/"
    assert data["tested"] == sum(1 for w in expected.values() if w["events"] >= 10)


@pytest.fixture
def surge(bob, forget_state):
    """October 2026: 40 more calls to 1461 in the first macrosector, none in the second (the demo's areas hold
    steady, so without this no area rises or falls significantly). Returns the two macrosectors."""
    from observatorio.records import snapshot
    from observatorio.records.models import Event, Source
    from observatorio.territory.models import Area

    rising, falling = Area.objects.filter(level="macrosector").order_by("code")[:2]
    uv = Area.objects.filter(parent=rising).order_by("code").first()
    calls = Source.objects.get(code="1461")
    october = {"occurred_on__gte": D(2026, 10, 1), "occurred_on__lte": D(2026, 10, 31)}
    Event.objects.filter(source=calls, area__parent=falling, **october).delete()
    Event.objects.filter(source=calls, area=falling, **october).delete()
    Event.objects.bulk_create([Event(source=calls, occurred_on=D(2026, 10, 1 + k % 31), area=uv,
                                     occurred_time=dt.time(k % 24, 0)) for k in range(40)])
    snapshot.bump()
    return rising, falling


def test_a_surge_is_found_and_checked_against_the_exact_test_and_fdr(bob, surge):
    rising, falling = surge
    query = {"period": "last-month", "level": "macrosector", "measure": "llamados-1461"}
    expected = expected_changes(query, "last-month", "previous")
    rows = {r["id"]: r for r in bob.get("/tablero/datos/cambios.json", query).json()["data"]["rows"]}
    assert {i: (r["count"], r["before"], r["verdict"]) for i, r in rows.items()} == {
        i: (w["count"], w["before"], w["verdict"]) for i, w in expected.items()}
    assert rows[rising.id]["verdict"] == "up" and rows[falling.id]["verdict"] == "down"
    assert rows[falling.id]["count"] == 0
    assert Counter(r["verdict"] for r in rows.values())["no_change"] >= 2


@pytest.mark.parametrize("sort", ["name", "change", "-change", "p"])
def test_changes_sort(bob, sort):
    query = {"period": "12m", "measure": "llamados-1461", "sort": sort}
    rows = bob.get("/tablero/datos/cambios.json", query).json()["data"]["rows"]
    key = {"name": lambda r: r["name"].casefold(), "change": lambda r: -r["change"], "-change": lambda r: r["change"],
           "p": lambda r: r["p_value"]}[sort]
    assert [key(r) for r in rows] == sorted(key(r) for r in rows)
    assert len(rows) == 31


def test_bad_compare_and_sort_are_400(bob):
    for query, field in (({"compare": "ayer"}, "compare"), ({"sort": "azar"}, "sort")):
        response = bob.get("/tablero/datos/cambios.json", query)
        assert response.status_code == 400 and field in response.json()["error"]["fields"]


# --- small numbers ------------------------------------------------------------------------------------------------


def test_few_events_say_so_instead_of_a_verdict(bob):
    """A week of VIF cases: a handful of events in both windows, below the minimum, in JSON, CSV and page."""
    query = {"period": "7d", "measure": "casos-vif"}
    data = bob.get("/tablero/datos/resumen.json", query).json()["data"]
    assert data["min_events"] == 10
    for key in ("previous", "last_year"):
        c = data[key]
        assert c["events"] == data["count"] + c["count"] < 10
        assert c["few_events"] and c["verdict"] == "few_events"
        assert c["test_verdict"] in ("up", "down", "no_change")
    header, rows = _csv(bob.get("/tablero/datos/resumen.csv", query))
    assert [r[-1] for r in rows[1:]] == ["few_events", "few_events"]
    html = bob.get("/tablero/", query).content.decode()
    assert html.count('data-verdict="previous">pocos eventos para concluir<') == 1
    assert html.count('data-verdict="last-year">pocos eventos para concluir<') == 1


def test_the_headline_says_how_many_events_each_comparison_rests_on(bob):
    data = bob.get("/tablero/datos/resumen.json", {"period": "12m"}).json()["data"]
    html = bob.get("/tablero/", {"period": "12m"}).content.decode()
    for key in ("previous", "last_year"):
        n = f"{data[key]['events']:,}".replace(",", ".")
        assert f"se basa en {n} casos" in html
        assert data[key]["verdict"] == data[key]["test_verdict"]  # enough events: the test's verdict stands


# --- errors ----------------------------------------------------------------------------------------------------


def test_json_carries_a_plotly_figure(bob):
    body = bob.get("/tablero/datos/horas.json").json()
    assert body["figure"]["data"][0]["type"] == "heatmap"
    assert body["figure"]["data"][0]["colorscale"] == "Viridis"
    assert body["figure"]["layout"]["separators"] == ",."
    assert body["figure"]["layout"]["meta"]["measure"]["code"] == DEFAULT_MEASURE
    areas = bob.get("/tablero/datos/areas.json", {"metric": "eb"}).json()
    assert len(areas["figure"]["data"]) == 31 + 1  # one polygon per UV and the colour-bar carrier
    assert areas["filters"]["metric"] == "eb"
    assert "Casos policiales: tasa suavizada (EB)" in areas["figure"]["data"][-1]["marker"]["colorbar"]["title"]["text"]


BAD = {
    "unknown-period": ({"period": "siempre"}, "period"),
    "custom-without-dates": ({"period": "custom"}, "__all__"),
    "end-before-start": ({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, "__all__"),
    "bad-date": ({"period": "custom", "start": "ayer", "end": "2026-01-01"}, "start"),
    "unknown-measure": ({"measure": "nada"}, "measure"),
    "share-measure": ({"measure": "percepcion"}, "measure"),
    "unknown-area": ({"area": "999999"}, "area"),
    "unknown-level": ({"level": "galaxia"}, "level"),
    "unknown-metric": ({"metric": "magia"}, "metric"),
    "bad-hour": ({"hour_from": "24", "hour_to": "6"}, "hour_from"),
    "half-hours": ({"hour_from": "20"}, "__all__"),
    "bad-weekday": ({"weekday": "7"}, "weekday"),
}


@pytest.mark.parametrize("name", ["resumen", "areas", "cambios"])
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


def test_the_source_parameter_is_gone(bob):
    """``source=`` no longer chooses anything: the figures are the measure's, whatever it says."""
    plain = bob.get("/tablero/datos/resumen.json", {"period": "12m"}).json()
    with_source = bob.get("/tablero/datos/resumen.json", {"period": "12m", "source": "1461"}).json()
    assert with_source["data"] == plain["data"] and with_source["measure"]["code"] == DEFAULT_MEASURE


def test_unknown_dataset_and_format_use_the_same_error_shape(bob):
    for url in ("/tablero/datos/nada.json", "/tablero/datos/resumen.xml"):
        response = bob.get(url)
        assert response.status_code == 404
        assert set(response.json()["error"]) == {"status", "message", "fields"}


# --- the page ----------------------------------------------------------------------------------------------------


def test_board_page_with_bad_filter_says_so(bob):
    response = bob.get("/tablero/", {"period": "siempre"})
    assert response.status_code == 400
    assert "Los filtros no son válidos" in response.content.decode()


def test_board_page_names_the_measure_everywhere_and_keeps_filters_in_links(bob):
    query = {"period": "12m", "measure": "llamados-1461"}
    html = bob.get("/tablero/", query).content.decode()
    data = bob.get("/tablero/datos/resumen.json", query).json()["data"]
    count = f"{data['count']:,}".replace(",", ".")
    assert f'data-kpi="count">{count}<' in html
    assert f"Llamados al 1461: {count} llamados" in html
    assert '<option value="llamados-1461" selected>' in html
    assert 'name="source"' not in html  # no source checkboxes: one measure
    for name in ("tendencia", "familias", "categorias", "horas", "areas", "top-areas", "cambios"):
        title = html.split(f'data-title="{name}">')[1].split("<")[0]
        assert "Llamados al 1461" in title and "llamados" in title, name
    assert "datos/areas.csv?measure=llamados-1461&amp;period=12m" in html
    assert "datos/cambios.csv?measure=llamados-1461&amp;period=12m" in html
    assert 'id="board-figures"' in html and "vendor/plotly.min.js" in html
    assert "https://" not in html.split("<body")[1].replace("https://www.w3.org", "")
    # The definition, short, with the rest behind a click.
    assert "<details><summary>Llamados recibidos por la central municipal de seguridad 1461" in html


def test_board_page_writes_out_the_compared_periods(bob):
    html = bob.get("/tablero/", {"period": "month", "month": "2026-01"}).content.decode()
    assert "enero 2026 (del 01-01-2026 al 31-01-2026)" in html
    assert "diciembre 2025 (del 01-12-2025 al 31-12-2025)" in html
    assert "enero 2025 (del 01-01-2025 al 31-01-2025)" in html
    assert 'value="01-2026"' in html  # the month picker keeps the month, as mm-aaaa


def test_time_presets_are_links_that_set_the_filters(bob):
    html = bob.get("/tablero/", {"period": "12m"}).content.decode()
    nights = html.split('data-preset="nights"')[0].rsplit('href="?', 1)[1].split('"')[0]
    weekends = html.split('data-preset="weekends"')[0].rsplit('href="?', 1)[1].split('"')[0]
    assert "hour_from=20&amp;hour_to=6" in nights and "period=12m" in nights
    assert "weekday=5&amp;weekday=6" in weekends
    on = bob.get("/tablero/", {"period": "12m", "hour_from": 20, "hour_to": 6}).content.decode()
    assert 'aria-current="true" data-preset="nights"' in on
    assert "Solo eventos de 20:00 a 06:00" in on


def test_one_click_shows_the_macrosectors_that_rose_last_month(bob, surge):
    rising, falling = surge
    html = bob.get("/tablero/", {"measure": "llamados-1461"}).content.decode()
    link = html.split('id="rose-last-month" href="?')[1].split('"')[0].replace("&amp;", "&")
    params = dict(p.split("=") for p in link.split("#")[0].split("&"))
    assert params == {"measure": "llamados-1461", "period": "last-month", "level": "macrosector", "sort": "change"}
    assert link.endswith("#cambios")
    page = bob.get("/tablero/", params).content.decode()
    rows = bob.get("/tablero/datos/cambios.json", params).json()["data"]["rows"]
    assert [r["change"] for r in rows] == sorted((r["change"] for r in rows), reverse=True)
    table = page.split('id="changes-table"')[1].split("</table>")[0]
    shown = [(chunk.split('data-area="')[1].split('"')[0], chunk.split('class="row--')[1].split('"')[0])
             for chunk in table.split("<tr ")[1:]]
    assert shown == [(r["code"], r["verdict"]) for r in rows]  # sorted, each row marked with its verdict
    assert shown[0] == (rising.code, "up") and shown[-1] == (falling.code, "down")
    assert len(shown) == 5
    for r in rows:
        assert f'href="/area/{r["id"]}/"' in table
