"""Readers and writers of every format, atomic writes, shipped layers, round trips."""

from __future__ import annotations

import csv
import io
import json
import os

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from hotspots.errors import SchemaError, UnreadableFileError, ValidationError
from hotspots.formats import (
    EXPORT_FORMATS,
    coordinates,
    detect_format,
    export_bytes,
    load_geodata_layer,
    load_province,
    to_geojson_bytes,
    write_layer,
)
from hotspots.schema import HAZARDS, LAYERS, RISK_LEVELS, WATER_TYPES
from hotspots.validation import (
    ReferenceData,
    read_layer,
    read_layer_bytes,
    read_layer_file,
    validate_features,
)

CSV_HEADER = "point_id,name,water_type,risk_level"


@pytest.fixture
def points(make_point, province) -> gpd.GeoDataFrame:
    """Three validated risk points with lists, dates, empty values and an extra column."""
    features = [
        make_point(
            hazards=["deep_water", "no_fence"], last_inspected="2025-03-04", notes="Trẻ em hay tắm", tổ="A"
        ),
        make_point(107.1, 20.97, point_id="QN-0002", name="Suối Lạnh", water_type="stream", tổ="=1+2"),
        make_point(107.15, 21.0, point_id="QN-0003", name="Hồ Yên Lập", risk_level="black_spot", tổ="-12.5"),
    ]
    report = validate_features(features, reference=ReferenceData(province=province))
    assert report.ok, report.problems
    return report.valid


def read_text_table(data: str, province, name: str = "points.csv"):
    return read_layer_bytes(data.encode("utf-8"), filename=name, reference=ReferenceData(province=province))


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("a.geojson", "geojson"),
        ("A.JSON", "geojson"),
        ("a.csv", "csv"),
        ("a.txt", "csv"),
        ("a.kml", "kml"),
        ("a.gpx", "gpx"),
        ("a.gpkg", "gpkg"),
        ("a.xlsx", "xlsx"),
    ],
)
def test_format_from_extension(filename, fmt):
    assert detect_format(filename) == fmt


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b'\xef\xbb\xbf  {"type"', "geojson"),
        (b"SQLite format 3\x00...", "gpkg"),
        (b"PK\x03\x04...", "xlsx"),
        (b'<?xml version="1.0"?><kml xmlns=', "kml"),
        (b'<?xml version="1.0"?><gpx version="1.1"', "gpx"),
    ],
)
def test_format_from_content_when_there_is_no_extension(head, fmt):
    assert detect_format("upload", head) == fmt


@pytest.mark.parametrize(
    ("filename", "hint"), [("a.xls", r"Save the sheet as \.xlsx"), ("a.kmz", r"unzip it"), ("notes", r"")]
)
def test_unsupported_files_list_the_formats(filename, hint):
    with pytest.raises(UnreadableFileError, match=r"cannot be read\. Supported formats: GeoJSON .*" + hint):
        detect_format(filename, b"hello")


# --------------------------------------------------------------------------------------
# CSV and Excel


def test_csv_with_semicolons_and_decimal_commas(province):
    text = "point_id;name;water_type;risk_level;lat;lon\nQN-1;Bãi Cháy;biển;cao;20,95;107,05\n"
    report = read_text_table(text, province)
    assert report.ok, report.problems
    assert report.valid.geometry.iloc[0].coords[0] == (107.05, 20.95)


def test_csv_with_tabs_and_vietnamese_headings(province):
    header = "Mã điểm\tTên\tLoại nước\tMức độ\tVĩ độ\tKinh độ\tGhi chú\n"
    text = header + "QN-1\tSông Ka Long\tsông\tđiểm đen\t20.95\t107.05\tcó đò\n"
    report = read_text_table(text, province, "points.tsv")
    assert report.ok, report.problems
    row = report.valid.iloc[0]
    assert (row["point_id"], row["name"], row["water_type"], row["risk_level"], row["notes"]) == (
        "QN-1",
        "Sông Ka Long",
        "river",
        "black_spot",
        "có đò",
    )


def test_csv_with_quoted_decimal_commas(province):
    report = read_text_table(
        f'{CSV_HEADER},latitude,longitude\nQN-1,Bến,sea,low,"20,95","107,05"\n', province
    )
    assert report.valid.geometry.iloc[0].coords[0] == (107.05, 20.95)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("20°57'00\"N", "107°03'00\"E"),
        ("20 57 0", "107 3 0"),
        ("N 20°57'", "E 107°3.0'"),
        ("20°57′0″N", "107°3′0″E"),
        ("20d 57m 0s", "107d 3m 0s"),
    ],
)
def test_degrees_minutes_seconds(lat, lon, province):
    rows = [["QN-1", "Bến", "sea", "low", lat, lon]]
    out = io.StringIO()
    csv.writer(out).writerows([["point_id", "name", "water_type", "risk_level", "vĩ độ", "kinh độ"], *rows])
    report = read_text_table(out.getvalue(), province)
    assert report.ok, report.problems
    x, y = report.valid.geometry.iloc[0].coords[0]
    assert (x, y) == (pytest.approx(107.05), pytest.approx(20.95))


def test_southern_and_western_hemispheres_are_negative():
    assert coordinates.parse_coordinate("33°52'S") == pytest.approx(-33.8667, abs=1e-4)
    assert coordinates.parse_coordinate("W 70°30'") == pytest.approx(-70.5)


def test_one_coordinate_column_in_google_maps_order(province):
    report = read_text_table(f'{CSV_HEADER},Tọa độ\nQN-1,Bến,sea,low,"20.95, 107.05"\n', province)
    assert report.valid.geometry.iloc[0].coords[0] == (107.05, 20.95)


def test_x_and_y_columns_in_metres_are_called_projected(province):
    report = read_text_table(f"{CSV_HEADER},x,y\nQN-1,Bến,sea,low,714000,2318000\n", province)
    assert "these look like metres" in report.errors[0].message


def test_table_without_coordinates_says_what_it_needs(province):
    with pytest.raises(
        SchemaError, match=r"No latitude/longitude columns found\. .* Columns found: point_id, name"
    ):
        read_text_table(f"{CSV_HEADER},place\nQN-1,Bến,sea,low,Hạ Long\n", province)


def test_empty_cells_and_blank_rows(province):
    text = (
        f"{CSV_HEADER},lat,lon,hazards\nQN-1,Bến,sea,low,,,\n,,,,,,\nQN-2,Bờ,sea,low,20.95,abc,\n"
        "QN-3,Bãi,sea,low,20.95,,\n"
    )
    report = read_text_table(text, province)
    assert [(p.index, p.message) for p in report.errors] == [
        (0, "has no location: the geometry is null"),
        (1, "coordinate 'abc' is not a number"),
        (2, "a coordinate is missing (empty)"),
    ]


def test_cp1258_csv(province):
    text = f"{CSV_HEADER},lat,lon\nQN-1,Đông Cô Tô,sea,low,20.95,107.05\n"
    report = read_layer_bytes(
        text.encode("cp1258"), filename="a.csv", reference=ReferenceData(province=province)
    )
    assert report.valid["name"].tolist() == ["Đông Cô Tô"]
    assert "Windows-1258" in report.problems[0].message


def test_xlsx_first_sheet_with_typed_cells(tmp_path, province):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã điểm", "Tên", "Loại nước", "Mức độ", "Vĩ độ", "Kinh độ", "Ngày kiểm tra", "Số lần"])
    sheet.append(["QN-7", "Bãi tắm Tuần Châu", "biển", "cao", 20.95, 107.05, pd.Timestamp("2025-05-06"), 3])
    sheet.append([None] * 8)
    book.create_sheet("ignored").append(["nothing"])
    path = tmp_path / "points.xlsx"
    book.save(path)
    report = read_layer_file(path, reference=ReferenceData(province=province))
    assert report.ok, report.problems
    row = report.valid.iloc[0]
    assert (row["name"], row["last_inspected"], row["Số lần"]) == ("Bãi tắm Tuần Châu", "2025-05-06", 3)


def test_broken_xlsx_is_unreadable(province):
    with pytest.raises(UnreadableFileError, match=r"not a readable Excel \.xlsx workbook"):
        read_layer_bytes(b"PK\x03\x04 broken", filename="a.xlsx", reference=ReferenceData(province=province))


# --------------------------------------------------------------------------------------
# KML, GPX, GeoPackage

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Điểm nguy hiểm</name>
<Placemark><name>Bến Tàu &amp; Cảng</name><description>Nước sâu, không có rào</description>
<ExtendedData><Data name="point_id"><value>QN-11</value></Data>
<Data name="water_type"><value>biển</value></Data>
<Data name="risk_level"><value>cao</value></Data></ExtendedData>
<Point><coordinates>107.05,20.95,0</coordinates></Point></Placemark>
</Folder></Document></kml>"""


def test_kml_placemarks(province):
    report = read_layer_bytes(KML.encode(), filename="a.kml", reference=ReferenceData(province=province))
    assert report.ok, report.problems
    row = report.valid.iloc[0]
    assert (row["point_id"], row["name"], row["notes"], row["water_type"]) == (
        "QN-11",
        "Bến Tàu & Cảng",
        "Nước sâu, không có rào",
        "sea",
    )
    assert not report.warnings  # KML's altitude 0 is not data: no "height dropped"


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="20.95" lon="107.05"><ele>3</ele><name>Bãi Cháy</name><desc>Trẻ em hay tắm</desc></wpt>
<wpt lat="20.97" lon="107.10"><name>Hòn Gai</name></wpt>
<trk><name>đường đi</name><trkseg><trkpt lat="20.9" lon="107"/></trkseg></trk>
</gpx>"""


def test_gpx_waypoints(province):
    report = read_layer_bytes(GPX.encode(), filename="a.gpx", reference=ReferenceData(province=province))
    assert report.valid.empty  # waypoints carry no point_id, water_type or risk_level
    assert {p.field for p in report.errors} == {"point_id", "water_type", "risk_level"}
    assert json.loads(report.rejected["properties"].iloc[0]) == {
        "ele": 3.0,
        "name": "Bãi Cháy",
        "desc": "Trẻ em hay tắm",
    }


def test_gpx_without_waypoints(province):
    track_only = GPX.split("<wpt")[0] + "<trk><trkseg><trkpt lat='20.9' lon='107'/></trkseg></trk></gpx>"
    with pytest.raises(UnreadableFileError, match=r"no waypoints \(only tracks or routes\)"):
        read_layer_bytes(track_only.encode(), filename="a.gpx", reference=ReferenceData(province=province))


def test_geopackage_in_utm_is_reprojected_and_the_layer_found_by_name(tmp_path, points, province):
    path = tmp_path / "data.gpkg"
    other = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    other.to_file(path, layer="roads")
    utm = points.drop(columns=["source_index", "hazards"]).to_crs(32648)
    utm.to_file(path, layer="my_risk_points")
    report = read_layer_file(path, reference=ReferenceData(province=province))
    assert report.ok, report.problems
    messages = [p.message for p in report.warnings]
    assert "The GeoPackage has 2 layers; layer 'my_risk_points' was read." in messages
    assert any(m.startswith("Coordinates were in EPSG:32648") for m in messages)
    assert report.valid.geometry.iloc[0].x == pytest.approx(107.05)


def test_garbage_with_a_map_extension(province):
    with pytest.raises(UnreadableFileError, match=r"cannot be read as map data"):
        read_layer_bytes(b"not a geopackage", filename="a.gpkg", reference=ReferenceData(province=province))


# --------------------------------------------------------------------------------------
# Writers


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_every_format_reads_back_the_same_features(fmt, points, province):
    data = export_bytes(points, layer="risk_points", fmt=fmt)
    again = read_layer_bytes(
        data, filename="back" + EXPORT_FORMATS[fmt][0], reference=ReferenceData(province=province)
    )
    assert again.ok, again.problems
    fields = [*LAYERS["risk_points"].field_names, "tổ"]
    assert again.valid[fields].astype(str).equals(points[fields].astype(str))
    distances = shapely.distance(again.valid.geometry.values, points.geometry.values)
    assert distances.max() < 1e-9


def test_geojson_is_rfc7946(province):
    ring = [(107.0, 20.9), (107.0, 21.0), (107.1, 21.0), (107.0, 20.9)]  # clockwise
    communes = gpd.GeoDataFrame(
        {"commune_id": ["CM-1"], "name": ["Xã Hạ Long"], "children_under_16": [10], "has_play_space": [True]},
        geometry=[Polygon(ring)],
        crs=4326,
    ).to_crs(32648)
    data = to_geojson_bytes(communes, layer="communes")
    document = json.loads(data)
    assert "crs" not in document
    assert "Xã Hạ Long".encode() in data
    exterior = Polygon(document["features"][0]["geometry"]["coordinates"][0])
    assert exterior.exterior.is_ccw
    assert document["features"][0]["properties"]["children_under_16"] == 10


def test_geojson_keeps_lists_and_writes_missing_as_null(points):
    document = json.loads(export_bytes(points, layer="risk_points", fmt="geojson"))
    first, second = (f["properties"] for f in document["features"][:2])
    assert first["hazards"] == ["deep_water", "no_fence"]
    assert second["hazards"] == []
    assert second["notes"] is None
    assert "source_index" not in first


INJECTIONS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_csv_cells_cannot_become_formulas(value, points, province):
    points = points.assign(tổ=[value, "-12.5", "ok"])
    data = export_bytes(points, layer="risk_points", fmt="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    column = rows[0].index("tổ")
    assert rows[1][column] == "'" + value
    assert rows[2][column] == "-12.5"  # a plain number is harmless and stays a number
    assert rows[1][rows[0].index("lon")] == "107.05"
    back = read_layer_bytes(data, filename="a.csv", reference=ReferenceData(province=province))
    assert back.valid["tổ"].tolist()[0] == value


@pytest.mark.parametrize("value", INJECTIONS)
def test_excel_cells_cannot_become_formulas(value, points):
    data = export_bytes(points.assign(tổ=[value, "-12.5", "ok"]), layer="risk_points", fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("tổ") + 1)
    assert cell.data_type == "s"
    assert cell.value.startswith("'")  # XML turns a carriage return into a line feed
    assert cell.value[2:] == value[1:]
    assert sheet.cell(row=2, column=header.index("lon") + 1).value == 107.05


def test_negative_numbers_stay_numbers_in_excel(points):
    west = points.assign(score=[-3, -1.5, 0])
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(west, layer="risk_points", fmt="xlsx"))).active
    header = [c.value for c in sheet[1]]
    assert [sheet.cell(row=r, column=header.index("score") + 1).value for r in (2, 3)] == [-3, -1.5]


def test_kml_escapes_markup(points, province):
    tricky = points.assign(
        name=["A & B <b>", "]]> C", 'Sông "Cấm"'], notes=["<script>x</script>", None, "ok"]
    )
    data = export_bytes(tricky, layer="risk_points", fmt="kml")
    assert b"<script>" not in data
    assert b"<b>" not in data
    back = read_layer_bytes(data, filename="a.kml", reference=ReferenceData(province=province))
    assert back.valid["name"].tolist() == ["A & B <b>", "]]> C", 'Sông "Cấm"']
    assert back.valid["notes"].tolist()[0] == "<script>x</script>"


def test_unknown_export_format(points):
    with pytest.raises(
        SchemaError, match=r"Unknown export format 'shp'\. Formats: geojson, csv, kml, gpkg, xlsx"
    ):
        export_bytes(points, layer="risk_points", fmt="shp")


def test_export_formats_table():
    assert EXPORT_FORMATS["geojson"] == (".geojson", "application/geo+json")
    assert all(ext.startswith(".") and "/" in mime for ext, mime in EXPORT_FORMATS.values())


def test_write_layer_takes_the_format_from_the_extension(tmp_path, points):
    path = write_layer(points, tmp_path / "out" / "points.xlsx", layer="risk_points")
    assert path.read_bytes().startswith(b"PK")
    with pytest.raises(SchemaError, match=r"Cannot tell the format of 'points\.doc'"):
        write_layer(points, tmp_path / "points.doc")


def test_write_is_atomic(tmp_path, points, monkeypatch):
    path = tmp_path / "points.geojson"
    path.write_text("old content")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_layer(points, path)
    assert path.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["points.geojson"]
    monkeypatch.undo()
    write_layer(points, path)
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert [p.name for p in tmp_path.iterdir()] == ["points.geojson"]


# --------------------------------------------------------------------------------------
# Shipped layers and province


def test_load_geodata_layer(tmp_path, points):
    write_layer(points, tmp_path / "risk_points.geojson")
    gdf = load_geodata_layer("risk_points", tmp_path)
    assert list(gdf.columns)[:10] == list(LAYERS["risk_points"].field_names)
    assert gdf["hazards"].tolist() == [["deep_water", "no_fence"], [], []]
    assert gdf["last_inspected"].tolist()[0] == "2025-03-04"
    assert gdf.crs == "EPSG:4326"


def test_load_geodata_layer_refuses_missing_files_and_fields(tmp_path, points):
    with pytest.raises(UnreadableFileError, match=r"risk_points\.geojson is missing; build the sample data"):
        load_geodata_layer("risk_points", tmp_path)
    write_layer(points.drop(columns=["risk_level"]), tmp_path / "risk_points.geojson")
    with pytest.raises(SchemaError, match=r"lacks the required field\(s\) risk_level"):
        load_geodata_layer("risk_points", tmp_path)


def test_load_province_unions_the_parts_and_follows_changes(tmp_path):
    parts = gpd.GeoDataFrame(
        {"province_id": ["P", "P"]}, geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1)], crs=4326
    )
    parts.to_file(tmp_path / "province.geojson")
    assert load_province(tmp_path).area == pytest.approx(2)
    parts.iloc[[0]].to_file(tmp_path / "province.geojson")
    assert load_province(tmp_path).area == pytest.approx(1)
    with pytest.raises(UnreadableFileError, match=r"province outline .* is missing"):
        load_province(tmp_path / "elsewhere")


def test_read_layer_raises_or_returns_the_frame(tmp_path, make_point, province):
    good, bad = tmp_path / "good.geojson", tmp_path / "bad.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [make_point()]}))
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [make_point(risk_level="??")]}))
    assert read_layer(good, reference=ReferenceData(province=province))["point_id"].tolist() == ["QN-0001"]
    with pytest.raises(ValidationError, match=r"risk_level.*'\?\?' is not an allowed value"):
        read_layer(bad, reference=ReferenceData(province=province))


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFileError, match=r"There is no file at .*nothing\.csv"):
        read_layer_file(tmp_path / "nothing.csv")


# --------------------------------------------------------------------------------------
# Round trip property test

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
text = st.text(
    alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + " -,.'\"&<>0123456789"),
    min_size=1,
    max_size=40,
)
names = text.map(str.strip).filter(bool)
extra_keys = st.sampled_from(["tổ_dân_phố", "người_báo", "độ_sâu_m", "mã_cũ", "flag"])
extra_values = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
GRID = [(107.0 + i * 0.01, 20.92 + j * 0.01) for i in range(10) for j in range(10)]


@st.composite
def collections(draw):
    places = draw(st.lists(st.sampled_from(GRID), min_size=1, max_size=6, unique=True))
    id_text = st.text("QN-0123456789ABC", min_size=1, max_size=10)
    ids = draw(st.lists(id_text, min_size=len(places), max_size=len(places), unique=True))
    features = []
    for (lon, lat), point_id in zip(places, ids, strict=True):
        props = {
            "point_id": point_id,
            "name": draw(names),
            "water_type": draw(st.sampled_from(WATER_TYPES)),
            "risk_level": draw(st.sampled_from(RISK_LEVELS)),
            "hazards": draw(st.lists(st.sampled_from(HAZARDS), unique=True, max_size=3)),
            "notes": draw(st.none() | names),
            "last_inspected": draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        }
        props.update(draw(st.dictionaries(extra_keys, extra_values, max_size=3)))
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=collections())
def test_geojson_round_trip_keeps_every_field_and_diacritic(document, province, tmp_path):
    first = read_layer_bytes(
        json.dumps(document, ensure_ascii=False).encode(),
        filename="a.geojson",
        reference=ReferenceData(province=province),
    )
    assert first.ok, first.problems
    path = write_layer(first.valid, tmp_path / "round.geojson")
    second = read_layer_file(path, reference=ReferenceData(province=province))
    assert second.ok, second.problems
    assert_geodataframe_equal(second.valid, first.valid)
    for feature, (_, row) in zip(document["features"], second.valid.iterrows(), strict=True):
        for key, value in feature["properties"].items():
            assert row[key] == value or (value is None and pd.isna(row[key])), key


def test_grid_is_inside_the_test_outline(province):
    assert all(province.contains(Point(p)) for p in GRID)
