"""The interactive map: risk points by coverage, black spots, facilities, communes and water.

:func:`build_map` returns a :class:`folium.Map` that reads with no tiles at all
(province, coast, communes and water are vector layers) and scales to 100,000
risk points: points travel as one compact JSON array, are drawn as canvas
circle markers in a marker cluster, and their popups are assembled in the browser
only when opened. Every text value is HTML-escaped in Python before it reaches
the page. Black spots are separate markers that are never clustered.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Final

import branca.element
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer
from folium.template import Template

from hotspots.analysis import COVERAGE_STATUSES, RESCUE_PREFIX, SWIM_PREFIX
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import HotspotsError
from hotspots.i18n import DATE_FORMATS, ENUMERATIONS, format_distance, label, t
from hotspots.maps.assets import leaflet_image_path, use_assets
from hotspots.schema import RISK_LEVELS

#: Basemap choices; ``"none"`` keeps the map fully offline.
BASEMAPS: Final = ("none", "osm", "satellite")
#: Colour of each coverage status (Okabe–Ito palette, readable with colour blindness).
COVERAGE_COLOURS: Final = {
    "both": "#0072B2",
    "swim_only": "#56B4E9",
    "rescue_only": "#E69F00",
    "neither": "#D55E00",
}
#: Geometry simplification for display, in metres: invisible at province scale.
DISPLAY_TOLERANCE_M: Final = 50.0
#: From this zoom on, labels are written out and markers drawn full size (below, badges and small icons).
DETAIL_ZOOM: Final = 10
#: Islands smaller than this are left off the minimap.
MINIMAP_MIN_AREA_M2: Final = 2_000_000.0
#: Coordinates sent to the browser are rounded to this many decimals (about 1 m).
COORDINATE_DECIMALS: Final = 5

SWIM_STYLE: Final = {"icon": "person-swimming", "stroke": "#2f6f85", "fill": "#7fb8cc"}
RESCUE_STYLE: Final = {"icon": "life-ring", "stroke": "#6a3d7c", "fill": "#b99bc9"}
NO_PLAY_STYLE: Final = {"stroke": "#b35806", "fill": "#fdb863"}
WATER_COLOUR: Final = "#3b83bd"
PLAY_SPACE_COLOUR: Final = "#2e8b3e"
LAND_COLOUR: Final = "#f4f1e8"

_TILES: Final = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community",
    ),
}
_MOBILE_WIDTH_PX: Final = 600


def build_map(
    coverage: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    swim_radius_m: float,
    rescue_radius_m: float,
    basemap: str = "none",
    heatmap: bool = False,
    asset_base_url: str | None = None,
    focus_commune_id: str | None = None,
) -> folium.Map:
    """Build the map of risk points, facilities, communes and water.

    Parameters
    ----------
    coverage
        Risk points with their coverage, from :func:`hotspots.coverage.coverage_table`,
        already filtered to what should be shown.
    layers
        The other layers by schema name: ``swim_classes``, ``rescue_trainings``,
        ``communes``, ``play_spaces``, ``water``, ``province``. A missing or empty
        layer is left out.
    lang
        Language of every label, legend and popup.
    swim_radius_m, rescue_radius_m
        Reach drawn around each facility, in metres (circles computed in UTM 48N).
    basemap
        ``"none"`` (vector layers only, works offline), ``"osm"`` or ``"satellite"``.
        The other choices stay available in the layer control.
    heatmap
        Add a heat map of the risk points.
    asset_base_url
        Where Leaflet and the plugins are served, e.g. ``/app/static/vendor``
        (see :func:`hotspots.assets.local_base_url`); ``None`` uses the public CDN.
    focus_commune_id
        Zoom to this commune and outline it; by default the map fits the province.

    Returns
    -------
    folium.Map
        Ready to render, or to show with ``streamlit_folium.st_folium``.

    Raises
    ------
    HotspotsError
        If ``basemap`` or ``focus_commune_id`` is unknown.
    """
    if basemap not in BASEMAPS:
        msg = f"Unknown basemap '{basemap}'; choose one of: {', '.join(BASEMAPS)}."
        raise HotspotsError(msg)
    province = _layer(layers, "province")
    communes = _layer(layers, "communes")
    swim_classes = _layer(layers, "swim_classes")
    rescue_trainings = _layer(layers, "rescue_trainings")

    fmap = folium.Map(
        location=_centre(province, communes, coverage),
        zoom_start=9,
        tiles=None,
        # MarkerCluster needs the map's own maxZoom: max_zoom only reaches a default tile layer.
        maxZoom=18,
        minZoom=5,
        prefer_canvas=True,
    )
    point_rows = PointRows.from_table(coverage, communes=communes, lang=lang)
    _MapSetup(point_rows, lang=lang, image_path=leaflet_image_path(asset_base_url)).add_to(fmap)
    _add_basemaps(fmap, basemap=basemap, lang=lang)

    if len(province):
        _add_province(fmap, province, lang=lang, filled=basemap == "none")
    if len(communes):
        _add_communes(fmap, communes, lang=lang)
    water = _layer(layers, "water")
    if len(water):
        _add_water(fmap, water, lang=lang)
    _add_coverage_area(fmap, swim_classes, radius_m=swim_radius_m, style=SWIM_STYLE, key="swim", lang=lang)
    _add_coverage_area(
        fmap, rescue_trainings, radius_m=rescue_radius_m, style=RESCUE_STYLE, key="rescue", lang=lang
    )
    play_spaces = _layer(layers, "play_spaces")
    if len(play_spaces):
        _add_play_spaces(fmap, play_spaces, lang=lang)
    _add_facilities(fmap, swim_classes, kind="swim", lang=lang)
    _add_facilities(fmap, rescue_trainings, kind="rescue", lang=lang)

    black = point_rows.black_spot
    RiskPointCluster(
        point_rows.to_json(~black), count=int((~black).sum()), name=t("layer.risk_points", lang)
    ).add_to(fmap)
    BlackSpotLayer(
        point_rows.to_json(black), count=int(black.sum()), name=t("layer.black_spots", lang)
    ).add_to(fmap)
    if heatmap and len(coverage):
        _HeatMap(
            point_rows.latlng.tolist(), name=t("layer.heatmap", lang), radius=14, blur=18, min_opacity=0.35
        ).add_to(fmap)

    bounds = _bounds(province, communes, coverage)
    if focus_commune_id is not None:
        bounds = _add_focus(fmap, communes, focus_commune_id, lang=lang)
    if bounds is not None:
        fmap.fit_bounds(bounds)

    _add_controls(fmap, province, lang=lang, basemap=basemap)
    Legend(lang=lang, layers=layers, has_heatmap=heatmap).add_to(fmap)
    use_assets(fmap, base_url=asset_base_url)
    return fmap


class PointRows:
    """Risk points as compact rows for the browser, with every text already HTML-escaped.

    One row per point, fields in :attr:`FIELDS` order. ``lat`` and ``lon`` are whole
    1e-5 degrees (about 1 m) from :attr:`origin`, shorter than decimals. ``kind`` packs
    four codes as bit fields (:attr:`KIND_BITS`: coverage, risk level, status, water
    type, each an index into its label table, the last entry meaning "unknown").
    ``hazards`` is a bit mask over the hazard labels. ``commune``, ``inspected``,
    ``swim`` and ``rescue`` index the name tables of :meth:`tables` (``-1``: none);
    distances are whole metres (``-1`` without a facility). Everything is computed
    column-wise: 100,000 points take a fraction of a second.
    """

    FIELDS: Final = (
        "lat",
        "lon",
        "kind",
        "id",
        "name",
        "hazards",
        "commune",
        "inspected",
        "swim",
        "swim_m",
        "rescue",
        "rescue_m",
    )
    #: Bit offset and width of each code packed in ``kind``.
    KIND_BITS: Final = {"coverage": (0, 3), "risk_level": (3, 3), "status": (6, 3), "water_type": (9, 4)}

    def __init__(
        self,
        frame: pd.DataFrame,
        tables: dict[str, list[str]],
        origin: tuple[float, float],
        black_spot: np.ndarray,
    ) -> None:
        self._frame = frame
        self._tables = tables
        #: Latitude and longitude the rows' coordinates count from.
        self.origin = origin
        #: Which rows are black spots.
        self.black_spot = black_spot

    @classmethod
    def from_table(cls, table: gpd.GeoDataFrame, *, communes: gpd.GeoDataFrame, lang: str) -> PointRows:
        """Prepare the rows of a coverage table (any CRS) in ``lang``."""
        geometry = table.geometry.to_crs(WGS84) if len(table) and table.crs is not None else table.geometry
        coordinates = geometry.to_numpy()
        unknown = html.escape(t("popup.unknown", lang))
        tables: dict[str, list[str]] = {}
        lat, lon = shapely.get_y(coordinates), shapely.get_x(coordinates)
        origin = (float(np.floor(lat.min())), float(np.floor(lon.min()))) if len(table) else (0.0, 0.0)
        kind = np.zeros(len(table), dtype=np.int64)
        codes = {}
        for field, column in (
            ("coverage", "coverage_status"),
            ("risk_level", "risk_level"),
            ("status", "status"),
            ("water_type", "water_type"),
        ):
            values = ENUMERATIONS[field]
            tables[field] = [html.escape(label(field, v, lang)) for v in values] + [unknown]
            codes[field] = _codes(table, column, values)
            kind |= codes[field] << cls.KIND_BITS[field][0]
        columns: dict[str, object] = {
            "lat": np.round((lat - origin[0]) * _FIXED_POINT).astype(np.int64),
            "lon": np.round((lon - origin[1]) * _FIXED_POINT).astype(np.int64),
            "kind": kind,
            "id": _escaped_text(table, "point_id"),
            "name": _escaped_text(table, "name"),
        }
        tables["hazard"] = [html.escape(label("hazard", v, lang)) for v in ENUMERATIONS["hazard"]]
        columns["hazards"] = _hazard_masks(table)
        commune_names = (
            dict(zip(communes["commune_id"], communes["name"], strict=False)) if len(communes) else {}
        )
        columns["commune"] = _factorize(
            table["commune_id"].map(commune_names) if "commune_id" in table.columns else None,
            tables,
            "commune",
            index=table.index,
        )
        columns["inspected"] = _factorize(_dates(table, lang), tables, "date", index=table.index)
        for prefix, key in ((SWIM_PREFIX, "swim"), (RESCUE_PREFIX, "rescue")):
            columns[key], columns[f"{key}_m"] = _facility_columns(table, prefix, tables, key)
        frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table)))[list(cls.FIELDS)]
        black = codes["risk_level"] == RISK_LEVELS.index("black_spot")
        return cls(frame, tables, origin, black)

    @property
    def latlng(self) -> np.ndarray:
        """``(n, 2)`` array of latitude, longitude."""
        return self._frame[["lat", "lon"]].to_numpy(dtype=float) / _FIXED_POINT + np.array(self.origin)

    def tables(self) -> dict[str, list[str]]:
        """Labels and names the rows' integer codes point into."""
        return self._tables

    def to_json(self, mask: np.ndarray) -> str:
        """Serialise the rows selected by a boolean ``mask`` as one JSON array."""
        text = self._frame[mask].to_json(orient="values", force_ascii=False)
        # Texts are escaped, so no "<" can close the script; the replace keeps it that way regardless.
        return text.replace("<", "\\u003c")


class _RawText(branca.element.Element):
    """Text placed in the page as it is (no Jinja template made of it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        """Return the text."""
        return self._text


_NO_MACROS: Final = Template("")
_FIXED_POINT: Final = 10**COORDINATE_DECIMALS


class _BulkScript:
    """Mixin for elements whose script carries megabytes of data.

    branca's ``MacroElement.render`` wraps the rendered script in ``Element(text)``,
    which compiles the text as a Jinja template: seconds for 100,000 points. This
    renders the ``script`` macro once and adds the text as it is, then lets the
    usual render add the library links and the ``addTo`` line (after the script).
    """

    def render(self, **kwargs) -> None:
        """Add the script to the page without compiling it, then render the rest as usual."""
        template = self._template
        script = template.module.script(self, kwargs)
        self.get_root().script.add_child(_RawText(script), name=self.get_name())
        self._template = _NO_MACROS
        try:
            super().render(**kwargs)
        finally:
            self._template = template


class RiskPointCluster(_BulkScript, folium.plugins.MarkerCluster):
    """The risk points (black spots excepted) as canvas circle markers in one marker cluster.

    Parameters
    ----------
    rows_json
        Output of :meth:`PointRows.to_json`.
    count
        Number of points in ``rows_json`` (for tests and the page).
    name
        Name in the layer control.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var rows = {{ this.rows_json }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                cluster.options.iconCreateFunction = hsMap.clusterIcon;
                var markers = new Array(rows.length);
                for (var i = 0; i < rows.length; i++) { markers[i] = hsMap.point(rows[i]); }
                cluster.addLayers(markers);
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, rows_json: str, *, count: int, name: str) -> None:
        super().__init__(
            name=name,
            overlay=True,
            control=True,
            show=True,
            chunked_loading=True,
            show_coverage_on_hover=False,
            max_cluster_radius=60,
            disable_clustering_at_zoom=16,
        )
        self._name = "RiskPointCluster"
        self.rows_json = rows_json
        self.count = count


class _HeatMap(_BulkScript, folium.plugins.HeatMap):
    """folium's heat map, rendered without compiling its data as a template."""


class BlackSpotLayer(_BulkScript, Layer):
    """Black spots: individual markers, never clustered, so each stays visible at every zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup(({{ this.rows_json }}).map(hsMap.blackSpot));
        {% endmacro %}"""
    )

    def __init__(self, rows_json: str, *, count: int, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "BlackSpotLayer"
        self.rows_json = rows_json
        self.count = count


class PlaceLabels(branca.element.MacroElement):
    """Permanent labels at a point inside each area (the largest part's representative point).

    Leaflet would centre a polygon's tooltip on its first ring and compute it before
    the map fits its bounds; a label marker at a fixed place avoids both.

    Parameters
    ----------
    areas
        Polygons, in any defined CRS.
    labels
        HTML of each label, already escaped.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ({{ this.rows|tojson }}).forEach(function (row) {
                // A badge at province scale, the whole label once zoomed in (see hsMap's zoom classes).
                var html = '<span class="hs-badge"><i class="fa-solid fa-children"></i></span>'
                    + '<div class="hs-noplay">' + row[2] + "</div>";
                L.marker([row[0], row[1]], {
                    icon: L.divIcon({className: "hs-label-wrap", html: html, iconSize: null}),
                    interactive: false, keyboard: false, pane: "hsLabels"
                }).addTo({{ this._parent.get_name() }});
            });
        {% endmacro %}"""
    )

    def __init__(self, areas: gpd.GeoDataFrame, labels: Sequence[str]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        geometry = areas.geometry.to_crs(WGS84) if areas.crs is not None else areas.geometry
        points = [
            _largest_part_first(shapely.set_precision(g, 10**-COORDINATE_DECIMALS))
            for g in geometry.to_numpy()
        ]
        anchors = [shapely.point_on_surface(shapely.get_parts(g)[0]) for g in points]
        self.rows = [
            [round(p.y, COORDINATE_DECIMALS), round(p.x, COORDINATE_DECIMALS), text]
            for p, text in zip(anchors, labels, strict=True)
        ]


class Legend(branca.element.MacroElement):
    """The map's legend: a Leaflet control with translated HTML, folded on narrow screens."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "bottomleft"});
            {{ this.get_name() }}.onAdd = function (map) {
                var div = L.DomUtil.create("div", "hs-legend leaflet-control");
                div.innerHTML = {{ this.html|tojson }};
                if (map.getSize().x < {{ this.mobile_width }}) { div.querySelector("details").open = false; }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(
        self, *, lang: str, layers: Mapping[str, gpd.GeoDataFrame], has_heatmap: bool = False
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.mobile_width = _MOBILE_WIDTH_PX
        items = [_swatch(label("coverage", s, lang), colour=COVERAGE_COLOURS[s]) for s in COVERAGE_STATUSES]
        diamond = (
            '<span class="hs-black hs-black-small"><i class="fa-solid fa-triangle-exclamation"></i></span>'
        )
        items.append(f"<div>{diamond}{html.escape(t('legend.black_spot', lang))}</div>")
        items.append(_swatch(t("legend.cluster", lang), css_class="hs-cluster-sw"))
        present = {name for name in layers if len(_layer(layers, name))}
        if "swim_classes" in present:
            items.append(_facility_swatch(SWIM_STYLE, t("legend.swim_class", lang)))
        if "rescue_trainings" in present:
            items.append(_facility_swatch(RESCUE_STYLE, t("legend.rescue", lang)))
        if "communes" in present:
            badge = '<span class="hs-badge hs-badge-inline"><i class="fa-solid fa-children"></i></span>'
            text = html.escape(t("legend.no_play_space", lang))
            items.append(f'<div><span class="hs-sw hs-noplay-sw"></span>{badge}{text}</div>')
        if "play_spaces" in present:
            items.append(_swatch(t("legend.play_space", lang), colour=PLAY_SPACE_COLOUR))
        if "water" in present:
            items.append(_swatch(t("legend.water", lang), css_class="hs-water-sw"))
        if has_heatmap:
            items.append(_swatch(t("layer.heatmap", lang), css_class="hs-heat-sw"))
        title = html.escape(t("legend.title", lang))
        self.html = f"<details open><summary>{title}</summary>{''.join(items)}</details>"


def _swatch(text: str, *, colour: str | None = None, css_class: str = "") -> str:
    style = f' style="background:{colour}"' if colour else ""
    return f'<div><span class="hs-sw {css_class}"{style}></span>{html.escape(text)}</div>'


def _facility_swatch(style: dict, text: str) -> str:
    return (
        f'<div><span class="hs-fac hs-fac-small" style="background:{style["stroke"]}">'
        f'<i class="fa-solid fa-{style["icon"]}"></i></span>{html.escape(text)}</div>'
    )


class _MapSetup(branca.element.MacroElement):
    """Styles, Leaflet's marker image path and the shared ``hsMap`` helpers (popups, markers)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
            .leaflet-container { background: #dfe8ee;
                font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
            .hs-legend { background: rgba(255,255,255,.94); padding: 6px 9px; border-radius: 6px;
                box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 250px; font-size: 12px; line-height: 1.5; }
            .hs-legend summary { font-weight: 600; cursor: pointer; }
            .hs-sw { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
                vertical-align: -1px; border: 1px solid #222; }
            .hs-cluster-sw { background: conic-gradient({{ this.gradient }}); border-radius: 50%; }
            .hs-noplay-sw { background: {{ this.no_play_fill }}; border: 2px dashed {{ this.no_play_stroke }};
                border-radius: 2px; opacity: .85; }
            .hs-water-sw { background: {{ this.water }}; border-color: {{ this.water }}; border-radius: 2px; }
            .hs-heat-sw { background: linear-gradient(90deg, blue, lime, red); border-radius: 2px; }
            .hs-cluster { background: transparent; }
            .hs-cluster > div { width: 100%; height: 100%; border-radius: 50%; display: flex;
                align-items: center; justify-content: center; box-shadow: 0 0 0 1px rgba(0,0,0,.5); }
            .hs-cluster span { background: #fff; border-radius: 50%; width: 64%; height: 64%;
                display: flex; align-items: center; justify-content: center;
                font: 600 11px system-ui, sans-serif; color: #222; }
            .hs-noplay { background: rgba(255,247,230,.92); border: 1px solid {{ this.no_play_stroke }};
                color: #7f3b08; font-size: 11px; line-height: 1.2; padding: 1px 4px; box-shadow: none;
                text-align: center; }
            .hs-label-wrap { width: 0; height: 0; }
            .hs-label-wrap > * { position: absolute; transform: translate(-50%, -50%); white-space: nowrap; }
            .hs-label-wrap .hs-noplay { display: none; border-radius: 3px; }
            .hs-badge { width: 18px; height: 18px; border-radius: 50%; background: {{ this.no_play_stroke }};
                color: #fff; font-size: 10px; display: flex; align-items: center; justify-content: center;
                border: 1.5px solid #fff; box-shadow: 0 1px 3px rgba(0,0,0,.45); }
            .hs-badge-inline { display: inline-flex; width: 15px; height: 15px; font-size: 8px;
                margin-right: 5px; vertical-align: -3px; box-shadow: none; }
            .hs-detail .hs-label-wrap .hs-noplay { display: block; }
            .hs-detail .hs-label-wrap .hs-badge { display: none; }
            .hs-black { width: 20px; height: 20px; background: #111; border: 2px solid #fff;
                border-radius: 3px; transform: rotate(45deg); display: flex; align-items: center;
                justify-content: center;
                box-shadow: 0 1px 4px rgba(0,0,0,.6); box-sizing: border-box; }
            .hs-black i { transform: rotate(-45deg); font-size: 10px; }
            .hs-black-small { display: inline-flex; width: 12px; height: 12px; border-width: 1px;
                margin: 0 7px 0 2px; vertical-align: -1px; color: #fff; }
            .hs-black-small i { font-size: 6px; }
            .leaflet-container:not(.hs-detail) .hs-fac-wrap .hs-fac { transform: scale(.75); }
            .hs-fac { width: 22px; height: 22px; border-radius: 50%; border: 2px solid #fff; color: #fff;
                box-sizing: border-box; display: flex; align-items: center; justify-content: center;
                font-size: 11px; box-shadow: 0 1px 3px rgba(0,0,0,.5); }
            .hs-fac-small { display: inline-flex; width: 16px; height: 16px; font-size: 8px;
                border-width: 1px; margin-right: 5px; vertical-align: -3px; }
            .hs-popup { min-width: 200px; }
            .hs-popup .hs-title { font-weight: 600; font-size: 14px; }
            .hs-popup .hs-sub { color: #555; margin-bottom: 4px; }
            .hs-popup table { border-collapse: collapse; }
            .hs-popup th { text-align: left; font-weight: 500; color: #555; padding: 1px 8px 1px 0;
                vertical-align: top; }
            .hs-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 4px; }
            @media (max-width: {{ this.mobile_width }}px) {
                .hs-legend { max-width: 190px; font-size: 11px; }
                .hs-noplay { font-size: 9px; }
                .hs-popup { min-width: 0; font-size: 12px; }
            }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
            window.hsMap = (function () {
                var T = {{ this.texts|tojson }};
                var N = {{ this.names|tojson }};
                var COLOURS = {{ this.colours|tojson }};
                // Row fields: see PointRows.FIELDS; kind packs four codes (PointRows.KIND_BITS).
                var F = {{ this.fields|tojson }}, BITS = {{ this.kind_bits|tojson }};
                var ORIGIN = {{ this.origin|tojson }};
                var SCALE = {{ this.scale }};
                function latlng(r) { return [ORIGIN[0] + r[F.lat] / SCALE, ORIGIN[1] + r[F.lon] / SCALE]; }
                function dist(m) {
                    if (m < 1000) { return Math.round(m) + " m"; }
                    return (m / 1000).toFixed(1).replace(".", T.decimal) + " km";
                }
                function facility(i, m, names) { return i < 0 ? T.none : names[i] + " – " + dist(m); }
                function row(h, v) { return "<tr><th>" + h + "</th><td>" + v + "</td></tr>"; }
                function code(r, field) {
                    return (r[F.kind] >> BITS[field][0]) & ((1 << BITS[field][1]) - 1);
                }
                function popup(r) {
                    var hazards = T.hazard.filter(function (_, bit) { return r[F.hazards] & (1 << bit); });
                    var coverage = code(r, "coverage");
                    return '<div class="hs-popup"><div class="hs-title">' + r[F.name] + "</div>"
                        + '<div class="hs-sub">' + r[F.id] + " · " + T.risk_level[code(r, "risk_level")]
                        + " · " + T.status[code(r, "status")] + "</div><table>"
                        + row(T.h.water, T.water_type[code(r, "water_type")])
                        + row(T.h.hazards, hazards.join(", ") || T.none)
                        + row(T.h.commune, r[F.commune] < 0 ? T.unknown : N.commune[r[F.commune]])
                        + row(T.h.inspected, r[F.inspected] < 0 ? T.unknown : N.date[r[F.inspected]])
                        + row(T.h.coverage, '<span class="hs-dot" style="background:'
                            + COLOURS[coverage] + '"></span>' + T.coverage[coverage])
                        + row(T.h.swim, facility(r[F.swim], r[F.swim_m], N.swim))
                        + row(T.h.rescue, facility(r[F.rescue], r[F.rescue_m], N.rescue))
                        + "</table></div>";
                }
                function point(r) {
                    var coverage = code(r, "coverage");
                    var marker = L.circleMarker(latlng(r), {
                        radius: coverage === 3 ? 7 : 6, color: "#1f1f1f", weight: 1,
                        fillColor: COLOURS[coverage], fillOpacity: 0.92, coverage: coverage
                    });
                    return marker.bindPopup(function () { return popup(r); }, {maxWidth: 300});
                }
                function blackSpot(r) {
                    var icon = L.divIcon({
                        className: "hs-black-wrap", iconSize: [20, 20], iconAnchor: [10, 10],
                        html: '<div class="hs-black" style="color:' + COLOURS[code(r, "coverage")] + '">'
                            + '<i class="fa-solid fa-triangle-exclamation"></i></div>'
                    });
                    return L.marker(latlng(r), {icon: icon, zIndexOffset: 1000, riseOnHover: true})
                        .bindTooltip(r[F.name], {direction: "top", offset: [0, -12]})
                        .bindPopup(function () { return popup(r); }, {maxWidth: 300});
                }
                function zoomClasses(map) {
                    function update() {
                        var detail = map.getZoom() >= {{ this.detail_zoom }};
                        map.getContainer().classList.toggle("hs-detail", detail);
                    }
                    map.on("zoomend", update);
                    update();
                }
                function clusterIcon(cluster) {
                    var counts = [0, 0, 0, 0];
                    var children = cluster.getAllChildMarkers();
                    for (var i = 0; i < children.length; i++) { counts[children[i].options.coverage] += 1; }
                    var n = children.length, start = 0, stops = [];
                    for (var k = 0; k < 4; k++) {
                        var end = start + 360 * counts[k] / n;
                        stops.push(COLOURS[k] + " " + start + "deg " + end + "deg");
                        start = end;
                    }
                    var size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
                    return L.divIcon({
                        html: '<div style="background: conic-gradient(' + stops.join(",") + ')"><span>'
                            + n + "</span></div>",
                        className: "marker-cluster hs-cluster",
                        iconSize: L.point(size, size)
                    });
                }
                return {popup: popup, point: point, blackSpot: blackSpot, clusterIcon: clusterIcon,
                    zoomClasses: zoomClasses};
            })();
            hsMap.zoomClasses({{ this._parent.get_name() }});
            // Labels sit above the areas but under every marker, so they never hide a point.
            {{ this._parent.get_name() }}.createPane("hsLabels").style.zIndex = 450;
        {% endmacro %}"""
    )

    def __init__(self, rows: PointRows, *, lang: str, image_path: str) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.detail_zoom = DETAIL_ZOOM
        self.image_path = image_path
        self.mobile_width = _MOBILE_WIDTH_PX
        tables = rows.tables()
        self.colours = [COVERAGE_COLOURS[s] for s in COVERAGE_STATUSES]
        stops, start = [], 0
        for colour in self.colours:
            stops.append(f"{colour} {start}deg {start + 90}deg")
            start += 90
        self.gradient = ", ".join(stops)
        self.no_play_fill = NO_PLAY_STYLE["fill"]
        self.no_play_stroke = NO_PLAY_STYLE["stroke"]
        self.water = WATER_COLOUR
        self.texts = {
            "h": {
                key: html.escape(t(f"popup.{source}", lang))
                for key, source in (
                    ("water", "water_type"),
                    ("hazards", "hazards"),
                    ("commune", "commune"),
                    ("inspected", "last_inspected"),
                    ("coverage", "coverage"),
                    ("swim", "nearest_swim"),
                    ("rescue", "nearest_rescue"),
                )
            },
            "none": html.escape(t("popup.none", lang)),
            "unknown": html.escape(t("popup.unknown", lang)),
            "decimal": "," if lang == "vi" else ".",
            **{key: tables[key] for key in ("coverage", "water_type", "risk_level", "status", "hazard")},
        }
        self.names = {key: tables[key] for key in ("commune", "swim", "rescue", "date")}
        self.origin = list(rows.origin)
        self.scale = _FIXED_POINT
        self.fields = {name: i for i, name in enumerate(PointRows.FIELDS)}
        self.kind_bits = PointRows.KIND_BITS


class _VectorMiniMap(folium.plugins.MiniMap):
    """A MiniMap drawing the province outline, so it works with no tiles; folded on phones."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new L.Control.MiniMap(
                L.layerGroup([
                    {%- if this.tile_url %}
                    L.tileLayer({{ this.tile_url|tojson }}, {maxZoom: 18}),
                    {%- endif %}
                    L.geoJson({{ this.outline|tojson }}, {
                        interactive: false,
                        style: {color: "#555", weight: 1, fillColor: {{ this.land|tojson }}, fillOpacity: 1}
                    })
                ]),
                Object.assign({{ this.options|tojavascript }},
                    {minimized: {{ this._parent.get_name() }}.getSize().x < {{ this.mobile_width }}})
            );
            {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, outline: dict, *, tile_url: str | None) -> None:
        super().__init__(
            toggle_display=True, width=130, height=130, zoom_level_offset=-4, position="bottomright"
        )
        self.outline = outline
        self.tile_url = tile_url
        self.land = LAND_COLOUR
        self.mobile_width = _MOBILE_WIDTH_PX


def _add_basemaps(fmap: folium.Map, *, basemap: str, lang: str) -> None:
    # "None" is a real base layer, so the layer control can switch tiles off again.
    folium.FeatureGroup(name=label("basemap", "none", lang), overlay=False, show=basemap == "none").add_to(
        fmap
    )
    for key, (url, attribution) in _TILES.items():
        folium.TileLayer(
            url,
            attr=attribution,
            name=label("basemap", key, lang),
            overlay=False,
            show=basemap == key,
            max_zoom=18,
        ).add_to(fmap)


def _add_province(fmap: folium.Map, province: gpd.GeoDataFrame, *, lang: str, filled: bool) -> None:
    data = _display(province, [])
    style = {"color": "#4d4d4d", "weight": 2, "fillColor": LAND_COLOUR, "fillOpacity": 1.0 if filled else 0.0}
    folium.GeoJson(
        data, name=t("layer.province", lang), style_function=lambda _f: style, interactive=False
    ).add_to(fmap)


def _add_communes(fmap: folium.Map, communes: gpd.GeoDataFrame, *, lang: str) -> None:
    frame = communes.copy()
    has_play = frame["has_play_space"].fillna(False).astype(bool).to_numpy()
    yes, no = html.escape(t("yes", lang)), html.escape(t("no", lang))
    frame["tooltip"] = [
        f"<b>{html.escape(str(name))}</b><br>{html.escape(t('col.children_under_16', lang))}: "
        f"{_number(children)}<br>{html.escape(t('col.has_play_space', lang))}: {yes if play else no}"
        for name, children, play in zip(frame["name"], frame["children_under_16"], has_play, strict=True)
    ]
    tooltip = folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True)
    folium.GeoJson(
        _display(frame, ["commune_id", "tooltip"]),
        name=t("layer.communes", lang),
        style_function=lambda _f: {
            "color": "#6b6b6b",
            "weight": 1,
            "fillColor": "#ffffff",
            "fillOpacity": 0.05,
        },
        highlight_function=lambda _f: {"weight": 3, "color": "#333333"},
        tooltip=tooltip,
    ).add_to(fmap)
    without = frame[~has_play]
    if len(without):
        group = folium.FeatureGroup(name=t("layer.no_play_space", lang)).add_to(fmap)
        folium.GeoJson(
            _display(without, ["commune_id"]),
            control=False,
            style_function=lambda _f: {
                "color": NO_PLAY_STYLE["stroke"],
                "weight": 3,
                "dashArray": "8 5",
                "fillColor": NO_PLAY_STYLE["fill"],
                "fillOpacity": 0.35,
            },
            interactive=False,
        ).add_to(group)
        flag = html.escape(t("label.no_play_space", lang))
        PlaceLabels(
            without, [f"{html.escape(str(name))}<br><i>{flag}</i>" for name in without["name"]]
        ).add_to(group)


def _add_water(fmap: folium.Map, water: gpd.GeoDataFrame, *, lang: str) -> None:
    frame = water.copy()
    frame["tooltip"] = [
        f"{html.escape(str(name))} ({html.escape(label('water_type', kind, lang))})"
        for name, kind in zip(frame["name"], frame["water_type"], strict=True)
    ]
    folium.GeoJson(
        _display(frame, ["tooltip"]),
        name=t("layer.water", lang),
        style_function=lambda _f: {
            "color": WATER_COLOUR,
            "weight": 2,
            "fillColor": "#9cc7e6",
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def _add_coverage_area(
    fmap: folium.Map, facilities: gpd.GeoDataFrame, *, radius_m: float, style: dict, key: str, lang: str
) -> None:
    if not len(facilities) or radius_m <= 0:
        return
    # Buffers are drawn in metres (UTM 48N) and merged, so overlapping reaches do not darken.
    merged = shapely.union_all(
        facilities.geometry.to_crs(METRIC_CRS).buffer(radius_m, quad_segs=16).to_numpy()
    )
    area = gpd.GeoDataFrame(geometry=[merged], crs=METRIC_CRS)
    folium.GeoJson(
        _display(area, []),
        name=t(f"layer.{key}_coverage", lang, radius=format_distance(radius_m, lang)),
        style_function=lambda _f: {
            "color": style["stroke"],
            "weight": 1,
            "dashArray": "4 3",
            "fillColor": style["fill"],
            "fillOpacity": 0.18,
        },
        interactive=False,
    ).add_to(fmap)


def _add_facilities(fmap: folium.Map, facilities: gpd.GeoDataFrame, *, kind: str, lang: str) -> None:
    if not len(facilities):
        return
    style = SWIM_STYLE if kind == "swim" else RESCUE_STYLE
    frame = facilities.copy()
    frame["popup"] = [_facility_popup(row, kind=kind, lang=lang) for row in frame.to_dict("records")]
    frame["tooltip"] = [html.escape(str(name)) for name in frame["name"]]
    folium.GeoJson(
        _display(frame, ["popup", "tooltip"]),
        name=t("layer.swim_classes" if kind == "swim" else "layer.rescue_trainings", lang),
        marker=folium.Marker(
            icon=folium.DivIcon(
                html=(
                    f'<div class="hs-fac" style="background:{style["stroke"]}">'
                    f'<i class="fa-solid fa-{style["icon"]}"></i></div>'
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="hs-fac-wrap",
            )
        ),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=300),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def _add_play_spaces(fmap: folium.Map, play_spaces: gpd.GeoDataFrame, *, lang: str) -> None:
    frame = play_spaces.copy()
    kinds = frame["kind"] if "kind" in frame.columns else pd.Series("", index=frame.index)
    frame["tooltip"] = [
        f"{html.escape(str(name))} ({html.escape(label('play_kind', kind, lang))})"
        for name, kind in zip(frame["name"], kinds, strict=True)
    ]
    folium.GeoJson(
        _display(frame, ["tooltip"]),
        name=t("layer.play_spaces", lang),
        marker=folium.CircleMarker(
            radius=5, color="#ffffff", weight=1.5, fill_color=PLAY_SPACE_COLOUR, fill_opacity=1
        ),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def _add_focus(
    fmap: folium.Map, communes: gpd.GeoDataFrame, commune_id: str, *, lang: str
) -> list[list[float]]:
    chosen = communes[communes["commune_id"] == commune_id] if len(communes) else communes
    if not len(chosen):
        msg = f"There is no commune '{commune_id}' on the map; pick one of the listed communes."
        raise HotspotsError(msg)
    folium.GeoJson(
        _display(chosen, []),
        name=t("layer.focus", lang),
        style_function=lambda _f: {"color": "#111111", "weight": 4, "fillOpacity": 0},
        interactive=False,
    ).add_to(fmap)
    return _bounds(chosen)


def _add_controls(fmap: folium.Map, province: gpd.GeoDataFrame, *, lang: str, basemap: str) -> None:
    folium.plugins.Fullscreen(
        position="topleft", title=t("plugin.fullscreen", lang), title_cancel=t("plugin.fullscreen_exit", lang)
    ).add_to(fmap)
    folium.plugins.LocateControl(position="topleft", strings={"title": t("plugin.locate", lang)}).add_to(fmap)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="hectares",
        secondary_area_unit="sqmeters",
    ).add_to(fmap)
    if len(province):
        _VectorMiniMap(
            _minimap_outline(province), tile_url=_TILES[basemap][0] if basemap in _TILES else None
        ).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)


def _facility_popup(row: dict, *, kind: str, lang: str) -> str:
    if kind == "swim":
        fields = [
            ("popup.venue_type", label("venue_type", row.get("venue_type"), lang)),
            ("popup.organiser", row.get("organiser")),
            (
                "popup.dates",
                f"{_date_text(row.get('start_date'), lang)} – {_date_text(row.get('end_date'), lang)}",
            ),
            ("popup.capacity", _number(row.get("capacity"))),
            ("popup.participants", _number(row.get("participants"))),
        ]
    else:
        fields = [
            ("popup.organiser", row.get("organiser")),
            ("popup.date", _date_text(row.get("date"), lang)),
            ("popup.audience", label("audience", row.get("audience"), lang)),
            ("popup.participants", _number(row.get("participants"))),
        ]
    cells = "".join(
        f"<tr><th>{html.escape(t(key, lang))}</th><td>{html.escape(_text(value, lang))}</td></tr>"
        for key, value in fields
    )
    title = html.escape(_text(row.get("name"), lang))
    return f'<div class="hs-popup"><div class="hs-title">{title}</div><table>{cells}</table></div>'


def _text(value: object, lang: str) -> str:
    return t("popup.unknown", lang) if _missing(value) or value == "" else str(value)


def _missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _number(value: object) -> str:
    if _missing(value):
        return ""
    return str(int(value)) if isinstance(value, int | float | np.integer | np.floating) else str(value)


def _date_text(value: object, lang: str) -> str:
    stamp = pd.to_datetime(value, errors="coerce") if value is not None else pd.NaT
    return "" if pd.isna(stamp) else stamp.strftime(DATE_FORMATS[lang])


def _dates(table: pd.DataFrame, lang: str) -> pd.Series | None:
    if "last_inspected" not in table.columns:
        return None
    stamps = pd.to_datetime(table["last_inspected"], errors="coerce")
    return stamps.dt.strftime(DATE_FORMATS[lang])


def _factorize(
    values: pd.Series | None, tables: dict[str, list[str]], key: str, *, index: pd.Index
) -> np.ndarray:
    """Integer codes into a new table of distinct escaped texts (``-1`` for missing values)."""
    if values is None:
        tables[key] = []
        return np.full(len(index), -1)
    codes, uniques = pd.factorize(values)
    tables[key] = [html.escape(str(v)) for v in uniques]
    return codes


def _codes(table: pd.DataFrame, column: str, values: Sequence[str]) -> np.ndarray:
    if column not in table.columns:
        return np.full(len(table), len(values), dtype=int)
    codes = pd.Categorical(table[column], categories=list(values)).codes.astype(int)
    # Unknown values point at the extra "unknown" label at the end of the table.
    return np.where(codes < 0, len(values), codes)


def _facility_columns(
    table: pd.DataFrame, prefix: str, tables: dict[str, list[str]], key: str
) -> tuple[np.ndarray, np.ndarray]:
    name_column, distance_column = f"{prefix}_name", f"{prefix}_distance_m"
    if name_column not in table.columns:
        tables[key] = []
        return np.full(len(table), -1), np.full(len(table), -1)
    distances = table[distance_column].to_numpy(dtype=float)
    codes = _factorize(table[name_column].where(~np.isnan(distances), None), tables, key, index=table.index)
    return codes, np.where(np.isnan(distances), -1, np.round(distances)).astype(int)


def _escaped_text(table: pd.DataFrame, column: str) -> np.ndarray:
    """HTML-escape a text column in one pass over the column (missing values become "")."""
    if column not in table.columns:
        return np.full(len(table), "", dtype=object)
    text = table[column].astype("string").fillna("")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.str.replace(char, entity, regex=False)
    return text.to_numpy(dtype=object)


def _hazard_masks(table: pd.DataFrame) -> np.ndarray:
    """Bit mask of each point's hazards (bit i: the i-th hazard of the schema)."""
    if "hazards" not in table.columns or not len(table):
        return np.zeros(len(table), dtype=int)
    hazards = table["hazards"].reset_index(drop=True)
    if hazards.map(lambda v: isinstance(v, str)).any():
        hazards = hazards.map(_as_list)
    bits = {name: 1 << i for i, name in enumerate(ENUMERATIONS["hazard"])}
    exploded = hazards.explode().map(bits).dropna()
    # A hazard listed twice must not carry into the next bit: add distinct bits only.
    pairs = pd.DataFrame({"point": exploded.index, "bit": exploded.to_numpy(dtype=int)}).drop_duplicates()
    masks = pairs.groupby("point")["bit"].sum()
    return masks.reindex(range(len(table)), fill_value=0).to_numpy(dtype=int)


def _as_list(value: object) -> list[str]:
    if _missing(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return [str(v) for v in json.loads(text)]
            except json.JSONDecodeError:
                pass
        return [part.strip() for part in text.split(",") if part.strip()]
    return [str(v) for v in value]  # type: ignore[union-attr]


def _layer(layers: Mapping[str, gpd.GeoDataFrame], name: str) -> gpd.GeoDataFrame:
    frame = layers.get(name)
    return frame if frame is not None else gpd.GeoDataFrame(geometry=[], crs=WGS84)


def _display(
    frame: gpd.GeoDataFrame, columns: list[str], *, tolerance_m: float = DISPLAY_TOLERANCE_M
) -> dict:
    """GeoJSON FeatureCollection of ``columns``: lines and polygons simplified in metres, WGS 84 to ~1 m."""
    geometry = frame.geometry
    if frame.crs is not None and not geometry.geom_type.isin(["Point", "MultiPoint"]).all():
        geometry = geometry.to_crs(METRIC_CRS).simplify(tolerance_m, preserve_topology=True)
    geometry = geometry.to_crs(WGS84) if geometry.crs is not None else geometry
    rounded = shapely.set_precision(geometry.to_numpy(), 10**-COORDINATE_DECIMALS)
    rounded = np.array([_largest_part_first(g) for g in rounded], dtype=object)
    # shapely writes GeoJSON in C: several times faster than GeoDataFrame.__geo_interface__.
    shapes = shapely.to_geojson(rounded)
    properties = frame[columns].to_dict("records") if columns else [{} for _ in range(len(frame))]
    features = [
        {"type": "Feature", "id": str(i), "properties": props, "geometry": json.loads(shape)}
        for i, (props, shape) in enumerate(zip(properties, shapes, strict=True))
        if shape is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def _largest_part_first(geometry: shapely.Geometry | None) -> shapely.Geometry | None:
    # Leaflet centres a label on a multipolygon's first part: make it the mainland, not an islet.
    if geometry is None or geometry.geom_type != "MultiPolygon":
        return geometry
    return shapely.MultiPolygon(sorted(geometry.geoms, key=lambda part: part.area, reverse=True))


def _minimap_outline(province: gpd.GeoDataFrame) -> dict:
    """Outline the province without its smallest islands, coarsely: the minimap is 130 px wide."""
    parts = gpd.GeoSeries(shapely.get_parts(province.geometry.to_crs(METRIC_CRS).to_numpy()), crs=METRIC_CRS)
    large = parts[parts.area >= MINIMAP_MIN_AREA_M2]
    return _display(gpd.GeoDataFrame(geometry=large if len(large) else parts), [], tolerance_m=1000.0)


def _bounds(*frames: gpd.GeoDataFrame) -> list[list[float]] | None:
    for frame in frames:
        if len(frame) and frame.crs is not None:
            west, south, east, north = frame.to_crs(WGS84).total_bounds
            if np.isfinite([west, south, east, north]).all():
                return [[float(south), float(west)], [float(north), float(east)]]
    return None


def _centre(*frames: gpd.GeoDataFrame) -> list[float]:
    bounds = _bounds(*frames)
    if bounds is None:
        # Hạ Long: only used when every layer is empty.
        return [20.95, 107.08]
    return [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
