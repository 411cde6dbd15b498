"""The interactive map: risk points by coverage, black spots, facilities, communes and water.

:func:`build_map` returns a :class:`folium.Map` that reads with no tiles at all
(province, coast, communes and water are vector layers) and scales to 100,000
risk points: points travel as one compact JSON array, are drawn as canvas
circle markers in a marker cluster, and their popups are assembled in the browser
only when opened. Every text value is HTML-escaped in Python before it reaches
the page. Black spots are separate markers that are never clustered; reported
points awaiting review are drawn apart again, as hollow grey rings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import folium
import geopandas as gpd
from folium.map import FitBounds

from hotspots.config import LOCAL_TIME_ZONE
from hotspots.errors import HotspotsError
from hotspots.i18n import t
from hotspots.maps.assets import leaflet_image_path, use_assets
from hotspots.maps.display import bounds, centre, layer_or_empty
from hotspots.maps.elements import (
    BlackSpotLayer,
    HeatMapLayer,
    Legend,
    PendingPointLayer,
    RiskPointCluster,
)
from hotspots.maps.layers import (
    add_basemaps,
    add_communes,
    add_controls,
    add_coverage_area,
    add_facilities,
    add_focus,
    add_minimap,
    add_play_spaces,
    add_province,
    add_water,
    focus_bounds,
)
from hotspots.maps.points import PointRows, point_layers
from hotspots.maps.script import AfterPointsBlock, MapSetup
from hotspots.maps.style import BASEMAPS, RESCUE_STYLE, SWIM_STYLE


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
    interactive_points: bool = True,
    photos: Mapping[str, Sequence[str]] | None = None,
    today: date | None = None,
) -> folium.Map:
    """Build the map of risk points, facilities, communes and water.

    Parameters
    ----------
    coverage
        Risk points with their coverage, from :func:`hotspots.analysis.coverage_table`,
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
        (see :func:`hotspots.maps.assets.local_base_url`); ``None`` uses the public CDN.
    focus_commune_id
        Zoom to this commune and outline it; by default the map fits the province.
    interactive_points
        ``False`` draws the points without popups, tooltips or cluster zoom, letting every
        tap through to the map (the report map, where a tap places a new point).
    photos
        Thumbnails by point id: ``data:image/jpeg;base64,...`` URIs such as
        :func:`hotspots.formats.thumbnail_data_uri` makes. A point's popup shows its first
        three; points without photos (or ``None``) are drawn as before.
    today
        The day inspections are judged on: reviewed points whose inspection is overdue
        then are ringed (:data:`~hotspots.maps.style.OVERDUE_STYLE`, with a legend entry).
        Default: today in the province's time zone (:data:`~hotspots.config.LOCAL_TIME_ZONE`).

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
    province = layer_or_empty(layers, "province")
    communes = layer_or_empty(layers, "communes")
    swim_classes = layer_or_empty(layers, "swim_classes")
    rescue_trainings = layer_or_empty(layers, "rescue_trainings")

    fmap = folium.Map(
        location=centre(province, communes, coverage),
        zoom_start=9,
        tiles=None,
        # MarkerCluster needs the map's own maxZoom: max_zoom only reaches a default tile layer.
        maxZoom=18,
        minZoom=5,
        prefer_canvas=True,
    )
    view = focus_bounds(communes, focus_commune_id) if focus_commune_id is not None else None
    view = view or bounds(province, communes, coverage)
    if view is not None:
        # First, and at once: every layer and the point cluster are then drawn once, for the final
        # view, not for the opening view and again during a zoom animation.
        fit = FitBounds(view)
        fit.options["animate"] = False
        fmap.add_child(fit)
    today = today or datetime.now(ZoneInfo(LOCAL_TIME_ZONE)).date()
    point_rows = PointRows.from_table(coverage, communes=communes, lang=lang, today=today)
    MapSetup(point_rows, lang=lang, image_path=leaflet_image_path(asset_base_url), photos=photos).add_to(fmap)

    # The points first, drawn in the first frame; the background and the controls right after.
    # Reports awaiting review are drawn apart: never as black spots, never in the coverage counts.
    rows_of = point_layers(coverage)
    pending, black, others = rows_of["pending"], rows_of["black_spots"], rows_of["cluster"]
    RiskPointCluster(
        point_rows.to_json(others),
        count=int(others.sum()),
        name=t("layer.risk_points", lang),
        interactive=interactive_points,
    ).add_to(fmap)
    if pending.any():
        PendingPointLayer(
            point_rows.to_json(pending),
            count=int(pending.sum()),
            name=t("layer.pending", lang),
            interactive=interactive_points,
        ).add_to(fmap)
    BlackSpotLayer(
        point_rows.to_json(black),
        count=int(black.sum()),
        name=t("layer.black_spots", lang),
        interactive=interactive_points,
    ).add_to(fmap)
    AfterPointsBlock(opening=True).add_to(fmap)
    add_minimap(fmap, province, basemap=basemap)
    add_basemaps(fmap, basemap=basemap, lang=lang)

    if len(province):
        add_province(fmap, province, lang=lang, filled=basemap == "none")
    if len(communes):
        add_communes(fmap, communes, lang=lang)
    water = layer_or_empty(layers, "water")
    if len(water):
        add_water(fmap, water, lang=lang)
    add_coverage_area(fmap, swim_classes, radius_m=swim_radius_m, style=SWIM_STYLE, key="swim", lang=lang)
    add_coverage_area(
        fmap, rescue_trainings, radius_m=rescue_radius_m, style=RESCUE_STYLE, key="rescue", lang=lang
    )
    play_spaces = layer_or_empty(layers, "play_spaces")
    if len(play_spaces):
        add_play_spaces(fmap, play_spaces, lang=lang)
    add_facilities(fmap, swim_classes, kind="swim", lang=lang)
    add_facilities(fmap, rescue_trainings, kind="rescue", lang=lang)

    # Over the areas, as before; a filter sent before it is drawn reaches it when it is.
    if heatmap and (~pending).any():
        HeatMapLayer(
            point_rows.latlng[~pending].tolist(),
            name=t("layer.heatmap", lang),
            radius=14,
            blur=18,
            min_opacity=0.35,
        ).add_to(fmap)

    if focus_commune_id is not None:
        add_focus(fmap, communes, focus_commune_id, lang=lang)

    add_controls(fmap, province, lang=lang, basemap=basemap, minimap=False)
    Legend(
        lang=lang,
        layers=layers,
        has_heatmap=heatmap,
        has_pending=bool(pending.any()),
        has_overdue=bool((point_rows.overdue & ~pending).any()),
    ).add_to(fmap)
    closing = AfterPointsBlock(opening=False).add_to(fmap)
    use_assets(fmap, base_url=asset_base_url)
    closing.defer_files()
    return fmap
