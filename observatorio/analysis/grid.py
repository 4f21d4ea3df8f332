"""A regular grid of square cells in metres, shared by KDE, Gi* and concentration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatorio.errors import UserError


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
    def covering(cls, x, y, cell: float, epsg: int, margin: float = 0.0) -> Grid:
        """The smallest grid aligned to multiples of ``cell`` that covers the points plus ``margin``.

        Examples
        --------
        >>> g = Grid.covering([0, 250], [0, 90], cell=100, epsg=32719)
        >>> (g.x0, g.y0, g.nrows, g.ncols)
        (0.0, 0.0, 1, 3)
        """
        if not cell > 0:
            raise UserError(f"cell={cell!r} must be a positive number of metres")
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if x.size == 0:
            raise UserError("cannot build a grid over no points")
        x0 = np.floor((np.nanmin(x) - margin) / cell) * cell
        y0 = np.floor((np.nanmin(y) - margin) / cell) * cell
        ncols = int(np.floor((np.nanmax(x) + margin - x0) / cell)) + 1
        nrows = int(np.floor((np.nanmax(y) + margin - y0) / cell)) + 1
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
