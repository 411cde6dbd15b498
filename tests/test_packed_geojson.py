"""Packed GeoJSON (``pack_geojson``, ``PackedGeoJson``): the same geometry in a quarter of the bytes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from folium.utilities import get_bounds
from hypothesis import given
from hypothesis import strategies as st

from hotspots.analysis import coverage_table
from hotspots.config import GEODATA_DIR
from hotspots.maps import build_map
from hotspots.maps.display import display_geojson, encode_polyline, pack_geojson
from hotspots.maps.elements import GeoJsonUnpacker, PackedGeoJson
from tests import map_fixtures as fx


def decode_polyline(text: str) -> list[list[float]]:
    """The decoder of ``templates/unpack_geojson.js``, line for line, as the oracle."""
    values, value, shift = [], 0, 0
    for char in text:
        group = ord(char) - 63
        value |= (group & 31) << shift
        shift += 5
        if group < 32:
            values.append(~(value >> 1) if value & 1 else value >> 1)
            value, shift = 0, 0
    x = y = 0
    positions = []
    for i in range(0, len(values), 2):
        x += values[i]
        y += values[i + 1]
        positions.append([x / 1e5, y / 1e5])
    return positions


def unpack(coordinates):
    if isinstance(coordinates, str):
        return decode_polyline(coordinates)
    return [unpack(part) for part in coordinates]


def test_the_reference_example_of_the_format():
    # The example of the encoded-polyline format's own description, positions given as (lat, lon).
    positions = np.array([[38.5, -120.2], [40.7, -120.95], [43.252, -126.453]])
    assert encode_polyline(positions) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


whole_degrees = st.integers(min_value=-18_000_000, max_value=18_000_000)


@given(st.lists(st.tuples(whole_degrees, whole_degrees), min_size=1, max_size=60))
def test_any_positions_read_back_exactly(whole):
    positions = np.array(whole, dtype=float) / 1e5
    text = encode_polyline(positions)
    assert all(63 <= ord(char) <= 126 for char in text)  # printable, never "<", safe in a script
    assert decode_polyline(text) == positions.tolist()


@pytest.mark.parametrize("layer", ["province", "communes", "water"])
def test_the_shipped_layers_read_back_exactly_in_about_a_third_of_the_bytes(layer):
    import geopandas as gpd

    plain = display_geojson(gpd.read_file(GEODATA_DIR / f"{layer}.geojson"), [])
    packed = pack_geojson(plain)
    assert packed["hsPacked"] is True
    for before, after in zip(plain["features"], packed["features"], strict=True):
        assert after["geometry"]["type"] == before["geometry"]["type"]
        assert unpack(after["geometry"]["coordinates"]) == before["geometry"]["coordinates"]

    def coordinate_bytes(collection: dict) -> int:
        return sum(len(json.dumps(f["geometry"]["coordinates"])) for f in collection["features"])

    assert coordinate_bytes(packed) < 0.4 * coordinate_bytes(plain)


def test_points_and_properties_are_left_as_they_are():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "0",
                "properties": {"a": 1},
                "geometry": {"type": "Point", "coordinates": [107.1, 21.0]},
            },
            {"type": "Feature", "id": "1", "properties": {"b": "<b>"}, "geometry": None},
        ],
    }
    packed = pack_geojson(collection)
    assert packed["features"] == collection["features"]


def test_a_map_unpacks_before_its_first_packed_layer_reads_its_data():
    layers = fx.layers()
    table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    fmap = build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    children = list(fmap._children.values())
    packed = [i for i, child in enumerate(children) if isinstance(child, PackedGeoJson)]
    unpackers = [i for i, child in enumerate(children) if isinstance(child, GeoJsonUnpacker)]
    assert packed and unpackers == [0]
    html = fmap.get_root().render()
    assert html.count("L.GeoJSON.prototype.addData = function") == 1
    assert html.index("L.GeoJSON.prototype.addData = function") < html.index('"hsPacked": true')
    # The bounds folium computes (used to fit views) are those of the plain geometry.
    for index in packed:
        bounds = children[index].get_bounds()
        assert bounds == get_bounds(children[index].plain_data, lonlat=True)
        assert None not in bounds[0] + bounds[1]


def test_a_packed_line_holding_template_delimiters_reaches_the_page_as_it_is():
    # A step of 974e-5 degrees packs as "{{" and more: Jinja must never read the script.
    line = encode_polyline(np.array([[107.0, 21.0], [107.00974, 21.0]]))
    assert "{{" in line
    fmap = build_map(*_sample_table(), lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    layer = next(c for c in fmap._children.values() if isinstance(c, PackedGeoJson))
    layer.data["features"][0]["geometry"] = {"type": "LineString", "coordinates": line}
    html = fmap.get_root().render()
    assert json.dumps(line)[1:-1] in html
    assert decode_polyline(line) == [[107.0, 21.0], [107.00974, 21.0]]


def _sample_table():
    layers = fx.layers()
    return coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"]), layers
