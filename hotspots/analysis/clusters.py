"""Getis–Ord Gi* hot and cold spots: the pure core, numpy in and out (values and neighbours → z, p, classes).

The map layers (hexagons, communes) are built by :mod:`hotspots.analysis.cluster_layers`; this
module sees only a vector of values, one per unit, and a binary adjacency matrix.

The statistic
-------------
For unit ``i`` with binary neighbours ``w_ij`` (``w_ii = 1``: the unit counts itself, the "star")::

    G*_i = Σ_j w_ij x_j / Σ_j x_j

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (s √[(n W_i − W_i²) / (n − 1)]),   W_i = Σ_j w_ij

with ``x̄`` and ``s`` the mean and the (population) standard deviation of the ``n`` tested values.
It is computed by ``esda.G_Local(y, w, transform="B", star=True, permutations=..., seed=...)``.
A positive ``z`` is a *hot* spot (the unit and its neighbours hold more than their share), a
negative one a *cold* spot.

Significance
------------
The null hypothesis is conditional randomisation: unit ``i`` keeps its own value and its
``k_i`` neighbours are a random ``k_i``-subset of the other ``n − 1`` values. Two p-values are
computed, both two-sided (``2 × min(P(S ≥ s), P(S ≤ s))`` capped at 1, ``S`` the neighbours'
sum), both counting ties as "at least as extreme":

``p_sim``
    from esda's permutations, ``(1 + #{sims ≥ obs}) / (P + 1)`` and ``(1 + #{sims ≤ obs}) /
    (P + 1)``. esda's own ``p_sim`` is not used: it folds ``#{sims ≥ obs}`` and counts ties
    against the null, so an empty cell among empty neighbours (the commonest cell of a map of
    points) gets ``p = 1 / (P + 1)``: on the sample's 2,936 hexagons it gives 1,498 cells (1,408
    of them empty) that p, and 1,610 pass its false-discovery-rate cut-off.
``p_exact``
    the same null computed exactly, the limit of infinitely many permutations, for whole-number
    values (counts): the number of ``k``-subsets of the other values with each sum is read from
    the generating function ``Π_v (1 + x t^v)`` (one factor per unit, ``v`` its value), built
    once for all units and divided by ``(1 + x t^{x_i})`` for each unit's own value.

Why exact: permutations cannot give a p-value below ``2 / (P + 1)`` (0.002 at 999), and the
Benjamini–Hochberg correction over ``n`` units then flags nothing unless at least
``0.002 n / α`` units reach that floor (118 of the sample's 2,936 hexagons): a real cluster of
a few cells is never found. ``inference="exact"`` (the default for counts) removes the floor;
``"permutation"`` uses ``p_sim`` and reports the floor (:attr:`GiStarResult.min_detectable`).

The false-discovery rate is controlled with ``esda.fdr`` (Benjamini–Hochberg) at each level of
:data:`ALPHAS`; a unit is significant at level ``α`` when ``p < fdr(p, α)`` (strictly, as
``esda.fdr`` itself compares). Classes (:data:`HOTSPOT_CLASSES`): ``hot_99`` when significant
at 0.01, ``hot_95`` at 0.05, ``hot_90`` at 0.10 (and ``cold_*`` alike when ``z < 0``),
``not_significant`` otherwise, ``not_tested`` for islands (units with no neighbour, left out of
the test and of ``n``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from hotspots.errors import ClusterError
from hotspots.i18n import coded_error

Inference = Literal["exact", "permutation"]
#: Ways of computing the p-value that decides significance (see the module docstring).
INFERENCE_METHODS: Final = ("exact", "permutation")
#: Significance levels a result can be asked for; each gives a class of :data:`HOTSPOT_CLASSES`.
ALPHAS: Final = (0.01, 0.05, 0.10)
DEFAULT_ALPHA: Final = 0.05
DEFAULT_PERMUTATIONS: Final = 999
#: Seed of esda's permutations: the same data give the same answer on every run.
DEFAULT_SEED: Final = 12345
MIN_PERMUTATIONS: Final = 99
MAX_PERMUTATIONS: Final = 99_999
#: A test needs at least this many units with a neighbour...
MIN_TESTED_UNITS: Final = 30
#: ... and at least this many of them holding something (a value above 0).
MIN_NONZERO_UNITS: Final = 3
#: Classes of a unit, hot to cold, then the units left out of the test.
HOTSPOT_CLASSES: Final = (
    "hot_99",
    "hot_95",
    "hot_90",
    "not_significant",
    "cold_90",
    "cold_95",
    "cold_99",
    "not_tested",
)
#: Most simulated values kept (tested units × permutations): 30 million take 240 MB.
MAX_SIMULATED_VALUES: Final = 30_000_000
# Largest generating function of the exact test, (k + 1) × (largest neighbours' sum + 1) cells.
_MAX_EXACT_CELLS: Final = 20_000_000


@dataclass(frozen=True, eq=False)
class GiStarResult:
    """Gi* z-scores, p-values, false-discovery-rate significance and classes of every unit.

    Arrays are read-only and hold one entry per unit, in the order of the input values;
    units left out (islands) have NaN ``z``, ``p`` and ``p_sim``, ``significant`` false and
    class ``not_tested``.

    Attributes
    ----------
    z
        Gi* z-scores (``esda.G_Local(...).Zs``); positive is hot, negative cold.
    p
        The two-sided p-value that decides significance: ``p_exact`` or ``p_sim`` (``inference``).
    p_sim
        Two-sided p-value from the ``permutations`` of esda, ties counted as extreme.
    significant
        Significant after the false-discovery-rate correction at ``alpha``: ``p < fdr_cutoff``.
    classes
        One of :data:`HOTSPOT_CLASSES` per unit.
    tested
        Whether the unit was in the test (it has at least one neighbour).
    alpha
        The false-discovery rate asked for (one of :data:`ALPHAS`).
    fdr_cutoffs
        ``{α: cut-off}`` of ``esda.fdr`` for every level of :data:`ALPHAS`.
    inference
        ``"exact"`` or ``"permutation"``.
    permutations, seed
        How esda's permutations were drawn.
    """

    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray
    significant: np.ndarray
    classes: np.ndarray
    tested: np.ndarray
    alpha: float
    fdr_cutoffs: Mapping[float, float]
    inference: str
    permutations: int
    seed: int

    @property
    def fdr_cutoff(self) -> float:
        """The p-value cut-off at ``alpha``: a unit is significant when its p is below it."""
        return self.fdr_cutoffs[self.alpha]

    @property
    def n_tested(self) -> int:
        """How many units were tested (``n`` of the correction)."""
        return int(self.tested.sum())

    @property
    def islands(self) -> np.ndarray:
        """Positions of the units left out because they have no neighbour."""
        return np.flatnonzero(~self.tested)

    @property
    def hot(self) -> np.ndarray:
        """Whether each unit is a significant hot spot at ``alpha``."""
        return self.significant & (np.nan_to_num(self.z) > 0)

    @property
    def cold(self) -> np.ndarray:
        """Whether each unit is a significant cold spot at ``alpha``."""
        return self.significant & (np.nan_to_num(self.z) < 0)

    @property
    def min_p(self) -> float:
        """The smallest p-value the permutations can give, ``2 / (permutations + 1)``."""
        return min(1.0, 2 / (self.permutations + 1))

    @property
    def min_detectable(self) -> int:
        """How many units the correction needs at the smallest p before it flags any (permutation only).

        With p-values no smaller than :attr:`min_p`, Benjamini–Hochberg at ``alpha`` rejects
        ``k`` hypotheses only if ``min_p ≤ k α / n``; for exact p-values there is no such floor
        and this is 1.
        """
        if self.inference == "exact":
            return 1
        return max(1, math.ceil(self.min_p * self.n_tested / self.alpha - 1e-9))


def gi_star(
    values: np.ndarray,
    adjacency: sp.sparray | sp.spmatrix | np.ndarray,
    *,
    alpha: float = DEFAULT_ALPHA,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    inference: Inference = "exact",
) -> GiStarResult:
    """Test every unit for a hot or cold spot with Getis–Ord Gi* and correct for multiple testing.

    Parameters
    ----------
    values
        One finite value, 0 or more, per unit: a count of (weighted) risk points, or a rate.
    adjacency
        ``n × n`` symmetric matrix; a non-zero entry makes two units neighbours (weights are
        binary, the diagonal is ignored: every unit counts itself).
    alpha
        False-discovery rate of :attr:`GiStarResult.significant`, one of :data:`ALPHAS`.
    permutations
        Number of esda's conditional permutations (99 to 99,999).
    seed
        Seed of the permutations.
    inference
        ``"exact"`` (whole-number values only) or ``"permutation"``: which p-value decides.

    Returns
    -------
    GiStarResult

    Raises
    ------
    ClusterError
        With a code of the catalogue: bad values, matrix, ``alpha``, ``permutations`` or
        ``inference``; fewer than :data:`MIN_TESTED_UNITS` units with a neighbour or fewer than
        :data:`MIN_NONZERO_UNITS` of them above 0 (``hotspot.too_few``); every tested value
        equal (``hotspot.all_equal``); more than :data:`MAX_SIMULATED_VALUES` simulated values
        (``hotspot.too_many_permutations``).

    Examples
    --------
    >>> result = gi_star(counts, adjacency)  # doctest: +SKIP
    >>> result.classes[result.hot]  # doctest: +SKIP
    """
    values = _check_values(values)
    adjacency = _check_adjacency(adjacency, len(values))
    _check_options(alpha, permutations, seed, inference)
    if inference == "exact" and not np.array_equal(values, np.round(values)):
        raise coded_error(ClusterError, "hotspot.exact_needs_counts")
    tested = np.asarray(adjacency.sum(axis=1)).ravel() > 0
    y = values[tested]
    nonzero = int((y > 0).sum())
    if len(y) < MIN_TESTED_UNITS or nonzero < MIN_NONZERO_UNITS:
        raise coded_error(
            ClusterError,
            "hotspot.too_few",
            tested=len(y),
            nonzero=nonzero,
            min_units=MIN_TESTED_UNITS,
            min_nonzero=MIN_NONZERO_UNITS,
        )
    if np.all(y == y[0]):
        raise coded_error(ClusterError, "hotspot.all_equal", tested=len(y), value=f"{y[0]:g}")
    if len(y) * permutations > MAX_SIMULATED_VALUES:
        raise coded_error(
            ClusterError,
            "hotspot.too_many_permutations",
            permutations=permutations,
            units=len(y),
            maximum=MAX_SIMULATED_VALUES // len(y),
        )
    inner = sp.csr_array(adjacency[tested][:, tested])
    z_in, p_sim_in = _esda_gi_star(y, inner, permutations=permutations, seed=seed)
    p_in = _exact_p(y.astype(np.int64), inner) if inference == "exact" else p_sim_in
    cutoffs = _fdr_cutoffs(p_in)
    n = len(values)
    z, p, p_sim = (np.full(n, np.nan) for _ in range(3))
    z[tested], p[tested], p_sim[tested] = z_in, p_in, p_sim_in
    classes = np.full(n, "not_tested", dtype=object)
    classes[tested] = _classes(z_in, p_in, cutoffs)
    significant = np.zeros(n, dtype=bool)
    significant[tested] = p_in < cutoffs[alpha]
    return GiStarResult(
        z=_frozen(z),
        p=_frozen(p),
        p_sim=_frozen(p_sim),
        significant=_frozen(significant),
        classes=_frozen(classes),
        tested=_frozen(tested),
        alpha=float(alpha),
        fdr_cutoffs=MappingProxyType(cutoffs),
        inference=inference,
        permutations=int(permutations),
        seed=int(seed),
    )


def hot_clusters(
    hot: np.ndarray, adjacency: sp.sparray | sp.spmatrix | np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Join adjacent significant hot units into clusters.

    Parameters
    ----------
    hot
        Boolean mask of the units to join (usually :attr:`GiStarResult.hot`).
    adjacency
        The matrix given to :func:`gi_star`.
    values
        The tested values, to order the clusters.

    Returns
    -------
    tuple of numpy.ndarray
        One sorted array of unit positions per cluster (a connected group of hot units), the
        cluster holding the most value first; ties go to the cluster with the lowest position.
    """
    members = np.flatnonzero(np.asarray(hot, dtype=bool))
    if len(members) == 0:
        return ()
    inner = sp.csr_array(sp.csr_array(adjacency)[members][:, members])
    _, labels = connected_components(inner, directed=False)
    groups = [members[labels == label] for label in range(labels.max() + 1)]
    values = np.asarray(values, dtype=float)
    groups.sort(key=lambda group: (-values[group].sum(), group[0]))
    return tuple(_frozen(group) for group in groups)


def _esda_gi_star(
    y: np.ndarray, adjacency: sp.csr_array, *, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return esda's Gi* z-scores and the two-sided permutation p-values, ties counted as extreme."""
    # esda pulls in libpysal, scikit-learn and more (seconds): load it only when a test runs.
    import esda
    from libpysal.graph import Graph

    graph = Graph.from_sparse(adjacency)
    with warnings.catch_warnings():
        # crand warns that its default alternative will change; the p-value below does not use it.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        local = esda.G_Local(
            y,
            graph,
            transform="B",
            star=True,
            permutations=permutations,
            keep_simulations=True,
            n_jobs=1,
            seed=seed,
        )
    simulated = np.asarray(local.rGs)
    observed = np.asarray(local.Gs)[:, None]
    # The statistic is a sum of values over a positive scale; compare with a tolerance so that
    # a simulated sum equal to the observed one (a tie) is counted whatever its rounding.
    tolerance = 1e-9 * np.maximum(np.abs(observed), 1e-300)
    greater = (simulated >= observed - tolerance).sum(axis=1)
    lesser = (simulated <= observed + tolerance).sum(axis=1)
    p_sim = np.minimum(1.0, 2 * (1 + np.minimum(greater, lesser)) / (permutations + 1))
    return np.asarray(local.Zs, dtype=float), p_sim


def _exact_p(y: np.ndarray, adjacency: sp.csr_array) -> np.ndarray:
    """Return the exact two-sided p-value of every unit under conditional randomisation."""
    n = len(y)
    cardinality = np.asarray(adjacency.sum(axis=1)).ravel().astype(np.int64)
    observed = np.asarray(adjacency @ y).ravel().astype(np.int64)
    k = int(cardinality.max())
    top = int(np.sort(y)[-k:].sum())
    if (k + 1) * (top + 1) > _MAX_EXACT_CELLS:
        raise coded_error(ClusterError, "hotspot.exact_too_large", largest=top)
    whole = _subset_sums(y, k, top)
    p = np.ones(n)
    for value in np.unique(y):
        rows = np.flatnonzero(y == value)
        without = _remove_one(whole, int(value))
        upper = np.cumsum(without[:, ::-1], axis=1)[:, ::-1]
        lower = np.cumsum(without, axis=1)
        totals = without.sum(axis=1)
        j, s = cardinality[rows], observed[rows]
        p_greater = upper[j, s] / totals[j]
        p_lesser = lower[j, s] / totals[j]
        p[rows] = np.minimum(1.0, 2 * np.minimum(p_greater, p_lesser))
    return p


def _subset_sums(y: np.ndarray, k: int, top: int) -> np.ndarray:
    """Return ``f[j, s]``: how many ``j``-subsets of ``y`` (``j ≤ k``) sum to ``s`` (``s ≤ top``)."""
    f = np.zeros((k + 1, top + 1))
    f[0, 0] = 1.0
    values, counts = np.unique(y, return_counts=True)
    for value, count in zip(values.tolist(), counts.tolist(), strict=True):
        g = f.copy()
        for m in range(1, min(count, k) + 1):
            shift = value * m
            if shift > top:
                break
            g[m:, shift:] += math.comb(count, m) * f[: k + 1 - m, : top + 1 - shift]
        f = g
    return f


def _remove_one(f: np.ndarray, value: int) -> np.ndarray:
    """Divide the generating function by ``(1 + x t^value)``: the subsets of the others."""
    e = f.copy()
    top = f.shape[1] - 1
    for j in range(1, f.shape[0]):
        e[j, value:] = f[j, value:] - e[j - 1, : top + 1 - value]
    # Subtraction of large counts can leave tiny negative rounding where the true count is 0.
    np.maximum(e, 0.0, out=e)
    return e


def _fdr_cutoffs(p: np.ndarray) -> dict[float, float]:
    import esda

    return {alpha: float(esda.fdr(p, alpha)) for alpha in ALPHAS}


def _classes(z: np.ndarray, p: np.ndarray, cutoffs: Mapping[float, float]) -> np.ndarray:
    classes = np.full(len(z), "not_significant", dtype=object)
    # From the loosest level to the strictest, so the strictest level a unit passes wins.
    for alpha in sorted(ALPHAS, reverse=True):
        passed = p < cutoffs[alpha]
        level = round(100 * (1 - alpha))
        classes[passed & (z > 0)] = f"hot_{level}"
        classes[passed & (z < 0)] = f"cold_{level}"
    return classes


def _check_values(values: np.ndarray) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise coded_error(ClusterError, "hotspot.bad_values", count=np.size(values)) from None
    if array.ndim != 1:
        raise coded_error(ClusterError, "hotspot.bad_values", count=array.size)
    bad = int((~np.isfinite(array) | (array < 0)).sum())
    if bad:
        raise coded_error(ClusterError, "hotspot.bad_values", count=bad)
    return array


def _check_adjacency(adjacency: sp.sparray | sp.spmatrix | np.ndarray, n: int) -> sp.csr_array:
    try:
        matrix = sp.csr_array(adjacency, dtype=float)
    except (TypeError, ValueError):
        raise coded_error(ClusterError, "hotspot.bad_adjacency", n=n, shape="?") from None
    if matrix.shape != (n, n):
        raise coded_error(ClusterError, "hotspot.bad_adjacency", n=n, shape=f"{matrix.shape}")
    matrix = sp.csr_array((matrix != 0).astype(float))
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    if (matrix != matrix.T).nnz:
        raise coded_error(ClusterError, "hotspot.bad_adjacency", n=n, shape=f"{matrix.shape}")
    return matrix


def _check_options(alpha: float, permutations: int, seed: int, inference: str) -> None:
    if alpha not in ALPHAS:
        allowed = ", ".join(f"{a:g}" for a in ALPHAS)
        raise coded_error(ClusterError, "hotspot.bad_alpha", value=repr(alpha), allowed=allowed)
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, numbers.Integral)
        or not MIN_PERMUTATIONS <= permutations <= MAX_PERMUTATIONS
    ):
        raise coded_error(
            ClusterError,
            "hotspot.bad_permutations",
            value=repr(permutations),
            minimum=MIN_PERMUTATIONS,
            maximum=MAX_PERMUTATIONS,
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise coded_error(ClusterError, "hotspot.bad_seed", value=repr(seed))
    if inference not in INFERENCE_METHODS:
        raise coded_error(
            ClusterError,
            "hotspot.unknown_inference",
            method=repr(inference),
            methods=", ".join(INFERENCE_METHODS),
        )


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    values.setflags(write=False)
    return values
