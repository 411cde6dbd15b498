"""The Analysis page's map: Gi* hot and cold spots by class, the density of risk points, the black spots.

:func:`build_hotspot_map` draws the units of a hot-spot test
(:func:`hotspots.analysis.hexagon_hotspots` or :func:`hotspots.analysis.commune_hotspots`) as
one ``folium.GeoJson`` whose style function colours each unit by its class (red hot, blue
cold, diverging ColorBrewer RdBu, darker for higher confidence), the kernel density of
:func:`hotspots.analysis.risk_density` as a heat layer under them, and the black spots on top
as black triangles. Its legend is a Leaflet control, folded on phones. No tiles are needed:
the province and the communes are vector layers; every text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Final

import branca.element
import folium
import geopandas as gpd
from folium.template import Template

from hotspots.analysis import HOTSPOT_CLASSES
from hotspots.i18n import format_number, label, t
from hotspots.maps.assets import use_assets
from hotspots.maps.display import bounds, centre, display_geojson, layer_or_empty
from hotspots.maps.elements import HeatMapLayer
from hotspots.maps.layers import add_basemaps, add_province
from hotspots.maps.style import MOBILE_WIDTH_PX

#: Fill colour and opacity of each class of :data:`hotspots.analysis.HOTSPOT_CLASSES`.
CLASS_STYLES: Final = {
    "hot_99": ("#b2182b", 0.75),
    "hot_95": ("#ef8a62", 0.7),
    "hot_90": ("#fddbc7", 0.7),
    "not_significant": ("#ffffff", 0.0),
    "cold_90": ("#d1e5f0", 0.7),
    "cold_95": ("#67a9cf", 0.7),
    "cold_99": ("#2166ac", 0.75),
    "not_tested": ("#bdbdbd", 0.45),
}
#: Hexagons of these classes are left off the map (thousands of clear cells would only slow it).
HIDDEN_HEXAGON_CLASSES: Final = ("not_significant",)
_BLACK_SPOT_ICON: Final = (
    '<svg width="16" height="15" viewBox="0 0 16 15" xmlns="http://www.w3.org/2000/svg">'
    '<polygon points="8,1 15,14 1,14" fill="#000" stroke="#fff" stroke-width="1.5"/></svg>'
)


def build_hotspot_map(
    units: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    heat: Sequence[Sequence[float]] = (),
    support: str = "hexagons",
    asset_base_url: str | None = None,
) -> folium.Map:
    """Build the map of a hot-spot test.

    Parameters
    ----------
    units
        The tested units (``HotspotResult.units``): ``hotspot_class``, ``risk_points``,
        ``black_spots``, ``value`` and a name column (``commune_name`` or ``name``).
    layers
        ``province``, ``communes`` and ``risk_points`` (its black spots are drawn); missing
        layers are left out.
    lang
        Language of the tooltips, layer names and legend.
    heat
        ``[lat, lon, weight]`` rows of ``DensitySurface.heat_points()``; empty: no heat layer.
    support
        ``"hexagons"`` (clear cells are left out) or ``"communes"`` (every commune is drawn).
    asset_base_url
        Where Leaflet and its plugins are served (see :func:`hotspots.maps.local_base_url`).

    Returns
    -------
    folium.Map
    """
    province = layer_or_empty(layers, "province")
    communes = layer_or_empty(layers, "communes")
    points = layer_or_empty(layers, "risk_points")
    fmap = folium.Map(
        location=centre(province, communes, units), zoom_start=9, tiles=None, maxZoom=18, minZoom=5
    )
    add_basemaps(fmap, basemap="none", lang=lang)
    if len(province):
        add_province(fmap, province, lang=lang, filled=True)
    if len(communes):
        folium.GeoJson(
            display_geojson(communes, []),
            name=t("layer.communes", lang),
            style_function=lambda _f: {"color": "#6b6b6b", "weight": 1, "fillOpacity": 0},
            interactive=False,
        ).add_to(fmap)
    if heat:
        HeatMapLayer(
            [list(row) for row in heat], name=t("layer.heatmap", lang), radius=16, blur=20, min_opacity=0.3
        ).add_to(fmap)
    shown = units
    if support == "hexagons" and len(units):
        shown = units[~units["hotspot_class"].isin(HIDDEN_HEXAGON_CLASSES)]
    if len(shown):
        frame = shown.assign(
            tooltip=[_tooltip(row, lang) for row in shown.to_dict("records")],
        )
        folium.GeoJson(
            display_geojson(frame, ["hotspot_class", "tooltip"], tolerance_m=1.0),
            name=t("analysis.layer_units", lang),
            style_function=_style,
            highlight_function=lambda _f: {"weight": 3, "color": "#111111"},
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        ).add_to(fmap)
    black = points[(points["risk_level"] == "black_spot").to_numpy()] if len(points) else points
    if len(black):
        group = folium.FeatureGroup(name=t("layer.black_spots", lang)).add_to(fmap)
        for row in black.to_crs("EPSG:4326").to_dict("records"):
            folium.Marker(
                [row["geometry"].y, row["geometry"].x],
                icon=folium.DivIcon(html=_BLACK_SPOT_ICON, icon_size=(16, 15), icon_anchor=(8, 10)),
                tooltip=html.escape(f"{row['point_id']} – {row['name']}"),
            ).add_to(group)
    view = bounds(province, communes, units)
    if view is not None:
        fmap.fit_bounds(view)
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    HotspotLegend(lang=lang, has_heat=bool(heat), has_black_spots=bool(len(black))).add_to(fmap)
    use_assets(fmap, base_url=asset_base_url)
    return fmap


class HotspotLegend(branca.element.MacroElement):
    """The classes' colours, the heat layer and the black spots, as a Leaflet control folded on phones.

    Parameters
    ----------
    lang
        Language of the entries.
    has_heat, has_black_spots
        Add the heat layer's and the black spots' entries.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "bottomleft"});
            {{ this.get_name() }}.onAdd = function (map) {
                var div = L.DomUtil.create("div", "leaflet-control");
                div.style.cssText = "background:rgba(255,255,255,.94);padding:6px 9px;border-radius:6px;"
                    + "box-shadow:0 1px 5px rgba(0,0,0,.35);max-width:230px;font-size:12px;line-height:1.5";
                div.innerHTML = {{ this.html|tojson }};
                if (map.getSize().x < {{ this.mobile_width }}) { div.querySelector("details").open = false; }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, *, lang: str, has_heat: bool, has_black_spots: bool) -> None:
        super().__init__()
        self._name = "HotspotLegend"
        self.mobile_width = MOBILE_WIDTH_PX
        items = []
        for klass in HOTSPOT_CLASSES:
            colour, opacity = CLASS_STYLES[klass]
            border = "1px dashed #777" if klass == "not_tested" else "1px solid #555"
            swatch = (
                f'<span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
                f"vertical-align:-1px;background:{colour};opacity:{max(opacity, 0.15) + 0.2:.2f};"
                f'border:{border}"></span>'
            )
            items.append(f"<div>{swatch}{html.escape(label('hotspot_class', klass, lang))}</div>")
        if has_heat:
            swatch = (
                '<span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
                'vertical-align:-1px;background:linear-gradient(90deg,blue,lime,red)"></span>'
            )
            items.append(f"<div>{swatch}{html.escape(t('layer.heatmap', lang))}</div>")
        if has_black_spots:
            icon = _BLACK_SPOT_ICON.replace("<svg ", '<svg style="margin-right:4px;vertical-align:-2px" ')
            items.append(f"<div>{icon}{html.escape(t('legend.black_spot', lang))}</div>")
        title = html.escape(t("analysis.legend_title", lang))
        self.html = f"<details open><summary><b>{title}</b></summary>{''.join(items)}</details>"


def _style(feature: dict) -> dict:
    colour, opacity = CLASS_STYLES.get(feature["properties"]["hotspot_class"], CLASS_STYLES["not_tested"])
    return {
        "color": "#555555" if opacity else "#9a9a9a",
        "weight": 0.6,
        "dashArray": "3 3" if feature["properties"]["hotspot_class"] == "not_tested" else None,
        "fillColor": colour,
        "fillOpacity": opacity,
    }


def _tooltip(row: dict, lang: str) -> str:
    name = row.get("commune_name", row.get("name"))
    value = row.get("value")
    lines = [
        f"<b>{html.escape(label('hotspot_class', row['hotspot_class'], lang))}</b>",
        html.escape(str(name)) if name is not None else "",
        html.escape(
            t(
                "analysis.tooltip_points",
                lang,
                points=format_number(int(row["risk_points"]), lang),
                black=format_number(int(row["black_spots"]), lang),
            )
        ),
    ]
    if value is not None and value == value:
        lines.append(
            html.escape(
                t("analysis.tooltip_value", lang, value=format_number(float(value), lang, decimals=1))
            )
        )
    return "<br>".join(line for line in lines if line)
