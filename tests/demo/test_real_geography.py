"""``observatorio demo --geography``: the demo on Peñalolén's real UVs, blocks, places and gazetteer.

Skipped when ../shared/data is absent. The expected counts are read from the files here, independently of
``observatorio.demo.geography``.
"""

import csv
import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from observatorio.analysis.gistar import GiBin, gi_star
from observatorio.analysis.grid import Grid
from observatorio.demo.territory import to_metres_geom
from tests.analysis.test_demo_planted import CELL, HOTSPOTS, NEIGHBOURHOOD, _cell_of
from tests.conftest import SHARED_DATA, loaded

from .conftest import AS_OF, KEY

FOLDER = SHARED_DATA / "penalolen"
EPSG = 32719
pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"{FOLDER} is absent: the real geography lives in "
                                                             f"../shared/data beside the project")


def _build(n_events=None):
    from observatorio.demo.scenario import build_scenario

    return build_scenario("13122", seed=1, years=3, as_of=AS_OF, n_events=n_events, key=KEY, geography=FOLDER)


@pytest.fixture(scope="module")
def real():
    return _build()


@pytest.fixture(scope="module")
def real_small():
    return _build(3000)


def _csv_located(name, lon, lat):
    with open(FOLDER / "lugares" / name, encoding="utf-8") as f:
        return sum(1 for r in csv.DictReader(f) if r[lon].strip() and r[lat].strip())


def _features(name):
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))["features"]


def _checksum(scenario) -> str:
    h = hashlib.sha256()
    for source, frame in scenario.events.items():
        h.update(source.encode())
        h.update(pd.util.hash_pandas_object(frame[["category", "occurred_on", "hour", "minute", "lon", "lat",
                                                   "area_code"]], index=False).to_numpy().tobytes())
    return h.hexdigest()


def test_the_31_real_uvs_grouped_into_5_illustrative_macrosectors(real):
    plan = real.plan
    numbers = sorted(int(f["properties"]["uv_num"]) for f in _features("unidades_vecinales.geojson"))
    assert len(plan.uvs) == 31
    assert [uv.code for uv in plan.uvs] == [f"13122-UV{n:02d}" for n in numbers]
    assert not any(uv.illustrative for uv in plan.uvs)
    assert len(plan.macrosectors) == 5
    for macro in plan.macrosectors:
        assert macro.illustrative and "ilustrativo" in macro.name
        members = [uv.geometry for uv in plan.uvs if uv.parent_code == macro.code]
        assert members
        union = shapely.union_all(members)
        assert shapely.symmetric_difference(union, macro.geometry).area < 1e-9 * union.area
    assert sum(len([u for u in plan.uvs if u.parent_code == m.code]) for m in plan.macrosectors) == 31


def test_every_event_in_the_comuna_lies_on_an_ine_block(real):
    blocks = [to_metres_geom(shapely.geometry.shape(f["geometry"]), EPSG) for f in _features("manzanas_ine.geojson")]
    tree = shapely.STRtree(blocks)
    for source, frame in real.events.items():
        inside = frame[~frame["outside"]]
        pts = shapely.points(inside["x"].to_numpy(), inside["y"].to_numpy())
        src, _ = tree.query(pts, predicate="dwithin", distance=1.0)
        off = np.setdiff1d(np.arange(len(pts)), src)
        assert off.size == 0, f"{source}: {off.size} events off the blocks, e.g. {inside.iloc[off[0]][['lon', 'lat']]}"
        assert inside["area_code"].notna().all()


def test_the_places_are_the_real_ones(real):
    counts = real.places["kind"].value_counts()
    assert counts["school"] == _csv_located("establecimientos_educacionales.csv", "longitud", "latitud") == 75
    assert counts["health"] == _csv_located("establecimientos_salud.csv", "longitud", "latitud") == 28
    assert counts["transport"] == _csv_located("paraderos_dtpm_2020.csv", "stop_lon", "stop_lat") == 400
    police = [f for f in _features("cuarteles_carabineros.geojson") if f["properties"]["cut_com"] == "13122"]
    assert counts["police"] == len(police) == 3
    real_kinds = real.places["kind"].isin(["school", "health", "transport", "police"])
    assert not any(a["ilustrativo"] for a in real.places.loc[real_kinds, "attributes"])


def test_the_same_event_counts_as_the_drawn_demo(real_small, small):
    def table(s):
        return pd.concat(s.events.values()).groupby(["source", "category", "year"]).size()

    pd.testing.assert_series_equal(table(real_small), table(small))
    assert real_small.cead_monthly.equals(small.cead_monthly)


def test_same_files_and_seed_give_the_same_events(real_small):
    again = _build(3000)
    assert _checksum(again) == _checksum(real_small)
    assert again.places.equals(real_small.places)


def test_the_planted_hotspots_are_still_hot_on_real_blocks(real):
    police = real.events["cead-policial"]
    comuna = to_metres_geom(real.plan.comuna, EPSG)
    bx, by = shapely.get_coordinates(comuna).T
    grid = Grid.covering(bx, by, cell=CELL, epsg=EPSG)
    mask = shapely.contains_xy(comuna, *grid.centres())
    rob = police[police["category"].isin(["robo-violencia", "robo-sorpresa"]) & (police["year"] == 2025)]
    gi = gi_star(grid.counts(rob["x"], rob["y"]), CELL, NEIGHBOURHOOD, mask=mask, grid=grid)
    bins = gi.bins(fdr=True)
    for spot in HOTSPOTS:
        assert bins[_cell_of(grid, spot)] == GiBin.HOT_99, spot.name
    # The comuna's strongest cell is a planted hotspot's (Av. Grecia con Av. Tobalaba: z = 20.7 with seed 1).
    z = np.where(mask, np.nan_to_num(gi.z, nan=-np.inf), -np.inf)
    assert z.max() == max(z[_cell_of(grid, spot)] for spot in HOTSPOTS)


@pytest.mark.django_db
def test_the_demo_loads_the_real_gazetteer_and_places(real_small, django_db_blocker):
    from observatorio.records.models import AddressPoint, Place
    from observatorio.territory.models import Area

    expected = sum(1 for f in _features("direcciones_ine_parcial.geojson")
                   if str(f["properties"].get("numero") or "").strip().isdigit() and f["properties"].get("calle"))
    with loaded(real_small, django_db_blocker) as result:
        assert result.counts["addresses"] == AddressPoint.objects.count() == expected
        assert AddressPoint.objects.filter(area__isnull=False).count() > 0.95 * expected
        assert Place.objects.filter(kind="school").count() == 75
        assert Area.objects.filter(level="uv", illustrative=False).count() == 31
        assert Area.objects.filter(level="macrosector", illustrative=True).count() == 5


@pytest.mark.django_db
def test_the_command_says_what_is_real(tmp_path, monkeypatch, capsys):
    from observatorio.cli import EXIT_OK, main

    monkeypatch.setenv("OBS_DATA_DIR", str(tmp_path))
    argv = ["demo", "--events", "3000", "--as-of", AS_OF.isoformat(), "--quiet", "--geography", str(FOLDER)]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "5 macrosectores (ilustrativos), 31 UV reales" in out
    assert "36.068 direcciones en el nomenclátor" in out
