"""The main map's script draws the risk points first and its background after (``AfterPointsBlock``).

Its order is checked in both renderings of the script (the whole page, and ``st_folium``'s), as
JavaScript Node.js can parse; a filter that reaches the map before a layer drawn after the points
(the heat map) is applied to it when that layer comes. The browser side (the frame that shows the
points, and everything drawn after it) is in ``tests/test_browser_map_scale.py``.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess

import folium
import pytest
import streamlit_folium

from hotspots.analysis import coverage_table
from hotspots.maps import BlackSpotLayer, Legend, RiskPointCluster, build_map
from hotspots.maps.elements import HeatMapLayer, PackedGeoJson
from hotspots.maps.points import PointRows
from hotspots.maps.script import AfterPointsBlock, MapSetup
from tests import map_fixtures as fx
from tests.hsmap_node import run_hsmap

OPENING = "hsMap.afterPoints(function () {"


@pytest.fixture(scope="module")
def coverage():
    return coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())


def _map(coverage, **kwargs) -> folium.Map:
    return build_map(coverage, fx.layers(), lang="vi", swim_radius_m=2000, rescue_radius_m=3000, **kwargs)


def _page_script(fmap: folium.Map) -> str:
    """The page's own script (the last <script> of the rendered page)."""
    html = fmap.get_root().render()
    return re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)[-1]


def _component_script(fmap: folium.Map) -> str:
    """The script ``st_folium`` gives its component (from a copy: it renames the map's elements)."""
    fmap = copy.deepcopy(fmap)
    fmap.render()
    return streamlit_folium._get_map_string(fmap)


def test_the_points_come_before_the_block_and_everything_else_inside_it(coverage):
    fmap = _map(coverage, heatmap=True)
    kinds = [type(child) for child in fmap._children.values()]
    opening = next(i for i, child in enumerate(fmap._children.values()) if getattr(child, "opening", False))
    closing = len(kinds) - 1 - kinds[::-1].index(AfterPointsBlock)
    before, inside = kinds[:opening], kinds[opening + 1 : closing]
    assert MapSetup in before and RiskPointCluster in before and BlackSpotLayer in before
    assert PackedGeoJson in inside and folium.LayerControl in inside and Legend in inside
    # The heat map is drawn over the areas, as it was before the block.
    assert HeatMapLayer in inside
    assert inside.index(HeatMapLayer) > max(i for i, kind in enumerate(inside) if kind is PackedGeoJson)
    assert kinds[closing + 1 :] == []


@pytest.mark.parametrize("rendering", [_page_script, _component_script])
def test_both_renderings_open_the_block_after_the_points_and_close_it_at_the_end(coverage, rendering):
    fmap = _map(coverage)
    script = rendering(fmap)
    assert script.count(OPENING) == 1
    opening = script.index(OPENING)
    assert script.index("L.markerClusterGroup(options)") < opening
    assert re.search(r"var geo_json_\w+ = L\.geoJson\(", script).start() > opening
    assert script.index("L.control.layers(") > opening
    # The closing block makes each element of the block global again, as folium's page has it.
    tail = script[script.rindex("});") - 2000 :]
    exported = re.findall(r'if \(typeof (\w+) !== "undefined"\) \{ window\.\1 = \1; \}', tail)
    assert any(name.startswith("layer_control") for name in exported)
    assert any(name.startswith("legend") for name in exported)
    assert any(name.startswith("geo_json") for name in exported)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("rendering", [_page_script, _component_script])
def test_both_renderings_are_javascript_node_can_parse(coverage, rendering, tmp_path):
    source = tmp_path / "map.js"
    source.write_text(rendering(_map(coverage, heatmap=True)), encoding="utf-8")
    result = subprocess.run(["node", "--check", str(source)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_closing_block_without_an_opening_one_exports_nothing():
    fmap = folium.Map(tiles=None)
    folium.LayerControl().add_to(fmap)
    closing = AfterPointsBlock(opening=False).add_to(fmap)
    assert closing.block_names() == []


FILTER_PROBE = """
var heat = {set: null, setLatLngs: function (latlngs) { this.set = latlngs; }};
// The filter comes first (three heat points, the second one chosen: bit 1 of byte 0)...
hsMap.applyFilter({layers: {heat: btoa(String.fromCharCode(2))}, view: {key: ""}});
var before = heat.set;
// ...then the heat map, drawn after the points, registers.
hsMap.filterable("heat", {layer: heat, latlngs: [[1, 1], [2, 2], [3, 3]], count: 3});
var chosen = heat.set;
// Back to every point.
hsMap.applyFilter({layers: {heat: null}, view: {key: ""}});
console.log(JSON.stringify({before: before, chosen: chosen, all: heat.set}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_a_filter_sent_before_a_layer_is_drawn_reaches_it_when_it_is(coverage, tmp_path):
    rows = PointRows.from_table(coverage, communes=fx.communes(), lang="vi")
    assert run_hsmap(rows, FILTER_PROBE, tmp_path) == {
        "before": None,
        "chosen": [[2, 2]],
        "all": [[1, 1], [2, 2], [3, 3]],
    }
