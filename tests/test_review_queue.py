"""Reviewing at scale: many points approved or rejected in one write, the queue's filters and its map."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry import Point

from hotspots.analysis import filter_pending, local_days, reporters
from hotspots.errors import PermissionDeniedError, SchemaError, StoreError, ValidationError
from hotspots.i18n import problem_message, problem_text
from hotspots.maps import MAX_FIT_ZOOM, SELECTED_COLOUR, build_review_map
from hotspots.store import open_store
from tests import map_fixtures as fx
from tests.auth_kit import make_user

OFFICER = make_user("tinh", "officer", display_name="Cán bộ tỉnh")
HONG_GAI = make_user("hg", "officer", display_name="Cán bộ Hồng Gai", communes=("CM-1",))
FIELD = make_user("an", "field", display_name="Nguyễn Văn An")
BINH = make_user("binh", "field", display_name="Trần Thị Bình")


@pytest.fixture
def store(tmp_path):
    """The hand-made layers, plus three reports: QN-7 in CM-1 (An), QN-8 and QN-9 in CM-2 (Bình)."""
    with open_store("sqlite://", seed_from=fx.write_geodata(tmp_path / "geodata")) as opened:
        for point_id, lon, lat, name, who in (
            ("QN-7", 107.03, 20.97, "Ao sau trường", FIELD),
            ("QN-8", 107.17, 20.97, "Hố cát ven đê", BINH),
            ("QN-9", 107.18, 21.07, "Kênh tiêu nước", BINH),
        ):
            properties = {"point_id": point_id, "name": name, "water_type": "pond", "risk_level": "low"}
            opened.add_risk_point(properties, lon=lon, lat=lat, user=who)
        yield opened


def _statuses(store) -> dict[str, str]:
    points = store.read_layer("risk_points", include_retired=True)
    return dict(zip(points["point_id"], points["status"], strict=True))


def _history_lengths(store, ids=("QN-1", "QN-6", "QN-7", "QN-8", "QN-9")) -> dict[str, int]:
    return {point_id: len(store.history(point_id)) for point_id in ids}


def test_the_reports_wait_in_the_queue_with_who_reported_them_and_when(store):
    queue = store.review_queue()
    assert queue["point_id"].tolist() == ["QN-6", "QN-7", "QN-8", "QN-9"]
    assert queue["commune_id"].tolist()[1:] == ["CM-1", "CM-2", "CM-2"]
    assert queue["created_by"].tolist() == ["seed", "Nguyễn Văn An", "Trần Thị Bình", "Trần Thị Bình"]
    assert str(queue["created_at"].dtype) == "datetime64[us, UTC]"
    assert queue.columns[-3:].tolist() == ["created_at", "created_by", "geometry"]
    assert store.review_queue(commune_ids=["CM-2"])["point_id"].tolist() == ["QN-8", "QN-9"]
    assert reporters(queue) == ["Nguyễn Văn An", "Trần Thị Bình", "seed"]


def test_approving_several_points_changes_them_all_in_one_write(store):
    assert store.set_status_many(["QN-7", "QN-8", "QN-7"], "active", user=OFFICER) == 2
    statuses = _statuses(store)
    assert (statuses["QN-7"], statuses["QN-8"], statuses["QN-9"]) == ("active", "active", "pending")
    rows = [store.history(point_id).iloc[-1] for point_id in ("QN-7", "QN-8")]
    assert [r[["action", "what", "user", "reason"]].tolist() for r in rows] == [
        ["status", "status", "Cán bộ tỉnh", ""],
        ["status", "status", "Cán bộ tỉnh", ""],
    ]
    assert [(r["old"], r["new"]) for r in rows] == [({"status": "pending"}, {"status": "active"})] * 2
    assert rows[0]["at"] == rows[1]["at"]


def test_one_point_that_cannot_change_leaves_every_point_unchanged(store):
    before, history = _statuses(store), _history_lengths(store)
    revision = store.revision()
    with pytest.raises(ValidationError) as caught:
        store.set_status_many(["QN-7", "QN-1", "QN-8", "QN-404"], "active", user=OFFICER)
    error = caught.value
    assert (error.code, dict(error.params)) == ("status_many_refused", {"count": 2, "ids": "QN-1, QN-404"})
    assert (
        problem_message(error, "vi")
        == "Không đổi trạng thái điểm nào: 2 điểm không chuyển được (QN-1, QN-404)."
    )
    assert [(p.feature_id, p.code) for p in error.problems] == [
        ("QN-1", "status_change_forbidden"),
        ("QN-404", "unknown_point"),
    ]
    assert problem_text(error.problems[1], "en") == (
        "id QN-404: There is no risk point with id 'QN-404' in the store (ids look like QN-0001)."
    )
    assert _statuses(store) == before
    assert _history_lengths(store) == history
    assert store.revision() == revision


def test_a_field_user_may_not_approve(store):
    before = _statuses(store)
    with pytest.raises(PermissionDeniedError) as caught:
        store.set_status_many(["QN-7"], "active", user=FIELD)
    assert caught.value.code == "permission_denied"
    assert _statuses(store) == before


def test_a_commune_officer_is_refused_outside_their_communes_and_nothing_changes(store):
    before = _statuses(store)
    with pytest.raises(ValidationError) as caught:
        store.set_status_many(["QN-7", "QN-8", "QN-6"], "active", user=HONG_GAI)
    assert caught.value.params["ids"] == "QN-8, QN-6"
    problems = caught.value.problems
    assert [(p.feature_id, p.code, p.params["outside"]) for p in problems] == [
        ("QN-8", "outside_communes", "CM-2"),
        ("QN-6", "outside_communes", "—"),
    ]
    assert _statuses(store) == before
    assert store.set_status_many(["QN-7"], "active", user=HONG_GAI) == 1
    assert _statuses(store)["QN-7"] == "active"


def test_a_provincial_officer_may_approve_in_every_commune(store):
    assert store.set_status_many(["QN-6", "QN-7", "QN-8", "QN-9"], "active", user=OFFICER) == 4
    assert store.review_queue().empty


@pytest.mark.parametrize("reason", ["", "   \n"])
@pytest.mark.parametrize("how", ["many", "one"])
def test_a_rejection_without_a_reason_is_refused(store, reason, how):
    before, history = _statuses(store), _history_lengths(store)
    with pytest.raises(StoreError) as caught:
        if how == "many":
            store.set_status_many(["QN-8", "QN-9"], "rejected", user=OFFICER, reason=reason)
        else:
            store.set_status("QN-8", "rejected", user=OFFICER, reason=reason)
    assert caught.value.code == "rejection_needs_reason"
    assert (
        problem_message(caught.value, "vi") == "Hãy ghi lý do từ chối: lý do được ghi vào lịch sử của điểm."
    )
    assert (_statuses(store), _history_lengths(store)) == (before, history)


def test_a_rejection_with_a_reason_records_it_for_every_point(store):
    assert store.set_status_many(["QN-8", "QN-9"], "rejected", user=OFFICER, reason="Trùng điểm đã có") == 2
    assert [store.history(p).iloc[-1]["reason"] for p in ("QN-8", "QN-9")] == ["Trùng điểm đã có"] * 2
    assert store.review_queue()["point_id"].tolist() == ["QN-6", "QN-7"]


def test_an_empty_selection_writes_nothing_and_an_unknown_status_is_refused(store):
    revision = store.revision()
    assert store.set_status_many([], "active", user=OFFICER) == 0
    assert store.revision() == revision
    with pytest.raises(SchemaError):
        store.set_status_many(["QN-7"], "approved", user=OFFICER)


# ---------------------------------------------------------------------- the queue's filters


def _queue(rows) -> gpd.GeoDataFrame:
    """Rows of (point_id, status, commune_id, created_by, created_at as ISO text in UTC)."""
    return gpd.GeoDataFrame(
        {
            "point_id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "commune_id": [r[2] for r in rows],
            "created_by": [r[3] for r in rows],
            "created_at": pd.to_datetime([r[4] for r in rows], utc=True, format="ISO8601"),
        },
        geometry=[Point(107.0 + i / 100, 21.0) for i in range(len(rows))],
        crs="EPSG:4326",
    )


QUEUE = _queue(
    [
        ("QN-1", "pending", "CM-1", "An", "2025-06-01T16:59:59Z"),  # 23:59:59 on 1 June in Vietnam
        ("QN-2", "pending", "CM-1", "Bình", "2025-06-01T17:00:00Z"),  # 00:00 on 2 June in Vietnam
        ("QN-3", "pending", "CM-2", "An", "2025-06-03T02:00:00Z"),
        ("QN-4", "active", "CM-2", "An", "2025-06-02T02:00:00Z"),
        ("QN-5", "pending", None, "Chi", "2025-06-05T10:00:00Z"),
    ]
)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["QN-1", "QN-2", "QN-3", "QN-5"]),
        ({"communes": ["CM-1"]}, ["QN-1", "QN-2"]),
        ({"communes": ["CM-2"]}, ["QN-3"]),
        ({"communes": []}, ["QN-1", "QN-2", "QN-3", "QN-5"]),
        ({"reporters": ["An"]}, ["QN-1", "QN-3"]),
        ({"reporters": ["An", "Chi"], "communes": ["CM-2"]}, ["QN-3"]),
        ({"since": date(2025, 6, 2)}, ["QN-2", "QN-3", "QN-5"]),
        ({"until": date(2025, 6, 1)}, ["QN-1"]),
        ({"since": date(2025, 6, 2), "until": date(2025, 6, 3)}, ["QN-2", "QN-3"]),
        ({"since": date(2025, 6, 3), "until": date(2025, 6, 3)}, ["QN-3"]),
        ({"since": date(2025, 6, 6)}, []),
    ],
)
def test_filters_keep_exactly_the_matching_pending_points(filters, expected):
    assert filter_pending(QUEUE, **filters)["point_id"].tolist() == expected


def test_days_are_vietnamese_calendar_days_and_naive_times_are_utc():
    naive = pd.Series(pd.to_datetime(["2025-06-01T16:59:59", "2025-06-01T17:00:00"]))
    assert local_days(naive) == [date(2025, 6, 1), date(2025, 6, 2)]
    assert local_days(pd.Series(["2025-06-01T17:00:00.123+00:00", None])) == [date(2025, 6, 2), None]
    assert reporters(QUEUE) == ["An", "Bình", "Chi"]


_rows = st.lists(
    st.tuples(
        st.sampled_from(["pending", "pending", "active", "rejected"]),
        st.sampled_from(["CM-1", "CM-2", "CM-3", None]),
        st.sampled_from(["An", "Bình", "Chi"]),
        st.datetimes(
            min_value=pd.Timestamp("2025-01-01").to_pydatetime(),
            max_value=pd.Timestamp("2025-12-31").to_pydatetime(),
        ),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_rows,
    communes=st.lists(st.sampled_from(["CM-1", "CM-2", "CM-3", "CM-9"]), max_size=3),
    people=st.lists(st.sampled_from(["An", "Bình", "Chi"]), max_size=2),
    since=st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
    until=st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
)
def test_filtering_keeps_a_subset_and_the_communes_split_the_queue(rows, communes, people, since, until):
    queue = _queue(
        [
            (f"QN-{i}", status, commune, who, at.isoformat())
            for i, (status, commune, who, at) in enumerate(rows)
        ]
    )
    everything = filter_pending(queue)
    assert set(everything["point_id"]) == set(queue.loc[queue["status"] == "pending", "point_id"])
    chosen = filter_pending(queue, communes=communes, reporters=people, since=since, until=until)
    assert set(chosen["point_id"]) <= set(everything["point_id"])
    assert chosen["point_id"].tolist() == [p for p in everything["point_id"] if p in set(chosen["point_id"])]
    # Each commune's filter, put together: every pending point that has a commune, each once.
    parts = [filter_pending(queue, communes=[c])["point_id"].tolist() for c in ("CM-1", "CM-2", "CM-3")]
    joined = [p for part in parts for p in part]
    assert len(joined) == len(set(joined))
    assert set(joined) == set(everything.loc[everything["commune_id"].notna(), "point_id"])
    # Days split the queue too: each pending point falls on exactly one local day.
    days = sorted({d for d in local_days(everything["created_at"])})
    by_day = [filter_pending(queue, since=d, until=d)["point_id"].tolist() for d in days]
    assert sorted(p for part in by_day for p in part) == sorted(everything["point_id"])


# ---------------------------------------------------------------------- the queue's map


def _js(text: str) -> str:
    """``text`` as the map's script writes it (layer names are JSON strings with escaped accents)."""
    return json.dumps(text)[1:-1]


def _popup(text: str) -> str:
    """``text`` as a popup's content is written in the map's script (a JSON string safe in HTML)."""
    return str(htmlsafe_json_dumps(text))[1:-1]


def test_the_review_map_escapes_names_highlights_the_selection_and_fits_it(store):
    layers = {name: store.read_layer(name) for name in ("province", "communes")}
    queue = store.review_queue()
    queue.loc[queue["point_id"] == "QN-9", "name"] = fx.SCRIPT_NAME
    fmap = build_review_map(queue, layers, lang="vi", selected=["QN-8", "QN-9"])
    page = fmap.get_root().render()
    assert "<script>alert('x')</script>" not in page
    assert _popup("QN-9 – &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Hồ") in page
    assert _popup("QN-7 – Ao sau trường") in page
    assert _js("Điểm chờ duyệt (2)") in page and _js("Điểm đang chọn (2)") in page
    assert page.count(SELECTED_COLOUR) == 2
    assert f'"maxZoom": {MAX_FIT_ZOOM}' in page
    assert "[[20.97, 107.17], [21.07, 107.18]]" in page


def test_the_review_map_without_a_selection_fits_every_point_and_in_english(store):
    layers = {name: store.read_layer(name) for name in ("province", "communes")}
    page = build_review_map(store.review_queue(), layers, lang="en").get_root().render()
    assert _js("Points awaiting review (4)") in page and "Selected points" not in page
    assert SELECTED_COLOUR not in page
    assert "[[20.97, 107.03], [21.07, 107.18]]" in page
