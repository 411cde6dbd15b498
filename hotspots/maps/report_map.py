"""The light map of the report page: the province, communes and known points, and the chosen place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import folium
import geopandas as gpd

from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M
from hotspots.i18n import t
from hotspots.maps.interactive import build_map

#: Layers drawn for context: enough to see where one is, light enough for a phone in the field.
CONTEXT_LAYERS: Final = ("province", "communes")


def build_report_map(
    coverage: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    asset_base_url: str | None = None,
) -> folium.Map:
    """Build the map on which field staff click to place a new risk point.

    Parameters
    ----------
    coverage
        Known risk points with coverage (:func:`hotspots.analysis.coverage_table`),
        shown so that staff see whether the place is already reported.
    layers
        Layers by schema name; only :data:`CONTEXT_LAYERS` are drawn.
    lang
        Language of the labels.
    asset_base_url
        As in :func:`hotspots.maps.build_map`.

    Returns
    -------
    folium.Map
        Without facilities, reach circles or water, and with passive points (no popup,
        tooltip or cluster zoom; see ``interactive_points`` of :func:`build_map`): a tap
        anywhere lands on the map itself, which is what ``st_folium``'s ``last_clicked`` reports.
    """
    context = {name: layers[name] for name in CONTEXT_LAYERS if name in layers}
    return build_map(
        coverage,
        context,
        lang=lang,
        swim_radius_m=DEFAULT_SWIM_RADIUS_M,
        rescue_radius_m=DEFAULT_RESCUE_RADIUS_M,
        asset_base_url=asset_base_url,
        interactive_points=False,
    )


def chosen_place(place: tuple[float, float] | None, *, lang: str) -> folium.FeatureGroup:
    """Return a layer holding one marker at ``place`` (latitude, longitude), or none when ``None``.

    Drawn as a separate layer (``st_folium(..., feature_group_to_add=...)``) so that
    moving it does not rebuild the map, which would lose the user's zoom; an empty
    layer takes the marker away once the point is saved. The marker is not interactive:
    a tap on it goes to the map, so the place can be corrected by tapping right next to it.
    """
    group = folium.FeatureGroup(name=t("report.chosen_place", lang))
    if place is not None:
        folium.Marker(
            list(place),
            icon=folium.Icon(color="red", icon="location-dot", prefix="fa"),
            interactive=False,
            keyboard=False,
            alt=t("report.chosen_place", lang),
        ).add_to(group)
    return group
