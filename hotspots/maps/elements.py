"""The map's own Leaflet elements: risk-point cluster, black spots, heat map, place labels, legend, minimap.

The point layers carry their rows as one JSON array (see :class:`~hotspots.maps.points.PointRows`)
and build their markers in the browser with the ``hsMap`` helpers of
:class:`~hotspots.maps.script.MapSetup`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Final

import branca.element
import folium
import folium.plugins
import geopandas as gpd
import shapely
from folium.features import GeoJsonStyleMapper
from folium.map import Layer
from folium.template import Template
from folium.utilities import get_bounds

from hotspots.analysis import COVERAGE_STATUSES, planned_venues
from hotspots.config import WGS84
from hotspots.i18n import label, t
from hotspots.maps.display import COORDINATE_DECIMALS, largest_part_first, layer_or_empty, pack_geojson
from hotspots.maps.style import (
    COVERAGE_COLOURS,
    LAND_COLOUR,
    MOBILE_WIDTH_PX,
    PASSIVE_PANE,
    PLAY_SPACE_COLOUR,
    RESCUE_STYLE,
    SWIM_STYLE,
)


class _RawText(branca.element.Element):
    """Text placed in the page as it is (no Jinja template made of it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        """Return the text."""
        return self._text


_NO_MACROS: Final = Template("")


class _BulkScript:
    """Mixin for elements whose script carries megabytes of data.

    branca's ``MacroElement.render`` wraps the rendered script in ``Element(text)``,
    which compiles the text as a Jinja template: seconds for 100,000 points. This
    renders the ``script`` macro once and adds the text as it is, then lets the
    usual render add the library links and the ``addTo`` line (after the script).
    """

    def render(self, **kwargs) -> None:
        """Add the script to the page without compiling it, then render the rest as usual."""
        self._before_script()
        template = self._template
        script = template.module.script(self, kwargs)
        self.get_root().script.add_child(_RawText(script), name=self.get_name())
        self._template = _NO_MACROS
        try:
            super().render(**kwargs)
        finally:
            self._template = template

    def _before_script(self) -> None:
        """Compute what the script needs before it is written (nothing by default)."""


class RiskPointCluster(_BulkScript, folium.plugins.MarkerCluster):
    """The reviewed risk points (black spots excepted) as canvas circle markers in one marker cluster.

    The group goes on the map before it is given its markers, all at once: Leaflet.markercluster
    checks each marker given to a group *off* the map against every one given before (O(n²):
    10 s at 100,000 points), and chunked loading raced the map's first zoom (clusters without
    bounds, a TypeError in ``_zoomEnd``). Measured by ``benchmarks/browser_map.py``.

    Parameters
    ----------
    rows_json
        Output of :meth:`PointRows.to_json`.
    count
        Number of points in ``rows_json`` (for tests and the page).
    name
        Name in the layer control.
    interactive
        ``False`` (report map): no popups, and cluster icons neither zoom nor catch a tap;
        they sit in the :data:`~hotspots.maps.style.PASSIVE_PANE`, so every tap reaches the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var rows = {{ this.rows_json }}, options = {{ this.options|tojavascript }};
                var cluster = L.markerClusterGroup(options);
                cluster.options.iconCreateFunction = hsMap.clusterIcon;
                var markers = new Array(rows.length);
                for (var i = 0; i < rows.length; i++) {
                    markers[i] = hsMap.point(rows[i], {{ this.interactive|tojson }});
                }
                // The layer control's entry: it holds the cluster of every point, or of the points
                // a filter chose (hsMap.applyFilter swaps them).
                var layer = L.layerGroup().addTo({{ this._parent.get_name() }});
                // On the map first: markers given to a group off the map are each checked against
                // all those given before it (markercluster's hasLayer), 10 s at 100,000 points.
                layer.addLayer(cluster);
                cluster.addLayers(markers);
                {%- if this.interactive %}
                hsMap.pointPopups(cluster);
                {%- endif %}
                return hsMap.filterable({{ this.filter_key|tojson }}, {
                    layer: layer, full: cluster, shown: cluster, rows: rows, count: rows.length,
                    options: options, interactive: {{ this.interactive|tojson }}
                });
            })();
        {% endmacro %}"""
    )

    def __init__(self, rows_json: str, *, count: int, name: str, interactive: bool = True) -> None:
        passive = (
            {}
            if interactive
            else {
                "zoom_to_bounds_on_click": False,
                "spiderfy_on_max_zoom": False,
                "cluster_pane": PASSIVE_PANE,
            }
        )
        super().__init__(
            name=name,
            overlay=True,
            control=True,
            show=True,
            chunked_loading=False,
            show_coverage_on_hover=False,
            max_cluster_radius=60,
            disable_clustering_at_zoom=16,
            **passive,
        )
        self._name = "RiskPointCluster"
        self.filter_key = "cluster"
        self.rows_json = rows_json
        self.count = count
        self.interactive = interactive


class HeatMapLayer(_BulkScript, folium.plugins.HeatMap):
    """folium's heat map, rendered without compiling its data as a template; filters reach it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _HeatFilterTarget().add_to(self)


class _HeatFilterTarget(branca.element.MacroElement):
    """Registers its parent heat map with ``hsMap`` under the filter key ``heat`` (after it exists)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            hsMap.filterable("heat", {layer: {{ this._parent.get_name() }},
                latlngs: {{ this._parent.get_name() }}._latlngs.slice(),
                count: {{ this._parent.get_name() }}._latlngs.length});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HeatFilterTarget"


class _MarkerLayer(_BulkScript, Layer):
    """Rows drawn one marker each, never clustered, by the ``hsMap`` function named :attr:`marker`.

    Parameters
    ----------
    rows_json
        Output of :meth:`PointRows.to_json`.
    count
        Number of points in ``rows_json`` (for tests and the page).
    name
        Name in the layer control.
    interactive
        ``False`` (report map): markers without popup or tooltip that let every tap through.
    """

    #: The ``hsMap`` function drawing one row.
    marker: str = ""
    #: The layer's name in a filter sent by :func:`hotspots.maps.filter_script`.
    filter_key: str = ""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var markers = ({{ this.rows_json }}).map(function (r) {
                    return hsMap.{{ this.marker }}(r, {{ this.interactive|tojson }});
                });
                return hsMap.filterable({{ this.filter_key|tojson }}, {
                    layer: L.featureGroup(markers), markers: markers, count: markers.length
                });
            })();
        {% endmacro %}"""
    )

    def __init__(self, rows_json: str, *, count: int, name: str, interactive: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = type(self).__name__
        self.rows_json = rows_json
        self.count = count
        self.interactive = interactive


class BlackSpotLayer(_MarkerLayer):
    """Reviewed black spots: individual markers, never clustered, so each stays visible at every zoom."""

    marker = "blackSpot"
    filter_key = "black_spots"


class PendingPointLayer(_MarkerLayer):
    """Reported points awaiting review, whatever their risk level: hollow dashed grey rings.

    Kept apart from the reviewed points so that unreviewed reports never count, nor look,
    as coverage-coloured risk points or black spots.
    """

    marker = "pending"
    filter_key = "pending"


class GeoJsonUnpacker(branca.element.MacroElement):
    """Teaches Leaflet's GeoJSON layers to read the packed GeoJSON of :func:`pack_geojson`.

    :class:`PackedGeoJson` puts one on its map, first, before any layer reads its data.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        + (resources.files("hotspots.maps") / "templates" / "unpack_geojson.js").read_text(encoding="utf-8")
        + "{% endmacro %}"
    )
    #: Its name among the map's children: one per map.
    KEY: Final = "hs_unpack_geojson"

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoJsonUnpacker"
        self.scale = 10**COORDINATE_DECIMALS


class PackedGeoJson(_BulkScript, folium.GeoJson):
    """folium's GeoJson layer whose lines and rings travel packed (:func:`pack_geojson`).

    A quarter of the page's bytes for the province, communes and water, read by the browser as
    strings rather than as tens of thousands of small arrays (``benchmarks/browser_map.py``).
    :attr:`data` is what the page carries; :attr:`plain_data` the GeoJSON it was given.
    Takes :class:`folium.GeoJson`'s arguments. Rendered without compiling its script as a
    template (:class:`_BulkScript`): a packed line may hold ``{{``, which Jinja would read.
    """

    def __init__(self, data: dict, **kwargs) -> None:
        self.plain_data = data
        super().__init__(pack_geojson(data), **kwargs)

    def _get_self_bounds(self) -> list[list[float | None]]:
        """Bounds of the plain GeoJSON, as folium computes them."""
        return get_bounds(self.plain_data, lonlat=True)

    def _before_script(self) -> None:
        """Make the style maps the script is written with, as :meth:`folium.GeoJson.render` does."""
        if (self.style or self.highlight) and self.data["features"]:
            mapper = GeoJsonStyleMapper(self.data, self.feature_identifier, self)
            if self.style:
                self.style_map = mapper.get_style_map(self.style_function)
            if self.highlight:
                self.highlight_map = mapper.get_highlight_map(self.highlight_function)

    def add_to(self, parent: branca.element.Element, name: str | None = None, index: int | None = None):
        """Add the layer to ``parent``, and a :class:`GeoJsonUnpacker` first thing on its map."""
        super().add_to(parent, name=name, index=index)
        root = parent
        while not isinstance(root, folium.Map) and getattr(root, "_parent", None) is not None:
            root = root._parent
        if isinstance(root, folium.Map) and GeoJsonUnpacker.KEY not in root._children:
            root.add_child(GeoJsonUnpacker(), name=GeoJsonUnpacker.KEY, index=0)
        return self


class HtmlPopup(branca.element.MacroElement):
    """A popup of ready-made HTML bound to its parent marker, without jQuery.

    folium's own :class:`folium.Popup` parses its content with jQuery's ``$(...)``, which
    the app's offline assets do not ship (no map needs it): the script stopped at the
    first such popup, and everything after it was never drawn.

    Parameters
    ----------
    content
        HTML of the popup, user text already escaped.
    max_width
        Widest popup, in CSS pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup(
                {{ this.content|tojson }}, {maxWidth: {{ this.max_width }}}
            );
        {% endmacro %}"""
    )

    def __init__(self, content: str, *, max_width: int = 300) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.content = content
        self.max_width = int(max_width)


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
            largest_part_first(shapely.set_precision(g, 10**-COORDINATE_DECIMALS))
            for g in geometry.to_numpy()
        ]
        anchors = [shapely.point_on_surface(shapely.get_parts(g)[0]) for g in points]
        self.rows = [
            [round(p.y, COORDINATE_DECIMALS), round(p.x, COORDINATE_DECIMALS), text]
            for p, text in zip(anchors, labels, strict=True)
        ]


class Legend(branca.element.MacroElement):
    """The map's legend: a Leaflet control with translated HTML, folded on narrow screens.

    Parameters
    ----------
    lang
        Language of the entries.
    layers
        The map's layers by schema name: an entry is shown for each non-empty one.
    has_heatmap
        Add the heat map's entry.
    has_pending
        Add the entry of reported points awaiting review.
    has_overdue
        Add the entry of points whose inspection is overdue (their ring).
    """

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
        self,
        *,
        lang: str,
        layers: Mapping[str, gpd.GeoDataFrame],
        has_heatmap: bool = False,
        has_pending: bool = False,
        has_overdue: bool = False,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.mobile_width = MOBILE_WIDTH_PX
        items = [_swatch(label("coverage", s, lang), colour=COVERAGE_COLOURS[s]) for s in COVERAGE_STATUSES]
        diamond = (
            '<span class="hs-black hs-black-small"><i class="fa-solid fa-triangle-exclamation"></i></span>'
        )
        items.append(f"<div>{diamond}{html.escape(t('legend.black_spot', lang))}</div>")
        items.append(_swatch(t("legend.cluster", lang), css_class="hs-cluster-sw"))
        if has_pending:
            items.append(_swatch(t("legend.pending", lang), css_class="hs-pending-sw"))
        if has_overdue:
            items.append(_swatch(t("legend.overdue", lang), css_class="hs-overdue-sw"))
        present = {name for name in layers if len(layer_or_empty(layers, name))}
        if "swim_classes" in present:
            items.append(_facility_swatch(SWIM_STYLE, t("legend.swim_class", lang)))
        if "rescue_trainings" in present:
            items.append(_facility_swatch(RESCUE_STYLE, t("legend.rescue", lang)))
        if any(len(planned_venues(layer_or_empty(layers, n))) for n in ("swim_classes", "rescue_trainings")):
            outline = f"background:#fff;border:2px dashed {SWIM_STYLE['stroke']}"
            text = html.escape(t("legend.planned", lang))
            items.append(f'<div><span class="hs-sw" style="{outline}"></span>{text}</div>')
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


class VectorMiniMap(folium.plugins.MiniMap):
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
        self.mobile_width = MOBILE_WIDTH_PX
