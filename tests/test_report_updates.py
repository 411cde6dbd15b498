"""A report from a phone: nearby points (same place?), the GPS answer, a report attached to a stored point."""

from __future__ import annotations

import io

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pyproj import Transformer
from shapely.geometry import Point

from hotspots.config import MAX_TEXT_LENGTH, METRIC_CRS, SAME_PLACE_M, WGS84
from hotspots.errors import PermissionDeniedError, StoreError, ValidationError
from hotspots.formats import GeoFix, read_geolocation, read_photo
from hotspots.reports import history_timeline
from hotspots.store import User, open_store
from hotspots.validation import NEAR_COLUMNS, points_near
from tests import map_fixtures as fx
from tests.auth_kit import make_user

#: A place in Quảng Ninh, in UTM 48N metres.
X0, Y0 = 720_000.0, 2_320_000.0
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def _lon_lat(dx: float, dy: float) -> tuple[float, float]:
    return _TO_WGS84.transform(X0 + dx, Y0 + dy)


def _points(rows: list[tuple[str, str, str, float, float]]) -> gpd.GeoDataFrame:
    """Risk points at (dx, dy) metres from (X0, Y0): (point_id, name, status, dx, dy)."""
    return gpd.GeoDataFrame(
        {"point_id": [r[0] for r in rows], "name": [r[1] for r in rows], "status": [r[2] for r in rows]},
        geometry=[Point(*_lon_lat(r[3], r[4])) for r in rows],
        crs=WGS84,
    )


HAND_MADE = _points(
    [
        ("QN-40", "Hố bốn mươi mét", "active", 0.0, 40.0),
        ("QN-10", "Ao mười mét", "pending", 10.0, 0.0),
        ("QN-25", "Giếng hai lăm mét", "mitigated", 15.0, 20.0),
        ("QN-11", "Điểm đã bỏ", "retired", 0.0, 11.0),
        ("QN-12", "Điểm bị từ chối", "rejected", -12.0, 0.0),
    ]
)


# ---------------------------------------------------------------------- points_near


def test_points_near_gives_the_mapped_points_within_reach_nearest_first_in_metres():
    near = points_near(HAND_MADE, *_lon_lat(0, 0))
    assert list(near.columns) == list(NEAR_COLUMNS)
    assert near[["point_id", "name", "status"]].values.tolist() == [
        ["QN-10", "Ao mười mét", "pending"],
        ["QN-25", "Giếng hai lăm mét", "mitigated"],
    ]
    assert near["distance_m"].tolist() == pytest.approx([10.0, 25.0], abs=1e-6)
    # Retired and rejected points are not on the map: never "the same place".
    wider = points_near(HAND_MADE, *_lon_lat(0, 0), within_m=50)
    assert wider["point_id"].tolist() == ["QN-10", "QN-25", "QN-40"]
    assert wider["distance_m"].tolist() == pytest.approx([10.0, 25.0, 40.0], abs=1e-6)
    assert SAME_PLACE_M == 30.0


def test_points_near_measures_from_the_new_place_and_finds_nothing_far_away():
    near = points_near(HAND_MADE, *_lon_lat(10, 40), within_m=SAME_PLACE_M)
    assert near["point_id"].tolist() == ["QN-40", "QN-25"]
    assert near["distance_m"].tolist() == pytest.approx([10.0, (5.0**2 + 20.0**2) ** 0.5], abs=1e-6)
    assert points_near(HAND_MADE, *_lon_lat(500, 500)).empty
    assert list(points_near(HAND_MADE.iloc[:0], *_lon_lat(0, 0)).columns) == list(NEAR_COLUMNS)


def test_points_near_reads_points_in_another_crs():
    near = points_near(HAND_MADE.to_crs(METRIC_CRS), *_lon_lat(0, 0))
    assert near["point_id"].tolist() == ["QN-10", "QN-25"]


_OFFSETS = st.tuples(
    st.floats(min_value=-80, max_value=80, allow_nan=False), st.floats(min_value=-80, max_value=80)
)


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(_OFFSETS, min_size=0, max_size=12),
    here=_OFFSETS,
    within_m=st.floats(min_value=0, max_value=120, allow_nan=False),
)
def test_points_near_is_within_reach_sorted_and_zero_at_the_very_place(offsets, here, within_m):
    rows = [(f"QN-{i}", f"Điểm {i}", "active", dx, dy) for i, (dx, dy) in enumerate(offsets)]
    rows.append(("QN-here", "Đúng chỗ này", "pending", *here))
    lon, lat = _lon_lat(*here)
    near = points_near(_points(rows), lon, lat, within_m=within_m)
    distances = near["distance_m"].tolist()
    assert all(d <= within_m for d in distances)
    assert distances == sorted(distances)
    at_place = near[near["point_id"] == "QN-here"]
    assert at_place["distance_m"].tolist() == [0.0]


# ---------------------------------------------------------------------- the phone's GPS

#: What streamlit_js_eval's getLocation() resolves with (see its index.html).
GPS_SUCCESS = {
    "coords": {
        "accuracy": 12.7,
        "altitude": None,
        "altitudeAccuracy": None,
        "heading": None,
        "latitude": 20.96,
        "longitude": 107.18,
        "speed": None,
    },
    "timestamp": 1767225600000,
}


CHROME_INSECURE = "Only secure origins are allowed (see: https://goo.gl/Y0ZkNV)."
SAFARI_INSECURE = "Origin does not have permission to use Geolocation service"


def test_a_gps_answer_gives_the_place_and_its_accuracy():
    assert read_geolocation(GPS_SUCCESS) == GeoFix(lat=20.96, lon=107.18, accuracy_m=12.7)
    assert read_geolocation(GPS_SUCCESS, secure_context=True) == GeoFix(20.96, 107.18, 12.7)
    without = {"coords": {**GPS_SUCCESS["coords"], "accuracy": None}, "timestamp": 1}
    assert read_geolocation(without) == GeoFix(lat=20.96, lon=107.18, accuracy_m=None)


def test_no_answer_yet_is_none():
    assert read_geolocation(None) is None
    assert read_geolocation(None, secure_context=True) is None


@pytest.mark.parametrize(
    ("answer", "secure", "code"),
    [
        ({"error": {"code": 1, "message": "User denied Geolocation"}}, True, "location_denied"),
        ({"error": {"code": 1, "message": "User denied geolocation prompt"}}, None, "location_denied"),
        # Chrome and Safari on an http:// address that is not localhost.
        ({"error": {"code": 1, "message": CHROME_INSECURE}}, None, "location_insecure"),
        ({"error": {"code": 1, "message": SAFARI_INSECURE}}, None, "location_insecure"),
        ({"error": {"code": 1, "message": "User denied Geolocation"}}, False, "location_insecure"),
        (None, False, "location_insecure"),
        ({"error": {"code": 2, "message": "Position unavailable"}}, True, "location_unavailable"),
        ({"error": {"code": 3, "message": "Timeout expired"}}, True, "location_timeout"),
        (
            {"error": {"code": 0, "message": "Browser does not support geolocation!"}},
            True,
            "location_unsupported",
        ),
        ({"error": {"code": 9, "message": "?"}}, True, "location_unreadable"),
        ({"coords": {"latitude": 95.0, "longitude": 107.0, "accuracy": 5}}, True, "location_unreadable"),
        ({"coords": {"latitude": "20.9", "longitude": 107.0}}, True, "location_unreadable"),
        ({"coords": {"latitude": True, "longitude": 107.0}}, True, "location_unreadable"),
        ("No output requested", True, "location_unreadable"),
    ],
)
def test_a_refusal_says_why_with_a_coded_problem(answer, secure, code):
    with pytest.raises(ValidationError) as caught:
        read_geolocation(answer, secure_context=secure)
    assert [p.code for p in caught.value.problems] == [code]


# ---------------------------------------------------------------------- a report attached to a point


@pytest.fixture
def store(tmp_path):
    geodata = fx.write_geodata(tmp_path / "geodata")
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed_from=geodata) as opened:
        yield opened


def _png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(out, "PNG")
    return out.getvalue()


def _history(store, point_id="QN-1"):
    return store.history(point_id)


LAN = make_user("lan", "field", display_name="Lê Thị Lan", communes=("CM-1",))
HA = make_user("ha", "field", display_name="Phạm Thu Hà", communes=("CM-2",))
OFFICER = make_user("binh", "officer", display_name="Trần Thị Bình")


def test_a_report_from_the_points_commune_is_one_history_row_with_notes_reporter_and_photos(store):
    before = store.read_layer("risk_points")
    photo = read_photo(_png(), "ảnh bờ ao.png")
    store.add_report_update("QN-1", notes="  Bờ sụt thêm sau mưa  ", photos=[photo, photo], user=LAN)
    history = _history(store)
    assert history["action"].tolist() == ["seed", "photo", "report"]
    report = history.iloc[-1]
    assert (report["user"], report["what"], report["old"], report["reason"]) == (
        "Lê Thị Lan",
        "report",
        {},
        "",
    )
    assert report["new"] == {
        "notes": "Bờ sụt thêm sau mưa",
        "reporter": "Lê Thị Lan",
        "photos": [photo.sha256],
    }
    assert store.photos("QN-1")[["sha256", "filename", "added_by"]].values.tolist() == [
        [photo.sha256, "ảnh bờ ao.png", "Lê Thị Lan"]
    ]
    assert store.photo_bytes(photo.sha256) == photo.data
    # The point itself is as it was: a report is not an edit.
    assert store.read_layer("risk_points").to_json() == before.to_json()


def test_a_report_without_photos_keeps_its_notes_only(store):
    store.add_report_update("QN-3", notes="Có trẻ tắm chiều nay", user=OFFICER)
    report = _history(store, "QN-3").iloc[-1]
    assert report["new"] == {"notes": "Có trẻ tắm chiều nay", "reporter": "Trần Thị Bình", "photos": []}


def test_a_field_user_may_not_report_on_a_point_outside_their_communes(store):
    with pytest.raises(PermissionDeniedError) as caught:
        store.add_report_update("QN-1", notes="Bờ sụt", user=HA)
    assert caught.value.code == "outside_communes"
    assert _history(store)["action"].tolist() == ["seed"]


def test_nobody_logged_in_may_report(store):
    with pytest.raises(PermissionDeniedError) as caught:
        store.add_report_update("QN-1", notes="Bờ sụt", user=None)
    assert caught.value.code == "login_required"
    # A User cannot be made without a login (it is sealed).
    with pytest.raises(PermissionDeniedError):
        User("lan", "Lê Thị Lan", frozenset({"field"}))
    assert _history(store)["action"].tolist() == ["seed"]


@pytest.mark.parametrize(
    ("notes", "photos", "code"),
    [
        ("x" * (MAX_TEXT_LENGTH + 1), (), "text_too_long"),
        ("   ", (), "say_what_reported"),
        ("", (), "say_what_reported"),
    ],
)
def test_notes_too_long_or_an_empty_report_are_refused_and_nothing_is_written(store, notes, photos, code):
    with pytest.raises(ValidationError) as caught:
        store.add_report_update("QN-1", notes=notes, photos=photos, user=LAN)
    assert [(p.code, p.field, p.feature_id) for p in caught.value.problems] == [(code, "notes", "QN-1")]
    assert _history(store)["action"].tolist() == ["seed"]


def test_a_photo_alone_is_a_report(store):
    photo = read_photo(_png("blue"), "a.png")
    store.add_report_update("QN-1", notes="", photos=[photo], user=LAN)
    assert _history(store).iloc[-1]["new"] == {
        "notes": "",
        "reporter": "Lê Thị Lan",
        "photos": [photo.sha256],
    }


def test_a_report_on_an_unknown_or_retired_point_is_refused(store):
    with pytest.raises(StoreError) as caught:
        store.add_report_update("QN-0999", notes="Bờ sụt", user=OFFICER)
    assert caught.value.code == "unknown_point"
    store.set_status("QN-2", "retired", user=OFFICER, reason="Đã lấp ao")
    with pytest.raises(StoreError) as caught:
        store.add_report_update("QN-2", notes="Bờ sụt", user=OFFICER)
    assert (caught.value.code, dict(caught.value.params)) == (
        "report_point_not_mapped",
        {"point_id": "QN-2", "status": "retired"},
    )
    assert _history(store, "QN-2")["action"].tolist() == ["seed", "status"]


# ---------------------------------------------------------------------- the timeline


REPORT_ROW = {
    "at": "2026-07-01T01:30:00+00:00",
    "user": "Lê Thị Lan",
    "action": "report",
    "what": "report",
    "old": {},
    "new": {"notes": "Bờ sụt thêm sau mưa", "reporter": "Lê Thị Lan", "photos": ["a" * 64, "b" * 64]},
    "reason": "",
}


@pytest.mark.parametrize(
    ("lang", "headline", "details"),
    [
        (
            "vi",
            "01/07/2026 08:30 – Lê Thị Lan đã gửi thêm báo cáo về điểm này",
            ("Ghi chú: Bờ sụt thêm sau mưa", "Ảnh kèm theo: 2"),
        ),
        (
            "en",
            "01 Jul 2026 08:30 – Lê Thị Lan sent a further report about it",
            ("Notes: Bờ sụt thêm sau mưa", "Photos attached: 2"),
        ),
    ],
)
def test_the_timeline_tells_a_report_in_both_languages(lang, headline, details):
    (entry,) = history_timeline([REPORT_ROW], lang)
    assert (entry.headline, entry.details) == (headline, details)


def test_the_timeline_tells_a_stored_report_without_photos(store):
    store.add_report_update("QN-3", notes="Có trẻ tắm", user=OFFICER)
    entry = history_timeline(store.history("QN-3"), "vi")[-1]
    assert entry.headline.endswith("– Trần Thị Bình đã gửi thêm báo cáo về điểm này")
    assert entry.details == ("Ghi chú: Có trẻ tắm",)
