"""The pure siting core: maximal coverage against brute force and spopt, bounds, order, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pulp
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from spopt.locate import MCLP

import hotspots.analysis.siting_solver as siting_solver
from hotspots.analysis import coverage_curve, maximal_coverage
from hotspots.analysis.siting_solver import solve_mip
from hotspots.errors import SitingError
from hotspots.i18n import problem_message

GREEDY_RATIO = 1 - 1 / math.e


def brute_force(cost: np.ndarray, weights: np.ndarray, radius: float, k: int, fixed: list[int]) -> float:
    """Best weight any k free candidates cover, fixed ones included, by trying every choice."""
    reach = cost <= radius
    free = [j for j in range(cost.shape[1]) if j not in fixed]
    best = 0.0
    for choice in itertools.combinations(free, k):
        covered = reach[:, list(choice) + fixed].any(axis=1)
        best = max(best, float(weights[covered].sum()))
    return best


@st.composite
def instances(draw):
    """Small instances: integer distances (so some sit exactly on the radius), a few fixed sites."""
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 7))
    cost = np.array(draw(st.lists(st.integers(0, 10), min_size=n * m, max_size=n * m)), float).reshape(n, m)
    integral = draw(st.booleans())
    weight = st.integers(0, 5).map(float) if integral else st.floats(0, 10, allow_nan=False)
    weights = np.array(draw(st.lists(weight, min_size=n, max_size=n)))
    fixed = sorted(draw(st.sets(st.integers(0, m - 1), max_size=m - 1)))
    k = draw(st.integers(1, m - len(fixed)))
    radius = float(draw(st.integers(0, 10)))
    return cost, weights, radius, k, fixed


def assert_valid(result, cost, weights, radius, k, fixed):
    chosen = result.chosen.tolist()
    assert len(chosen) == k
    assert len(set(chosen)) == k
    assert not set(chosen) & set(fixed)
    assert all(0 <= j < cost.shape[1] for j in chosen)
    covered = (cost[:, chosen + fixed] <= radius).any(axis=1)
    assert result.covered.tolist() == covered.tolist()
    assert result.objective == pytest.approx(float(weights[covered].sum()), abs=1e-9)
    assert result.fixed_weight + result.gains.sum() == pytest.approx(result.objective, abs=1e-9)
    assert result.objective <= result.upper_bound + 1e-9


@settings(max_examples=150, deadline=None)
@given(instances(), st.sampled_from(["exact", "auto"]))
def test_exact_equals_brute_force(instance, method):
    cost, weights, radius, k, fixed = instance
    result = maximal_coverage(cost, weights, radius=radius, k=k, fixed=fixed, method=method)
    assert_valid(result, cost, weights, radius, k, fixed)
    best = brute_force(cost, weights, radius, k, fixed)
    assert result.objective == pytest.approx(best, abs=1e-9)
    assert result.optimal
    assert result.method == "exact"
    assert result.notice is None
    assert result.upper_bound == pytest.approx(best, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_greedy_keeps_its_guarantee_and_its_bound_is_a_bound(instance):
    cost, weights, radius, k, fixed = instance
    result = maximal_coverage(cost, weights, radius=radius, k=k, fixed=fixed, method="greedy")
    assert_valid(result, cost, weights, radius, k, fixed)
    best = brute_force(cost, weights, radius, k, fixed)
    assert result.method == "greedy"
    assert result.objective >= GREEDY_RATIO * best - 1e-9
    assert best <= result.upper_bound + 1e-9
    # Marginal gains of the greedy order never grow (coverage is submodular).
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(result.gains))


def test_exact_equals_brute_force_where_the_solver_decides(monkeypatch):
    # Larger than the hypothesis instances, so that the solver (not a bound) has the last word.
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[0].shape)
        return solve_mip(*args, **kwargs)

    monkeypatch.setattr(siting_solver, "solve_mip", counted)
    rng = np.random.default_rng(7)
    greedy_short = 0
    for _ in range(25):
        cost = rng.uniform(0, 10, (50, 14))
        weights = rng.integers(0, 4, 50).astype(float)
        fixed = [int(rng.integers(14))] if rng.random() < 0.5 else []
        k = int(rng.integers(2, 6))
        exact = maximal_coverage(cost, weights, radius=2.5, k=k, fixed=fixed, method="exact")
        greedy = maximal_coverage(cost, weights, radius=2.5, k=k, fixed=fixed, method="greedy")
        pure = coverage_curve(cost, weights, radius=2.5, k_max=k, fixed=fixed).covered_weight[k]
        best = brute_force(cost, weights, 2.5, k, fixed)
        assert_valid(exact, cost, weights, 2.5, k, fixed)
        assert exact.objective == pytest.approx(best)
        assert exact.optimal
        assert pure <= greedy.objective <= best <= greedy.upper_bound + 1e-9
        greedy_short += pure < best
    assert greedy_short >= 5
    assert len(calls) >= 3


@pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")
@pytest.mark.parametrize("seed", range(8))
def test_exact_agrees_with_spopt(seed):
    rng = np.random.default_rng(seed)
    n, m = 40, 12
    demand, sites = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    # Even seeds weigh every point 1, so spopt's share of points covered must match our objective.
    weights = np.ones(n) if seed % 2 == 0 else rng.integers(1, 6, n).astype(float)
    fixed = [0, 5] if seed % 4 >= 2 else []
    k = 3
    ours = maximal_coverage(cost, weights, radius=2.5, k=k, fixed=fixed, method="exact")
    # spopt counts the fixed sites inside p, and pins them with a 0/1 array.
    pinned = np.isin(np.arange(m), fixed).astype(int) if fixed else None
    theirs = MCLP.from_cost_matrix(cost, weights, 2.5, k + len(fixed), predefined_facilities_arr=pinned)
    theirs.solve(pulp.HiGHS(msg=False))
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective))
    assert ours.optimal
    if seed % 2 == 0:
        assert theirs.perc_cov == pytest.approx(100 * ours.objective / n)


def test_a_known_instance_in_the_order_of_marginal_gain():
    # Site 2 reaches points 0-3, site 0 points 0-1 and 4, site 1 points 2-3 and 5.
    # The greedy takes site 2 first and is trapped; the optimum is sites 0 and 1 (3 points each).
    reach = [
        [1, 0, 1],
        [1, 0, 1],
        [0, 1, 1],
        [0, 1, 1],
        [1, 0, 0],
        [0, 1, 0],
    ]
    cost = np.where(np.array(reach) == 1, 1.0, 9.0)
    weights = np.ones(6)
    exact = maximal_coverage(cost, weights, radius=1.0, k=2, method="exact")
    assert exact.chosen.tolist() == [0, 1]
    assert exact.gains.tolist() == [3.0, 3.0]
    assert exact.objective == 6.0
    assert exact.upper_bound == 6.0
    assert exact.optimal
    # The lazy greedy alone (as in the coverage curve) is trapped; the greedy method swaps its way out.
    curve = coverage_curve(cost, weights, radius=1.0, k_max=2)
    assert curve.sites.tolist() == [2, 1]
    assert curve.covered_weight.tolist() == [0.0, 4.0, 5.0]
    greedy = maximal_coverage(cost, weights, radius=1.0, k=2, method="greedy")
    assert greedy.chosen.tolist() == [0, 1]
    assert greedy.objective == 6.0
    assert greedy.method == "greedy"


def test_every_chosen_site_is_new_and_distinct_even_when_it_adds_nothing():
    cost = np.array([[0.0, 50.0, 50.0, 50.0, 50.0], [50.0, 50.0, 50.0, 50.0, 50.0]])
    result = maximal_coverage(cost, [2.0, 1.0], radius=1.0, k=3, fixed=[0])
    assert result.chosen.tolist() == [1, 2, 3]
    assert result.gains.tolist() == [0.0, 0.0, 0.0]
    assert result.objective == result.fixed_weight == 2.0
    assert result.total_weight == 3.0
    assert result.share == pytest.approx(2 / 3)
    assert result.optimal


def test_useful_sites_come_before_those_adding_nothing():
    cost = np.array([[9.0, 9.0, 9.0, 0.0], [9.0, 9.0, 9.0, 9.0]])
    result = maximal_coverage(cost, [1.0, 1.0], radius=1.0, k=3, method="greedy")
    assert result.chosen.tolist() == [3, 0, 1]
    assert result.objective == 1.0


def test_a_stored_zero_distance_is_within_reach_and_a_missing_pair_is_not():
    rows, cols, distances = [0, 1, 2], [0, 1, 1], [0.0, 0.0, 4.0]
    cost = sp.coo_array((distances, (rows, cols)), shape=(3, 2)).tocsr()
    assert cost.nnz == 3  # the two zeros are stored
    result = maximal_coverage(cost, [5.0, 1.0, 1.0], radius=3.0, k=1)
    assert result.chosen.tolist() == [0]
    assert result.covered.tolist() == [True, False, False]
    both = maximal_coverage(cost, [5.0, 1.0, 1.0], radius=4.0, k=2)
    assert both.covered.tolist() == [True, True, True]


@pytest.mark.parametrize("seed", range(3))
def test_sparse_and_dense_input_give_the_same_answer(seed):
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 10, (60, 15))
    weights = rng.uniform(0, 3, 60)
    within = np.where(cost <= 3.0, cost, 0.0)
    sparse = sp.csr_array(within)  # drops zeros, so only pairs within reach are stored
    dense = maximal_coverage(cost, weights, radius=3.0, k=4, fixed=[2])
    thin = maximal_coverage(sparse, weights, radius=3.0, k=4, fixed=[2])
    assert dense.objective == pytest.approx(thin.objective)
    assert dense.chosen.tolist() == thin.chosen.tolist()


def test_distances_that_are_nan_or_infinite_are_out_of_reach():
    cost = np.array([[np.nan, 1.0], [np.inf, 1.0], [0.0, 9.0]])
    result = maximal_coverage(cost, [1.0, 1.0, 1.0], radius=2.0, k=1)
    assert result.chosen.tolist() == [1]
    assert result.objective == 2.0


def test_auto_falls_back_and_says_so_when_the_time_is_up():
    rng = np.random.default_rng(0)
    demand, sites = rng.uniform(0, 100, (3000, 2)), rng.uniform(0, 100, (150, 2))
    cost = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    weights = rng.integers(1, 4, 3000).astype(float)
    result = maximal_coverage(cost, weights, radius=8.0, k=10, method="auto", time_limit_s=1e-6)
    assert result.fell_back
    assert not result.optimal
    assert result.notice.code == "siting.fell_back"
    assert result.notice.severity == "warning"
    gap = f"{100 * result.gap:.1f}"
    assert problem_message(result.notice, "en") == (
        "The exact method did not finish within 1e-06 s, so the best answer found in that time is shown: "
        f"at most {gap} % below the best possible."
    )
    assert problem_message(result.notice, "vi") == (
        "Phương pháp chính xác chưa xong trong 1e-06 giây, nên hiển thị phương án tốt nhất tìm được trong "
        f"thời gian đó: kém phương án tốt nhất có thể không quá {gap} %."
    )
    cut = maximal_coverage(cost, weights, radius=8.0, k=10, method="exact", time_limit_s=1e-6)
    assert (cut.method, cut.optimal, cut.fell_back) == ("exact", False, False)
    assert cut.notice.code == "siting.not_proven"
    assert cut.objective <= cut.upper_bound
    exact = maximal_coverage(cost, weights, radius=8.0, k=10, method="exact")
    assert exact.optimal
    assert result.objective <= exact.objective <= result.upper_bound + 1e-9
    assert exact.objective <= exact.upper_bound + 1e-9
    assert result.objective >= 0.9 * exact.objective


def test_coverage_curve_counts_the_fixed_sites_at_zero_and_finds_the_sites_needed():
    # Points 0-1 covered by the fixed site 0; site 1 adds points 2-4; site 2 adds point 5.
    cost = np.full((7, 4), 9.0)
    cost[[0, 1], 0] = 0.0
    cost[[2, 3, 4], 1] = 0.0
    cost[5, 2] = 0.0
    curve = coverage_curve(cost, np.ones(7), radius=1.0, k_max=3, fixed=[0])
    assert curve.covered_weight.tolist() == [2.0, 5.0, 6.0, 6.0]
    assert curve.sites.tolist() == [1, 2, 3]
    assert curve.shares == pytest.approx([2 / 7, 5 / 7, 6 / 7, 6 / 7])
    assert curve.sites_for(0.7) == 1
    assert curve.sites_for(0.8) == 2
    assert curve.sites_for(0.9) is None


DENSE = np.array([[0.0, 5.0], [5.0, 0.0], [1.0, 1.0]])
ONES = [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("call", "code", "english", "vietnamese"),
    [
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=0),
            "siting.k_too_small",
            "The number of new sites must be a whole number, 1 or more; got 0.",
            "Số địa điểm mới phải là số nguyên từ 1 trở lên; nhận được 0.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=1.5),
            "siting.k_too_small",
            "The number of new sites must be a whole number, 1 or more; got 1.5.",
            "Số địa điểm mới phải là số nguyên từ 1 trở lên; nhận được 1.5.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=2, fixed=[1]),
            "siting.k_too_large",
            "Only 1 of the candidate sites are free (not already open), so 2 new sites cannot be chosen; "
            "choose at most 1.",
            "Chỉ còn 1 địa điểm đề xuất chưa mở, nên không thể chọn 2 địa điểm mới; hãy chọn tối đa 1.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=-1.0, k=1),
            "siting.bad_radius",
            "The radius must be a number, 0 or more (for example 3000 metres); got -1.0.",
            "Bán kính phải là một số từ 0 trở lên (ví dụ 3000 mét); nhận được -1.0.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=math.nan, k=1),
            "siting.bad_radius",
            "The radius must be a number, 0 or more (for example 3000 metres); got nan.",
            "Bán kính phải là một số từ 0 trở lên (ví dụ 3000 mét); nhận được nan.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=math.inf, k=1),
            "siting.bad_radius",
            "The radius must be a number, 0 or more (for example 3000 metres); got inf.",
            "Bán kính phải là một số từ 0 trở lên (ví dụ 3000 mét); nhận được inf.",
        ),
        (
            lambda: maximal_coverage(DENSE, [1.0, -2.0, 1.0], radius=1.0, k=1),
            "siting.bad_weight",
            "Weight #2 is -2.0; every weight must be a finite number, 0 or more.",
            "Trọng số thứ 2 là -2.0; mọi trọng số phải là số hữu hạn, từ 0 trở lên.",
        ),
        (
            lambda: maximal_coverage(DENSE, [math.nan, 1.0, 1.0], radius=1.0, k=1),
            "siting.bad_weight",
            "Weight #1 is nan; every weight must be a finite number, 0 or more.",
            "Trọng số thứ 1 là nan; mọi trọng số phải là số hữu hạn, từ 0 trở lên.",
        ),
        (
            lambda: maximal_coverage(DENSE, [1.0, 1.0, math.inf], radius=1.0, k=1),
            "siting.bad_weight",
            "Weight #3 is inf; every weight must be a finite number, 0 or more.",
            "Trọng số thứ 3 là inf; mọi trọng số phải là số hữu hạn, từ 0 trở lên.",
        ),
        (
            lambda: maximal_coverage(DENSE, [1.0, 1.0], radius=1.0, k=1),
            "siting.weights_length",
            "There are 2 weights for 3 demand points; give one weight per point.",
            "Có 2 trọng số cho 3 điểm nhu cầu; cần đúng một trọng số cho mỗi điểm.",
        ),
        (
            lambda: maximal_coverage(DENSE, ["a", "b", "c"], radius=1.0, k=1),
            "siting.weights_not_numbers",
            "The weights must be numbers, one for each of the 3 demand points.",
            "Trọng số phải là số, mỗi điểm trong 3 điểm nhu cầu có một trọng số.",
        ),
        (
            lambda: maximal_coverage(np.zeros((0, 4)), [], radius=1.0, k=1),
            "siting.no_demand",
            "There are no demand points (active risk points) to cover.",
            "Không có điểm nhu cầu (điểm nguy cơ đang theo dõi) nào cần bao phủ.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=1, fixed=[2]),
            "siting.fixed_out_of_range",
            "Open site 2 is not one of the candidate sites: they are numbered from 0 to 1.",
            "Địa điểm đang mở 2 không thuộc danh sách địa điểm đề xuất: "
            "các địa điểm được đánh số từ 0 đến 1.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=1, fixed=[-1]),
            "siting.fixed_out_of_range",
            "Open site -1 is not one of the candidate sites: they are numbered from 0 to 1.",
            "Địa điểm đang mở -1 không thuộc danh sách địa điểm đề xuất: "
            "các địa điểm được đánh số từ 0 đến 1.",
        ),
        (
            lambda: maximal_coverage(-DENSE, ONES, radius=1.0, k=1),
            "siting.negative_distance",
            "A distance is negative (-5); distances must be 0 or more.",
            "Có khoảng cách âm (-5); khoảng cách phải từ 0 trở lên.",
        ),
        (
            lambda: maximal_coverage(np.ones(3), ONES, radius=1.0, k=1),
            "siting.bad_cost",
            "The distances must be a table of numbers, one row per demand point and one column per "
            "candidate site; got (3,).",
            "Khoảng cách phải là một bảng số, mỗi hàng là một điểm nhu cầu và mỗi cột là một địa điểm "
            "đề xuất; nhận được (3,).",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=1, method="fast"),
            "siting.unknown_method",
            "Unknown method 'fast'; use one of: auto, exact, greedy.",
            "Không có phương pháp 'fast'; hãy dùng một trong các phương pháp: auto, exact, greedy.",
        ),
        (
            lambda: maximal_coverage(DENSE, ONES, radius=1.0, k=1, time_limit_s=0),
            "siting.bad_time_limit",
            "The time limit must be a number of seconds above 0; got 0.",
            "Giới hạn thời gian phải là số giây lớn hơn 0; nhận được 0.",
        ),
        (
            lambda: coverage_curve(DENSE, ONES, radius=1.0, k_max=3),
            "siting.k_too_large",
            "Only 2 of the candidate sites are free (not already open), so 3 new sites cannot be chosen; "
            "choose at most 2.",
            "Chỉ còn 2 địa điểm đề xuất chưa mở, nên không thể chọn 3 địa điểm mới; hãy chọn tối đa 2.",
        ),
    ],
)
def test_bad_input_raises_a_coded_error_in_both_languages(call, code, english, vietnamese):
    with pytest.raises(SitingError) as caught:
        call()
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert str(error) == english
    assert problem_message(error, "en") == english
    assert problem_message(error, "vi") == vietnamese
