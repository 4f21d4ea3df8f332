"""``observatorio figures``: the dashboard's figure for the same choice, checked against the dashboard and the ORM."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from observatorio import cli, state
from observatorio.analysis import periods


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


def figures(capsys, *args: str, lang: str = "es") -> tuple[int, str, str]:
    code = cli.main(["--lang", lang, "figures", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def figures_json(capsys, *args: str) -> dict:
    code, out, err = figures(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def orm_count(measure: str, start: dt.date, end: dt.date, categories=None, areas=None) -> int:
    """The measure counted from the database alone: its sources, its categories, the areas and their descendants."""
    from observatorio.records.models import Event, Measure
    from observatorio.territory.models import Area

    m = Measure.objects.get(code=measure)
    events = Event.objects.filter(source__in=m.sources.all(), occurred_on__gte=start, occurred_on__lte=end)
    if m.categories.exists():
        events = events.filter(category__in=m.categories.all())
    if categories is not None:
        events = events.filter(category__code__in=categories)
    if areas is not None:
        wanted = set(Area.objects.filter(code__in=areas).values_list("id", flat=True))
        while True:
            more = wanted | set(Area.objects.filter(parent_id__in=wanted).values_list("id", flat=True))
            if more == wanted:
                break
            wanted = more
        events = events.filter(area_id__in=wanted)
    return events.count()


CHOICES = [
    # (CLI options, dashboard query, ORM categories, ORM areas)
    (["casos-policiales", "--from", "2025-01-01", "--to", "2025-12-31", "--category", "ROBOS CON VIOLENCIA O "
      "INTIMIDACION"], "measure=casos-policiales&period=custom&start=2025-01-01&end=2025-12-31"
     "&category=robo-violencia", ["robo-violencia"], None),
    (["casos-policiales", "--from", "2025-03-01", "--to", "2025-03-31", "--category", "Robos violentos"],
     "measure=casos-policiales&period=custom&start=2025-03-01&end=2025-03-31&family=familia-robos-violentos",
     "familia-robos-violentos", None),
    (["llamados-1461", "--from", "2024-06-01", "--to", "2025-05-31", "--area", "13122-m2"],
     "measure=llamados-1461&period=custom&start=2024-06-01&end=2025-05-31&area={13122-M2}", None, ["13122-M2"]),
    (["denuncias", "--period", "month", "--month", "2025-10", "--area", "13122-UV03", "--category", "hurtos"],
     "measure=denuncias&period=month&month=2025-10&area={13122-UV03}&category=hurto", ["hurto"], ["13122-UV03"]),
]


@pytest.mark.parametrize("options, query, categories, areas", CHOICES, ids=["category", "family", "area", "month"])
def test_cli_and_dashboard_agree_and_both_match_the_database(demo, db, client, personas, capsys, options, query,
                                                             categories, areas):
    from observatorio.records.models import Category
    from observatorio.territory.models import Area

    for code in ("13122-M2", "13122-UV03"):
        query = query.replace("{" + code + "}", str(Area.objects.get(code=code).id))
    client.force_login(personas["bob"])
    board = client.get(f"/tablero/datos/resumen.json?{query}")
    assert board.status_code == 200, board.content
    web = board.json()["data"]
    got = figures_json(capsys, *options)
    for key in ("start", "end", "days", "count", "population", "rate_per_1000"):
        assert got[key] == web[key], key
    for key in ("previous", "last_year"):
        for field in ("start", "end", "count", "change", "verdict"):
            assert got[key][field] == web[key][field], (key, field)
        assert got[key]["p_value"] == pytest.approx(web[key]["p_value"])
        assert got[key]["pct_change"] == pytest.approx(web[key]["pct_change"])
    if isinstance(categories, str):  # a family: its children
        categories = list(Category.objects.filter(parent__code=categories).values_list("code", flat=True))
    start, end = dt.date.fromisoformat(got["start"]), dt.date.fromisoformat(got["end"])
    assert got["count"] == orm_count(options[0], start, end, categories, areas)
    prev = dt.date.fromisoformat(got["previous"]["start"]), dt.date.fromisoformat(got["previous"]["end"])
    assert got["previous"]["count"] == orm_count(options[0], *prev, categories, areas)
    assert got["last_year"]["count"] == orm_count(options[0], *periods.last_year(start, end), categories, areas)


def test_period_codes_give_the_calendar_windows(demo, db, capsys):
    as_of = state.current().as_of
    got = figures_json(capsys, "casos-policiales", "--period", "last-quarter")
    assert (got["start"], got["end"]) == tuple(d.isoformat() for d in periods.window("last-quarter", as_of))
    # The previous equivalent period of a quarter is the quarter before it.
    start, end = periods.window("last-quarter", as_of)
    assert (got["previous"]["start"], got["previous"]["end"]) == tuple(
        d.isoformat() for d in periods.shift(start, end, -3))
    year = figures_json(capsys, "casos-policiales", "--period", "year", "--year", "2024")
    same = figures_json(capsys, "casos-policiales", "--from", "2024-01-01", "--to", "2024-12-31")
    assert year["count"] == same["count"] == orm_count("casos-policiales", dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_spanish_and_english_text(demo, db, capsys):
    start, end = dt.date(2023, 1, 1), dt.date(2026, 11, 24)
    prev_start, prev_end = periods.previous("custom", start, end)
    n = orm_count("llamados-1461", start, end)
    assert n >= 1000  # so that the thousands separator shows
    code, out, _err = figures(capsys, "llamados-1461", "--from", str(start), "--to", str(end))
    assert code == 0
    assert f"llamados: {n:,}".replace(",", ".") in out
    assert f"período anterior ({prev_start:%d-%m-%Y} a {prev_end:%d-%m-%Y})" in out
    assert "mismo período del año anterior (01-01-2022 a 24-11-2025)" in out
    code, out, _err = figures(capsys, "llamados-1461", "--from", str(start), "--to", str(end), lang="en")
    assert code == 0
    assert f"llamados: {n:,}" in out and f"previous period ({prev_start} to {prev_end})" in out
    assert "período" not in out


@pytest.mark.parametrize("options, message", [
    (["robos", "--from", "2025-01-01", "--to", "2025-01-31"], "medida «robos» desconocida; opciones: "
     "casos-policiales, denuncias, llamados-1461"),
    (["casos-policiales", "--from", "2025-01-01", "--to", "2025-01-31", "--category", "robo grande"],
     "categoría «robo grande» desconocida; opciones (nombre o código): Abusos sexuales"),
    (["casos-policiales", "--from", "2025-01-01", "--to", "2025-01-31", "--area", "UV99"],
     "área «UV99» desconocida; opciones: 13122, 13122-M1"),
    (["casos-policiales", "--from", "2025-02-01", "--to", "2025-01-31"], "--to 2025-01-31 es anterior a --from"),
    (["casos-policiales"], "indique el período"),
    (["casos-policiales", "--period", "month"], "--period month necesita --month"),
    (["casos-policiales", "--period", "ytd", "--from", "2025-01-01"], "use --period o --from/--to"),
], ids=["measure", "category", "area", "backwards", "no-period", "no-month", "both"])
def test_unknown_choices_are_user_errors_naming_the_choices(demo, db, capsys, options, message):
    code, out, err = figures(capsys, *options)
    assert code == 2 and out == ""
    assert err.startswith("observatorio figures: error: ") and message in err


def test_perception_prints_the_weighted_share_with_its_interval(demo, db, capsys):
    from observatorio.analysis.perception import weighted_proportion
    from observatorio.records.models import SurveyResponse
    from observatorio.territory.models import Area

    got = figures_json(capsys, "percepcion", "--from", "2000-01-01", "--to", "2030-12-31", "--area", "13122-M1")
    macro = Area.objects.get(code="13122-M1")
    rows = SurveyResponse.objects.filter(area__parent=macro)  # the UVs of the macrosector
    feels, weights = np.asarray(list(rows.values_list("feels_unsafe", "weight")), dtype=float).T
    expected = weighted_proportion(feels, weights)
    assert got["respondents"] == rows.count() > 0
    assert got["share"] == pytest.approx(float(np.sum(feels * weights) / np.sum(weights)))
    assert (got["lower"], got["upper"]) == pytest.approx((expected.lower, expected.upper))
    assert got["lower"] < got["share"] < got["upper"]
    code, out, _err = figures(capsys, "percepcion", "--from", "2000-01-01", "--to", "2030-12-31")
    assert code == 0 and "se siente inseguro/a (IC 95 %:" in out
    code, _out, err = figures(capsys, "percepcion", "--from", "2000-01-01", "--to", "2030-12-31", "--category",
                              "hurtos")
    assert code == 2 and "proporción" in err


def test_as_role_prints_what_that_role_reads_on_the_dashboard(demo, db, client, personas, capsys):
    """``--as-role authority`` goes through the web's guard: the same counts withheld as the authority's
    /tablero/datos/resumen.json, for every choice; ``--as-role analyst`` is the exact figure, as without it."""
    from observatorio.territory.models import Area

    client.force_login(personas["ana"])
    withheld = []
    for options, query, _categories, _areas in CHOICES:
        for code in ("13122-M2", "13122-UV03"):
            query = query.replace("{" + code + "}", str(Area.objects.get(code=code).id))
        web = client.get(f"/tablero/datos/resumen.json?{query}").json()
        got = figures_json(capsys, *options, "--as-role", "authority")
        assert got["role"] == "authority" and got["disclosure"] == web["disclosure"]
        assert got["disclosure"]["applied"] and got["disclosure"]["k"] == 5
        assert (got["count"], got["suppressed"], got["rate_per_1000"]) == (
            web["data"]["count"], web["data"]["suppressed"], web["data"]["rate_per_1000"])
        for key in ("previous", "last_year"):
            for field in ("count", "change", "p_value", "verdict"):
                assert got[key][field] == web["data"][key][field], (options, key, field)
            assert got[key]["suppressed"] == (got[key]["count"] is None)
        if got["suppressed"] or got["previous"]["suppressed"] or got["last_year"]["suppressed"]:
            withheld.append(options)
        exact = figures_json(capsys, *options)
        assert figures_json(capsys, *options, "--as-role", "analyst") == {
            **exact, "role": "analyst", "disclosure": {"applied": False}}
        assert "suppressed" not in exact and "disclosure" not in exact  # the operator's own view: exact
    assert withheld, "no choice had a small count: the test would prove nothing"

    options = withheld[0]
    code, out, _err = figures(capsys, *options, "--as-role", "authority")
    assert code == 0 and "reservado" in out and "Control de divulgación: los conteos de 1 a 4 se reservan" in out
    code, out, _err = figures(capsys, *options, "--as-role", "authority", lang="en")
    assert code == 0 and "withheld" in out and "reservado" not in out


def test_as_role_refuses_a_sensitive_view_as_the_web_does(demo, db, capsys):
    code, out, err = figures(capsys, "casos-vif", "--period", "year", "--year", "2025", "--area", "13122-UV03",
                             "--as-role", "authority")
    assert code == 2 and out == "" and "Dato sensible: elija macrosectores o la comuna" in err
    assert figures(capsys, "casos-vif", "--period", "year", "--year", "2025", "--area", "13122-UV03")[0] == 0
    code, _out, err = figures(capsys, "casos-policiales", "--period", "ytd", "--operator-source", "1461")
    assert code == 2 and "--operator-source va con --as-role operator" in err
    # An operator whose scope holds every source of the measure reads it exactly (their own data).
    own = figures_json(capsys, "llamados-1461", "--period", "ytd", "--as-role", "operator", "--operator-source",
                       "1461")
    assert own["disclosure"] == {"applied": False}
