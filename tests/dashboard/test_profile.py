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


def test_level_table_counts_match_the_orm(areas):
    from observatorio.records.models import Event

    index, ids = areas
    snap, index, as_of, study = _study("macrosector")
    start, end = profile.window(as_of)
    for area_id in ids["macrosector"]:
        inside = index.descendants_or_self(area_id)
        expected = Event.objects.filter(occurred_on__gte=start, occurred_on__lte=end, area_id__in=inside,
                                        source__kind="1461").count()
        assert study.table.at[area_id, "llamados"] == expected
        assert study.table.at[area_id, "poblacion"] == index.population_in(area_id, as_of.year)


def test_rank_lisa_and_typology_equal_the_analysis_functions(areas):
    snap, index, as_of, study = _study("uv")
    table = study.table
    eb = eb_global(table["delitos"].to_numpy(), table["poblacion"].to_numpy()).smoothed
    np.testing.assert_allclose(table["tasa_eb_delitos"], eb, rtol=1e-12)

    terr = territory(state.current(), as_of)
    shapes = {s.id: s.metric for s in terr.shapes["uv"]}
    ids = list(table.index)
    w = contiguity([shapes[a] for a in ids], kind="queen", ids=ids)
    clusters = local_moran(eb, w, permutations=999, seed=0).clusters(0.05)
    assert {a: c for a, c in zip(ids, clusters)} == study.lisa

    profile_table = table[list(profile.TYPOLOGY_INDICATORS)].astype(float)
    expected = typology(profile_table, method="kmeans", k_range=(2, 5), seed=0)
    assert {a: int(expected.labels.loc[a]) + 1 for a in ids} == {a: t[0] for a, t in study.typology.items()}
    assert {a: t[1] for a, t in study.typology.items()} == {a: expected.distinctive[expected.labels.loc[a]]
                                                            for a in ids}
    # Types are described with the indicators' readable names, never their column keys.
    descriptions = {profile.typology_text(t)[1] for t in study.typology.values()}
    assert not any(key in d for d in descriptions for key in profile.TYPOLOGY_INDICATORS)
    assert any("por 1.000 hab." in d or "(%)" in d for d in descriptions)

    top = int(table["tasa_eb_delitos"].idxmax())
    data = profile.profile_data(state.current(), top)
    assert (data["rank"], data["peers"]) == (1, 31)


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


def test_profile_csv_carries_its_figures(client, personas, areas):
    index, ids = areas
    uv = ids["uv"][2]
    client.force_login(personas["bob"])
    text = client.get(reverse("area_profile_csv", args=(uv,))).content.decode("utf-8-sig")
    rows = [line.split(",") for line in text.strip().splitlines()]
    assert rows[0] == ["seccion", "indicador", "periodo", "valor"]
    data = profile.profile_data(state.current(), uv)
    values = {(r[0], r[1]): r[3] for r in rows if r[0] != "serie_mensual"}
    assert values[("area", "codigo")] == index.areas[uv].code
    assert int(values[("indicadores", "llamados_eventos")]) == int(data["row"]["llamados"])
    monthly = [int(r[3]) for r in rows if r[:2] == ["serie_mensual", "llamados"]]
    assert monthly == data["series"]["llamados"] and len(monthly) == profile.SERIES_MONTHS


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
