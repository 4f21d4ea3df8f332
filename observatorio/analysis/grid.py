"""A regular grid of square cells in metres, shared by KDE, Gi*, emerging hotspots and concentration.

:class:`StudyGrid` is the one way a grid method meets its study area: the
grid over the area (or, without one, over the points' bounding box) and the
mask of the cells whose centre lies inside it; cells outside are dropped
(neither tested, nor neighbours, nor counted in a Gini). A grid larger than
``max_cells`` is refused before anything is allocated, with the cell side that
would fit (:class:`GridTooLarge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from observatorio.errors import N_, UserError

# Cells a grid may have unless the caller allows more: 1,000 × 1,000 cells is 100 km × 100 km at 100 m, a whole
# metropolitan region; a 36-period emerging-hotspot cube of it holds ~0.3 GB per array.
DEFAULT_MAX_CELLS = 1_000_000


class GridTooLarge(UserError):
    """A grid with more cells than allowed; ``fitting`` is the smallest round cell side that fits."""

    def __init__(self, cells: int, max_cells: int, cell: float, fitting: float):
        self.cells, self.max_cells, self.cell, self.fitting = cells, max_cells, cell, fitting
        super().__init__(N_("una grilla de %(cells)s celdas de %(cell)s m supera el límite de %(max_cells)s celdas; "
                            "cabrían celdas de %(fitting)s m"), cells=cells,
                         cell=f"{cell:g}", max_cells=max_cells, fitting=f"{fitting:g}")


def _round_up(value: float) -> float:
    """The next number of the form 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8 × 10^k at or above ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return 10.0 * power  # pragma: no cover - the loop ends at 10


def _shape(minx, miny, maxx, maxy, cell) -> tuple[float, float, int, int]:
    x0 = math.floor(minx / cell) * cell
    y0 = math.floor(miny / cell) * cell
    return x0, y0, int(math.floor((maxy - y0) / cell)) + 1, int(math.floor((maxx - x0) / cell)) + 1


def fitting_cell(minx: float, miny: float, maxx: float, maxy: float, max_cells: int) -> float:
    """The smallest round cell side (1-1.5-2-2.5-3-4-5-6-7.5-8 steps) whose aligned grid over the box has at most
    ``max_cells`` cells.

    Examples
    --------
    >>> fitting_cell(0, 0, 99_999, 99_999, 10_000)  # 100 km square, at most 100 × 100 cells
    1000.0
    """
    cell = _round_up(max(math.sqrt((maxx - minx) * (maxy - miny) / max_cells), 1e-3))
    while True:
        _x0, _y0, nrows, ncols = _shape(minx, miny, maxx, maxy, cell)
        if nrows * ncols <= max_cells:
            return cell
        cell = _round_up(cell * 1.0001)


@dataclass(frozen=True)
class Grid:
    """A lattice of ``nrows`` × ``ncols`` square cells of side ``cell`` metres.

    Row 0 is the southernmost row; cell (r, c) covers
    ``[x0 + c*cell, x0 + (c+1)*cell) × [y0 + r*cell, y0 + (r+1)*cell)``.
    Flattened cell ids are ``r * ncols + c`` (row-major, C order).
    """

    x0: float
    y0: float
    cell: float
    nrows: int
    ncols: int
    epsg: int

    @classmethod
    def covering(cls, x, y, cell: float, epsg: int, margin: float = 0.0, max_cells: int | None = None) -> Grid:
        """The smallest grid aligned to multiples of ``cell`` that covers the points plus ``margin``.

        With ``max_cells``, a grid of more cells is refused (:class:`GridTooLarge`) before it is made.

        Examples
        --------
        >>> g = Grid.covering([0, 250], [0, 90], cell=100, epsg=32719)
        >>> (g.x0, g.y0, g.nrows, g.ncols)
        (0.0, 0.0, 1, 3)
        """
        if not cell > 0:
            raise UserError(N_("cell=%(cell)s debe ser un número positivo de metros"), cell=repr(cell))
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if x.size == 0:
            raise UserError(N_("no se puede construir una grilla sin puntos"))
        box = (float(np.nanmin(x)) - margin, float(np.nanmin(y)) - margin,
               float(np.nanmax(x)) + margin, float(np.nanmax(y)) + margin)
        x0, y0, nrows, ncols = _shape(*box, cell)
        if max_cells is not None and nrows * ncols > max_cells:
            raise GridTooLarge(nrows * ncols, max_cells, float(cell), fitting_cell(*box, max_cells))
        return cls(float(x0), float(y0), float(cell), nrows, ncols, int(epsg))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    @property
    def size(self) -> int:
        return self.nrows * self.ncols

    def cell_index(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of each point; -1 for points off the grid."""
        col = np.floor((np.asarray(x, float) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y, float) - self.y0) / self.cell).astype(np.int64)
        off = (col < 0) | (col >= self.ncols) | (row < 0) | (row >= self.nrows)
        col[off] = -1
        row[off] = -1
        return row, col

    def flat_index(self, x, y) -> np.ndarray:
        """Flattened cell id of each point (``r * ncols + c``); -1 for points off the grid.

        Examples
        --------
        >>> Grid(0.0, 0.0, 100.0, 2, 3, 32719).flat_index([50, 250, 999], [150, 50, 50]).tolist()
        [3, 2, -1]
        """
        row, col = self.cell_index(x, y)
        flat = row * self.ncols + col
        flat[row < 0] = -1
        return flat

    def counts(self, x, y, weights=None) -> np.ndarray:
        """Points (or summed weights) per cell as an ``(nrows, ncols)`` array."""
        flat = self.flat_index(x, y)
        keep = flat >= 0
        flat = flat[keep]
        w = None if weights is None else np.asarray(weights, float)[keep]
        return np.bincount(flat, weights=w, minlength=self.size).reshape(self.shape).astype(float)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates as two ``(nrows, ncols)`` arrays."""
        xs = self.x0 + (np.arange(self.ncols) + 0.5) * self.cell
        ys = self.y0 + (np.arange(self.nrows) + 0.5) * self.cell
        return np.meshgrid(xs, ys)


@dataclass(frozen=True, eq=False)
class StudyGrid:
    """A grid and the cells of its study area: the one way every grid method drops the cells outside it.

    Without an area the study area is the whole grid over the points' bounding
    box (and :meth:`empty_share` says how much of it is empty).
    """

    grid: Grid
    mask: np.ndarray
    """``(nrows, ncols)`` bool: cells whose centre lies inside the area (all of them without one)."""
    area: object = None
    """The study area (a shapely polygon in the grid's CRS), or None."""

    @classmethod
    def build(cls, x, y, *, cell: float, epsg: int, margin: float = 0.0, area=None,
              max_cells: int | None = DEFAULT_MAX_CELLS) -> StudyGrid:
        """The grid over ``area`` (its cells inside it), or over the points plus ``margin`` without one.

        Examples
        --------
        >>> import shapely
        >>> s = StudyGrid.build([50], [50], cell=100, epsg=32719, area=shapely.box(0, 0, 300, 150))
        >>> s.grid.shape, s.mask.astype(int).tolist()  # the second row's centres (y = 150) are on the edge
        ((2, 4), [[1, 1, 1, 0], [0, 0, 0, 0]])
        """
        if area is None:
            grid = Grid.covering(x, y, cell=cell, epsg=epsg, margin=margin, max_cells=max_cells)
            return cls(grid, np.ones(grid.shape, dtype=bool), None)
        study = cls.over(area, cell=cell, epsg=epsg, max_cells=max_cells)
        if not study.mask.any():
            raise UserError(N_("ninguna celda de %(cell)s m tiene su centro dentro del área de estudio; use celdas "
                               "más pequeñas"),
                            cell=f"{cell:g}")
        return study

    @classmethod
    def over(cls, area, *, cell: float, epsg: int, max_cells: int | None = DEFAULT_MAX_CELLS) -> StudyGrid:
        """The grid over a polygon's extent and the mask of the cells whose centre lies inside it."""
        import shapely

        if area is None or area.is_empty:
            raise UserError(N_("el área de estudio está vacía"))
        minx, miny, maxx, maxy = area.bounds
        grid = Grid.covering([minx, maxx], [miny, maxy], cell=cell, epsg=epsg, max_cells=max_cells)
        xs, ys = grid.centres()
        shapely.prepare(area)
        return cls(grid, shapely.contains_xy(area, xs, ys), area)

    @property
    def cells(self) -> int:
        """Cells of the study area."""
        return int(self.mask.sum())

    def inside(self, x, y) -> np.ndarray:
        """Which points lie in a cell of the study area (bool per point)."""
        flat = self.grid.flat_index(x, y)
        keep = flat >= 0
        keep[keep] = self.mask.ravel()[flat[keep]]
        return keep

    def counts(self, x, y, weights=None) -> np.ndarray:
        """:meth:`Grid.counts` with the cells outside the study area at 0."""
        counts = self.grid.counts(x, y, weights)
        counts[~self.mask] = 0.0
        return counts

    def empty_share(self, counts) -> float:
        """Share of the study area's cells with no event (0 when it has no cells).

        Examples
        --------
        >>> s = StudyGrid(Grid(0.0, 0.0, 100.0, 1, 4, 32719), np.array([[True, True, True, False]]))
        >>> s.empty_share(np.array([[2.0, 0.0, 0.0, 5.0]]))
        0.6666666666666666
        """
        inside = np.asarray(counts)[self.mask]
        return float((inside == 0).mean()) if inside.size else 0.0
