"""KDE by binning + FFT against the exact estimator (direct sum) and scikit-learn's KernelDensity."""

import math

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity

from observatorio.analysis.grid import Grid
from observatorio.analysis.kde import DensityUnit, bandwidth_rule, kde

PEAK_TOL = 0.01  # max |error| as a share of the exact surface's peak


def _points(seed, n=1500):
    rng = np.random.default_rng(seed)
    x = np.r_[rng.normal(2000, 250, n // 2), rng.uniform(-500, 5500, n - n // 2)]
    y = np.r_[rng.normal(2500, 350, n // 2), rng.uniform(-500, 6500, n - n // 2)]
    return x, y


# The grid covers [0, 5000] × [0, 6000]; some points lie outside it and must still count.
GRID = Grid(x0=0.0, y0=0.0, cell=100.0, nrows=60, ncols=50, epsg=32719)


def _exact(x, y, grid, kernel, h, weights=None):
    cx, cy = grid.centres()
    d2 = (cx.ravel()[:, None] - x[None, :]) ** 2 + (cy.ravel()[:, None] - y[None, :]) ** 2
    if kernel == "gaussian":
        k = np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)
    else:
        k = np.where(d2 < h * h, 3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2, 0.0)
    w = np.ones(x.size) if weights is None else weights
    return (k @ w).reshape(grid.shape) * 1e6


@pytest.mark.parametrize(
    ("kernel", "bandwidth"),
    [("gaussian", "scott"), ("gaussian", "silverman"), ("gaussian", 50.0), ("gaussian", 400.0),
     ("quartic", "scott"), ("quartic", 100.0), ("quartic", 600.0)],
    ids=["g-scott", "g-silverman", "g-50m", "g-400m", "q-scott", "q-100m", "q-600m"],
)
def test_matches_direct_sum(kernel, bandwidth):
    x, y = _points(1)
    s = kde(x, y, GRID, bandwidth=bandwidth, kernel=kernel)
    exact = _exact(x, y, GRID, kernel, s.bandwidth)
    assert s.values.shape == GRID.shape and s.unit is DensityUnit.EVENTS_PER_KM2
    assert np.abs(s.values - exact).max() < PEAK_TOL * exact.max()


@pytest.mark.parametrize("bandwidth", [80.0, 250.0], ids=["80m", "250m"])
def test_gaussian_matches_sklearn(bandwidth):
    x, y = _points(2)
    s = kde(x, y, GRID, bandwidth=bandwidth)
    cx, cy = GRID.centres()
    fitted = KernelDensity(kernel="gaussian", bandwidth=bandwidth).fit(np.column_stack([x, y]))
    reference = np.exp(fitted.score_samples(np.column_stack([cx.ravel(), cy.ravel()]))).reshape(GRID.shape)
    ours = s.values / 1e6 / x.size  # events per km² → probability density per m²
    assert np.abs(ours - reference).max() < PEAK_TOL * reference.max()


def test_off_grid_points_count():
    # One point 300 m west of the grid: the westmost column must see it.
    s = kde([-300.0], [3000.0], GRID, bandwidth=200.0)
    exact = _exact(np.array([-300.0]), np.array([3000.0]), GRID, "gaussian", 200.0)
    assert s.values[:, 0].max() > 0
    assert np.abs(s.values - exact).max() < PEAK_TOL * exact.max()


def test_integer_weights_equal_repeated_points():
    x, y = _points(3, n=200)
    w = np.random.default_rng(3).integers(0, 4, x.size)
    weighted = kde(x, y, GRID, bandwidth=150.0, weights=w)
    repeated = kde(np.repeat(x, w), np.repeat(y, w), GRID, bandwidth=150.0)
    np.testing.assert_allclose(weighted.values, repeated.values, rtol=1e-9, atol=1e-9 * repeated.values.max())


def test_expected_per_cell_is_density_times_cell_area_and_sums_to_n():
    rng = np.random.default_rng(4)
    x, y = rng.normal(2500, 200, 500), rng.normal(3000, 200, 500)  # far from the edges
    dens = kde(x, y, GRID, bandwidth=120.0)
    exp = kde(x, y, GRID, bandwidth=120.0, output="expected")
    np.testing.assert_allclose(exp.values, dens.values * (100.0**2 / 1e6), rtol=1e-12)
    assert exp.values.sum() == pytest.approx(500, rel=1e-3)
    assert exp.unit is DensityUnit.EVENTS_PER_CELL


def test_bandwidth_rules_by_hand_and_against_scipy():
    x, y = [0.0, 1000.0, 0.0, 1000.0], [0.0, 0.0, 1000.0, 1000.0]
    # Scott: σ̄ = √(333333.3) = 577.35, × 4^(−1/6).
    assert bandwidth_rule(x, y, "scott") == pytest.approx(math.sqrt(1e6 / 3) * 4 ** (-1 / 6), rel=1e-12)
    # Silverman (ArcGIS form): SD = D_m = 707.1, min(707.1, 1.2011·707.1) = 707.1, × 0.9 × 4^(−1/5).
    assert bandwidth_rule(x, y, "silverman") == pytest.approx(0.9 * math.sqrt(5e5) * 4 ** (-0.2), rel=1e-12)
    px, py = _points(5, n=300)
    sigma = math.sqrt((np.var(px, ddof=1) + np.var(py, ddof=1)) / 2)
    assert bandwidth_rule(px, py, "scott") == pytest.approx(sigma * gaussian_kde(np.vstack([px, py])).scotts_factor(), rel=1e-12)


def test_quartic_rule_radius_has_the_gaussian_variance():
    x, y = _points(6, n=300)
    assert kde(x, y, GRID, kernel="quartic").bandwidth == pytest.approx(2 * math.sqrt(2) * bandwidth_rule(x, y), rel=1e-12)


def test_inputs_not_mutated():
    x, y = _points(7, n=100)
    w = np.ones(x.size)
    saved = x.copy(), y.copy(), w.copy()
    kde(x, y, GRID, bandwidth=150.0, weights=w)
    assert np.array_equal(x, saved[0]) and np.array_equal(y, saved[1]) and np.array_equal(w, saved[2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kernel": "epanechnikov"}, "kernel='epanechnikov'"),
        ({"output": "probability"}, "output='probability'"),
        ({"bandwidth": "isj"}, "rule='isj'"),
        ({"bandwidth": -5.0}, "bandwidth=-5.0"),
        ({"bandwidth": 40.0}, "below 50 m"),
        ({"bandwidth": 90.0, "kernel": "quartic"}, "below 100 m"),
        ({"weights": [1.0, -1.0]}, "non-negative"),
        ({"weights": [1.0]}, "weights has shape"),
        ({"x": [np.nan, 1.0]}, "NaN"),
        ({"grid": (0, 0, 100)}, "must be an observatorio"),
    ],
    ids=["kernel", "output", "rule", "negative-bw", "narrow-gauss", "narrow-quartic", "neg-weight",
         "weight-shape", "nan", "grid-type"],
)
def test_bad_input_raises(kwargs, match):
    args = {"x": [100.0, 200.0], "y": [100.0, 300.0], "grid": GRID} | kwargs
    with pytest.raises(ValueError, match=match):
        kde(args.pop("x"), args.pop("y"), args.pop("grid"), **args)


def test_docstring_examples_run():
    import doctest

    from observatorio.analysis import kde

    result = doctest.testmod(kde, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_plan_positions_then_spread_equals_binning_the_points():
    from observatorio.analysis.kde import KdePlan

    rng = np.random.default_rng(4)
    x, y = rng.normal(2000, 900, 5000), rng.normal(1500, 700, 5000)  # some fall off the grid
    grid = Grid(x0=0.0, y0=0.0, cell=100.0, nrows=30, ncols=40, epsg=32719)
    plan = KdePlan.make(grid, 200.0)
    base, u, v = plan.positions(x, y)
    on = base >= 0
    assert 0 < on.sum() < x.size
    np.testing.assert_array_equal(plan.spread(base[on], u[on], v[on]), plan.bin(x, y))
    whole = kde(x, y, grid, bandwidth=200.0)
    np.testing.assert_array_equal(plan.surface(plan.bin(x, y)).values, whole.values)


def test_a_bandwidth_under_half_a_cell_names_the_least_and_the_fix(capsys, tmp_path):
    from observatorio import cli

    path = tmp_path / "e.csv"
    path.write_text("lon,lat\n-70.53,-33.48\n-70.52,-33.47\n", encoding="utf-8")
    assert cli.main(["analyze", "kde", str(path), "--cell", "100", "--bandwidth", "30"]) == 2
    assert capsys.readouterr().err.strip() == (
        "observatorio analyze: error: un ancho de banda de 30.0 m es menor que 50 m, el mínimo para el núcleo "
        "gaussian con celdas de 100 m (el cálculo por celdas sería inexacto); use celdas más pequeñas o un ancho de "
        "banda mayor")
