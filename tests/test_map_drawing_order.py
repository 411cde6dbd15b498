"""The main map's script draws the risk points first and its background after (``AfterPointsBlock``).

Its order is checked in both renderings of the script (the whole page, and ``st_folium``'s), as
JavaScript Node.js can parse; a filter that reaches the map before a layer drawn after the points
(the heat map) is applied to it when that layer comes. The browser side (the frame that shows the
points, and everything drawn after it) is in ``tests/test_browser_map_scale.py``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess

import folium
import folium.plugins
import pytest
import streamlit_folium

from hotspots.analysis import coverage_table
from hotspots.maps import BlackSpotLayer, Legend, RiskPointCluster, build_map
from hotspots.maps.assets import use_assets
from hotspots.maps.elements import HeatMapLayer, PackedGeoJson
from hotspots.maps.points import PointRows
from hotspots.maps.script import AfterPointsBlock, MapSetup
from pages._folium import _prepare as prepare_for_component
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


# --- the files only the background needs are fetched after the points (defer_files) ----------

DEFERRED = (
    "leaflet-minimap",
    "leaflet.fullscreen",
    "leaflet.locatecontrol",
    "leaflet-measure",
    "leaflet.heat",
)
CLOSING_CALL = re.compile(r"\n\}, (\{\"css\": \[.*?\], \"js\": \[.*?\]\})\);\n")


def _closing(fmap: folium.Map) -> AfterPointsBlock:
    return next(c for c in fmap._children.values() if isinstance(c, AfterPointsBlock) and not c.opening)


def _head_and_links(fmap: folium.Map) -> list[str]:
    """Every file the page's head loads, and every link the app's map component is given."""
    html = fmap.get_root().render()
    head = re.findall(r'(?:src|href)="([^"]+)"', html.split("</head>")[0])
    # As the map page prepares it for st_folium (from a copy: preparing renames the map's elements).
    prepared = prepare_for_component(copy.deepcopy(fmap))
    return head + prepared.js_links + prepared.css_links


def test_the_controls_and_heat_map_files_leave_the_head_and_come_with_the_block(coverage):
    fmap = _map(coverage, heatmap=True, asset_base_url="/app/static/vendor")
    files = _closing(fmap).files
    loaded_first = _head_and_links(fmap)
    for package in DEFERRED:
        assert any(package in url for url in files["js"]), package
        assert not any(package in url for url in loaded_first), package
    assert any("leaflet-minimap" in url and url.endswith(".css") for url in files["css"])
    # What the points need stays in the head, and is loaded only there.
    for package in ("leaflet@", "leaflet.markercluster@"):
        assert any(package in url for url in loaded_first), package
        assert not any(package in url for url in files["js"] + files["css"]), package
    assert all(url.startswith("/app/static/vendor/") for url in files["js"] + files["css"])
    assert len(set(files["js"])) == len(files["js"])


@pytest.mark.parametrize("rendering", [_page_script, _component_script])
def test_both_renderings_hand_the_deferred_files_to_after_points(coverage, rendering):
    fmap = _map(coverage, heatmap=True)
    call = CLOSING_CALL.search(rendering(fmap))
    assert call is not None
    assert json.loads(call.group(1)) == _closing(fmap).files


def test_a_file_an_element_outside_the_block_loads_stays_in_the_head():
    fmap = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(fmap)
    AfterPointsBlock(opening=True).add_to(fmap)
    inner = folium.plugins.MarkerCluster().add_to(fmap)
    full_screen = folium.plugins.Fullscreen().add_to(fmap)
    closing = AfterPointsBlock(opening=False).add_to(fmap)
    use_assets(fmap, base_url="/vendor")
    closing.defer_files()
    cluster_js = "/vendor/leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js"
    assert [url for _, url in inner.default_js] == [cluster_js]
    assert full_screen.default_js == [] and full_screen.default_css == []
    assert closing.files == {
        "js": ["/vendor/leaflet.fullscreen@3.0.0/Control.FullScreen.js"],
        "css": ["/vendor/leaflet.fullscreen@3.0.0/Control.FullScreen.css"],
    }
    # Folium's classes are left as they were.
    assert folium.plugins.Fullscreen.default_js
