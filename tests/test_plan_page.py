"""The planning page under AppTest: proposed sites, "add to plan" for planners only, dropping, schedule."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

import csv
import io
from datetime import date, timedelta

import icalendar
import openpyxl

from hotspots.analysis import coverage_table
from hotspots.i18n import t
from hotspots.maps import build_map
from pages._common import data_source, load_layers, store
from tests.auth_kit import log_in_as
from tests.test_pages import app, downloads, fresh_store  # noqa: F401  (pytest fixtures)

PLANNER = "Lê Thị Lan"
#: The season defaults to this year's: 1 June to 15 August.
YEAR = date.today().year
FIRST_MONDAY = date(YEAR, 6, 1) - timedelta(days=date(YEAR, 6, 1).weekday())


def _open(at, name="lan", *roles, **details):
    """Log in (a planner by default) and open the planning page."""
    log_in_as(
        at, name, *(roles or ("planner",)), display_name=details.pop("display_name", PLANNER), **details
    )
    at.switch_page("pages/plan.py").run()
    assert not at.exception, at.exception
    return at


def _set(at, **values):
    for key, value in values.items():
        at.sidebar.number_input(key=key).set_value(value)
    at.run()
    assert not at.exception, at.exception
    return at


def _sites(at):
    (frame,) = [d.value for d in at.dataframe if d.value.columns[0] == "rank"]
    return frame


def _planned(kind="swim_classes"):
    frame = store().read_layer(kind)
    return frame[frame["status"] == "planned"]


def test_k_and_the_radius_give_k_proposed_sites_and_say_how_good_the_choice_is(app):
    _set(_open(app), plan_k=3, plan_radius_swim=2000)
    sites = _sites(app)
    assert len(sites) == 3
    assert sites["rank"].tolist() == [1, 2, 3]
    # Two black spots 11 km apart in Xã Quảng La, then QN-1 in Phường Hồng Gai.
    assert sites["commune_name"].tolist() == ["Xã Quảng La", "Xã Quảng La", "Phường Hồng Gai"]
    assert sites["new_black_spots"].tolist() == [1, 1, 0]
    assert app.info[0].value.startswith("Phương án tối ưu: đã chứng minh không có cách chọn 3 địa điểm nào")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Trọng số nguy cơ được bao phủ hiện nay"] == "15 %"
    assert metrics["Khi mở thêm 3 địa điểm"] == "100 %"
    assert "Cần khoảng **2** địa điểm mới để bao phủ 80 % trọng số nguy cơ" in app.markdown[0].value


def test_add_to_plan_stores_the_sites_as_planned_classes_with_history(app):
    _set(_open(app), plan_k=2, plan_radius_swim=2000)
    app.sidebar.text_input(key="plan_organiser").set_value("Đoàn thanh niên xã")
    app.sidebar.number_input(key="plan_capacity").set_value(25)
    app.button(key="plan_add").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["Đã thêm 2 địa điểm dự kiến vào kế hoạch: SC-0003, SC-0004."]
    planned = _planned().set_index("class_id")
    assert list(planned.index) == ["SC-0003", "SC-0004"]
    assert set(planned["organiser"]) == {"Đoàn thanh niên xã"}
    assert set(planned["capacity"]) == {25}
    assert set(planned["name"]) == {"Lớp dự kiến – Xã Quảng La"}
    assert set(planned["start_date"]) == {f"{YEAR}-06-01"}
    assert set(planned["end_date"]) == {f"{YEAR}-08-15"}
    for site_id in planned.index:
        history = store().history(site_id, layer="swim_classes")
        assert history[["action", "user"]].values.tolist() == [["plan", PLANNER]]
    # Planned classes count as open: the page now proposes the next sites.
    assert {m.label: m.value for m in app.metric}["Trọng số nguy cơ được bao phủ hiện nay"] == "92 %"


def test_the_map_pages_data_then_includes_the_planned_classes_in_their_own_layer(app):
    _set(_open(app), plan_k=2, plan_radius_swim=2000)
    app.button(key="plan_add").click().run()
    layers = load_layers(data_source()).layers
    classes = layers["swim_classes"].set_index("class_id")
    assert classes["status"].to_dict() == {
        "SC-0003": "planned",
        "SC-0004": "planned",
        "SC-001": "active",
        "SC-002": "active",
    }
    table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    fmap = build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    names = [getattr(child, "layer_name", None) for child in fmap._children.values()]
    assert "Lớp dạy bơi dự kiến" in names
    app.switch_page("pages/map.py").run()
    assert not app.exception, app.exception
    # The planned classes do not cover yet: the map page's shares are those of the open classes.
    assert app.dataframe[0].value.loc["Có lớp dạy bơi gần", "Điểm nguy cơ"] == "40 %"


def test_a_planner_outside_the_sites_communes_is_refused_by_the_store(app):
    _set(_open(app, "hoa", display_name="Phạm Thị Hoa", communes=["CM-1"]), plan_k=2, plan_radius_swim=2000)
    app.button(key="plan_add").click().run()
    assert not app.exception, app.exception
    refused = (
        "Tài khoản 'hoa' chỉ được lập kế hoạch lớp dạy bơi và lịch ở xã, phường CM-1; không được ở CM-3."
    )
    assert [e.value for e in app.error] == [f"Chưa thêm được vào kế hoạch:\n- {refused}"]
    assert _planned().empty


def test_someone_who_is_not_a_planner_gets_the_login_gate_and_no_button(app):
    log_in_as(app, "binh", "officer", display_name="Trần Thị Bình")
    app.switch_page("pages/plan.py").run()
    assert not app.exception, app.exception
    assert [w.value for w in app.warning] == [
        t("login.not_allowed", "vi", name="Trần Thị Bình", role="cán bộ kế hoạch")
    ]
    assert not [b for b in app.button if b.key == "plan_add"]


def test_a_planned_site_is_dropped_with_its_button(app):
    _set(_open(app), plan_k=2, plan_radius_swim=2000)
    app.button(key="plan_add").click().run()
    app.text_input(key="plan_drop_reason").set_value("Trùng với lớp của huyện")
    app.button(key="plan_drop_SC-0004").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["Đã huỷ địa điểm dự kiến SC-0004."]
    assert list(_planned()["class_id"]) == ["SC-0003"]
    last = store().history("SC-0004", layer="swim_classes").iloc[-1]
    assert (last["new"], last["reason"], last["user"]) == (
        {"status": "cancelled"},
        "Trùng với lớp của huyện",
        PLANNER,
    )


def test_a_site_clicked_on_the_map_is_a_candidate(app):
    _open(app)
    app.sidebar.multiselect(key="plan_candidates").set_value([])
    app.session_state["plan_clicked"] = [(107.2605, 20.9505)]
    _set(app, plan_k=1, plan_radius_swim=2000)
    sites = _sites(app)
    assert (sites["commune_name"].tolist(), sites["new_black_spots"].tolist()) == (["Xã Quảng La"], [1])
    assert "Địa điểm bạn thêm trên bản đồ: 1" in [c.value for c in app.sidebar.caption]
    app.sidebar.button(key="plan_clear_clicks").click().run()
    assert "Địa điểm bạn thêm trên bản đồ: 0" in [c.value for c in app.sidebar.caption]


def test_the_schedule_has_a_week_view_a_table_and_downloads_that_open(app, downloads):
    _set(_open(app), plan_k=2, plan_radius_swim=2000)
    app.number_input(key="plan_uptake").set_value(20).run()
    assert not app.exception, app.exception
    weeks = [d.value for d in app.dataframe if d.value.columns[0] == "Tuần bắt đầu ngày"]
    assert len(weeks) == 1
    assert list(weeks[0].columns[1:]) == ["Đội 1", "Đội 2", "Đội 3", "Đội 4"]
    assert weeks[0].iloc[0, 0] == FIRST_MONDAY.strftime("%d/%m/%Y")
    (courses,) = [d.value for d in app.dataframe if d.value.columns[0] == "Ngày bắt đầu"]
    assert len(courses) > 0
    calendar = icalendar.Calendar.from_ical(downloads("plan_download_ics"))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(courses)
    assert {str(e["uid"]) for e in events} == {f"{c}@hotspots" for c in courses["Mã khoá học"]}
    rows = list(csv.reader(io.StringIO(downloads("plan_download_csv").decode("utf-8-sig"))))
    assert rows[0] == list(courses.columns)
    assert len(rows) == len(courses) + 1
    book = openpyxl.load_workbook(io.BytesIO(downloads("plan_download_xlsx")))
    assert book.active.title == "Lịch học"


def test_the_page_speaks_english(app):
    _open(app)
    app.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Plan classes"
    assert [tab.label for tab in app.tabs] == ["Proposed sites", "Planned", "Schedule"]
