"""Siting over the map layers: a hand-made province with known answers, then the shipped sample."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from hotspots.analysis import (
    CANDIDATE_KINDS,
    SITE_COLUMNS,
    choose_sites,
    site_coverage_curve,
    siting_problem,
)
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import CRSError, HotspotsError, SitingError
from hotspots.formats import load_geodata_layer, load_province
from hotspots.i18n import problem_message

X0, Y0 = 700_000.0, 2_320_000.0  # UTM 48N, in Quảng Ninh
RADIUS = 1_500.0


def _frame(rows: list[dict], points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    geometry = [Point(X0 + x, Y0 + y) for x, y in points]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=METRIC_CRS).to_crs(WGS84)


@pytest.fixture
def small():
    """Two 10 km communes (in metres); three points around C1's centre, two in C2 beside a venue."""
    communes = gpd.GeoDataFrame(
        {"commune_id": ["C1", "C2"], "name": ["Xã Một", "Xã Hai"], "children_under_16": [1000, 3000]},
        geometry=[box(X0, Y0, X0 + 10_000, Y0 + 10_000), box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000)],
        crs=METRIC_CRS,
    )
    statuses = ["active"] * 5 + ["pending", "mitigated", "rejected"]
    levels = ["high", "high", "high", "high", "black_spot", "black_spot", "black_spot", "high"]
    where = [(4_800, 5_000), (5_300, 5_100), (5_000, 4_700), (15_000, 5_000), (15_300, 5_000)]
    where += [(2_000, 2_000), (2_100, 2_000), (2_200, 2_000)]
    points = _frame(
        [
            {"point_id": f"QN-{i:04d}", "risk_level": level, "status": status, "commune_id": None}
            for i, (level, status) in enumerate(zip(levels, statuses, strict=True), start=1)
        ],
        where,
    )
    venues = _frame([{"class_id": "SC-001"}], [(15_000, 5_200)])
    return points, venues, communes


def test_a_small_province_has_a_known_best_site(small):
    points, venues, communes = small
    problem = siting_problem(points, venues, communes, radius_m=RADIUS, grid_spacing_m=5_000)
    assert problem.demand["point_id"].tolist() == ["QN-0001", "QN-0002", "QN-0003", "QN-0004", "QN-0005"]
    assert problem.demand["weight"].tolist() == [1.0, 1.0, 1.0, 1.0, 5.0]
    kinds = problem.candidates["candidate_kind"].value_counts().to_dict()
    # Grid at x0 + 5, 10, 15 km on the 5 km line; the others lie on the communes' edges.
    assert kinds == {"existing": 1, "commune_centre": 2, "near_venue": 8, "grid": 3}
    assert problem.fixed.tolist() == [0]
    plan = choose_sites(problem, k=1, method="exact")
    assert list(plan.sites.columns) == list(SITE_COLUMNS)
    assert plan.sites.crs == WGS84
    site = plan.sites.iloc[0]
    assert (site["rank"], site["candidate_kind"], site["source_id"]) == (1, "commune_centre", "C1")
    assert (site["commune_id"], site["commune_name"]) == ("C1", "Xã Một")
    assert (site["new_risk_points"], site["new_black_spots"], site["new_weight"]) == (3, 0, 3.0)
    assert site["nearest_venue_m"] == pytest.approx(math.hypot(10_000, 200))
    disc = Point(0, 0).buffer(RADIUS, quad_segs=32).area  # the discs counting children have 32
    assert site["new_children"] == pytest.approx(1000 * disc / 1e8)
    result = plan.result
    assert (result.objective, result.fixed_weight, result.total_weight) == (9.0, 6.0, 9.0)
    assert result.optimal
    assert plan.demand["covered_before"].tolist() == [False, False, False, True, True]
    assert plan.demand["covered_after"].tolist() == [True] * 5
    assert plan.demand["new_site_rank"].tolist() == [1, 1, 1, 0, 0]


def test_children_weights_have_a_mean_multiplier_of_one(small):
    points, venues, communes = small
    problem = siting_problem(points, venues, communes, radius_m=RADIUS, weight_by_children=True)
    # Children per demand point: 1000, 1000, 1000, 3000, 3000; their mean is 1800.
    multipliers = [1000 / 1800] * 3 + [3000 / 1800] * 2
    assert problem.demand["weight"].to_numpy() == pytest.approx(np.array([1, 1, 1, 1, 5]) * multipliers)
    assert np.mean(multipliers) == pytest.approx(1.0)


def test_planner_sites_are_candidates_placed_in_their_commune(small):
    points, venues, communes = small
    lon_lat = _frame([{}], [(5_000, 5_000)]).geometry.iloc[0]
    problem = siting_problem(
        points, venues, communes, radius_m=RADIUS, grid_spacing_m=5_000, extra_sites=[(lon_lat.x, lon_lat.y)]
    )
    planner = problem.candidates[problem.candidates["candidate_kind"] == "planner"]
    assert len(planner) == 1
    assert planner["commune_id"].tolist() == ["C1"]
    assert planner.geometry.iloc[0].distance(Point(X0 + 5_000, Y0 + 5_000)) < 0.01
    assert set(problem.candidates["candidate_kind"]) <= set(CANDIDATE_KINDS)


def test_a_layer_without_venues_still_plans(small):
    points, _, communes = small
    problem = siting_problem(points, gpd.GeoDataFrame(geometry=[]), communes, radius_m=RADIUS)
    plan = choose_sites(problem, k=2)
    assert plan.result.fixed_weight == 0.0
    assert plan.result.objective == 9.0
    assert plan.sites["nearest_venue_m"].isna().all()


def _degrees_as_metres(small):
    points, venues, communes = small
    return siting_problem(points.set_crs(METRIC_CRS, allow_override=True), venues, communes, radius_m=RADIUS)


def _no_crs(small):
    points, venues, communes = small
    return siting_problem(points, venues, communes.set_crs(None, allow_override=True), radius_m=RADIUS)


@pytest.mark.parametrize(
    ("call", "error_type", "code", "english", "vietnamese"),
    [
        (
            _degrees_as_metres,
            CRSError,
            "siting.degrees",
            "Layer 'risk_points' declares EPSG:32648, a system in metres, but its coordinates look like "
            "degrees (for example 106.97, 21.0144); distances need metres. Declare it as "
            "longitude/latitude (EPSG:4326) instead.",
            "Lớp 'risk_points' khai báo EPSG:32648, một hệ tính bằng mét, nhưng toạ độ trông như độ "
            "(ví dụ 106.97, 21.0144); khoảng cách cần tính bằng mét. Hãy khai báo lớp là kinh độ/vĩ độ "
            "(EPSG:4326).",
        ),
        (
            _no_crs,
            CRSError,
            "siting.no_crs",
            "Layer 'communes' has no coordinate reference system, so distances cannot be measured in "
            "metres. Save it with one (GeoJSON is always EPSG:4326).",
            "Lớp 'communes' không có hệ quy chiếu toạ độ nên không thể đo khoảng cách bằng mét. Hãy lưu "
            "lớp kèm hệ quy chiếu (GeoJSON luôn là EPSG:4326).",
        ),
        (
            lambda s: siting_problem(*s, radius_m=RADIUS, grid_spacing_m=100),
            SitingError,
            "siting.bad_grid_spacing",
            "The grid spacing must be a number of metres, at least 250; got 100.",
            "Khoảng cách giữa các điểm lưới phải là số mét, tối thiểu 250; nhận được 100.",
        ),
        (
            lambda s: siting_problem(*s, radius_m=RADIUS, black_spot_factor=-1.0),
            SitingError,
            "siting.bad_factor",
            "The black-spot factor must be a finite number, 0 or more; got -1.0.",
            "Hệ số điểm đen phải là số hữu hạn, từ 0 trở lên; nhận được -1.0.",
        ),
        (
            lambda s: siting_problem(*s, radius_m=RADIUS, extra_sites=[(107.0, 21.0), (200.0, 21.0)]),
            SitingError,
            "siting.bad_extra_site",
            "Added site #2, (200.0, 21.0), is not a longitude, latitude pair in degrees.",
            "Địa điểm thêm thứ 2, (200.0, 21.0), không phải là cặp kinh độ, vĩ độ tính bằng độ.",
        ),
        (
            lambda s: siting_problem(*s, radius_m=-5.0),
            SitingError,
            "siting.bad_radius",
            "The radius must be a number, 0 or more (for example 3000 metres); got -5.0.",
            "Bán kính phải là một số từ 0 trở lên (ví dụ 3000 mét); nhận được -5.0.",
        ),
        (
            lambda s: siting_problem(*s, radius_m=RADIUS, statuses=("retired",)),
            SitingError,
            "siting.no_demand",
            "There are no demand points (active risk points) to cover.",
            "Không có điểm nhu cầu (điểm nguy cơ đang theo dõi) nào cần bao phủ.",
        ),
        (
            lambda s: choose_sites(siting_problem(*s, radius_m=RADIUS), k=0),
            SitingError,
            "siting.k_too_small",
            "The number of new sites must be a whole number, 1 or more; got 0.",
            "Số địa điểm mới phải là số nguyên từ 1 trở lên; nhận được 0.",
        ),
    ],
)
def test_bad_layers_and_settings_raise_coded_errors(small, call, error_type, code, english, vietnamese):
    with pytest.raises(error_type) as caught:
        call(small)
    error = caught.value
    assert isinstance(error, HotspotsError)
    assert error.code == code
    assert str(error) == english
    assert problem_message(error, "vi") == vietnamese


# The shipped sample: 891 active risk points (14 black spots), 40 swimming classes, 45 communes.


@pytest.fixture(scope="module")
def sample():
    layers = {
        name: load_geodata_layer(name)
        for name in ("risk_points", "swim_classes", "rescue_trainings", "communes", "play_spaces")
    }
    return layers, load_province()


@pytest.fixture(scope="module")
def swim_problem(sample):
    layers, province = sample
    return siting_problem(
        layers["risk_points"],
        layers["swim_classes"],
        layers["communes"],
        radius_m=3_000,
        play_spaces=layers["play_spaces"],
        province=province,
    )


@pytest.fixture(scope="module")
def swim_plan(swim_problem):
    return choose_sites(swim_problem, k=5, method="exact")


def test_the_sample_is_solved_exactly_with_sites_inside_the_province(sample, swim_problem, swim_plan):
    _, province = sample
    result = swim_plan.result
    assert result.optimal
    assert result.method == "exact"
    assert result.total_weight == 877 + 14 * 5
    assert result.fixed_weight == 481.0
    assert result.objective == 565.0
    assert result.upper_bound == 565.0
    assert len(swim_plan.sites) == 5
    assert "existing" not in set(swim_plan.sites["candidate_kind"])
    assert shapely.contains(province, swim_plan.sites.geometry.to_numpy()).all()
    assert swim_plan.sites["rank"].tolist() == [1, 2, 3, 4, 5]
    kinds = swim_problem.candidates["candidate_kind"].value_counts()
    assert (kinds["existing"], kinds["commune_centre"], kinds["play_space"]) == (40, 45, 70)


def test_what_each_sample_site_newly_covers_matches_a_recount(sample, swim_plan):
    layers, _ = sample
    points = layers["risk_points"].to_crs(METRIC_CRS)
    venues = layers["swim_classes"].to_crs(METRIC_CRS)
    sites = swim_plan.sites.to_crs(METRIC_CRS)
    distance_to = lambda where: points.distance(where).to_numpy() <= 3_000  # noqa: E731
    covered = np.zeros(len(points), dtype=bool)
    for venue in venues.geometry:
        covered |= distance_to(venue)
    before = covered.copy()
    black = (points["risk_level"] == "black_spot").to_numpy()
    weights = np.where(black, 5.0, 1.0)
    for site in sites.itertuples():
        new = distance_to(site.geometry) & ~covered
        assert site.new_risk_points == new.sum()
        assert site.new_black_spots == (new & black).sum()
        assert site.new_weight == pytest.approx(weights[new].sum())
        nearest = venues.distance(site.geometry).min()
        assert site.nearest_venue_m == pytest.approx(nearest)
        covered |= new
    assert swim_plan.demand["covered_before"].tolist() == before.tolist()
    assert swim_plan.demand["covered_after"].tolist() == covered.tolist()
    assert weights[covered].sum() == swim_plan.result.objective


def test_sample_sites_name_their_commune_and_children_add_up(sample, swim_plan):
    layers, _ = sample
    communes = layers["communes"].to_crs(METRIC_CRS)
    sites = swim_plan.sites.to_crs(METRIC_CRS)
    joined = gpd.sjoin(sites, communes[["commune_id", "name", "geometry"]], predicate="within")
    assert joined["commune_id_left"].tolist() == joined["commune_id_right"].tolist()
    assert joined["commune_name"].tolist() == joined["name"].tolist()
    assert len(joined) == 5
    # Children newly within reach telescope: all discs' reach minus the existing venues' reach.
    venues = shapely.union_all(
        shapely.buffer(layers["swim_classes"].to_crs(METRIC_CRS).geometry, 3_000, quad_segs=32)
    )
    both = shapely.union(venues, shapely.union_all(shapely.buffer(sites.geometry, 3_000, quad_segs=32)))
    children = communes["children_under_16"].to_numpy(float)
    gained = shapely.area(shapely.intersection(communes.geometry.to_numpy(), both.difference(venues)))
    expected = (children * gained / communes.area.to_numpy()).sum()
    assert swim_plan.sites["new_children"].sum() == pytest.approx(expected, rel=1e-6)
    assert swim_plan.sites["new_children"].gt(0).all()


def test_the_sample_refuses_degrees_labelled_as_metres(sample):
    layers, _ = sample
    with pytest.raises(CRSError) as caught:
        siting_problem(
            layers["risk_points"].set_crs(METRIC_CRS, allow_override=True),
            layers["swim_classes"],
            layers["communes"],
            radius_m=3_000,
        )
    assert caught.value.code == "siting.degrees"


def test_rescue_training_sites_have_their_own_radius_and_venues(sample):
    layers, province = sample
    problem = siting_problem(
        layers["risk_points"],
        layers["rescue_trainings"],
        layers["communes"],
        radius_m=2_000,
        province=province,
    )
    assert len(problem.fixed) == 25
    plan = choose_sites(problem, k=3, method="exact")
    assert plan.result.optimal
    assert len(plan.sites) == 3
    assert plan.result.objective == plan.result.fixed_weight + plan.sites["new_weight"].sum()
    assert plan.sites["nearest_venue_m"].gt(0).all()


def test_the_coverage_curve_starts_at_the_existing_venues(swim_problem, swim_plan):
    curve = site_coverage_curve(swim_problem, k_max=60)
    assert curve.covered_weight[0] == 481.0
    assert np.all(np.diff(curve.covered_weight) >= 0)
    # The greedy curve never beats the optimum, and stays within the greedy guarantee of it.
    assert (1 - 1 / math.e) * 565.0 <= curve.covered_weight[5] <= 565.0
    needed = curve.sites_for(0.8)
    assert needed is not None
    assert curve.shares[needed] >= 0.8 > curve.shares[needed - 1]


def test_only_active_points_are_demand_by_default(sample):
    layers, _ = sample
    points = layers["risk_points"].copy()
    points.loc[points.index[:10], "status"] = "pending"
    points.loc[points.index[10:15], "status"] = "mitigated"
    problem = siting_problem(points, layers["swim_classes"], layers["communes"], radius_m=3_000)
    assert len(problem.demand) == 891 - 15
    assert "QN-0001" not in set(problem.demand["point_id"])
