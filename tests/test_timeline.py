"""The history and inspections of a risk point told as sentences, in Vietnamese and in English."""

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from hotspots.reports import (
    TimelineEntry,
    field_name,
    history_timeline,
    inspection_timeline,
    local_time,
    value_text,
)

#: 07:05 UTC is 14:05 in Hà Nội (UTC+7, no summer time).
AT = "2026-11-29T07:05:00.123+00:00"


def _row(action, old=None, new=None, *, user="Nguyễn Văn A", what="", reason="", at=AT):
    return {"at": at, "user": user, "action": action, "what": what, "old": old, "new": new, "reason": reason}


@pytest.mark.parametrize(
    ("row", "lang", "headline", "details"),
    [
        (
            _row("status", {"status": "pending"}, {"status": "active"}),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã duyệt",
            ("Trạng thái: Chờ duyệt → Đang theo dõi",),
        ),
        (
            _row("status", {"status": "pending"}, {"status": "active"}),
            "en",
            "29 Nov 2026 14:05 – Nguyễn Văn A approved it",
            ("Status: Pending → Active",),
        ),
        (
            _row("status", {"status": "pending"}, {"status": "rejected"}, reason="Trùng với QN-0012"),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã từ chối",
            ("Trạng thái: Chờ duyệt → Bị từ chối", "Lý do: Trùng với QN-0012"),
        ),
        (
            _row("status", {"status": "active"}, {"status": "mitigated"}, reason="Đã rào"),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã đổi trạng thái",
            ("Trạng thái: Đang theo dõi → Đã khắc phục", "Lý do: Đã rào"),
        ),
        (
            _row("add", None, {"name": "Ao mới", "water_type": "pond", "lon": 107.1, "lat": 20.9}),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã báo điểm mới",
            (),
        ),
        (
            _row("seed", None, {"name": "Hồ Yên Lập"}, user="seed", what="risk_points.geojson"),
            "vi",
            "29/11/2026 14:05 – Hệ thống đã nạp từ dữ liệu ban đầu",
            (),
        ),
        (
            _row("import", None, {"name": "Suối"}, user="Trần Thị Bình", what="diem-moi.geojson"),
            "en",
            "29 Nov 2026 14:05 – Trần Thị Bình imported it from the file diem-moi.geojson",
            (),
        ),
        (
            _row(
                "edit",
                {
                    "name": "Ao làng",
                    "risk_level": "high",
                    "hazards": ["deep_water", "no_fence"],
                    "notes": None,
                },
                {
                    "name": "Ao làng Cao Xanh",
                    "risk_level": "black_spot",
                    "hazards": ["tidal_flow"],
                    "notes": "Sâu",
                },
            ),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã sửa thông tin",
            (
                "Tên địa điểm: Ao làng → Ao làng Cao Xanh",
                "Mức nguy cơ: Cao → Điểm đen",
                "Yếu tố nguy hiểm: Nước sâu, Không có rào chắn → Thuỷ triều",
                "Ghi chú: (trống) → Sâu",
            ),
        ),
        (
            _row("edit", {"lon": 107.05, "lat": 20.951}, {"lon": 107.0512345, "lat": 20.951}),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã sửa thông tin",
            ("Kinh độ: 107,05000 → 107,05123",),
        ),
        (
            _row(
                "inspection",
                {"last_inspected": "2025-03-01"},
                {
                    "last_inspected": "2025-03-12",
                    "inspection": {
                        "inspection_id": 4,
                        "inspected_on": "2025-03-12",
                        "inspector": "Phạm Thu Hà",
                        "findings": "Rào chắn còn tốt",
                        "mitigations": "",
                    },
                },
                user="Lê Văn Cường",
                what="inspection of 2025-03-12",
            ),
            "vi",
            "29/11/2026 14:05 – Lê Văn Cường đã ghi kết quả kiểm tra ngày 12/03/2025",
            (
                "Người kiểm tra: Phạm Thu Hà",
                "Phát hiện: Rào chắn còn tốt",
                "Ngày kiểm tra gần nhất: 01/03/2025 → 12/03/2025",
            ),
        ),
        (
            _row("restore", {"status": "retired"}, {"status": "active"}),
            "vi",
            "29/11/2026 14:05 – Nguyễn Văn A đã cập nhật",
            ("Trạng thái: Đã loại bỏ → Đang theo dõi",),
        ),
    ],
)
def test_history_rows_read_as_sentences(row, lang, headline, details):
    (entry,) = history_timeline([row], lang)
    assert entry.headline == headline
    assert entry.details == details


def test_a_store_history_frame_with_json_text_reads_the_same():
    rows = [
        _row("add", None, {"name": "Ao"}, at="2026-01-01T00:00:00+00:00"),
        _row("status", {"status": "pending"}, {"status": "active"}, user="Cán bộ B"),
    ]
    frame = pd.DataFrame(rows)
    as_text = frame.assign(
        old=[None if v is None else json.dumps(v) for v in frame["old"]],
        new=[json.dumps(v) for v in frame["new"]],
    )
    for history in (frame, as_text):
        entries = history_timeline(history, "vi")
        assert [e.headline for e in entries] == [
            "01/01/2026 07:00 – Nguyễn Văn A đã báo điểm mới",
            "29/11/2026 14:05 – Cán bộ B đã duyệt",
        ]
        assert entries[1] == TimelineEntry(
            when="29/11/2026 14:05",
            who="Cán bộ B",
            headline="29/11/2026 14:05 – Cán bộ B đã duyệt",
            details=("Trạng thái: Chờ duyệt → Đang theo dõi",),
        )


def test_inspections_read_with_local_dates():
    inspections = pd.DataFrame(
        {
            "inspection_id": [1, 2],
            "point_id": ["QN-2", "QN-2"],
            "inspected_on": ["2025-03-12", "2025-12-31"],
            "inspector": ["Phạm Thu Hà", "Đỗ Minh"],
            "findings": ["Rào chắn còn tốt", "Biển báo bị đổ"],
            "mitigations": ["Thêm phao cứu sinh", None],
            "recorded_at": ["2025-03-12T17:30:00.000+00:00", "2025-12-31T16:59:00+00:00"],
            "recorded_by": ["Lê Văn Cường", "seed"],
        }
    )
    vi = inspection_timeline(inspections, "vi")
    assert [(e.headline, e.details) for e in vi] == [
        (
            "12/03/2025 – Phạm Thu Hà kiểm tra",
            (
                "Phát hiện: Rào chắn còn tốt",
                "Biện pháp: Thêm phao cứu sinh",
                "Ghi bởi Lê Văn Cường lúc 13/03/2025 00:30",
            ),
        ),
        (
            "31/12/2025 – Đỗ Minh kiểm tra",
            ("Phát hiện: Biển báo bị đổ", "Ghi bởi Hệ thống lúc 31/12/2025 23:59"),
        ),
    ]
    en = inspection_timeline(inspections.iloc[:1], "en")
    assert en[0].headline == "12 Mar 2025 – inspected by Phạm Thu Hà"
    assert en[0].details[-1] == "Recorded by Lê Văn Cường on 13 Mar 2025 00:30"


@pytest.mark.parametrize(
    ("at", "lang", "expected"),
    [
        ("2026-11-29T07:05:00+00:00", "vi", "29/11/2026 14:05"),
        # Without an offset the store's time is UTC.
        ("2026-11-29T17:05:00", "vi", "30/11/2026 00:05"),
        (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "en", "02 Jan 2026 10:04"),
        (pd.Timestamp("2026-06-30T20:00:00Z"), "vi", "01/07/2026 03:00"),
        ("not a time", "vi", "—"),
        (None, "en", "—"),
    ],
)
def test_local_time(at, lang, expected):
    assert local_time(at, lang) == expected


@pytest.mark.parametrize(
    ("field", "value", "lang", "expected"),
    [
        ("water_type", "sea", "vi", "Biển"),
        ("water_type", "sea", "en", "Sea"),
        ("hazards", ["no_warning_sign", "deep_water"], "vi", "Không có biển cảnh báo, Nước sâu"),
        ("coverage_status", "swim_only", "vi", "Chỉ có lớp dạy bơi"),
        ("last_inspected", "2025-05-20", "vi", "20/05/2025"),
        ("has_play_space", True, "vi", "Có"),
        ("has_play_space", False, "en", "No"),
        ("children_under_16", 12500, "vi", "12.500"),
        ("notes", "", "vi", "(trống)"),
        ("hazards", [], "en", "(empty)"),
    ],
)
def test_values_in_words(field, value, lang, expected):
    assert value_text(field, value, lang) == expected


@pytest.mark.parametrize(
    ("field", "lang", "expected"),
    [
        ("status", "vi", "Trạng thái"),
        ("water_type", "en", "Water type"),
        ("last_inspected", "en", "Last inspected"),
        ("organiser", "vi", "Đơn vị tổ chức"),
    ],
)
def test_field_names(field, lang, expected):
    assert field_name(field, lang) == expected
