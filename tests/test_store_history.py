"""The store's history and inspections: one append-only row per change, inspections per point."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import test_store
from shapely.geometry import Point
from test_store import (
    ACTOR,
    LAT0,
    LON0,
    USER,
    add,
    count_point_history,
    point_xy,
    run_cli,
)

from hotspots.errors import StoreError, ValidationError
from hotspots.store import open_store
from tests.auth_kit import make_user

# The back-end fixtures of the store suite: SQLite, and PostgreSQL when a server is configured.
postgres_database = test_store.postgres_database
store_url = test_store.store_url
store = test_store.store
cli_url = test_store.cli_url


# ---------------------------------------------------------------------- history


def test_adding_writes_one_history_row_with_the_new_point(store):
    point_id = add(store, 3)
    rows = store.history(point_id)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["action"], row["user"], row["old"]) == ("add", USER, None)
    assert row["new"]["name"] == "Ao làng Hà Tu số 3"
    assert (row["new"]["lon"], row["new"]["lat"]) == point_xy(3)
    assert datetime.fromisoformat(row["at"]).utcoffset() == timedelta(0)


def test_a_multi_field_edit_is_one_history_row_with_old_and_new_values(store):
    point_id = add(store, 3)
    store.edit_risk_point(
        point_id,
        {"name": "Hồ Yên Lập (bờ đông)", "risk_level": "black_spot", "hazards": ["tidal_flow"]},
        user=make_user("an", "officer"),
    )
    rows = store.history(point_id)
    assert list(rows["action"]) == ["add", "edit"]
    edit = rows.iloc[1]
    assert edit["what"] == "hazards, name, risk_level"
    assert edit["old"] == {
        "name": "Ao làng Hà Tu số 3",
        "risk_level": "high",
        "hazards": ["deep_water", "no_fence"],
    }
    assert edit["new"] == {
        "name": "Hồ Yên Lập (bờ đông)",
        "risk_level": "black_spot",
        "hazards": ["tidal_flow"],
    }
    assert store.read_layer("risk_points").iloc[0]["name"] == "Hồ Yên Lập (bờ đông)"


def test_an_edit_that_changes_nothing_writes_no_history(store):
    point_id = add(store, 3)
    store.edit_risk_point(point_id, {"name": "Ao làng Hà Tu số 3"}, user=ACTOR)
    assert len(store.history(point_id)) == 1


@pytest.mark.parametrize(
    ("mutate", "action", "old", "new"),
    [
        (
            lambda s, p: s.set_status(p, "active", user=ACTOR),
            "status",
            {"status": "pending"},
            {"status": "active"},
        ),
        (
            lambda s, p: s.edit_risk_point(p, {"notes": "Đã có biển báo"}, user=ACTOR),
            "edit",
            {"notes": None},
            None,
        ),
        (
            lambda s, p: s.record_inspection(p, inspected_on="2025-05-30", findings="OK", user=ACTOR),
            "inspection",
            {"last_inspected": None},
            None,
        ),
    ],
    ids=["status", "edit", "inspection"],
)
def test_each_mutation_leaves_exactly_one_history_row(store, mutate, action, old, new):
    point_id = add(store, 3)
    other = add(store, 4)
    mutate(store, point_id)
    rows = store.history(point_id)
    assert list(rows["action"]) == ["add", action]
    assert rows.iloc[1]["old"] == old
    if new is not None:
        assert rows.iloc[1]["new"] == new
    assert len(store.history(other)) == 1
    assert count_point_history(store) == 3


def test_moving_a_point_records_the_new_coordinates(store):
    point_id = add(store, 3)
    store.edit_risk_point(point_id, {"lon": LON0 + 0.05, "lat": LAT0 + 0.01}, user=ACTOR)
    edit = store.history(point_id).iloc[-1]
    assert edit["new"]["lon"] == pytest.approx(LON0 + 0.05)
    assert edit["old"]["lat"] == pytest.approx(point_xy(3)[1])
    assert store.read_layer("risk_points").geometry.iloc[0].equals(Point(LON0 + 0.05, LAT0 + 0.01))


def test_history_of_an_unknown_point_is_a_store_error(store):
    with pytest.raises(StoreError, match="no risk point with id 'QN-9999'"):
        store.history("QN-9999")


# ---------------------------------------------------------------------- inspections


def test_inspections_are_listed_and_last_inspected_only_moves_forward(store):
    point_id = add(store, 5)
    store.record_inspection(
        point_id,
        inspected_on=date(2025, 6, 1),
        findings="Chưa có rào chắn",
        mitigations="Đề nghị xã lắp biển cảnh báo",
        user=ACTOR,
    )
    store.record_inspection(point_id, inspected_on="2025-03-02", findings="Nước sâu", user=ACTOR)
    frame = store.inspections(point_id)
    assert list(frame["inspected_on"]) == ["2025-03-02", "2025-06-01"]
    # The inspector is the logged-in user, never a typed name.
    assert list(frame["inspector"]) == list(frame["recorded_by"]) == [USER, USER]
    assert frame.iloc[1]["mitigations"] == "Đề nghị xã lắp biển cảnh báo"
    assert str(store.read_layer("risk_points").iloc[0]["last_inspected"])[:10] == "2025-06-01"
    history = store.history(point_id)
    assert history.iloc[-1]["old"] == {"last_inspected": "2025-06-01"}
    assert history.iloc[-1]["new"]["last_inspected"] == "2025-06-01"


def test_an_inspection_with_problems_lists_them_all(store):
    point_id = add(store, 5)
    tomorrow_plus = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as caught:
        store.record_inspection(point_id, inspected_on=tomorrow_plus, findings="", user=ACTOR)
    assert {p.field for p in caught.value.problems} == {"inspected_on", "findings"}
    with pytest.raises(ValidationError, match="February 2025 has 28 days"):
        store.record_inspection(point_id, inspected_on="31/02/2025", findings="OK", user=ACTOR)
    assert store.inspections(point_id).empty


@pytest.mark.parametrize("typed", ["1/6/2025", "01/06/2025", "01.06.2025", "2025-06-01"])
def test_an_inspection_day_is_read_like_every_other_date(store, typed):
    # One rule for dates: the validator's (DD/MM/YYYY as offices write it, or ISO).
    point_id = add(store, 5)
    store.record_inspection(point_id, inspected_on=typed, findings="OK", user=ACTOR)
    assert store.inspections(point_id)["inspected_on"].tolist() == ["2025-06-01"]


def test_inspecting_an_unknown_point_is_a_store_error(store):
    with pytest.raises(StoreError, match="no risk point"):
        store.record_inspection("QN-0404", inspected_on="2025-01-01", findings="OK", user=ACTOR)
    with pytest.raises(StoreError, match="no risk point"):
        store.inspections("QN-0404")


# ---------------------------------------------------------------------- command line


def test_cli_history_lists_the_changes(cli_url, capsys):
    with open_store(cli_url, seed=False) as store:
        point_id = add(store, 1)
        store.set_status(
            point_id,
            "active",
            user=make_user("truongphong", "officer", display_name="Trưởng phòng"),
            reason="đã xác minh",
        )
    assert run_cli(["history", point_id]) == 0
    out = capsys.readouterr().out
    assert "History of QN-0001 (2 change(s)" in out
    assert "status: pending → active (đã xác minh)" in out
    assert run_cli(["history", "QN-0999"]) == 2
