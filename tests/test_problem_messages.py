"""Problem messages in Vietnamese and English: the catalogue, the library's codes, the pages."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

from __future__ import annotations

from string import Formatter

import pytest

from hotspots.errors import HotspotsError, Problem, SchemaError, StoreError, ValidationError
from hotspots.formats import parse_lat_lon
from hotspots.i18n import (
    PROBLEM_MESSAGES,
    Phrase,
    field_label,
    make_problem,
    message,
    problem_message,
    problem_text,
    rejection_reasons,
)
from hotspots.schema import STATUS_TRANSITIONS
from hotspots.store import open_store
from hotspots.validation import ReferenceData, read_layer_bytes, validate_features
from tests.test_hostile_inputs import CASES
from tests.test_pages import app, fresh_store  # noqa: F401  (pytest fixtures)
from tests.test_report_page import _report
from tests.test_store import ACTOR, add, write_province

#: Far north of the test province of the page fixtures.
OUTSIDE = ("21.5", "107.15")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", sorted(PROBLEM_MESSAGES))
def test_every_code_has_both_languages_with_the_same_placeholders(code):
    texts = PROBLEM_MESSAGES[code]
    assert set(texts) == {"en", "vi"}
    assert all(text.strip() for text in texts.values())
    assert _placeholders(texts["vi"]) == _placeholders(texts["en"])


def _problems_of(build, filename, make_point, province) -> list[Problem | HotspotsError]:
    try:
        report = read_layer_bytes(
            build(make_point), filename=filename, reference=ReferenceData(province=province)
        )
    except HotspotsError as error:
        return [error]
    return list(report.problems)


def _assert_translated(item: Problem | HotspotsError) -> None:
    english = item.message if isinstance(item, Problem) else str(item)
    assert item.code is not None, english
    assert problem_message(item, "en") == english
    vietnamese = problem_message(item, "vi")
    assert vietnamese != english
    if isinstance(item, Problem):
        assert problem_text(item, "en") == str(item)
        assert problem_text(item, "vi").endswith(vietnamese)


@pytest.mark.parametrize(("filename", "build", "exit_code", "message_pattern"), CASES)
def test_every_hostile_input_problem_has_a_vietnamese_message(
    filename, build, exit_code, message_pattern, make_point, province
):
    found = _problems_of(build, filename, make_point, province)
    assert found
    for item in found:
        _assert_translated(item)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("", "107.05", "Chưa có vĩ độ; hãy gõ dạng 21.0123."),
        ("hai mươi", "107.05", "vĩ độ 'hai mươi' không phải toạ độ"),
        ("21.01", "abc", "kinh độ 'abc' không phải toạ độ"),
    ],
)
def test_typed_coordinates_are_explained_in_vietnamese(latitude, longitude, expected):
    with pytest.raises(ValidationError) as caught:
        parse_lat_lon(latitude, longitude)
    (problem,) = caught.value.problems
    _assert_translated(problem)
    assert expected in problem_message(problem, "vi")


def test_translated_pieces_inside_a_message_follow_the_language(make_point, province):
    report = validate_features(
        [
            make_point(hazards={"a": 1}),
            make_point(107.1, 20.97, point_id="QN-0002", last_inspected="31/02/2025"),
        ],
        reference=ReferenceData(province=province),
    )
    hazards, day = report.errors
    assert (
        problem_message(hazards, "vi") == "Phải là danh sách hoặc chữ dạng 'a; b', không phải một đối tượng."
    )
    assert hazards.message == "must be a list or text like 'a; b', not an object"
    assert (
        problem_message(day, "vi") == "'31/02/2025' không phải ngày có thật: tháng 2 năm 2025 chỉ có 28 ngày."
    )
    assert day.message == "'31/02/2025' is not a real date: February 2025 has 28 days"


def test_the_vietnamese_prefix_names_the_feature_id_and_field(make_point, province):
    report = validate_features(
        [make_point(), make_point(107.1, 20.97, point_id="QN-0002", risk_level="??")],
        reference=ReferenceData(province=province),
    )
    (problem,) = report.errors
    text = problem_text(problem, "vi")
    assert text.startswith(f"điểm #2, mã QN-0002, trường '{field_label('risk_level', 'vi')}': Giá trị '??'")
    assert "các giá trị được chấp nhận: black_spot" in text


def test_near_duplicates_name_the_other_point_in_vietnamese(make_point, province):
    report = validate_features(
        [make_point(), make_point(107.05001, 20.95, point_id="QN-0002")],
        reference=ReferenceData(province=province),
    )
    (problem,) = report.errors
    assert problem.code == "too_close"
    assert "điểm #1 (mã QN-0001)" in problem_message(problem, "vi")
    assert "feature #1 (id QN-0001)" in problem.message


def test_warnings_are_labelled_in_vietnamese():
    problem = make_problem("outline_repaired", index=0, field="geometry", severity="warning")
    assert (
        problem_text(problem, "vi")
        == "cảnh báo: điểm #1, trường 'vị trí': Đường viền tự cắt nhau và đã được sửa."
    )
    assert problem_text(problem, "en") == str(problem)


def test_a_message_without_a_code_stays_english():
    problem = Problem("something new", index=2, field="name")
    assert problem_message(problem, "vi") == "something new"
    assert problem_text(problem, "vi").endswith(": something new")
    assert problem_message(StoreError("plain"), "vi") == "plain"


@pytest.mark.parametrize("code", ["no_such_code", "who"])
def test_an_unknown_code_is_refused(code):
    with pytest.raises(SchemaError, match=f"No message '{code}'"):
        message(code)


def test_a_phrase_prints_in_english():
    assert str(Phrase("who.stored_id", {"id": "QN-0042"})) == "a stored point (id QN-0042)"


@pytest.fixture
def point_store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        yield opened


def test_a_forbidden_status_change_is_explained_in_vietnamese(point_store):
    point_id = add(point_store, 1)
    forbidden = next(s for s in STATUS_TRANSITIONS if s not in {"pending", *STATUS_TRANSITIONS["pending"]})
    with pytest.raises(StoreError, match="Cannot change") as caught:
        point_store.set_status(point_id, forbidden, user=ACTOR)
    _assert_translated(caught.value)
    assert problem_message(caught.value, "vi").startswith(f"Không thể chuyển {point_id} từ 'pending'")


def test_an_inspection_without_findings_is_explained_in_vietnamese(point_store):
    # The inspector is the logged-in user: there is no name to forget.
    point_id = add(point_store, 1)
    with pytest.raises(ValidationError) as caught:
        point_store.record_inspection(point_id, inspected_on="30-02", findings="", user=ACTOR)
    assert [p.code for p in caught.value.problems] == [
        "not_date",
        "say_what_found",
    ]
    for problem in caught.value.problems:
        _assert_translated(problem)
        assert problem.feature_id == point_id


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [
        ("vi", "Điểm nằm ngoài tỉnh, cách ranh giới", "outside the province"),
        ("en", "lies 44.3 km outside the province", "ngoài tỉnh"),
    ],
)
def test_report_page_shows_the_problem_in_the_chosen_language(app, monkeypatch, lang, shown, hidden):
    # AppTest runs a switched-to page without app.py's sidebar, whose switch owns "lang"; the
    # page and show_problems ask pages._common.language() for it, so that answers here.
    monkeypatch.setattr("pages._common.language", lambda: lang)
    page = _report(app, lat=OUTSIDE[0], lon=OUTSIDE[1])
    assert page.title[0].value == ("Báo điểm nguy cơ mới" if lang == "vi" else "Report a risk point")
    (error,) = page.error
    assert shown in error.value
    assert hidden not in error.value


def test_rejection_reasons_match_the_rejected_rows_in_english_and_translate(make_point, province):
    report = validate_features(
        [make_point(name=""), make_point(20.95, 107.05, point_id="QN-0002", risk_level="??")],
        reference=ReferenceData(province=province),
    )
    for row in report.rejected.itertuples():
        assert rejection_reasons(report.problems, row.source_index, "en") == row.reasons
    assert rejection_reasons(report.problems, 0, "vi") == "Tên địa điểm: Thiếu trường bắt buộc 'name'."
    assert "; " in rejection_reasons(report.problems, 1, "vi")


def test_every_schema_field_has_a_vietnamese_name():
    from hotspots.i18n import field_label
    from hotspots.schema import LAYERS

    unnamed = sorted(
        {f.name for s in LAYERS.values() for f in s.fields if field_label(f.name, "vi") == f.name}
    )
    assert unnamed == []
