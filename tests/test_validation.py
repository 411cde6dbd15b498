"""Validation: value normalisation, spatial checks, the report, and property tests."""

from __future__ import annotations

import contextlib
import json
import math
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from hotspots import validation
from hotspots.errors import HotspotsError, SchemaError, ValidationError
from hotspots.formats import json_nesting_depth
from hotspots.i18n import problem_message, problem_text
from hotspots.schema import HAZARDS, LAYERS, RISK_LEVELS, WATER_TYPES
from hotspots.validation import (
    ReferenceData,
    conform_columns,
    read_layer_bytes,
    validate_features,
    validate_geojson,
)
from hotspots.validation import places as validation_places

FIXTURE_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def only(report, field):
    return report.valid[field].tolist()


@pytest.mark.parametrize(
    ("field", "given_value", "expected"),
    [
        ("water_type", "sông", "river"),
        ("water_type", " Biển ", "sea"),
        ("water_type", "hồ", "lake_reservoir"),
        ("water_type", "ao", "pond"),
        ("water_type", "song", "river"),
        ("water_type", "Lake_Reservoir", "lake_reservoir"),
        ("risk_level", "điểm đen", "black_spot"),
        ("risk_level", "Black Spot", "black_spot"),
        ("risk_level", "black-spot", "black_spot"),
        ("risk_level", "diem den", "black_spot"),
        ("risk_level", "CAO", "high"),
        ("status", "chờ duyệt", "pending"),
    ],
)
def test_enum_values_and_vietnamese_labels(field, given_value, expected, make_point, province):
    report = validate_features(
        [make_point(**{field: given_value})], reference=ReferenceData(province=province)
    )
    assert report.ok, report.problems
    assert only(report, field) == [expected]


def test_accentless_word_that_could_mean_two_values_is_refused(make_point, province):
    # "ho" could be hồ (lake) or hố (pit): guessing would put a wrong label on the map.
    report = validate_features([make_point(water_type="ho")], reference=ReferenceData(province=province))
    assert "'ho' is not an allowed value; allowed: sea, river" in report.errors[0].message


def test_label_meaning_depends_on_the_field(province):
    swim = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [107.05, 20.95]},
        "properties": {
            "class_id": "SC-001",
            "name": "Lớp bơi hè",
            "venue_type": "hồ",
            "organiser": "Đoàn Thanh niên",
            "start_date": "01/06/2025",
            "end_date": "30/06/2025",
            "capacity": "30",
        },
    }
    report = validate_features([swim], layer="swim_classes", reference=ReferenceData(province=province))
    assert report.ok, report.problems
    assert only(report, "venue_type") == ["lake"]
    assert only(report, "capacity") == [30]


@pytest.mark.parametrize(
    "hazards",
    [
        ["deep_water", "no_fence"],
        "deep_water; no_fence",
        "deep_water, no_fence",
        '["deep_water", "no_fence"]',
        "nước sâu; không có rào chắn",
        ["Deep water", "no fence", "deep_water"],
    ],
)
def test_hazards_from_lists_and_text(hazards, make_point, province):
    report = validate_features([make_point(hazards=hazards)], reference=ReferenceData(province=province))
    assert only(report, "hazards") == [["deep_water", "no_fence"]]


def test_unknown_hazard_lists_the_allowed_ones(make_point, province):
    report = validate_features(
        [make_point(hazards="deep_water; sharks")], reference=ReferenceData(province=province)
    )
    assert "'sharks' not allowed; allowed: deep_water, steep_bank" in report.errors[0].message


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [("có", True), ("Không", False), ("yes", True), ("no", False), ("1", True), (0, False), (True, True)],
)
def test_yes_no_values(given_value, expected, communes, province):
    feature = json.loads(communes.iloc[[1]].to_json())["features"][0]
    feature["properties"]["has_play_space"] = given_value
    report = validate_features([feature], layer="communes", reference=ReferenceData(province=province))
    assert report.ok, report.problems
    assert only(report, "has_play_space") == [expected]


@pytest.mark.parametrize(
    ("field", "given_value", "message"),
    [
        ("has_play_space", "maybe", "'maybe' is not yes or no; write có/không"),
        ("children_under_16", "12.5", "'12.5' is not a whole number"),
        ("children_under_16", -3, "must be at least 0 (got -3)"),
        ("children_under_16", "many", "'many' is not a number"),
        ("children_under_16", [4], "must be a number, not a list"),
    ],
)
def test_bad_numbers_and_yes_no(field, given_value, message, communes, province):
    feature = json.loads(communes.iloc[[1]].to_json())["features"][0]
    feature["properties"][field] = given_value
    report = validate_features([feature], layer="communes", reference=ReferenceData(province=province))
    (problem,) = report.errors
    assert problem.message.startswith(message)
    assert problem.field == field


def test_missing_optional_fields_get_the_schema_defaults(make_point, province):
    report = validate_features([make_point()], reference=ReferenceData(province=province))
    row = report.valid.iloc[0]
    assert (row["status"], row["hazards"], row["source"]) == ("active", [], "")
    assert pd.isna(row["notes"])


def test_text_is_nfc_normalised_and_trimmed(make_point, province):
    decomposed = unicodedata.normalize("NFD", "  Sông Bạch Đằng \n")
    report = validate_features([make_point(name=decomposed)], reference=ReferenceData(province=province))
    assert only(report, "name") == ["Sông Bạch Đằng"]


def test_control_characters_are_removed_with_a_warning(make_point, province):
    report = validate_features(
        [make_point(name="Bãi\x00 Cháy\x07")], reference=ReferenceData(province=province)
    )
    assert only(report, "name") == ["Bãi Cháy"]
    assert report.warnings[0].message == "invisible control characters were removed"


def test_feature_id_member_stands_in_for_a_missing_id(make_point, province):
    feature = make_point()
    del feature["properties"]["point_id"]
    feature["id"] = "QN-0777"
    report = validate_features([feature], reference=ReferenceData(province=province))
    assert only(report, "point_id") == ["QN-0777"]


def test_column_headings_in_other_words_are_matched(province):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [107.05, 20.95]},
        "properties": {"Mã điểm": "QN-0009", "Tên": "Hồ Yên Lập", "Loại nước": "hồ", "Risk Level": "cao"},
    }
    report = validate_features([feature], reference=ReferenceData(province=province))
    assert report.ok, report.problems
    row = report.valid.iloc[0]
    assert (row["point_id"], row["name"], row["water_type"], row["risk_level"]) == (
        "QN-0009",
        "Hồ Yên Lập",
        "lake_reservoir",
        "high",
    )


def test_exact_field_name_wins_over_an_alias(make_point, province):
    report = validate_features(
        [make_point(name="Bến Đoan", **{"tên": "Tên khác"})], reference=ReferenceData(province=province)
    )
    assert only(report, "name") == ["Bến Đoan"]
    assert only(report, "tên") == ["Tên khác"]


def test_valid_frame_layout(make_point, province):
    features = [
        make_point(extra_int=3, người_báo="a"),
        make_point(107.1, 20.97, point_id="QN-0002", extra_int=None),
    ]
    report = validate_features(features, reference=ReferenceData(province=province))
    fields = list(LAYERS["risk_points"].field_names)
    assert list(report.valid.columns) == [*fields, "extra_int", "người_báo", "source_index", "geometry"]
    assert report.valid.crs == "EPSG:4326"
    assert report.valid["source_index"].tolist() == [0, 1]
    assert report.valid["extra_int"].tolist() == [3, None]
    assert type(report.valid["extra_int"].iloc[0]) is int


def test_schema_dtypes(communes, province):
    features = json.loads(communes.to_json())["features"]
    valid = validate_features(features, layer="communes", reference=ReferenceData(province=province)).valid
    assert str(valid["children_under_16"].dtype) == "Int64"
    assert valid["has_play_space"].dtype == bool
    assert valid["illustrative"].tolist() == [False, False]
    assert (~valid["has_play_space"]).tolist() == [False, True]


def test_rejected_rows(make_point, province):
    report = validate_features(
        [make_point(risk_level="extreme", note_extra="x")], reference=ReferenceData(province=province)
    )
    row = report.rejected.iloc[0]
    assert list(report.rejected.columns) == list(validation.REJECTED_COLUMNS)
    assert (row["source_index"], row["feature_id"], row["lon"], row["lat"]) == (0, "QN-0001", 107.05, 20.95)
    assert row["reasons"].startswith("risk_level: 'extreme' is not an allowed value")
    assert json.loads(row["properties"])["note_extra"] == "x"
    assert report.valid.empty
    assert list(report.valid.columns)[-2:] == ["source_index", "geometry"]


def test_report_properties_and_raise(make_point, province):
    report = validate_features(
        [make_point(name="<b>Bến</b>"), make_point(107.1, 20.97, name="")],
        reference=ReferenceData(province=province),
    )
    assert not report.ok
    assert [p.severity for p in report.problems] == ["warning", "error", "error"]
    assert len(report.errors) == 2
    assert len(report.warnings) == 1
    with pytest.raises(ValidationError, match=r"2 problem\(s\) found in layer 'risk_points': 1 of 2") as info:
        report.raise_for_errors()
    assert len(info.value.problems) == 2
    validate_features([make_point()], reference=ReferenceData(province=province)).raise_for_errors()


def test_missing_commune_is_filled_from_the_map(make_point, province, communes):
    report = validate_features(
        [make_point(107.15, 21.0)], reference=ReferenceData(province=province, communes=communes)
    )
    assert only(report, "commune_id") == ["CM-002"]
    assert (
        report.warnings[0].message == "commune_id was missing; filled from the map: CM-002 (Phường Hồng Gai)"
    )


def test_point_just_off_the_coast_gets_the_nearest_commune(make_point, province, communes):
    report = validate_features(
        [make_point(107.0, 20.8755)], reference=ReferenceData(province=province, communes=communes)
    )
    assert report.ok, report.problems
    assert only(report, "commune_id") == ["CM-001"]


def test_unknown_commune_is_an_error(make_point, province, communes):
    report = validate_features(
        [make_point(commune_id="CM-999")], reference=ReferenceData(province=province, communes=communes)
    )
    assert report.errors[0].message.startswith(
        "commune_id 'CM-999' is not one of the 2 communes on the map (for example CM-001 (Phường Bãi Cháy)"
    )


def test_stored_features_count_for_ids_and_near_duplicates(make_point, province):
    existing = gpd.GeoDataFrame(
        {"point_id": ["QN-0001", "QN-0100"]}, geometry=[Point(107.2, 21.03), Point(107.1, 20.97)], crs=4326
    )
    features = [make_point(), make_point(107.10001, 20.97, point_id="QN-0002")]
    report = validate_features(features, reference=ReferenceData(province=province, existing=existing))
    messages = [p.message for p in report.errors]
    assert messages == [
        "id QN-0001 is already used by a stored feature; give this one a new id",
        "is only 1.0 m from a stored point (id QN-0100): probably the same place entered twice "
        "(points must be at least 5 m apart)",
    ]


def test_stored_points_in_another_crs(make_point, province):
    existing = gpd.GeoDataFrame({"point_id": ["QN-0100"]}, geometry=[Point(107.05, 20.95)], crs=4326).to_crs(
        32648
    )
    report = validate_features([make_point()], reference=ReferenceData(province=province, existing=existing))
    assert "exactly the same place as a stored point (id QN-0100)" in report.errors[0].message


def test_many_copies_of_one_point(make_point, province):
    features = [make_point(point_id=f"QN-{i:04d}") for i in range(2000)]
    report = validate_features(features, reference=ReferenceData(province=province))
    assert len(report.valid) == 1
    assert len(report.errors) == 1999
    assert "exactly the same place as feature #1 (id QN-0000)" in report.errors[-1].message


def test_points_five_metres_apart_are_both_kept(make_point, province):
    # 5.5 m east at 20.95 N is 0.0000529 degrees of longitude.
    features = [
        make_point(),
        make_point(107.05 + 5.5 / (111_320 * math.cos(math.radians(20.95))), point_id="B"),
    ]
    assert validate_features(features, reference=ReferenceData(province=province)).ok


def test_coastal_tolerance(make_point, province):
    just_outside = make_point(107.0, 20.87)  # about 600 m south of the outline
    assert validate_features([just_outside], reference=ReferenceData(province=province)).ok
    strict = validate_features([just_outside], tolerance_m=100, reference=ReferenceData(province=province))
    assert "km outside the province (only 100 m is allowed" in strict.errors[0].message


def test_default_province_comes_from_the_geodata_folder(monkeypatch, geodata_dir, make_point):
    monkeypatch.setattr(validation_places, "GEODATA_DIR", geodata_dir)
    report = validate_features([make_point(105.8, 21.03)])
    assert "km outside the province" in report.errors[0].message


def test_without_any_province_the_check_is_skipped_with_a_warning(monkeypatch, tmp_path, make_point):
    monkeypatch.setattr(validation_places, "GEODATA_DIR", tmp_path)
    report = validate_features([make_point(105.8, 21.03)])
    assert report.ok
    assert report.warnings[0].message.startswith("No province outline is available")


def test_without_a_province_impossible_latitude_suggests_a_swap(monkeypatch, tmp_path, make_point):
    monkeypatch.setattr(validation_places, "GEODATA_DIR", tmp_path)
    report = validate_features([make_point(20.95, 107.05)])
    assert report.errors[0].message.startswith("latitude 107.05 is impossible")


SWAPPED_EN = (
    "latitude and longitude look swapped: the point was entered as latitude 107.1234, longitude 21.0123, "
    "but the place inside the province is latitude 21.0123, longitude 107.1234. "
    "Swap the two values (or columns); GeoJSON lists longitude first."
)
SWAPPED_VI = (
    "Có vẻ vĩ độ và kinh độ bị đảo ngược: điểm được nhập là vĩ độ 107.1234, kinh độ 21.0123, "
    "nhưng vị trí nằm trong tỉnh là vĩ độ 21.0123, kinh độ 107.1234. "
    "Hãy đổi chỗ hai số (hoặc hai cột); GeoJSON ghi kinh độ trước."
)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("a.csv", "point_id,name,water_type,risk_level,lat,lon\nQN-1,Bến,sea,low,107.1234,21.0123\n"),
        ("a.csv", 'point_id,name,water_type,risk_level,tọa độ\nQN-1,Bến,sea,low,"107.1234, 21.0123"\n'),
        (
            "a.geojson",
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [21.0123, 107.1234]}, '
            '"properties": {"point_id": "QN-1", "name": "Bến", "water_type": "sea", "risk_level": "low"}}',
        ),
    ],
    ids=["lat and lon columns", "one pasted pair", "geojson longitude first"],
)
def test_swapped_message_says_which_order_was_typed_and_which_is_in_the_province(filename, content, province):
    # Typed as latitude 107.1234, longitude 21.0123: the place in the province is (21.0123, 107.1234).
    report = read_layer_bytes(content.encode(), filename=filename, reference=ReferenceData(province=province))
    [problem] = report.errors
    assert problem.code == "swapped"
    assert problem.message == SWAPPED_EN
    assert problem_message(problem, "en") == SWAPPED_EN
    assert problem_message(problem, "vi") == SWAPPED_VI
    assert problem_text(problem, "en") == f"feature #1, id QN-1, field 'geometry': {SWAPPED_EN}"
    assert report.rejected["reasons"].tolist() == [f"geometry: {SWAPPED_EN}"]


def test_self_crossing_outline_is_repaired(province):
    bow_tie = Polygon([(107.0, 20.9), (107.1, 21.0), (107.1, 20.9), (107.0, 21.0)])
    feature = {
        "type": "Feature",
        "geometry": bow_tie.__geo_interface__,
        "properties": {
            "commune_id": "CM-9",
            "name": "Xã Nơ",
            "children_under_16": 10,
            "has_play_space": "không",
        },
    }
    report = validate_features([feature], layer="communes", reference=ReferenceData(province=province))
    assert report.ok, report.problems
    assert report.warnings[0].message == "the outline crossed itself and was repaired"
    assert report.valid.geometry.iloc[0].is_valid
    assert report.valid.geometry.iloc[0].area == pytest.approx(0.005)


def test_multipoint_of_one_point_becomes_a_point(make_point, province):
    feature = make_point()
    feature["geometry"] = {"type": "MultiPoint", "coordinates": [[107.05, 20.95]]}
    report = validate_features([feature], reference=ReferenceData(province=province))
    assert report.valid.geometry.iloc[0].geom_type == "Point"
    assert report.warnings[0].message == "a MultiPoint of one point was read as a Point"


def test_swim_class_cannot_end_before_it_starts(province):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [107.05, 20.95]},
        "properties": {
            "class_id": "SC-1",
            "name": "Lớp bơi",
            "venue_type": "pool",
            "organiser": "Hội Chữ thập đỏ",
            "start_date": "30/06/2025",
            "end_date": "2025-06-01",
            "capacity": 20,
        },
    }
    report = validate_features([feature], layer="swim_classes", reference=ReferenceData(province=province))
    assert report.errors[0].message == "end_date 2025-06-01 is before start_date 2025-06-30"


def test_unknown_layer():
    with pytest.raises(SchemaError, match=r"Unknown layer 'hotspot'\. Known layers: risk_points"):
        validate_features([], layer="hotspot")


def test_validate_geojson_accepts_text_bytes_and_dicts(make_point, province, feature_collection):
    document = feature_collection(make_point(name="Cửa Ông"))
    for data in (document, json.dumps(document), json.dumps(document, ensure_ascii=False).encode()):
        assert only(validate_geojson(data, reference=ReferenceData(province=province)), "name") == ["Cửa Ông"]


def test_json_list_of_features_is_accepted_with_a_warning(make_point, province):
    report = validate_geojson([make_point()], reference=ReferenceData(province=province))
    assert report.ok
    assert "JSON list, not a FeatureCollection" in report.warnings[0].message


@pytest.mark.parametrize(
    ("text", "depth"), [("1", 0), ("[]", 1), ('{"a": [{"b": []}]}', 4), ('["]]]", "[[["]', 1), ('"\\"["', 0)]
)
def test_json_nesting_depth(text, depth):
    assert json_nesting_depth(text) == depth


def test_conform_columns_fills_and_types_a_trusted_layer():
    gdf = gpd.GeoDataFrame(
        {
            "point_id": ["QN-1"],
            "name": ["Bến"],
            "water_type": ["sea"],
            "risk_level": ["low"],
            "hazards": [np.array(["deep_water"])],
            "last_inspected": pd.to_datetime(["2025-02-03"]),
            "extra": [1.5],
        },
        geometry=[Point(107, 21)],
        crs=4326,
    )
    out = conform_columns(gdf, layer="risk_points")
    assert list(out.columns) == [*LAYERS["risk_points"].field_names, "extra", "geometry"]
    assert out["hazards"].tolist() == [["deep_water"]]
    assert out["last_inspected"].tolist() == ["2025-02-03"]
    assert out["status"].tolist() == ["active"]


# --------------------------------------------------------------------------------------
# Property tests

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "1.5"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
coordinates = st.recursive(
    st.lists(st.floats() | st.integers() | st.text(max_size=5) | st.none(), max_size=4),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=16,
)
geometries = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "MultiPoint", "LineString", "Polygon", "MultiPolygon", "Bogus"])
            | json_values,
            "coordinates": coordinates | json_values,
        }
    ),
)
field_names = st.sampled_from(
    sorted({f for schema in LAYERS.values() for f in schema.field_names} | {"id", "Tên"})
)
feature_like = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Feature", "Point", None]) | json_values, "geometry": geometries},
        optional={
            "properties": st.dictionaries(field_names | st.text(max_size=6), json_values, max_size=6)
            | json_values,
            "id": json_values,
        },
    ),
)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection"), "features": st.lists(feature_like, max_size=6)},
        optional={"crs": json_values | st.just({"type": "name", "properties": {"name": "EPSG:32648"}})},
    ),
    feature_like,
)


@FIXTURE_SETTINGS
@given(document=documents, layer=st.sampled_from(sorted(LAYERS)))
def test_validator_never_raises_anything_but_its_own_errors(document, layer, province):
    try:
        report = validate_geojson(document, layer=layer, reference=ReferenceData(province=province))
    except HotspotsError:
        return
    # Every feature given comes out exactly once, accepted or rejected, under its own position.
    assert set(report.rejected["source_index"]).isdisjoint(report.valid["source_index"])
    given_back = sorted([*report.valid["source_index"], *report.rejected["source_index"]])
    assert given_back == list(range(features_given(document)))


GEOMETRY_TYPE_NAMES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


def features_given(document):
    """How many features a document holds, as validate_geojson documents reading it.

    A list is a list of features; a Feature or a bare geometry is one feature; a
    FeatureCollection holds its ``features`` list; anything else holds none.
    """
    if isinstance(document, list):
        return len(document)
    if not isinstance(document, dict):
        return 0
    kind = document.get("type")
    if kind == "Feature" or (isinstance(kind, str) and kind in GEOMETRY_TYPE_NAMES):
        return 1
    features = document.get("features")
    return len(features) if isinstance(features, list) else 0


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([{"type": "Feature"}, 3, None], 3),
        ({"type": "Feature", "features": [1, 2]}, 1),
        ({"type": "Point", "coordinates": [107.05, 20.95]}, 1),
        ({"type": "FeatureCollection", "features": [{}, {}]}, 2),
        ({"type": "FeatureCollection", "features": {"a": 1}}, 0),
        ({"type": ["Point"], "features": [{}]}, 1),
        (42, 0),
    ],
)
def test_features_given_counts_what_the_validator_reads(document, expected, province):
    assert features_given(document) == expected
    report = validate_geojson(document, reference=ReferenceData(province=province))
    assert len(report.valid) + len(report.rejected) == expected


PLACES = ((107.05, 20.95), (107.1, 20.97), (107.15, 21.0))


@st.composite
def mutated_features(draw):
    """Valid risk points with one part replaced by arbitrary JSON: reaches the deep checks."""
    features = []
    for k, (lon, lat) in enumerate(PLACES):
        props = {"point_id": f"QN-{k}", "name": "Bến Tàu", "water_type": "sea", "risk_level": "low"}
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        )
    target = draw(st.sampled_from(features))
    where = draw(
        st.sampled_from(["property", "coordinates", "coordinate", "geometry", "properties", "feature"])
    )
    value = draw(json_values | coordinates)
    if where == "property":
        target["properties"][draw(field_names)] = value
    elif where == "coordinates":
        target["geometry"]["coordinates"] = value
    elif where == "coordinate":
        target["geometry"]["coordinates"][draw(st.integers(0, 1))] = value
    elif where == "geometry":
        target["geometry"] = value
    elif where == "properties":
        target["properties"] = value
    else:
        features[features.index(target)] = value
    return features


@FIXTURE_SETTINGS
@given(features=mutated_features(), layer=st.sampled_from(["risk_points", "risk_points", "communes"]))
def test_one_broken_feature_never_breaks_the_validator(features, layer, province):
    try:
        report = validate_features(features, layer=layer, reference=ReferenceData(province=province))
    except HotspotsError:
        return
    assert sorted([*report.valid["source_index"], *report.rejected["source_index"]]) == [0, 1, 2]


@FIXTURE_SETTINGS
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_parsing_arbitrary_text_never_raises_anything_but_its_own_errors(text, province):
    for data in (text, text.encode("utf-8", "surrogatepass"), text.encode("latin-1", "replace")):
        with contextlib.suppress(HotspotsError):
            validate_geojson(data, reference=ReferenceData(province=province))


VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ,.-0123456789"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())
#: Candidate places inside the test outline, 500 m apart (valid features never near-duplicate).
GRID = [(round(107.0 + i * 0.005, 6), round(20.92 + j * 0.005, 6)) for i in range(20) for j in range(20)]
dates = st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date())


@st.composite
def valid_risk_points(draw):
    places = draw(st.lists(st.sampled_from(GRID), min_size=1, max_size=8, unique=True))
    features, expected = [], []
    for k, (lon, lat) in enumerate(places):
        water = draw(st.sampled_from(WATER_TYPES))
        level = draw(st.sampled_from(RISK_LEVELS))
        hazards = draw(st.lists(st.sampled_from(HAZARDS), unique=True, max_size=4))
        day = draw(dates)
        written_day = draw(
            st.sampled_from([day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day.year}"])
        )
        name = draw(vietnamese_text)
        props = {
            "point_id": f"QN-{k:04d}",
            "name": name,
            "water_type": draw(
                st.sampled_from([water, water.upper(), *validation.VALUE_LABELS.get(water, ())])
            ),
            "risk_level": draw(st.sampled_from([level, *validation.VALUE_LABELS.get(level, ())])),
            "hazards": draw(st.sampled_from([hazards, "; ".join(hazards)])),
            "last_inspected": written_day,
        }
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        )
        expected.append((water, level, hazards, day.isoformat(), unicodedata.normalize("NFC", name).strip()))
    return features, expected


@FIXTURE_SETTINGS
@given(case=valid_risk_points())
def test_valid_features_always_pass(case, province):
    features, expected = case
    report = validate_features(features, reference=ReferenceData(province=province))
    assert report.ok, [str(p) for p in report.problems]
    got = list(
        zip(
            report.valid["water_type"],
            report.valid["risk_level"],
            report.valid["hazards"],
            report.valid["last_inspected"],
            report.valid["name"],
            strict=True,
        )
    )
    assert got == expected


def test_grid_is_inside_the_test_outline(province):
    assert shapely.contains_xy(province, *np.array(GRID).T).all()
