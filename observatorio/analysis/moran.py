"""Global and local Moran's I (LISA) on areas, for values and for rates.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17–23.
Cliff, A. D. & Ord, J. K. (1981). Spatial Processes: Models and Applications. Pion.
Anselin, L. (1995). Local indicators of spatial association — LISA.
Geographical Analysis 27(2), 93–115.
Assunção, R. M. & Reis, E. A. (1999). A new proposal to adjust Moran's I for
population density. Statistics in Medicine 18, 2147–2162.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from libpysal.weights import W
from scipy import stats

from observatorio.analysis.fdr import benjamini_hochberg
from observatorio.analysis.permutation import conditional_lags, one_sided_p
from observatorio.analysis.weights import transformed
from observatorio.errors import N_, UserError


class Quadrant(enum.Enum):
    """Moran scatterplot quadrant of an area: its value vs the average of its neighbours.

    Labels for maps and reports are in :mod:`observatorio.labels`.
    """

    HH = "HH"
    LH = "LH"
    LL = "LL"
    HL = "HL"
    NS = "ns"


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _values(y, name: str = "values") -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise UserError(N_("%(name)s contiene NaN o infinito; quite o impute antes esas áreas"), name=name)
    if y.size < 4:
        raise UserError(N_("la I de Moran necesita al menos 4 áreas; hay %(size)s"), size=y.size)
    if np.ptp(y) == 0:
        raise UserError(N_("%(name)s es constante: la I de Moran no está definida"), name=name)
    return y


def _weights(w, n: int, transformation: str) -> W:
    if not isinstance(w, W):
        raise ValueError(f"w must be a libpysal.weights.W, got {type(w).__name__}")
    if w.n != n:
        raise ValueError(f"w has {w.n} areas but there are {n} values")
    return transformed(w, transformation)


def _check_permutations(permutations: int) -> int:
    if not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise UserError(N_("permutations=%(permutations)s debe ser un entero no negativo (0 = sin simulación)"),
                        permutations=repr(permutations))
    return int(permutations)


# --------------------------------------------------------------------------- global


@dataclass(frozen=True)
class GlobalMoran:
    """Global Moran's I with its analytic and permutation inference."""

    i: float
    expected: float
    """E[I] = -1/(n-1)."""
    var_norm: float
    z_norm: float
    p_norm: float
    """Two-sided p-value under the normality assumption."""
    var_rand: float
    z_rand: float
    p_rand: float
    """Two-sided p-value under the randomisation assumption."""
    p_sim: float
    """Permutation pseudo p-value, (min(#sim >= I, #sim <= I) + 1)/(P + 1); NaN if no permutations."""
    z_sim: float
    permutations: int
    n: int


def global_moran(values, w: W, *, transformation: str = "r", permutations: int = 999, seed: int = 0) -> GlobalMoran:
    """Global Moran's I of ``values`` under weights ``w``.

    Parameters
    ----------
    values : array_like, shape (n,)
        One value per area, in the order of ``w.id_order``.
    w : libpysal.weights.W
        Spatial weights (e.g. from ``weights.contiguity``); not modified.
    transformation : {"r", "b", "o", "d", "v"}
        Applied to a copy of ``w``; row standardisation by default.
    permutations : int
        Random permutations for the pseudo p-value (0 skips them).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    GlobalMoran

    Notes
    -----
    I = (n / S0) · Σij wij zi zj / Σi zi² (Moran 1950). Moments under
    normality and randomisation follow Cliff & Ord (1981, eqs. 1.35–1.38),
    the same as ``esda.Moran``; p-values of the analytic tests are two-sided.
    The permutation p-value counts, out of ``permutations`` random
    relabellings, those at least as extreme as I in its own direction, with
    ties counted in both tails (:mod:`observatorio.analysis.permutation`; equal
    to esda's and GeoDa's p when no simulated I ties the observed one).
    Islands (areas without neighbours) stay in n, the mean and the variance
    and add nothing to the cross-product, as in esda and :func:`local_moran`.

    Examples
    --------
    >>> from observatorio.analysis.weights import knn
    >>> w = knn([0, 1, 2, 3, 4, 5], [0] * 6, k=2)
    >>> r = global_moran([1, 2, 3, 4, 5, 6], w, permutations=99, seed=1)
    >>> round(r.i, 4), round(r.expected, 4)
    (0.5714, -0.2)
    """
    y = _values(values)
    n = y.size
    permutations = _check_permutations(permutations)
    wt = _weights(w, n, transformation)
    s0, s1, s2 = float(wt.s0), float(wt.s1), float(wt.s2)
    if s0 == 0:
        raise UserError(N_("w no tiene vínculos (cada área es una isla)"))
    sparse = wt.sparse.tocsr()
    z = y - y.mean()
    z2ss = float(z @ z)
    i_obs = float(n / s0 * (z @ (sparse @ z)) / z2ss)

    ei = -1.0 / (n - 1)
    n2 = n * n
    s02 = s0 * s0
    var_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - ei * ei
    kurt = (np.sum(z**4) / n) / (z2ss / n) ** 2
    a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = kurt * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    var_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei * ei
    z_norm = (i_obs - ei) / np.sqrt(var_norm)
    z_rand = (i_obs - ei) / np.sqrt(var_rand) if var_rand > 0 else np.nan

    p_sim = z_sim = np.nan
    if permutations:
        rng = np.random.default_rng(seed)
        zp = rng.permuted(np.broadcast_to(z, (permutations, n)), axis=1)
        lag = (sparse @ zp.T).T
        sim = n / s0 * np.einsum("pi,pi->p", zp, lag) / z2ss
        p_sim = float(one_sided_p(sim, np.asarray(i_obs)))
        sd = sim.std()
        z_sim = float((i_obs - sim.mean()) / sd) if sd > 0 else np.nan

    return GlobalMoran(
        i=i_obs,
        expected=ei,
        var_norm=float(var_norm),
        z_norm=float(z_norm),
        p_norm=float(2 * stats.norm.sf(abs(z_norm))),
        var_rand=float(var_rand),
        z_rand=float(z_rand),
        p_rand=float(2 * stats.norm.sf(abs(z_rand))) if np.isfinite(z_rand) else np.nan,
        p_sim=p_sim,
        z_sim=z_sim,
        permutations=permutations,
        n=n,
    )


# --------------------------------------------------------------------------- local


@dataclass(frozen=True, eq=False)
class LocalMoran:
    """Local Moran's I per area with conditional-permutation pseudo p-values.

    Arrays are read-only and follow the order of the input values.
    """

    Is: np.ndarray
    """Local statistic Ii = (n-1) zi Σj wij zj / Σk zk² (z standardised)."""
    z: np.ndarray
    """Standardised values (population SD)."""
    lag: np.ndarray
    """Spatial lag Σj wij zj of the standardised values."""
    quadrant: np.ndarray
    """Object array of :class:`Quadrant` (HH/LH/LL/HL, never NS)."""
    p_sim: np.ndarray
    """One-sided pseudo p-values (NaN without permutations; 1 for islands)."""
    permutations: int
    island: np.ndarray
    """True for areas without neighbours: Ii = 0, p = 1, never in a cluster."""

    def significant(self, alpha: float = 0.05, *, fdr: bool = False) -> np.ndarray:
        """Boolean mask of areas with ``p_sim < alpha`` (esda's and GeoDa's convention).

        With ``fdr=True``, Benjamini–Hochberg at ``alpha`` over the areas with
        neighbours instead (islands are not tests).
        """
        if not 0 < alpha < 1:
            raise UserError(N_("alpha=%(alpha)s debe estar en (0, 1)"), alpha=repr(alpha))
        if fdr:
            return benjamini_hochberg(np.where(self.island, np.nan, self.p_sim), alpha).reject
        return np.nan_to_num(self.p_sim, nan=1.0) < alpha

    def clusters(self, alpha: float = 0.05, *, fdr: bool = False) -> np.ndarray:
        """Quadrant of each significant area, :attr:`Quadrant.NS` elsewhere."""
        out = self.quadrant.copy()
        out[~self.significant(alpha, fdr=fdr)] = Quadrant.NS
        return out


def _quadrants(z: np.ndarray, lag: np.ndarray) -> np.ndarray:
    # z > 0 strictly, as esda: a value exactly at the mean counts as "low".
    hi, lhi = z > 0, lag > 0
    table = np.array([[Quadrant.LL, Quadrant.LH], [Quadrant.HL, Quadrant.HH]], dtype=object)
    return table[hi.astype(int), lhi.astype(int)]


def local_moran(values, w: W, *, transformation: str = "r", permutations: int = 999, seed: int = 0) -> LocalMoran:
    """Local Moran's I (LISA) with conditional-permutation inference.

    Parameters
    ----------
    values : array_like, shape (n,)
        One value per area, in the order of ``w.id_order``.
    w : libpysal.weights.W
        Spatial weights; not modified.
    transformation : {"r", "b", "o", "d", "v"}
        Applied to a copy of ``w``; row standardisation by default.
    permutations : int
        Conditional permutations per area (0 skips inference).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    LocalMoran

    Notes
    -----
    Ii = (n-1) zi Σj wij zj / Σk zk² with z standardised by the population
    SD, which matches ``esda.Moran_Local`` exactly (Anselin 1995). Quadrants
    compare zi and its lag with 0 (the mean).

    Conditional randomisation (Anselin 1995) holds zi fixed and draws the
    neighbours' values at random, without replacement, from the other n-1
    areas. Each permutation draws one ordered sample of ``max cardinality``
    indices shared by every area, as esda and GeoDa do; the samples come from
    NumPy's ``Generator`` rather than esda's global legacy RNG, so p-values
    agree with esda's in distribution, not draw by draw. The pseudo p-value is
    one-sided in the direction of the observed Ii (esda's "directed"
    alternative): (min(#{Ii* >= Ii}, #{Ii* <= Ii}) + 1) / (P + 1), ties
    counted in both tails (:mod:`observatorio.analysis.permutation`), so an
    area whose value is exactly the mean (every Ii* = 0 = Ii) gets p = 1 where
    esda gives 1/(P + 1). Islands have Ii = 0 and p = 1; like
    :func:`global_moran` they stay in n, the mean and the variance.

    Examples
    --------
    >>> from observatorio.analysis.weights import knn
    >>> w = knn([0, 1, 2, 3, 4, 5], [0] * 6, k=2)
    >>> r = local_moran([1, 2, 3, 4, 5, 6], w, permutations=99, seed=1)
    >>> [q.value for q in r.quadrant]
    ['LL', 'LL', 'LL', 'HH', 'HH', 'HH']
    >>> r.Is.round(3).tolist()
    [0.714, 0.643, 0.071, 0.071, 0.643, 0.714]
    """
    y = _values(values)
    n = y.size
    permutations = _check_permutations(permutations)
    wt = _weights(w, n, transformation)
    sparse = wt.sparse.tocsr()
    z = (y - y.mean()) / y.std()
    den = float(z @ z)
    lag = sparse @ z
    local = (n - 1) * z * lag / den
    islands = np.diff(sparse.indptr) == 0
    p_sim = np.full(n, np.nan)
    if permutations:
        rng = np.random.default_rng(seed)
        sim = (n - 1) * z[:, None] * conditional_lags(z, sparse, permutations, rng) / den
        p_sim = one_sided_p(sim, local)
        p_sim[islands] = 1.0
    return LocalMoran(
        Is=_readonly(local),
        z=_readonly(z),
        lag=_readonly(lag),
        quadrant=_readonly(_quadrants(z, lag)),
        p_sim=_readonly(p_sim),
        permutations=permutations,
        island=_readonly(islands),
    )


# --------------------------------------------------------------------------- rates


def eb_standardised_rate(events, population) -> np.ndarray:
    """Assunção–Reis Empirical-Bayes standardised rates.

    Parameters
    ----------
    events : array_like, shape (n,)
        Counts per area (non-negative).
    population : array_like, shape (n,)
        Population at risk per area (positive).

    Returns
    -------
    numpy.ndarray
        zi = (ri - b) / sqrt(vi) with ri = ei/pi, b = Σe/Σp and
        vi = a + b/pi, a = Σ pi (ri - b)² / Σp - b / (Σp / n); where vi < 0,
        vi = b/pi.

    Notes
    -----
    Assunção & Reis (1999); identical to ``esda.smoothing.assuncao_rate``.

    Examples
    --------
    >>> eb_standardised_rate([30, 25, 25, 15, 33, 21, 30, 20],
    ...                      [100, 100, 110, 90, 100, 90, 110, 90])[:4].round(6).tolist()
    [1.038436, -0.040991, -0.562504, -1.730619]
    """
    e = np.asarray(events, dtype=float)
    p = np.asarray(population, dtype=float)
    if e.shape != p.shape or e.ndim != 1:
        raise ValueError(f"events and population must be 1-D of equal length, got {e.shape} and {p.shape}")
    if not np.isfinite(e).all() or (e < 0).any():
        raise UserError(N_("los eventos deben ser conteos finitos y no negativos"))
    if not np.isfinite(p).all() or (p <= 0).any():
        raise UserError(N_("la población debe ser finita y positiva en cada área"))
    r = e / p
    b = e.sum() / p.sum()
    a = np.sum(p * (r - b) ** 2) / p.sum() - b / (p.sum() / e.size)
    v = a + b / p
    v = np.where(v < 0, b / p, v)
    return (r - b) / np.sqrt(v)


def global_moran_rate(events, population, w: W, *, transformation: str = "r", permutations: int = 999,
                      seed: int = 0) -> GlobalMoran:
    """Global Moran's I of EB-standardised rates (Assunção & Reis 1999).

    Parameters as :func:`global_moran`, with ``events`` and ``population`` per area.

    Notes
    -----
    Raw rates of small areas have unequal variances (a small population gives
    extreme rates); standardising them first, as ``esda.Moran_Rate`` does with
    ``adjusted=True``, keeps those from dominating I.

    Examples
    --------
    >>> from observatorio.analysis.weights import knn
    >>> w = knn([0, 1, 2, 3, 4, 5], [0] * 6, k=2)
    >>> r = global_moran_rate([2, 3, 5, 9, 12, 15], [100] * 6, w, permutations=0)
    >>> round(r.i, 4)
    0.6305
    """
    return global_moran(eb_standardised_rate(events, population), w, transformation=transformation,
                        permutations=permutations, seed=seed)


def local_moran_rate(events, population, w: W, *, transformation: str = "r", permutations: int = 999,
                     seed: int = 0) -> LocalMoran:
    """Local Moran's I of EB-standardised rates, as ``esda.Moran_Local_Rate``.

    Parameters as :func:`local_moran`, with ``events`` and ``population`` per area.

    Notes
    -----
    See :func:`eb_standardised_rate` (Assunção & Reis 1999) and :func:`local_moran`.

    Examples
    --------
    >>> from observatorio.analysis.weights import knn
    >>> w = knn([0, 1, 2, 3, 4, 5], [0] * 6, k=2)
    >>> r = local_moran_rate([2, 3, 5, 9, 12, 15], [100] * 6, w, permutations=0)
    >>> [q.value for q in r.quadrant]
    ['LL', 'LL', 'LL', 'HH', 'HH', 'HH']
    """
    return local_moran(eb_standardised_rate(events, population), w, transformation=transformation,
                       permutations=permutations, seed=seed)
