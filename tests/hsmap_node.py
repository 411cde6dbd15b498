"""Run the map's ``hsMap`` helpers (``MapSetup``'s script) in Node.js, with a recording stand-in for Leaflet.

A probe script after the helpers calls them and prints one JSON value, which :func:`run_hsmap` returns.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import folium

from hotspots.maps.points import PointRows
from hotspots.maps.script import MapSetup

STUB_LEAFLET = """
function Stub(kind, latlng, options) { this.kind = kind; this.latlng = latlng; this.options = options || {};
    this.popup = false; this.tooltip = false; }
Stub.prototype.bindPopup = function () { this.popup = true; return this; };
Stub.prototype.bindTooltip = function () { this.tooltip = true; return this; };
Stub.prototype.getLatLng = function () { return this.latlng; };
var window = globalThis, opened = [];
function Popup(options) { this.options = options; }
Popup.prototype.setLatLng = function (latlng) { this.latlng = latlng; return this; };
Popup.prototype.setContent = function (html) { this.html = html; return this; };
Popup.prototype.openOn = function (map) {
    opened.push({at: this.latlng, html: this.html, on: map});
    return this;
};
var L = {
    Icon: {Default: {}},
    control: {scale: function () { return {addTo: function () {}}; }},
    circleMarker: function (latlng, options) { return new Stub("circleMarker", latlng, options); },
    marker: function (latlng, options) { return new Stub("marker", latlng, options); },
    divIcon: function (options) { return options; },
    point: function (x, y) { return [x, y]; },
    popup: function (options) { return new Popup(options); }
};
var stubMap = {on: function () {}, getZoom: function () { return 9; },
    getContainer: function () { return {classList: {toggle: function () {}}}; },
    createPane: function () { return {style: {}}; }};
"""


def run_hsmap(rows: PointRows, probe: str, folder: Path) -> Any:
    """Run ``MapSetup``'s script for ``rows`` and then ``probe`` in Node; return what the probe printed."""
    fmap = folium.Map(tiles=None)
    setup = MapSetup(rows, lang="vi", image_path="/images/").add_to(fmap)
    script = setup._template.module.script(setup, {})
    source = folder / "probe.js"
    source.write_text(STUB_LEAFLET + f"var {fmap.get_name()} = stubMap;\n" + script + probe, encoding="utf-8")
    result = subprocess.run(["node", str(source)], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)
