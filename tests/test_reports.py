"""Table downloads: the one guarded writer, the communes ranking and the risk points, in both languages."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from hotspots.analysis import coverage_table
from hotspots.errors import SchemaError
from hotspots.reports import (
    DISPLAY_COLUMNS,
    commune_table,
    export_file_name,
    export_points,
    export_summary,
    play_space_flag,
    write_table,
)
from hotspots.validation import read_layer_bytes
from tests import map_fixtures as fx


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


# --- the writer -------------------------------------------------------------------------

TABLE = pd.DataFrame(
    {
        "Tên": ['=HYPERLINK("http://x")', "Ao\x07 làng", None],
        "Có rào": [True, False, None],
        "Nguy cơ": [["Nước sâu", "Bờ dốc"], [], None],
        "Tỉ lệ (%)": [80.59, 100.0, float("nan")],
        "Điểm": [0.12345, 2.0, 1.0],
        "Số điểm": [3, 0, 12],
    }
)


def test_csv_writes_words_percentages_and_guarded_text():
    rows = _csv_rows(
        write_table(TABLE, fmt="csv", lang="vi", percent_columns=["Tỉ lệ (%)"], decimals={"Điểm": 2})
    )
    assert rows == [
        ["Tên", "Có rào", "Nguy cơ", "Tỉ lệ (%)", "Điểm", "Số điểm"],
        ['\'=HYPERLINK("http://x")', "Có", "Nước sâu; Bờ dốc", "80.6", "0.12", "3"],
        ["Ao\x07 làng", "Không", "", "100", "2", "0"],
        ["", "", "", "", "1", "12"],
    ]


def test_csv_yes_no_in_english_and_notes_as_columns():
    content = write_table(TABLE[["Có rào"]], fmt="csv", lang="en", notes=[("Radius (m)", 3000)])
    assert _csv_rows(content) == [["Có rào", "Radius (m)"], ["Yes", "3000"], ["No", "3000"], ["", "3000"]]


def test_xlsx_puts_title_and_notes_above_a_typed_table():
    content = write_table(
        TABLE,
        fmt="xlsx",
        lang="vi",
        sheet_name="Ưu tiên: [xã]/phường",
        title="Ưu tiên theo xã, phường",
        notes=[("Bán kính (m)", 3000)],
        percent_columns=["Tỉ lệ (%)"],
        decimals={"Điểm": 2},
    )
    sheet = _sheet(content)
    assert sheet.title == "Ưu tiên   xã  phường"
    assert (sheet["A1"].value, sheet["A1"].font.bold) == ("Ưu tiên theo xã, phường", True)
    assert (sheet["A2"].value, sheet["B2"].value) == ("Bán kính (m)", 3000)
    assert sheet["A3"].value is None
    assert [c.value for c in sheet[4]] == ["Tên", "Có rào", "Nguy cơ", "Tỉ lệ (%)", "Điểm", "Số điểm"]
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:F7"
    assert [c.value for c in sheet[5]] == [
        '\'=HYPERLINK("http://x")',
        "Có",
        "Nước sâu; Bờ dốc",
        0.806,
        0.12,
        3,
    ]
    # Excel cannot hold control characters: they are dropped, the text kept.
    assert sheet["A6"].value == "Ao làng"
    assert (sheet["D5"].number_format, sheet["E5"].number_format) == ("0.0%", "#,##0.00")
    assert [c.value for c in sheet[7]] == [None, None, None, None, 1, 12]


def test_xlsx_without_notes_starts_with_the_header():
    sheet = _sheet(write_table(TABLE[["Số điểm"]], fmt="xlsx", lang="vi", sheet_name="Bảng"))
    assert [r[0].value for r in sheet.iter_rows()] == ["Số điểm", 3, 0, 12]
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fmt": "pdf"}, "the formats are: csv, xlsx"),
        (
            {"fmt": "csv", "percent_columns": ["Share"]},
            "No column 'Share' in the table; its columns are: Tên",
        ),
        ({"fmt": "csv", "lang": "fr"}, "the app speaks: vi, en"),
    ],
)
def test_writer_refuses_what_it_cannot_write(options, message):
    with pytest.raises(SchemaError, match=message):
        write_table(TABLE, **{"lang": "vi", **options})


def test_file_names_take_the_format_extension():
    assert export_file_name("uu-tien-xa-phuong", "xlsx") == "uu-tien-xa-phuong.xlsx"
    assert export_file_name("diem-nguy-co", "geojson") == "diem-nguy-co.geojson"


# --- the communes ranking -----------------------------------------------------------------

#: A hand-made summary (as commune_summary returns), with shares that are not round.
SUMMARY = pd.DataFrame(
    {
        "priority_rank": [2, 1],
        "commune_id": ["CM-1", "CM-3"],
        "name": ["Phường Hồng Gai", "Xã Quảng La"],
        "children_under_16": [4000, 1000],
        "has_play_space": [True, False],
        "risk_points": [31, 0],
        "black_spots": [2, 0],
        "covered_swim_share": [25 / 31, float("nan")],
        "covered_rescue_share": [0.5, float("nan")],
        "covered_either_share": [1.0, float("nan")],
        "priority_score": [0.41666, 1.25],
    }
)
HEADERS_VI = [
    "Hạng ưu tiên",
    "Xã, phường",
    "Điểm ưu tiên",
    "Điểm nguy cơ",
    "Điểm đen",
    "Có ít nhất một (%)",
    "Trẻ em dưới 16 tuổi",
    "Có lớp dạy bơi (%)",
    "Có tập huấn cứu hộ (%)",
    "Mã",
    "Có điểm vui chơi",
]


def test_commune_table_ranks_flags_and_gives_percentages():
    table = commune_table(SUMMARY, lang="vi")
    assert list(table[[c for c in DISPLAY_COLUMNS if c in table]].columns[:4]) == [
        "priority_rank",
        "name",
        "priority_score",
        "play_space",
    ]
    assert table["commune_id"].tolist() == ["CM-3", "CM-1"]
    assert table["play_space"].tolist() == ["⚠ Chưa có điểm vui chơi", "Có"]
    assert table["covered_swim_share"].iloc[1] == 80.6
    assert pd.isna(table["covered_swim_share"].iloc[0])


def test_the_overdue_inspections_follow_the_black_spots_on_the_page_and_in_the_files():
    summary = SUMMARY.assign(overdue_inspections=[4, 0])
    table = commune_table(summary, lang="vi")
    columns = list(table.columns)
    assert columns.index("overdue_inspections") == columns.index("black_spots") + 1
    assert table["overdue_inspections"].tolist() == [0, 4]  # rank order: CM-3, then CM-1
    assert "overdue_inspections" not in commune_table(SUMMARY, lang="vi").columns
    rows = _csv_rows(export_summary(summary, fmt="csv", lang="vi", swim_radius_m=3000, rescue_radius_m=2500))
    at = rows[0].index("Điểm đen")
    assert rows[0][at + 1] == "Quá hạn kiểm tra"
    assert [row[at + 1] for row in rows[1:]] == ["0", "4"]


@pytest.mark.parametrize(
    ("has", "lang", "flag"),
    [(False, "vi", "⚠ Chưa có điểm vui chơi"), (False, "en", "⚠ No play space"), (True, "vi", "Có")],
)
def test_play_space_flag(has, lang, flag):
    assert play_space_flag(has, lang) == flag


def test_communes_csv_has_percentages_yes_no_and_the_radius():
    content = export_summary(SUMMARY, fmt="csv", lang="vi", swim_radius_m=3000, rescue_radius_m=2500)
    rows = _csv_rows(content)
    assert rows[0] == [*HEADERS_VI, "Bán kính lớp dạy bơi (m)", "Bán kính điểm tập huấn cứu hộ (m)"]
    assert rows[1] == [
        "1",
        "Xã Quảng La",
        "1.25",
        "0",
        "0",
        "",
        "1000",
        "",
        "",
        "CM-3",
        "Không",
        "3000",
        "2500",
    ]
    assert rows[2] == [
        "2",
        "Phường Hồng Gai",
        "0.42",
        "31",
        "2",
        "100",
        "4000",
        "80.6",
        "50",
        "CM-1",
        "Có",
        "3000",
        "2500",
    ]


def test_communes_csv_in_english():
    rows = _csv_rows(export_summary(SUMMARY, fmt="csv", lang="en", swim_radius_m=3000, rescue_radius_m=2000))
    assert rows[0][:3] == ["Priority rank", "Commune", "Priority score"]
    assert rows[0][-3:] == ["Has a play space", "Swimming-class reach (m)", "Rescue-training reach (m)"]
    assert [row[10] for row in rows[1:]] == ["No", "Yes"]


def test_communes_xlsx_tells_the_radius_above_the_table():
    sheet = _sheet(export_summary(SUMMARY, fmt="xlsx", lang="vi", swim_radius_m=3000, rescue_radius_m=2000))
    assert sheet.title == "Ưu tiên"
    assert [[c.value for c in row[:2]] for row in sheet.iter_rows(max_row=4)] == [
        ["Ưu tiên theo xã, phường", None],
        ["Bán kính lớp dạy bơi (m)", 3000],
        ["Bán kính điểm tập huấn cứu hộ (m)", 2000],
        [None, None],
    ]
    assert [c.value for c in sheet[5]] == HEADERS_VI
    hong_gai = [c for c in sheet[7]]
    assert [c.value for c in hong_gai] == [
        2,
        "Phường Hồng Gai",
        0.42,
        31,
        2,
        1.0,
        4000,
        0.806,
        0.5,
        "CM-1",
        "Có",
    ]
    assert hong_gai[7].number_format == "0.0%"
    assert sheet.max_row == 7


def test_communes_export_refuses_other_formats():
    with pytest.raises(SchemaError, match="the formats are: csv, xlsx"):
        export_summary(SUMMARY, fmt="pdf", lang="vi", swim_radius_m=3000, rescue_radius_m=2000)


# --- the risk points ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coverage():
    layers = fx.layers()
    return coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])


def _frame(content: bytes, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        rows = _csv_rows(content)
        return pd.DataFrame(rows[1:], columns=rows[0]).set_index("point_id")
    values = list(_sheet(content).values)
    return pd.DataFrame(values[1:], columns=values[0]).set_index("point_id")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_points_table_has_codes_and_vietnamese_labels_side_by_side(coverage, fmt):
    frame = _frame(export_points(coverage, fmt=fmt, lang="vi"), fmt)
    columns = list(frame.columns)
    assert columns[columns.index("water_type") + 1] == "Loại mặt nước"
    assert columns[columns.index("coverage_status") + 1] == "Mức bao phủ"
    assert columns[-2:] == ["lon", "lat"]
    qn4 = frame.loc["QN-4"]
    assert (qn4["water_type"], qn4["Loại mặt nước"]) == ("lake_reservoir", "Hồ, đập")
    assert (qn4["risk_level"], qn4["Mức nguy cơ"]) == ("black_spot", "Điểm đen")
    assert (qn4["hazards"], qn4["Yếu tố nguy hiểm"]) == ("deep_water; steep_bank", "Nước sâu; Bờ dốc")
    assert (qn4["status"], qn4["Trạng thái điểm"]) == ("active", "Đang theo dõi")
    assert (qn4["coverage_status"], qn4["Mức bao phủ"]) == ("neither", "Chưa được bao phủ")
    qn2 = frame.loc["QN-2"]
    assert (qn2["covered_swim"], qn2["Có lớp dạy bơi gần"]) == ("true", "Có")
    assert (qn2["covered_rescue"], qn2["Có tập huấn cứu hộ gần"]) == ("false", "Không")


def test_points_labels_follow_the_language(coverage):
    frame = _frame(export_points(coverage, fmt="csv", lang="en"), "csv")
    assert (frame.loc["QN-3", "water_type"], frame.loc["QN-3", "Water type"]) == ("sea", "Sea")
    assert frame.loc["QN-2", "Covered by swimming classes"] == "Yes"


def test_points_table_without_labels_holds_codes_only(coverage):
    header = _csv_rows(export_points(coverage, fmt="csv", lang="vi", labels=False))[0]
    assert "Loại mặt nước" not in header
    assert header[:4] == ["point_id", "name", "water_type", "risk_level"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_vietnamese_points_table_imports_back_to_the_same_codes(coverage, fmt):
    content = export_points(coverage, fmt=fmt, lang="vi")
    report = read_layer_bytes(content, filename=export_file_name("diem-nguy-co", fmt), layer="risk_points")
    assert report.ok, report.errors
    back = report.valid.set_index("point_id").loc[coverage["point_id"]]
    original = coverage.set_index("point_id")
    for field in ("water_type", "risk_level", "status", "name"):
        assert back[field].tolist() == original[field].tolist()
    assert [list(h) for h in back["hazards"]] == [list(h) for h in original["hazards"]]
    assert [str(v) for v in back["coverage_status"]] == original["coverage_status"].tolist()
    # The script-tag name survives as typed; the label columns come back as extra properties.
    assert back.loc["QN-5", "name"] == fx.SCRIPT_NAME
    assert back.loc["QN-3", "Loại mặt nước"] == "Biển"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_names_are_guarded_and_read_back_as_typed(coverage, fmt):
    hostile = coverage.iloc[:1].assign(name='=HYPERLINK("http://evil","x")')
    content = export_points(hostile, fmt=fmt, lang="vi")
    assert _frame(content, fmt).loc["QN-1", "name"] == '\'=HYPERLINK("http://evil","x")'
    report = read_layer_bytes(content, filename=f"x.{fmt}", layer="risk_points")
    assert report.valid["name"].tolist() == ['=HYPERLINK("http://evil","x")']


def test_geojson_keeps_the_codes_only(coverage):
    collection = json.loads(export_points(coverage, fmt="geojson", lang="vi"))
    properties = collection["features"][0]["properties"]
    assert properties["water_type"] == "river"
    assert "Loại mặt nước" not in properties
    assert properties["covered_rescue"] is True
