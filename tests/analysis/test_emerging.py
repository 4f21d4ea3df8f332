"""Emerging hotspots: ESRI classes on constructed z series and on planted space-time cubes."""

import numpy as np
import pytest

from observatorio.analysis.emerging import EmergingClass as E
from observatorio.analysis.emerging import classify_series, emerging_hotspots
from observatorio.analysis.gistar import gi_star, gi_star_space_time

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
    ("sporadic_hot_not_last", ".H...H....", None, E.SPORADIC_HOT),
    ("oscillating_hot", ".C..H....H", None, E.OSCILLATING_HOT),
    ("cold_then_new_is_oscillating", "C........H", None, E.OSCILLATING_HOT),
    ("historical_hot", "HHHHHHHHH.", None, E.HISTORICAL_HOT),
    ("new_cold", ".........C", None, E.NEW_COLD),
    ("consecutive_cold", "........CC", None, E.CONSECUTIVE_COLD),
    ("intensifying_cold", "CCCCCCCCCC", -RISING, E.INTENSIFYING_COLD),
    ("persistent_cold", "CCCCCCCCCC", -FLAT, E.PERSISTENT_COLD),
    ("diminishing_cold", "CCCCCCCCCC", -RISING[::-1], E.DIMINISHING_COLD),
    ("sporadic_cold", "C...C....C", None, E.SPORADIC_COLD),
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


def test_trend_significance_decides_between_intensifying_and_persistent():
    z, hot, cold = _series("HHHHHHHHHH", RISING)
    assert classify_series(z, hot, cold, trend_alpha=0.05) is E.INTENSIFYING_HOT
    # Mann–Kendall p of a strictly increasing series of 10 is ~1.7e-5 (S = 45).
    assert classify_series(z, hot, cold, trend_alpha=1e-6) is E.PERSISTENT_HOT


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
    return emerging_hotspots(_planted_cube(), cell=100, distance=150, fdr=True)


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
    r = emerging_hotspots(_cube(kind, seed), cell=100, distance=150, fdr=True)
    assert r.classes[9, 9] is expected
    assert r.classes[10, 10] is expected


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


def test_without_fdr_chance_hits_label_more_background_cells(planted):
    raw = emerging_hotspots(_planted_cube(), cell=100, distance=150)
    noisy = sum(c is not E.NO_PATTERN for c in raw.classes.ravel())
    clean = sum(c is not E.NO_PATTERN for c in planted.classes.ravel())
    assert noisy > 2 * clean


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
    raw = emerging_hotspots(cube, cell=100, distance=150)
    corrected = emerging_hotspots(cube, cell=100, distance=150, fdr=True)
    assert (corrected.hot <= raw.hot).all() and (corrected.cold <= raw.cold).all()
    assert corrected.hot.sum() < raw.hot.sum()


def test_mask_excludes_cells_and_input_is_not_mutated():
    cube = _planted_cube()
    before = cube.copy()
    mask = np.ones((20, 20), bool)
    mask[:, :5] = False
    r = emerging_hotspots(cube, cell=100, distance=150, mask=mask, fdr=True)
    np.testing.assert_array_equal(cube, before)
    assert r.classes[0, 0] is None and np.isnan(r.z[:, 0, 0]).all()
    assert r.classes[14, 14] is E.CONSECUTIVE_HOT
    assert len(r.to_frame()) == int(mask.sum())


def test_empty_period_is_not_significant():
    cube = _planted_cube()
    cube[4] = 0.0
    r = emerging_hotspots(cube, cell=100, distance=150)
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
    from observatorio.analysis.trend import mann_kendall

    n = len(z)

    def side(zz, same, opposite, names):
        if same.sum() / n >= 0.9:
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
    if hot.sum() / n >= 0.9:
        return E.HISTORICAL_HOT
    if cold.sum() / n >= 0.9:
        return E.HISTORICAL_COLD
    if hot.any() and not cold.any():
        return E.SPORADIC_HOT
    if cold.any() and not hot.any():
        return E.SPORADIC_COLD
    return E.NO_PATTERN


def test_classify_cells_agrees_with_the_rules_cell_by_cell():
    from observatorio.analysis.emerging import CLASSES, classify_cells
    from observatorio.analysis.trend import mann_kendall_many

    rng = np.random.default_rng(7)
    seen = set()
    for periods in (3, 4, 8, 10, 12):
        k = 3000
        state = np.stack([rng.choice(3, size=periods, p=rng.dirichlet([1, 1, 1])) for _ in range(k)], axis=1)
        hot, cold = state == 1, state == 2
        z = np.where(hot, rng.uniform(2, 6, hot.shape), np.where(cold, -rng.uniform(2, 6, hot.shape),
                                                                   rng.normal(0, 1, hot.shape)))
        z[:, ::4] = np.round(z[:, ::4])  # ties in the trend
        trend = mann_kendall_many(z.T)
        codes = classify_cells(hot, cold, trend.s, trend.p_value)
        for j in range(k):
            expected = _oracle(z[:, j], hot[:, j], cold[:, j])
            assert CLASSES[codes[j]] is expected, (z[:, j], hot[:, j], cold[:, j])
            seen.add(expected)
    assert seen == set(E)  # every class was reached


def test_codes_match_classes(planted):
    from observatorio.analysis.emerging import CLASSES

    inside = planted.mask
    assert (planted.codes[~inside] == -1).all()
    assert all(CLASSES[c] is k for c, k in zip(planted.codes[inside], planted.classes[inside]))
