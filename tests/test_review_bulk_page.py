"""The review page under AppTest: reports approved or rejected many at once, filters, photos, the count."""

# The page fixtures come from test_pages and test_login_pages; pytest passes them by name,
# which ruff reads as redefinition.
# ruff: noqa: F811

from __future__ import annotations

import io

import pytest
from PIL import Image

from hotspots.formats import read_photo
from pages._common import URL_PATHS, store
from tests.auth_kit import log_in_as, make_user
from tests.test_login_pages import sent  # noqa: F401  (pytest fixture)
from tests.test_pages import app, fresh_store  # noqa: F401  (pytest fixtures)

FIELD = make_user("an", "field", display_name="Nguyễn Văn An")
#: The reports added to the test layers (QN-6, seeded, waits for review too; it has no commune).
REPORTS = (
    ("QN-7", 107.03, 20.97, "Ao sau trường"),  # in CM-1
    ("QN-8", 107.17, 20.97, "Hố cát ven đê"),  # in CM-2
)
QUEUE_TABLE = "review_queue_table"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def reports(app):
    """Two field reports waiting with QN-6; QN-8 has a photo whose file name looks like markup."""
    for point_id, lon, lat, name in REPORTS:
        photos = [read_photo(_jpeg(), "**ảnh** <b>bờ đê.jpg")] if point_id == "QN-8" else []
        store().add_risk_point(
            {"point_id": point_id, "name": name, "water_type": "pond", "risk_level": "low"},
            lon=lon,
            lat=lat,
            user=FIELD,
            photos=photos,
        )
    return app


def _review(at, *roles, communes=None):
    log_in_as(at, "cuong", *(roles or ("officer",)), display_name="Cán bộ Lê Văn Cường", communes=communes)
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    return at


def _queue(at):
    (table,) = [d for d in at.dataframe if (d.key or "").startswith(QUEUE_TABLE)]
    return table


def _select(at, rows):
    """Tick rows of the queue's table, as a click on their boxes would, and run."""
    at.session_state[_queue(at).key] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def _status(point_id):
    points = store().read_layer("risk_points", include_retired=True)
    return points.loc[points["point_id"] == point_id, "status"].item()


def test_an_officer_approves_two_reports_at_once_and_they_join_the_map(reports):
    at = _review(reports)
    assert at.main.subheader[0].value == "Điểm chờ duyệt (3)"
    table = _queue(at).value
    assert table["point_id"].tolist() == ["QN-6", "QN-7", "QN-8"]
    assert table["created_by"].tolist() == [
        "Hệ thống",
        "Nguyễn Văn An",
        "Nguyễn Văn An",
    ]  # the seeded data is the system's
    assert table["notes"].tolist() == ["", "", ""]
    assert at.button(key="review_approve").label == "Duyệt các điểm đã chọn (0)"
    assert at.button(key="review_approve").disabled
    _select(at, [1, 2])
    assert at.button(key="review_approve").label == "Duyệt các điểm đã chọn (2)"
    assert at.button(key="review_reject").label == "Từ chối các điểm đã chọn (2)"
    at.button(key="review_approve").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Đã duyệt QN-7, QN-8."]
    assert (_status("QN-7"), _status("QN-8"), _status("QN-6")) == ("active", "active", "pending")
    assert [store().history(p).iloc[-1]["user"] for p in ("QN-7", "QN-8")] == ["Cán bộ Lê Văn Cường"] * 2
    # The queue shrank and nothing is selected any more (the rows moved up: no stale ticks).
    assert at.main.subheader[0].value == "Điểm chờ duyệt (1)"
    assert _queue(at).value["point_id"].tolist() == ["QN-6"]
    assert at.button(key="review_approve").label == "Duyệt các điểm đã chọn (0)"
    # On the map: the map's layers hold them among the reviewed points.
    at.switch_page("pages/map.py").run()
    shown = store().read_layer("risk_points", statuses=["active"])["point_id"].tolist()
    assert {"QN-7", "QN-8"} <= set(shown)


def test_rejecting_the_selection_needs_a_reason(reports):
    at = _select(_review(reports), [0, 2])
    at.button(key="review_reject").click().run()
    assert [e.value for e in at.error] == ["Hãy ghi lý do từ chối."]
    assert (_status("QN-6"), _status("QN-8")) == ("pending", "pending")
    at.text_input(key="review_reject_reason").input("Trùng với điểm đã có").run()
    at.button(key="review_reject").click().run()
    assert [s.value for s in at.success] == ["Đã từ chối QN-6, QN-8."]
    assert (_status("QN-6"), _status("QN-8")) == ("rejected", "rejected")
    assert store().history("QN-8").iloc[-1]["reason"] == "Trùng với điểm đã có"


def test_filters_narrow_the_queue_by_commune_and_reporter(reports):
    at = _review(reports)
    assert at.multiselect(key="review_filter_communes").options == [
        "CM-1 – Phường Hồng Gai",
        "CM-2 – Phường Bãi Cháy",
    ]
    assert at.multiselect(key="review_filter_reporters").options == ["Nguyễn Văn An", "Hệ thống"]
    at.multiselect(key="review_filter_communes").set_value(["CM-2"]).run()
    assert _queue(at).value["point_id"].tolist() == ["QN-8"]
    assert "Đang hiện 1 trong 3 điểm chờ duyệt." in [c.value for c in at.caption]
    at.multiselect(key="review_filter_communes").set_value([])
    at.multiselect(key="review_filter_reporters").set_value(["seed"]).run()
    assert _queue(at).value["point_id"].tolist() == ["QN-6"]
    assert at.date_input(key="review_filter_dates").proto.format == "DD/MM/YYYY"


def test_one_selected_report_shows_its_photos_with_the_file_name_as_text(reports):
    at = _select(_review(reports), [2])
    assert "Ảnh của QN-8" in [c.value for c in at.caption]
    assert len(at.main.image) == 1
    assert "**ảnh** <b>bờ đê.jpg" in [x.value for x in at.text]
    _select(at, [1])
    assert "Điểm này chưa có ảnh." in [i.value for i in at.info]


def test_a_commune_officer_reviews_only_their_communes_reports(reports):
    at = _review(reports, communes=["CM-1"])
    assert _queue(at).value["point_id"].tolist() == ["QN-7"]
    _select(at, [0]).button(key="review_approve").click().run()
    assert _status("QN-7") == "active"


def _menu_titles(sent) -> dict[str, str]:
    (last, *_) = [m.navigation for m in reversed(sent) if m.HasField("navigation")]
    return {p.url_pathname: p.page_name for p in last.app_pages}


def test_the_menu_counts_the_reports_waiting_for_a_reviewer(reports, sent):
    log_in_as(reports, "cuong", "officer")
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Duyệt và kiểm tra (3)"
    reports.sidebar.segmented_control(key="lang").set_value("en").run()
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Review and inspect (3)"


def test_the_menu_counts_only_the_officers_communes_and_nothing_when_none_wait(reports, sent):
    log_in_as(reports, "hong_gai", "officer", communes=["CM-3"])
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Duyệt và kiểm tra"
    reports.sidebar.button(key="logout").click().run()
    log_in_as(reports, "hg", "officer", communes=["CM-1"])
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Duyệt và kiểm tra (1)"


def test_a_field_user_sees_no_count(reports, sent):
    log_in_as(reports, "an_field", "field")
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Duyệt và kiểm tra"
    reports.sidebar.button(key="logout").click().run()
    assert _menu_titles(sent)[URL_PATHS["review"]] == "Duyệt và kiểm tra"


def test_a_filter_whose_last_report_was_approved_lets_the_page_run_on(reports):
    at = _review(reports)
    at.multiselect(key="review_filter_communes").set_value(["CM-2"]).run()
    _select(at, [0]).button(key="review_approve").click().run()
    assert not at.exception, at.exception
    assert _status("QN-8") == "active"
    assert at.multiselect(key="review_filter_communes").options == ["CM-1 – Phường Hồng Gai"]
    assert _queue(at).value["point_id"].tolist() == ["QN-6", "QN-7"]
