"""Emerging hotspots: ESRI classes (ArcGIS Pro 3.x) on constructed z series and on planted space-time cubes."""

import numpy as np
import pytest
from scipy import stats

from observatorio.analysis.emerging import CLASSES, MIN_BINS, classify_cells, classify_series, emerging_hotspots
from observatorio.analysis.emerging import EmergingClass as E
from observatorio.analysis.emerging import pattern_bins as bins_of
from observatorio.analysis.gistar import gi_star, gi_star_space_time
from observatorio.analysis.trend import mann_kendall, mann_kendall_many

T = 10
Z_TOL = 1e-12


def _series(pattern: str, z_values=None):
    """'H' hot, 'C' cold, '.' neither; z defaults to +3/-3/0."""
    hot = np.array([c == "H" for c in pattern])
    cold = np.array([c == "C" for c in pattern])
    z = np.where(hot, 3.0, np.where(cold, -3.0, 0.0)) if z_values is None else np.asarray(z_values, float)
    return z, hot, cold


RISING = np.linspace(2.0, 6.0, T)
FLAT = np.array([3.0, 3.4, 2.9, 3.3, 3.0, 3.5, 2.8, 3.2, 3.1, 3.0])

CASES = [
    ("new_hot", ".........H", None, E.NEW_HOT),
    ("consecutive_hot", ".......HHH", None, E.CONSECUTIVE_HOT),
    ("intensifying_hot", "HHHHHHHHHH", RISING, E.INTENSIFYING_HOT),
    ("persistent_hot", "HHHHHHHHHH", FLAT, E.PERSISTENT_HOT),
    ("persistent_hot_one_gap", "HHHH.HHHHH", np.where(np.arange(T) == 4, 1.0, FLAT), E.PERSISTENT_HOT),
    ("diminishing_hot", "HHHHHHHHHH", RISING[::-1], E.DIMINISHING_HOT),
    ("sporadic_hot_last", "..H..H...H", None, E.SPORADIC_HOT),
    # ESRI Pro 3.x: sporadic is hot "for the final time-step interval"; on and off in the past only is no pattern.
    ("on_and_off_not_final_is_no_pattern", ".H...H....", None, E.NO_PATTERN),
    ("cold_on_and_off_not_final_is_no_pattern", "..C..C....", None, E.NO_PATTERN),
    ("oscillating_hot", ".C..H....H", None, E.OSCILLATING_HOT),
    ("cold_then_new_is_oscillating", "C........H", None, E.OSCILLATING_HOT),
    ("historical_hot", "HHHHHHHHH.", None, E.HISTORICAL_HOT),
    ("historical_needs_90_percent", "HHHHHHHH..", None, E.NO_PATTERN),
    ("final_cold_beats_historical_hot", "HHHHHHHHHC", None, E.OSCILLATING_COLD),
    ("run_of_nine_is_persistent_not_consecutive", ".HHHHHHHHH", np.r_[0.0, FLAT[1:]], E.PERSISTENT_HOT),
    ("run_of_eight_is_consecutive", "..HHHHHHHH", None, E.CONSECUTIVE_HOT),
    ("cold_before_a_run_is_oscillating", "C......HHH", None, E.OSCILLATING_HOT),
    ("new_cold", ".........C", None, E.NEW_COLD),
    ("consecutive_cold", "........CC", None, E.CONSECUTIVE_COLD),
    ("intensifying_cold", "CCCCCCCCCC", -RISING, E.INTENSIFYING_COLD),
    ("persistent_cold", "CCCCCCCCCC", -FLAT, E.PERSISTENT_COLD),
    ("diminishing_cold", "CCCCCCCCCC", -RISING[::-1], E.DIMINISHING_COLD),
    ("sporadic_cold", "C...C....C", None, E.SPORADIC_COLD),
    ("sporadic_cold_not_last_is_no_pattern", "C...C.....", None, E.NO_PATTERN),
    ("oscillating_cold", "H...H....C", None, E.OSCILLATING_COLD),
    ("historical_cold", "CCCCCCCCC.", None, E.HISTORICAL_COLD),
    ("never_significant", "..........", None, E.NO_PATTERN),
    ("mixed_past_neutral_now", "H...C.....", None, E.NO_PATTERN),
    ("run_broken_before", "H......HHH", None, E.SPORADIC_HOT),
    ("eight_of_ten_not_persistent", "HH.HHH.HHH", None, E.SPORADIC_HOT),
]


@pytest.mark.parametrize(("pattern", "z", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify_series_known_answers(pattern, z, expected):
    assert classify_series(*_series(pattern, z)) is expected


# ------------------------------------------------------------------ 28 weekly periods: the boundaries of the rules
W = 28


def _weeks(hot_weeks=(), cold_weeks=(), z=None):
    """A 28-week series: the given weeks (0-based) hot or cold, z +3/-3/0 unless given."""
    hot = np.zeros(W, bool)
    cold = np.zeros(W, bool)
    hot[list(hot_weeks)] = True
    cold[list(cold_weeks)] = True
    z = np.where(hot, 3.0, np.where(cold, -3.0, 0.0)) if z is None else np.asarray(z, float)
    return z, hot, cold


WAVY = 3.0 + 0.3 * np.sin(np.arange(W) * 2.0)  # hot throughout, no trend (Mann–Kendall p = 0.58)

WEEKS = [
    # 90 % of 28 is 25.2: 26 hot weeks reach it, 25 do not (the rule is 10 · hot >= 9 · T, no rounding).
    ("26_of_28_with_the_final_is_persistent", dict(hot_weeks=range(2, 28), z=np.r_[0, 0, WAVY[2:]]),
     E.PERSISTENT_HOT),
    ("25_of_28_with_the_final_is_sporadic", dict(hot_weeks=[0, *range(4, 28)]), E.SPORADIC_HOT),
    ("26_of_28_without_the_final_is_historical", dict(hot_weeks=range(26)), E.HISTORICAL_HOT),
    ("25_of_28_without_the_final_is_no_pattern", dict(hot_weeks=range(25)), E.NO_PATTERN),
    ("26_of_28_rising_is_intensifying", dict(hot_weeks=range(2, 28), z=np.r_[0, 0, np.linspace(2, 8, 26)]),
     E.INTENSIFYING_HOT),
    ("25_of_28_rising_is_sporadic_the_trend_needs_90_percent",
     dict(hot_weeks=[0, *range(4, 28)], z=np.r_[2, 0, 0, 0, np.linspace(2, 8, 24)]), E.SPORADIC_HOT),
    ("26_of_28_falling_is_diminishing", dict(hot_weeks=range(2, 28), z=np.r_[0, 0, np.linspace(8, 2, 26)]),
     E.DIMINISHING_HOT),
    ("consecutive_run_of_25_at_the_end", dict(hot_weeks=range(3, 28)), E.CONSECUTIVE_HOT),
    ("oscillating_below_90_percent", dict(hot_weeks=range(5, 28), cold_weeks=[1]), E.OSCILLATING_HOT),
    # A cold week in the middle: 26 hot weeks are still persistent ("less than 90 %" is part of oscillating), 25 not.
    ("26_hot_and_a_cold_week_is_persistent", dict(hot_weeks=[w for w in range(W) if w not in (13, 14)],
                                                  cold_weeks=[14], z=np.r_[WAVY[:13], 0, -3, WAVY[15:]]),
     E.PERSISTENT_HOT),
    ("25_hot_and_a_cold_week_is_oscillating", dict(hot_weeks=[w for w in range(W) if w not in (12, 13, 14)],
                                                   cold_weeks=[14], z=np.r_[WAVY[:12], 0, 0, -3, WAVY[15:]]),
     E.OSCILLATING_HOT),
    ("one_cold_week_is_new_cold", dict(cold_weeks=[27]), E.NEW_COLD),
    ("26_of_28_cold_without_the_final_is_historical_cold", dict(cold_weeks=range(26)), E.HISTORICAL_COLD),
]


@pytest.mark.parametrize(("kwargs", "expected"), [c[1:] for c in WEEKS], ids=[c[0] for c in WEEKS])
def test_28_weeks_boundaries(kwargs, expected):
    assert classify_series(*_weeks(**kwargs)) is expected


def test_wavy_series_has_no_trend():
    assert mann_kendall(WAVY).p_value > 0.5
    assert mann_kendall(np.linspace(2, 8, 26)).p_value < 1e-6


def _bins(z, hot, cold):
    code = classify_cells(hot[:, None], cold[:, None], *_mk(z))
    return CLASSES[code[0]], int(bins_of(code, hot[:, None], cold[:, None])[0])


def _mk(z):
    t = mann_kendall_many(np.asarray(z, float)[None, :])
    return t.s, t.p_value


@pytest.mark.parametrize(
    ("kwargs", "expected", "n_bins"),
    [
        (dict(hot_weeks=[27]), E.NEW_HOT, 1),  # one hot week out of 28: new, resting on that one week
        (dict(hot_weeks=[27], cold_weeks=[3]), E.OSCILLATING_HOT, 1),  # one hot week, and a cold one long ago
        (dict(hot_weeks=[26, 27]), E.CONSECUTIVE_HOT, 2),
        (dict(hot_weeks=[10, 27]), E.SPORADIC_HOT, 2),
        (dict(cold_weeks=[27]), E.NEW_COLD, 1),
        (dict(hot_weeks=range(26)), E.HISTORICAL_HOT, 26),
        (dict(hot_weeks=[10]), E.NO_PATTERN, 0),
    ],
    ids=["new", "oscillating", "consecutive", "sporadic", "new_cold", "historical", "no_pattern"],
)
def test_pattern_bins_count_the_periods_a_class_rests_on(kwargs, expected, n_bins):
    assert _bins(*_weeks(**kwargs)) == (expected, n_bins)
    assert (expected is not E.NO_PATTERN and n_bins < MIN_BINS) == (n_bins == 1)  # MIN_BINS = 2: one period


def _week_cube(seed=4):
    """28 weekly 20×20 grids of Poisson(1) with a 2×2 block planted in the final week only."""
    cube = np.random.default_rng(seed).poisson(1.0, size=(W, 20, 20)).astype(float)
    cube[-1, 9:11, 9:11] += 12
    return cube


def test_one_hot_week_out_of_28_is_new_and_says_it_rests_on_one_week():
    r = emerging_hotspots(_week_cube(), cell=100, distance=150, fdr=True)
    assert r.classes[9, 9] is E.NEW_HOT
    assert r.pattern_bins[9, 9] == 1 and r.few_bins[9, 9]
    frame = r.to_frame().set_index(["row", "col"])
    cell = frame.loc[(9, 9)]
    assert (cell["pattern"], cell["pattern_periods"], cell["few_periods"], cell["periods"]) == ("new_hot", 1, True, 28)
    # Every flagged cell has a class and rests on a single period; "no pattern" is never flagged.
    flagged = frame[frame["few_periods"]]
    assert (flagged["pattern_periods"] == 1).all() and (flagged["pattern"] != "no_pattern").all()
    assert not frame.loc[frame["pattern"] == "no_pattern", "few_periods"].any()


def test_result_says_which_definitions_and_parameters_were_used():
    r = emerging_hotspots(_week_cube(), cell=100, distance=150, fdr=True)
    d = r.definitions()
    assert d["definitions"] == "ESRI ArcGIS Pro 3.x" and "learnmoreemerging" in d["source"]
    assert (d["gi_star"], d["time_window"], d["periods"], d["fdr"]) == ("space_time", 1, 28, True)
    assert (d["alpha"], d["trend_alpha"], d["persistence_share"], d["min_bins"]) == (0.05, 0.05, 0.9, 2)
    assert d["persistence_bins"] == 26  # 90 % of 28 is 25.2
    slices = emerging_hotspots(_week_cube(), cell=100, distance=150, time_window=None).definitions()
    assert (slices["gi_star"], slices["time_window"], slices["fdr"]) == ("each_period", None, False)


def test_lead_periods_give_the_first_classified_period_a_full_neighbourhood():
    # A steady block and nothing else: the first period looks back at nothing, so its z is smaller.
    cube = np.zeros((9, 12, 12))
    cube[:, 5:7, 5:7] = 3.0
    z, _ = gi_star_space_time(cube, 100, 150, 1)
    assert z[0, 5, 5] < z[1, 5, 5] and z[1:, 5, 5] == pytest.approx(z[1, 5, 5], rel=1e-12)
    r = emerging_hotspots(cube, cell=100, distance=150, lead=1)
    np.testing.assert_allclose(r.z, z[1:], atol=Z_TOL)
    assert r.periods == 8 and r.definitions()["lead_periods"] == 1
    assert r.hot[:, 5, 5].all() and r.classes[5, 5] is E.PERSISTENT_HOT
    each = emerging_hotspots(cube, cell=100, distance=150, time_window=None, lead=2)
    np.testing.assert_allclose(each.z[0], gi_star(cube[2], 100, 150).z, atol=Z_TOL)
    with pytest.raises(ValueError, match="after 7 lead periods"):
        emerging_hotspots(cube, cell=100, distance=150, lead=7)


def test_space_time_gi_star_is_the_default():
    cube = _week_cube()
    z, _ = gi_star_space_time(cube, 100, 150, 1)
    np.testing.assert_allclose(emerging_hotspots(cube, cell=100, distance=150).z, z, atol=Z_TOL)


def test_trend_significance_decides_between_intensifying_and_persistent():
    z, hot, cold = _series("HHHHHHHHHH", RISING)
    assert classify_series(z, hot, cold, trend_alpha=0.05) is E.INTENSIFYING_HOT
    # Mann–Kendall p of a strictly increasing series of 10 is ~1.7e-5 (S = 45).
    assert classify_series(z, hot, cold, trend_alpha=1e-6) is E.PERSISTENT_HOT


@pytest.mark.parametrize(("z", "up", "down"), [(RISING, E.INTENSIFYING_HOT, E.DIMINISHING_HOT),
                                                (-RISING, E.INTENSIFYING_COLD, E.DIMINISHING_COLD)],
                         ids=["hot", "cold"])
def test_the_trend_counts_when_its_p_is_below_trend_alpha(z, up, down):
    # Mann–Kendall of 10 strictly monotonic values: S = ±45, var S = 10·9·25/18 = 125, z = 44/√125, p = 2(1 − Φ(z)).
    p = 2 * stats.norm.sf(44 / np.sqrt(125))
    assert mann_kendall(z).p_value == pytest.approx(p, rel=1e-12)
    side = "H" if z[0] > 0 else "C"
    for series, trending in ((z, up), (z[::-1], down)):
        args = _series(side * T, series)
        assert classify_series(*args, trend_alpha=p * 1.001) is trending
        assert classify_series(*args, trend_alpha=p * 0.999) is (E.PERSISTENT_HOT if side == "H" else E.PERSISTENT_COLD)


def test_classes_are_stable_codes_without_labels():
    # Labels live with the interface (observatorio/labels.py).
    assert len({c.value for c in E}) == len(E) == 17
    assert E.INTENSIFYING_HOT.value == "intensifying_hot" and E.NO_PATTERN.value == "no_pattern"
    assert not hasattr(E.NEW_HOT, "label_es")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1.0, 2.0], [True, True], [False, False]), "at least 3"),
        (([1.0, 2.0, 3.0], [True, True], [False, False]), "one length"),
        (([3.0, 3.0, 3.0], [True, True, True], [True, False, False]), "both hot and cold"),
    ],
    ids=["short", "lengths", "both"],
)
def test_classify_series_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        classify_series(*args)


PLANTS = {
    "new": (slice(-1, None), 12.0),  # the last month only
    "consecutive": (slice(-3, None), 10.0),  # the last three months
    "steady": (slice(None), 8.0),  # every month, same size
    "gone_last": (slice(None, -1), 8.0),  # every month but the last
    "growing": (slice(None), np.linspace(3, 14, 12)[:, None, None]),  # bigger every month
}


def _cube(kind: str, seed: int = 3) -> np.ndarray:
    """12 monthly 20×20 grids of Poisson(1) background with one planted 2×2 block at rows/cols 9–10.

    One block per cube: a block that grows (or appears) inflates that month's
    variance, which by construction lowers every other block's z that month.
    """
    cube = np.random.default_rng(seed).poisson(1.0, size=(12, 20, 20)).astype(float)
    months, extra = PLANTS[kind]
    cube[months, 9:11, 9:11] += extra
    return cube


def _planted_cube(seed: int = 3) -> np.ndarray:
    """Background with a new block (2, 2) and a consecutive block (14, 14), far apart."""
    cube = np.random.default_rng(seed).poisson(1.0, size=(12, 20, 20)).astype(float)
    cube[-1, 2:4, 2:4] += 12
    cube[-3:, 14:16, 14:16] += 10
    return cube


@pytest.fixture(scope="module")
def planted():
    """Gi* of each month on its own (time_window=None), where a bin's z is that month's slice."""
    return emerging_hotspots(_planted_cube(), cell=100, distance=150, fdr=True, time_window=None)


@pytest.mark.parametrize("seed", [0, 1, 2], ids=lambda s: f"seed{s}")
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("new", E.NEW_HOT),
        ("consecutive", E.CONSECUTIVE_HOT),
        ("steady", E.PERSISTENT_HOT),
        ("gone_last", E.HISTORICAL_HOT),
        ("growing", E.INTENSIFYING_HOT),
    ],
    ids=["new", "consecutive", "persistent", "historical", "intensifying"],
)
def test_planted_block_known_answers(kind, expected, seed):
    # FDR per month: 12 months at 5 % would otherwise give a background cell a chance hit about half the time.
    r = emerging_hotspots(_cube(kind, seed), cell=100, distance=150, fdr=True, time_window=None)
    assert r.classes[9, 9] is expected
    assert r.classes[10, 10] is expected


@pytest.mark.parametrize("seed", [0, 1, 2], ids=lambda s: f"seed{s}")
@pytest.mark.parametrize(
    ("kind", "expected"),
    [("new", E.NEW_HOT), ("consecutive", E.CONSECUTIVE_HOT), ("growing", E.INTENSIFYING_HOT)],
    ids=["new", "consecutive", "intensifying"],
)
def test_planted_block_known_answers_under_the_default_space_time_gi_star(kind, expected, seed):
    r = emerging_hotspots(_cube(kind, seed), cell=100, distance=150, fdr=True)
    assert r.classes[9, 9] is expected and r.classes[10, 10] is expected


def test_space_time_window_carries_a_hotspot_one_period_past_its_end():
    # The final month looks back at the one before, where the block still is: hot again, so persistent,
    # where each month on its own says historical (docs/analysis.md, emerging).
    r = emerging_hotspots(_cube("gone_last"), cell=100, distance=150, fdr=True)
    assert r.hot[-1, 9, 9] and r.classes[9, 9] is E.PERSISTENT_HOT


def test_growing_block_trend_is_significant_under_space_time_gi_star_too():
    r = emerging_hotspots(_cube("growing"), cell=100, distance=150, time_window=1, fdr=True)
    assert r.classes[9, 9] is E.INTENSIFYING_HOT
    assert r.trend_p[9, 9] < 0.05 and r.trend_slope[9, 9] > 0


def test_background_is_mostly_no_pattern(planted):
    frame = planted.to_frame()
    far = frame[(frame["row"].between(6, 11)) & (frame["col"].between(6, 11))]
    assert (far["pattern"] == "no_pattern").mean() >= 0.9
    assert frame.loc[(frame["row"] == 2) & (frame["col"] == 2), "pattern"].item() == "new_hot"
    assert set(frame.columns) >= {"pattern", "hot_periods", "trend_p"} and "pattern_es" not in frame.columns
    assert len(frame) == 400


def test_without_fdr_chance_hits_are_past_bins_that_make_no_class(planted):
    # Away from the planted blocks, 12 months at α = 0.05 give chance hot or cold bins; FDR removes them. Under
    # ESRI's Pro 3.x rules a chance bin before the final month makes no class by itself (no sporadic without a
    # hot final month), so the background stays "no pattern" either way.
    raw = emerging_hotspots(_planted_cube(), cell=100, distance=150, time_window=None)
    background = np.ones((20, 20), bool)
    background[1:5, 1:5] = background[13:17, 13:17] = False  # the planted blocks and the cells around them
    chance = (raw.hot | raw.cold)[:, background].sum()
    assert chance >= 10 and (planted.hot | planted.cold)[:, background].sum() <= chance // 5
    patterned = np.array([c is not E.NO_PATTERN for c in raw.classes[background]])
    past_only = (raw.hot | raw.cold)[:, background].any(axis=0) & ~(raw.hot[-1] | raw.cold[-1])[background]
    assert past_only.sum() >= 10 and not (patterned & past_only).any()


def test_z_per_period_is_gi_star_of_each_slice(planted):
    cube = _planted_cube()
    for t in (0, 6, 11):
        np.testing.assert_allclose(planted.z[t], gi_star(cube[t], 100, 150).z, atol=Z_TOL)


def test_space_time_neighbourhood_uses_the_cube_gi_star():
    cube = _planted_cube()
    r = emerging_hotspots(cube, cell=100, distance=150, time_window=1, fdr=True)
    z, _ = gi_star_space_time(cube, 100, 150, 1)
    np.testing.assert_allclose(r.z, z, atol=Z_TOL)
    assert r.classes[2, 2] is E.NEW_HOT
    assert r.classes[14, 14] is E.CONSECUTIVE_HOT


def test_fdr_flags_no_more_bins_than_raw():
    cube = _planted_cube()
    raw = emerging_hotspots(cube, cell=100, distance=150, time_window=None)
    corrected = emerging_hotspots(cube, cell=100, distance=150, fdr=True, time_window=None)
    assert (corrected.hot <= raw.hot).all() and (corrected.cold <= raw.cold).all()
    assert corrected.hot.sum() < raw.hot.sum()


def test_mask_excludes_cells_and_input_is_not_mutated():
    cube = _planted_cube()
    before = cube.copy()
    mask = np.ones((20, 20), bool)
    mask[:, :5] = False
    r = emerging_hotspots(cube, cell=100, distance=150, mask=mask, fdr=True, time_window=None)
    np.testing.assert_array_equal(cube, before)
    assert r.classes[0, 0] is None and np.isnan(r.z[:, 0, 0]).all()
    assert r.pattern_bins[0, 0] == -1 and not r.few_bins[0, 0]
    assert r.classes[14, 14] is E.CONSECUTIVE_HOT
    assert len(r.to_frame()) == int(mask.sum())


def test_empty_period_is_not_significant():
    cube = _planted_cube()
    cube[4] = 0.0
    r = emerging_hotspots(cube, cell=100, distance=150, time_window=None)
    assert not r.hot[4].any() and np.isnan(r.z[4]).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(cube=np.zeros((2, 4, 4))), "at least 3 periods"),
        (dict(cube=np.zeros((4, 4))), "3-D"),
        (dict(cube=np.ones((4, 4, 4)), alpha=0), "alpha"),
        (dict(cube=np.ones((4, 4, 4)), trend_alpha=2), "trend_alpha"),
        (dict(cube=np.ones((4, 4, 4)), time_window=-1), "time_window"),
    ],
    ids=["periods", "ndim", "alpha", "trend_alpha", "window"],
)
def test_bad_input_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        emerging_hotspots(cell=100, distance=150, **kwargs)


def _oracle(z, hot, cold, trend_alpha=0.05):
    """The class rules of the module docstring written plainly for one cell: the check of classify_cells."""

    n = len(z)

    def side(zz, same, opposite, names):
        if 10 * same.sum() >= 9 * n:
            t = mann_kendall(zz)
            if t.p_value < trend_alpha and t.s > 0:
                return names[0]
            if t.p_value < trend_alpha and t.s < 0:
                return names[1]
            return names[2]
        breaks = np.nonzero(~same[::-1])[0]
        run = int(breaks[0]) if breaks.size else n
        if not (same | opposite)[: n - run].any():
            return names[3] if run == 1 else names[4]
        return names[5] if opposite.any() else names[6]

    hot_names = (E.INTENSIFYING_HOT, E.DIMINISHING_HOT, E.PERSISTENT_HOT, E.NEW_HOT, E.CONSECUTIVE_HOT,
                 E.OSCILLATING_HOT, E.SPORADIC_HOT)
    cold_names = (E.INTENSIFYING_COLD, E.DIMINISHING_COLD, E.PERSISTENT_COLD, E.NEW_COLD, E.CONSECUTIVE_COLD,
                  E.OSCILLATING_COLD, E.SPORADIC_COLD)
    if hot[-1]:
        return side(z, hot, cold, hot_names)
    if cold[-1]:
        return side(-z, cold, hot, cold_names)
    if 10 * hot.sum() >= 9 * n:
        return E.HISTORICAL_HOT
    if 10 * cold.sum() >= 9 * n:
        return E.HISTORICAL_COLD
    return E.NO_PATTERN


def test_classify_cells_agrees_with_the_rules_cell_by_cell():

    rng = np.random.default_rng(7)
    seen = set()
    for periods in (3, 4, 8, 10, 12, 28):
        k = 3000
        state = np.stack([rng.choice(3, size=periods, p=rng.dirichlet([1, 1, 1])) for _ in range(k)], axis=1)
        hot, cold = state == 1, state == 2
        z = np.where(hot, rng.uniform(2, 6, hot.shape), np.where(cold, -rng.uniform(2, 6, hot.shape),
                                                                   rng.normal(0, 1, hot.shape)))
        z[:, ::4] = np.round(z[:, ::4])  # ties in the trend
        trend = mann_kendall_many(z.T)
        codes = classify_cells(hot, cold, trend.s, trend.p_value)
        counts = bins_of(codes, hot, cold)
        for j in range(k):
            expected = _oracle(z[:, j], hot[:, j], cold[:, j])
            assert CLASSES[codes[j]] is expected, (z[:, j], hot[:, j], cold[:, j])
            side = hot[:, j] if expected.value.endswith("_hot") else cold[:, j]
            assert counts[j] == (0 if expected is E.NO_PATTERN else side.sum())
            seen.add(expected)
    assert seen == set(E)  # every class was reached


def test_codes_match_classes(planted):

    inside = planted.mask
    assert (planted.codes[~inside] == -1).all()
    assert all(CLASSES[c] is k for c, k in zip(planted.codes[inside], planted.classes[inside]))
