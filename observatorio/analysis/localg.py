"""Getis-Ord Local G and G* on areas (contiguity or k-nearest-neighbour weights).

The area counterpart of :mod:`observatorio.analysis.gistar`, which computes G*
on a regular grid by convolution: here the neighbourhood of each area comes
from a :class:`libpysal.weights.W`, and the statistic, its moments and its
conditional permutation test follow ``esda.G_Local``.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of
distance statistics. Geographical Analysis 24, 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics:
distributional issues and an application. Geographical Analysis 27, 286–306.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from libpysal.weights import W, fill_diagonal
from scipy import stats

from observatorio.errors import N_, UserError

from .gistar import gi_bins
from .permutation import conditional_lags, folded, one_sided_p
from .weights import island_mask, transformed

TRANSFORMATIONS = ("b", "r")
"""Binary (Getis & Ord's weights) or row-standardised, as ``esda.G_Local`` allows."""
INFERENCES = ("permutation", "normal")


@dataclass(frozen=True, eq=False)
class LocalG:
    """Local G (or G*) per area, in the order of the input values."""

    G: np.ndarray
    """G_i = Σj wij xj / Σ_{j≠i} xj (G) or Σj wij xj / Σj xj (G*, wii > 0)."""
    expected: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    """(G_i - E[G_i]) / sqrt(Var[G_i]); positive = high values cluster here; NaN for islands."""
    p_norm: np.ndarray
    """Two-sided p-value of ``z`` under the normal approximation (twice esda's one-sided ``p_norm``)."""
    p_sim: np.ndarray
    """One-sided pseudo p-value of the conditional permutation test (NaN without permutations, 1 for islands)."""
    island: np.ndarray
    """True for areas without neighbours: not tested (z NaN, p = 1, bin 0)."""
    star: bool
    transformation: str
    permutations: int

    def bins(self, fdr: bool = False, inference: str = "permutation") -> np.ndarray:
        """``Gi_Bin`` classes -3..3 (:class:`~observatorio.analysis.gistar.GiBin`) as an int8 array.

        ``inference="permutation"`` (the default on areas) folds ``p_sim`` to
        two-sided, min(1, 2·p_sim); ``"normal"`` uses ``p_norm``. Islands are
        not tests: bin 0 and left out of the FDR count.
        """
        if inference == "permutation":
            if not self.permutations:
                raise UserError(N_("inference='permutation' necesita permutations > 0; este resultado no tiene "
                                   "ninguna"))
            p = folded(self.p_sim)
        elif inference == "normal":
            p = self.p_norm.copy()
        else:
            raise UserError(N_("inference=%(inference)s; se admiten: %(value)s"),
                            inference=repr(inference), value=', '.join(INFERENCES))
        p[self.island] = np.nan
        return gi_bins(self.z, p, fdr=fdr)


def _values(values) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise UserError(N_("los valores contienen NaN o infinito; quite o impute antes esas áreas"))
    if (y < 0).any():
        raise UserError(N_("los valores deben ser no negativos (conteos o tasas): la G local divide por su suma"))
    if y.size < 3:
        raise UserError(N_("la G local necesita al menos 3 áreas; hay %(size)s"), size=y.size)
    if np.ptp(y) == 0:
        raise UserError(N_("los valores son constantes: la G local no está definida"))
    return y


def local_g(values, w: W, *, star: bool = False, transformation: str = "b", permutations: int = 999,
            seed: int = 0) -> LocalG:
    """Getis-Ord Local G (``star=False``) or G* (``star=True``) of every area.

    Parameters
    ----------
    values : array_like, shape (n,)
        Non-negative value per area (count or rate), in the order of ``w.id_order``.
    w : libpysal.weights.W
        Spatial weights (e.g. ``weights.contiguity``); not modified. Only who
        neighbours whom is used, as binary weights, before ``transformation``.
    star : bool
        G* counts the area itself in its neighbourhood (self weight 1).
    transformation : {"b", "r"}
        Binary (default, the z of Ord & Getis 1995 and of
        :func:`~observatorio.analysis.gistar.gi_star`) or row-standardised.
    permutations : int
        Conditional permutations per area (0 skips them).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    LocalG

    Notes
    -----
    As ``esda.G_Local(values, w, transform=..., star=...)``: with
    N = n - 1 (G) or n (G*), the mean x̄ and variance s² of the N values other
    than x_i (G) or of all values (G*), and W_i = Σj wij,
    E[G_i] = W_i / N and Var[G_i] = W_i (N - W_i) / (N - 1) / N² · s² / x̄².
    With binary weights and G* this z is exactly Gi*'s on a grid. With
    ``"r"`` the weights sum to 1 and esda's moments, kept here, ignore the
    number of neighbours.

    The conditional permutation test holds x_i (and its self weight in G*)
    fixed and draws the neighbours' values from the other n - 1 areas
    (:func:`observatorio.analysis.permutation.conditional_lags`); the pseudo
    p-value counts ties in both tails, so where no simulated lag ties the
    observed one it equals esda's ``p_sim`` in distribution.

    Islands have no neighbourhood to test: z and ``p_norm`` are NaN and
    ``p_sim`` is 1 (esda gives G* islands a z from their own value alone).

    Examples
    --------
    >>> from observatorio.analysis.weights import knn
    >>> w = knn([0, 1, 2, 3, 4, 5], [0] * 6, k=2)
    >>> r = local_g([1, 2, 3, 4, 5, 6], w, star=True, permutations=0)
    >>> r.z.round(3).tolist()
    [-1.964, -1.964, -0.655, 0.655, 1.964, 1.964]
    """
    y = _values(values)
    n = y.size
    if not isinstance(w, W):
        raise ValueError(f"w must be a libpysal.weights.W, got {type(w).__name__}")
    if w.n != n:
        raise ValueError(f"w has {w.n} areas but there are {n} values")
    code = str(transformation).lower()
    if code not in TRANSFORMATIONS:
        raise UserError(N_("transformation=%(transformation)s; se admiten: %(value)s"),
                        transformation=repr(transformation), value=', '.join(TRANSFORMATIONS))
    if not (isinstance(permutations, (int, np.integer)) and permutations >= 0):
        raise UserError(N_("permutations=%(permutations)s debe ser un entero no negativo (0 = sin simulación)"),
                        permutations=repr(permutations))
    if y.sum() == 0:
        raise UserError(N_("todos los valores son 0: la G local no está definida"))
    island = island_mask(w)
    binary = transformed(w, "B")
    if star:
        with warnings.catch_warnings():
            # libpysal warns that islands leave the graph disconnected; they are reported as islands instead.
            warnings.simplefilter("ignore", UserWarning)
            binary = fill_diagonal(binary, 1.0)
    sparse = transformed(binary, code).sparse.tocsr()

    remove_self = 0.0 if star else 1.0
    big_n = n - remove_self
    total = y.sum() - y * remove_self
    lag = sparse @ y
    card = np.asarray(sparse.sum(axis=1)).ravel()
    expected = card / big_n
    mean = total / big_n
    variance = ((y**2).sum() - y**2 * remove_self) / big_n - mean**2
    # G of an area whose every other value is 0 divides 0 by 0: NaN, untested.
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = lag / total
        var_g = card * (big_n - card) / (big_n - 1) / big_n**2 * variance / mean**2
        z = (statistic - expected) / np.sqrt(var_g)
    z[island | ~(var_g > 0)] = np.nan
    p_norm = np.where(np.isnan(z), np.nan, 2.0 * stats.norm.sf(np.abs(z)))

    p_sim = np.full(n, np.nan)
    if permutations:
        rng = np.random.default_rng(seed)
        p_sim = one_sided_p(conditional_lags(y, sparse, int(permutations), rng), lag)
        p_sim[island] = 1.0
    return LocalG(G=statistic, expected=expected, variance=var_g, z=z, p_norm=p_norm, p_sim=p_sim, island=island,
                  star=bool(star), transformation=code, permutations=int(permutations))
