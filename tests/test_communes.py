"""Per-commune summary and priority ranking (its table and downloads: tests/test_reports.py)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from hotspots.analysis import SUMMARY_COLUMNS, commune_summary, coverage_table
from hotspots.errors import HotspotsError
from tests import map_fixtures as fx


@pytest.fixture
def summary():
    table = coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())
    return commune_summary(fx.communes(), table).set_index("commune_id")


@pytest.mark.parametrize(
    ("commune_id", "points", "black", "swim", "rescue", "either"),
    [
        ("CM-1", 2, 0, 0.5, 0.5, 1.0),
        # QN-6 has no commune_id and is placed in CM-2 by its location.
        ("CM-2", 2, 0, 0.5, 0.5, 0.5),
        ("CM-3", 2, 2, 0.0, 0.0, 0.0),
    ],
)
def test_counts_and_shares(summary, commune_id, points, black, swim, rescue, either):
    row = summary.loc[commune_id]
    assert (row["risk_points"], row["black_spots"]) == (points, black)
    assert (
        row["covered_swim_share"],
        row["covered_rescue_share"],
        row["covered_either_share"],
    ) == pytest.approx((swim, rescue, either))


def test_score_follows_the_documented_formula(summary):
    # need: CM-1 = 0.5 + 0.5, CM-2 = 0 + 1, CM-3 = 3 + 3 (two uncovered black spots, weight 3).
    # children factor: 0.5 + 0.5 * children / 4000.
    expected = {
        "CM-1": (1 / 6) * (0.5 + 0.5 * 4000 / 4000),
        "CM-2": (1 / 6) * (0.5 + 0.5 * 2000 / 4000),
        "CM-3": 1.0 * (0.5 + 0.5 * 1000 / 4000) + 0.25,
    }
    for commune_id, score in expected.items():
        assert summary.loc[commune_id, "priority_score"] == pytest.approx(score)
    assert summary["priority_rank"].to_dict() == {"CM-3": 1, "CM-1": 2, "CM-2": 3}


def test_columns_order_and_crs():
    table = coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())
    result = commune_summary(fx.communes(), table)
    assert list(result.columns) == [*SUMMARY_COLUMNS, "geometry"]
    assert result.crs == fx.communes().crs
    assert result["priority_rank"].tolist() == [1, 2, 3]


def test_commune_without_points_has_undefined_shares_and_only_the_bonus():
    communes = pd.concat(
        [
            fx.communes(),
            gpd.GeoDataFrame(
                {
                    "commune_id": ["CM-4"],
                    "name": ["Xã Đồng Sơn"],
                    "children_under_16": [500],
                    "has_play_space": [False],
                },
                geometry=[box(107.3, 20.9, 107.4, 21.1)],
                crs="EPSG:4326",
            ),
        ],
        ignore_index=True,
    )
    table = coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())
    row = commune_summary(communes, table).set_index("commune_id").loc["CM-4"]
    assert row["risk_points"] == 0
    assert np.isnan(row["covered_either_share"])
    assert row["priority_score"] == pytest.approx(0.25)


def test_ties_go_to_black_spots_then_points():
    communes = fx.communes().assign(children_under_16=0, has_play_space=True)
    table = coverage_table(
        fx.risk_points(), fx.swim_classes(), fx.rescue_trainings(), swim_radius_m=0, rescue_radius_m=0
    )
    result = commune_summary(communes, table, black_spot_weight=1.0)
    # Every commune has need 2 and no children: the black spots decide, then the name.
    assert result["commune_id"].tolist() == ["CM-3", "CM-2", "CM-1"]


def test_negative_weight_is_rejected(summary):
    table = coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())
    with pytest.raises(HotspotsError, match="0 or more"):
        commune_summary(fx.communes(), table, black_spot_weight=-1)


@settings(max_examples=40, deadline=None)
@given(
    children=st.lists(st.integers(0, 50_000), min_size=3, max_size=3),
    play=st.lists(st.booleans(), min_size=3, max_size=3),
    points=st.lists(
        st.tuples(
            st.floats(107.001, 107.299), st.floats(20.901, 21.099), st.sampled_from(["black_spot", "high"])
        ),
        max_size=30,
    ),
)
def test_ranks_are_a_permutation_in_score_order(children, play, points):
    communes = fx.communes().assign(children_under_16=children, has_play_space=play)
    risk = gpd.GeoDataFrame(
        {"risk_level": [p[2] for p in points], "commune_id": [None] * len(points)},
        geometry=[Point(p[0], p[1]) for p in points],
        crs="EPSG:4326",
    )
    table = coverage_table(risk, fx.swim_classes(), fx.rescue_trainings())
    result = commune_summary(communes, table)
    assert sorted(result["priority_rank"]) == [1, 2, 3]
    assert (np.diff(result["priority_score"].to_numpy()) <= 1e-12).all()
    assert result["risk_points"].sum() == len(points)
    assert ((result["priority_score"] >= 0) & (result["priority_score"] <= 1.25 + 1e-12)).all()
