"""Maximal covering location: choose new sites that cover the most weighted demand within a radius.

The pure core of siting, numpy in and out, no geometry (the map layers are handled by
:mod:`hotspots.analysis.siting_layers`). Given the distances from ``n`` demand points to ``m``
candidate sites, the weight of each demand point, a radius and the candidates already open
(``fixed``), :func:`maximal_coverage` chooses ``k`` new sites that maximise the weight covered.
A demand point is *covered* when some open or chosen site is within reach: distance ≤ radius.

The integer programme (Church and ReVelle's maximal covering location problem), with
``N(i)`` the candidates within reach of demand point ``i`` and ``F`` the fixed sites::

    maximise    Σ_i w_i y_i
    subject to  y_i ≤ Σ_{j ∈ N(i)} x_j      for every demand point i
                Σ_{j ∉ F} x_j = k,   x_j = 1 for j ∈ F
                x_j ∈ {0, 1},   0 ≤ y_i ≤ 1

Before it is solved the model is reduced, which does not change the optimum:
demand covered by a fixed site is counted and removed, as is demand no free candidate reaches
and demand of weight 0; demand points reached by the same candidates become one row with the
sum of their weights; a candidate whose reach is contained in another's (or equal to it, the
lower index kept) is dropped, and ``Σ x_j = k`` becomes ``≤ k`` (an optimum never needs a
dominated site; the answer is topped up to ``k`` sites afterwards). ``y`` stays continuous: with
``x`` integral an optimal ``y_i`` is ``min(1, Σ x_j)``, integral too.

Methods
-------
All three start with the lazy greedy (a heap of stale gains, Minoux's accelerated greedy), which
covers at least ``1 - 1/e ≈ 63 %`` of the optimum, and with its submodularity bound (Nemhauser,
Wolsey and Fisher: after any step, no ``k`` sites cover more than the weight covered so far plus
the ``k`` largest marginal gains left). Unless that already proves the greedy answer optimal, a
Lagrangian relaxation of the coverage rows follows (:mod:`hotspots.analysis.siting_solver`): a
few hundred subgradient steps give a bound close to the LP relaxation's at a fraction of the cost
of solving the LP, and candidate answers; the greedy answer and the best Lagrangian one are then
improved by one-for-one swaps (Teitz and Bart's interchange) and the better kept. That takes at
most 2 seconds (and at most 30 % of the time left under a time limit).

``"greedy"``
    Returns that answer (never worse than the lazy greedy's) with the smaller of the two bounds.
    No solver: on 100,000 points × 1,000 candidates it takes a few seconds, distances included.
``"exact"``
    When the answer meets the bound (below it plus 1 when weights are whole numbers), it is
    proven optimal and returned. Otherwise the candidates that the Lagrangian bound proves cannot
    be part of a better answer are left out, and the integer programme over the rest is solved by
    HiGHS (``highspy``, one thread, relative gap 0), warm started with the best answer. Under a
    time limit it stops with its best answer and the MIP dual bound, so the gap is known.
``"auto"`` (default)
    ``"exact"`` under a time limit (:data:`DEFAULT_TIME_LIMIT_S` unless given); when the
    optimum is not proven in time, the better of the solver's best answer and the greedy
    answer is returned with ``fell_back=True`` and a coded notice saying so.

Distances may be a dense array or a ``scipy.sparse`` matrix holding only the pairs within
reach. In a sparse matrix a pair that is not stored is out of reach and every stored entry is
a distance: **a stored explicit 0 is a distance of 0, within reach** (a demand point sitting on
a candidate). Build such a matrix from coordinates (``scipy.sparse.coo_array((d, (i, j)))``,
or ``cKDTree.sparse_distance_matrix(..., output_type="ndarray")``): scipy's arithmetic and
``eliminate_zeros`` drop explicit zeros. NaN and infinite distances are out of reach.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import scipy.sparse as sp

from hotspots.analysis.siting_solver import RELATIVE_TOLERANCE, Answer, CoverageModel
from hotspots.errors import Problem, SitingError
from hotspots.i18n import coded_error, make_problem

SitingMethod = Literal["auto", "exact", "greedy"]
#: Methods accepted by :func:`maximal_coverage`.
SITING_METHODS: Final = ("auto", "exact", "greedy")
#: Time limit of the exact solver when ``method="auto"`` and no limit is given, in seconds.
DEFAULT_TIME_LIMIT_S: Final = 10.0
# Lagrangian bound and swaps before the exact solver (or as the greedy's polish): at most this long...
_HEURISTIC_MAX_S: Final = 2.0
# ... and at most this share of the time left.
_HEURISTIC_SHARE: Final = 0.3


@dataclass(frozen=True, eq=False)
class SitingResult:
    """The sites chosen by :func:`maximal_coverage` and how good the choice is proven to be.

    Attributes
    ----------
    chosen
        Indices of the ``k`` new sites (columns of ``cost``), distinct, none of them fixed, in
        the order of their marginal gain: each adds the most weight given the fixed sites and
        those before it. Sites that add nothing come last, lowest index first.
    gains
        Weight newly covered by each chosen site, in that order (sums to ``objective`` minus
        ``fixed_weight``).
    objective
        Total weight covered by the fixed and the chosen sites.
    fixed_weight
        Weight covered by the fixed sites alone (``objective`` when ``k`` sites add nothing).
    total_weight
        Weight of every demand point, covered or not.
    covered
        Whether each demand point is covered, fixed sites included.
    method
        ``"exact"``: the exact method's answer (optimal when ``optimal``, else its best answer at
        the time limit); ``"greedy"``: the greedy method's answer (asked for, or ``"auto"``'s
        fallback when the solver found nothing better in time).
    optimal
        Whether ``chosen`` is proven optimal: the solver finished, or the answer met an upper
        bound (then the solver is not needed; the method reads ``"exact"`` unless ``"greedy"``
        was asked for).
    upper_bound
        A proven upper bound on the best total weight any ``k`` new sites could cover: the
        optimum when proven, else the smallest of the greedy's submodularity bound, the
        Lagrangian bound and the MIP dual bound (rounded down when weights are whole numbers).
    seconds
        Wall-clock time of the whole call.
    fell_back
        ``True`` when ``method="auto"`` could not prove the optimum within the time limit.
    notice
        A coded warning for the user when ``optimal`` is false (time limit reached, greedy
        used); ``None`` otherwise. Render it with :func:`hotspots.i18n.problem_message`.
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    fixed_weight: float
    total_weight: float
    covered: np.ndarray = dataclasses.field(repr=False)
    method: Literal["exact", "greedy"]
    optimal: bool
    upper_bound: float
    seconds: float
    fell_back: bool = False
    notice: Problem | None = None

    @property
    def gap(self) -> float:
        """Relative gap to the upper bound, ``(upper_bound - objective) / upper_bound`` (0 to 1)."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)

    @property
    def share(self) -> float | None:
        """Share (0–1) of the total weight covered; ``None`` when the total weight is 0."""
        return self.objective / self.total_weight if self.total_weight > 0 else None


@dataclass(frozen=True, eq=False)
class CoverageCurve:
    """Weight covered as new sites are added one by one, greedily (see :func:`coverage_curve`).

    Attributes
    ----------
    sites
        The greedy order of new sites (``k_max`` candidate indices).
    covered_weight
        Weight covered with the first ``k`` of them, ``k = 0 … k_max`` (``k_max + 1`` values;
        index 0 is the fixed sites alone).
    total_weight
        Weight of every demand point.
    """

    sites: np.ndarray
    covered_weight: np.ndarray
    total_weight: float

    @property
    def shares(self) -> np.ndarray:
        """Share (0–1) of the total weight covered with ``k = 0 … k_max`` new sites."""
        if self.total_weight <= 0:
            return np.zeros(len(self.covered_weight))
        return self.covered_weight / self.total_weight

    def sites_for(self, share: float) -> int | None:
        """Return the fewest new sites whose greedy choice covers at least ``share`` (0–1).

        ``None`` when even ``k_max`` sites fall short. The greedy may need a site or two more
        than the optimum would, so read the answer as "at most this many".
        """
        reached = np.flatnonzero(self.shares >= share - RELATIVE_TOLERANCE)
        return int(reached[0]) if len(reached) else None


def maximal_coverage(
    cost: np.ndarray | sp.sparray | sp.spmatrix,
    weights: Sequence[float] | np.ndarray,
    *,
    radius: float,
    k: int,
    fixed: Sequence[int] | np.ndarray = (),
    method: SitingMethod = "auto",
    time_limit_s: float | None = None,
) -> SitingResult:
    """Choose ``k`` new sites that maximise the weight of demand covered within ``radius``.

    Parameters
    ----------
    cost
        Distances from each demand point (rows) to each candidate site (columns), in any unit
        (the same as ``radius``): a dense ``(n, m)`` array, or a ``scipy.sparse`` matrix storing
        only pairs within reach (a stored 0 is a distance of 0; see the module docstring).
    weights
        ``n`` finite weights, 0 or more: the value of covering each demand point.
    radius
        Reach of a site: a point is covered when its distance is ≤ ``radius``.
    k
        Number of new sites to choose, 1 or more, at most the number of free candidates.
    fixed
        Indices of candidates already open: they cover, and are not counted in ``k``.
    method
        ``"auto"``, ``"exact"`` or ``"greedy"`` (see the module docstring).
    time_limit_s
        Limit on the exact solver, in seconds, counted from the call. ``None`` means
        :data:`DEFAULT_TIME_LIMIT_S` for ``"auto"`` and no limit for ``"exact"``.

    Returns
    -------
    SitingResult
        Always exactly ``k`` distinct new sites, even when some of them add nothing.

    Raises
    ------
    SitingError
        For a bad ``cost``, ``weights``, ``radius``, ``k``, ``fixed``, ``method`` or time
        limit; the message is coded, so it can be shown in Vietnamese.

    Examples
    --------
    >>> cost = np.array([[0.0, 9.0], [9.0, 0.0], [9.0, 1.0]])
    >>> result = maximal_coverage(cost, [1.0, 1.0, 5.0], radius=2.0, k=1)
    >>> result.chosen.tolist(), result.objective, result.method
    ([1], 6.0, 'exact')
    """
    started = time.perf_counter()
    reach, w, fixed_idx = _checked(cost, weights, radius=radius, k=k, fixed=fixed)
    _check_method(method, time_limit_s)
    limit = time_limit_s if time_limit_s is not None else (DEFAULT_TIME_LIMIT_S if method == "auto" else None)
    model = CoverageModel.build(reach, w, fixed_idx)
    answer, dual = model.greedy(k), None
    if not answer.optimal:
        left = (
            _HEURISTIC_MAX_S
            if limit is None
            else _HEURISTIC_SHARE * (limit - (time.perf_counter() - started))
        )
        answer, dual = model.improve(answer, k, min(_HEURISTIC_MAX_S, left))
    if method != "greedy" and answer.optimal:
        # Proven optimal by a bound: the integer programme would not find more.
        answer = dataclasses.replace(answer, method="exact")
    elif method != "greedy":
        remaining = None if limit is None else max(0.0, limit - (time.perf_counter() - started))
        exact = model.exact(k, remaining, start=answer, dual=dual)
        if method == "auto" and not exact.optimal and answer.value >= exact.value:
            answer = dataclasses.replace(answer, bound=min(answer.bound, exact.bound))
        else:
            answer = exact
    return _result(model, answer, method, limit, started, k)


def coverage_curve(
    cost: np.ndarray | sp.sparray | sp.spmatrix,
    weights: Sequence[float] | np.ndarray,
    *,
    radius: float,
    k_max: int,
    fixed: Sequence[int] | np.ndarray = (),
) -> CoverageCurve:
    """Return the weight covered as ``k`` goes from 0 to ``k_max`` new sites, added greedily.

    Answers "how many new sites for 80 %?" (:meth:`CoverageCurve.sites_for`). The curve is the
    greedy one, for speed: at every ``k`` it is at least ``1 - 1/e`` of the best possible
    coverage, and usually within a few per cent of it.

    Parameters
    ----------
    cost, weights, radius, fixed
        As for :func:`maximal_coverage`.
    k_max
        Longest prefix to compute, 1 or more, at most the number of free candidates.

    Raises
    ------
    SitingError
        For the same bad inputs as :func:`maximal_coverage`.
    """
    reach, w, fixed_idx = _checked(cost, weights, radius=radius, k=k_max, fixed=fixed)
    model = CoverageModel.build(reach, w, fixed_idx)
    greedy = model.greedy(k_max)
    sites, gains = model.finish(greedy.columns, greedy.gains, k_max)
    covered = model.fixed_weight + np.concatenate([[0.0], np.cumsum(gains)])
    return CoverageCurve(sites=_frozen(sites), covered_weight=_frozen(covered), total_weight=model.total)


def _result(
    model: CoverageModel, answer: Answer, method: str, limit: float | None, started: float, k: int
) -> SitingResult:
    sites, gains = model.finish(answer.columns, answer.gains, k)
    covered = model.covered_fixed | ((model.reach[:, sites] @ np.ones(k, dtype=np.int64)) > 0)
    objective = float(model.weights[covered].sum())
    upper = max(objective, model.fixed_weight + answer.bound)
    fell_back = method == "auto" and not answer.optimal
    notice = None
    if not answer.optimal:
        gap = 0.0 if upper <= 0 else max(0.0, (upper - objective) / upper)
        code = "siting.fell_back" if method == "auto" else "siting.not_proven"
        if method == "greedy":
            code = "siting.greedy_gap"
        notice = make_problem(code, severity="warning", seconds=limit or 0.0, gap_percent=100 * gap)
    return SitingResult(
        chosen=_frozen(sites),
        gains=_frozen(gains),
        objective=objective,
        fixed_weight=model.fixed_weight,
        total_weight=model.total,
        covered=_frozen(covered),
        method=answer.method,
        optimal=answer.optimal,
        upper_bound=upper,
        seconds=time.perf_counter() - started,
        fell_back=fell_back,
        notice=notice,
    )


def check_radius(radius: object) -> None:
    """Refuse a radius that is not a finite number, 0 or more (coded :class:`SitingError`)."""
    if (
        isinstance(radius, bool)
        or not isinstance(radius, numbers.Real)
        or not math.isfinite(radius)
        or radius < 0
    ):
        raise coded_error(SitingError, "siting.bad_radius", value=repr(radius))


def _checked(
    cost: object, weights: object, *, radius: object, k: object, fixed: object
) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Check every input; return the 0/1 reach matrix (CSR), the weights and the fixed indices."""
    check_radius(radius)
    reach = _reach(cost, float(radius))
    n, m = reach.shape
    if n == 0:
        raise coded_error(SitingError, "siting.no_demand")
    w = _weights(weights, n)
    fixed_idx = _fixed(fixed, m)
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise coded_error(SitingError, "siting.k_too_small", k=_shown(k))
    free = m - len(fixed_idx)
    if k > free:
        raise coded_error(SitingError, "siting.k_too_large", k=int(k), free=free)
    return reach, w, fixed_idx


def _reach(cost: object, radius: float) -> sp.csr_array:
    """Return the 0/1 matrix of pairs within reach, built without a Python loop over pairs."""
    if sp.issparse(cost):
        coo = sp.coo_array(cost)
        try:
            distances = coo.data.astype(np.float64)
        except (TypeError, ValueError):
            raise coded_error(SitingError, "siting.bad_cost", shape=repr(coo.shape)) from None
        _check_distances(distances)
        keep = distances <= radius
        rows, cols = coo.coords[0][keep], coo.coords[1][keep]
        shape = coo.shape
    else:
        try:
            dense = np.asarray(cost, dtype=np.float64)
        except (TypeError, ValueError):
            raise coded_error(SitingError, "siting.bad_cost", shape=type(cost).__name__) from None
        if dense.ndim != 2:
            raise coded_error(SitingError, "siting.bad_cost", shape=repr(dense.shape))
        _check_distances(dense)
        rows, cols = np.nonzero(dense <= radius)
        shape = dense.shape
    reach = sp.csr_array((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=shape)
    reach.sum_duplicates()
    reach.data[:] = 1
    return reach


def _check_distances(values: np.ndarray) -> None:
    negative = values < 0
    if negative.any():
        raise coded_error(SitingError, "siting.negative_distance", value=float(values[negative].flat[0]))


def _weights(weights: object, n: int) -> np.ndarray:
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise coded_error(SitingError, "siting.weights_not_numbers", points=n) from None
    if w.ndim != 1 or len(w) != n:
        raise coded_error(SitingError, "siting.weights_length", weights=w.size, points=n)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise coded_error(SitingError, "siting.bad_weight", number=where + 1, value=float(w[where]))
    return w


def _fixed(fixed: object, m: int) -> np.ndarray:
    values = np.asarray(fixed if fixed is not None else (), dtype=object).ravel()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < m:
            raise coded_error(SitingError, "siting.fixed_out_of_range", index=_shown(value), last=m - 1)
    return np.unique(values.astype(np.int64))


def _check_method(method: object, time_limit_s: object) -> None:
    if method not in SITING_METHODS:
        raise coded_error(
            SitingError, "siting.unknown_method", method=repr(method), methods=", ".join(SITING_METHODS)
        )
    if time_limit_s is not None and (
        isinstance(time_limit_s, bool)
        or not isinstance(time_limit_s, numbers.Real)
        or not math.isfinite(time_limit_s)
        or time_limit_s <= 0
    ):
        raise coded_error(SitingError, "siting.bad_time_limit", value=repr(time_limit_s))


def _shown(value: object) -> str:
    """Show a value as the user typed it: ``2`` for ``numpy.int64(2)``, ``'x'`` for text."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return repr(float(value))
    return repr(value)


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    values.setflags(write=False)
    return values
