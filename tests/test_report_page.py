"""The report page under AppTest: a new point and its id, the form after a save, same place, photos, files."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

import io
import json

import pytest
from PIL import Image
from PIL.ExifTags import IFD
from pyproj import Transformer

from hotspots.config import METRIC_CRS, WGS84
from hotspots.i18n import make_problem, problem_message, t
from pages._common import store
from tests.auth_kit import log_in_as
from tests.test_dataset import encode_cp1258
from tests.test_pages import app, fresh_store  # noqa: F401  (pytest fixtures)

#: Inside the test province, in commune CM-2 (Phường Bãi Cháy), far from every fixture point.
INSIDE = ("20,96", "107.18")
REPORTER = "Nguyễn Văn An"
#: Who imports files in these tests: an officer (who may also import approved data).
IMPORTER = "Trần Thị Bình"
ADDED = "Đã ghi điểm QN-0007 ở trạng thái chờ duyệt. Cán bộ sẽ xem xét."
REFUSED = "Chưa lưu được điểm. Sửa các lỗi sau rồi gửi lại (thông tin đã nhập vẫn được giữ):"
IMPORT_FAILED = "Không nhập được tệp:"
#: Every field of a point and its value on an empty form.
POINT_DEFAULTS = {
    ("text_input", "report_lat"): "",
    ("text_input", "report_lon"): "",
    ("text_input", "report_name"): "",
    ("selectbox", "report_water_type"): None,
    ("selectbox", "report_risk_level"): None,
    ("multiselect", "report_hazards"): [],
    ("text_area", "report_notes"): "",
}


def _fill(
    at,
    *,
    lat=INSIDE[0],
    lon=INSIDE[1],
    name="Ao mới đào",
    water_type="pond",
    risk_level="high",
    hazards=("deep_water", "no_fence"),
    notes="",
):
    at.text_input(key="report_lat").set_value(lat)
    at.text_input(key="report_lon").set_value(lon)
    at.text_input(key="report_name").set_value(name)
    at.selectbox(key="report_water_type").set_value(water_type)
    at.selectbox(key="report_risk_level").set_value(risk_level)
    at.multiselect(key="report_hazards").set_value(list(hazards))
    at.text_area(key="report_notes").set_value(notes)
    return at


def _submit(at):
    at.button(key="report_submit").click().run()
    assert not at.exception, at.exception
    return at


def _signed_in(at, name, *roles, **details):
    """Log in once per test (the reporter: the logged-in user, recorded in the history)."""
    if "_user" not in at.session_state:
        log_in_as(at, name, *roles, **details)
    return at


def _report(at, **fields):
    _signed_in(at, "an", "field", display_name=REPORTER)
    at.switch_page("pages/report.py").run()
    return _submit(_fill(at, **fields))


def _block(node, key):
    """The container drawn with ``key`` (depth first), or None."""
    for child in getattr(node, "children", {}).values():
        if getattr(child, "key", None) == key and hasattr(child, "children"):
            return child
        found = _block(child, key)
        if found is not None:
            return found
    return None


def _outcome(at):
    """What the page shows right under the submit button: (successes, errors)."""
    block = _block(at.main, "report_outcome")
    assert block is not None
    return [s.value for s in block.success], [e.value for e in block.error]


def _form(at):
    return {(kind, key): getattr(at, kind)(key=key).value for kind, key in POINT_DEFAULTS}


@pytest.mark.parametrize(
    ("lat", "lon"), [INSIDE, ("20.96", "107,18"), ("20°57'36\"N", "107°10'48\"E"), ("20.96, 107.18", "")]
)
def test_typed_coordinates_add_a_pending_point_in_its_commune_with_history(app, lat, lon):
    _report(app, lat=lat, lon=lon, notes="Bờ dốc, không có rào")
    added = store().read_layer("risk_points", statuses=["pending"]).set_index("point_id").loc["QN-0007"]
    communes = store().read_layer("communes").set_index("commune_id")
    assert (added["name"], added["water_type"], added["risk_level"], list(added["hazards"])) == (
        "Ao mới đào",
        "pond",
        "high",
        ["deep_water", "no_fence"],
    )
    assert (added["commune_id"], communes.loc[added["commune_id"], "name"]) == ("CM-2", "Phường Bãi Cháy")
    assert (added["notes"], added["source"], added["status"]) == ("Bờ dốc, không có rào", REPORTER, "pending")
    assert added.geometry.x == pytest.approx(107.18) and added.geometry.y == pytest.approx(20.96)
    history = store().history("QN-0007")
    assert history[["action", "user"]].values.tolist() == [["add", REPORTER]]


def test_the_new_id_is_shown_under_the_button_and_in_a_toast_until_the_next_submit(app):
    _report(app)
    assert _outcome(app) == ([ADDED], [])
    assert [toast.value for toast in app.toast] == [ADDED]
    # Nowhere else: a confirmation at the top of the page sits out of sight on a phone.
    assert [s.value for s in app.success] == [ADDED]
    # Typing the next report keeps the id in view; the toast is shown once.
    app.text_input(key="report_name").set_value("Giếng bỏ hoang").run()
    assert _outcome(app) == ([ADDED], [])
    assert not app.toast
    # The next submit replaces it: here by its refusal.
    _submit(app)
    successes, errors = _outcome(app)
    assert successes == []
    assert errors[0].startswith(REFUSED)


def test_every_field_of_the_point_is_reset_after_a_save_but_who_reports(app):
    _report(app, risk_level="black_spot", notes="Sâu 3 m")
    assert _form(app) == POINT_DEFAULTS
    assert t("report.signed_as", "vi", name=REPORTER) in [c.value for c in app.caption]
    assert app.selectbox(key="report_risk_level").value is None
    # A second report without a risk level is refused, not filed as a black spot.
    app.text_input(key="report_lat").set_value("20.97")
    app.text_input(key="report_lon").set_value("107.16")
    app.text_input(key="report_name").set_value("Giếng bỏ hoang")
    app.selectbox(key="report_water_type").set_value("well")
    _submit(app)
    assert _outcome(app) == ([], [f"{REFUSED}\n- Mức nguy cơ: Thiếu trường bắt buộc 'risk_level'."])
    assert set(store().read_layer("risk_points", include_retired=True)["point_id"]) == {
        *(f"QN-{i}" for i in range(1, 7)),
        "QN-0007",
    }


def test_the_empty_form_speaks_vietnamese_where_streamlit_would_not(app):
    _signed_in(app, "an", "field", display_name=REPORTER).switch_page("pages/report.py").run()
    assert {
        key: app.selectbox(key=key).placeholder for key in ("report_water_type", "report_risk_level")
    } == {"report_water_type": "Chọn…", "report_risk_level": "Chọn…"}
    assert app.multiselect(key="report_hazards").placeholder == "Chọn…"
    uploader = app.file_uploader(key="import_file")
    assert uploader.label == "Tệp dữ liệu (tối đa 50 MB)"
    assert uploader.help == (
        "Định dạng: GeoJSON (.geojson, .json), CSV (.csv, .txt), Excel (.xlsx), KML (.kml), GPX (.gpx) "
        "hoặc GeoPackage (.gpkg); mỗi tệp tối đa 50 MB. Bấm nút Upload (tải lên) để chọn tệp, hoặc kéo "
        "thả tệp vào khung."
    )
    assert uploader.proto.max_upload_size_mb == 50


@pytest.mark.parametrize(
    ("lat", "lon", "caption"),
    [
        ("", "", "Chưa chọn vị trí."),
        ("21.0123", "107.1234", "Vị trí: vĩ độ 21.0123, kinh độ 107.1234"),
        ("21,0123", "107°7'24.24\"E", "Vị trí: vĩ độ 21.0123, kinh độ 107.1234"),
        (
            "107.1234",
            "21.0123",
            "Vĩ độ 107.1234 không thể có (vĩ độ chỉ từ -90 đến 90): có vẻ vĩ độ và kinh độ bị đảo ngược. "
            "Hãy đổi chỗ hai số: vĩ độ 21.0123, kinh độ 107.1234.",
        ),
        (
            "95",
            "200",
            "Không có vị trí nào ở vĩ độ 95, kinh độ 200: vĩ độ phải từ -90 đến 90, kinh độ từ -180 đến 180.",
        ),
        ("hai mươi", "107", "Chưa đọc được toạ độ đã gõ; xem các cách ghi ở dấu (?) cạnh ô Vĩ độ."),
    ],
)
def test_the_place_caption_never_shows_an_impossible_latitude(app, lat, lon, caption):
    _signed_in(app, "an", "field", display_name=REPORTER).switch_page("pages/report.py").run()
    app.text_input(key="report_lat").set_value(lat)
    app.text_input(key="report_lon").set_value(lon).run()
    captions = [c.value for c in app.caption]
    assert caption in captions
    assert (
        sum(c.startswith(("Vị trí:", "Chưa chọn", "Chưa đọc", "Vĩ độ", "Không có vị trí")) for c in captions)
        == 1
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"lat": "21.5", "lon": "107.15"},
            "Điểm nằm ngoài tỉnh, cách ranh giới 44.3 km (chỉ cho phép 1000 m, cho vùng ven biển); "
            "hãy kiểm tra toạ độ (107.15, 21.5).",
        ),
        (
            {"lat": "20.951", "lon": "107.05"},
            "Trùng đúng vị trí với điểm QN-1 đã có trong kho: có lẽ một nơi đã được nhập hai lần.",
        ),
        # The validator's own wording (its text is the validator's): lat 107.18 is x = 20.96, y = 107.18.
        (
            {"lat": "107.18", "lon": "20.96"},
            problem_message(make_problem("swapped", field="geometry", x=20.96, y=107.18), "vi"),
        ),
        ({"name": ""}, "Tên địa điểm: Thiếu trường bắt buộc 'name'."),
        (
            {"lat": "hai mươi"},
            "Vĩ độ: Giá trị vĩ độ 'hai mươi' không phải toạ độ; hãy gõ số độ dạng 21.0123, 21,0123 "
            "hoặc độ-phút-giây dạng 21°00'44\"N.",
        ),
    ],
)
def test_a_refused_report_says_exactly_why_under_the_button_and_keeps_the_inputs(app, fields, expected):
    _report(app, **fields)
    typed = {"lat": INSIDE[0], "lon": INSIDE[1], "name": "Ao mới đào", **fields}
    assert _outcome(app) == ([], [f"{REFUSED}\n- {expected}"])
    assert not app.toast
    assert (app.text_input(key="report_lat").value, app.text_input(key="report_lon").value) == (
        typed["lat"],
        typed["lon"],
    )
    assert app.text_input(key="report_name").value == typed["name"]
    assert app.selectbox(key="report_water_type").value == "pond"
    assert app.multiselect(key="report_hazards").value == ["deep_water", "no_fence"]
    assert len(store().read_layer("risk_points", include_retired=True)) == 6


def test_a_report_outside_the_users_commune_is_refused_by_the_store_in_vietnamese(app):
    # INSIDE lies in CM-2; this field officer works in CM-1 only.
    _signed_in(app, "canbo_xa", "field", display_name="Cán bộ Hồng Gai", communes=["CM-1"])
    _report(app)
    refused = (
        "Tài khoản 'canbo_xa' chỉ được báo điểm nguy cơ hay nhập tệp chờ duyệt ở xã, phường CM-1; "
        "không được ở CM-2."
    )
    assert _outcome(app) == ([], [f"{REFUSED}\n- {refused}"])
    assert app.text_input(key="report_name").value == "Ao mới đào"
    assert len(store().read_layer("risk_points", include_retired=True)) == 6


def _feature(point_id, name, lon, lat, **properties):
    props = {"point_id": point_id, "name": name, "water_type": "river", "risk_level": "medium", **properties}
    if point_id is None:
        del props["point_id"]
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _geojson(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


UPLOAD = _geojson(
    _feature("QN-0101", "Bến sông Cửa Lục", 107.12, 20.93),
    _feature("QN-0102", "Khe suối Vàng Danh", 107.22, 21.02, risk_level="black_spot", water_type="stream"),
    _feature("QN-0103", "Ngoài tỉnh", 106.5, 21.5),
)


def _upload(at, data=UPLOAD, name="diem-moi.geojson", account=("binh", "officer"), **details):
    _signed_in(at, *account, display_name=details.pop("display_name", IMPORTER), **details)
    at.switch_page("pages/report.py").run()
    at.file_uploader(key="import_file").upload(name, data).run()
    assert not at.exception, at.exception
    return at


def _frame(at, first_heading):
    """The one table shown whose first column is ``first_heading``."""
    (frame,) = [d.value for d in at.dataframe if d.value.columns[0] == first_heading]
    return frame


VALID_TABLE, REJECTED_TABLE = "Mã điểm", "Thứ tự trong tệp (điểm hoặc dòng dữ liệu đầu = 1)"


def test_the_preview_lists_the_valid_rows_in_vietnamese_and_numbers_rejected_rows_as_the_file(app):
    _upload(app)
    assert [i.value for i in app.info] == ["2 điểm hợp lệ, 1 điểm bị loại."]
    valid = _frame(app, VALID_TABLE)
    assert valid.columns.tolist() == ["Mã điểm", "Tên địa điểm", "Xã, phường", "Loại mặt nước", "Mức nguy cơ"]
    assert valid.values.tolist() == [
        ["QN-0101", "Bến sông Cửa Lục", "Phường Bãi Cháy", "Sông", "Trung bình"],
        ["QN-0102", "Khe suối Vàng Danh", "Xã Quảng La", "Suối", "Điểm đen"],
    ]
    rejected = _frame(app, REJECTED_TABLE)
    assert rejected.columns.tolist() == [
        "Thứ tự trong tệp (điểm hoặc dòng dữ liệu đầu = 1)",
        "Mã điểm",
        "Lý do bị loại",
    ]
    assert rejected.values.tolist() == [
        [
            3,
            "QN-0103",
            "vị trí: Điểm nằm ngoài tỉnh, cách ranh giới 68.2 km (chỉ cho phép 1000 m, cho vùng ven biển); "
            "hãy kiểm tra toạ độ (106.5, 21.5).",
        ]
    ]
    assert app.button(key="import_commit").disabled


def test_a_rejected_row_without_an_id_shows_a_dash(app):
    _upload(
        app, _geojson(_feature("QN-0101", "Bến sông Cửa Lục", 107.12, 20.93), _feature(None, "", 106.5, 21.5))
    )
    rejected = _frame(app, REJECTED_TABLE)
    assert rejected.iloc[:, :2].values.tolist() == [[2, "—"]]


def test_import_all_or_nothing_then_skip_invalid_leaves_the_points_pending(app):
    _upload(app)
    assert not app.checkbox(key="import_approved").value
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    assert not app.exception
    imported = "Đã nhập 2 điểm mới; 0 điểm đã có sẵn; 1 dòng bị loại."
    assert [s.value for s in app.success] == [imported]
    assert [toast.value for toast in app.toast] == [imported]
    assert "2 điểm mới đang chờ cán bộ duyệt." in [c.value for c in app.caption]
    assert app.get("download_button")[0].label == "Tải các dòng bị loại (CSV)"
    points = store().read_layer("risk_points", include_retired=True).set_index("point_id")
    assert points.loc[["QN-0101", "QN-0102"], "status"].tolist() == ["pending", "pending"]
    assert "QN-0103" not in points.index


def test_import_as_approved_keeps_the_files_statuses(app):
    _upload(app)
    approved = app.checkbox(key="import_approved")
    assert approved.label == "Nhập như dữ liệu đã duyệt"
    approved.check()
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    assert not app.exception
    points = store().read_layer("risk_points", include_retired=True).set_index("point_id")
    assert points.loc[["QN-0101", "QN-0102"], "status"].tolist() == ["active", "active"]
    assert not [c for c in app.caption if "chờ cán bộ duyệt" in c.value]


def test_import_again_adds_nothing(app):
    _upload(app)
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    app.button(key="import_commit").click().run()
    assert [s.value for s in app.success] == ["Đã nhập 0 điểm mới; 2 điểm đã có sẵn; 1 dòng bị loại."]


def test_an_import_outside_the_users_communes_shows_the_stores_message(app):
    # Field staff of one commune: no "approved" choice, and the store refuses another commune's points.
    _upload(app, account=("canbo_xa", "field"), display_name="Cán bộ Bãi Cháy", communes=["CM-2"])
    assert not [c for c in app.checkbox if c.key == "import_approved"]
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    assert [e.value for e in app.error] == [
        f"{IMPORT_FAILED}\n- Tài khoản 'canbo_xa' chỉ được báo điểm nguy cơ hay nhập tệp chờ duyệt "
        "ở xã, phường CM-2; không được ở CM-3."
    ]
    assert not app.success


def test_a_new_file_clears_the_last_import_message(app):
    _upload(app)
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    assert app.success
    app.file_uploader(key="import_file").set_value(
        ("hong.geojson", b"{not json", "application/geo+json")
    ).run()
    assert not app.exception
    assert not app.success
    assert len(app.error) == 1 and app.error[0].value.startswith(IMPORT_FAILED)


def test_a_cp1258_file_says_its_encoding_and_shows_its_names_decoded(app):
    text = "point_id,name,water_type,risk_level,lat,lon\nQN-0201,Bến đò Bạch Đằng,river,high,20.93,107.12\n"
    _upload(app, encode_cp1258(text), name="diem-cu.csv")
    assert app.warning[0].value == (
        "Mã hoá của tệp: CP1258 / Windows-1258, không phải UTF-8. "
        "Hãy kiểm tra dấu tiếng Việt trong bảng các điểm hợp lệ trước khi nhập."
    )
    assert _frame(app, VALID_TABLE).values.tolist() == [
        ["QN-0201", "Bến đò Bạch Đằng", "Phường Bãi Cháy", "Sông", "Cao"]
    ]


def test_a_utf8_file_names_no_encoding(app):
    _upload(app)
    assert not [w for w in app.warning if "Mã hoá" in w.value]


# ---------------------------------------------------------------------- from a phone: same place, photos, GPS

#: QN-3 "Bãi tắm Bãi Cháy" (active, CM-2) of the fixtures, and a place 20 m east of it (UTM 48N).
QN3 = (107.151, 21.001)
_UTM = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
_FROM_UTM = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def _beside_qn3(metres_east: float) -> tuple[str, str]:
    """Typed (latitude, longitude) ``metres_east`` of QN-3."""
    x, y = _UTM.transform(*QN3)
    lon, lat = _FROM_UTM.transform(x + metres_east, y)
    return f"{lat:.7f}", f"{lon:.7f}"


NEAR_HEADING = "Trong vòng 30 m quanh vị trí này đã có điểm nguy cơ:"
NEAR_ROW = "Bãi tắm Bãi Cháy (QN-3), Đang theo dõi: cách 20 m"
SAME_PLACE = "Cùng một chỗ — thêm báo cáo này vào điểm Bãi tắm Bãi Cháy"
NEW_PLACE = "Đây là một chỗ mới"
UPDATED = "Đã thêm báo cáo vào điểm QN-3 (Bãi tắm Bãi Cháy); ghi chú và ảnh được ghi vào lịch sử của điểm."


def _near_report(at, *, notes="Có trẻ tắm ở đây chiều nay", submit=False):
    lat, lon = _beside_qn3(20)
    _signed_in(at, "an", "field", display_name=REPORTER)
    at.switch_page("pages/report.py").run()
    _fill(at, lat=lat, lon=lon, name="Bãi tắm phía đông", water_type="sea", notes=notes).run()
    assert not at.exception, at.exception
    return _submit(at) if submit else at


def test_a_report_within_30_m_of_a_point_shows_it_and_asks_same_place(app):
    _near_report(app)
    assert [w.value for w in app.warning] == [NEAR_HEADING]
    assert NEAR_ROW in [t.value for t in app.text]
    choice = app.radio(key="report_same_place")
    assert (choice.label, choice.options, choice.value) == (
        "Có phải cùng một chỗ không?",
        [SAME_PLACE, NEW_PLACE],
        None,
    )
    # Unanswered, nothing is saved and the page says what is missing.
    _submit(app)
    assert _outcome(app) == ([], ['Hãy trả lời câu hỏi "Có phải cùng một chỗ không?" ở trên rồi gửi lại.'])
    assert len(store().read_layer("risk_points", include_retired=True)) == 6


def test_same_place_adds_the_report_to_the_stored_point_and_no_new_point(app):
    _near_report(app)
    app.radio(key="report_same_place").set_value("QN-3").run()
    _submit(app)
    assert _outcome(app) == ([UPDATED], [])
    assert [toast.value for toast in app.toast] == [UPDATED]
    assert len(store().read_layer("risk_points", include_retired=True)) == 6
    report = store().history("QN-3").iloc[-1]
    assert (report["action"], report["user"], report["new"]) == (
        "report",
        REPORTER,
        {"notes": "Có trẻ tắm ở đây chiều nay", "reporter": REPORTER, "photos": []},
    )
    # The form is empty again, and no question is left over.
    assert _form(app) == POINT_DEFAULTS
    assert not app.radio


def test_new_place_adds_a_new_point(app):
    _near_report(app)
    app.radio(key="report_same_place").set_value("__new__").run()
    _submit(app)
    assert _outcome(app) == ([ADDED], [])
    added = store().read_layer("risk_points", statuses=["pending"]).set_index("point_id").loc["QN-0007"]
    assert (added["name"], added["commune_id"]) == ("Bãi tắm phía đông", "CM-2")
    assert store().history("QN-3")["action"].tolist() == ["seed"]


def test_closer_than_the_hard_limit_is_still_refused_without_a_question(app):
    lat, lon = _beside_qn3(3)
    _report(app, lat=lat, lon=lon)
    assert not app.radio
    successes, errors = _outcome(app)
    assert successes == [] and "Quá gần điểm QN-3 đã có trong kho (chỉ cách 3.0 m)" in errors[0]
    assert len(store().read_layer("risk_points", include_retired=True)) == 6


def _jpeg_at(lat: float, lon: float) -> bytes:
    """A small JPEG whose EXIF GPS tags say where it was taken (degrees, minutes, seconds)."""
    exif = Image.Exif()

    def dms(value: float) -> tuple[float, float, float]:
        minutes = (value % 1) * 60
        return (float(int(value)), float(int(minutes)), round((minutes % 1) * 60, 4))

    exif.get_ifd(IFD.GPSInfo).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def _photos(at):
    return at.file_uploader(key="report_photos_0")


def test_a_fake_photo_is_refused_with_its_reason(app):
    _signed_in(app, "an", "field", display_name=REPORTER).switch_page("pages/report.py").run()
    uploader = _photos(app)
    assert uploader.label == "Ảnh chụp điểm (JPEG hoặc PNG, tối đa 5 MB mỗi ảnh)"
    uploader.upload("gia.jpg", b"<html>not a photo</html>", "image/jpeg").run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == [
        "Không nhận ảnh này:\n- 'gia.jpg' không phải là ảnh: nội dung tệp không phải ảnh JPEG hay PNG, "
        "dù tên tệp thế nào."
    ]
    assert not app.image


def test_a_photo_with_a_place_offers_it_and_is_stored_with_the_new_point(app):
    _signed_in(app, "an", "field", display_name=REPORTER).switch_page("pages/report.py").run()
    _photos(app).upload("bo-ao.jpg", _jpeg_at(20.96, 107.18), "image/jpeg").run()
    assert not app.exception, app.exception
    assert not app.error
    assert "bo-ao.jpg (8 × 6)" in [t.value for t in app.text]
    assert len(app.image) == 1
    offer = [b for b in app.button if b.label.startswith("Dùng vị trí trong ảnh")]
    assert [b.label for b in offer] == ["Dùng vị trí trong ảnh (20.96, 107.18)"]
    offer[0].click().run()
    assert (app.text_input(key="report_lat").value, app.text_input(key="report_lon").value) == (
        "20.960000",
        "107.180000",
    )
    # The photo's place is now the chosen one: no offer any more.
    assert not [b for b in app.button if b.label.startswith("Dùng vị trí trong ảnh")]
    for key, value in (("report_name", "Ao mới đào"),):
        app.text_input(key=key).set_value(value)
    app.selectbox(key="report_water_type").set_value("pond")
    app.selectbox(key="report_risk_level").set_value("high")
    _submit(app)
    assert _outcome(app) == ([ADDED], [])
    photos = store().photos("QN-0007")
    assert photos[["filename", "added_by"]].values.tolist() == [["bo-ao.jpg", REPORTER]]
    # After the save the uploader is a fresh one, empty: the photo does not go with the next report.
    assert app.file_uploader(key="report_photos_1").value == []


def test_use_my_location_asks_the_browser_and_keeps_the_form(app):
    _signed_in(app, "an", "field", display_name=REPORTER).switch_page("pages/report.py").run()
    button = app.button(key="report_locate")
    assert (button.label, button.help) == (
        "Dùng vị trí của tôi",
        "Lấy vị trí từ GPS của điện thoại. Trình duyệt sẽ hỏi có cho trang này biết vị trí không: hãy chọn "
        "Cho phép. Sau đó vẫn có thể bấm vào bản đồ để chỉnh lại.",
    )
    app.text_input(key="report_name").set_value("Ao mới đào")
    button.click().run()
    assert not app.exception, app.exception
    # The answer comes from the browser (a component AppTest cannot run): the page waits for it.
    assert "Đang lấy vị trí từ điện thoại…" in [c.value for c in app.caption]
    assert app.session_state["report_locating"] is True
    assert app.text_input(key="report_name").value == "Ao mới đào"
