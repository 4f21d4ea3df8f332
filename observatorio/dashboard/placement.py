"""Every event's place on the map's grids, worked out once per snapshot and territory.

The map's analysis layers count the filtered events per grid cell: Gi* and
emerging hotspots on square cells, kernel density on the finer binning grid of
:class:`~observatorio.analysis.kde.KdePlan`, event clusters on larger cells.
Projecting millions of coordinates to metres and finding their cells took
most of a layer's time, and every filter combination did it again. Here each
event gets its cell (and, for the density, its bin and offsets) once, so a
request only picks the rows of its window and filters and counts them with
``bincount``: the same counts as projecting and binning the chosen points,
since each point's cell does not depend on which other points are chosen.

Memory at 5M events: 4 int32 and 2 float32 columns, 120 MB, built in chunks so
the projected coordinates of all events are never held at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatorio.analysis.grid import Grid
from observatorio.analysis.kde import KdePlan
from observatorio.analysis.projection import to_metres
from observatorio.records.snapshot import EventSnapshot

CHUNK = 1_000_000  # events projected at a time: bounds the temporary arrays (~100 MB per million)
OFF = -1  # no cell: unlocated, outside the comuna (analysis grids) or off the grid (as Grid.flat_index says)


@dataclass(frozen=True)
class Placement:
    """Per event (snapshot row): its cell on each grid, ``OFF`` where it has none."""

    gi_grid: Grid
    gi: np.ndarray  # int32 flat cell of the Gi* grid; events inside the comuna only
    kde: KdePlan
    kde_base: np.ndarray  # int32 flat bin of the density's binning grid (lower-left neighbour); inside only
    kde_u: np.ndarray  # float32 offsets from that bin, in bins (float32: ~1e-9 of the surface's peak)
    kde_v: np.ndarray
    emerging_grid: Grid
    emerging: np.ndarray  # int32 flat cell of the emerging-hotspot grid; inside only
    cluster_grid: Grid  # the map's extent: the comuna and a margin around it
    cluster: np.ndarray  # int32 flat cell of the cluster grid; located events, outside the comuna too

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in COLUMNS)


# The per-event arrays of a Placement (what is kept as files; the grids come from the territory).
COLUMNS = ("gi", "kde_base", "kde_u", "kde_v", "emerging", "cluster")


def place(snap: EventSnapshot, epsg: int, gi_grid: Grid, kde: KdePlan, emerging_grid: Grid,
          cluster_grid: Grid) -> Placement:
    """Each event's cells on the three analysis grids (inside the comuna) and on the cluster grid (all located)."""
    n = snap.size
    gi = np.full(n, OFF, dtype=np.int32)
    kde_base = np.full(n, OFF, dtype=np.int32)
    kde_u = np.zeros(n, dtype=np.float32)
    kde_v = np.zeros(n, dtype=np.float32)
    emerging = np.full(n, OFF, dtype=np.int32)
    cluster = np.full(n, OFF, dtype=np.int32)
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        rows = lo + np.flatnonzero(np.isfinite(snap.lon[lo:hi]) & np.isfinite(snap.lat[lo:hi]))
        if rows.size == 0:
            continue
        x, y, _epsg = to_metres(snap.lon[rows], snap.lat[rows], epsg)
        cluster[rows] = cluster_grid.flat_index(x, y)
        inside = ~snap.outside[rows]
        rows, x, y = rows[inside], x[inside], y[inside]
        gi[rows] = gi_grid.flat_index(x, y)
        emerging[rows] = emerging_grid.flat_index(x, y)
        base, u, v = kde.positions(x, y)
        kde_base[rows] = base
        kde_u[rows] = u
        kde_v[rows] = v
    return Placement(gi_grid, gi, kde, kde_base, kde_u, kde_v, emerging_grid, emerging, cluster_grid, cluster)


def counts(cells: np.ndarray, window: slice, mask: np.ndarray | None, size: int) -> np.ndarray:
    """Events per cell among the window's rows that pass ``mask`` (None: all) and have a cell."""
    chosen = cells[window]
    keep = chosen >= 0
    if mask is not None:
        keep &= mask
    return np.bincount(np.compress(keep, chosen), minlength=size)  # cube.COMPRESS


def chosen_rows(cells: np.ndarray, window: slice, mask: np.ndarray | None) -> np.ndarray:
    """Snapshot rows of the window that pass ``mask`` and have a cell."""
    keep = cells[window] >= 0
    if mask is not None:
        keep &= mask
    return window.start + np.flatnonzero(keep)
