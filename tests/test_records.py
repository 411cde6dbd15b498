"""The records' own rules: days as typed (shared with the validator) and status transitions."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspots.errors import SchemaError, StoreError, ValidationError
from hotspots.i18n import problem_message
from hotspots.schema import POINT_STATUSES, STATUS_TRANSITIONS
from hotspots.validation import ReferenceData, check_transition, parse_day, validate_features
from hotspots.validation.values import normalise_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        (dt.datetime(2025, 6, 30, 14, 5), dt.date(2025, 6, 30)),
        ("2025-06-30", dt.date(2025, 6, 30)),
        ("2025-6-3", dt.date(2025, 6, 3)),
        ("2025-06-30T10:00:00", dt.date(2025, 6, 30)),
        ("30/06/2025", dt.date(2025, 6, 30)),
        ("3/6/2025", dt.date(2025, 6, 3)),
        ("30-06-2025", dt.date(2025, 6, 30)),
        ("30.06.2025", dt.date(2025, 6, 30)),
        (" 29/02/2024 ", dt.date(2024, 2, 29)),
    ],
)
def test_parse_day_reads_iso_and_day_first(value, expected):
    assert parse_day(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "english", "vietnamese"),
    [
        (
            "31/04/2025",
            "bad_day",
            "'31/04/2025' is not a real date: April 2025 has 30 days",
            "'31/04/2025' không phải ngày có thật: tháng 4 năm 2025 chỉ có 30 ngày.",
        ),
        (
            "29/02/2023",
            "bad_day",
            "'29/02/2023' is not a real date: February 2023 has 28 days",
            "'29/02/2023' không phải ngày có thật: tháng 2 năm 2023 chỉ có 28 ngày.",
        ),
        (
            "13/13/2025",
            "bad_month",
            "'13/13/2025' is not a real date: month 13 does not exist (dates are read day first)",
            "'13/13/2025' không phải ngày có thật: không có tháng 13 "
            "(ngày được đọc theo thứ tự ngày/tháng/năm).",
        ),
        (
            "2025/06/30",
            "not_date",
            "'2025/06/30' is not a date; write YYYY-MM-DD (2025-06-30) or DD/MM/YYYY (30/06/2025)",
            "'2025/06/30' không phải là ngày; hãy ghi NN/TT/NNNN (30/06/2025) hoặc NNNN-TT-NN (2025-06-30).",
        ),
        (
            "",
            "not_date",
            "'' is not a date; write YYYY-MM-DD (2025-06-30) or DD/MM/YYYY (30/06/2025)",
            "'' không phải là ngày; hãy ghi NN/TT/NNNN (30/06/2025) hoặc NNNN-TT-NN (2025-06-30).",
        ),
        (
            "0000-01-01",
            "not_date",
            "'0000-01-01' is not a date; write YYYY-MM-DD (2025-06-30) or DD/MM/YYYY (30/06/2025)",
            "'0000-01-01' không phải là ngày; hãy ghi NN/TT/NNNN (30/06/2025) hoặc NNNN-TT-NN (2025-06-30).",
        ),
        (
            20250630,
            "not_date_kind",
            "must be a date like 2025-06-30 or 30/06/2025, not a number",
            "Phải là ngày dạng 30/06/2025 hoặc 2025-06-30, không phải một số.",
        ),
        (
            None,
            "not_date_kind",
            "must be a date like 2025-06-30 or 30/06/2025, not null",
            "Phải là ngày dạng 30/06/2025 hoặc 2025-06-30, không phải giá trị rỗng (null).",
        ),
        (
            math.nan,
            "not_date_kind",
            "must be a date like 2025-06-30 or 30/06/2025, not null",
            "Phải là ngày dạng 30/06/2025 hoặc 2025-06-30, không phải giá trị rỗng (null).",
        ),
    ],
)
def test_parse_day_refuses_with_a_coded_problem(value, code, english, vietnamese):
    with pytest.raises(ValidationError) as caught:
        parse_day(value, field="inspected_on")
    error = caught.value
    assert error.code == code
    [problem] = error.problems
    assert (problem.code, problem.field, problem.severity) == (code, "inspected_on", "error")
    assert problem.message == english
    assert problem_message(problem, "en") == english
    assert problem_message(problem, "vi") == vietnamese
    assert problem_message(error, "vi") == vietnamese
    assert str(error) == f"The date cannot be read\n- field 'inspected_on': {english}"


day_like_text = st.from_regex(r"\s?\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(T\d\d:\d\d)?\s?", fullmatch=True)


@given(text=day_like_text | st.text(max_size=12))
def test_parse_day_applies_exactly_the_validators_date_rules(text):
    iso, issues = normalise_date(text)
    try:
        day = parse_day(text)
    except ValidationError as error:
        if iso is None:
            assert error.code == issues[0][1]
        else:  # the validator keeps the text of year 0000, which no Python date can hold
            assert iso.startswith("0000-")
            assert error.code == "not_date"
    else:
        assert day.isoformat() == iso


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=dt.date(1000, 1, 1)), form=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"])
)
def test_parse_day_agrees_with_the_validated_last_inspected(day, form, province):
    written = day.strftime(form)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [107.05, 20.95]},
        "properties": {
            "point_id": "QN-1",
            "name": "Bến",
            "water_type": "sea",
            "risk_level": "low",
            "last_inspected": written,
        },
    }
    report = validate_features([feature], reference=ReferenceData(province=province))
    assert report.valid["last_inspected"].tolist() == [parse_day(written).isoformat()]
    assert parse_day(written) == day


ALLOWED = sorted((old, new) for old, news in STATUS_TRANSITIONS.items() for new in news)
FORBIDDEN = sorted(
    (old, new) for old in POINT_STATUSES for new in POINT_STATUSES if new not in STATUS_TRANSITIONS[old]
)


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transitions_pass(old, new):
    assert check_transition(old, new) is None
    assert check_transition(old, new, point_id="QN-0001") is None


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_forbidden_transitions_are_refused(old, new):
    with pytest.raises(StoreError) as caught:
        check_transition(old, new)
    assert caught.value.code == "status_change_not_allowed"
    assert dict(caught.value.params)["old"] == old
    assert dict(caught.value.params)["status"] == new


def test_the_transition_lists_are_what_the_tests_expect():
    assert len(ALLOWED) == 6
    assert len(FORBIDDEN) == 19
    assert ("active", "active") in FORBIDDEN


def test_forbidden_transition_names_the_allowed_ones_in_both_languages():
    with pytest.raises(StoreError) as caught:
        check_transition("pending", "mitigated")
    assert str(caught.value) == (
        "Cannot change the status from 'pending' to 'mitigated'. "
        "Allowed from 'pending': 'active', 'rejected'."
    )
    assert problem_message(caught.value, "vi") == (
        "Không thể chuyển trạng thái từ 'pending' sang 'mitigated'. "
        "Từ 'pending' chỉ chuyển được sang: 'active', 'rejected'."
    )


def test_forbidden_transition_names_the_point_when_given():
    with pytest.raises(StoreError) as caught:
        check_transition("pending", "mitigated", point_id="QN-0001")
    assert caught.value.code == "status_change_forbidden"
    assert str(caught.value) == (
        "Cannot change QN-0001 from 'pending' to 'mitigated'. Allowed from 'pending': 'active', 'rejected'."
    )
    assert problem_message(caught.value, "vi") == (
        "Không thể chuyển QN-0001 từ 'pending' sang 'mitigated'. "
        "Từ 'pending' chỉ chuyển được sang: 'active', 'rejected'."
    )


def test_a_final_status_says_it_is_final():
    with pytest.raises(StoreError) as caught:
        check_transition("retired", "active")
    assert str(caught.value) == (
        "Cannot change the status from 'retired' to 'active'. Allowed from 'retired': none (it is final)."
    )
    assert problem_message(caught.value, "vi") == (
        "Không thể chuyển trạng thái từ 'retired' sang 'active'. "
        "Từ 'retired' chỉ chuyển được sang: không trạng thái nào (đây là trạng thái cuối)."
    )


@pytest.mark.parametrize(
    ("old", "new", "unknown"), [("active", "closed", "closed"), ("open", "active", "open")]
)
def test_an_unknown_status_is_a_schema_error(old, new, unknown):
    with pytest.raises(SchemaError) as caught:
        check_transition(old, new)
    assert caught.value.code == "unknown_status"
    assert str(caught.value) == (
        f"Unknown status '{unknown}'; statuses are: pending, active, rejected, mitigated, retired."
    )
