"""The report map lets every tap through to the map (to place a point) and draws the chosen place."""

import json
import re
import shutil

import folium
import pytest

from hotspots.analysis import coverage_table
from hotspots.maps import (
    PASSIVE_PANE,
    POINTS_PANE,
    BlackSpotLayer,
    PendingPointLayer,
    PointRows,
    RiskPointCluster,
    build_map,
    build_report_map,
    chosen_place,
)
from hotspots.maps.assets import walk_elements
from tests import map_fixtures as fx
from tests.hsmap_node import run_hsmap

POINT_LAYERS = (RiskPointCluster, BlackSpotLayer, PendingPointLayer)


@pytest.fixture(scope="module")
def coverage():
    layers = fx.layers()
    return coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])


@pytest.fixture(scope="module")
def report_map(coverage):
    return build_report_map(coverage, fx.layers(), lang="vi")


def _only(fmap, kind):
    (element,) = [child for child in fmap._children.values() if isinstance(child, kind)]
    return element


def test_report_map_points_are_passive_and_the_cluster_neither_zooms_nor_catches_taps(report_map):
    for kind in POINT_LAYERS:
        assert _only(report_map, kind).interactive is False, kind
    options = _only(report_map, RiskPointCluster).options
    assert options["zoom_to_bounds_on_click"] is False
    assert options["spiderfy_on_max_zoom"] is False
    assert options["cluster_pane"] == PASSIVE_PANE == "hsPassive"
    # Nothing on the report map opens a popup.
    popups = [e for e in walk_elements(report_map) if isinstance(e, folium.Popup | folium.GeoJsonPopup)]
    assert popups == []


def test_report_map_html_asks_hsmap_for_passive_markers_in_a_pane_without_pointer_events(report_map):
    html = report_map.get_root().render()
    assert "markers[i] = hsMap.point(rows[i], false);" in html
    assert "hsMap.pointPopups(" not in html
    assert "return hsMap.blackSpot(r, false);" in html
    assert "return hsMap.pending(r, false);" in html
    assert not re.search(r"hsMap\.(point|blackSpot|pending)\([^)]*true\)", html)
    assert '"clusterPane": "hsPassive"' in html
    assert '.createPane("hsPassive").style.zIndex = 600;' in html
    assert ".leaflet-hsPassive-pane, .leaflet-hsPassive-pane * { pointer-events: none !important; }" in html


def test_the_main_map_keeps_its_popups(coverage):
    fmap = build_map(coverage, fx.layers(), lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    for kind in POINT_LAYERS:
        assert _only(fmap, kind).interactive is True, kind
    options = _only(fmap, RiskPointCluster).options
    assert "cluster_pane" not in options and "zoom_to_bounds_on_click" not in options
    html = fmap.get_root().render()
    assert "markers[i] = hsMap.point(rows[i], true);" in html
    assert "hsMap.pointPopups(cluster);" in html
    assert "return hsMap.blackSpot(r, true);" in html


def test_chosen_place_is_drawn_and_lets_taps_through(coverage):
    group = chosen_place((20.96, 107.18), lang="vi")
    (marker,) = group._children.values()
    assert marker.location == [20.96, 107.18]
    assert marker.options == {"interactive": False, "keyboard": False, "alt": "Vị trí đã chọn"}
    fmap = build_report_map(coverage, fx.layers(), lang="vi")
    group.add_to(fmap)
    html = fmap.get_root().render()
    drawn = re.search(
        rf"var {marker.get_name()} = L\.marker\(\s*\[20\.96, 107\.18\],\s*(\{{.*?\}})\s*\)", html, re.DOTALL
    )
    # folium writes the options as a JS object literal (trailing comma), its texts JSON-escaped.
    options = json.loads(re.sub(r",\s*\}$", "}", drawn.group(1)))
    assert options == {"interactive": False, "keyboard": False, "alt": "Vị trí đã chọn"}
    assert '"icon": "location-dot"' in html and '"markerColor": "red"' in html
    assert f"{marker.get_name()}.setIcon(" in html


# --- the hsMap helpers themselves, run in Node with a recording stand-in for Leaflet -----------

PROBE = """
var row = ROW, out = {};
["point", "pending", "blackSpot"].forEach(function (name) {
    [true, false].forEach(function (interactive) {
        var m = hsMap[name](row, interactive);
        out[name + "/" + interactive] = {kind: m.kind, interactive: m.options.interactive !== false,
            popup: m.popup, tooltip: m.tooltip, pane: m.options.pane || null};
    });
});
// The cluster opens the popup of a clicked point (its own "click"); a cluster's click is "clusterclick".
var handlers = {}, group = {_map: "the map", on: function (type, fn) { handlers[type] = fn; }};
hsMap.pointPopups(group);
handlers.click({layer: hsMap.point(row, true)});
handlers.click({layer: {options: {}}});
out.clicks = {handled: Object.keys(handlers), opened: opened};
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_hsmap_draws_passive_markers_without_popup_or_tooltip(coverage, tmp_path):
    rows = PointRows.from_table(coverage, communes=fx.communes(), lang="vi")
    (row,) = json.loads(rows.to_json(coverage["point_id"].eq("QN-4").to_numpy()))
    drawn = run_hsmap(rows, PROBE.replace("ROW", json.dumps(row)), tmp_path)
    clicks = drawn.pop("clicks")
    assert clicks["handled"] == ["click"]
    # One popup for the point clicked (none for a click on anything else), at the point, on the map.
    ((popup),) = clicks["opened"]
    assert popup["on"] == "the map"
    assert popup["at"] == pytest.approx([rows.origin[0] + row[0] / 1e5, rows.origin[1] + row[1] / 1e5])
    assert '<div class="hs-title">Hồ Yên Lập</div>' in popup["html"]
    assert "QN-4" in popup["html"]
    # The cluster's points carry no popup of their own: the cluster opens it (see pointPopups above).
    assert drawn == {
        "point/true": {
            "kind": "circleMarker",
            "interactive": True,
            "popup": False,
            "tooltip": False,
            "pane": POINTS_PANE,
        },
        "point/false": {
            "kind": "circleMarker",
            "interactive": False,
            "popup": False,
            "tooltip": False,
            "pane": POINTS_PANE,
        },
        "pending/true": {
            "kind": "circleMarker",
            "interactive": True,
            "popup": True,
            "tooltip": False,
            "pane": POINTS_PANE,
        },
        "pending/false": {
            "kind": "circleMarker",
            "interactive": False,
            "popup": False,
            "tooltip": False,
            "pane": POINTS_PANE,
        },
        "blackSpot/true": {
            "kind": "marker",
            "interactive": True,
            "popup": True,
            "tooltip": True,
            "pane": None,
        },
        "blackSpot/false": {
            "kind": "marker",
            "interactive": False,
            "popup": False,
            "tooltip": False,
            "pane": "hsPassive",
        },
    }
