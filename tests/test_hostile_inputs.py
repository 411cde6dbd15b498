"""Hostile and broken files: each is refused or repaired with its own specific message.

Every case runs twice: through the library (the message and its severity) and through
``python -m hotspots validate`` (exit code 0 repaired, 1 invalid, 2 unreadable).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from hotspots import validation
from hotspots.cli.commands import main
from hotspots.errors import UnreadableFileError
from hotspots.formats import json_nesting_depth
from hotspots.formats import text as byte_guards
from hotspots.validation import ReferenceData, read_layer_bytes, read_layer_file

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def dump(*features: dict[str, Any], **members: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members}).encode()


def with_geometry(feature: dict[str, Any], geometry: Any) -> dict[str, Any]:
    return {**feature, "geometry": geometry}


def with_coordinates(feature: dict[str, Any], coordinates: Any) -> dict[str, Any]:
    return with_geometry(feature, {"type": "Point", "coordinates": coordinates})


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows does: letters with ^, ˘ or the horn precomposed, tone marks combining."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def utm_point(p: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A point given in EPSG:32648 metres (about 107.05 E, 20.95 N)."""
    return with_coordinates(p(), [714_000.0, 2_318_000.0])


# file name, content builder, expected exit code, message pattern
POLYGON = {"type": "Polygon", "coordinates": [[[107, 21], [107.1, 21], [107, 21.1], [107, 21]]]}
UTM_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32648"}}
UNKNOWN_CRS = {"type": "name", "properties": {"name": "EPSG:999999"}}
CASES = [
    pytest.param(
        "a.geojson",
        lambda p: b'{"type": "FeatureCollection",\n "features": [\n  {,]}',
        2,
        r"not valid JSON: .* at line 3, column 4",
        id="malformed JSON",
    ),
    pytest.param("a.geojson", lambda p: b"  \n", 2, r"The file is empty", id="empty file"),
    pytest.param(
        "a.geojson",
        lambda p: b"[" * 100_000,
        2,
        r"nested 100000 levels deep \(brackets inside brackets\); the limit is 64",
        id="deeply nested JSON",
    ),
    pytest.param(
        "a.shp",
        lambda p: dump(p()),
        2,
        r"Files ending in '\.shp' cannot be read\. Supported formats",
        id="unknown extension",
    ),
    pytest.param(
        "a.geojson",
        lambda p: json.dumps(p()).encode(),
        0,
        r"single Feature, not a FeatureCollection; it was read as a collection of one",
        id="bare Feature",
    ),
    pytest.param(
        "a.geojson",
        lambda p: b'{"rows": []}',
        1,
        r"JSON but not a GeoJSON FeatureCollection",
        id="JSON that is not GeoJSON",
    ),
    pytest.param("a.geojson", lambda p: dump(), 1, r"no features to check", id="no features"),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_geometry(p(), None)),
        1,
        r"has no location: the geometry is null",
        id="null geometry",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_geometry(p(), POLYGON)),
        1,
        r"the geometry is a Polygon, but layer 'risk_points' takes Point only",
        id="wrong geometry type",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), ["107.05", " 20.95"])),
        0,
        r"coordinates were written as text; they were converted to numbers",
        id="coordinates as text",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), ["east", "20.95"])),
        1,
        r"coordinate 'east' is not a number",
        id="coordinates as words",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), [float("nan"), 20.95])),
        1,
        r"a coordinate is NaN \(not a number\)",
        id="NaN coordinate",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), [107.05, float("inf")])),
        1,
        r"a coordinate is infinite",
        id="infinite coordinate",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), [107.05, 20.95, 12.5])),
        0,
        r"height dropped",
        id="3-D coordinates",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(utm_point(p), crs=UTM_CRS),
        0,
        r"Coordinates were in EPSG:32648 \(WGS 84 / UTM zone 48N\) and were converted to longitude/latitude",
        id="legacy crs, projected",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(), crs=UNKNOWN_CRS),
        1,
        r"reference system 'EPSG:999999', which is not known",
        id="legacy crs, unknown",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(utm_point(p)),
        1,
        r"these look like metres \(projected coordinates\); say which CRS, e\.g\. EPSG:32648",
        id="metres without crs",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(with_coordinates(p(), [20.95, 107.05])),
        1,
        r"latitude and longitude look swapped: the point was entered as latitude 107\.05, longitude 20\.95, "
        r"but the place inside the province is latitude 20\.95, longitude 107\.05\.",
        id="swapped latitude and longitude",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(lon=105.8, lat=21.03)),
        1,
        r"lies 1\d\d\.\d km outside the province \(only 1000 m is allowed",
        id="outside the province",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(), p(lon=107.1, lat=20.97)),
        1,
        r"id QN-0001 is used more than once: feature #1 has it too",
        id="duplicate ids",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(), p(lon=107.05002, point_id="QN-0002")),
        1,
        r"is only 2\.\d m from feature #1 \(id QN-0001\): probably the same place entered twice",
        id="near-duplicate points",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(name="  ")),
        1,
        r"required field 'name' is missing",
        id="missing required field",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(water_type="swimming pool")),
        1,
        r"'swimming pool' is not an allowed value; allowed: sea, river, stream",
        id="value not allowed",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(last_inspected="31/02/2025")),
        1,
        r"'31/02/2025' is not a real date: February 2025 has 28 days",
        id="invalid date",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(last_inspected="hôm qua")),
        1,
        r"'hôm qua' is not a date; write YYYY-MM-DD \(2025-06-30\) or DD/MM/YYYY",
        id="unreadable date",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(notes="nước sâu " * 400)),
        1,
        r"is 3,599 characters long; the limit is 2,000",
        id="absurdly long text",
    ),
    pytest.param(
        "a.geojson",
        lambda p: dump(p(name="<script>alert('x')</script>Bãi Cháy")),
        0,
        r"looks like HTML or a script; it is kept as plain text",
        id="HTML in a name",
    ),
    pytest.param(
        "a.geojson",
        lambda p: encode_cp1258(json.dumps(p(name="Sông Bạch Đằng, Hạ Long"), ensure_ascii=False)),
        0,
        r"read as Windows-1258 \(legacy Vietnamese\) and converted",
        id="legacy Vietnamese encoding",
    ),
]


@pytest.mark.parametrize(("filename", "build", "exit_code", "message"), CASES)
def test_library_names_the_problem(filename, build, exit_code, message, make_point, province):
    data = build(make_point)
    if exit_code == 2:
        with pytest.raises(UnreadableFileError, match=message):
            read_layer_bytes(data, filename=filename, reference=ReferenceData(province=province))
        return
    report = read_layer_bytes(data, filename=filename, reference=ReferenceData(province=province))
    found = [p for p in report.problems if _matches(message, p)]
    assert found, [str(p) for p in report.problems]
    assert {p.severity for p in found} == {"error" if exit_code == 1 else "warning"}
    assert report.ok is (exit_code == 0)


@pytest.mark.parametrize(("filename", "build", "exit_code", "message"), CASES)
def test_command_line_exit_code(filename, build, exit_code, message, make_point, geodata_dir, capsys):
    path = geodata_dir.parent / filename
    path.write_bytes(build(make_point))
    assert main(["validate", str(path), "--geodata", str(geodata_dir)]) == exit_code
    captured = capsys.readouterr()
    assert _matches(message, captured.out + captured.err)


def test_the_problem_names_feature_index_id_and_field(make_point, province):
    report = validation.validate_features(
        [make_point(), make_point(107.1, 20.97, point_id="QN-0002", risk_level="??")],
        reference=ReferenceData(province=province),
    )
    (problem,) = report.errors
    assert (problem.index, problem.feature_id, problem.field) == (1, "QN-0002", "risk_level")
    assert str(problem).startswith("feature #2, id QN-0002, field 'risk_level': '??' is not an allowed value")


def test_every_problem_of_a_file_is_reported_at_once(make_point, province):
    bad = [
        make_point(name=""),
        make_point(lon=20.95, lat=107.05, point_id="QN-0002"),
        make_point(point_id="QN-0003", lon=107.1, risk_level="extreme", last_inspected="32/01/2025"),
    ]
    report = validation.validate_features(bad, reference=ReferenceData(province=province))
    assert [(p.index, p.field) for p in report.errors] == [
        (0, "name"),
        (1, "geometry"),
        (2, "risk_level"),
        (2, "last_inspected"),
    ]
    assert report.rejected["source_index"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("text", ["2025-06-30", "30/06/2025", "30-06-2025", "30.06.2025"])
def test_both_date_formats_are_read(text, make_point, province):
    report = validation.validate_features(
        [make_point(last_inspected=text)], reference=ReferenceData(province=province)
    )
    assert report.ok
    assert report.valid["last_inspected"].tolist() == ["2025-06-30"]


def test_single_digit_day_and_month(make_point, province):
    report = validation.validate_features(
        [make_point(last_inspected="3/6/2025")], reference=ReferenceData(province=province)
    )
    assert report.valid["last_inspected"].tolist() == ["2025-06-03"]


def test_utf8_with_byte_order_mark_is_read_silently(make_point, province):
    data = json.dumps(make_point(name="Vịnh Hạ Long"), ensure_ascii=False).encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    report = read_layer_bytes(data, filename="a.geojson", reference=ReferenceData(province=province))
    assert report.valid["name"].tolist() == ["Vịnh Hạ Long"]
    assert not any("UTF-8" in p.message or "1258" in p.message for p in report.problems)


def test_legacy_encoding_restores_the_diacritics(make_point, province):
    data = encode_cp1258(json.dumps(make_point(name="Sông Bạch Đằng, Hạ Long"), ensure_ascii=False))
    report = read_layer_bytes(data, filename="a.geojson", reference=ReferenceData(province=province))
    assert report.valid["name"].tolist() == ["Sông Bạch Đằng, Hạ Long"]


def test_utf16_file_is_read(make_point, province):
    data = json.dumps(make_point(name="Cửa Lục"), ensure_ascii=False).encode("utf-16")
    report = read_layer_bytes(data, filename="a.geojson", reference=ReferenceData(province=province))
    assert report.valid["name"].tolist() == ["Cửa Lục"]


def test_projected_legacy_crs_lands_in_the_right_place(make_point, province):
    report = read_layer_bytes(
        dump(utm_point(make_point), crs={"type": "name", "properties": {"name": "EPSG:32648"}}),
        filename="a.geojson",
        reference=ReferenceData(province=province),
    )
    point = report.valid.geometry.iloc[0]
    assert point.x == pytest.approx(107.05, abs=0.01)
    assert point.y == pytest.approx(20.95, abs=0.01)


def test_vn2000_legacy_crs_is_reprojected(make_point, province):
    feature = with_coordinates(make_point(), [714_000.0, 2_318_000.0])
    report = validation.validate_geojson(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "EPSG:3405"}},
            "features": [feature],
        },
        reference=ReferenceData(province=province),
    )
    assert report.ok
    assert "VN-2000" in report.warnings[0].message


def test_html_is_kept_as_typed(make_point, province):
    name = "<img src=x onerror=alert(1)>Bãi Cháy"
    report = validation.validate_features([make_point(name=name)], reference=ReferenceData(province=province))
    assert report.valid["name"].tolist() == [name]


def test_oversized_file_is_refused_before_reading(monkeypatch, tmp_path, make_point, province):
    monkeypatch.setattr(byte_guards, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.geojson"
    with path.open("wb") as out:
        out.truncate(3 * 1024 * 1024)  # sparse: no 3 MB written, and no byte of it is read
    with pytest.raises(UnreadableFileError, match=r"The file is 3\.0 MB; the limit is 1 MB"):
        read_layer_file(path, reference=ReferenceData(province=province))


def test_oversized_file_exit_code(monkeypatch, geodata_dir, capsys):
    monkeypatch.setattr(byte_guards, "MAX_FILE_BYTES", 10)
    path = geodata_dir.parent / "big.csv"
    path.write_text("lat,lon\n21,107\n")
    assert main(["validate", str(path), "--geodata", str(geodata_dir)]) == 2
    assert "the limit is" in capsys.readouterr().err


def test_deep_nesting_inside_strings_is_not_counted():
    assert json_nesting_depth('{"a": "[[[[[[[[[[[[[[[[[[[[", "b": [[1]]}') == 3


def test_nesting_at_the_limit_is_parsed(make_point, province):
    nested: Any = 1
    for _ in range(60):  # plus collection, features, feature and properties: 64 levels
        nested = [nested]
    report = validation.validate_geojson(
        dump(make_point(deep=nested)), reference=ReferenceData(province=province)
    )
    assert report.ok
    assert report.valid["deep"].tolist() == [nested]


def test_bare_geometry_is_wrapped_in_a_feature(make_point, province):
    report = validation.validate_geojson(
        json.dumps(make_point()["geometry"]), reference=ReferenceData(province=province)
    )
    assert "bare Point geometry, not a FeatureCollection; it was wrapped" in report.warnings[0].message
    assert "required field 'point_id' is missing" in report.errors[0].message


def _matches(pattern: str, value: Any) -> bool:
    return re.search(pattern, str(value)) is not None
