"""Spatial weights for areas and points: contiguity, k-nearest neighbours, distance band.

Every builder returns a fresh :class:`libpysal.weights.W` in its original
(binary) form. Statistics in this package that need another transformation
(e.g. row standardisation) transform a *copy* through :func:`transformed`,
because libpysal's ``W.transform`` setter mutates the object in place and
esda sets it on whatever ``W`` it is given.

References
----------
Rey, S. J. & Anselin, L. (2007). PySAL: A Python Library of Spatial Analytical
Methods. The Review of Regional Studies 37(1), 5–27.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import numpy as np
from libpysal import weights as _lw
from shapely.geometry.base import BaseGeometry

from observatorio.errors import N_, UserError

CONTIGUITY = ("queen", "rook")
TRANSFORMATIONS = ("O", "B", "R", "D", "V")
"""libpysal codes: original, binary, row-standardised, doubly standardised, variance-stabilising."""


def _ids(ids, n: int) -> list | None:
    if ids is None:
        return None
    ids = list(ids)
    if len(ids) != n:
        raise ValueError(f"ids has {len(ids)} entries but there are {n} geometries/points")
    if len(set(ids)) != n:
        raise UserError(N_("los identificadores deben ser únicos"))
    return ids


def _coords(x, y) -> np.ndarray:
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of equal length, got shapes {x.shape} and {y.shape}")
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        raise UserError(N_("x e y deben ser finitos (sin coordenadas NaN ni infinitas)"))
    return np.column_stack([x, y])


def contiguity(polygons: Iterable[BaseGeometry], *, kind: str = "queen", ids=None) -> _lw.W:
    """Contiguity weights between polygons (binary).

    Parameters
    ----------
    polygons : iterable of shapely Polygon / MultiPolygon
        The areas, in any CRS (only shared vertices/edges matter).
    kind : {"queen", "rook"}
        Queen: neighbours share at least one vertex. Rook: they share an edge.
    ids : sequence, optional
        Identifiers of the areas (defaults to positions 0..n-1).

    Returns
    -------
    libpysal.weights.W
        Binary weights; areas with no neighbour are islands
        (``w.islands``).

    Notes
    -----
    Built with ``libpysal.weights.Queen/Rook.from_iterable`` (Rey & Anselin 2007).
    Shared vertices must coincide exactly: digitising gaps make areas look
    disconnected.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> squares = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 1, 2, 2)]
    >>> contiguity(squares, kind="queen").neighbors[0]
    [1, 2]
    >>> contiguity(squares, kind="rook").neighbors[0]
    [1]
    """
    if kind not in CONTIGUITY:
        raise UserError(N_("kind=%(kind)s no es uno de %(contiguity)s"), kind=repr(kind), contiguity=CONTIGUITY)
    geoms = list(polygons)
    if not geoms:
        raise UserError(N_("no hay polígonos"))
    for g in geoms:
        if not isinstance(g, BaseGeometry) or g.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"every geometry must be a shapely Polygon or MultiPolygon, got {type(g).__name__}")
    builder = _lw.Queen if kind == "queen" else _lw.Rook
    ids = _ids(ids, len(geoms))
    w = builder.from_iterable(geoms, ids=ids, silence_warnings=True)
    return w


def knn(x, y, *, k: int, ids=None) -> _lw.W:
    """The ``k`` nearest neighbours of every point (binary, asymmetric).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Coordinates in metres (project lon/lat first, see ``projection.to_metres``),
        e.g. area centroids.
    k : int
        Number of neighbours, ``1 <= k < n``.
    ids : sequence, optional

    Notes
    -----
    ``libpysal.weights.KNN.from_array``. Ties in distance are broken by the
    KD-tree's order.

    Examples
    --------
    >>> w = knn([0, 1, 3, 7], [0, 0, 0, 0], k=1)
    >>> [[int(j) for j in w.neighbors[i]] for i in range(4)]
    [[1], [0], [1], [2]]
    """
    pts = _coords(x, y)
    n = len(pts)
    if not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise UserError(N_("k=%(k)s debe ser un entero con 1 <= k < n=%(n)s"), k=repr(k), n=n)
    ids = _ids(ids, n)
    return _lw.KNN.from_array(pts, k=int(k), ids=ids)


def distance_band(x, y, *, threshold: float, binary: bool = True, alpha: float = -1.0, ids=None) -> _lw.W:
    """Neighbours within ``threshold`` metres (binary, or inverse-distance ``d**alpha``).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Coordinates in metres.
    threshold : float
        Distance band in metres (inclusive), > 0.
    binary : bool
        If False, weights are ``d**alpha`` (inverse distance for ``alpha=-1``).
    alpha : float
        Distance-decay exponent, used only when ``binary`` is False.
    ids : sequence, optional

    Notes
    -----
    ``libpysal.weights.DistanceBand.from_array``. Points with no neighbour
    within the band are islands.

    Examples
    --------
    >>> w = distance_band([0, 100, 250], [0, 0, 0], threshold=150)
    >>> [w.neighbors[i] for i in range(3)]
    [[1], [0, 2], [1]]
    """
    pts = _coords(x, y)
    if not (isinstance(threshold, (int, float, np.number)) and threshold > 0):
        raise UserError(N_("threshold=%(threshold)s debe ser una distancia positiva en metros"),
                        threshold=repr(threshold))
    ids = _ids(ids, len(pts))
    # libpysal raises every stored distance to alpha, including the zero self-distances it then drops.
    with np.errstate(divide="ignore"):
        return _lw.DistanceBand.from_array(pts, threshold=float(threshold), binary=binary, alpha=alpha, ids=ids,
                                           silence_warnings=True)


def transformed(w: _lw.W, transformation: str = "R") -> _lw.W:
    """A transformed copy of ``w``; ``w`` itself is left as it was.

    Parameters
    ----------
    w : libpysal.weights.W
    transformation : {"O", "B", "R", "D", "V"} (lower case accepted)
        Original, binary, row-standardised, doubly standardised, variance-stabilising.

    Examples
    --------
    >>> w = knn([0, 1, 3], [0, 0, 0], k=2)
    >>> r = transformed(w, "r")
    >>> w.transform, r.transform, r.weights[0]
    ('O', 'R', [0.5, 0.5])
    """
    code = str(transformation).upper()
    if code not in TRANSFORMATIONS:
        raise UserError(N_("transformation=%(transformation)s no es uno de %(transformations)s"),
                        transformation=repr(transformation), transformations=TRANSFORMATIONS)
    if not isinstance(w, _lw.W):
        raise ValueError(f"w must be a libpysal.weights.W, got {type(w).__name__}")
    out = copy.deepcopy(w)
    out.transform = code
    return out


def island_mask(w: _lw.W) -> np.ndarray:
    """Boolean array in ``w.id_order``: True for islands, the areas without any neighbour.

    Islands have an empty row in ``w.sparse``: their spatial lag is 0, so a
    local statistic has nothing to test there. Every area method reports them
    (``observatorio analyze moran|lisa|localg|rates``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> island_mask(contiguity([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])).tolist()
    [False, False, True]
    """
    if not isinstance(w, _lw.W):
        raise ValueError(f"w must be a libpysal.weights.W, got {type(w).__name__}")
    return np.array([w.cardinalities[i] == 0 for i in w.id_order], dtype=bool)
