"""The review page and the map's downloads, under AppTest on a fresh store (report: test_report_page.py)."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pages._common import store
from tests.auth_kit import log_in_as, make_user
from tests.test_pages import app, fresh_store  # noqa: F401  (pytest fixtures)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(at: str) -> str:
    """A stored UTC timestamp as an officer in Vietnam reads it (computed here, not by the app)."""
    return datetime.fromisoformat(at).astimezone(HANOI).strftime("%d/%m/%Y %H:%M")


def _review(at, user="Cán bộ Lê Văn Cường"):
    """Open the review page logged in as an officer called ``user`` (``None``: nobody logged in)."""
    if user is not None:
        log_in_as(at, "cuong", "officer", display_name=user)
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    return at


def _select(at, rows):
    """Tick rows of the review queue's table (its key ends with a digest of the rows shown), and run."""
    (queue,) = [d for d in at.dataframe if (d.key or "").startswith("review_queue_table")]
    at.session_state[queue.key] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return at.run()


def test_approving_a_pending_point_makes_it_active(app):
    _review(app)
    assert app.subheader[0].value == "Điểm chờ duyệt (1)"
    assert app.dataframe[0].value["point_id"].tolist() == ["QN-6"]
    _select(app, [0])
    app.button(key="review_approve").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã duyệt QN-6."]
    assert app.subheader[0].value == "Điểm chờ duyệt (0)"
    history = store().history("QN-6")
    assert history.iloc[-1][["action", "user"]].tolist() == ["status", "Cán bộ Lê Văn Cường"]
    assert history.iloc[-1]["new"] == {"status": "active"}
    app.selectbox(key="review_point").set_value("QN-6").run()
    texts = [x.value for x in app.text]
    assert texts[-2:] == [
        f"{_local(history.iloc[-1]['at'])} – Cán bộ Lê Văn Cường đã duyệt",
        "Trạng thái: Chờ duyệt → Đang theo dõi",
    ]


def test_rejecting_needs_a_reason(app):
    _review(app)
    _select(app, [0])
    app.button(key="review_reject").click().run()
    assert app.error[0].value == "Hãy ghi lý do từ chối."
    app.text_input(key="review_reject_reason").set_value("Trùng với điểm đã có").run()
    app.button(key="review_reject").click().run()
    assert store().history("QN-6").iloc[-1]["reason"] == "Trùng với điểm đã có"
    assert "QN-6" not in set(store().read_layer("risk_points")["point_id"])


def test_writes_need_an_officer_logged_in(app):
    # Nobody logged in: the page shows its title, "log in as ..." and the login form, nothing else.
    _review(app, user=None)
    assert [x.value for x in app.title] == ["Duyệt và kiểm tra"]
    assert [w.value for w in app.warning] == ["Hãy đăng nhập với vai trò cán bộ duyệt để dùng trang này."]
    assert not [b for b in app.button if b.key == "review_approve"]
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
    store().set_status("QN-1", "retired", user=make_user("test", "officer"))
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
    app.text_area(key="inspection_findings").set_value("Rào chắn còn tốt")
    app.text_area(key="inspection_notes").set_value("Thêm phao cứu sinh").run()
    app.button(key="inspection_record").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã lưu kết quả kiểm tra của QN-2."]
    # No raw tables: the inspections and the history read as sentences, dates DD/MM/YYYY, local times.
    assert not [d for d in app.dataframe if d.key in ("inspections_table", "history_table")]
    today = datetime.now(HANOI).strftime("%d/%m/%Y")  # the form's day is Việt Nam's, not the server's
    history = store().history("QN-2")
    recorded = store().inspections("QN-2").iloc[0]["recorded_at"]
    seeded, changed, inspected = (_local(at) for at in history["at"])
    assert [x.value for x in app.text] == [
        f"{today} – Cán bộ Lê Văn Cường kiểm tra",
        "Phát hiện: Rào chắn còn tốt",
        "Biện pháp: Thêm phao cứu sinh",
        f"Ghi bởi Cán bộ Lê Văn Cường lúc {_local(recorded)}",
        f"{seeded} – Hệ thống đã nạp từ dữ liệu ban đầu",
        f"{changed} – Cán bộ Lê Văn Cường đã đổi trạng thái",
        "Trạng thái: Đang theo dõi → Đã khắc phục",
        "Lý do: Đã rào và cắm biển",
        f"{inspected} – Cán bộ Lê Văn Cường đã ghi kết quả kiểm tra ngày {today}",
        "Người kiểm tra: Cán bộ Lê Văn Cường",
        "Phát hiện: Rào chắn còn tốt",
        "Biện pháp: Thêm phao cứu sinh",
        f"Ngày kiểm tra gần nhất: 12/04/2025 → {today}",
    ]


def test_review_timeline_in_english(app):
    store().set_status("QN-6", "active", user=make_user("le", "officer", display_name="Officer Lê"))
    _review(app)
    app.sidebar.segmented_control(key="lang").set_value("en").run()
    app.selectbox(key="review_point").set_value("QN-6").run()
    approved = store().history("QN-6").iloc[-1]["at"]
    when = datetime.fromisoformat(approved).astimezone(HANOI).strftime("%d %b %Y %H:%M")
    assert [x.value for x in app.text][-2:] == [
        f"{when} – Officer Lê approved it",
        "Status: Pending → Active",
    ]


def test_review_choice_boxes_have_translated_placeholders(app):
    _review(app)
    keys = ("review_point", "review_new_status")
    assert {key: app.selectbox(key=key).proto.placeholder for key in keys} == dict.fromkeys(keys, "Chọn…")
    filters = ("review_filter_communes", "review_filter_reporters")
    placeholders = {key: app.multiselect(key=key).proto.placeholder for key in filters}
    assert placeholders == dict.fromkeys(filters, "Tất cả")


def test_map_counts_a_new_point_and_offers_every_download(app):
    store().add_risk_point(
        {"name": "Ao mới đào", "water_type": "pond", "risk_level": "low"},
        lon=107.18,
        lat=20.96,
        user=make_user("test", "field"),
    )
    app.run()
    # The new report awaits review: counted apart, not among the points shown.
    assert [(m.label, m.value) for m in app.metric][:3] == [
        ("Điểm nguy cơ hiển thị", "5"),
        ("Điểm đen", "2"),
        ("Chờ duyệt", "2"),
    ]
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Tải GeoJSON", "Tải CSV", "Tải KML", "Tải GeoPackage", "Tải Excel"]
