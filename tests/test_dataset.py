"""What a dataset and an incoming file hold: sample badge, data date, play spaces, import preview."""

import unicodedata
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from hotspots.analysis import (
    LEGACY_ENCODING,
    MISSING,
    PREVIEW_COLUMNS,
    REJECTED_ROW_COLUMNS,
    communes_without_play_space,
    data_date,
    file_errors,
    file_warnings,
    is_sample,
    legacy_encoding,
    preview_rows,
    rejected_rows,
)
from hotspots.i18n import make_problem, problem_message
from hotspots.validation import REJECTED_COLUMNS, ReferenceData, ValidationReport, read_layer_bytes
from tests import map_fixtures as fx

#: Vietnamese tone marks, which Windows-1258 writes as combining characters after the letter.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text):
    """Encode as Windows does: letters with ^, ˘ or the horn precomposed, tone marks combining."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def _plain(layers):
    """The layers with every illustrative mark set to false (surveyed data)."""
    return {
        name: frame.assign(illustrative=False) if "illustrative" in frame.columns else frame
        for name, frame in layers.items()
    }


def test_the_shipped_kind_of_layers_are_the_sample():
    assert is_sample(fx.layers())


@pytest.mark.parametrize(
    "change",
    [
        _plain,
        lambda layers: {n: f.drop(columns="illustrative", errors="ignore") for n, f in layers.items()},
        lambda layers: {
            n: f.assign(illustrative=None) if "illustrative" in f else f for n, f in layers.items()
        },
        lambda layers: {},
    ],
    ids=["marked-false", "no-column", "missing-values", "no-layers"],
)
def test_surveyed_layers_are_not_the_sample(change):
    assert not is_sample(change(fx.layers()))


def test_one_illustrative_commune_is_enough_to_say_sample():
    layers = _plain(fx.layers())
    layers["communes"].loc[2, "illustrative"] = True
    assert is_sample(layers)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2025-03-01", "2025-05-20", None], date(2025, 5, 20)),
        ([date(2024, 12, 31), date(2025, 1, 2)], date(2025, 1, 2)),
        (["not a date", None], None),
        ([None, None], None),
        ([], None),
    ],
)
def test_data_date_is_the_last_inspection(values, expected):
    assert data_date(pd.DataFrame({"last_inspected": values})) == expected


def test_data_date_of_the_fixture_points_and_of_points_without_the_column():
    assert data_date(fx.risk_points()) == date(2025, 5, 20)
    assert data_date(fx.risk_points().drop(columns="last_inspected")) is None


@pytest.mark.parametrize(("flags", "expected"), [([True, True, False], 1), ([True] * 3, 0), ([False] * 2, 2)])
def test_communes_without_play_space(flags, expected):
    assert communes_without_play_space(pd.DataFrame({"has_play_space": flags})) == expected


def test_communes_without_play_space_in_the_fixture():
    assert communes_without_play_space(fx.communes()) == 1


def _report(problems=(), rejected=(), valid=None):
    rejected_frame = pd.DataFrame(list(rejected), columns=list(REJECTED_COLUMNS))
    empty = gpd.GeoDataFrame({"point_id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return ValidationReport("risk_points", empty if valid is None else valid, tuple(problems), rejected_frame)


FILE_ERROR = make_problem("no_features")
FILE_WARNING = make_problem("not_utf8", severity="warning")
ROW_ERROR = make_problem("required_missing", index=2, field="name", name="name")
ROW_WARNING = make_problem("coordinates_as_text", index=0, field="geometry", severity="warning")


def test_whole_file_problems_are_picked_out_by_severity():
    report = _report([FILE_ERROR, FILE_WARNING, ROW_ERROR, ROW_WARNING])
    assert file_errors(report) == (FILE_ERROR,)
    assert file_warnings(report) == (FILE_WARNING,)
    assert file_errors(_report([ROW_ERROR])) == ()


def test_the_legacy_encoding_is_named_only_when_it_was_used():
    assert legacy_encoding(_report([FILE_WARNING])) == "CP1258 / Windows-1258" == LEGACY_ENCODING
    assert legacy_encoding(_report([ROW_WARNING, FILE_ERROR])) is None


@pytest.fixture(scope="module")
def reference():
    return ReferenceData(province=fx.province().geometry.iloc[0], communes=fx.communes())


def test_a_cp1258_csv_is_read_and_its_encoding_named(reference):
    text = "point_id,name,water_type,risk_level,lat,lon\nQN-0201,Bến đò Bạch Đằng,river,high,20.93,107.12\n"
    report = read_layer_bytes(
        encode_cp1258(text), filename="cu.csv", layer="risk_points", reference=reference
    )
    assert legacy_encoding(report) == LEGACY_ENCODING
    assert preview_rows(report.valid, fx.communes(), "vi").values.tolist() == [
        ["QN-0201", "Bến đò Bạch Đằng", "Phường Bãi Cháy", "Sông", "Cao"]
    ]
    utf8 = read_layer_bytes(text.encode(), filename="moi.csv", layer="risk_points", reference=reference)
    assert legacy_encoding(utf8) is None


def _valid(rows):
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["point_id", "name", "commune_id", "water_type", "risk_level"]),
        geometry=[Point(107.1, 21.0)] * len(rows),
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            [
                ["QN-1", "Ao làng", "Phường Hồng Gai", "Ao", "Điểm đen"],
                ["QN-2", "Giếng cũ", MISSING, "Giếng", "Thấp"],
                ["QN-3", "Suối", "CM-9", "Suối", MISSING],
            ],
        ),
        (
            "en",
            [
                ["QN-1", "Ao làng", "Phường Hồng Gai", "Pond", "Black spot"],
                ["QN-2", "Giếng cũ", MISSING, "Well", "Low"],
                ["QN-3", "Suối", "CM-9", "Stream", MISSING],
            ],
        ),
    ],
)
def test_preview_rows_name_the_commune_and_label_the_values(lang, expected):
    valid = _valid(
        [
            ("QN-1", "Ao làng", "CM-1", "pond", "black_spot"),
            ("QN-2", "Giếng cũ", None, "well", "low"),
            ("QN-3", "Suối", "CM-9", "stream", np.nan),
        ]
    )
    rows = preview_rows(valid, fx.communes(), lang)
    assert rows.columns.tolist() == list(PREVIEW_COLUMNS)
    assert rows.values.tolist() == expected


def test_preview_of_nothing_is_an_empty_table():
    rows = preview_rows(_valid([]), fx.communes(), "vi")
    assert rows.columns.tolist() == list(PREVIEW_COLUMNS) and len(rows) == 0


def test_rejected_rows_count_from_one_and_show_a_dash_for_no_id():
    report = _report(
        [FILE_WARNING, make_problem("required_missing", index=0, field="name", name="name"), ROW_ERROR],
        rejected=[(0, "QN-7", "x", "{}", 107.1, 21.0), (2, None, "x", "{}", np.nan, np.nan)],
    )
    rows = rejected_rows(report, "vi")
    missing_name = {lang: problem_message(ROW_ERROR, lang) for lang in ("vi", "en")}
    assert rows.columns.tolist() == list(REJECTED_ROW_COLUMNS)
    assert rows.values.tolist() == [
        [1, "QN-7", f"Tên địa điểm: {missing_name['vi']}"],
        [3, MISSING, f"Tên địa điểm: {missing_name['vi']}"],
    ]
    assert rejected_rows(report, "en")["reasons"].tolist() == [f"name: {missing_name['en']}"] * 2


@given(st.lists(st.integers(0, 10_000), unique=True, max_size=20))
def test_rejected_rows_are_numbered_one_past_their_index(indices):
    report = _report(rejected=[(i, f"QN-{i}", "", "{}", np.nan, np.nan) for i in indices])
    assert rejected_rows(report, "vi")["row"].tolist() == [i + 1 for i in indices]
