"""Exposure around places of interest: hand-computed cases, the conditional binomial test, planted clusters."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from scipy import stats
from shapely.geometry import box

from observatorio.analysis.exposure import conditional_ratio, exposure

EXACT = 1e-9
AREA = 1e-3  # relative error of polygonised discs (64 segments per quarter)
CI = 1e-8  # SciPy's proportion_ci(method="exact") finds the Clopper–Pearson limits by root finding


def test_ring_reference_hand_computed():
    # 4 events at 10 m, 4 at 150 m: ring 50–150 m holds 4 over π(150²−50²); E = 4·2500/20000 = 0.5.
    ex = [10, -10, 0, 0, 150, -150, 0, 0]
    ey = [0, 0, 10, -10, 0, 0, 150, -150]
    t = exposure(ex, ey, [0], [0], radius=50, outer_radius=150)
    row = t.iloc[0]
    assert row.observed == 4
    assert row.expected == pytest.approx(0.5, abs=EXACT)
    assert row.ratio == pytest.approx(8.0, abs=EXACT)
    # Given the 8 events, the inner count is Binomial(8, p0) with p0 = π50² / π150² = 1/9.
    assert (row.reference_count, row.null_share) == (4, pytest.approx(1 / 9, abs=EXACT))
    by_hand = stats.binomtest(4, 8, 1 / 9, alternative="greater")
    assert row.p_excess == pytest.approx(by_hand.pvalue, rel=EXACT)
    assert row.p_excess == pytest.approx(sum(comb(8, k) * (1 / 9) ** k * (8 / 9) ** (8 - k) for k in range(4, 9)),
                                         rel=EXACT)
    # Clopper–Pearson for π = 4/8, mapped to the density ratio π/(1−π) · (1−p0)/p0 = 8π/(1−π).
    ci = stats.binomtest(4, 8).proportion_ci(0.95, method="exact")
    assert row.lower == pytest.approx(8 * ci.low / (1 - ci.low), rel=CI)
    assert row.upper == pytest.approx(8 * ci.high / (1 - ci.high), rel=CI)


@pytest.mark.parametrize(("inner", "ring"), [(3, 12), (0, 5), (7, 1), (10, 40), (1, 0)])
def test_ring_p_is_scipy_binomtest_by_hand(inner, ring):
    # Inner disc r = 100 m, ring 100–300 m: p0 = 100² / 300² = 1/9; events at 50 m and 200 m.
    ang_i = np.linspace(0, 2 * np.pi, inner, endpoint=False)
    ang_r = np.linspace(0, 2 * np.pi, ring, endpoint=False)
    ex = np.r_[50 * np.cos(ang_i), 200 * np.cos(ang_r)]
    ey = np.r_[50 * np.sin(ang_i), 200 * np.sin(ang_r)]
    row = exposure(ex, ey, [0], [0], radius=100, outer_radius=300).iloc[0]
    n, p0 = inner + ring, 100**2 / 300**2
    assert (row.observed, row.reference_count) == (inner, ring)
    assert row.p_excess == pytest.approx(stats.binomtest(inner, n, p0, alternative="greater").pvalue, rel=1e-12)
    # The interval is SciPy's exact (Clopper–Pearson) one for π = inner / n, mapped to the density ratio.
    ci = stats.binomtest(inner, n).proportion_ci(0.95, method="exact")
    odds = [q / (1 - q) * (1 - p0) / p0 if q < 1 else np.inf for q in (ci.low, ci.high)]
    assert row.lower == pytest.approx(odds[0], rel=CI, abs=1e-12)
    assert row.upper == pytest.approx(odds[1], rel=CI)


def test_published_binomtest_case():
    # SciPy's binomtest documentation: 3 unsafe cars of 15 against p = 0.1, one-sided, p = 0.18406106910639114.
    # As exposure: 3 events within r and 12 in a ring whose outer disc has 10 times the inner area.
    r = 100.0
    R = r * np.sqrt(10)
    ang_i, ang_r = np.linspace(0, 2 * np.pi, 3, endpoint=False), np.linspace(0, 2 * np.pi, 12, endpoint=False)
    ex = np.r_[50 * np.cos(ang_i), 200 * np.cos(ang_r)]
    ey = np.r_[50 * np.sin(ang_i), 200 * np.sin(ang_r)]
    row = exposure(ex, ey, [0], [0], radius=r, outer_radius=R).iloc[0]
    assert row.null_share == pytest.approx(0.1, rel=1e-12)
    assert row.p_excess == pytest.approx(0.18406106910639114, rel=1e-12)
    # Density ratio: (3 / π r²) / (12 / 9π r²) = 2.25.
    assert row.ratio == pytest.approx(2.25, rel=1e-12)


def test_empty_ring_with_two_inner_events_is_not_p_zero():
    # The old Poisson(E) test took E = 0 from an empty ring, so p = P[X >= 2 | Poisson(0)] = 0.
    row = exposure([5, -5], [0, 0], [0], [0], radius=50, outer_radius=100).iloc[0]
    p0 = 50**2 / 100**2
    assert row.expected == 0 and row.reference_count == 0
    assert row.p_excess == pytest.approx(p0**2, rel=1e-12)  # both events fall inside by chance: 1/16
    assert row.p_excess == pytest.approx(stats.binomtest(2, 2, p0, alternative="greater").pvalue, rel=1e-12)
    assert row.p_excess > 0.05
    # The ratio is unbounded above but its lower limit is finite: (α/2)^(1/2) → π/(1−π) · (1−p0)/p0.
    low = 0.025**0.5
    assert np.isinf(row.ratio) and np.isinf(row.upper)
    assert row.lower == pytest.approx(low / (1 - low) * 3, rel=1e-12)


def test_no_events_at_all_gives_p_one_and_no_ratio():
    ratio, lower, upper, p = conditional_ratio(0, 0, 0.2)
    assert p == 1.0 and np.isnan(ratio) and np.isnan(lower) and np.isnan(upper)
    row = exposure([5000.0], [0.0], [0], [0], radius=50, outer_radius=100).iloc[0]
    assert (row.observed, row.reference_count, row.p_excess) == (0, 0, 1.0)


def test_region_reference_with_area_hand_computed():
    # 100 events in a 1 km² commune → 1e-4 per m²; buffer of 100 m → E = π.
    rng = np.random.default_rng(0)
    ex, ey = rng.uniform(0, 1000, 100), rng.uniform(0, 1000, 100)
    t = exposure(ex, ey, [500], [500], radius=100, reference="region", region=1e6)
    d = np.hypot(ex - 500, ey - 500)
    k = int(np.sum(d <= 100))
    row = t.iloc[0]
    assert row.observed == k
    assert row.expected == pytest.approx(np.pi, abs=EXACT)
    # The buffer lies inside the region: k of the 100 events against Binomial(100, π100² / 1e6).
    p0 = np.pi * 100**2 / 1e6
    assert (row.reference_count, row.null_share) == (100, pytest.approx(p0, rel=EXACT))
    assert row.p_excess == pytest.approx(stats.binomtest(k, 100, p0, alternative="greater").pvalue, rel=EXACT)
    ci = stats.binomtest(k, 100).proportion_ci(0.95, method="exact")
    assert row.lower == pytest.approx(ci.low / p0, rel=CI)
    assert row.upper == pytest.approx(ci.high / p0, rel=CI)
    # Seed 0 puts one event within 100 m; the lower limit of π then has a closed form, (1 − π)^100 = 1 − α/2.
    assert k == 1 and row.lower == pytest.approx((1 - 0.975 ** (1 / 100)) / p0, rel=1e-12)


def test_region_smaller_than_the_buffers_is_refused():
    with pytest.raises(ValueError, match="larger than the region"):
        exposure([0.0], [0.0], [0], [0], radius=100, reference="region", region=1000.0)


def test_region_polygon_clips_border_buffers():
    # A place on the commune's edge: only half its buffer lies inside, so E halves.
    region = box(0, 0, 1000, 1000)
    ex, ey = np.array([10.0, 500.0, -5.0]), np.array([500.0, 500.0, 500.0])  # the third is outside
    t = exposure(ex, ey, [0], [500], radius=100, reference="region", region=region)
    row = t.iloc[0]
    assert row.observed == 1
    assert row.buffer_area == pytest.approx(np.pi * 100**2 / 2, rel=AREA)
    assert row.reference_density == pytest.approx(2 / 1e6, abs=EXACT)


def test_group_pools_places_counting_each_event_once():
    # Two schools 100 m apart, r = 100: an event between them is near both but counted once;
    # the buffer is the union of two discs, 2πr² minus their lens.
    r, d = 100.0, 100.0
    lens = 2 * r**2 * np.arccos(d / (2 * r)) - d / 2 * np.sqrt(4 * r**2 - d**2)
    t = exposure([50, 0, 100, 400], [0, 0, 0, 0], [0, 100], [0, 0], radius=r, reference="region",
                 region=1e6, groups=["escuela", "escuela"])
    row = t.loc["escuela"]
    assert row.places == 2
    assert row.observed == 3
    assert row.buffer_area == pytest.approx(2 * np.pi * r**2 - lens, rel=AREA)
    assert row.expected == pytest.approx(4 / 1e6 * (2 * np.pi * r**2 - lens), rel=AREA)


@pytest.fixture(scope="module")
def city():
    """A 10 km × 10 km commune with uniform background events and three schools."""
    rng = np.random.default_rng(42)
    n = 40_000
    x, y = rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n)
    schools_x = np.array([2000.0, 5000.0, 8000.0])
    schools_y = np.array([3000.0, 7000.0, 5000.0])
    return x, y, schools_x, schools_y, rng


def test_planted_cluster_near_schools_has_ratio_above_one(city):
    x, y, sx, sy, _ = city
    rng = np.random.default_rng(7)
    # 60 extra events within 80 m of each school.
    ang = rng.uniform(0, 2 * np.pi, 180)
    rad = 80 * np.sqrt(rng.uniform(0, 1, 180))
    px = np.repeat(sx, 60) + rad * np.cos(ang)
    py = np.repeat(sy, 60) + rad * np.sin(ang)
    ex, ey = np.r_[x, px], np.r_[y, py]
    for kwargs in ({"reference": "ring", "outer_radius": 600}, {"reference": "region", "region": box(0, 0, 1e4, 1e4)}):
        t = exposure(ex, ey, sx, sy, radius=100, **kwargs)
        assert (t["ratio"] > 3).all(), kwargs
        assert (t["lower"] > 1).all(), kwargs
        pooled = exposure(ex, ey, sx, sy, radius=100, groups=["escuela"] * 3, **kwargs)
        assert pooled.loc["escuela", "lower"] > 2


@pytest.mark.parametrize(
    "kwargs",
    [{"reference": "ring", "outer_radius": 800}, {"reference": "region", "region": 1e8}],
    ids=["ring", "region"],
)
def test_uniform_points_give_ratio_near_one(kwargs):
    # Under complete spatial randomness the 95 % interval should cover 1 about 95 % of the time
    # and the ratio should average 1: check both over 60 independent communes.
    rng = np.random.default_rng(2024)
    places_x = np.linspace(1500, 8500, 8)
    places_y = np.linspace(8500, 1500, 8)
    ratios, covered = [], []
    for _ in range(60):
        x, y = rng.uniform(0, 10_000, 20_000), rng.uniform(0, 10_000, 20_000)
        row = exposure(x, y, places_x, places_y, radius=300, groups=["all"] * 8, **kwargs).loc["all"]
        ratios.append(row.ratio)
        covered.append(row.lower < 1 < row.upper)
    assert np.mean(covered) >= 0.85
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.03)


def test_inputs_not_mutated(city):
    x, y, sx, sy, _ = city
    x0 = x.copy()
    exposure(x, y, sx, sy, radius=100, outer_radius=300)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"radius": 0, "outer_radius": 10}, "radius"),
        ({"radius": 50}, "outer_radius"),
        ({"radius": 50, "outer_radius": 40}, "outer_radius"),
        ({"radius": 50, "reference": "commune"}, "reference"),
        ({"radius": 50, "reference": "region"}, "region"),
        ({"radius": 50, "reference": "region", "region": -1}, "region"),
        ({"radius": 50, "outer_radius": 90, "groups": ["a"]}, "groups"),
        ({"radius": 50, "outer_radius": 90, "confidence": 95}, "confidence"),
    ],
    ids=["zero-radius", "no-outer", "outer-too-small", "bad-reference", "no-region", "negative-region",
         "groups-length", "bad-confidence"],
)
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        exposure([0, 1], [0, 1], [0, 5], [0, 5], **kwargs)
