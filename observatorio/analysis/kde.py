"""Kernel density surfaces on a regular grid in metres, by binning and FFT convolution.

References
----------
Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
Chapman & Hall (§3.4 rules of thumb, §3.5 binned evaluation via the FFT).
Scott, D. W. (1992). Multivariate Density Estimation. Wiley (§6.3, the d-dimensional rule).
Wand, M. P. (1994). Fast computation of multivariate kernel estimators.
Journal of Computational and Graphical Statistics 3(4), 433–445 (linear binning).
Chainey, S. & Ratcliffe, J. (2005). GIS and Crime Mapping. Wiley (the quartic kernel).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from observatorio.analysis.grid import Grid
from observatorio.errors import N_, UserError

KERNELS = ("gaussian", "quartic")
RULES = ("scott", "silverman")
OUTPUTS = ("density", "expected")
GAUSSIAN_REACH = 5.0  # in bandwidths: beyond it the kernel is below exp(-12.5) ≈ 4e-6 of its peak
QUARTIC_PER_GAUSSIAN = 2.0 * math.sqrt(2.0)  # radius with the same per-axis variance as a unit Gaussian
# Linear binning errs by about (δ/σ)²/8 of the kernel's peak for a bin of side δ: bins no wider
# than σ/6 keep that near 0.3%, so coarse cells are split into an odd number of sub-cells.
SUBCELLS_PER_SIGMA = 6.0


class DensityUnit(StrEnum):
    """Unit of a surface's values; labels for the interface in :mod:`observatorio.labels`."""

    EVENTS_PER_KM2 = "events_per_km2"
    EVENTS_PER_CELL = "events_per_cell"


@dataclass(frozen=True)
class DensitySurface:
    values: np.ndarray
    """``(grid.nrows, grid.ncols)``; row 0 is the southernmost row, as in :class:`Grid`."""
    grid: Grid
    kernel: str
    bandwidth: float
    """Metres: the standard deviation of the Gaussian, or the radius of the quartic kernel."""
    output: str
    unit: DensityUnit
    """Events per km² for ``output="density"``, per cell for ``"expected"``."""


def bandwidth_rule(x, y, rule: str = "scott") -> float:
    """Gaussian bandwidth (standard deviation, metres) of an isotropic kernel by a rule of thumb.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Coordinates in metres, n ≥ 2.
    rule : {"scott", "silverman"}
        ``"scott"``: σ̄ n^(−1/6) with σ̄ = √((s_x² + s_y²) / 2), Scott's (1992)
        rule for d = 2 (in two dimensions Silverman's normal-reference
        factor (4 / (d + 2))^(1/(d+4)) is 1, so that rule is the same).
        ``"silverman"``: the robust spatial form of Silverman's (1986, eq.
        3.31) rule used by ArcGIS Kernel Density: 0.9 · min(SD, √(1/ln 2) ·
        D_m) · n^(−1/5), with SD the standard distance and D_m the median
        distance to the mean centre.

    Returns
    -------
    float

    Examples
    --------
    >>> x = [0, 1000, 0, 1000]; y = [0, 0, 1000, 1000]
    >>> round(bandwidth_rule(x, y, "scott"), 1), round(bandwidth_rule(x, y, "silverman"), 1)
    (458.2, 482.3)
    """
    if rule not in RULES:
        raise UserError(N_("rule=%(rule)s no está permitida; elija una de %(rules)s"), rule=repr(rule), rules=RULES)
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = x.size
    if n < 2:
        raise UserError(N_("una regla de ancho de banda necesita al menos 2 puntos; hay %(n)s"), n=n)
    if rule == "scott":
        sigma = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2.0)
        h = sigma * n ** (-1.0 / 6.0)
    else:
        dx = x - x.mean()
        dy = y - y.mean()
        d2 = dx * dx + dy * dy
        sd = math.sqrt(d2.mean())
        dm = math.sqrt(float(np.median(d2)))  # the median of d² is the square of the median of d
        h = 0.9 * min(sd, math.sqrt(1.0 / math.log(2.0)) * dm) * n ** (-0.2)
    if not h > 0:
        raise UserError(N_("los puntos no se dispersan (coinciden todos); indique el ancho de banda en metros"))
    return float(h)


def _kernel_array(kernel: str, h: float, cell: float, pad: int) -> np.ndarray:
    k = np.arange(-pad, pad + 1) * cell
    d2 = k[None, :] ** 2 + k[:, None] ** 2
    if kernel == "gaussian":
        return np.exp(-d2 / (2.0 * h * h)) / (2.0 * math.pi * h * h)
    u = np.clip(1.0 - d2 / (h * h), 0.0, None)
    return 3.0 / (math.pi * h * h) * u * u


def _linear_binning(x, y, w, x0, y0, cell, nrows, ncols) -> np.ndarray:
    """Share each point among the four nearest cell centres, bilinearly (Wand 1994)."""
    base, u, v = _bin_positions(x, y, x0, y0, cell, nrows, ncols)
    if base.size and base.min() < 0:  # some points are off the grid
        keep = base >= 0
        base, u, v = base[keep], u[keep], v[keep]
        w = None if w is None else w[keep]
    return _spread(base, u, v, w, nrows, ncols)


def _bin_positions(x, y, x0, y0, cell, nrows, ncols) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's lower-left bin centre (flat index) and its fractional offsets from it along x and y.

    Written for speed at millions of points: in-place arithmetic and truncation
    instead of floor (the offsets are non-negative once off-grid points are
    marked). Points off the grid get index -1 (and offsets 0) when any are.
    """
    u = np.asarray(x, dtype=float) / cell
    u -= x0 / cell + 0.5
    v = np.asarray(y, dtype=float) / cell
    v -= y0 / cell + 0.5
    off = None
    if u.size and (u.min() < 0 or u.max() >= ncols - 1 or v.min() < 0 or v.max() >= nrows - 1):
        off = ~((u >= 0) & (u < ncols - 1) & (v >= 0) & (v < nrows - 1))
        u[off] = 0.0
        v[off] = 0.0
    iu = u.astype(np.int64)
    iv = v.astype(np.int64)
    u -= iu  # now the fractional offsets
    v -= iv
    iv *= ncols
    iv += iu
    if off is not None:
        iv[off] = -1
    return iv, u, v


def _spread(base, u, v, w, nrows, ncols) -> np.ndarray:
    """The four bilinear shares of points at bins ``base`` with offsets ``u``, ``v`` (all on the grid)."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    gu = 1.0 - u
    gv = 1.0 - v
    if w is not None:
        gv *= w
        v = v * w
    size = nrows * ncols
    out = np.bincount(base, weights=gu * gv, minlength=size)
    out[1:] += np.bincount(base, weights=u * gv, minlength=size)[:-1]
    gu *= v
    out[ncols:] += np.bincount(base, weights=gu, minlength=size)[:-ncols]
    out[ncols + 1:] += np.bincount(base, weights=u * v, minlength=size)[:-(ncols + 1)]
    return out.reshape(nrows, ncols)


@dataclass(frozen=True)
class KdePlan:
    """How :func:`kde` evaluates one kernel on one grid: the binning grid and the kernel sampled on it.

    Split from :func:`kde` so that a caller that asks for many surfaces of
    subsets of the same points (a map filtered by date, source, category) can
    place every point on the binning grid once (:meth:`positions`) and then
    only spread the chosen ones (:meth:`spread`).
    """

    grid: Grid
    kernel: str
    bandwidth: float  # h: the Gaussian σ or the quartic radius, metres
    split: int  # binning sub-cells per grid cell along each axis (odd)
    pad: int  # binning cells added on every side: the kernel's reach
    x0: float  # south-west corner of the binning grid
    y0: float
    fine: float  # side of a binning cell, metres
    nrows: int
    ncols: int

    @classmethod
    def make(cls, grid: Grid, bandwidth: float, kernel: str = "gaussian") -> KdePlan:
        if kernel not in KERNELS:
            raise UserError(N_("kernel=%(kernel)s no está permitido; elija uno de %(kernels)s"),
                            kernel=repr(kernel), kernels=KERNELS)
        if not isinstance(grid, Grid):
            raise ValueError(f"grid must be an observatorio.analysis.grid.Grid, got {type(grid).__name__}")
        h = float(bandwidth)
        if not (math.isfinite(h) and h > 0):
            raise UserError(N_("bandwidth=%(bandwidth)s debe ser %(rules)s o un número positivo de metros"),
                            bandwidth=repr(bandwidth), rules=RULES)
        smallest = 0.5 * grid.cell if kernel == "gaussian" else grid.cell
        if h < smallest:
            raise UserError(N_("un ancho de banda de %(h)s m es menor que %(smallest)s m, el mínimo para el núcleo "
                               "%(kernel)s con celdas de %(cell)s m (el cálculo por celdas sería inexacto); use "
                               "celdas más pequeñas o un ancho de banda mayor"),
                            h=f"{h:.1f}", smallest=f"{smallest:g}", kernel=kernel, cell=f"{grid.cell:g}")
        sigma = h if kernel == "gaussian" else h / QUARTIC_PER_GAUSSIAN
        split = int(math.ceil(SUBCELLS_PER_SIGMA * grid.cell / sigma))
        split += 1 - split % 2  # odd, so a coarse centre is the centre of its middle sub-cell
        fine = grid.cell / split
        reach = GAUSSIAN_REACH * h if kernel == "gaussian" else h
        pad = int(math.ceil(reach / fine)) + 1
        return cls(grid, kernel, h, split, pad, grid.x0 - pad * fine, grid.y0 - pad * fine, fine,
                   grid.nrows * split + 2 * pad, grid.ncols * split + 2 * pad)

    def bin(self, x, y, weights=None) -> np.ndarray:
        """Linear binning of points (weights optional) on the binning grid."""
        return _linear_binning(x, y, weights, self.x0, self.y0, self.fine, self.nrows, self.ncols)

    def positions(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each point's bin (flat index, -1 off the binning grid) and offsets, for :meth:`spread`."""
        return _bin_positions(x, y, self.x0, self.y0, self.fine, self.nrows, self.ncols)

    def spread(self, base, u, v, weights=None) -> np.ndarray:
        """:meth:`bin` of points already placed by :meth:`positions`; ``base`` must hold no -1."""
        return _spread(np.asarray(base), u, v, weights, self.nrows, self.ncols)

    def surface(self, binned: np.ndarray, output: str = "density") -> DensitySurface:
        """The kernel convolved with binned points, read at the centres of the grid's cells."""
        if output not in OUTPUTS:
            raise UserError(N_("output=%(output)s no está permitido; elija uno de %(outputs)s"),
                            output=repr(output), outputs=OUTPUTS)
        # Imported here: scipy.signal costs ~0.8 s to import (a server worker pays it at its first density
        # surface instead of before its first answer; docs/performance.md, workers).
        from scipy.signal import fftconvolve

        surface = fftconvolve(binned, _kernel_array(self.kernel, self.bandwidth, self.fine, self.pad), mode="valid")
        if self.split > 1:
            half = self.split // 2
            surface = np.ascontiguousarray(surface[half::self.split, half::self.split])
        # FFT round-off leaves ~1e-17 negatives where the true value is 0.
        np.clip(surface, 0.0, None, out=surface)
        grid = self.grid
        if output == "density":
            surface *= 1e6
            unit = DensityUnit.EVENTS_PER_KM2
        else:
            surface *= grid.cell * grid.cell
            unit = DensityUnit.EVENTS_PER_CELL
        return DensitySurface(values=surface, grid=grid, kernel=self.kernel, bandwidth=self.bandwidth, output=output,
                              unit=unit)


def kde(x, y, grid: Grid, *, bandwidth="scott", kernel: str = "gaussian", output: str = "density",
        weights=None) -> DensitySurface:
    """Kernel density of points, evaluated at the centres of ``grid``'s cells.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Point coordinates in metres, in the CRS of ``grid``. Points off the
        grid still count for the cells within the kernel's reach.
    grid : Grid
        The cells to evaluate (see :class:`observatorio.analysis.grid.Grid`).
    bandwidth : {"scott", "silverman"} or float
        A rule (:func:`bandwidth_rule`, which gives a Gaussian standard
        deviation; for the quartic kernel it is turned into the radius with
        the same per-axis variance, 2√2 times larger), or metres: the
        Gaussian's standard deviation, or the quartic kernel's search radius.
    kernel : {"gaussian", "quartic"}
        Gaussian K(d) = exp(−d²/2h²) / 2πh², or quartic (biweight)
        K(d) = 3/πR² · (1 − d²/R²)² for d < R, the usual one in crime mapping.
    output : {"density", "expected"}
        ``"density"``: events per km² (intensity, integrating to n, not to 1).
        ``"expected"``: expected events per cell, the intensity times the
        cell's area.
    weights : array_like, shape (n,), optional
        Non-negative weight of each point (e.g. aoristic or a count).

    Returns
    -------
    DensitySurface

    Notes
    -----
    The exact estimator at s is Σ_i w_i K(s − x_i). It is approximated by
    linear binning of the points (Wand 1994) and one FFT convolution with the
    kernel sampled at the bin offsets (Silverman 1986, §3.5), then read at
    the cell centres. Bins are the cells split into an odd number of
    sub-cells no wider than σ/6 (σ the Gaussian bandwidth, or R/2√2 for the
    quartic), which keeps the error against the exact sum well under 1% of
    the peak; a Gaussian bandwidth under half a cell (a quartic radius under
    one cell) is refused. The binning grid is padded by the kernel's reach
    (5σ for the Gaussian) so no wrap-around or edge loss occurs inside the
    grid. No edge correction is applied at the commune's boundary. The
    bandwidth rules use the unweighted points.

    Examples
    --------
    >>> g = Grid(x0=0.0, y0=0.0, cell=100.0, nrows=11, ncols=11, epsg=32719)
    >>> s = kde([550.0], [550.0], g, bandwidth=150.0, output="expected")
    >>> round(float(s.values.sum()), 3), s.unit, np.unravel_index(s.values.argmax(), g.shape)
    (1.0, <DensityUnit.EVENTS_PER_CELL: 'events_per_cell'>, (np.int64(5), np.int64(5)))
    >>> round(float(s.values[5, 5]), 4)  # 100² / (2π 150²) at the point itself
    0.0707
    """
    if kernel not in KERNELS:
        raise UserError(N_("kernel=%(kernel)s no está permitido; elija uno de %(kernels)s"),
                        kernel=repr(kernel), kernels=KERNELS)
    if output not in OUTPUTS:
        raise UserError(N_("output=%(output)s no está permitido; elija uno de %(outputs)s"),
                        output=repr(output), outputs=OUTPUTS)
    if not isinstance(grid, Grid):
        raise ValueError(f"grid must be an observatorio.analysis.grid.Grid, got {type(grid).__name__}")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be one-dimensional and equal in length, got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise UserError(N_("x e y contienen coordenadas NaN o infinitas; quite antes los eventos sin ubicación"))
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if w.shape != x.shape:
            raise ValueError(f"weights has shape {w.shape}, expected {x.shape}")
        if not np.isfinite(w).all() or (w < 0).any():
            raise UserError(N_("los pesos deben ser finitos y no negativos"))
    if isinstance(bandwidth, str):
        h = bandwidth_rule(x, y, bandwidth)
        if kernel == "quartic":
            h *= QUARTIC_PER_GAUSSIAN
    else:
        h = bandwidth
    plan = KdePlan.make(grid, h, kernel)
    return plan.surface(plan.bin(x, y, w), output)
