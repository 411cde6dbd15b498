"""Library helpers behind the report page and the map downloads: typed coordinates, exports, report map."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotspots.analysis import COVERAGE_COLUMNS, coverage_table
from hotspots.errors import SchemaError, ValidationError
from hotspots.formats import EXPORT_FORMATS, parse_lat_lon
from hotspots.maps.report_map import build_report_map, chosen_place
from hotspots.reports import export_file_name, export_points
from hotspots.validation import read_layer_bytes
from tests import map_fixtures as fx


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("21.0123", "107.0456", (21.0123, 107.0456)),
        ("21,0123", "107,0456", (21.0123, 107.0456)),
        (" 21.5 ", 107, (21.5, 107.0)),
        ("21°00'36\"N", "107°03'00\"E", (21.01, 107.05)),
        ("N 21°0.6'", "107 3 0", (21.01, 107.05)),
        ("21.0123, 107.0456", "", (21.0123, 107.0456)),
        ("21.0123; 107.0456", None, (21.0123, 107.0456)),
    ],
)
def test_typed_coordinates_are_read(latitude, longitude, expected):
    assert parse_lat_lon(latitude, longitude) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("", "107.05", "latitude is missing"),
        ("21,5", "", "longitude is missing"),
        ("hai mốt", "107.05", "latitude 'hai mốt' is not a coordinate"),
        ("21.0", "107°75'", "longitude .107°75'. is not a coordinate"),
    ],
)
def test_unreadable_coordinates_say_which_and_how(latitude, longitude, message):
    with pytest.raises(ValidationError, match=message) as caught:
        parse_lat_lon(latitude, longitude)
    assert all("21.0123" in p.message or "107.0456" in p.message for p in caught.value.problems)


@given(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False))
def test_decimal_comma_reads_like_a_decimal_point(lat, lon):
    text_lat, text_lon = f"{lat:.6f}", f"{lon:.6f}"
    comma = parse_lat_lon(text_lat.replace(".", ","), text_lon.replace(".", ","))
    assert comma == parse_lat_lon(text_lat, text_lon)
    assert math.isclose(comma[0], lat, abs_tol=1e-6) and math.isclose(comma[1], lon, abs_tol=1e-6)


@pytest.fixture(scope="module")
def coverage():
    layers = fx.layers()
    return coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_export_keeps_coverage_columns_and_reads_back(coverage, fmt):
    data = export_points(coverage, fmt=fmt)
    report = read_layer_bytes(data, filename=export_file_name("diem-nguy-co", fmt), layer="risk_points")
    assert report.ok, report.errors
    back = report.valid.set_index("point_id")
    assert sorted(back.index) == sorted(coverage["point_id"])
    assert set(COVERAGE_COLUMNS) <= set(back.columns)
    # QN-1 lies 111 m from rescue training RT-001; distances come out in whole metres.
    assert float(back.loc["QN-1", "nearest_rescue_distance_m"]) == 111.0
    assert back.loc["QN-1", "nearest_rescue_name"] == "Tập huấn cứu đuối Hà Lầm"
    assert str(back.loc["QN-4", "coverage_status"]) == "neither"


def test_export_of_nothing_is_a_valid_empty_file(coverage):
    report = read_layer_bytes(export_points(coverage.iloc[:0], fmt="geojson"), filename="x.geojson")
    assert len(report.valid) == 0


def test_unknown_export_format_lists_the_formats(coverage):
    with pytest.raises(SchemaError, match="Formats: geojson, csv"):
        export_points(coverage, fmt="shp")


def test_report_map_holds_context_only_and_the_chosen_place(coverage):
    html = build_report_map(coverage, fx.layers(), lang="vi").get_root().render()

    def shown(text):
        return json.dumps(text)[1:-1] in html  # folium writes names as escaped JSON

    assert shown("Phường Bãi Cháy")
    # No water (nor facilities) to catch the click: it lands on the map itself.
    assert not shown("Sông Diễn Vọng")
    marker = chosen_place((20.96, 107.18), lang="en")
    assert marker.layer_name == "Chosen place"
    (child,) = marker._children.values()
    assert child.location == [20.96, 107.18]
    assert not chosen_place(None, lang="en")._children
