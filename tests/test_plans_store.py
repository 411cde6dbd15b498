"""Planned sites in the store: add, edit, drop, history, the planner's permission; venues' status field."""

import json
from datetime import date

import folium
import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from hotspots.analysis import (
    SCHEDULE_VENUE_COLUMNS,
    catchment_children,
    coverage_table,
    in_service,
    plan_problem,
    planned_venues,
    schedule_venues,
)
from hotspots.config import GEODATA_DIR
from hotspots.errors import PermissionDeniedError, SchemaError, SitingError, StoreError, ValidationError
from hotspots.i18n import problem_message
from hotspots.maps import Legend, build_map
from hotspots.schema import RESCUE_TRAININGS, SWIM_CLASSES, VENUE_STATUSES
from hotspots.store import open_store
from hotspots.store.migrations import features
from hotspots.validation import read_layer_bytes, read_layer_file
from tests import map_fixtures as fx
from tests.auth_kit import make_user

PLANNER = make_user("lan", "planner", display_name="Lê Thị Lan")
OFFICER = make_user("binh", "officer", display_name="Trần Thị Bình")
COMMUNE_PLANNER = make_user("hoa", "planner", display_name="Phạm Thị Hoa", communes=("CM-1",))
SEASON = {"start_date": date(2026, 6, 1), "end_date": date(2026, 8, 15)}


@pytest.fixture
def store(tmp_path):
    with open_store("sqlite://", seed_from=fx.write_geodata(tmp_path / "geodata")) as opened:
        yield opened


def sites() -> gpd.GeoDataFrame:
    """Two sites as the siting model gives them: one in Xã Quảng La (CM-3), one in Phường Bãi Cháy (CM-2)."""
    return gpd.GeoDataFrame(
        {
            "rank": [1, 2],
            "candidate_kind": ["grid", "commune_centre"],
            "commune_id": ["CM-3", "CM-2"],
            "commune_name": ["Xã Quảng La", "Phường Bãi Cháy"],
            "new_risk_points": [2, 1],
            "new_black_spots": [2, 0],
            "new_children": [123.456, 40.0],
            "nearest_venue_m": [9149.24, 5000.0],
        },
        geometry=[Point(107.255, 21.0), Point(107.16, 21.05)],
        crs="EPSG:4326",
    )


def planned_rows(store, layer="swim_classes"):
    frame = store.read_layer(layer)
    return frame[frame["status"] == "planned"]


# ---------------------------------------------------------------------- the status field


@pytest.mark.parametrize("schema", [SWIM_CLASSES, RESCUE_TRAININGS])
def test_venues_have_an_optional_status_active_by_default(schema):
    field = schema.get("status")
    assert (field.kind, field.allowed, field.default, field.required) == (
        "enum",
        VENUE_STATUSES,
        "active",
        False,
    )
    assert VENUE_STATUSES == ("planned", "active", "cancelled")


@pytest.mark.parametrize("layer", ["swim_classes", "rescue_trainings"])
def test_the_sample_files_have_no_status_and_stay_valid_every_venue_active(layer):
    path = GEODATA_DIR / f"{layer}.geojson"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert not any("status" in f["properties"] for f in raw["features"])
    report = read_layer_file(path, layer=layer)
    assert (report.ok, len(report.rejected), len(report.errors)) == (True, 0, 0)
    assert set(report.valid["status"]) == {"active"}


@pytest.mark.parametrize(("status", "valid"), [("planned", True), ("cancelled", True), ("closed", False)])
def test_a_file_may_give_a_status_and_an_unknown_one_is_refused(status, valid):
    feature = {
        "type": "Feature",
        "properties": {
            "class_id": "SC-9",
            "name": "Lớp bơi thử",
            "venue_type": "pool",
            "organiser": "Đoàn xã",
            "start_date": "2026-06-01",
            "end_date": "2026-06-30",
            "capacity": 30,
            "status": status,
        },
        "geometry": {"type": "Point", "coordinates": [107.05, 20.95]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    report = read_layer_bytes(data, filename="lop.geojson", layer="swim_classes")
    assert report.ok is valid
    if valid:
        assert report.valid["status"].tolist() == [status]
    else:
        assert [p.code for p in report.errors] == ["not_allowed"]


def test_a_venue_stored_before_the_status_field_reads_as_active(store):
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(features.c.properties).where(features.c.feature_id == "SC-001")).scalar()
        assert row.pop("status") == "active"
        conn.execute(features.update().where(features.c.feature_id == "SC-001").values(properties=row))
    classes = store.read_layer("swim_classes").set_index("class_id")
    assert classes.loc["SC-001", "status"] == "active"


# ---------------------------------------------------------------------- adding


def test_planned_sites_are_stored_with_fresh_ids_sensible_fields_and_a_history_row_each(store):
    ids = store.add_planned_sites(
        "swim_classes", sites(), user=PLANNER, organiser="Đoàn thanh niên xã", capacity=25, **SEASON
    )
    assert ids == ["SC-0003", "SC-0004"]
    added = planned_rows(store).set_index("class_id")
    assert added.loc["SC-0003", "name"] == "Lớp dự kiến – Xã Quảng La"
    assert added.loc["SC-0004", "name"] == "Lớp dự kiến – Phường Bãi Cháy"
    history = store.history("SC-0003", layer="swim_classes")
    assert history[["action", "user", "what"]].values.tolist() == [["plan", "Lê Thị Lan", "planned site"]]
    assert history.loc[0, "old"] is None
    assert history.loc[0, "new"] == {
        "class_id": "SC-0003",
        "name": "Lớp dự kiến – Xã Quảng La",
        "commune_id": "CM-3",
        "venue_type": "portable_pool",
        "organiser": "Đoàn thanh niên xã",
        "start_date": "2026-06-01",
        "end_date": "2026-08-15",
        "capacity": 25,
        "participants": None,
        "status": "planned",
        "notes": None,
        "new_risk_points": 2,
        "new_black_spots": 2,
        "new_children": 123.5,
        "nearest_venue_m": 9149.2,
        "candidate_kind": "grid",
    }
    assert len(store.history("SC-0004", layer="swim_classes")) == 1
    # The held classes are untouched, and the ids keep counting from there.
    assert store.add_planned_sites(
        "swim_classes", sites().iloc[:1].assign(geometry=[Point(107.27, 21.08)]), user=PLANNER
    ) == ["SC-0005"]


def test_defaults_fill_what_the_planner_did_not_say(store):
    store.add_planned_sites("swim_classes", sites().drop(columns="commune_name"), user=PLANNER, **SEASON)
    added = planned_rows(store).set_index("class_id")
    assert added.loc["SC-0003", "organiser"] == "Chưa phân công"
    assert added.loc["SC-0003", "capacity"] == 30
    assert added.loc["SC-0003", "name"] == "Lớp dự kiến – 21.00000, 107.25500"


def test_a_planned_training_takes_place_on_the_seasons_first_day_and_keeps_its_capacity(store):
    assert store.add_planned_sites("rescue_trainings", sites(), user=PLANNER, capacity=40, **SEASON) == [
        "RT-0003",
        "RT-0004",
    ]
    added = planned_rows(store, "rescue_trainings").set_index("training_id")
    row = added.loc["RT-0003"]
    assert (row["name"], row["date"], row["participants"], row["audience"], row["capacity"]) == (
        "Tập huấn dự kiến – Xã Quảng La",
        "2026-06-01",
        0,
        "community",
        40,
    )


@pytest.mark.parametrize(
    ("user", "error", "message"),
    [
        (
            OFFICER,
            PermissionDeniedError,
            "Tài khoản 'binh' không được lập kế hoạch lớp dạy bơi và lịch: việc này cần vai trò "
            "cán bộ kế hoạch.",
        ),
        (
            COMMUNE_PLANNER,
            PermissionDeniedError,
            "Tài khoản 'hoa' chỉ được lập kế hoạch lớp dạy bơi và lịch ở xã, phường CM-1; "
            "không được ở CM-2, CM-3.",
        ),
        ("lan", PermissionDeniedError, "Hãy đăng nhập để lập kế hoạch lớp dạy bơi và lịch"),
    ],
)
def test_only_a_planner_may_plan_and_only_in_their_communes(store, user, error, message):
    with pytest.raises(error) as refused:
        store.add_planned_sites("swim_classes", sites(), user=user, **SEASON)
    assert problem_message(refused.value, "vi").startswith(message)
    assert len(store.read_layer("swim_classes")) == 2


def test_a_planner_plans_in_their_own_commune(store):
    inside = (
        sites()
        .iloc[:1]
        .assign(commune_id="CM-1", commune_name="Phường Hồng Gai", geometry=[Point(107.02, 20.92)])
    )
    assert store.add_planned_sites("swim_classes", inside, user=COMMUNE_PLANNER, **SEASON) == ["SC-0003"]


@pytest.mark.parametrize(
    ("layer", "frame", "options", "error", "code"),
    [
        ("risk_points", sites(), {}, StoreError, "plan.not_plannable"),
        ("swim_classes", sites().iloc[:0], {}, StoreError, "plan.no_sites"),
        ("swim_classes", sites(), {"capacity": 0}, StoreError, "plan.bad_capacity"),
        (
            "swim_classes",
            sites(),
            {"start_date": date(2026, 8, 1), "end_date": date(2026, 6, 1)},
            StoreError,
            "plan.season_reversed",
        ),
    ],
)
def test_bad_plans_are_refused_with_a_code(store, layer, frame, options, error, code):
    with pytest.raises(error) as refused:
        store.add_planned_sites(layer, frame, user=PLANNER, **options)
    assert refused.value.code == code
    assert len(store.read_layer("swim_classes")) == 2


def test_a_site_outside_the_province_or_on_a_venue_stores_nothing(store):
    outside = sites().assign(geometry=[Point(107.255, 21.0), Point(106.5, 21.5)])
    with pytest.raises(ValidationError):
        store.add_planned_sites("swim_classes", outside, user=PLANNER, **SEASON)
    on_a_class = sites().assign(geometry=[Point(107.255, 21.0), Point(107.15002, 21.0)])  # 2 m from SC-002
    with pytest.raises(ValidationError) as refused:
        store.add_planned_sites("swim_classes", on_a_class, user=PLANNER, **SEASON)
    assert [p.code for p in refused.value.problems if p.severity == "error"] == ["too_close"]
    assert len(store.read_layer("swim_classes")) == 2


# ---------------------------------------------------------------------- editing and dropping


def test_editing_a_planned_site_keeps_the_old_values_in_its_history(store):
    store.add_planned_sites("swim_classes", sites(), user=PLANNER, **SEASON)
    store.edit_planned_site(
        "swim_classes",
        "SC-0003",
        {"organiser": "Hội Chữ thập đỏ", "capacity": 40, "end_date": date(2026, 7, 31)},
        user=PLANNER,
    )
    row = planned_rows(store).set_index("class_id").loc["SC-0003"]
    assert (row["organiser"], row["capacity"], row["end_date"]) == ("Hội Chữ thập đỏ", 40, "2026-07-31")
    edit = store.history("SC-0003", layer="swim_classes").iloc[-1]
    assert (edit["action"], edit["user"], edit["what"]) == (
        "edit",
        "Lê Thị Lan",
        "capacity, end_date, organiser",
    )
    assert edit["old"] == {"capacity": 30, "end_date": "2026-08-15", "organiser": "Chưa phân công"}
    assert edit["new"] == {"capacity": 40, "end_date": "2026-07-31", "organiser": "Hội Chữ thập đỏ"}


def test_editing_nothing_new_adds_no_history(store):
    store.add_planned_sites("swim_classes", sites(), user=PLANNER, **SEASON)
    store.edit_planned_site("swim_classes", "SC-0003", {"capacity": 30}, user=PLANNER)
    assert store.history("SC-0003", layer="swim_classes")["action"].tolist() == ["plan"]


def test_a_trainings_capacity_is_edited_too(store):
    store.add_planned_sites("rescue_trainings", sites(), user=PLANNER, **SEASON)
    store.edit_planned_site(
        "rescue_trainings", "RT-0003", {"capacity": 12, "date": "05/06/2026"}, user=PLANNER
    )
    row = planned_rows(store, "rescue_trainings").set_index("training_id").loc["RT-0003"]
    assert (row["capacity"], row["date"]) == (12, "2026-06-05")


@pytest.mark.parametrize(
    ("site_id", "changes", "user", "error", "code"),
    [
        ("SC-0003", {"status": "active"}, PLANNER, SchemaError, "plan.edit_fields"),
        ("SC-0003", {"venue_type": "pool"}, PLANNER, SchemaError, "plan.edit_fields"),
        ("SC-0003", {"capacity": 2.5}, PLANNER, StoreError, "plan.bad_capacity"),
        ("SC-001", {"capacity": 20}, PLANNER, StoreError, "plan.not_planned"),
        ("SC-0099", {"capacity": 20}, PLANNER, StoreError, "unknown_feature"),
        ("SC-0003", {"capacity": 20}, OFFICER, PermissionDeniedError, "permission_denied"),
        ("SC-0003", {"capacity": 20}, COMMUNE_PLANNER, PermissionDeniedError, "outside_communes"),
    ],
)
def test_edits_refused(store, site_id, changes, user, error, code):
    store.add_planned_sites("swim_classes", sites(), user=PLANNER, **SEASON)
    with pytest.raises(error) as refused:
        store.edit_planned_site("swim_classes", site_id, changes, user=user)
    assert refused.value.code == code


def test_an_edit_ending_before_the_start_is_invalid(store):
    store.add_planned_sites("swim_classes", sites(), user=PLANNER, **SEASON)
    with pytest.raises(ValidationError):
        store.edit_planned_site("swim_classes", "SC-0003", {"end_date": date(2026, 5, 1)}, user=PLANNER)
    assert store.history("SC-0003", layer="swim_classes")["action"].tolist() == ["plan"]


def test_dropping_a_planned_site_cancels_it_with_the_reason_in_its_history(store):
    store.add_planned_sites("swim_classes", sites(), user=PLANNER, **SEASON)
    store.drop_planned_site("swim_classes", "SC-0004", user=PLANNER, reason="Trùng với lớp của huyện")
    classes = store.read_layer("swim_classes").set_index("class_id")
    assert classes["status"].to_dict() == {
        "SC-0003": "planned",
        "SC-0004": "cancelled",
        "SC-001": "active",
        "SC-002": "active",
    }
    dropped = store.history("SC-0004", layer="swim_classes").iloc[-1]
    assert (dropped["action"], dropped["old"], dropped["new"], dropped["reason"]) == (
        "status",
        {"status": "planned"},
        {"status": "cancelled"},
        "Trùng với lớp của huyện",
    )
    assert planned_venues(classes.reset_index())["class_id"].tolist() == ["SC-0003"]
    assert in_service(classes.reset_index())["class_id"].tolist() == ["SC-001", "SC-002"]
    with pytest.raises(StoreError) as again:
        store.drop_planned_site("swim_classes", "SC-0004", user=PLANNER)
    assert again.value.code == "plan.not_planned"
    with pytest.raises(PermissionDeniedError):
        store.drop_planned_site("swim_classes", "SC-0003", user=OFFICER)


# ---------------------------------------------------------------------- what reads the statuses


def test_coverage_counts_only_venues_in_service():
    layers = fx.layers()
    before = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    assert before.set_index("point_id").loc["QN-3", "coverage_status"] == "both"
    for status in ("planned", "cancelled"):
        classes = layers["swim_classes"].assign(status=["active", status])
        after = coverage_table(layers["risk_points"], classes, layers["rescue_trainings"]).set_index(
            "point_id"
        )
        assert after.loc["QN-3", "coverage_status"] == "rescue_only"
        assert after.loc["QN-2", "coverage_status"] == "swim_only"


def test_the_map_draws_planned_classes_in_their_own_dashed_layer_and_no_cancelled_one():
    layers = fx.layers()
    layers["swim_classes"] = layers["swim_classes"].assign(
        status=["planned", "cancelled"], name=["Lớp dự kiến – Phường Hồng Gai", "Lớp đã huỷ"]
    )
    table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    fmap = build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    children = list(fmap._children.values())
    drawn = {c.layer_name: c for c in children if isinstance(c, folium.GeoJson)}
    planned = drawn["Lớp dạy bơi dự kiến"]
    assert [f["properties"]["tooltip"] for f in planned.data["features"]] == ["Lớp dự kiến – Phường Hồng Gai"]
    assert "border:2px dashed #2f6f85" in planned.marker.icon.options["html"]
    # The cancelled class is nowhere, and no class in service means no swimming reach.
    assert "Lớp dạy bơi" not in drawn
    assert not [name for name in drawn if name.startswith("Vùng bao phủ lớp dạy bơi")]
    assert "Vùng bao phủ tập huấn cứu hộ (2,0 km)" in drawn
    (legend,) = [c for c in children if isinstance(c, Legend)]
    assert "Dự kiến, chưa mở (viền nét đứt)" in legend.html


# ---------------------------------------------------------------------- the planning glue (analysis)


def test_the_planner_chooses_the_candidate_kinds_and_the_open_venues_stay_fixed():
    problem = plan_problem(fx.layers(), kind="swim", radius_m=2000, candidate_kinds=("commune_centre",))
    candidates = problem.candidates
    assert candidates["candidate_kind"].tolist() == ["existing"] * 2 + ["commune_centre"] * 3
    assert candidates["source_id"].tolist() == ["SC-001", "SC-002", "CM-1", "CM-2", "CM-3"]
    assert problem.fixed.tolist() == [0, 1]
    assert problem.cost.shape == (5, 5)  # the five active risk points
    everything = plan_problem(fx.layers(), kind="swim", radius_m=2000)
    assert set(everything.candidates["candidate_kind"]) == {
        "existing",
        "commune_centre",
        "play_space",
        "near_venue",
        "grid",
    }


def test_planned_venues_count_as_open_and_cancelled_ones_do_not():
    layers = fx.layers()
    layers["swim_classes"] = layers["swim_classes"].assign(status=["planned", "cancelled"])
    problem = plan_problem(layers, kind="swim", radius_m=2000, candidate_kinds=())
    assert problem.candidates["source_id"].tolist() == ["SC-001"]
    assert problem.fixed.tolist() == [0]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"kind": "swim", "candidate_kinds": ("beach",)}, "plan.unknown_candidates"),
        ({"kind": "boat"}, "plan.unknown_kind"),
    ],
)
def test_unknown_kinds_are_refused_with_a_code(options, code):
    with pytest.raises(SitingError) as refused:
        plan_problem(fx.layers(), radius_m=2000, **options)
    assert refused.value.code == code


def test_schedule_venues_count_the_children_newly_within_reach_of_a_planned_or_proposed_site():
    layers = fx.layers()
    communes = layers["communes"]
    planned = layers["swim_classes"].assign(status=["planned", "planned"], new_children=[120.0, None])
    proposed = sites()
    venues = schedule_venues(
        communes, planned=planned, proposed=proposed, existing=fx.swim_classes(), radius_m=3000
    )
    assert list(venues.columns) == list(SCHEDULE_VENUE_COLUMNS)
    assert venues["venue_id"].tolist() == ["SC-001", "SC-002", "DX-1", "DX-2", "SC-001", "SC-002"]
    assert venues["source"].tolist() == ["planned"] * 2 + ["proposed"] * 2 + ["existing"] * 2
    assert venues["name"].tolist()[2:4] == ["Lớp dự kiến – Xã Quảng La", "Lớp dự kiến – Phường Bãi Cháy"]
    children = venues["children"].tolist()
    assert children[0] == 120.0
    assert children[2:4] == [123.456, 40.0]
    # A planned site stored without the number counts its catchment, as an open venue does.
    catchment = catchment_children(fx.swim_classes(), communes, radius_m=3000)
    assert children[1] == pytest.approx(
        catchment_children(fx.swim_classes().iloc[1:], communes, radius_m=3000)[0]
    )
    assert children[4:] == pytest.approx(list(catchment))
