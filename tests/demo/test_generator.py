"""The pure generator: CEAD totals, determinism, demography, geometry, the paradox, planted patterns."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from observatorio.demo import bundled
from observatorio.demo.events import INSECURITY_CATEGORIES, PLANTED, SERIES_SIZE, keyed_hash, synthetic_ruts
from observatorio.demo.population import REFERENCE, largest_remainder
from observatorio.demo.scenario import build_scenario, event_years
from observatorio.records.models import PlaceKind
from observatorio.tables.rut import check_digit, rut_key
from observatorio.taxonomy import CEAD_CATEGORIES

from .conftest import AS_OF, KEY

REL_AREA = 1e-5  # relative: floating-point slivers of clipping only


# Published CEAD casos policiales for Peñalolén (TAXONOMY.md / the brief), per year.
@pytest.mark.parametrize("year,category,expected", [
    (2023, "vif", 1401), (2023, "robo-violencia", 831), (2023, "hurto", 930), (2023, "homicidio", 15),
    (2024, "vif", 1519), (2024, "robo-violencia", 716), (2024, "hurto", 778), (2024, "homicidio", 5),
], ids=lambda v: str(v))
def test_police_events_equal_published_cead_figures(penalolen, year, category, expected):
    police = penalolen.events["cead-policial"]
    assert int(((police["year"] == year) & (police["category"] == category)).sum()) == expected


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_every_cead_category_matches_the_bundled_table(penalolen, year):
    police = penalolen.events["cead-policial"]
    got = police[police["year"] == year].groupby("category").size()
    table = bundled.cead_for("13122", [year])
    for code, label, *_ in CEAD_CATEGORIES:
        want = int(table.loc[table["delito"] == label, "n"].iloc[0])
        assert int(got.get(code, 0)) == want, label


def test_cead_monthly_aggregates_sum_to_the_yearly_totals(penalolen):
    monthly = penalolen.cead_monthly.groupby(["year", "label"])["count"].sum()
    table = bundled.cead_for("13122", penalolen.full_years).set_index(["year", "delito"])["n"]
    assert len(penalolen.cead_monthly) == 12 * 30 * len(penalolen.full_years)
    assert (monthly.sort_index().to_numpy() == table.sort_index().to_numpy()).all()


def test_events_stay_in_their_years_and_before_as_of(penalolen):
    assert penalolen.full_years == (2023, 2024, 2025) and penalolen.partial_year == 2026
    for frame in penalolen.events.values():
        assert frame["occurred_on"].min() >= pd.Timestamp("2023-01-01")
        assert frame["occurred_on"].max() <= pd.Timestamp(AS_OF)
        assert (frame["occurred_on"].dt.year == frame["year"]).all()


def test_event_years_refuses_years_the_table_lacks():
    with pytest.raises(ValueError, match="--years"):
        event_years(40, AS_OF)
    assert event_years(2, dt.date(2025, 3, 1)) == ((2023, 2024), 2025)


def _frames(s):
    return [*s.events.values(), s.demography, s.places.drop(columns="attributes"), s.survey]


def test_same_seed_gives_identical_frames(small):
    again = build_scenario("13122", seed=1, years=3, as_of=AS_OF, n_events=3000, key=KEY)
    for a, b in zip(_frames(small), _frames(again)):
        pd.testing.assert_frame_equal(a, b)


def test_another_seed_gives_other_frames(small):
    other = build_scenario("13122", seed=2, years=3, as_of=AS_OF, n_events=3000, key=KEY)
    a, b = small.events["1461"], other.events["1461"]
    assert not (len(a) == len(b) and np.allclose(a["x"], b["x"]))
    assert not np.allclose(small.demography["population"], other.demography["population"])


def test_rescaling_hits_the_requested_total(small):
    assert abs(small.n_events - 3000) <= 30


def test_largest_remainder_known_answer():
    assert largest_remainder(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert largest_remainder(7, [0.5, 0.25, 0.25]).tolist() == [3, 2, 2]
    with pytest.raises(ValueError):
        largest_remainder(5, [])


@pytest.mark.parametrize("field", ["population", "households", "women", "children_youth", "migrants", "indigenous"])
def test_demography_sums_exactly_at_every_level(penalolen, field):
    d = penalolen.demography
    for _year, rows in d.groupby("year"):
        uv = rows[rows["level"] == "uv"]
        macro = rows[rows["level"] == "macrosector"].set_index("code")[field]
        assert (uv.groupby("parent_code")[field].sum().reindex(macro.index) == macro).all()
        assert int(rows.loc[rows["level"] == "comuna", field].iloc[0]) == int(macro.sum())


def test_penalolen_totals_are_the_published_figures(penalolen):
    comuna = penalolen.demography[penalolen.demography["level"] == "comuna"]
    assert (comuna["population"] == REFERENCE["population"]).all()
    assert (comuna["households"] == REFERENCE["households"]).all()
    assert (comuna["women"] == round(270_054 * 0.516)).all()
    assert (comuna["migrants"] == round(270_054 * 0.056)).all()
    assert (comuna["poverty_pct"] == 20.7).all()
    uv = penalolen.demography[(penalolen.demography["level"] == "uv") & (penalolen.demography["year"] == 2025)]
    assert np.average(uv["poverty_pct"], weights=uv["population"]) == pytest.approx(20.7, abs=0.01)


def test_uvs_partition_the_urban_area_inside_the_comuna(penalolen):
    plan = penalolen.plan
    assert len(plan.uvs) == 31 and len(plan.macrosectors) == 5 and plan.used_footprint
    comuna = plan.comuna.buffer(1e-7)
    assert all(comuna.contains(uv.geometry) for uv in plan.uvs)
    # The cells tile the footprint: areas add up (in degrees², where the clipping happened) without overlap.
    geoms = [uv.geometry for uv in plan.uvs]
    assert sum(g.area for g in geoms) == pytest.approx(plan.region.area, rel=REL_AREA)
    overlap = sum(shapely.intersection(a, b).area for i, a in enumerate(geoms) for b in geoms[i + 1:])
    assert overlap < REL_AREA * plan.region.area
    assert sum(g.area for g in plan.uv_geometries_m()) == pytest.approx(plan.region_m.area, rel=1e-4)
    # The Andes east of Peñalolén are left empty: the UVs cover well under the whole comuna.
    assert shapely.union_all([uv.geometry for uv in plan.uvs]).area < 0.8 * plan.comuna.area


def test_macrosectors_are_contiguous_unions_of_their_uvs(penalolen):
    plan = penalolen.plan
    for macro in plan.macrosectors:
        members = [uv.geometry for uv in plan.uvs if uv.parent_code == macro.code]
        assert members and shapely.union_all(members).buffer(1e-6).contains(macro.geometry)
        assert macro.geometry.buffer(1e-6).geom_type == "Polygon", macro.name


def test_the_paradox_reports_fall_while_insecurity_calls_rise(penalolen):
    full = list(penalolen.full_years)
    reports = penalolen.events["denuncias"].groupby("year").size().reindex(full).to_numpy()
    calls = penalolen.events["1461"]
    insecurity = calls[calls["category"].isin(INSECURITY_CATEGORIES)].groupby("year").size().reindex(full).to_numpy()
    assert (np.diff(reports) < 0).all(), reports
    assert (np.diff(insecurity) > 0).all(), insecurity
    services = calls[~calls["category"].isin(INSECURITY_CATEGORIES)]
    assert services["category"].nunique() >= 8


def test_reports_are_a_subset_of_police_events(penalolen):
    police = penalolen.events["cead-policial"]
    reports = penalolen.events["denuncias"]
    keys = set(zip(police["x"].round(3), police["occurred_on"], police["category"]))
    assert all(k in keys for k in zip(reports["x"].round(3), reports["occurred_on"], reports["category"]))


def test_calls_carry_response_and_arrival_times(penalolen):
    calls = penalolen.events["1461"]
    assert (calls["attr_minutos_llegada"] > 0).all() and (calls["attr_minutos_respuesta"] > 0).all()
    assert calls["attr_hora_llamado"].str.match(r"^\d\d:\d\d$").all()


def test_time_profiles_put_robbery_at_night_and_vif_on_weekends(penalolen):
    police = penalolen.events["cead-policial"]
    robbery = police[police["category"] == "robo-violencia"]
    assert robbery["hour"].between(18, 23).mean() > 0.4
    theft = police[police["category"] == "hurto"]
    assert theft["hour"].between(10, 19).mean() > 0.6
    vif = police[police["category"] == "vif"]
    assert vif["occurred_on"].dt.day_of_week.isin([5, 6]).mean() > 2 / 7 + 0.05


def test_rut_check_digits_known_answers():
    # Check digits by modulo 11 (factors 2..7), worked by hand, and as the pipeline computes them.
    numbers = np.array([12345678, 11111111, 10000013, 6000002, 24999999])
    ruts = synthetic_ruts(numbers)
    assert ruts[:3] == ["12345678-5", "11111111-1", "10000013-K"]
    assert [r.split("-")[1] for r in ruts] == [check_digit(int(n)) for n in numbers]


def test_vif_keys_are_keyed_hashes_with_repeat_victims(penalolen):
    vif = penalolen.events["vif"]
    assert vif["victim_key"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert vif["offender_key"].str.fullmatch(r"[0-9a-f]{64}").all()
    repeats = vif["victim_key"].duplicated().mean()
    assert 0.1 < repeats < 0.3
    assert not any(vif[c].astype(str).str.contains(r"\d{6,8}-[\dK]").any() for c in vif.columns)
    key_a, key_b = b"a" * 32, b"b" * 32
    assert keyed_hash(["12345678-5"], key_a)[0] != keyed_hash(["12345678-5"], key_b)[0]
    # The same hash the import pipeline stores for that RUT typed any way.
    assert keyed_hash(["12345678-5"], key_a)[0] == rut_key("12.345.678-5", key_a)
    assert set(vif["victim_sex"]) <= {"F", "M"} and vif["victim_nationality"].nunique() > 1


def test_outside_events_are_few_and_have_no_area(penalolen):
    for frame in penalolen.events.values():
        assert frame.loc[frame["outside"], "area_code"].isna().all()
        assert frame.loc[~frame["outside"], "area_code"].notna().all()
    police = penalolen.events["cead-policial"]
    assert 0.002 < police["outside"].mean() < 0.01
    out = police[police["outside"]]
    comuna = penalolen.plan.comuna
    assert not shapely.contains_xy(comuna, out["lon"], out["lat"]).any()


def test_every_place_kind_is_present_inside_the_uvs(penalolen):
    places = penalolen.places
    assert set(places["kind"]) == {k.value for k in PlaceKind}
    assert (places["kind"] == "police").sum() == 3
    assert places["area_code"].notna().all()


def test_survey_has_forty_per_uv_and_planted_high_fear_low_crime(penalolen):
    survey = penalolen.survey
    per_uv = survey.groupby("area_code").size()
    assert len(per_uv) == 31 and per_uv.between(34, 46).all()
    fear = survey.groupby("area_code").apply(lambda g: np.average(g["feels_unsafe"], weights=g["weight"]))
    assert all(fear[code] > fear.median() for code in penalolen.high_fear_uvs)


# ---------------------------------------------------------------------------------------------- planted
def _metres(plan, lon, lat):
    from observatorio.analysis.projection import to_metres

    x, y, _ = to_metres([lon], [lat], plan.epsg)
    return float(x[0]), float(y[0])


def test_planted_patterns_are_the_documented_ones(penalolen):
    assert penalolen.planted == PLANTED
    kinds = [p.kind for p in PLANTED]
    assert kinds.count("hotspot") == 3 and kinds.count("emerging") == 1 and kinds.count("near_repeat") == 1
    for p in PLANTED:
        assert shapely.contains_xy(penalolen.plan.region, p.lon, p.lat), p.name


@pytest.mark.parametrize("index", [0, 1, 2])
def test_hotspots_are_dense_robbery_clusters(penalolen, index):
    p = [q for q in PLANTED if q.kind == "hotspot"][index]
    police = penalolen.events["cead-policial"]
    rob = police[police["category"].isin(p.categories) & (police["year"] == 2025)]
    x, y = _metres(penalolen.plan, p.lon, p.lat)
    near = np.hypot(rob["x"] - x, rob["y"] - y) <= 150
    # Over 60 robberies a year within 150 m, against under one per 100 m cell on average.
    assert near.sum() > 60


def test_emerging_hotspot_is_quiet_then_grows(penalolen):
    p = next(q for q in PLANTED if q.kind == "emerging")
    police = penalolen.events["cead-policial"]
    x, y = _metres(penalolen.plan, p.lon, p.lat)
    near = police[police["category"].isin(p.categories) & (np.hypot(police["x"] - x, police["y"] - y) <= 150)]
    per_year = near.groupby("year").size().reindex([2023, 2024, 2025], fill_value=0)
    assert per_year[2025] > 5 * max(per_year[2023], per_year[2024], 1)
    last = near[near["year"] == 2025]
    assert (last["occurred_on"].dt.month > 6).mean() > 0.65


def test_near_repeat_series_is_tight_in_space_and_time(penalolen):
    p = next(q for q in PLANTED if q.kind == "near_repeat")
    series = penalolen.events["cead-policial"]
    series = series[series["planted"] == p.name].sort_values("occurred_on")
    assert len(series) == SERIES_SIZE
    assert (series["category"] == "robo-lugar-habitado").all()
    gaps = series["occurred_on"].diff().dt.days.dropna()
    assert gaps.max() <= 7
    xy = series[["x", "y"]].to_numpy()
    assert np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)).max() <= 200


def test_generator_runs_without_django_settings_and_without_a_footprint():
    """Arica has no bundled urban footprint (outside the RM): the whole DPA polygon is used."""
    import os
    import subprocess
    import sys

    code = ("import datetime as dt, django.conf\n"
            "from observatorio.demo.scenario import build_scenario\n"
            "s = build_scenario('Arica', seed=3, as_of=dt.date(2025, 6, 30), n_events=1500)\n"
            "assert not django.conf.settings.configured\n"
            "print(s.plan.used_footprint, s.full_years, s.partial_year, len(s.plan.uvs))\n")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["False", "(2022,", "2023,", "2024)", "2025", "31"]
