"""Which area holds each point: millions of events into a few dozen areas, fast and exact.

A point-in-polygon test per point and polygon (what ``geopandas.sjoin`` does
through its spatial index) costs seconds for millions of events. Here the areas
are first rasterised onto a fine grid. A cell that no boundary touches lies
wholly inside one set of areas (or outside all), so every point in it is
answered by one array lookup; only the few points in cells a boundary crosses
get an exact ``shapely.intersects_xy`` test, and only against the areas whose
boundary crosses that cell. The grid is a shortcut, never an approximation.

The rule
--------
A point belongs to the *first* polygon, in the given order, that *covers* it
(interior or boundary). So a point on an edge shared by areas 3 and 7 goes to
3, and a point exactly on the outer edge of the territory is inside. This is
``geopandas.sjoin(points, areas, predicate="covered_by")`` keeping, for each
point, the match with the lowest position; ``predicate="within"`` gives the
same answer for every point not lying exactly on a boundary (it puts those
nowhere). Points outside every polygon, or with NaN coordinates, get -1.
"""

from __future__ import annotations

import numpy as np
import shapely

# Cells along the longer side of the territory's bounding box. 2048 keeps the
# grid at a few MB and the band of boundary cells to about 1 % of a comuna.
DEFAULT_CELLS = 2048

# Boundary cells are found with each segment's box widened by this fraction of
# a cell, so rounding in the grid arithmetic can never hide a crossing.
_SLACK = 1e-3


def _edges(geom) -> np.ndarray:
    """All ring segments of a (multi)polygon as an (n, 4) array x1, y1, x2, y2."""
    rings = shapely.get_rings(shapely.get_parts(np.asarray([geom], dtype=object)))
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_index[1:] == ring_index[:-1]
    return np.column_stack([coords[:-1][same_ring], coords[1:][same_ring]])


class PolygonLocator:
    """A reusable index of ``polygons`` (lon/lat or any planar coordinates) for :meth:`assign`."""

    def __init__(self, polygons, cells: int = DEFAULT_CELLS):
        self.polygons = [shapely.from_wkb(shapely.to_wkb(g)) if g is not None else None for g in polygons]
        for g in self.polygons:
            if g is not None:
                shapely.prepare(g)
        usable = [g for g in self.polygons if g is not None and not g.is_empty]
        self.n = len(self.polygons)
        if not usable:
            self.grid = None
            return
        x0, y0, x1, y1 = shapely.total_bounds(np.asarray(usable, dtype=object))
        width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
        size = max(width, height) / cells
        inner_x, inner_y = max(1, int(np.ceil(width / size))), max(1, int(np.ceil(height / size)))
        self.dx, self.dy = width / inner_x, height / inner_y
        # A margin of one cell all round: points on the bounding box fall in ordinary cells,
        # and any point beyond can be clamped into the margin, which lies outside every area.
        self.nx, self.ny = inner_x + 2, inner_y + 2
        self.x0, self.y0 = x0 - self.dx, y0 - self.dy
        self._build()

    def _build(self) -> None:
        nx, ny = self.nx, self.ny
        label = np.full(ny * nx, -1, dtype=np.int32)
        touched = []  # per polygon: sorted flat indices of the cells its boundary crosses
        crossed = np.zeros(ny * nx, dtype=bool)
        # Reverse order, so that where polygons overlap the first one is written last and wins.
        for i in range(self.n - 1, -1, -1):
            geom = self.polygons[i]
            if geom is None or geom.is_empty:
                touched.append(np.empty(0, dtype=np.int64))
                continue
            edges = _edges(geom)
            cross = self._crossed_cells(edges)
            inside = self._inside_cells(edges)
            crossed[cross] = True
            label[inside[~crossed[inside]]] = i
            crossed[cross] = False
            touched.append(cross)
        touched.reverse()
        ambiguous = np.unique(np.concatenate(touched)) if touched else np.empty(0, dtype=np.int64)
        # For a boundary cell: which polygons' boundaries cross it (tested exactly), and
        # the first polygon that covers the whole cell (the answer if no exact test hits earlier).
        self.candidates = np.zeros((len(ambiguous), self.n), dtype=bool)
        for i, cross in enumerate(touched):
            self.candidates[np.searchsorted(ambiguous, cross), i] = True
        self.fallback = label[ambiguous].copy()
        # One int32 grid answers every point: >= 0 an area, -1 outside, <= -2 boundary cell number -code-2.
        label[ambiguous] = -2 - np.arange(len(ambiguous), dtype=np.int32)
        self.grid = label

    def _crossed_cells(self, edges: np.ndarray) -> np.ndarray:
        """Flat indices of every cell a segment passes through or grazes (a supercover)."""
        xa, ya, xb, yb = edges.T
        slack_x, slack_y = _SLACK * self.dx, _SLACK * self.dy
        xmin, xmax = np.minimum(xa, xb), np.maximum(xa, xb)
        c0 = np.clip(np.floor((xmin - slack_x - self.x0) / self.dx), 0, self.nx - 1).astype(np.int64)
        c1 = np.clip(np.floor((xmax + slack_x - self.x0) / self.dx), 0, self.nx - 1).astype(np.int64)
        counts = c1 - c0 + 1
        seg = np.repeat(np.arange(len(edges)), counts)
        col = c0[seg] + (np.arange(len(seg)) - np.repeat(np.cumsum(counts) - counts, counts))
        # The part of the segment inside this column (widened), by its parameter t in [0, 1].
        lo = np.maximum(self.x0 + col * self.dx - slack_x, xmin[seg])
        hi = np.minimum(self.x0 + (col + 1) * self.dx + slack_x, xmax[seg])
        run = xb[seg] - xa[seg]
        vertical = run == 0
        safe = np.where(vertical, 1.0, run)
        t_lo = np.where(vertical, 0.0, np.clip((lo - xa[seg]) / safe, 0, 1))
        t_hi = np.where(vertical, 1.0, np.clip((hi - xa[seg]) / safe, 0, 1))
        rise = yb[seg] - ya[seg]
        y_lo, y_hi = ya[seg] + t_lo * rise, ya[seg] + t_hi * rise
        r0 = np.clip(np.floor((np.minimum(y_lo, y_hi) - slack_y - self.y0) / self.dy), 0, self.ny - 1)
        r1 = np.clip(np.floor((np.maximum(y_lo, y_hi) + slack_y - self.y0) / self.dy), 0, self.ny - 1)
        r0, r1 = r0.astype(np.int64), r1.astype(np.int64)
        rows_n = r1 - r0 + 1
        piece = np.repeat(np.arange(len(col)), rows_n)
        row = r0[piece] + (np.arange(len(piece)) - np.repeat(np.cumsum(rows_n) - rows_n, rows_n))
        return np.unique(row * self.nx + col[piece])

    def _inside_cells(self, edges: np.ndarray) -> np.ndarray:
        """Flat indices of the cells whose centre is inside (even-odd scanline fill)."""
        xa, ya, xb, yb = edges.T
        keep = ya != yb
        xa, ya, xb, yb = xa[keep], ya[keep], xb[keep], yb[keep]
        ylo, yhi = np.minimum(ya, yb), np.maximum(ya, yb)
        # Row centres y_c in [ylo, yhi): half-open, so a vertex shared by two edges counts once.
        r0 = np.ceil((ylo - self.y0) / self.dy - 0.5).astype(np.int64)
        r1 = np.ceil((yhi - self.y0) / self.dy - 0.5).astype(np.int64)
        r0, r1 = np.clip(r0, 0, self.ny), np.clip(r1, 0, self.ny)
        counts = np.maximum(r1 - r0, 0)
        if counts.sum() == 0:
            return np.empty(0, dtype=np.int64)
        seg = np.repeat(np.arange(len(xa)), counts)
        row = r0[seg] + (np.arange(len(seg)) - np.repeat(np.cumsum(counts) - counts, counts))
        yc = self.y0 + (row + 0.5) * self.dy
        x = xa[seg] + (yc - ya[seg]) * (xb[seg] - xa[seg]) / (yb[seg] - ya[seg])
        order = np.lexsort((x, row))
        row, x = row[order], x[order]
        start_row, start_x, end_x = row[0::2], x[0::2], x[1::2]
        c0 = np.clip(np.ceil((start_x - self.x0) / self.dx - 0.5), 0, self.nx).astype(np.int64)
        c1 = np.clip(np.ceil((end_x - self.x0) / self.dx - 0.5), 0, self.nx).astype(np.int64)
        n = np.maximum(c1 - c0, 0)
        span = np.repeat(np.arange(len(c0)), n)
        col = c0[span] + (np.arange(len(span)) - np.repeat(np.cumsum(n) - n, n))
        # Even-odd spans of one row never overlap, so the cells are already distinct.
        return start_row[span] * self.nx + col

    @staticmethod
    def _cell(v: np.ndarray, origin: float, size: float, n: int) -> np.ndarray:
        f = v - origin
        f *= 1.0 / size
        # Clamping sends every point beyond the grid into the margin cells, outside every area.
        np.clip(f, 0, n - 1, out=f)
        return f.astype(np.int32 if n * n < 2**31 else np.int64)

    def assign(self, lon, lat) -> np.ndarray:
        """Position of the polygon holding each point (first that covers it), or -1."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"lon and lat differ in shape: {x.shape} and {y.shape}")
        x, y = x.ravel(), y.ravel()
        out = np.full(len(x), -1, dtype=np.int64)
        if self.grid is None or len(x) == 0:
            return out
        if np.isnan(x).any() or np.isnan(y).any():
            ok = np.flatnonzero(~(np.isnan(x) | np.isnan(y)))
            out[ok] = self.assign(x[ok], y[ok])
            return out.reshape(np.shape(lon))
        col = self._cell(x, self.x0, self.dx, self.nx)
        row = self._cell(y, self.y0, self.dy, self.ny)
        row *= self.nx
        row += col
        code = self.grid[row]
        out[:] = code
        hard = np.flatnonzero(code <= -2)
        if len(hard):
            cell = -2 - code[hard]
            best = self.fallback[cell].astype(np.int64)
            best[best < 0] = self.n
            hx, hy = x[hard], y[hard]
            cand = self.candidates[cell]
            for i in range(self.n):
                test = np.flatnonzero(cand[:, i] & (best > i))
                if len(test):
                    hit = shapely.intersects_xy(self.polygons[i], hx[test], hy[test])
                    best[test[hit]] = i
            best[best == self.n] = -1
            out[hard] = best
        return out.reshape(np.shape(lon))


def assign_points(lon, lat, polygons, cells: int = DEFAULT_CELLS) -> np.ndarray:
    """Index of the polygon containing each point, or -1; see the module docstring for the rule.

    Examples
    --------
    >>> from shapely import box
    >>> assign_points([0.5, 1.0, 5.0], [0.5, 0.5, 5.0], [box(0, 0, 1, 1), box(1, 0, 2, 1)]).tolist()
    [0, 0, -1]
    """
    return PolygonLocator(polygons, cells=cells).assign(lon, lat)
