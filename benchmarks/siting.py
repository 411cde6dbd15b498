"""Benchmark: maximal coverage siting, our exact and greedy methods against PySAL spopt's MCLP.

Run on demand: ``.venv/bin/python benchmarks/siting.py [--repeats 3] [--skip-spopt] [--only NAME ...]``

Instances
    * ``sample``: the shipped sample, 891 active risk points, every candidate kind (40 swimming
      classes open, commune centres, play spaces, points near venues, a 1 km grid), k = 5, 3 km.
    * ``uniform-1%``, ``uniform-3%``, ``clustered-1%``, ``clustered-3%``: 20,000 points × 300
      candidates, k = 20, in a 100 km square; points uniform or in 40 Gaussian clusters (σ = 3 km,
      candidates beside random points); the radius is set so that a candidate reaches about 1 % or
      3 % of the points on average; weights 1, 2 or 3.
    * ``country``: 100,000 × 1,000 uniform, 1 %, k = 50: greedy with its bound, and the exact
      method under a time limit (``--country-limit``) reporting its gap. No spopt: its dense
      matrix and Python loop over 10⁸ pairs would take about ten minutes and 800 MB.

Columns
    * ours exact: distances (KD-tree, pairs within reach, or :func:`siting_problem` for the sample)
      plus :func:`maximal_coverage` with ``method="exact"``; the objective; "opt" when proven
      optimal, else the gap to the MIP bound.
    * ours greedy: the same distances plus ``method="greedy"`` (lazy greedy, Lagrangian heuristic and
      swaps, no solver); its share of the optimum and its proven gap ("gap≤": to the smaller of the
      submodularity and Lagrangian bounds). "lazy" is the lazy greedy alone (the coverage curve's
      ``k``-th point), untimed.
    * spopt: a dense numpy distance matrix plus ``MCLP.from_cost_matrix`` (build), then
      ``solve(pulp.HiGHS(msg=False, gapRel=0, threads=1), results=False)`` (proving the optimum,
      one thread, as ours); one run only (its build alone takes 30-40 s at 20,000 × 300), under
      ``--spopt-limit`` seconds.

Times are medians of ``--repeats`` runs (one for spopt), wall clock on whatever else the machine
is doing.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

# Run as a script from anywhere: the package lives one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotspots.analysis import SitingResult, coverage_curve, maximal_coverage, siting_problem
from hotspots.formats import load_geodata_layer, load_province

SIDE_M = 100_000.0
GOAL_SPEEDUP = 10.0
GOAL_GREEDY = 0.99
GOAL_SAMPLE_S = 2.0
GOAL_COUNTRY_GREEDY_S = 5.0


@dataclass
class Instance:
    """Coordinates (or a ready distance builder) and the question to answer."""

    name: str
    n: int
    m: int
    k: int
    radius: float
    weights: np.ndarray
    build: Callable[[], tuple[sp.csr_array, np.ndarray]]  # sparse distances and fixed sites
    dense: Callable[[], np.ndarray] | None  # spopt's dense matrix, None to skip spopt
    fixed_count: int = 0


@dataclass
class Row:
    name: str
    size: str
    exact: tuple[float, SitingResult] | None = None
    greedy: tuple[float, SitingResult] | None = None
    spopt: tuple[float, float, float, bool] | None = None  # build s, solve s, objective, optimal
    lazy: float = math.nan  # the lazy greedy's objective alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-spopt", action="store_true")
    parser.add_argument("--only", nargs="+", default=None)
    parser.add_argument("--exact-limit", type=float, default=300.0, help="seconds, 20,000 × 300 exact")
    parser.add_argument("--spopt-limit", type=float, default=300.0, help="seconds for spopt's solver")
    parser.add_argument("--country-limit", type=float, default=60.0, help="seconds, country exact")
    args = parser.parse_args()

    instances = [_sample()] + [
        _synthetic(f"{layout}-{share:.0%}", 20_000, 300, 20, share, layout == "clustered", seed)
        for seed, (layout, share) in enumerate(
            [("uniform", 0.01), ("uniform", 0.03), ("clustered", 0.01), ("clustered", 0.03)]
        )
    ]
    instances.append(_synthetic("country", 100_000, 1_000, 50, 0.01, False, 9, with_dense=False))
    rows = []
    for instance in instances:
        if args.only and instance.name not in args.only:
            continue
        print(f"... {instance.name}", flush=True)
        limit = args.country_limit if instance.name == "country" else args.exact_limit
        row = Row(instance.name, f"{instance.n:,} × {instance.m:,}, k={instance.k}")
        row.exact = _ours(instance, "exact", limit, args.repeats)
        row.greedy = _ours(instance, "greedy", None, args.repeats)
        cost, fixed = instance.build()
        curve = coverage_curve(cost, instance.weights, radius=instance.radius, k_max=instance.k, fixed=fixed)
        row.lazy = float(curve.covered_weight[-1])
        if instance.dense is not None and not args.skip_spopt:
            row.spopt = _spopt(instance, args.spopt_limit)
        rows.append(row)
    _print_table(rows)
    _print_goals(rows)


def _ours(instance: Instance, method: str, limit: float | None, repeats: int) -> tuple[float, SitingResult]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        cost, fixed = instance.build()
        result = maximal_coverage(
            cost,
            instance.weights,
            radius=instance.radius,
            k=instance.k,
            fixed=fixed,
            method=method,
            time_limit_s=limit,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _spopt(instance: Instance, limit: float) -> tuple[float, float, float, bool]:
    import pulp
    from spopt.locate import MCLP

    start = time.perf_counter()
    dense = instance.dense()
    _, fixed = instance.build()
    pinned = np.isin(np.arange(instance.m), fixed).astype(int) if len(fixed) else None
    model = MCLP.from_cost_matrix(
        dense, instance.weights, instance.radius, instance.k + len(fixed), predefined_facilities_arr=pinned
    )
    built = time.perf_counter()
    # Gap 0 and one thread, as ours: both prove the optimum (HiGHS stops at a 0.01 % gap by default).
    model.solve(pulp.HiGHS(msg=False, timeLimit=limit, gapRel=0.0, threads=1), results=False)
    solved = time.perf_counter()
    optimal = model.problem.sol_status == pulp.LpSolutionOptimal
    return built - start, solved - built, float(pulp.value(model.problem.objective)), optimal


def _sample() -> Instance:
    layers = {
        name: load_geodata_layer(name) for name in ("risk_points", "swim_classes", "communes", "play_spaces")
    }
    province = load_province()

    def problem():
        return siting_problem(
            layers["risk_points"],
            layers["swim_classes"],
            layers["communes"],
            radius_m=3_000,
            play_spaces=layers["play_spaces"],
            province=province,
        )

    ready = problem()

    def build():
        built = problem()
        return built.cost, built.fixed

    def dense():
        demand = np.column_stack([ready.demand.geometry.x, ready.demand.geometry.y])
        sites = np.column_stack([ready.candidates.geometry.x, ready.candidates.geometry.y])
        return np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)

    n, m = ready.cost.shape
    weights = ready.demand["weight"].to_numpy()
    return Instance("sample", n, m, 5, 3_000.0, weights, build, dense, fixed_count=len(ready.fixed))


def _synthetic(
    name: str, n: int, m: int, k: int, share: float, clustered: bool, seed: int, *, with_dense: bool = True
) -> Instance:
    rng = np.random.default_rng(seed)
    if clustered:
        centres = rng.uniform(0, SIDE_M, (40, 2))
        demand = centres[rng.integers(0, 40, n)] + rng.normal(0, 3_000, (n, 2))
        sites = demand[rng.choice(n, m, replace=False)] + rng.normal(0, 500, (m, 2))
    else:
        demand = rng.uniform(0, SIDE_M, (n, 2))
        sites = rng.uniform(0, SIDE_M, (m, 2))
    radius = _radius_for_share(demand, sites, share)
    weights = rng.integers(1, 4, n).astype(float)

    def build():
        pairs = cKDTree(demand).sparse_distance_matrix(cKDTree(sites), radius, output_type="ndarray")
        cost = sp.csr_array(sp.coo_array((pairs["v"], (pairs["i"], pairs["j"])), shape=(n, m)))
        return cost, np.zeros(0, dtype=np.int64)

    def dense():
        return np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)

    return Instance(name, n, m, k, radius, weights, build, dense if with_dense else None)


def _radius_for_share(demand: np.ndarray, sites: np.ndarray, share: float) -> float:
    """Radius at which a candidate reaches ``share`` of the points on average (bisection)."""
    tree = cKDTree(demand)
    low, high = 0.0, SIDE_M
    for _ in range(30):
        middle = (low + high) / 2
        reached = tree.query_ball_point(sites, middle, return_length=True).mean()
        low, high = (middle, high) if reached < share * len(demand) else (low, middle)
    return high


def _print_table(rows: list[Row]) -> None:
    header = (
        f"{'instance':<13} {'size':<24} | {'ours exact s':>12} {'objective':>10} {'proof':>7} | "
        f"{'ours greedy s':>13} {'objective':>10} {'of opt':>7} {'gap≤':>6} {'lazy':>7} | "
        f"{'spopt build s':>13} {'solve s':>8} {'objective':>10}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        exact_s, exact = row.exact
        greedy_s, greedy = row.greedy
        proof = "opt" if exact.optimal else f"{exact.gap:.2%}"
        known = exact.optimal and exact.objective > 0
        of_opt = f"{greedy.objective / exact.objective:.2%}" if known else "–"
        lazy = f"{row.lazy / exact.objective:.2%}" if known else "–"
        if row.spopt is None:
            spopt = f"{'skipped':>13} {'':>8} {'':>10}"
        else:
            build_s, solve_s, objective, optimal = row.spopt
            spopt = f"{build_s:>13.2f} {solve_s:>8.2f} {objective:>10,.0f}{'' if optimal else ' (limit)'}"
        print(
            f"{row.name:<13} {row.size:<24} | {exact_s:>12.2f} {exact.objective:>10,.0f} {proof:>7} | "
            f"{greedy_s:>13.3f} {greedy.objective:>10,.0f} {of_opt:>7} {greedy.gap:>6.1%} {lazy:>7} | {spopt}"
        )


def _print_goals(rows: list[Row]) -> None:
    print()
    by_name = {row.name: row for row in rows}
    for row in rows:
        exact_s, exact = row.exact
        greedy_s, greedy = row.greedy
        if row.spopt is not None:
            build_s, solve_s, objective, optimal = row.spopt
            same = optimal and exact.optimal and math.isclose(exact.objective, objective, abs_tol=1e-6)
            _goal(same, f"{row.name}: exact objective {exact.objective:,.0f} == spopt {objective:,.0f}")
            if row.name != "sample" and row.name != "country":
                speedup = (build_s + solve_s) / exact_s
                _goal(
                    speedup >= GOAL_SPEEDUP, f"{row.name}: exact {speedup:.1f}× faster than spopt end to end"
                )
        if exact.optimal:
            ratio = greedy.objective / exact.objective if exact.objective else 1.0
            _goal(ratio >= GOAL_GREEDY, f"{row.name}: greedy reaches {ratio:.2%} of the optimum")
    if "sample" in by_name:
        exact_s, exact = by_name["sample"].exact
        _goal(exact.optimal and exact_s < GOAL_SAMPLE_S, f"sample: exact in {exact_s:.2f} s (build + solve)")
    if "country" in by_name:
        greedy_s, greedy = by_name["country"].greedy
        _goal(greedy_s < GOAL_COUNTRY_GREEDY_S, f"country: greedy with bound in {greedy_s:.2f} s")
        exact_s, exact = by_name["country"].exact
        state = "optimal" if exact.optimal else f"stopped, gap ≤ {exact.gap:.2%}"
        print(f"info  country: exact in {exact_s:.1f} s, {state}, objective {exact.objective:,.0f}")


def _goal(passed: bool, text: str) -> None:
    print(f"{'PASS' if passed else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
