"""Grid layers for an aggregate-only reader: no cell drawn that rests on 1..k−1 events.

Pure NumPy. Gi* and emerging hotspots classify each cell; a cell holding 1..k−1 events is left out (not drawn,
not downloaded), a cell with none stays (zero is not sensitive). A density surface spreads each event over
its neighbourhood, so the test is on the neighbourhood: a surface cell is drawn only where at least k events
lie within ``radius`` cells (2σ of the kernel), so a lone case never shows as a bump.
"""

from __future__ import annotations

import numpy as np


def small_cells(counts, k: int) -> np.ndarray:
    counts = np.asarray(counts)
    return (counts >= 1) & (counts < k)


def thin_neighbourhoods(counts, k: int, radius: int) -> np.ndarray:
    """Cells whose square neighbourhood (2·radius + 1 cells a side) holds fewer than k events."""
    counts = np.asarray(counts, dtype=np.int64)
    padded = np.pad(counts, radius)
    summed = padded.cumsum(axis=0).cumsum(axis=1)
    summed = np.pad(summed, ((1, 0), (1, 0)))
    size = 2 * radius + 1
    rows, cols = counts.shape
    box = (summed[size:size + rows, size:size + cols] - summed[:rows, size:size + cols]
           - summed[size:size + rows, :cols] + summed[:rows, :cols])
    return box < k
