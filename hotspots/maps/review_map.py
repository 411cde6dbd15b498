"""The review map: the points awaiting review over the province and communes, the selected ones highlighted.

:func:`build_review_map` draws the pending points an officer is looking at (the review queue,
filtered), each with its id and name in a popup, and highlights those selected in the list; the
view fits the selected points, or all of them when none is selected. Every text is escaped, and
the map's scripts and styles come from the same (local) assets as the other maps.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Final

import folium
import geopandas as gpd

from hotspots.config import WGS84
from hotspots.i18n import format_number, t
from hotspots.maps.assets import use_assets
from hotspots.maps.display import bounds, centre, layer_or_empty
from hotspots.maps.elements import HtmlPopup
from hotspots.maps.layers import add_controls, outline_map
from hotspots.maps.style import PENDING_STYLE

#: Colour of the selected points (Okabe–Ito reddish purple): unlike the pending grey or any coverage colour.
SELECTED_COLOUR: Final = "#CC79A7"
#: Radius of a selected point's marker, in pixels (pending points: ``PENDING_STYLE["radius"]``).
SELECTED_RADIUS_PX: Final = 10
#: Closest zoom the view may fit to (one point alone would otherwise fill the map at street level).
MAX_FIT_ZOOM: Final = 15


def build_review_map(
    points: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    selected: Iterable[str] = (),
    asset_base_url: str | None = None,
) -> folium.Map:
    """Build the map of the points awaiting review.

    Parameters
    ----------
    points
        The pending points to show, with ``point_id`` and ``name`` (any CRS).
    layers
        Layers by schema name: ``province`` and ``communes`` are drawn for context.
    lang
        Language of every label.
    selected
        Ids of the points selected in the list: drawn larger, in :data:`SELECTED_COLOUR`,
        in a layer of their own above the others.
    asset_base_url
        As in :func:`hotspots.maps.build_map`.

    Returns
    -------
    folium.Map
        Without tiles (the basemaps are in the layer control), fitted to the selected
        points, else to every point shown, else to the province.
    """
    province = layer_or_empty(layers, "province")
    communes = layer_or_empty(layers, "communes")
    shown = points.to_crs(WGS84) if points.crs is not None else points.set_crs(WGS84)
    chosen = set(selected)
    is_selected = shown["point_id"].isin(chosen).to_numpy(dtype=bool)
    fmap = outline_map(
        province,
        communes,
        location=centre(shown, province, communes),
        zoom_start=10,
        lang=lang,
        asset_base_url=asset_base_url,
    )
    waiting = format_number(int((~is_selected).sum()), lang)
    _points(fmap, shown[~is_selected], name=t("layer.review_pending", lang, count=waiting))
    _points(
        fmap,
        shown[is_selected],
        name=t("layer.review_selected", lang, count=format_number(int(is_selected.sum()), lang)),
        colour=SELECTED_COLOUR,
        radius=SELECTED_RADIUS_PX,
    )
    view = bounds(shown[is_selected], shown, province, communes)
    if view is not None:
        fmap.fit_bounds(view, max_zoom=MAX_FIT_ZOOM)
    add_controls(fmap, province, lang=lang, basemap="none", minimap=False)
    use_assets(fmap, base_url=asset_base_url)
    return fmap


def point_popup(point_id: object, name: object) -> str:
    """Return a point's popup: its id and name, escaped (a reported name is text, never markup)."""
    title = html.escape(f"{point_id} – {name}")
    return f'<div class="hs-popup"><div class="hs-title">{title}</div></div>'


def _points(
    fmap: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    colour: str | None = None,
    radius: int = PENDING_STYLE["radius"],
) -> None:
    """Draw one group of points as circle markers: the pending style, or filled with ``colour``."""
    if not len(frame):
        return
    style = {
        "color": PENDING_STYLE["stroke"] if colour is None else "#ffffff",
        "weight": PENDING_STYLE["weight"],
        "dash_array": PENDING_STYLE["dash"] if colour is None else None,
        "fill_color": PENDING_STYLE["fill"] if colour is None else colour,
        "fill_opacity": PENDING_STYLE["fill_opacity"] if colour is None else 1.0,
    }
    group = folium.FeatureGroup(name=name).add_to(fmap)
    for point_id, point_name, point in zip(frame["point_id"], frame["name"], frame.geometry, strict=True):
        if point is None or point.is_empty:
            continue
        marker = folium.CircleMarker(
            [point.y, point.x],
            radius=radius,
            fill=True,
            tooltip=html.escape(str(point_id)),
            **style,
        ).add_to(group)
        HtmlPopup(point_popup(point_id, point_name), max_width=300).add_to(marker)
