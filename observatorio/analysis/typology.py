"""Neighbourhood typology: clustering areas on a standardised indicator profile.

References
----------
MacQueen, J. (1967). Some methods for classification and analysis of
multivariate observations. Proc. 5th Berkeley Symposium 1, 281–297.
Ward, J. H. (1963). Hierarchical grouping to optimize an objective function.
JASA 58, 236–244.
Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
validation of cluster analysis. J. Comput. Appl. Math. 20, 53–65.
Duque, J. C., Anselin, L. & Rey, S. J. (2012). The max-p-regions problem.
Journal of Regional Science 52(3), 397–419.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from libpysal.weights import W
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score

from observatorio.errors import N_, UserError

METHODS = ("kmeans", "ward")


@dataclass(frozen=True)
class Distinctive:
    """What sets a type apart: the indicators (column names) whose mean z-score is high or low, strongest first.

    Both empty: the type is close to the average on every indicator. The
    interface words it ("alto en X; bajo en Y") with
    :func:`observatorio.labels.typology_description`.
    """

    high: tuple
    low: tuple


@dataclass(frozen=True, eq=False)
class Typology:
    """Result of a typology: a type per area and a profile per type."""

    labels: pd.Series
    """Type of each area (0..k-1, numbered by first appearance), indexed like the input."""
    k: int
    method: str
    zscores: pd.DataFrame
    """The standardised indicators the clustering saw."""
    profiles: pd.DataFrame
    """Mean z-score of each indicator (columns) in each type (rows)."""
    distinctive: dict
    """Type → its :class:`Distinctive` indicators, e.g. high robos, low ingreso."""
    silhouettes: dict = field(default_factory=dict)
    """Mean silhouette for each k tried (empty when k was given)."""


def standardise(table: pd.DataFrame) -> pd.DataFrame:
    """Z-scores of each column: (x - mean) / SD, SD with ddof=0 (as sklearn's StandardScaler).

    Examples
    --------
    >>> standardise(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))["a"].round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame of areas × indicators, got {type(table).__name__}")
    x = table.astype(float)
    if x.isna().any().any():
        bad = x.columns[x.isna().any()].tolist()
        raise UserError(N_("a los indicadores %(bad)s les faltan valores; impútelos o quítelos antes"), bad=bad)
    sd = x.std(ddof=0)
    constant = sd.index[sd == 0].tolist()
    if constant:
        raise UserError(N_("los indicadores %(constant)s son constantes entre áreas y no se pueden estandarizar"),
                        constant=constant)
    return (x - x.mean()) / sd


def _canonical(labels: np.ndarray) -> np.ndarray:
    # Number types by first appearance so the same partition always gets the same numbers.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = {labels[first[j]]: i for i, j in enumerate(order)}
    return np.array([remap[v] for v in labels], dtype=int)


def _fit(z: np.ndarray, k: int, method: str, seed: int, n_init: int) -> np.ndarray:
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(z)
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(z)


def distinctive(profiles: pd.DataFrame, *, top: int = 2, threshold: float = 0.5) -> dict:
    """The distinctive indicators of each type: the highest and the lowest mean z-scores beyond ``threshold``.

    Parameters
    ----------
    profiles : pandas.DataFrame
        Mean z-score per type (rows) and indicator (columns).
    top : int
        At most this many indicators on each side (high, low).
    threshold : float
        An indicator is distinctive when its mean |z| is at least this (in SDs).

    Returns
    -------
    dict
        Type → :class:`Distinctive` (both tuples empty when no indicator
        reaches ``threshold``).

    Examples
    --------
    >>> p = pd.DataFrame({"robos": [1.2, -0.1], "ingreso": [-0.9, 0.2], "vif": [0.7, 0.1]})
    >>> distinctive(p)
    {0: Distinctive(high=('robos', 'vif'), low=('ingreso',)), 1: Distinctive(high=(), low=())}
    """
    if top < 1:
        raise UserError(N_("top=%(top)s debe ser al menos 1"), top=repr(top))
    out = {}
    for cluster, row in profiles.iterrows():
        high = row[row >= threshold].sort_values(ascending=False).index[:top].tolist()
        low = row[row <= -threshold].sort_values().index[:top].tolist()
        out[cluster] = Distinctive(tuple(high), tuple(low))
    return out


def _result(table, z: pd.DataFrame, labels, method, silhouettes, top, threshold) -> Typology:
    labels = _canonical(np.asarray(labels))
    profiles = z.groupby(labels).mean()
    profiles.index.name = "type"
    return Typology(
        labels=pd.Series(labels, index=table.index, name="type"),
        k=int(labels.max()) + 1,
        method=method,
        zscores=z,
        profiles=profiles,
        distinctive=distinctive(profiles, top=top, threshold=threshold),
        silhouettes=silhouettes,
    )


def typology(table: pd.DataFrame, *, method: str = "kmeans", k: int | None = None, k_range=(2, 8),
             seed: int = 0, n_init: int = 20, top: int = 2, threshold: float = 0.5) -> Typology:
    """Cluster areas on their standardised indicators with k-means or Ward.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per area, one numeric column per indicator (rates, shares…).
        Not modified.
    method : {"kmeans", "ward"}
    k : int, optional
        Number of types. If omitted, the k in ``k_range`` with the highest
        mean silhouette is used.
    k_range : (int, int)
        Inclusive range of k tried when ``k`` is omitted, 2 <= low <= high < n.
    seed : int
        Random state of k-means (Ward is deterministic).
    n_init : int
        k-means restarts; the best (lowest inertia) is kept.
    top, threshold : see :func:`distinctive`.

    Returns
    -------
    Typology

    Notes
    -----
    Indicators are z-scored (ddof=0) so each weighs the same whatever its unit.
    k-means (MacQueen 1967) minimises within-type squared distance; Ward's
    agglomerative method (Ward 1963) merges the pair of clusters that least
    increases it. k is chosen by the largest mean silhouette (Rousseeuw 1987)
    on the z-scores, ties to the smaller k. Types are numbered by the first
    area that belongs to each, so numbering is stable.

    Examples
    --------
    >>> t = pd.DataFrame({"robos": [9, 10, 11, 1, 2, 1.5], "ingreso": [1, 1.2, 0.9, 5, 5.5, 5.2]})
    >>> r = typology(t, k_range=(2, 3))
    >>> r.k, r.labels.tolist()
    (2, [0, 0, 0, 1, 1, 1])
    >>> r.distinctive[0]
    Distinctive(high=('robos',), low=('ingreso',))
    """
    if method not in METHODS:
        raise UserError(N_("method=%(method)s no es uno de %(methods)s"), method=repr(method), methods=METHODS)
    z = standardise(table)
    n = len(z)
    x = z.to_numpy()
    silhouettes: dict = {}
    if k is None:
        lo, hi = k_range
        if not (2 <= lo <= hi < n):
            raise UserError(N_("k_range=%(k_range)s debe cumplir 2 <= mínimo <= máximo < n=%(n)s"),
                            k_range=repr(k_range), n=n)
        best = None
        for kk in range(lo, hi + 1):
            lab = _fit(x, kk, method, seed, n_init)
            silhouettes[kk] = float(silhouette_score(x, lab)) if len(np.unique(lab)) > 1 else -1.0
            if best is None or silhouettes[kk] > silhouettes[best[0]]:
                best = (kk, lab)
        labels = best[1]
    else:
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
            raise UserError(N_("k=%(k)s debe ser un entero entre 1 y el número de áreas (%(n)s)"), k=repr(k), n=n)
        labels = _fit(x, int(k), method, seed, n_init) if k > 1 else np.zeros(n, dtype=int)
    return _result(table, z, labels, method, silhouettes, top, threshold)


@contextlib.contextmanager
def _legacy_rng(seed: int):
    # spopt 0.7's max-p draws from NumPy's global legacy RNG and takes no seed.
    # Seed it for the call only and put the caller's state back afterwards,
    # so results are reproducible and nobody else's stream is disturbed.
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def spatial_typology(table: pd.DataFrame, w: W, population, *, floor: float, seed: int = 0,
                     top: int = 2, threshold: float = 0.5, max_iterations_construction: int = 99,
                     max_iterations_sa: int = 10) -> Typology:
    """Contiguous regions of similar areas, each with at least ``floor`` inhabitants (max-p).

    Parameters
    ----------
    table : pandas.DataFrame
        Areas × indicators, rows in the order of ``w.id_order``. Not modified.
    w : libpysal.weights.W
        Contiguity weights of the areas, forming one connected component. Not modified.
    population : array_like, shape (n,)
        Population of each area (the spatially extensive attribute).
    floor : float
        Minimum population of every region.
    seed : int
        Seed for max-p's random construction and annealing.
    top, threshold : see :func:`distinctive`.
    max_iterations_construction, max_iterations_sa : int
        Passed to ``spopt.region.MaxPHeuristic``.

    Returns
    -------
    Typology
        ``k`` is the number of regions found (max-p chooses it), ``method`` is ``"maxp"``.

    Notes
    -----
    The max-p-regions problem (Duque, Anselin & Rey 2012) finds the largest
    number of contiguous regions whose population reaches the floor, then
    minimises within-region dissimilarity of the z-scored indicators; solved
    with ``spopt.region.MaxPHeuristic``. Unlike :func:`typology`, types here
    are places: two distant areas never share a region.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> t = pd.DataFrame({"robos": [9, 10, 1, 2], "ingreso": [1, 1.2, 5, 5.5]})
    >>> r = spatial_typology(t, lat2W(1, 4), [100, 100, 100, 100], floor=150)
    >>> r.labels.tolist()
    [0, 0, 1, 1]
    """
    from spopt.region import MaxPHeuristic

    z = standardise(table)
    n = len(z)
    if not isinstance(w, W) or w.n != n:
        raise ValueError(f"w must be a libpysal.weights.W over the {n} areas of table")
    if w.n_components != 1:
        raise UserError(N_("w tiene %(n_components)s componentes conexas; max-p necesita una (una antes las islas)"),
                        n_components=w.n_components)
    pop = np.asarray(population, dtype=float)
    if pop.shape != (n,) or not np.isfinite(pop).all() or (pop < 0).any():
        raise UserError(N_("la población debe tener %(n)s valores finitos y no negativos"), n=n)
    if not floor > 0:
        raise UserError(N_("floor=%(floor)s debe ser una población positiva"), floor=repr(floor))
    if pop.sum() < floor:
        raise UserError(N_("floor=%(floor)s supera la población total %(value)s: ninguna región puede alcanzarlo"),
                        floor=repr(floor), value=f"{pop.sum():g}")
    attrs = [f"_z{i}" for i in range(z.shape[1])]
    frame = pd.DataFrame(z.to_numpy(), columns=attrs)
    frame["_pop"] = pop
    model = MaxPHeuristic(frame, copy.deepcopy(w), attrs, "_pop", float(floor), top_n=2,
                          max_iterations_construction=max_iterations_construction,
                          max_iterations_sa=max_iterations_sa, policy="keep")
    with _legacy_rng(seed), warnings.catch_warnings():
        # spopt 0.7 calls DataFrame.drop(inplace=True), deprecated in pandas 3.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model.solve()
    labels = np.asarray(model.labels_)
    if labels.shape != (n,) or (labels < 1).any():
        raise UserError(N_("max-p no pudo asignar cada área a una región que alcance el mínimo"))
    return _result(table, z, labels, "maxp", {}, top, threshold)
