"""The report and review pages and the map's downloads, under AppTest against a fresh store."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

import json

import pytest

from pages._common import store
from tests.test_pages import app, fresh_store  # noqa: F401  (pytest fixtures)

#: Inside the test province (CM-2), far from every fixture point.
INSIDE = ("20,96", "107.18")


def _report(
    at, *, lat, lon, name="Ao mới đào", water_type="pond", risk_level="high", reporter="Nguyễn Văn An"
):
    at.switch_page("pages/report.py").run()
    at.text_input(key="report_reporter").set_value(reporter)
    at.text_input(key="report_lat").set_value(lat)
    at.text_input(key="report_lon").set_value(lon)
    at.text_input(key="report_name").set_value(name)
    at.selectbox(key="report_water_type").set_value(water_type)
    at.selectbox(key="report_risk_level").set_value(risk_level)
    at.multiselect(key="report_hazards").set_value(["deep_water", "no_fence"])
    at.button(key="report_submit").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("lat", "lon"), [INSIDE, ("20.96", "107,18"), ("20°57'36\"N", "107°10'48\"E"), ("20.96, 107.18", "")]
)
def test_typed_coordinates_add_a_pending_point_with_history(app, lat, lon):
    _report(app, lat=lat, lon=lon)
    assert [s.value for s in app.success] == [
        "Đã ghi điểm QN-0007 ở trạng thái chờ duyệt. Cán bộ sẽ xem xét."
    ]
    points = store().read_layer("risk_points", statuses=["pending"])
    added = points.set_index("point_id").loc["QN-0007"]
    assert (added["name"], added["commune_id"], list(added["hazards"])) == (
        "Ao mới đào",
        "CM-2",
        ["deep_water", "no_fence"],
    )
    assert added.geometry.x == pytest.approx(107.18) and added.geometry.y == pytest.approx(20.96)
    history = store().history("QN-0007")
    assert history[["action", "user"]].values.tolist() == [["add", "Nguyễn Văn An"]]
    # The place and name are cleared for the next report; who reports is kept.
    assert app.text_input(key="report_name").value == ""
    assert app.text_input(key="report_reporter").value == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("lat", "lon", "name", "expected"),
    [
        ("21.5", "107.15", "Ao mới đào", "ngoài tỉnh"),
        ("107.18", "20.96", "Ao mới đào", "bị đảo ngược"),
        ("20.951", "107.05", "Ao mới đào", "QN-1"),
        ("20.96", "107.18", "", "name"),
        ("hai mươi", "107.18", "Ao mới đào", "không phải toạ độ"),
    ],
)
def test_refused_report_lists_the_problem_and_keeps_the_inputs(app, lat, lon, name, expected):
    _report(app, lat=lat, lon=lon, name=name)
    assert not app.success
    assert len(app.error) == 1
    assert expected in app.error[0].value
    assert (app.text_input(key="report_lat").value, app.text_input(key="report_lon").value) == (lat, lon)
    assert app.text_input(key="report_name").value == name
    assert app.selectbox(key="report_water_type").value == "pond"
    assert app.multiselect(key="report_hazards").value == ["deep_water", "no_fence"]
    assert len(store().read_layer("risk_points", include_retired=True)) == 6


def _feature(point_id, name, lon, lat):
    return {
        "type": "Feature",
        "properties": {"point_id": point_id, "name": name, "water_type": "river", "risk_level": "medium"},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


UPLOAD = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            _feature("QN-0101", "Bến sông Cửa Lục", 107.12, 20.93),
            _feature("QN-0102", "Khe suối Vàng Danh", 107.22, 21.02),
            _feature("QN-0103", "Ngoài tỉnh", 106.5, 21.5),
        ],
    },
    ensure_ascii=False,
).encode()


def _upload(at):
    at.switch_page("pages/report.py").run()
    at.text_input(key="report_reporter").set_value("Trần Thị Bình").run()
    at.get("file_uploader")[0].upload("diem-moi.geojson", UPLOAD).run()
    assert not at.exception, at.exception
    return at


def test_import_preview_then_all_or_nothing_then_skip_invalid(app):
    _upload(app)
    assert "2 điểm hợp lệ, 1 điểm bị loại." in [i.value for i in app.info]
    rejected = app.dataframe[0].value
    assert "ngoài tỉnh" in rejected["reasons"].iloc[0]
    assert app.button(key="import_commit").disabled
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    assert not app.exception
    assert "Đã nhập 2 điểm mới; 0 điểm đã có sẵn; 1 dòng bị loại." in [s.value for s in app.success]
    assert app.get("download_button")[0].label == "Tải các dòng bị loại (CSV)"
    names = set(store().read_layer("risk_points")["name"])
    assert {"Bến sông Cửa Lục", "Khe suối Vàng Danh"} <= names
    assert "Ngoài tỉnh" not in names


def test_import_again_adds_nothing(app):
    _upload(app)
    app.checkbox(key="import_skip_invalid").check().run()
    app.button(key="import_commit").click().run()
    app.button(key="import_commit").click().run()
    assert "Đã nhập 0 điểm mới; 2 điểm đã có sẵn; 1 dòng bị loại." in [s.value for s in app.success]


def _review(at, user="Cán bộ Lê Văn Cường"):
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    at.text_input(key="review_user").set_value(user).run()
    return at


def test_approving_a_pending_point_makes_it_active(app):
    _review(app)
    assert app.subheader[0].value == "Điểm chờ duyệt (1)"
    assert app.dataframe[0].value["point_id"].tolist() == ["QN-6"]
    app.button(key="review_approve").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã duyệt QN-6."]
    assert app.subheader[0].value == "Điểm chờ duyệt (0)"
    history = store().history("QN-6")
    assert history.iloc[-1][["action", "user"]].tolist() == ["status", "Cán bộ Lê Văn Cường"]
    assert history.iloc[-1]["new"] == {"status": "active"}


def test_rejecting_needs_a_reason(app):
    _review(app)
    app.button(key="review_reject").click().run()
    assert app.error[0].value == "Hãy ghi lý do từ chối."
    app.text_input(key="review_reject_reason").set_value("Trùng với điểm đã có").run()
    app.button(key="review_reject").click().run()
    assert store().history("QN-6").iloc[-1]["reason"] == "Trùng với điểm đã có"
    assert "QN-6" not in set(store().read_layer("risk_points")["point_id"])


def test_writes_need_the_officer_name(app):
    _review(app, user="")
    app.button(key="review_approve").click().run()
    assert "Hãy ghi tên cán bộ" in app.error[0].value
    assert store().read_layer("risk_points", statuses=["pending"])["point_id"].tolist() == ["QN-6"]


@pytest.mark.parametrize(
    ("point_id", "offered"),
    [("QN-1", ["mitigated", "retired"]), ("QN-6", ["active", "rejected"])],
)
def test_only_allowed_status_changes_are_offered(app, point_id, offered):
    _review(app)
    app.selectbox(key="review_point").set_value(point_id).run()
    assert app.selectbox(key="review_new_status").options == [
        {
            "mitigated": "Đã khắc phục",
            "retired": "Đã loại bỏ",
            "active": "Đang theo dõi",
            "rejected": "Bị từ chối",
        }[s]
        for s in offered
    ]


def test_final_status_offers_no_change(app):
    store().set_status("QN-1", "retired", user="test")
    _review(app)
    app.selectbox(key="review_point").set_value("QN-1").run()
    assert [i.value for i in app.info][-2:] == [
        "Trạng thái này là cuối cùng, không đổi được nữa.",
        "Chưa có lần kiểm tra nào.",
    ]
    assert not [s for s in app.selectbox if s.key == "review_new_status"]


def test_status_change_and_inspection_are_recorded(app):
    _review(app)
    app.selectbox(key="review_point").set_value("QN-2").run()
    app.selectbox(key="review_new_status").set_value("mitigated")
    app.text_input(key="review_status_reason").set_value("Đã rào và cắm biển").run()
    app.button(key="review_set_status").click().run()
    assert [s.value for s in app.success] == ["QN-2: trạng thái mới là Đã khắc phục."]
    app.text_input(key="review_inspector").set_value("Phạm Thu Hà")
    app.text_area(key="review_findings").set_value("Rào chắn còn tốt")
    app.text_area(key="review_mitigations").set_value("Thêm phao cứu sinh").run()
    app.button(key="review_record").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã lưu kết quả kiểm tra của QN-2."]
    inspections = app.dataframe[-2].value
    assert inspections[["inspector", "findings"]].values.tolist() == [["Phạm Thu Hà", "Rào chắn còn tốt"]]
    actions = app.dataframe[-1].value["action"].tolist()
    assert actions == ["seed", "status", "inspection"]


def test_map_counts_a_new_point_and_offers_every_download(app):
    store().add_risk_point(
        {"name": "Ao mới đào", "water_type": "pond", "risk_level": "low"}, lon=107.18, lat=20.96, user="test"
    )
    app.run()
    assert app.metric[0].value == "7"
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Tải GeoJSON", "Tải CSV", "Tải KML", "Tải GeoPackage", "Tải Excel"]
