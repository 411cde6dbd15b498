"""The reduced maximal covering model and its solvers: lazy greedy, Lagrangian bound, swaps, HiGHS.

Internal to :func:`hotspots.analysis.siting.maximal_coverage`, which checks the input and whose
module docstring states the model and the methods. Here the model is already reduced: rows are
groups of demand points reached by the same free candidates (weight = their sum), columns are the
free candidates that no other candidate dominates.

The Lagrangian bound relaxes the coverage rows ``y_g ≤ Σ_j a_gj x_j`` with multipliers
``λ_g ≥ 0``::

    L(λ) = Σ_g max(0, W_g - λ_g) + (sum of the k largest column scores s_j = Σ_g a_gj λ_g)

Every ``λ ≥ 0`` gives a proven upper bound on the optimum (weak duality), and the best over
``λ`` equals the LP relaxation's bound. A few hundred subgradient steps (one sparse product each)
come close to it, far faster than solving the LP. The ``k`` best-scoring columns of each step
are also a feasible answer (the Lagrangian heuristic). Forcing column ``j`` in gives the bound
``L_j = L - (k-th largest score) + s_j``; a column with ``L_j`` below the best answer known
(below it plus 1 when the weights are whole numbers) cannot be in a better answer, and is left
out of the integer programme.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import highspy
import numpy as np
import scipy.sparse as sp

# Weight differences below this are rounding, not coverage (relative to the total weight).
RELATIVE_TOLERANCE: Final = 1e-9
# Subgradient steps of the Lagrangian bound, at most (a time budget may stop it sooner).
_LAGRANGE_STEPS: Final = 500
# Steps without a better bound before the step size is halved.
_LAGRANGE_PATIENCE: Final = 10


@dataclass(frozen=True)
class Answer:
    """A choice of reduced columns, in the order of their marginal gain, and what is proven of it."""

    columns: tuple[int, ...]
    gains: tuple[float, ...]
    value: float
    bound: float
    method: Literal["exact", "greedy"]
    optimal: bool


@dataclass(frozen=True, eq=False)
class Dual:
    """The best Lagrangian bound found, its multipliers, and the best answer its steps met."""

    bound: float
    multipliers: np.ndarray
    columns: tuple[int, ...]
    value: float


class CoverageModel:
    """The reduced maximal covering model: demand groups × useful free candidates."""

    def __init__(
        self,
        reach: sp.csc_array,
        weights: np.ndarray,
        fixed: np.ndarray,
        groups: sp.csc_array,
        group_weights: np.ndarray,
        columns: np.ndarray,
    ) -> None:
        self.reach = reach
        self.weights = weights
        self.fixed = fixed
        self.covered_fixed = (reach[:, fixed] @ np.ones(len(fixed), dtype=np.int64)) > 0
        self.fixed_weight = float(weights[self.covered_fixed].sum())
        self.total = float(weights.sum())
        self.groups = groups
        self.by_column = sp.csr_array(groups.T)
        self.group_weights = group_weights
        self.columns = columns
        self.tolerance = RELATIVE_TOLERANCE * max(self.total, 1.0)
        # With whole-number weights no answer lies strictly between two whole numbers.
        self.step = 1.0 if np.array_equal(group_weights, np.round(group_weights)) else 0.0

    @classmethod
    def build(cls, reach: sp.csr_array, weights: np.ndarray, fixed: np.ndarray) -> CoverageModel:
        """Reduce the problem: drop covered or unreachable demand, merge rows, drop dominated columns."""
        m = reach.shape[1]
        is_fixed = np.zeros(m, dtype=bool)
        is_fixed[fixed] = True
        covered_fixed = (reach @ is_fixed.astype(np.int64)) > 0
        free = np.flatnonzero(~is_fixed)
        reached = (reach @ (~is_fixed).astype(np.int64)) > 0
        rows = np.flatnonzero(~covered_fixed & reached & (weights > 0))
        sub = reach[rows][:, free]
        group_of, first = identical_rows(sub)
        group_weights = np.bincount(group_of, weights=weights[rows], minlength=len(first))
        grouped = sub[first]
        keep = undominated(grouped)
        return cls(reach.tocsc(), weights, fixed, sp.csc_array(grouped[:, keep]), group_weights, free[keep])

    def proven(self, value: float, bound: float) -> bool:
        """Whether ``bound`` proves that no answer beats ``value``."""
        gap = bound - value
        return gap <= self.tolerance or (self.step > 0 and gap < self.step - self.tolerance)

    def rounded(self, bound: float) -> float:
        """Round ``bound`` down to a whole number when the weights are whole numbers."""
        return math.floor(bound + self.tolerance) if self.step else bound

    def greedy(self, k: int) -> Answer:
        """Lazy greedy over the reduced columns, with the submodularity upper bound."""
        ptr, idx, w = self.groups.indptr, self.groups.indices, self.group_weights.copy()
        heap = [(-g, c) for c, g in enumerate((self.by_column @ w).tolist())]
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
        return self._answer(columns, gains, self.rounded(bound), "greedy")

    def improve(self, start: Answer, k: int, budget_s: float) -> tuple[Answer, Dual]:
        """Tighten the bound (Lagrangian) and improve the answer (Lagrangian heuristic, then swaps)."""
        dual = self.lagrangian(k, start.value, 0.6 * budget_s)
        # Swaps from the greedy answer and from the Lagrangian one end in different places: keep the best.
        tried = [
            self.order(self.interchange(seed, 0.2 * budget_s), k) for seed in (start.columns, dual.columns)
        ]
        columns, gains = max(tried, key=lambda answer: sum(answer[1]))
        bound = min(start.bound, self.rounded(dual.bound))
        return self._answer(columns, gains, bound, "greedy"), dual

    def lagrangian(self, k: int, lower: float, budget_s: float) -> Dual:
        """Subgradient descent on the Lagrangian bound (Polyak steps towards the best answer known)."""
        w = self.group_weights
        multipliers = w.copy()  # the first bound is the sum of the k heaviest columns
        best = Dual(math.inf, multipliers, (), -math.inf)
        scale, stall = 2.0, 0
        deadline = time.perf_counter() + budget_s
        for _ in range(_LAGRANGE_STEPS):
            scores = self.by_column @ multipliers
            top = _top(scores, k)
            bound = float(np.maximum(w - multipliers, 0.0).sum() + scores[top].sum())
            x = np.zeros(len(scores))
            x[top] = 1.0
            count = self.groups @ x
            value = float(w[count > 0].sum())
            if value > best.value:
                best = Dual(best.bound, best.multipliers, tuple(int(c) for c in top), value)
            if bound < best.bound - self.tolerance:
                best = Dual(bound, multipliers, best.columns, best.value)
                stall = 0
            else:
                stall += 1
                if stall >= _LAGRANGE_PATIENCE:
                    scale, stall = scale / 2, 0
            target = max(lower, best.value)
            direction = count - (w > multipliers)
            norm = float(direction @ direction)
            if norm == 0 or self.proven(target, best.bound) or time.perf_counter() > deadline:
                break
            multipliers = np.maximum(0.0, multipliers - scale * (bound - target) / norm * direction)
        return best

    def interchange(self, columns: Sequence[int], budget_s: float) -> tuple[int, ...]:
        """Swap one chosen column for another while that covers more (Teitz and Bart's interchange)."""
        groups, w = self.groups, self.group_weights
        ptr, idx = groups.indptr, groups.indices
        chosen = np.zeros(groups.shape[1], dtype=bool)
        chosen[list(columns)] = True
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
                gains = self.by_column @ open_weight
                gains[chosen] = -np.inf
                best = int(np.argmax(gains))
                if gains[best] - w[only].sum() > self.tolerance:
                    chosen[out], chosen[best] = False, True
                    count[rows] -= 1
                    count[idx[ptr[best] : ptr[best + 1]]] += 1
                    improved = True
        return tuple(int(c) for c in np.flatnonzero(chosen))

    def exact(self, k: int, time_limit_s: float | None, *, start: Answer, dual: Dual | None) -> Answer:
        """Solve the integer programme with HiGHS, without the columns the Lagrangian bound rules out."""
        keep = np.arange(self.groups.shape[1])
        ruled_out = -math.inf
        if dual is not None:
            forced = self._forced_bounds(dual.multipliers, k)
            kept = forced >= start.value + self.step - self.tolerance
            keep = np.flatnonzero(kept)
            ruled_out = float(forced[~kept].max()) if (~kept).any() else -math.inf
        sub = sp.csr_array(self.groups[:, keep])
        rows = np.diff(sub.indptr) > 0
        position = {int(c): i for i, c in enumerate(keep)}
        warm = [position[c] for c in start.columns] if all(c in position for c in start.columns) else None
        picked, optimal, dual_bound = solve_mip(
            sp.csc_array(sub[rows]), self.group_weights[rows], k, warm, time_limit_s
        )
        columns, gains = self.order(keep[picked], k)
        value = float(sum(gains))
        if value < start.value:
            columns, gains, value = start.columns, start.gains, start.value
        # An answer using a ruled-out column is worth at most ``ruled_out``, which is below ``start``'s.
        bound = value if optimal else max(value, min(start.bound, max(dual_bound, ruled_out)))
        return Answer(tuple(columns), tuple(gains), value, bound, "exact", optimal)

    def finish(self, columns: Sequence[int], gains: Sequence[float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Map reduced columns to candidates and top up to ``k`` sites with free ones adding nothing."""
        sites = [int(self.columns[c]) for c in columns]
        taken = set(sites) | set(self.fixed.tolist())
        spare = (j for j in range(self.reach.shape[1]) if j not in taken)
        while len(sites) < k:
            sites.append(next(spare))
        return np.asarray(sites, dtype=np.int64), np.concatenate([gains, np.zeros(k - len(gains))])

    def order(self, chosen: Sequence[int] | np.ndarray, k: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
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
            scores_all = self.by_column @ w
            scores_all[columns] = -1.0
            best = int(np.argmax(scores_all))
            if scores_all[best] <= self.tolerance:
                break
            columns.append(best)
            gains.append(float(scores_all[best]))
            w[idx[ptr[best] : ptr[best + 1]]] = 0.0
        return tuple(columns), tuple(gains)

    def _answer(
        self, columns: Sequence[int], gains: Sequence[float], bound: float, method: Literal["exact", "greedy"]
    ) -> Answer:
        value = float(sum(gains))
        optimal = len(columns) == self.groups.shape[1] or self.proven(value, bound)
        return Answer(
            tuple(columns), tuple(gains), value, value if optimal else max(bound, value), method, optimal
        )

    def _bound(self, remaining: np.ndarray, value: float, k: int) -> float:
        """Covered weight plus the ``k`` largest marginal gains: no ``k`` more sites can do better."""
        gains = self.by_column @ remaining
        return value + float(gains[_top(gains, k)].sum())

    def _forced_bounds(self, multipliers: np.ndarray, k: int) -> np.ndarray:
        """For each column, the Lagrangian bound on every answer that includes it."""
        scores = self.by_column @ multipliers
        top = _top(scores, k)
        bound = float(np.maximum(self.group_weights - multipliers, 0.0).sum() + scores[top].sum())
        kth = float(scores[top].min()) if len(top) == k else 0.0
        forced = bound - kth + scores
        forced[top] = bound
        return forced


def solve_mip(
    groups: sp.csc_array, weights: np.ndarray, k: int, warm: Sequence[int] | None, time_limit_s: float | None
) -> tuple[np.ndarray, bool, float]:
    """Solve ``max Σ W_g y_g, y_g ≤ Σ_j a_gj x_j, Σ x_j ≤ k`` with HiGHS: columns, optimal, bound."""
    n_groups, n_cols = groups.shape
    if n_groups == 0 or n_cols == 0:
        return np.zeros(0, dtype=np.int64), True, 0.0
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
    lp.col_cost_ = np.concatenate([np.zeros(n_cols), weights])
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.ones(lp.num_col_)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(n_groups), [float(k)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer] * n_cols + [continuous] * n_groups
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("threads", 1)
    if time_limit_s is not None:
        solver.setOptionValue("time_limit", float(time_limit_s))
    solver.passModel(lp)
    if warm is not None:
        x = np.zeros(n_cols)
        x[list(warm)] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = np.concatenate([x, np.minimum(1.0, groups @ x)]).tolist()
        solution.value_valid = True
        solver.setSolution(solution)
    solver.run()
    values = np.asarray(solver.getSolution().col_value[:n_cols])
    picked = np.flatnonzero(values > 0.5) if len(values) == n_cols else np.zeros(0, dtype=np.int64)
    optimal = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    bound = float(solver.getInfo().mip_dual_bound)
    return picked, optimal, bound if math.isfinite(bound) else math.inf


def identical_rows(matrix: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Group rows with the same stored columns: (group of each row, first row of each group)."""
    matrix = sp.csr_array(matrix)
    matrix.sort_indices()
    ptr, idx = matrix.indptr, matrix.indices.astype(np.int64)
    seen: dict[bytes, int] = {}
    group_of = np.empty(matrix.shape[0], dtype=np.int64)
    first: list[int] = []
    for row in range(matrix.shape[0]):
        group = seen.setdefault(idx[ptr[row] : ptr[row + 1]].tobytes(), len(first))
        if group == len(first):
            first.append(row)
        group_of[row] = group
    return group_of, np.asarray(first, dtype=np.int64)


def undominated(matrix: sp.csr_array) -> np.ndarray:
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


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the indices of the ``k`` largest positive scores (fewer when fewer are positive)."""
    top = np.arange(len(scores)) if len(scores) <= k else np.argpartition(scores, len(scores) - k)[-k:]
    return top[scores[top] > 0]
