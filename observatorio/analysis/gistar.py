"""Getis-Ord Gi* hotspots on a regular grid, computed by convolution.

Every cell is compared with its fixed-distance neighbourhood (the cells whose
centres lie within ``distance`` metres of its centre, itself included, binary
weights). Because the lattice is regular the neighbourhood is one boolean
kernel, so the spatial lag sum_j w_ij x_j, the weight sums W_i and (binary
weights) W2_i = W_i are three convolutions instead of a sparse weights matrix:
milliseconds for a whole commune at 100 m.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of
distance statistics. Geographical Analysis 24, 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics:
distributional issues and an application. Geographical Analysis 27, 286–306.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd
from scipy import ndimage, stats

from observatorio.errors import N_, UserError

from .fdr import benjamini_hochberg
from .grid import DEFAULT_MAX_CELLS, Grid, StudyGrid
from .permutation import folded, pseudo_p, tail_counts

# Two-sided p-value cut-offs of ArcGIS's Gi_Bin: ±3 = 99 %, ±2 = 95 %, ±1 = 90 % confidence.
CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))

# Cells processed at once in the permutation test, so memory stays near 4M values.
_PERMUTATION_BLOCK = 4_000_000


class GiBin(IntEnum):
    """Hot/cold class of a cell at 90/95/99 % confidence (ArcGIS ``Gi_Bin``); labels in :mod:`observatorio.labels`."""

    COLD_99 = -3
    COLD_95 = -2
    COLD_90 = -1
    NOT_SIGNIFICANT = 0
    HOT_90 = 1
    HOT_95 = 2
    HOT_99 = 3


@dataclass(frozen=True)
class GiStar:
    """Gi* results for every cell of a grid, as ``(nrows, ncols)`` arrays.

    Cells outside the study mask hold NaN (0 neighbours).
    """

    z: np.ndarray
    """Gi* z-score; positive = high values cluster here."""
    p_value: np.ndarray
    """Two-sided p-value of ``z`` under the normal approximation."""
    p_sim: np.ndarray | None
    """One-sided pseudo p-value of the conditional permutation test in the
    direction of the observed lag, ties counted in both tails (see
    :mod:`observatorio.analysis.permutation`), or None when ``permutations=0``."""
    lag: np.ndarray
    """Sum of the values in each cell's neighbourhood (itself included)."""
    n_neighbours: np.ndarray
    """W_i: cells in the neighbourhood, itself included (fewer at edges)."""
    values: np.ndarray
    mask: np.ndarray
    cell: float
    distance: float
    permutations: int
    grid: Grid | None = None

    def bins(self, fdr: bool = False, inference: str = "normal") -> np.ndarray:
        """``Gi_Bin`` classes (-3..3, see :class:`GiBin`) as an int8 array.

        ``inference="permutation"`` uses the pseudo p-values folded to
        two-sided, min(1, 2·p_sim), like the normal ones.
        """
        if inference == "normal":
            p = self.p_value
        elif inference == "permutation":
            if self.p_sim is None:
                raise UserError(N_("inference='permutation' necesita permutations > 0; este resultado no tiene "
                                   "ninguna"))
            p = folded(self.p_sim)
        else:
            raise UserError(N_("inference=%(inference)s; se admiten: 'normal', 'permutation'"),
                            inference=repr(inference))
        return gi_bins(self.z, p, fdr=fdr)

    def to_frame(self, fdr: bool = False) -> pd.DataFrame:
        """One row per cell of the study area: row, col, centre (if the grid is known), value and results."""
        rows, cols = np.nonzero(self.mask)
        frame = {"row": rows, "col": cols}
        if self.grid is not None:
            xs, ys = self.grid.centres()
            frame["x"] = xs[rows, cols]
            frame["y"] = ys[rows, cols]
        frame.update(
            value=self.values[rows, cols],
            n_neighbours=self.n_neighbours[rows, cols].astype(np.int64),
            z=self.z[rows, cols],
            p_value=self.p_value[rows, cols],
        )
        if self.p_sim is not None:
            frame["p_sim"] = self.p_sim[rows, cols]
        frame["gi_bin"] = self.bins(fdr=fdr)[rows, cols]
        return pd.DataFrame(frame)


def neighbourhood_kernel(cell: float, distance: float) -> np.ndarray:
    """Boolean kernel of the cells whose centres lie within ``distance`` of the centre cell.

    Examples
    --------
    >>> neighbourhood_kernel(100, 120).astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 0]])
    """
    if not (np.isfinite(cell) and cell > 0):
        raise UserError(N_("cell=%(cell)s debe ser un número positivo de metros"), cell=repr(cell))
    if not (np.isfinite(distance) and distance >= 0):
        raise UserError(N_("distance=%(distance)s debe ser un número no negativo de metros"), distance=repr(distance))
    # Relative slack so that a distance equal to a lattice distance (300 m at 100 m) counts, as d <= threshold does.
    reach = (distance / cell) ** 2 * (1 + 1e-9)
    half = int(np.floor(np.sqrt(reach)))
    d = np.arange(-half, half + 1)
    return (d[:, None] ** 2 + d[None, :] ** 2) <= reach


def gi_star(
    values,
    cell: float,
    distance: float,
    *,
    mask=None,
    permutations: int = 0,
    seed: int | None = None,
    grid: Grid | None = None,
) -> GiStar:
    """Getis-Ord Gi* of every cell of a grid with a fixed-distance binary neighbourhood.

    Parameters
    ----------
    values : array_like, shape (nrows, ncols)
        Counts (or any values) per cell, e.g. ``Grid.counts(x, y)``.
    cell : float
        Cell side in metres.
    distance : float
        Neighbourhood radius in metres, between cell centres (inclusive).
    mask : array_like of bool, optional
        Cells of the study area (e.g. inside the commune). Cells outside are
        neither tested nor counted as neighbours or in the mean and variance.
    permutations : int
        Conditional permutations for pseudo p-values; 0 skips them.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the permutations.
    grid : Grid, optional
        Carried into the result so that ``to_frame`` can give cell centres.

    Returns
    -------
    GiStar

    Notes
    -----
    With n cells, mean x̄ and standard deviation S (divisor n), binary weights
    including the cell itself (w_ii = 1), W_i = sum_j w_ij:

        z_i = (sum_j w_ij x_j - x̄ W_i) / (S sqrt((n W_i - W_i²) / (n - 1)))

    (Ord & Getis 1995, eq. 9, with W2_i = W_i for binary weights). This is
    exactly ``esda.G_Local(y, w, transform="B", star=True).Zs`` for a binary
    ``libpysal.weights.DistanceBand`` on the cell centres: esda fills the
    diagonal with 1, takes G*_i = sum_j w_ij y_j / sum_j y_j, E = W_i/n and
    Var = W_i (n - W_i) / (n - 1) / n² · S² / x̄², whose ratio is the formula
    above. With ``transform="R"`` esda's z-scores would differ. The
    permutation test follows esda's conditional randomisation: x_i stays,
    the other W_i - 1 neighbours are drawn without replacement from the other
    n - 1 cells; the pseudo p-value is (min(G, L) + 1)/(P + 1) with G and L
    the permutations whose lag is >= and <= the observed one. A tie counts in
    both tails, so a cell whose neighbourhood is empty on a sparse grid (most
    simulated neighbourhoods are empty too) is not significant; esda, which
    counts ties only as >=, gives it 1/(P + 1). Without ties both agree.

    z is NaN where it is undefined: outside the mask, when S = 0, or when the
    neighbourhood covers the whole study area.

    Examples
    --------
    >>> counts = np.zeros((5, 5)); counts[2, 2] = 10; counts[2, 1] = 4
    >>> r = gi_star(counts, cell=100, distance=100)
    >>> round(float(r.z[2, 2]), 3), int(r.n_neighbours[0, 0]), GiBin(int(r.bins()[2, 2])).name
    (2.638, 3, 'HOT_99')
    """
    x = np.array(values, dtype=float)  # a copy: the caller's array is never touched
    if x.ndim != 2:
        raise ValueError(f"values must be a 2-D (nrows, ncols) grid, got shape {x.shape}")
    kernel = neighbourhood_kernel(float(cell), float(distance))
    if mask is None:
        inside = np.ones(x.shape, dtype=bool)
    else:
        inside = np.asarray(mask)
        if inside.shape != x.shape or inside.dtype != bool:
            raise ValueError(f"mask must be a boolean array of shape {x.shape}, got {inside.dtype} {inside.shape}")
        inside = inside.copy()
    if not np.isfinite(x[inside]).all():
        raise UserError(N_("los valores contienen NaN o infinito dentro del área de estudio; se admiten: números "
                           "finitos"))
    n = int(inside.sum())
    if n < 2:
        raise UserError(N_("el área de estudio tiene %(n)s celdas; Gi* necesita al menos 2"), n=n)
    if not (isinstance(permutations, (int, np.integer)) and permutations >= 0):
        raise UserError(N_("permutations=%(permutations)s debe ser un entero no negativo"),
                        permutations=repr(permutations))

    x[~inside] = 0.0
    k = kernel.astype(float)
    lag = ndimage.correlate(x, k, mode="constant", cval=0.0)
    w_sum = ndimage.correlate(inside.astype(float), k, mode="constant", cval=0.0)
    w_sum[~inside] = 0.0

    vals = x[inside]
    xbar = vals.mean()
    s = vals.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = s * np.sqrt((n * w_sum - w_sum**2) / (n - 1))
        z = (lag - xbar * w_sum) / denom
    z[~inside | ~(denom > 0)] = np.nan
    lag[~inside] = np.nan
    p = np.where(np.isnan(z), np.nan, 2.0 * stats.norm.sf(np.abs(z)))

    p_sim = None
    if permutations:
        p_sim = np.full(x.shape, np.nan)
        p_sim[inside] = _conditional_p_sim(vals, lag[inside], w_sum[inside].astype(np.int64), permutations, seed)
        p_sim[np.isnan(z)] = np.nan

    values_out = np.where(inside, x, np.nan)
    return GiStar(
        z=z,
        p_value=p,
        p_sim=p_sim,
        lag=lag,
        n_neighbours=w_sum,
        values=values_out,
        mask=inside,
        cell=float(cell),
        distance=float(distance),
        permutations=int(permutations),
        grid=grid,
    )


def gi_star_points(
    x,
    y,
    *,
    cell: float,
    distance: float,
    epsg: int,
    margin: float = 0.0,
    permutations: int = 0,
    seed: int | None = None,
    area=None,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> GiStar:
    """Gi* of point counts on the smallest ``cell``-aligned grid covering the points (or the study area).

    Parameters
    ----------
    x, y : array_like
        Point coordinates in metres (see ``projection.to_metres``).
    cell, distance : float
        Cell side and neighbourhood radius, in metres.
    epsg : int
        CRS of ``x, y``, kept on the grid.
    margin : float
        Metres of empty border added around the points.
    permutations, seed
        As in :func:`gi_star`.
    area : shapely geometry, optional
        The study area in the same CRS: the grid covers it and only the cells
        whose centre lies inside it are tested and counted (``mask``).
    max_cells : int, optional
        Largest grid allowed (:class:`observatorio.analysis.grid.GridTooLarge`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> px = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 30, 100)]
    >>> py = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 30, 100)]
    >>> r = gi_star_points(px, py, cell=100, distance=150, epsg=32719)
    >>> r.grid.shape, bool(np.nanmax(r.z) == r.z[4:6, 4:6].max())
    ((10, 10), True)
    """
    study = StudyGrid.build(x, y, cell=cell, epsg=epsg, margin=margin, area=area, max_cells=max_cells)
    counts = study.counts(x, y)
    return gi_star(counts, cell, distance, mask=study.mask, permutations=permutations, seed=seed, grid=study.grid)


def gi_bins(z, p_value, *, fdr: bool = False) -> np.ndarray:
    """Classify z-scores into ``Gi_Bin`` -3..3 by two-sided p-value (90/95/99 % confidence).

    With ``fdr=True`` each confidence level is Benjamini–Hochberg corrected on
    its own (alpha = 0.10, 0.05, 0.01 over all tested cells), as ArcGIS's
    "Apply False Discovery Rate Correction" does. NaN z or p gives 0.

    Examples
    --------
    >>> gi_bins([3.0, -2.0, 1.7, 0.5], [0.0027, 0.0455, 0.0891, 0.617]).tolist()
    [3, -2, 1, 0]
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p_value, dtype=float)
    if z.shape != p.shape:
        raise ValueError(f"z and p_value differ in shape: {z.shape} != {p.shape}")
    level = np.zeros(z.shape, dtype=np.int8)
    # From the loosest level to the strictest, so stricter levels overwrite.
    for value, alpha in reversed(CONFIDENCE_LEVELS):
        if fdr:
            significant = benjamini_hochberg(p, alpha).reject
        else:
            significant = np.nan_to_num(p, nan=1.0) < alpha
        level[significant] = value
    level[np.isnan(z)] = 0
    return (np.sign(np.nan_to_num(z)).astype(np.int8) * level).astype(np.int8)


def _conditional_p_sim(vals, observed, w_sum, permutations: int, seed) -> np.ndarray:
    """One-sided pseudo p-values with x_i fixed and W_i - 1 neighbours drawn from the other cells."""
    n = vals.size
    others = w_sum - 1
    kmax = int(others.max())
    if kmax == 0:
        # Only the cell itself in every neighbourhood: the lag never changes, every permutation ties.
        return np.ones(n)
    rng = np.random.default_rng(seed)
    # One draw of kmax ids among n - 1 per permutation, shared by all cells (as esda does):
    # id r stands for cell r if r < i, else cell r + 1, so cell i is never drawn for itself.
    draws = np.stack([rng.choice(n - 1, size=kmax, replace=False) for _ in range(permutations)])
    take = np.arange(kmax)
    at_least = np.empty(n, dtype=np.int64)
    at_most = np.empty(n, dtype=np.int64)
    block = max(1, _PERMUTATION_BLOCK // (permutations * kmax))
    for start in range(0, n, block):
        i = np.arange(start, min(start + block, n))
        ids = draws[None, :, :] + (draws[None, :, :] >= i[:, None, None])
        used = take[None, None, :] < others[i, None, None]
        sim = np.where(used, vals[ids], 0.0).sum(axis=2) + vals[i, None]
        at_least[i], at_most[i] = tail_counts(sim, observed[i])
    return pseudo_p(at_least, at_most, permutations)


def gi_star_space_time(
    cube,
    cell: float,
    distance: float,
    time_window: int,
    *,
    mask=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values of every bin of a space-time cube.

    Parameters
    ----------
    cube : array_like, shape (nperiods, nrows, ncols)
        Values per period and cell, periods in time order.
    cell, distance : float
        Cell side and spatial neighbourhood radius, in metres.
    time_window : int
        Preceding periods in the neighbourhood: bin (t, i) neighbours the bins
        (s, j) with d(i, j) <= distance and t - time_window <= s <= t. 0 keeps
        each period's own cells but still compares against the whole cube.
    mask : array_like of bool, shape (nrows, ncols), optional
        Cells of the study area, the same in every period.

    Notes
    -----
    The same z as :func:`gi_star` with n = cells × periods and x̄, S over the
    whole cube (ESRI's space-time Gi*, which looks back only, so the first
    periods have fewer neighbours). The weights are binary and asymmetric in
    time; the result equals ``esda.G_Local(..., transform="B", star=True).Zs``
    with that weights matrix.

    Examples
    --------
    >>> cube = np.zeros((3, 4, 4)); cube[:, 1, 1] = [1, 4, 9]
    >>> z, p = gi_star_space_time(cube, cell=100, distance=100, time_window=1)
    >>> z.shape, bool(z[2, 1, 1] > z[1, 1, 1] > z[0, 1, 1])
    ((3, 4, 4), True)
    """
    x = np.array(cube, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"cube must be 3-D (nperiods, nrows, ncols), got shape {x.shape}")
    if not (isinstance(time_window, (int, np.integer)) and time_window >= 0):
        raise UserError(N_("time_window=%(time_window)s debe ser un número entero no negativo de períodos"),
                        time_window=repr(time_window))
    kernel = neighbourhood_kernel(float(cell), float(distance))
    nper = x.shape[0]
    if mask is None:
        inside = np.ones(x.shape[1:], dtype=bool)
    else:
        inside = np.asarray(mask)
        if inside.shape != x.shape[1:] or inside.dtype != bool:
            raise ValueError(f"mask must be a boolean array of shape {x.shape[1:]}, got {inside.dtype} {inside.shape}")
    if not np.isfinite(x[:, inside]).all():
        raise UserError(N_("el cubo contiene NaN o infinito dentro del área de estudio; se admiten: números finitos"))
    n = int(inside.sum()) * nper
    if n < 2:
        raise UserError(N_("el cubo tiene %(n)s celdas; Gi* necesita al menos 2"), n=n)
    x[:, ~inside] = 0.0
    k = kernel.astype(float)[None, :, :]
    spatial_lag = ndimage.correlate(x, k, mode="constant", cval=0.0)
    spatial_w = ndimage.correlate(inside.astype(float), kernel.astype(float), mode="constant", cval=0.0)
    # Running sum over the current and the time_window preceding periods.
    csum = np.cumsum(spatial_lag, axis=0)
    lag = csum.copy()
    if time_window + 1 < nper:
        lag[time_window + 1 :] -= csum[: nper - time_window - 1]
    periods_in = np.minimum(np.arange(nper), time_window) + 1
    w_sum = periods_in[:, None, None] * spatial_w[None, :, :]
    vals = x[:, inside]
    xbar = vals.mean()
    s = vals.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = s * np.sqrt((n * w_sum - w_sum**2) / (n - 1))
        z = (lag - xbar * w_sum) / denom
    z[:, ~inside] = np.nan
    z[~(denom > 0)] = np.nan
    p = np.where(np.isnan(z), np.nan, 2.0 * stats.norm.sf(np.abs(z)))
    return z, p
