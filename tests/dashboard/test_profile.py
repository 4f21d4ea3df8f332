"""Area profiles: figures against the analysis functions run here, links, CSV and permissions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

from observatorio import state
from observatorio.analysis.moran import local_moran
from observatorio.analysis.rates import eb_global
from observatorio.analysis.typology import typology
from observatorio.analysis.weights import contiguity
from observatorio.dashboard import profile
from observatorio.dashboard.layers.base import territory


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def areas(demo, db):
    index = state.current().index
    return index, {lv: index.ids_at(lv) for lv in ("comuna", "macrosector", "uv")}


def _study(level):
    data = state.current()
    snap, index, as_of = data.events, data.index, data.as_of
    return snap, index, as_of, profile.level_study(data, territory(data, as_of), level)


def _orm_counts(code, ids, index, start, end):
    """Per area: the measure's events from the database (its sources, in the area or below, in [start, end])."""
    from observatorio.records.models import Event, Measure

    sources = Measure.objects.get(code=code).sources.all()
    events = Event.objects.filter(source__in=sources, occurred_on__gte=start, occurred_on__lte=end)
    return np.array([events.filter(area_id__in=index.descendants_or_self(a)).count() for a in ids])


def _orm_population(ids, year):
    """Per area: the Demography row of ``year`` or the latest before it."""
    from observatorio.territory.models import Demography

    out = []
    for a in ids:
        rows = Demography.objects.filter(area_id=a, year__lte=year).order_by("-year")
        out.append(rows[0].population if rows else 0)
    return np.array(out, dtype=float)


def test_level_table_counts_each_measure_as_the_orm(areas):
    from observatorio.records.models import Measure, MeasureKind

    index, ids = areas
    snap, index, as_of, study = _study("macrosector")
    start, end = profile.window(as_of)
    macro = ids["macrosector"]
    population = _orm_population(macro, as_of.year)
    np.testing.assert_array_equal(study.table["poblacion"].to_numpy(), population)
    codes = list(Measure.objects.filter(kind=MeasureKind.COUNT, sources__isnull=False)
                 .order_by("position").values_list("code", flat=True))
    assert [m.code for m in profile.profile_measures(state.current())] == codes
    for code in codes:
        expected = _orm_counts(code, macro, index, start, end)
        np.testing.assert_array_equal(study.table[profile.count_col(code)].to_numpy(), expected)
        np.testing.assert_allclose(study.table[profile.rate_col(code)].to_numpy(), 1000 * expected / population)
    # No column adds sources together: the old groups are gone.
    assert not {"delitos", "eventos", "tasa_delitos"} & set(study.table.columns)


def test_ranking_lisa_and_typology_use_the_police_cases_rate(areas):
    """The ranking, the LISA class and the typology's first indicator are casos-policiales per 1,000,
    computed here from the ORM and the demography, not any sum of sources."""
    index, ids = areas
    snap, index, as_of, study = _study("uv")
    table, uvs = study.table, ids["uv"]
    assert study.measure.code == "casos-policiales" == profile.RANKING_MEASURE
    start, end = profile.window(as_of)
    cases = _orm_counts("casos-policiales", uvs, index, start, end)
    population = _orm_population(uvs, as_of.year)
    eb = eb_global(cases, population).smoothed
    np.testing.assert_allclose(table[profile.EB_RATE].to_numpy(), eb, rtol=1e-12)
    np.testing.assert_allclose(table["tasa_casos-policiales"].to_numpy(), 1000 * cases / population, rtol=1e-12)
    # Adding the Fiscalía's reports (the old "Denuncias y casos policiales") would give other rates.
    reports = _orm_counts("denuncias", uvs, index, start, end)
    assert reports.sum() > 0
    assert not np.allclose(eb_global(cases + reports, population).smoothed, eb)

    for k, area_id in enumerate(uvs[:6]):
        data = profile.profile_data(state.current(), area_id)
        assert (data["rank"], data["peers"]) == (int((eb > eb[k]).sum()) + 1, len(uvs))
        assert data["beside"].code == "llamados-1461"
        calls = _orm_counts("llamados-1461", [area_id], index, start, end)[0]
        assert data["beside_rate"] == pytest.approx(1000 * calls / population[k])

    terr = territory(state.current(), as_of)
    shapes = {s.id: s.metric for s in terr.shapes["uv"]}
    w = contiguity([shapes[a] for a in uvs], kind="queen", ids=list(uvs))
    clusters = local_moran(eb, w, permutations=999, seed=0).clusters(0.05)
    assert {a: c for a, c in zip(uvs, clusters)} == study.lisa

    columns = profile.typology_columns(table)
    assert columns == ["tasa_casos-policiales", "tasa_llamados-1461", "tasa_casos-vif",
                       "pobreza_pct", "ninos_jovenes_pct", "migrantes_pct"]
    independent = table[list(profile.TYPOLOGY_SHARES)].astype(float).copy()
    for code in profile.TYPOLOGY_MEASURES:
        independent.insert(len(independent.columns) - 3, profile.rate_col(code),
                           1000 * _orm_counts(code, uvs, index, start, end) / population)
    np.testing.assert_allclose(profile.typology_indicators(table).to_numpy(), independent.to_numpy(), rtol=1e-12)
    expected = typology(independent, method="kmeans", k_range=(2, 5), seed=0)
    assert {a: int(expected.labels.loc[a]) + 1 for a in uvs} == {a: t[0] for a, t in study.typology.items()}
    assert {a: t[1] for a, t in study.typology.items()} == {a: expected.distinctive[expected.labels.loc[a]]
                                                            for a in uvs}
    # Types are described with the indicators' readable names (a measure's rate by its name), never column keys.
    names = profile.indicator_names(state.current())
    descriptions = {profile.typology_text(t, names)[1] for t in study.typology.values()}
    assert not any(key in d for d in descriptions for key in columns)
    assert any("por 1.000 hab." in d or "(%)" in d for d in descriptions)


def test_profile_headline_per_measure_against_the_orm(areas):
    import datetime as dt

    index, ids = areas
    area_id = ids["macrosector"][1]
    data = profile.profile_data(state.current(), area_id)
    as_of = data["as_of"]
    first = as_of.replace(month=1, day=1)
    codes = [h["key"] for h in data["headline"]]
    assert codes == ["casos-policiales", "denuncias", "llamados-1461", "patrullajes", "casos-vif"]
    for h in data["headline"]:
        assert h["count"] == _orm_counts(h["key"], [area_id], index, data["start"], data["end"])[0]
        assert h["ytd"].current == _orm_counts(h["key"], [area_id], index, first, as_of)[0]
        assert h["ytd"].previous == _orm_counts(h["key"], [area_id], index, first.replace(year=as_of.year - 1),
                                                as_of.replace(year=as_of.year - 1))[0]
    # One monthly line per measure, each the measure's own count (checked for the calls and the cases).
    months = data["months"]
    for code in ("casos-policiales", "llamados-1461"):
        expected = [_orm_counts(code, [area_id], index, m, (m + dt.timedelta(days=31)).replace(day=1)
                                - dt.timedelta(days=1))[0] for m in months]
        assert data["series"][code] == expected
    assert set(data["series"]) == set(codes)


def test_perception_is_the_weighted_share_of_the_area(areas):
    from observatorio.analysis.perception import weighted_proportion
    from observatorio.records.models import SurveyResponse

    index, ids = areas
    uv = ids["uv"][0]
    rows = list(SurveyResponse.objects.filter(area_id=uv).values_list("feels_unsafe", "weight"))
    expected = weighted_proportion(np.array([r[0] for r in rows], int), np.array([r[1] for r in rows], float))
    fear = profile.profile_data(state.current(), uv)["fear"]
    assert fear["share"] == pytest.approx(expected.proportion, rel=1e-12) and fear["n"] == len(rows)


@pytest.mark.parametrize("level", ["comuna", "macrosector", "uv"])
def test_every_level_has_a_profile_with_links(client, personas, areas, level):
    index, ids = areas
    area_id = ids[level][0]
    client.force_login(personas["ana"])
    response = client.get(reverse("area_profile", args=(area_id,)))
    text = response.content.decode()
    assert response.status_code == 200 and index.areas[area_id].name in text
    parent = index.areas[area_id].parent_id
    if parent:
        assert reverse("area_profile", args=(parent,)) in text
    for child in (a for a in index.areas.values() if a.parent_id == area_id):
        assert reverse("area_profile", args=(child.id,)) in text
    assert 'id="print-page"' in text and "obs/panels.css" in text  # the stylesheet with the print rules


def test_print_rules_hide_the_chrome():
    from pathlib import Path

    import observatorio

    css = (Path(observatorio.__file__).parent / "static" / "obs" / "panels.css").read_text()
    assert "@media print" in css and ".site-header" in css.split("@media print", 1)[1]


def test_profile_csv_names_the_measures(client, personas, areas):
    index, ids = areas
    uv = ids["uv"][2]
    client.force_login(personas["bob"])
    text = client.get(reverse("area_profile_csv", args=(uv,))).content.decode("utf-8-sig")
    rows = [line.split(",") for line in text.strip().splitlines()]
    assert rows[0] == ["seccion", "indicador", "periodo", "valor"]
    data = profile.profile_data(state.current(), uv)
    values = {(r[0], r[1]): r[3] for r in rows if r[0] != "serie_mensual"}
    assert values[("area", "codigo")] == index.areas[uv].code
    assert values[("medidas", "casos-policiales")] == "Casos policiales"
    assert values[("medidas", "llamados-1461_unidad")] == "llamados"
    assert values[("comparacion", "medida")] == "casos-policiales"
    assert ("comparacion", "casos-policiales_tasa_eb_1000") in values
    assert int(values[("indicadores", "llamados-1461_conteo")]) == int(data["row"]["n_llamados-1461"])
    monthly = [int(r[3]) for r in rows if r[:2] == ["serie_mensual", "llamados-1461"]]
    assert monthly == data["series"]["llamados-1461"] and len(monthly) == profile.SERIES_MONTHS
    assert not any("delitos" in r[1] or "eventos" in r[1] for r in rows)


def test_profile_says_which_measure_ranks_and_hides_sensitive_ones_from_the_authority(client, personas, areas):
    index, ids = areas
    url = reverse("area_profile", args=(ids["uv"][0],))
    client.force_login(personas["bob"])
    text = client.get(url).content.decode()
    assert 'data-fact="ranking-measure" data-measure="casos-policiales"' in text
    assert "Medida usada en el lugar, LISA y tipología: Casos policiales (casos) por 1.000 habitantes." in text
    assert 'data-fact="beside-rate" data-measure="llamados-1461"' in text
    assert 'data-indicator="casos-vif"' in text
    client.force_login(personas["ana"])
    response = client.get(url)
    text = response.content.decode()
    assert 'data-indicator="casos-vif"' not in text
    # Disclosure control: a month of 1..4 is suppressed (None), and a line with no month left is not drawn.
    lines = response.context["charts"]["trend"]["data"]
    assert {t["meta"]["measure"] for t in lines} <= {"casos-policiales", "denuncias", "llamados-1461", "patrullajes"}
    assert not any(v is not None and 1 <= v < 5 for t in lines for v in t["y"])
    assert set(response.context["series"]) == {"casos-policiales", "denuncias", "llamados-1461", "patrullajes"}
    csv = client.get(reverse("area_profile_csv", args=(ids["uv"][0],))).content.decode("utf-8-sig")
    assert "casos-vif" not in csv


def test_profile_permissions(client, personas, areas):
    index, ids = areas
    for name in ("area_profile", "area_profile_csv"):
        url = reverse(name, args=(ids["uv"][0],))
        assert client.get(url).status_code == 302
        client.force_login(personas["charlie"])
        assert client.get(url).status_code == 403
        for who in ("alice", "bob", "olga", "ana"):
            client.force_login(personas[who])
            assert client.get(url).status_code == 200
        client.logout()
    client.force_login(personas["bob"])
    assert client.get(reverse("area_profile", args=(999_999,))).status_code == 404


@pytest.mark.parametrize("as_of, shaded", [
    (dt.date(2026, 12, 3), True), (dt.date(2026, 12, 31), False), (dt.date(2026, 2, 27), True),
    (dt.date(2026, 2, 28), False)], ids=["mid-december", "december-31", "feb-27", "feb-28"])
def test_the_month_not_over_is_shaded_in_the_monthly_chart(as_of, shaded):
    from observatorio.dashboard.profile import _partial_month

    extra = _partial_month(as_of.replace(day=1), as_of)
    assert bool(extra) is shaded
    if shaded:
        band = extra["shapes"][0]
        assert band["x0"] == as_of.replace(day=1).isoformat()
        assert band["x1"] == (as_of.replace(day=28) + dt.timedelta(days=4)).replace(day=1).isoformat()
        assert as_of.strftime("%d-%m-%Y") in extra["annotations"][0]["text"]
