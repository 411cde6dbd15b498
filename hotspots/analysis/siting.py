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
``"exact"``
    The reduced model solved by HiGHS (``highspy``) to a proven optimum (relative gap 0), warm
    started with the greedy answer improved by one-for-one swaps (Teitz and Bart's interchange).
    Under a time limit it stops with its best answer and the MIP dual bound, so the gap is known.
    When the greedy answer already meets its own upper bound, it is proven optimal and the
    solver is not called.
``"greedy"``
    Lazy greedy (a heap of stale gains, Minoux's accelerated greedy): always at least
    ``1 - 1/e ≈ 63 %`` of the optimum, in practice within a few per cent. Its upper bound is
    the submodularity bound of Nemhauser, Wolsey and Fisher, not the LP relaxation (which takes
    longer than the greedy itself on large instances): after any step, no ``k`` sites cover more
    than the weight covered so far plus the ``k`` largest marginal gains left. It is taken at
    every step from the stale gains in the heap (which over-estimate the true ones, so the
    bound stays valid) and, at steps 1, 2, 4, 8… and ``k``, from all exact gains (one sparse
    product). It is looser than the LP relaxation: read the gap as "at most".
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
import heapq
import math
import numbers
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import highspy
import numpy as np
import scipy.sparse as sp

from hotspots.errors import Problem, SitingError
from hotspots.i18n import coded_error, make_problem

SitingMethod = Literal["auto", "exact", "greedy"]
#: Methods accepted by :func:`maximal_coverage`.
SITING_METHODS: Final = ("auto", "exact", "greedy")
#: Time limit of the exact solver when ``method="auto"`` and no limit is given, in seconds.
DEFAULT_TIME_LIMIT_S: Final = 10.0
# Weight differences below this are rounding, not coverage (relative to the total weight).
_RELATIVE_TOLERANCE: Final = 1e-9
# The exact solver starts from the greedy answer improved by swaps, for at most this long...
_INTERCHANGE_MAX_S: Final = 2.0
# ... and at most this share of the time limit.
_INTERCHANGE_SHARE: Final = 0.2


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
        the time limit); ``"greedy"``: the greedy answer (asked for, or ``"auto"``'s fallback
        when the solver found nothing better in time).
    optimal
        Whether ``chosen`` is proven optimal: the solver finished, or the greedy answer met its
        own upper bound (then the solver is not needed; the method reads ``"exact"`` unless
        ``"greedy"`` was asked for).
    upper_bound
        A proven upper bound on the best total weight any ``k`` new sites could cover:
        the optimum when proven, else the smallest of the MIP dual bound, the submodularity
        bound of the greedy and the weight within reach of any site.
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
        reached = np.flatnonzero(self.shares >= share - _RELATIVE_TOLERANCE)
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
    model = _Model.build(reach, w, fixed_idx)
    greedy = model.greedy(k)
    if method == "greedy":
        answer = greedy
    elif greedy.optimal:
        # The greedy answer meets a proven bound: the exact method would return the same weight.
        answer = dataclasses.replace(greedy, method="exact")
    else:
        spent = time.perf_counter() - started
        polish = _INTERCHANGE_SHARE * (limit - spent) if limit is not None else _INTERCHANGE_MAX_S
        start = model.interchange(greedy, min(_INTERCHANGE_MAX_S, polish))
        remaining = None if limit is None else max(0.0, limit - (time.perf_counter() - started))
        answer = model.exact(k, remaining, start=start)
        if method == "auto" and not answer.optimal and greedy.value >= answer.value:
            answer = dataclasses.replace(greedy, bound=min(greedy.bound, answer.bound))
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
    model = _Model.build(reach, w, fixed_idx)
    greedy = model.greedy(k_max)
    sites, gains = model.finish(greedy.columns, greedy.gains, k_max)
    covered = model.fixed_weight + np.concatenate([[0.0], np.cumsum(gains)])
    return CoverageCurve(sites=_frozen(sites), covered_weight=_frozen(covered), total_weight=model.total)


@dataclass(frozen=True)
class _Answer:
    """A choice among the reduced model's columns, before it is topped up to ``k`` sites."""

    columns: tuple[int, ...]
    gains: tuple[float, ...]
    value: float
    bound: float
    method: Literal["exact", "greedy"]
    optimal: bool


class _Model:
    """The reduced maximal covering model: demand groups × useful free candidates."""

    def __init__(
        self,
        reach: sp.csc_array,
        weights: np.ndarray,
        fixed: np.ndarray,
        covered_fixed: np.ndarray,
        groups: sp.csc_array,
        group_weights: np.ndarray,
        columns: np.ndarray,
    ) -> None:
        self.reach = reach
        self.weights = weights
        self.fixed = fixed
        self.covered_fixed = covered_fixed
        self.fixed_weight = float(weights[covered_fixed].sum())
        self.total = float(weights.sum())
        self.groups = groups
        self.group_weights = group_weights
        self.columns = columns
        self.tolerance = _RELATIVE_TOLERANCE * max(self.total, 1.0)

    @classmethod
    def build(cls, reach: sp.csr_array, weights: np.ndarray, fixed: np.ndarray) -> _Model:
        m = reach.shape[1]
        is_fixed = np.zeros(m, dtype=bool)
        is_fixed[fixed] = True
        covered_fixed = (reach @ is_fixed.astype(np.int64)) > 0
        free = np.flatnonzero(~is_fixed)
        reached = (reach @ (~is_fixed).astype(np.int64)) > 0
        rows = np.flatnonzero(~covered_fixed & reached & (weights > 0))
        sub = reach[rows][:, free]
        group_of, first = _identical_rows(sub)
        group_weights = np.bincount(group_of, weights=weights[rows], minlength=len(first))
        grouped = sub[first]
        keep = _undominated(grouped)
        groups = sp.csc_array(grouped[:, keep])
        return cls(reach.tocsc(), weights, fixed, covered_fixed, groups, group_weights, free[keep])

    def greedy(self, k: int) -> _Answer:
        """Lazy greedy over the reduced columns, with the submodularity upper bound."""
        ptr, idx, w = self.groups.indptr, self.groups.indices, self.group_weights.copy()
        gains0 = self.groups.T @ w
        heap = [(-g, c) for c, g in enumerate(gains0.tolist())]
        heapq.heapify(heap)
        columns: list[int] = []
        gains: list[float] = []
        value = 0.0
        bound = self._bound(w, 0.0, k)
        while heap and len(columns) < k:
            _, c = heapq.heappop(heap)
            gain = float(w[idx[ptr[c] : ptr[c + 1]]].sum())
            if heap and gain < -heap[0][0]:
                heapq.heappush(heap, (-gain, c))
                continue
            # The other columns' true gains are at most their stale keys: a valid, free bound.
            rest = heapq.nsmallest(k - 1, heap)
            bound = min(bound, value + gain - sum(key for key, _ in rest))
            columns.append(c)
            gains.append(gain)
            value += gain
            w[idx[ptr[c] : ptr[c + 1]]] = 0.0
            if len(columns) & (len(columns) - 1) == 0 or len(columns) == k:
                bound = min(bound, self._bound(w, value, k))  # exact gains, at steps 1, 2, 4, 8... and k
        optimal = len(columns) == self.groups.shape[1] or value >= bound - self.tolerance
        return _Answer(tuple(columns), tuple(gains), value, max(bound, value), "greedy", optimal)

    def interchange(self, start: _Answer, budget_s: float) -> _Answer:
        """Improve ``start`` by swapping one site for another while that gains weight (Teitz and Bart)."""
        groups, w, by_row = self.groups, self.group_weights, sp.csr_array(self.groups.T)
        ptr, idx = groups.indptr, groups.indices
        chosen = np.zeros(groups.shape[1], dtype=bool)
        chosen[list(start.columns)] = True
        count = groups @ chosen.astype(np.int64)
        deadline = time.perf_counter() + budget_s
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            for out in np.flatnonzero(chosen):
                rows = idx[ptr[out] : ptr[out + 1]]
                only = rows[count[rows] == 1]
                # What each column would cover if ``out`` closed: the uncovered and ``out``'s own.
                open_weight = np.where(count == 0, w, 0.0)
                open_weight[only] = w[only]
                gains = by_row @ open_weight
                gains[chosen] = -np.inf
                best = int(np.argmax(gains))
                if gains[best] - w[only].sum() > self.tolerance:
                    chosen[out], chosen[best] = False, True
                    count[rows] -= 1
                    count[idx[ptr[best] : ptr[best + 1]]] += 1
                    improved = True
        columns, gains_ = self._order(np.flatnonzero(chosen), len(start.columns))
        return _Answer(columns, gains_, float(sum(gains_)), start.bound, "greedy", False)

    def exact(self, k: int, time_limit_s: float | None, *, start: _Answer) -> _Answer:
        """Solve the reduced integer programme with HiGHS, warm started with ``start``."""
        groups, w = self.groups, self.group_weights
        n_groups, n_cols = groups.shape
        matrix = sp.vstack(
            [
                sp.hstack([-groups, sp.eye_array(n_groups, format="csc")]),
                sp.hstack([sp.csc_array(np.ones((1, n_cols))), sp.csc_array((1, n_groups))]),
            ],
            format="csc",
        )
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols + n_groups
        lp.num_row_ = n_groups + 1
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = np.concatenate([np.zeros(n_cols), w])
        lp.col_lower_ = np.zeros(lp.num_col_)
        lp.col_upper_ = np.ones(lp.num_col_)
        lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
        lp.row_upper_ = np.concatenate([np.zeros(n_groups), [float(k)]])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols + [
            highspy.HighsVarType.kContinuous
        ] * n_groups
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("mip_rel_gap", 0.0)
        solver.setOptionValue("threads", 1)
        if time_limit_s is not None:
            solver.setOptionValue("time_limit", float(time_limit_s))
        solver.passModel(lp)
        solver.setSolution(self._solution(start.columns))
        solver.run()
        info = solver.getInfo()
        status = solver.getModelStatus()
        x = np.asarray(solver.getSolution().col_value[:n_cols])
        chosen = np.flatnonzero(x > 0.5) if len(x) == n_cols else np.asarray(start.columns)
        columns, gains = self._order(chosen, k)
        value = float(sum(gains))
        dual = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else start.bound
        optimal = status == highspy.HighsModelStatus.kOptimal
        bound = value if optimal else max(value, min(dual, start.bound))
        return _Answer(columns, gains, value, bound, "exact", optimal)

    def finish(self, columns: Sequence[int], gains: Sequence[float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Map reduced columns to candidates and top up to ``k`` sites with free ones adding nothing."""
        sites = [int(self.columns[c]) for c in columns]
        taken = set(sites) | set(self.fixed.tolist())
        spare = (j for j in range(self.reach.shape[1]) if j not in taken)
        while len(sites) < k:
            sites.append(next(spare))
        return np.asarray(sites, dtype=np.int64), np.concatenate([gains, np.zeros(k - len(gains))])

    def _bound(self, remaining: np.ndarray, value: float, k: int) -> float:
        """Covered weight plus the ``k`` largest marginal gains: no ``k`` more sites can do better."""
        gains = self.groups.T @ remaining
        top = gains if len(gains) <= k else np.partition(gains, len(gains) - k)[len(gains) - k :]
        return value + float(top.sum())

    def _order(self, chosen: np.ndarray, k: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """Order chosen columns by marginal gain (best first, ties by index); top up to ``k`` greedily.

        Topping up matters only for a solver answer cut short with fewer than ``k`` sites.
        """
        ptr, idx, w = self.groups.indptr, self.groups.indices, self.group_weights.copy()
        left = sorted(int(c) for c in chosen)
        columns: list[int] = []
        gains: list[float] = []
        while left:
            scores = [float(w[idx[ptr[c] : ptr[c + 1]]].sum()) for c in left]
            best = int(np.argmax(scores))
            columns.append(left.pop(best))
            gains.append(scores[best])
            w[idx[ptr[columns[-1]] : ptr[columns[-1] + 1]]] = 0.0
        while len(columns) < min(k, self.groups.shape[1]):
            scores_all = self.groups.T @ w
            scores_all[columns] = -1.0
            best = int(np.argmax(scores_all))
            if scores_all[best] <= self.tolerance:
                break
            columns.append(best)
            gains.append(float(scores_all[best]))
            w[idx[ptr[best] : ptr[best + 1]]] = 0.0
        return tuple(columns), tuple(gains)

    def _solution(self, columns: Sequence[int]) -> highspy.HighsSolution:
        x = np.zeros(self.groups.shape[1])
        x[list(columns)] = 1.0
        y = np.minimum(1.0, self.groups @ x)
        solution = highspy.HighsSolution()
        solution.col_value = np.concatenate([x, y]).tolist()
        solution.value_valid = True
        return solution


def _result(
    model: _Model, answer: _Answer, method: str, limit: float | None, started: float, k: int
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


def _identical_rows(matrix: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Group rows with the same stored columns: (group of each row, first row of each group)."""
    matrix = sp.csr_array(matrix)
    matrix.sort_indices()
    ptr, idx = matrix.indptr, matrix.indices.astype(np.int64)
    seen: dict[bytes, int] = {}
    group_of = np.empty(matrix.shape[0], dtype=np.int64)
    first: list[int] = []
    for row in range(matrix.shape[0]):
        key = idx[ptr[row] : ptr[row + 1]].tobytes()
        group = seen.setdefault(key, len(first))
        if group == len(first):
            first.append(row)
        group_of[row] = group
    return group_of, np.asarray(first, dtype=np.int64)


def _undominated(matrix: sp.csr_array) -> np.ndarray:
    """Columns that reach something no other column reaches a superset of (ties keep the lowest index)."""
    binary = sp.csc_array(matrix, dtype=np.int64)
    binary.data[:] = 1
    counts = np.diff(binary.indptr)
    useful = counts > 0
    overlap = sp.coo_array(binary.T @ binary)
    i, j, shared = overlap.row, overlap.col, overlap.data
    inside = (i != j) & (shared == counts[i]) & ((counts[j] > counts[i]) | (j < i))
    useful[i[inside]] = False
    return np.flatnonzero(useful)


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
