"""The analysis package finds the patterns planted in the demo (docs/demo.md, "Planted patterns").

One Peñalolén scenario (seed 1, 2023–2025 plus 2026 to 25 November) is built per
module; the statistics run on its ``cead-policial`` points in EPSG:32719.
Study area for Gi* and emerging hotspots: the 100 m cells whose centres lie in
the comuna, so the figures describe the comuna and not the bounding box of a few
events planted just outside it.
"""


import numpy as np
import pandas as pd
import pytest
import shapely

from observatorio.analysis.emerging import EmergingClass, emerging_hotspots
from observatorio.analysis.gistar import GiBin, gi_star
from observatorio.analysis.grid import Grid
from observatorio.analysis.knox import knox_test
from observatorio.analysis.projection import to_metres
from observatorio.demo.events import (
    EMERGING_CATEGORIES,
    HOTSPOT_CATEGORIES,
    PLANTED,
    SERIES_CATEGORY,
)
from observatorio.demo.territory import to_metres_geom
from tests.conftest import DEMO_AS_OF as AS_OF  # the one as-of date of the tests

KEY = b"test-key-for-hashing-ruts-0123456789"
EPSG = 32719
CELL, NEIGHBOURHOOD = 100.0, 300.0
# Planted points fall within 150 m of their centre and Gi* looks 300 m around a cell,
# so a planted cluster can lift z at most this far from its centre.
REACH_M = 150.0 + NEIGHBOURHOOD
PEAK_MATCH_M = 150.0  # a peak "is" a planted hotspot when its cell centre is this close
PEAK_SEPARATION_M = 2 * NEIGHBOURHOOD  # peaks closer than this belong to one cluster
KNOX_DISTANCE_BANDS = [0, 200, 400, 800]
KNOX_TIME_BANDS = [0, 7, 14, 30]
KNOX_PERMUTATIONS, KNOX_SEED = 99, 1
NO_EXCESS_RATIO = 1.5  # a Knox ratio below this is "no near-repeat signal"

HOTSPOTS = [p for p in PLANTED if p.kind == "hotspot"]
EMERGING = next(p for p in PLANTED if p.kind == "emerging")
SERIES = next(p for p in PLANTED if p.kind == "near_repeat")
EMERGING_FAMILY = {EmergingClass.NEW_HOT, EmergingClass.CONSECUTIVE_HOT, EmergingClass.INTENSIFYING_HOT}
# ESRI's classes for a cell hot in >= 90 % of the periods and still hot now.
STEADY_FAMILY = {EmergingClass.PERSISTENT_HOT, EmergingClass.INTENSIFYING_HOT, EmergingClass.DIMINISHING_HOT}


def _metres(p) -> tuple[float, float]:
    (x,), (y,), _ = to_metres([p.lon], [p.lat], EPSG)
    return float(x), float(y)


def _cell_of(grid: Grid, p) -> tuple[int, int]:
    row, col = grid.cell_index(*map(np.atleast_1d, _metres(p)))
    assert row[0] >= 0, f"{p.name} is off the grid"
    return int(row[0]), int(col[0])


def _distance_to(grid: Grid, p) -> np.ndarray:
    xs, ys = grid.centres()
    x, y = _metres(p)
    return np.hypot(xs - x, ys - y)


@pytest.fixture(scope="module")
def scenario():
    from observatorio.demo.scenario import build_scenario

    return build_scenario("13122", seed=1, years=3, as_of=AS_OF, key=KEY)


@pytest.fixture(scope="module")
def police(scenario):
    return scenario.events["cead-policial"]


@pytest.fixture(scope="module")
def comuna_grid(scenario):
    comuna = to_metres_geom(scenario.plan.comuna, EPSG)
    bx, by = shapely.get_coordinates(comuna).T
    grid = Grid.covering(bx, by, cell=CELL, epsg=EPSG)
    xs, ys = grid.centres()
    return grid, shapely.contains_xy(comuna, xs, ys)


# ---------------------------------------------------------------------------------------------- Gi*
@pytest.fixture(scope="module")
def gi_2025(police, comuna_grid):
    grid, mask = comuna_grid
    rob = police[police["category"].isin(HOTSPOT_CATEGORIES) & (police["year"] == 2025)]
    return gi_star(grid.counts(rob["x"], rob["y"]), CELL, NEIGHBOURHOOD, mask=mask, grid=grid)


@pytest.mark.parametrize("spot", HOTSPOTS, ids=[p.name for p in HOTSPOTS])
def test_planted_hotspot_cell_is_hot_at_99_percent_with_fdr(gi_2025, spot):
    row, col = _cell_of(gi_2025.grid, spot)
    assert gi_2025.mask[row, col]
    assert gi_2025.bins(fdr=True)[row, col] == GiBin.HOT_99, f"z = {gi_2025.z[row, col]:.2f}"


def test_the_comunas_three_strongest_clusters_are_the_planted_hotspots(gi_2025):
    """Greedy peaks (highest z, then the highest at least 600 m from those taken) are the planted spots."""
    z = np.where(gi_2025.mask, np.nan_to_num(gi_2025.z, nan=-np.inf), -np.inf)
    xs, ys = gi_2025.grid.centres()
    peaks = []
    free = np.ones(z.shape, bool)
    for _ in range(3):
        k = np.unravel_index(np.argmax(np.where(free, z, -np.inf)), z.shape)
        peaks.append(k)
        free &= np.hypot(xs - xs[k], ys - ys[k]) >= PEAK_SEPARATION_M
    matched = []
    for k in peaks:
        d = [float(_distance_to(gi_2025.grid, p)[k]) for p in HOTSPOTS]
        assert min(d) <= PEAK_MATCH_M, f"peak z = {z[k]:.2f} is {min(d):.0f} m from the nearest planted hotspot"
        matched.append(int(np.argmin(d)))
    assert sorted(matched) == [0, 1, 2]


def test_no_hot_cell_away_from_the_planted_hotspots_rivals_them(gi_2025):
    far = np.all([_distance_to(gi_2025.grid, p) > REACH_M for p in HOTSPOTS], axis=0) & gi_2025.mask
    weakest_planted = min(gi_2025.z[_cell_of(gi_2025.grid, p)] for p in HOTSPOTS)
    # Background robberies cluster on the avenues, and the emerging spot (18 % of 2025's robos por
    # sorpresa) is hot too (z about 8 against 12.6 at the weakest planted hotspot), but weaker.
    assert np.nanmax(gi_2025.z[far]) < 0.8 * weakest_planted


# ---------------------------------------------------------------------------------------------- emerging
@pytest.fixture(scope="module")
def emerging_quarterly(police, comuna_grid):
    """Quarterly Gi* of each quarter on its own (time_window=None, alpha 0.05, no FDR) over 2023–2025, as docs/demo.md.

    Under the default space-time Gi* the avenues' moderate background clusters, quieter in the first quarters
    (which also look back at nothing), become "consecutive" too: see test_space_time_default_keeps_the_planted_classes.
    """
    grid, periods, cube, mask = _quarterly_cube(police, comuna_grid)
    return grid, periods, emerging_hotspots(cube, CELL, NEIGHBOURHOOD, mask=mask, time_window=None)


def _quarterly_cube(police, comuna_grid):
    grid, mask = comuna_grid
    ev = police[police["category"].isin(EMERGING_CATEGORIES) & police["year"].between(2023, 2025)]
    quarter = ev["occurred_on"].dt.to_period("Q")
    periods = pd.period_range("2023Q1", "2025Q4", freq="Q")
    cube = np.stack([grid.counts(ev["x"][quarter == q], ev["y"][quarter == q]) for q in periods])
    return grid, periods, cube, mask


def test_space_time_default_keeps_the_planted_classes(police, comuna_grid):
    # ESRI's defaults: space-time Gi* with one preceding quarter, FDR.
    grid, _, cube, mask = _quarterly_cube(police, comuna_grid)
    r = emerging_hotspots(cube, CELL, NEIGHBOURHOOD, mask=mask, fdr=True)
    assert r.classes[_cell_of(grid, EMERGING)] is EmergingClass.CONSECUTIVE_HOT
    assert all(r.classes[_cell_of(grid, spot)] in STEADY_FAMILY for spot in HOTSPOTS)


def test_planted_emerging_cell_is_classed_emerging(emerging_quarterly):
    grid, periods, r = emerging_quarterly
    row, col = _cell_of(grid, EMERGING)
    assert r.classes[row, col] in EMERGING_FAMILY, r.classes[row, col]
    # Nothing was planted there before 2025: its hot quarters are 2025's only.
    hot_years = {p.year for p, hot in zip(periods, r.hot[:, row, col]) if hot}
    assert hot_years == {2025}


def test_no_new_or_consecutive_hotspot_away_from_the_emerging_one(emerging_quarterly):
    grid, _, r = emerging_quarterly
    emerging_like = np.array([c in (EmergingClass.NEW_HOT, EmergingClass.CONSECUTIVE_HOT)
                              for c in r.classes.ravel()]).reshape(r.classes.shape)
    assert emerging_like.any()
    assert _distance_to(grid, EMERGING)[emerging_like].max() <= REACH_M


@pytest.mark.parametrize("spot", HOTSPOTS, ids=[p.name for p in HOTSPOTS])
def test_steady_hotspots_are_hot_every_quarter_not_emerging(emerging_quarterly, spot):
    """Planted at a fixed share of robos por sorpresa every year, they are hot in all 12 quarters.

    That puts them in ESRI's >= 90 % family (persistent, or intensifying/diminishing if the z
    series trends), never "new" or "consecutive", which need no hot period before the last run.
    """
    grid, periods, r = emerging_quarterly
    row, col = _cell_of(grid, spot)
    assert r.hot[:, row, col].all(), [str(p) for p, h in zip(periods, r.hot[:, row, col]) if not h]
    assert r.classes[row, col] in STEADY_FAMILY, r.classes[row, col]


# ---------------------------------------------------------------------------------------------- Knox
def _knox(events: pd.DataFrame):
    return knox_test(events["x"].to_numpy(), events["y"].to_numpy(),
                     events["occurred_on"].to_numpy(dtype="datetime64[ns]"),
                     distance_bands=KNOX_DISTANCE_BANDS, time_bands=KNOX_TIME_BANDS,
                     permutations=KNOX_PERMUTATIONS, seed=KNOX_SEED)


@pytest.fixture(scope="module")
def burglaries(police):
    return police[police["category"] == SERIES_CATEGORY]


def test_near_repeat_series_is_significant_in_knox(burglaries):
    r = _knox(burglaries)
    # With 99 permutations p = 0.01 is the floor: no shuffle of the dates reached the observed count.
    assert r.p_value[0, 0] <= 0.01
    assert r.ratio[0, 0] > 2, (r.observed[0, 0], r.expected[0, 0])
    # Every pair of the series lies within 200 m: the next distance band shows no excess.
    assert r.ratio[1, 0] < NO_EXCESS_RATIO


def test_without_the_series_the_background_shows_no_near_repeat(burglaries):
    rest = burglaries[burglaries["planted"] != SERIES.name]
    assert len(burglaries) - len(rest) > 0
    r = _knox(rest)
    assert r.p_value[0, 0] > 0.05
    assert r.ratio[0, 0] < NO_EXCESS_RATIO, (r.observed[0, 0], r.expected[0, 0])
