"""Colours, symbols, basemaps and sizes shared by the map's layers, elements and legend."""

from __future__ import annotations

from typing import Final

#: Basemap choices; ``"none"`` keeps the map fully offline.
BASEMAPS: Final = ("none", "osm", "satellite")
#: Colour of each coverage status (Okabe–Ito palette, readable with colour blindness).
COVERAGE_COLOURS: Final = {
    "both": "#0072B2",
    "swim_only": "#56B4E9",
    "rescue_only": "#E69F00",
    "neither": "#D55E00",
}
#: From this zoom on, labels are written out and markers drawn full size (below, badges and small icons).
DETAIL_ZOOM: Final = 10

SWIM_STYLE: Final = {"icon": "person-swimming", "stroke": "#2f6f85", "fill": "#7fb8cc"}
RESCUE_STYLE: Final = {"icon": "life-ring", "stroke": "#6a3d7c", "fill": "#b99bc9"}
NO_PLAY_STYLE: Final = {"stroke": "#b35806", "fill": "#fdb863"}
WATER_COLOUR: Final = "#3b83bd"
PLAY_SPACE_COLOUR: Final = "#2e8b3e"
LAND_COLOUR: Final = "#f4f1e8"
#: Reported points awaiting review: a hollow, dashed grey ring, unlike any coverage colour or black spot.
PENDING_STYLE: Final = {
    "stroke": "#4d4d4d",
    "fill": "#ffffff",
    "fill_opacity": 0.55,
    "dash": "3 3",
    "weight": 2,
    "radius": 7,
}
#: Reviewed points whose inspection is overdue: a thick deep-pink ring around the marker (and
#: around a cluster holding one), unlike the coverage colours, the black outline or the grey pending ring.
OVERDUE_STYLE: Final = {"stroke": "#C51B7D", "weight": 3}
#: Outline of the commune the map is focused on (one commune chosen in the filter).
FOCUS_STYLE: Final = {"color": "#111111", "weight": 4, "fillOpacity": 0}
#: Leaflet pane of cluster icons and markers that must let every tap through to the map (report map).
PASSIVE_PANE: Final = "hsPassive"
#: Leaflet pane of the risk points' circles (cluster and pending): a canvas of its own above the areas.
POINTS_PANE: Final = "hsPoints"
#: Leaflet pane of the outline of the commune a filter chose: above the areas and the points' circles.
FOCUS_PANE: Final = "hsFocus"

#: Tile layers offered besides ``"none"``: URL template and attribution.
TILES: Final = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community",
    ),
}
#: Below this map width (phones) the legend and minimap start folded.
MOBILE_WIDTH_PX: Final = 600
