"""Coverage of risk points: nearest facilities, metric distances, status, summary; the map's filters."""

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from hotspots.analysis import (
    COVERAGE_STATUSES,
    CoverageCounts,
    coverage_summary,
    coverage_table,
    default_statuses,
    filter_defaults,
    filter_options,
    nearest_facilities,
    pending_count,
    select_communes,
    select_points,
)
from hotspots.config import METRIC_CRS
from hotspots.errors import CRSError, HotspotsError, SchemaError
from tests import map_fixtures as fx


@pytest.fixture
def table():
    return coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())


@pytest.mark.parametrize(("point_id", "status"), sorted(fx.EXPECTED_STATUS.items()))
def test_status_of_each_fixture_point(table, point_id, status):
    row = table.set_index("point_id").loc[point_id]
    assert row["coverage_status"] == status
    assert row["covered_swim"] == (status in ("both", "swim_only"))
    assert row["covered_rescue"] == (status in ("both", "rescue_only"))


def test_nearest_ids_names_and_distances_in_metres(table):
    by_id = table.set_index("point_id")
    assert by_id.loc["QN-1", "nearest_rescue_id"] == "RT-001"
    assert by_id.loc["QN-1", "nearest_rescue_name"] == "Tập huấn cứu đuối Hà Lầm"
    # 0.001° of latitude is about 111 m: a distance in degrees would be 0.001.
    assert by_id.loc["QN-1", "nearest_rescue_distance_m"] == pytest.approx(110.7, abs=1.0)
    assert by_id.loc["QN-2", "nearest_swim_id"] == "SC-001"
    assert by_id.loc["QN-2", "nearest_swim_distance_m"] == pytest.approx(104.0, abs=1.0)


def test_keeps_input_crs_index_and_columns():
    points = fx.risk_points().set_index("point_id", drop=False)
    result = coverage_table(points, fx.swim_classes(), fx.rescue_trainings())
    assert result.crs == points.crs
    assert list(result.index) == list(points.index)
    assert set(points.columns) <= set(result.columns)


@pytest.mark.parametrize(
    ("swim_radius_m", "rescue_radius_m", "expected"),
    [
        (0, 0, {"neither": 6}),
        (200, 200, {"both": 1, "swim_only": 1, "rescue_only": 1, "neither": 3}),
        (120, 120, {"both": 0, "swim_only": 1, "rescue_only": 1, "neither": 4}),
        (20_000, 20_000, {"both": 6}),
    ],
)
def test_radius_decides_coverage(swim_radius_m, rescue_radius_m, expected):
    result = coverage_table(
        fx.risk_points(),
        fx.swim_classes(),
        fx.rescue_trainings(),
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
    )
    counts = result["coverage_status"].value_counts().to_dict()
    assert {k: counts.get(k, 0) for k in expected} == expected


def test_distance_does_not_depend_on_input_crs(table):
    projected = coverage_table(
        fx.risk_points().to_crs(METRIC_CRS), fx.swim_classes().to_crs("EPSG:3857"), fx.rescue_trainings()
    )
    np.testing.assert_allclose(
        projected["nearest_swim_distance_m"], table["nearest_swim_distance_m"], rtol=1e-9, atol=1e-6
    )


def test_empty_facility_layers_cover_nothing():
    empty = gpd.GeoDataFrame({"class_id": [], "name": []}, geometry=[], crs=None)
    result = coverage_table(fx.risk_points(), empty, empty)
    assert (result["coverage_status"] == "neither").all()
    assert result["nearest_swim_distance_m"].isna().all()
    assert result["nearest_rescue_id"].isna().all()


def test_empty_points_give_an_empty_table():
    result = coverage_table(fx.risk_points().iloc[:0], fx.swim_classes(), fx.rescue_trainings())
    assert len(result) == 0
    assert "coverage_status" in result.columns


@pytest.mark.parametrize("which", ["points", "facilities"])
def test_missing_crs_is_rejected(which):
    points, swim = fx.risk_points(), fx.swim_classes()
    if which == "points":
        points = points.set_crs(None, allow_override=True)
    else:
        swim = swim.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        coverage_table(points, swim, fx.rescue_trainings())


@pytest.mark.parametrize("radius", [-1, float("nan"), float("inf"), "3000", True])
def test_bad_radius_is_rejected(radius):
    with pytest.raises(HotspotsError, match="0 or more"):
        coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings(), swim_radius_m=radius)


def test_nearest_facilities_without_id_column_uses_index():
    facilities = fx.swim_classes().drop(columns="class_id").set_index(gpd.pd.Index(["a", "b"]))
    result = nearest_facilities(fx.risk_points(), facilities, prefix="near")
    assert list(result.columns) == ["near_id", "near_name", "near_distance_m"]
    assert result["near_id"].iloc[1] == "a"


def test_summary_counts_points_and_black_spots(table):
    summary = coverage_summary(table)
    assert summary.points == CoverageCounts(total=6, swim=2, rescue=2, both=1, neither=3)
    assert summary.black_spots == CoverageCounts(total=2, swim=0, rescue=0, both=0, neither=2)
    assert summary.points.share("neither") == pytest.approx(0.5)
    assert summary.black_spots.share("swim") == 0


def test_share_of_nothing_is_undefined(table):
    summary = coverage_summary(table.iloc[:0])
    assert summary.points.total == 0
    assert summary.points.share("swim") is None


def test_unknown_share_kind_is_rejected(table):
    with pytest.raises(HotspotsError, match="use one of: swim, rescue, both, neither"):
        coverage_summary(table).points.share("all")


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        ({}, ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5", "QN-6"]),
        ({"risk_levels": ["black_spot"]}, ["QN-4", "QN-5"]),
        ({"coverage_statuses": ["neither"], "statuses": ["pending"]}, ["QN-6"]),
        ({"commune_ids": ["CM-1"], "water_types": ["pond", "sea"]}, ["QN-2"]),
        ({"commune_ids": [], "risk_levels": None}, ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5", "QN-6"]),
        ({"statuses": ["retired"]}, []),
    ],
)
def test_select_points(table, filters, expected_ids):
    assert select_points(table, **filters)["point_id"].tolist() == expected_ids


def test_the_map_shows_reviewed_points_by_default(table):
    assert default_statuses() == ("active", "mitigated")
    assert filter_defaults("status") == ("active", "mitigated")
    shown = select_points(table, statuses=default_statuses())
    # QN-6 is pending: it is neither shown nor counted in the headline numbers.
    assert shown["point_id"].tolist() == ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5"]
    assert coverage_summary(shown).points == CoverageCounts(total=5, swim=2, rescue=2, both=1, neither=2)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 1),
        ({"statuses": ["active"]}, 1),
        ({"commune_ids": ["CM-1"]}, 0),
        ({"risk_levels": ["low"], "coverage_statuses": ["neither"]}, 1),
        ({"water_types": ["sea"]}, 0),
    ],
)
def test_pending_points_are_counted_apart_whatever_the_status_filter(table, filters, expected):
    assert pending_count(table, **filters) == expected


@pytest.mark.parametrize(
    ("field", "lang", "expected"),
    [
        ("status", "vi", {"active": "Đang theo dõi", "mitigated": "Đã khắc phục", "pending": "Chờ duyệt"}),
        ("status", "en", {"active": "Active", "mitigated": "Mitigated", "pending": "Pending"}),
        (
            "risk_level",
            "vi",
            {"black_spot": "Điểm đen", "high": "Cao", "medium": "Trung bình", "low": "Thấp"},
        ),
    ],
)
def test_filter_options_are_labelled_in_the_language(field, lang, expected):
    options = filter_options(field, lang)
    assert options == expected
    assert list(options) == list(expected)


def test_other_filters_start_empty_and_offer_every_value():
    assert filter_defaults("water_type") == ()
    assert tuple(filter_options("coverage", "en")) == COVERAGE_STATUSES


def test_unknown_filter_is_refused():
    with pytest.raises(SchemaError, match="its filters are: water_type, risk_level, coverage, status"):
        filter_options("colour", "vi")


def test_select_communes():
    communes = fx.communes()
    assert select_communes(communes, ["CM-3"])["commune_id"].tolist() == ["CM-3"]
    assert len(select_communes(communes, [])) == len(communes) == len(select_communes(communes))


# --- property tests against a brute-force distance -------------------------------------

_lon = st.floats(106.5, 107.9, allow_nan=False)
_lat = st.floats(20.8, 21.6, allow_nan=False)
_points = st.lists(st.tuples(_lon, _lat), min_size=1, max_size=25)


def _frame(coords, prefix):
    return gpd.GeoDataFrame(
        {
            "class_id": [f"{prefix}{i}" for i in range(len(coords))],
            "name": [f"{prefix}{i}" for i in range(len(coords))],
        },
        geometry=[Point(c) for c in coords],
        crs="EPSG:4326",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=_points, facilities=_points, radius=st.floats(0, 60_000))
def test_matches_brute_force_metric_distance(points, facilities, radius):
    risk = _frame(points, "P").assign(risk_level="high")
    swim = _frame(facilities, "S")
    result = coverage_table(risk, swim, swim.iloc[:0], swim_radius_m=radius, rescue_radius_m=radius)

    a = risk.to_crs(METRIC_CRS).get_coordinates().to_numpy()
    b = swim.to_crs(METRIC_CRS).get_coordinates().to_numpy()
    brute = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    distances = result["nearest_swim_distance_m"].to_numpy()

    assert (distances >= 0).all()
    np.testing.assert_allclose(distances, brute.min(axis=1), rtol=1e-9, atol=1e-6)
    assert (result["covered_swim"].to_numpy() == (distances <= radius)).all()
    assert not result["covered_rescue"].any()
    assert set(result["coverage_status"]) <= set(COVERAGE_STATUSES)
    chosen = result["nearest_swim_id"].map(lambda i: int(i[1:])).to_numpy()
    np.testing.assert_allclose(brute[np.arange(len(a)), chosen], distances, rtol=1e-9, atol=1e-6)
