"""Area profiles that are found and useful (#14 point 7): linked from the tables, the cross table, the board's
choropleth and the home; a locator map; the breakdown by family and category against the ORM; the comuna's
peers computed by hand; disclosure control for the authority."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse

from observatorio import state
from observatorio.dashboard import peers, profile
from tests.dashboard.test_profile import areas, fresh_state  # noqa: F401 - shared fixtures


@pytest.fixture
def ids(areas):  # noqa: F811
    return areas[1]


# --- links ----------------------------------------------------------------------------------------------------


def test_crosstab_rows_link_to_their_profiles(client, personas, ids):
    client.force_login(personas["bob"])
    text = client.get(reverse("crosstab"), {"period": "12m", "rows": "area", "level": "macrosector"}).content.decode()
    for area_id in ids["macrosector"]:
        assert f'href="{reverse("area_profile", args=(area_id,))}"' in text
    assert ">perfil</a>" in text


def test_board_choropleth_areas_carry_their_profile(client, personas, ids):
    client.force_login(personas["bob"])
    body = client.get("/tablero/datos/areas.json", {"period": "12m", "level": "uv"}).json()
    shapes = [t for t in body["figure"]["data"] if t.get("fill") == "toself"]
    assert len(shapes) == len(ids["uv"])
    index = state.current().index
    for trace in shapes:
        area = next(a for a in ids["uv"] if index.areas[a].code == trace["name"])
        assert trace["meta"]["profile"] == reverse("area_profile", args=(area,))
    js = (profile_static("board.js"))
    assert "plotly_click" in js and "meta.profile" in js


def test_board_tables_and_home_link_to_profiles(client, personas, ids):
    client.force_login(personas["bob"])
    board = client.get(reverse("board"), {"period": "12m", "level": "uv"}).content.decode()
    linked = set(int(m) for m in re.findall(r'href="/area/(\d+)/"', board))
    assert linked and linked <= set(ids["uv"])
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'href="/area/\d+/"', home)


def profile_static(name: str) -> str:
    from pathlib import Path

    import observatorio

    return (Path(observatorio.__file__).parent / "static" / "obs" / name).read_text()


# --- locator --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["comuna", "macrosector", "uv"])
def test_locator_highlights_the_area_among_its_level(client, personas, ids, level):
    area_id = ids[level][1 if len(ids[level]) > 1 else 0]
    client.force_login(personas["bob"])
    text = client.get(reverse("area_profile", args=(area_id,))).content.decode()
    figure = json.loads(re.search(r'<script id="locator-data" type="application/json">(.*?)</script>', text,
                                  re.S).group(1))
    filled = [t for t in figure["data"] if t.get("fill") == "toself"]
    assert [t["meta"]["area"] for t in filled if t["meta"]["highlight"]] == [area_id]
    assert sorted(t["meta"]["area"] for t in filled) == sorted(ids[level])
    assert filled[-1]["meta"]["area"] == area_id and filled[-1]["fillcolor"] == "#D55E00"  # on top, orange
    if level != "comuna":  # the comuna's outline over the areas
        assert [t["meta"]["area"] for t in figure["data"] if "fill" not in t] == ids["comuna"]


# --- breakdown ------------------------------------------------------------------------------------------------


def _orm_breakdown(area_id, start, end):
    """Per category id (None: none) the ranking measure's events in the area and below, from the ORM."""
    from django.db.models import Count

    from observatorio.records.models import Event, Measure

    data = state.current()
    measure = Measure.objects.get(code=profile.RANKING_MEASURE)
    rows = Event.objects.filter(source__in=measure.sources.all(), occurred_on__gte=start, occurred_on__lte=end,
                                area_id__in=data.index.descendants_or_self(area_id))
    cats = set(measure.categories.values_list("id", flat=True)) if hasattr(measure, "categories") else set()
    if cats:
        rows = rows.filter(category_id__in=cats)
    return {r["category_id"]: r["n"] for r in rows.values("category_id").annotate(n=Count("id"))}


def test_breakdown_equals_the_orm_and_last_year(ids):
    data = state.current()
    macro = ids["macrosector"][0]
    start, end = profile.window(data.as_of)
    measure = profile.ranking_measure(data)
    split = profile.breakdown(data, measure, macro, start, end)
    expected = _orm_breakdown(macro, start, end)
    got = {(None if r["id"] < 0 else r["id"]): r["count"] for r in split.categories}
    assert got == {k: v for k, v in expected.items() if v}
    before = _orm_breakdown(macro, split.before_start, split.before_end)
    for r in split.categories:
        assert r["before"] == before.get(None if r["id"] < 0 else r["id"], 0)
        if r["before"]:
            assert r["pct_change"] == pytest.approx(100 * (r["count"] - r["before"]) / r["before"])
    assert split.before_start == dt.date(start.year - 1, start.month, start.day)
    # Families add up their categories, and both add up to the area's count in the window.
    fams = {r["name"]: r["count"] for r in split.families}
    by_family = {}
    for r in split.categories:
        by_family[r["family"]] = by_family.get(r["family"], 0) + r["count"]
    assert fams == by_family
    row = profile.level_study(data, None, "macrosector").table.loc[macro]
    assert sum(fams.values()) == row[profile.count_col(measure.code)]


def test_breakdown_for_the_authority_goes_through_disclosure(client, personas, ids):
    from observatorio.accounts.roles import event_scope
    from observatorio.disclosure import policy

    data = state.current()
    uv = ids["uv"][0]
    start, end = profile.window(data.as_of)
    measure = profile.ranking_measure(data)
    full = profile.breakdown(data, measure, uv, start, end)
    shown = profile.breakdown(data, measure, uv, start, end, scope=event_scope(personas["ana"]))
    k = policy.k()
    assert [r["id"] for r in shown.categories] == [r["id"] for r in full.categories]
    for a, b in zip(full.categories, shown.categories):
        if 1 <= a["count"] < k:
            assert b["count"] is None  # primary suppression
        assert b["count"] in (None, a["count"])
    assert all(r["count"] is None or not 1 <= r["count"] < k for r in shown.families)
    client.force_login(personas["ana"])
    text = client.get(reverse("area_profile", args=(uv,))).content.decode()
    table = text.split('id="breakdown-table"', 1)[1].split("</table>", 1)[0]
    if any(r["count"] is None for r in shown.categories):
        assert "reservado" in table


def test_sensitive_breakdown_of_a_uv_is_refused_for_the_authority(personas, ids):
    from observatorio.accounts.roles import event_scope

    data = state.current()
    vif = data.catalog.measure("casos-vif")
    if vif is None or not vif.sources:
        pytest.skip("the demo has no casos-vif")
    start, end = profile.window(data.as_of)
    refused = profile.breakdown(data, vif, ids["uv"][0], start, end, scope=event_scope(personas["ana"]))
    assert refused.refused and not refused.categories
    shown = profile.breakdown(data, vif, ids["macrosector"][0], start, end, scope=event_scope(personas["ana"]))
    assert not shown.refused


# --- peers ----------------------------------------------------------------------------------------------------


POPULATIONS = {"13101": 100_000, "13102": 50_000, "13103": 90_000, "13104": 120_000, "13105": 60_000,
               "13106": 300_000, "13107": 101_000, "5101": 99_000}
CASES = {"13101": 1_000, "13102": 400, "13103": 990, "13104": 1_500, "13105": 300, "13106": 6_000,
         "13107": 1_111, "5101": 2_000}


def test_peers_are_the_five_closest_in_population_of_the_region():
    # |pop − 100,000|: 13107 1,000; 13103 10,000; 13104 20,000; 13105 40,000; 13102 50,000; 13106 200,000.
    # 5101 is closer than most but in another region (5).
    assert peers.peers_of("13101", POPULATIONS) == ["13107", "13103", "13104", "13105", "13102"]
    found = peers.rate_comparison("13101", 2024, CASES, POPULATIONS, {"13101": "Uno"})
    rows = {r.kind: r for r in found.rows}
    assert rows["comuna"].rate == pytest.approx(1_000.0)  # 1,000 / 100,000 × 100,000
    region = [c for c in CASES if c.startswith("13")]
    assert rows["region"].rate == pytest.approx(1e5 * sum(CASES[c] for c in region) / sum(POPULATIONS[c] for c in region))
    assert rows["country"].rate == pytest.approx(1e5 * sum(CASES.values()) / sum(POPULATIONS.values()))
    chosen = ["13107", "13103", "13104", "13105", "13102"]
    assert rows["peers"].rate == pytest.approx(1e5 * sum(CASES[c] for c in chosen) / sum(POPULATIONS[c] for c in chosen))
    assert [r.code for r in found.rows if r.kind == "peer"] == chosen
    assert not found.configured
    assert rows["peers"].comunas == 5 and rows["country"].comunas == 8


def test_configured_peers_override_the_rule(settings):
    settings.OBS_PEER_COMUNAS = ("5101", "13106")
    found = peers.rate_comparison("13101", 2024, CASES, POPULATIONS, {}, peers.configured_peers())
    assert [r.code for r in found.rows if r.kind == "peer"] == ["5101", "13106"] and found.configured


def test_comuna_profile_shows_its_peers_from_cead_and_ine(client, personas, ids):
    from observatorio.records.models import AggregateCount, PopulationProjection

    data = state.current()
    measure = profile.ranking_measure(data)
    comuna = data.index.areas[ids["comuna"][0]]
    counts = AggregateCount.objects.filter(source_id=measure.reference, area_code=comuna.code)
    years = sorted({d.year for d in counts.values_list("period_start", flat=True)})
    year = max(y for y in years if counts.filter(period_start__year=y).values("period_start").distinct().count() == 12)
    own = sum(counts.filter(period_start__year=year).values_list("count", flat=True))
    region = peers.region_of(comuna.code)
    others = {f"{region}9{i:02d}": (80_000 + 1_000 * i, 500 + i) for i in range(7)}
    PopulationProjection.objects.create(area_code=comuna.code, name=comuna.name, year=year, population=250_000)
    source = AggregateCount.objects.filter(source_id=measure.reference).first()
    for code, (pop, n) in others.items():
        PopulationProjection.objects.create(area_code=code, name=f"Comuna {code}", year=year, population=pop)
        for month in range(1, 13):
            AggregateCount.objects.create(source_id=measure.reference, area_code=code,
                                          period_start=dt.date(year, month, 1), category=source.category,
                                          original_label=source.original_label, count=n)
    state.reset()
    found = peers.peer_rates(measure, comuna.code)
    rows = {r.kind: r for r in found.rows}
    assert found.year == year and rows["comuna"].cases == own
    assert rows["comuna"].rate == pytest.approx(1e5 * own / 250_000)
    closest = sorted(others, key=lambda c: (abs(others[c][0] - 250_000), int(c)))[:5]  # the 5 largest
    assert [r.code for r in found.rows if r.kind == "peer"] == closest
    assert rows["peers"].cases == sum(12 * others[c][1] for c in closest)
    client.force_login(personas["ana"])
    text = client.get(reverse("area_profile", args=(comuna.id,))).content.decode()
    assert 'id="peers-table"' in text and f'data-code="{closest[0]}"' in text
    uv = client.get(reverse("area_profile", args=(ids["uv"][0],))).content.decode()
    assert 'id="peers-table"' not in uv  # only the comuna's profile compares comunas
    # A configured peer with 2 cases in the year: the authority reads «reservado», the analyst the count.
    from django.test import override_settings

    from observatorio.accounts.roles import event_scope

    tiny = f"{region}950"
    PopulationProjection.objects.create(area_code=tiny, name="Pequeña", year=year, population=1_000)
    AggregateCount.objects.create(source_id=measure.reference, area_code=tiny, period_start=dt.date(year, 3, 1),
                                  category=source.category, original_label=source.original_label, count=2)
    with override_settings(OBS_PEER_COMUNAS=(tiny,)):
        state.reset()
        data = state.current()
        seen = profile.comuna_peers(data, measure, comuna.id, scope=event_scope(personas["ana"]))
        full = profile.comuna_peers(data, measure, comuna.id, scope=event_scope(personas["bob"]))
    assert seen.configured and [r.code for r in seen.rows if r.kind == "peer"] == [tiny]
    assert [r.cases for r in full.rows if r.kind == "peer"] == [2]
    assert [r.cases for r in seen.rows if r.kind == "peer"] == [None]
    assert next(r for r in seen.rows if r.kind == "comuna").cases == own  # large counts stay


# --- print ----------------------------------------------------------------------------------------------------


def test_print_header_names_the_comuna_period_and_date(client, personas, ids):
    client.force_login(personas["bob"])
    data = state.current()
    uv = ids["uv"][0]
    text = client.get(reverse("area_profile", args=(uv,))).content.decode()
    head = text.split('class="print-head"', 1)[1].split("</div>", 1)[0]
    comuna = data.index.areas[ids["comuna"][0]].name
    start, end = profile.window(data.as_of)
    assert comuna in head and data.index.areas[uv].name in head
    assert start.strftime("%d-%m-%Y") in head and end.strftime("%d-%m-%Y") in head
    assert "obs/print.js" in text and "obs/profile.css" in text
    css = profile_static("profile.css")
    assert "size: A4" in css and "counter(page)" in css


def test_profile_csv_carries_the_breakdown(client, personas, ids):
    data = state.current()
    macro = ids["macrosector"][0]
    start, end = profile.window(data.as_of)
    split = profile.breakdown(data, profile.ranking_measure(data), macro, start, end)
    client.force_login(personas["bob"])
    text = client.get(reverse("area_profile_csv", args=(macro,))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    period = f"{start.isoformat()}/{end.isoformat()}"
    got = {r[1]: int(r[3]) for r in rows if r[0] == "categorias" and r[2] == period}
    assert got == {r["name"]: r["count"] for r in split.categories} and got
