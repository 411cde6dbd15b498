"""The recommended-action rules, one by one, with exact sentences in both languages; inspections due."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from hotspots.analysis import (
    ACTION_RULES,
    Action,
    action_text,
    add_months,
    commune_actions,
    inspection_counts,
    inspections_due,
    listed_ids,
)
from hotspots.errors import HotspotsError

COMMUNE = {"commune_id": "CM-1", "name": "Xã Đồng Tâm", "has_play_space": True}


def points(*rows: dict) -> pd.DataFrame:
    """Risk points of one commune; every point covered by both, near both, unless a row says otherwise."""
    defaults = {
        "risk_level": "high",
        "nearest_swim_distance_m": 800.0,
        "nearest_rescue_distance_m": 600.0,
        "coverage_status": "both",
        "cluster": pd.NA,
        "planned_swim_id": None,
        "planned_swim_distance_m": np.nan,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    frame["cluster"] = frame["cluster"].astype("Int64")
    return frame


def inspections(*rows: tuple[str, str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point_id": [r[0] for r in rows],
            "inspection_status": [r[1] for r in rows],
            "days_overdue": pd.array([r[2] for r in rows], dtype="Int64"),
        }
    )


def texts(actions, lang):
    return [action_text(a, lang) for a in actions]


def test_nothing_to_do_gives_no_action():
    assert (
        commune_actions(COMMUNE, points({"point_id": "QN-1"}), inspections(("QN-1", "on_schedule", -40)))
        == ()
    )


# ---------------------------------------------------------------- black spot without a swimming class


def test_black_spot_far_from_any_swimming_class():
    actions = commune_actions(
        COMMUNE,
        points({"point_id": "QN-0412", "risk_level": "black_spot", "nearest_swim_distance_m": 7300.0}),
    )
    assert actions == (Action("black_spot_no_swim", "QN-0412", {"distance_m": 7300.0, "limit_m": 5000}),)
    assert texts(actions, "vi") == [
        "Điểm đen QN-0412 không có lớp dạy bơi nào trong vòng 5,0 km (gần nhất: 7,3 km): "
        "tổ chức một lớp dạy bơi gần điểm này."
    ]
    assert texts(actions, "en") == [
        "Black spot QN-0412 has no swimming class within 5.0 km (nearest: 7.3 km): schedule one near it."
    ]


def test_black_spot_with_no_swimming_class_at_all():
    actions = commune_actions(
        COMMUNE, points({"point_id": "QN-7", "risk_level": "black_spot", "nearest_swim_distance_m": np.nan})
    )
    assert texts(actions, "vi") == [
        "Điểm đen QN-7 không có lớp dạy bơi nào trong vòng 5,0 km (gần nhất: không có): "
        "tổ chức một lớp dạy bơi gần điểm này."
    ]
    assert texts(actions, "en") == [
        "Black spot QN-7 has no swimming class within 5.0 km (nearest: none): schedule one near it."
    ]


@pytest.mark.parametrize(
    ("distance", "expected"), [(5000.0, ()), (4999.0, ()), (5000.5, ("black_spot_no_swim",))]
)
def test_the_swimming_class_limit_is_5_km_inclusive(distance, expected):
    actions = commune_actions(
        COMMUNE, points({"point_id": "QN-1", "risk_level": "black_spot", "nearest_swim_distance_m": distance})
    )
    assert tuple(a.rule for a in actions) == expected


def test_an_ordinary_risk_point_far_from_a_class_is_no_black_spot_action():
    actions = commune_actions(COMMUNE, points({"point_id": "QN-1", "nearest_swim_distance_m": 9000.0}))
    assert actions == ()


def test_the_distance_limit_is_a_parameter():
    row = {"point_id": "QN-1", "risk_level": "black_spot", "nearest_swim_distance_m": 3500.0}
    assert commune_actions(COMMUNE, points(row)) == ()
    actions = commune_actions(COMMUNE, points(row), swim_action_m=3000)
    assert texts(actions, "en") == [
        "Black spot QN-1 has no swimming class within 3.0 km (nearest: 3.5 km): schedule one near it."
    ]


# ---------------------------------------------------------------- a planned class near the black spot


def test_black_spot_with_a_planned_class_nearby():
    row = {
        "point_id": "QN-0412",
        "risk_level": "black_spot",
        "nearest_swim_distance_m": 7300.0,
        "planned_swim_id": "SC-041",
        "planned_swim_distance_m": 1200.0,
    }
    actions = commune_actions(COMMUNE, points(row))
    assert [a.rule for a in actions] == ["black_spot_swim_planned"]
    assert texts(actions, "vi") == [
        "Điểm đen QN-0412 chưa có lớp dạy bơi nào trong vòng 5,0 km; lớp SC-041 đã được lên kế hoạch, "
        "cách 1,2 km: bảo đảm lớp được mở."
    ]
    assert texts(actions, "en") == [
        "Black spot QN-0412 has no swimming class within 5.0 km yet; class SC-041 is planned 1.2 km away: "
        "make sure it opens."
    ]


def test_a_planned_class_too_far_away_does_not_count():
    row = {
        "point_id": "QN-1",
        "risk_level": "black_spot",
        "nearest_swim_distance_m": 7300.0,
        "planned_swim_id": "SC-9",
        "planned_swim_distance_m": 6000.0,
    }
    assert [a.rule for a in commune_actions(COMMUNE, points(row))] == ["black_spot_no_swim"]


# ---------------------------------------------------------------- black spot without rescue training


def test_black_spot_far_from_rescue_training():
    actions = commune_actions(
        COMMUNE,
        points({"point_id": "QN-0412", "risk_level": "black_spot", "nearest_rescue_distance_m": 3150.0}),
    )
    assert actions == (Action("black_spot_no_rescue", "QN-0412", {"distance_m": 3150.0, "limit_m": 2000}),)
    assert texts(actions, "vi") == [
        "Điểm đen QN-0412 không có điểm tập huấn cứu hộ nào trong vòng 2,0 km (gần nhất: 3,1 km): "
        "tập huấn cứu đuối và sơ cứu cho người lớn sống gần điểm này."
    ]
    assert texts(actions, "en") == [
        "Black spot QN-0412 has no rescue training within 2.0 km (nearest: 3.1 km): train the adults "
        "living near it in water rescue and first aid."
    ]


@pytest.mark.parametrize(("distance", "fires"), [(2000.0, False), (1999.0, False), (2001.0, True)])
def test_the_rescue_limit_is_2_km_inclusive(distance, fires):
    actions = commune_actions(
        COMMUNE,
        points({"point_id": "QN-1", "risk_level": "black_spot", "nearest_rescue_distance_m": distance}),
    )
    assert bool(actions) is fires


# ---------------------------------------------------------------- in a significant hot cluster


def test_points_in_significant_hot_clusters():
    frame = points(
        {"point_id": "QN-1", "cluster": 2},
        {"point_id": "QN-2", "cluster": 1},
        {"point_id": "QN-3", "cluster": 2},
        {"point_id": "QN-4"},
    )
    actions = commune_actions(COMMUNE, frame)
    assert actions == (
        Action("hot_cluster", "CM-1", {"name": "Xã Đồng Tâm", "clusters": (1, 2), "count": 3}),
    )
    assert texts(actions, "vi") == [
        "Xã Đồng Tâm nằm trong cụm điểm nóng có ý nghĩa thống kê số 1 và 2 (3 điểm nguy cơ của địa bàn): "
        "ưu tiên mở lớp dạy bơi, tập huấn cứu hộ, làm rào chắn và biển cảnh báo tại đây."
    ]
    assert texts(actions, "en") == [
        "Xã Đồng Tâm lies in significant hot-spot cluster no. 1 and 2 (3 of its risk points): put it first "
        "for swimming classes, rescue training, fences and warning signs."
    ]


def test_no_cluster_column_means_no_cluster_rule():
    frame = points({"point_id": "QN-1"}).drop(columns="cluster")
    assert commune_actions(COMMUNE, frame) == ()


# ---------------------------------------------------------------- a high share of uncovered points


def test_half_the_points_uncovered():
    frame = points(
        {"point_id": "QN-1", "coverage_status": "neither"},
        {"point_id": "QN-2", "coverage_status": "neither"},
        {"point_id": "QN-3", "coverage_status": "swim_only"},
        {"point_id": "QN-4"},
    )
    actions = commune_actions(COMMUNE, frame, swim_radius_m=3000, rescue_radius_m=2000)
    assert [a.rule for a in actions] == ["uncovered_share"]
    assert texts(actions, "vi") == [
        "2/4 điểm nguy cơ (50 %) không có lớp dạy bơi trong vòng 3,0 km và cũng không có tập huấn cứu hộ "
        "trong vòng 2,0 km: cần lên kế hoạch cả hai tại đây."
    ]
    assert texts(actions, "en") == [
        "2 of the 4 risk points (50%) have neither a swimming class within 3.0 km nor rescue training "
        "within 2.0 km: plan both here."
    ]


def test_under_half_uncovered_is_no_action():
    frame = points(
        {"point_id": "QN-1", "coverage_status": "neither"},
        {"point_id": "QN-2", "coverage_status": "rescue_only"},
        {"point_id": "QN-3"},
    )
    assert commune_actions(COMMUNE, frame) == ()


def test_the_sentence_names_the_reach_chosen():
    frame = points({"point_id": "QN-1", "coverage_status": "neither"})
    actions = commune_actions(COMMUNE, frame, swim_radius_m=2500, rescue_radius_m=750)
    assert texts(actions, "en") == [
        "1 of the 1 risk points (100%) have neither a swimming class within 2.5 km nor rescue training "
        "within 750 m: plan both here."
    ]


# ---------------------------------------------------------------- inspections overdue, never inspected


def test_inspections_overdue_most_overdue_first():
    frame = points({"point_id": "QN-1"}, {"point_id": "QN-2"}, {"point_id": "QN-3"}, {"point_id": "QN-4"})
    due = inspections(
        ("QN-1", "overdue", 12), ("QN-2", "overdue", 3), ("QN-3", "overdue", 45), ("QN-4", "due_soon", -5)
    )
    actions = commune_actions(COMMUNE, frame, due)
    assert actions == (
        Action(
            "inspections_overdue", "CM-1", {"count": 3, "days": 45, "point_ids": ("QN-3", "QN-1", "QN-2")}
        ),
    )
    assert texts(actions, "vi") == [
        "3 điểm đã quá hạn kiểm tra (lâu nhất 45 ngày): kiểm tra QN-3, QN-1 và QN-2, "
        "điểm quá hạn lâu nhất trước."
    ]
    assert texts(actions, "en") == [
        "3 inspections are overdue (the longest by 45 days): inspect QN-3, QN-1 and QN-2, "
        "the most overdue first."
    ]


def test_one_inspection_overdue_by_one_day():
    actions = commune_actions(COMMUNE, points({"point_id": "QN-1"}), inspections(("QN-1", "overdue", 1)))
    assert texts(actions, "vi") == ["1 điểm đã quá hạn kiểm tra (1 ngày): kiểm tra QN-1."]
    assert texts(actions, "en") == ["1 inspection is overdue (by 1 day): inspect QN-1."]


def test_many_overdue_inspections_name_five_then_count_the_rest():
    ids = [f"QN-{i}" for i in range(1, 8)]
    due = inspections(*[(i, "overdue", 100 - n) for n, i in enumerate(ids)])
    actions = commune_actions(COMMUNE, points(*({"point_id": i} for i in ids)), due)
    assert texts(actions, "en") == [
        "7 inspections are overdue (the longest by 100 days): inspect QN-1, QN-2, QN-3, QN-4, QN-5 "
        "and 2 more, the most overdue first."
    ]
    assert texts(actions, "vi") == [
        "7 điểm đã quá hạn kiểm tra (lâu nhất 100 ngày): kiểm tra QN-1, QN-2, QN-3, QN-4, QN-5 "
        "và 2 điểm khác, điểm quá hạn lâu nhất trước."
    ]


def test_never_inspected_points():
    frame = points({"point_id": "QN-9"}, {"point_id": "QN-2"})
    due = inspections(("QN-9", "never_inspected", None), ("QN-2", "never_inspected", None))
    actions = commune_actions(COMMUNE, frame, due)
    assert actions == (Action("never_inspected", "CM-1", {"count": 2, "point_ids": ("QN-2", "QN-9")}),)
    assert texts(actions, "vi") == ["2 điểm nguy cơ chưa từng được kiểm tra: kiểm tra QN-2 và QN-9."]
    assert texts(actions, "en") == ["2 risk points have never been inspected: inspect QN-2 and QN-9."]
    one = commune_actions(COMMUNE, frame, due.head(1))
    assert texts(one, "en") == ["1 risk point has never been inspected: inspect QN-9."]


def test_without_inspections_no_inspection_rule():
    assert commune_actions(COMMUNE, points({"point_id": "QN-1"}), None) == ()


# ---------------------------------------------------------------- no play space


def test_no_play_space():
    commune = {**COMMUNE, "has_play_space": False}
    actions = commune_actions(commune, points({"point_id": "QN-1"}))
    assert actions == (Action("no_play_space", "CM-1", {"name": "Xã Đồng Tâm"}),)
    assert texts(actions, "vi") == [
        "Xã Đồng Tâm chưa có điểm vui chơi an toàn cho trẻ em: mở một điểm (sân trường, nhà văn hoá hoặc "
        "sân thể thao) để trẻ không ra chơi gần sông nước."
    ]
    assert texts(actions, "en") == [
        "Xã Đồng Tâm has no safe play space for children: open one (a school yard, cultural house or sports "
        "ground) so that children do not play by the water."
    ]


def test_no_play_space_applies_to_a_commune_without_risk_points():
    commune = {**COMMUNE, "has_play_space": False}
    assert [a.rule for a in commune_actions(commune, points({"point_id": "QN-1"}).iloc[0:0])] == [
        "no_play_space"
    ]


# ---------------------------------------------------------------- together, and errors


def test_actions_come_in_rule_order_black_spots_by_id():
    frame = points(
        {"point_id": "QN-9", "risk_level": "black_spot", "nearest_swim_distance_m": 8000.0, "cluster": 1},
        {"point_id": "QN-2", "risk_level": "black_spot", "nearest_rescue_distance_m": 2500.0},
        {
            "point_id": "QN-5",
            "risk_level": "black_spot",
            "nearest_swim_distance_m": 9000.0,
            "nearest_rescue_distance_m": 9000.0,
            "coverage_status": "neither",
        },
    )
    due = inspections(("QN-9", "overdue", 4), ("QN-2", "never_inspected", None), ("QN-5", "due_soon", -1))
    actions = commune_actions({**COMMUNE, "has_play_space": False}, frame, due)
    assert [(a.rule, a.subject) for a in actions] == [
        ("black_spot_no_swim", "QN-5"),
        ("black_spot_no_swim", "QN-9"),
        ("black_spot_no_rescue", "QN-2"),
        ("black_spot_no_rescue", "QN-5"),
        ("hot_cluster", "CM-1"),
        ("inspections_overdue", "CM-1"),
        ("never_inspected", "CM-1"),
        ("no_play_space", "CM-1"),
    ]
    rules = [a.rule for a in actions]
    assert rules == sorted(rules, key=ACTION_RULES.index)


def test_a_missing_column_is_named():
    with pytest.raises(HotspotsError, match="coverage_status"):
        commune_actions(COMMUNE, points({"point_id": "QN-1"}).drop(columns="coverage_status"))


def test_an_unknown_rule_has_no_sentence():
    with pytest.raises(HotspotsError, match="Unknown action rule 'fly_a_kite'"):
        action_text(Action("fly_a_kite", "CM-1"), "en")


@pytest.mark.parametrize(
    ("ids", "lang", "expected"),
    [
        ([], "en", ""),
        (["QN-1"], "vi", "QN-1"),
        (["QN-1", "QN-2"], "vi", "QN-1 và QN-2"),
        (["QN-1", "QN-2", "QN-3", "QN-4", "QN-5", "QN-6"], "en", "QN-1, QN-2, QN-3, QN-4, QN-5 and 1 more"),
    ],
)
def test_listed_ids(ids, lang, expected):
    assert listed_ids(ids, lang) == expected


# ---------------------------------------------------------------- inspections due


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 10, 15), 12, date(2026, 10, 15)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_next_inspection_12_months_after_the_last_3_for_a_black_spot():
    frame = pd.DataFrame(
        {
            "point_id": ["QN-1", "QN-2", "QN-3", "QN-4", "QN-5", "QN-6"],
            "risk_level": ["high", "black_spot", "medium", "black_spot", "low", "high"],
            "last_inspected": [
                "2024-10-01",
                "2025-08-01",
                None,
                date(2025, 3, 1),
                pd.Timestamp("2025-09-10"),
                "",
            ],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    table = inspections_due(frame, today=date(2025, 11, 20))
    assert list(table.index) == [10, 11, 12, 13, 14, 15]
    assert table["next_due"].tolist() == [
        date(2025, 10, 1),
        date(2025, 11, 1),
        None,
        date(2025, 6, 1),
        date(2026, 9, 10),
        None,
    ]
    assert table["days_overdue"].tolist() == [50, 19, pd.NA, 172, -294, pd.NA]
    assert table["inspection_status"].tolist() == [
        "overdue",
        "overdue",
        "never_inspected",
        "overdue",
        "on_schedule",
        "never_inspected",
    ]
    assert inspection_counts(table).__dict__ == {
        "overdue": 3,
        "never_inspected": 2,
        "due_soon": 0,
        "on_schedule": 1,
        "longest_overdue_days": 172,
    }


@pytest.mark.parametrize(
    ("today", "status", "days"),
    [
        (date(2025, 10, 1), "due_soon", 0),
        (date(2025, 10, 2), "overdue", 1),
        (date(2025, 9, 1), "due_soon", -30),
        (date(2025, 8, 31), "on_schedule", -31),
    ],
)
def test_due_today_is_due_soon_and_a_day_later_overdue(today, status, days):
    frame = pd.DataFrame({"point_id": ["QN-1"], "risk_level": ["high"], "last_inspected": ["2024-10-01"]})
    row = inspections_due(frame, today=today).iloc[0]
    assert (row["inspection_status"], row["days_overdue"]) == (status, days)


def test_intervals_are_parameters():
    frame = pd.DataFrame(
        {"point_id": ["QN-1"], "risk_level": ["black_spot"], "last_inspected": ["2025-01-15"]}
    )
    table = inspections_due(frame, today=date(2025, 3, 1), black_spot_interval_months=1)
    assert table["next_due"].tolist() == [date(2025, 2, 15)]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"interval_months": 0}, "whole number of months, at least 1; got 0"),
        ({"black_spot_interval_months": 2.5}, "got 2.5"),
        ({"due_soon_days": -1}, "0 or more; got -1"),
    ],
)
def test_bad_intervals_are_refused(options, message):
    frame = pd.DataFrame({"point_id": ["QN-1"], "risk_level": ["high"], "last_inspected": ["2025-01-15"]})
    with pytest.raises(HotspotsError, match=message):
        inspections_due(frame, today=date(2025, 3, 1), **options)


def test_an_unreadable_date_is_named():
    frame = pd.DataFrame({"point_id": ["QN-1"], "risk_level": ["high"], "last_inspected": ["mùa hè"]})
    with pytest.raises(HotspotsError, match="'mùa hè' is not a date"):
        inspections_due(frame, today=date(2025, 3, 1))
