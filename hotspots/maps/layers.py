"""The map's vector and tile layers: basemaps, province, communes, water, reach, facilities, controls.

Each ``add_*`` function adds one kind of layer to a :class:`folium.Map` in the
user's language, with every text HTML-escaped.
"""

from __future__ import annotations

import html

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely

from hotspots.analysis import in_service, planned_venues
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import HotspotsError
from hotspots.i18n import format_distance, label, t
from hotspots.maps.assets import leaflet_image_path
from hotspots.maps.display import (
    REACH_QUAD_SEGS,
    REACH_TOLERANCE_M,
    bounds,
    display_geojson,
    minimap_outline,
)
from hotspots.maps.elements import PackedGeoJson, PlaceLabels, VectorMiniMap
from hotspots.maps.formatting import facility_popup, number_text
from hotspots.maps.points import PointRows
from hotspots.maps.script import MapSetup
from hotspots.maps.style import (
    FOCUS_STYLE,
    LAND_COLOUR,
    NO_PLAY_STYLE,
    PLAY_SPACE_COLOUR,
    RESCUE_STYLE,
    SWIM_STYLE,
    TILES,
    WATER_COLOUR,
)


def outline_map(
    province: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    location: list[float],
    zoom_start: int,
    lang: str,
    asset_base_url: str | None = None,
) -> folium.Map:
    """Return a map of the province and its communes with no risk points: the planning and review maps' base.

    It carries the map's setup script (with no point rows) so that its layers look like the main map's.
    """
    fmap = folium.Map(
        location=location, zoom_start=zoom_start, tiles=None, maxZoom=18, minZoom=5, prefer_canvas=True
    )
    empty = PointRows.from_table(gpd.GeoDataFrame(geometry=[], crs=WGS84), communes=communes, lang=lang)
    MapSetup(empty, lang=lang, image_path=leaflet_image_path(asset_base_url)).add_to(fmap)
    add_basemaps(fmap, basemap="none", lang=lang)
    if len(province):
        add_province(fmap, province, lang=lang, filled=True)
    if len(communes):
        add_communes(fmap, communes, lang=lang)
    return fmap


def add_basemaps(fmap: folium.Map, *, basemap: str, lang: str) -> None:
    """Add the base layers: "no basemap" and each of :data:`TILES`, ``basemap`` shown."""
    # "None" is a real base layer, so the layer control can switch tiles off again.
    folium.FeatureGroup(name=label("basemap", "none", lang), overlay=False, show=basemap == "none").add_to(
        fmap
    )
    for key, (url, attribution) in TILES.items():
        folium.TileLayer(
            url,
            attr=attribution,
            name=label("basemap", key, lang),
            overlay=False,
            show=basemap == key,
            max_zoom=18,
        ).add_to(fmap)


def add_province(fmap: folium.Map, province: gpd.GeoDataFrame, *, lang: str, filled: bool) -> None:
    """Add the province outline and coast, filled as land when there are no tiles (``filled``)."""
    data = display_geojson(province, [])
    style = {"color": "#4d4d4d", "weight": 2, "fillColor": LAND_COLOUR, "fillOpacity": 1.0 if filled else 0.0}
    PackedGeoJson(
        data, name=t("layer.province", lang), style_function=lambda _f: style, interactive=False
    ).add_to(fmap)


def add_communes(fmap: folium.Map, communes: gpd.GeoDataFrame, *, lang: str) -> None:
    """Add the communes with a tooltip, and flag those without a play space (hatched, labelled)."""
    frame = communes.copy()
    has_play = frame["has_play_space"].fillna(False).astype(bool).to_numpy()
    yes, no = html.escape(t("yes", lang)), html.escape(t("no", lang))
    frame["tooltip"] = [
        f"<b>{html.escape(str(name))}</b><br>{html.escape(t('col.children_under_16', lang))}: "
        f"{number_text(children)}<br>{html.escape(t('col.has_play_space', lang))}: {yes if play else no}"
        for name, children, play in zip(frame["name"], frame["children_under_16"], has_play, strict=True)
    ]
    tooltip = folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True)
    PackedGeoJson(
        display_geojson(frame, ["commune_id", "tooltip"]),
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
        PackedGeoJson(
            display_geojson(without, ["commune_id"]),
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


def add_water(fmap: folium.Map, water: gpd.GeoDataFrame, *, lang: str) -> None:
    """Add rivers, streams and lakes with their name and kind as tooltip."""
    frame = water.copy()
    frame["tooltip"] = [
        f"{html.escape(str(name))} ({html.escape(label('water_type', kind, lang))})"
        for name, kind in zip(frame["name"], frame["water_type"], strict=True)
    ]
    PackedGeoJson(
        display_geojson(frame, ["tooltip"]),
        name=t("layer.water", lang),
        style_function=lambda _f: {
            "color": WATER_COLOUR,
            "weight": 2,
            "fillColor": "#9cc7e6",
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def add_coverage_area(
    fmap: folium.Map, facilities: gpd.GeoDataFrame, *, radius_m: float, style: dict, key: str, lang: str
) -> None:
    """Add the reach of the facilities: ``radius_m`` buffers measured in UTM 48N, merged into one area.

    Only facilities in service reach (planned and cancelled ones do not). Nothing is added
    without facilities or with a radius of 0.
    """
    facilities = in_service(facilities)
    if not len(facilities) or radius_m <= 0:
        return
    # Buffers are drawn in metres (UTM 48N) and merged, so overlapping reaches do not darken.
    merged = shapely.union_all(
        facilities.geometry.to_crs(METRIC_CRS).buffer(radius_m, quad_segs=REACH_QUAD_SEGS).to_numpy()
    )
    area = gpd.GeoDataFrame(geometry=[merged], crs=METRIC_CRS)
    PackedGeoJson(
        display_geojson(area, [], tolerance_m=REACH_TOLERANCE_M),
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


def add_facilities(fmap: folium.Map, facilities: gpd.GeoDataFrame, *, kind: str, lang: str) -> None:
    """Add swimming classes (``kind="swim"``) or rescue trainings as icons with popups.

    Planned ones (status ``planned``) are a layer of their own, *Dự kiến*: hollow icons with a
    dashed outline. Cancelled plans are not drawn.
    """
    style = SWIM_STYLE if kind == "swim" else RESCUE_STYLE
    for frame, planned in ((in_service(facilities), False), (planned_venues(facilities), True)):
        if len(frame):
            _add_facility_icons(fmap, frame.copy(), kind=kind, style=style, planned=planned, lang=lang)


def _add_facility_icons(
    fmap: folium.Map, frame: gpd.GeoDataFrame, *, kind: str, style: dict, planned: bool, lang: str
) -> None:
    frame["popup"] = [facility_popup(row, kind=kind, lang=lang) for row in frame.to_dict("records")]
    frame["tooltip"] = [html.escape(str(name)) for name in frame["name"]]
    if planned:
        name = t("layer.swim_planned" if kind == "swim" else "layer.rescue_planned", lang)
        look = f"background:#fff;color:{style['stroke']};border:2px dashed {style['stroke']}"
    else:
        name = t("layer.swim_classes" if kind == "swim" else "layer.rescue_trainings", lang)
        look = f"background:{style['stroke']}"
    folium.GeoJson(
        display_geojson(frame, ["popup", "tooltip"]),
        name=name,
        marker=folium.Marker(
            icon=folium.DivIcon(
                html=(
                    f'<div class="hs-fac" style="{look}"><i class="fa-solid fa-{style["icon"]}"></i></div>'
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="hs-fac-wrap",
            )
        ),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=300),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def add_play_spaces(fmap: folium.Map, play_spaces: gpd.GeoDataFrame, *, lang: str) -> None:
    """Add children's play spaces as small green dots."""
    frame = play_spaces.copy()
    kinds = frame["kind"] if "kind" in frame.columns else pd.Series("", index=frame.index)
    frame["tooltip"] = [
        f"{html.escape(str(name))} ({html.escape(label('play_kind', kind, lang))})"
        for name, kind in zip(frame["name"], kinds, strict=True)
    ]
    folium.GeoJson(
        display_geojson(frame, ["tooltip"]),
        name=t("layer.play_spaces", lang),
        marker=folium.CircleMarker(
            radius=5, color="#ffffff", weight=1.5, fill_color=PLAY_SPACE_COLOUR, fill_opacity=1
        ),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)


def focus_bounds(communes: gpd.GeoDataFrame, commune_id: str) -> list[list[float]] | None:
    """Return the bounds of one commune, to zoom to.

    Raises
    ------
    HotspotsError
        If ``commune_id`` is not among ``communes``.
    """
    return bounds(_chosen_commune(communes, commune_id))


def add_focus(
    fmap: folium.Map, communes: gpd.GeoDataFrame, commune_id: str, *, lang: str
) -> list[list[float]]:
    """Outline one commune and return its bounds, to zoom to.

    Raises
    ------
    HotspotsError
        If ``commune_id`` is not among ``communes``.
    """
    chosen = _chosen_commune(communes, commune_id)
    PackedGeoJson(
        display_geojson(chosen, []),
        name=t("layer.focus", lang),
        style_function=lambda _f: dict(FOCUS_STYLE),
        interactive=False,
    ).add_to(fmap)
    return bounds(chosen)


def _chosen_commune(communes: gpd.GeoDataFrame, commune_id: str) -> gpd.GeoDataFrame:
    chosen = communes[communes["commune_id"] == commune_id] if len(communes) else communes
    if not len(chosen):
        msg = f"There is no commune '{commune_id}' on the map; pick one of the listed communes."
        raise HotspotsError(msg)
    return chosen


def add_minimap(fmap: folium.Map, province: gpd.GeoDataFrame, *, basemap: str) -> None:
    """Add the minimap of the province's outline (nothing without a province).

    The minimap is a second Leaflet map: creating it makes the browser lay out the whole page
    at once. Added right after the map itself, that layout is quick; added after the layers and
    markers, it took 0.1–0.6 s (``benchmarks/browser_map.py``).
    """
    if len(province):
        VectorMiniMap(
            minimap_outline(province), tile_url=TILES[basemap][0] if basemap in TILES else None
        ).add_to(fmap)


def add_controls(
    fmap: folium.Map, province: gpd.GeoDataFrame, *, lang: str, basemap: str, minimap: bool = True
) -> None:
    """Add full screen, locate, measure, the minimap and the layer control.

    ``minimap=False`` leaves the minimap out, for a map that added it first (:func:`add_minimap`).
    """
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
    if minimap:
        add_minimap(fmap, province, basemap=basemap)
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
