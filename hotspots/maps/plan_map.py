"""The planning map: venues open and planned with their reach, the proposed sites, what they newly cover.

:func:`build_plan_map` draws one siting plan (:func:`hotspots.analysis.choose_sites`) over the
province and communes: the venues in service with their reach, the planned ones (dashed), the
proposed sites numbered by rank with their reach, the risk points they newly cover, and the black
spots that stay uncovered, plus the sites the planner added by clicking. Every text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Final

import branca.element
import folium
import geopandas as gpd
import numpy as np
import shapely

from hotspots.analysis import PLAN_LAYERS, SitingPlan, in_service, planned_venues
from hotspots.config import METRIC_CRS, WGS84
from hotspots.i18n import format_distance, format_number, t
from hotspots.maps.assets import use_assets
from hotspots.maps.display import (
    REACH_QUAD_SEGS,
    REACH_TOLERANCE_M,
    bounds,
    centre,
    display_geojson,
    layer_or_empty,
)
from hotspots.maps.elements import HtmlPopup, Legend
from hotspots.maps.layers import add_controls, add_coverage_area, add_facilities, outline_map
from hotspots.maps.style import MOBILE_WIDTH_PX, RESCUE_STYLE, SWIM_STYLE

#: Colour of the proposed sites, their reach and the risk points they newly cover (Okabe–Ito green).
PROPOSED_COLOUR: Final = "#009E73"
#: Risk points covered already (by a venue open or planned), and those that stay uncovered.
COVERED_COLOUR: Final = "#9e9e9e"
UNCOVERED_COLOUR: Final = "#D55E00"
#: Sites the planner added on the map.
CLICKED_COLOUR: Final = "#7b3294"


def build_plan_map(
    plan: SitingPlan,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    kind: str,
    radius_m: float,
    lang: str,
    extra_sites: Iterable[tuple[float, float]] = (),
    asset_base_url: str | None = None,
) -> folium.Map:
    """Build the map of one siting plan.

    Parameters
    ----------
    plan
        From :func:`hotspots.analysis.choose_sites` (its ``sites`` and ``demand``).
    layers
        Layers by schema name: ``province``, ``communes`` and the kind's venue layer are drawn.
    kind
        ``"swim"`` or ``"rescue"``.
    radius_m
        Reach of a venue, in metres.
    lang
        Language of every label.
    extra_sites
        Sites the planner added, as (longitude, latitude).
    asset_base_url
        As in :func:`hotspots.maps.build_map`.

    Returns
    -------
    folium.Map
        Opening on the province, without tiles (the basemaps are in the layer control).
    """
    province = layer_or_empty(layers, "province")
    communes = layer_or_empty(layers, "communes")
    venues = layer_or_empty(layers, PLAN_LAYERS[kind])
    style = SWIM_STYLE if kind == "swim" else RESCUE_STYLE
    fmap = outline_map(
        province,
        communes,
        location=centre(province, communes),
        zoom_start=9,
        lang=lang,
        asset_base_url=asset_base_url,
    )
    add_coverage_area(fmap, venues, radius_m=radius_m, style=style, key=kind, lang=lang)
    planned = planned_venues(venues)
    _reach(fmap, planned, radius_m, colour=style["stroke"], name=t("plan.map.planned_reach", lang))
    _reach(fmap, plan.sites, radius_m, colour=PROPOSED_COLOUR, name=t("plan.map.proposed_reach", lang))
    add_facilities(fmap, venues, kind=kind, lang=lang)
    _demand(fmap, plan.demand, lang=lang)
    _clicked(fmap, list(extra_sites), lang=lang)
    _proposed(fmap, plan.sites, lang=lang)
    view = bounds(province, communes, plan.demand)
    if view is not None:
        fmap.fit_bounds(view)
    add_controls(fmap, province, lang=lang, basemap="none")
    PlanLegend(
        lang=lang, style=style, has_open=bool(len(in_service(venues))), has_planned=bool(len(planned))
    ).add_to(fmap)
    use_assets(fmap, base_url=asset_base_url)
    return fmap


class PlanLegend(Legend):
    """The planning map's legend: what each colour and symbol means (folded on phones)."""

    def __init__(self, *, lang: str, style: dict, has_open: bool, has_planned: bool) -> None:
        branca.element.MacroElement.__init__(self)
        self._name = "Legend"
        self.mobile_width = MOBILE_WIDTH_PX
        items = []
        if has_open:
            items.append(_icon(f"background:{style['stroke']}", t("plan.legend.open", lang)))
        if has_planned:
            dashed = f"background:#fff;border:2px dashed {style['stroke']}"
            items.append(_icon(dashed, t("plan.legend.planned", lang)))
        items.append(_icon(f"background:{PROPOSED_COLOUR}", t("plan.legend.proposed", lang)))
        items += [
            _dot(PROPOSED_COLOUR, t("plan.legend.newly_covered", lang)),
            _dot(COVERED_COLOUR, t("plan.legend.covered", lang)),
            _dot(UNCOVERED_COLOUR, t("plan.legend.uncovered", lang)),
        ]
        diamond = (
            '<span class="hs-black hs-black-small"><i class="fa-solid fa-triangle-exclamation"></i></span>'
        )
        items.append(f"<div>{diamond}{html.escape(t('plan.legend.black_uncovered', lang))}</div>")
        title = html.escape(t("legend.title", lang))
        self.html = f"<details open><summary>{title}</summary>{''.join(items)}</details>"


def _reach(fmap: folium.Map, sites: gpd.GeoDataFrame, radius_m: float, *, colour: str, name: str) -> None:
    """Draw the merged reach of ``sites``, dashed, measured in metres."""
    if not len(sites) or radius_m <= 0:
        return
    discs = sites.geometry.to_crs(METRIC_CRS).buffer(radius_m, quad_segs=REACH_QUAD_SEGS).to_numpy()
    area = gpd.GeoDataFrame(geometry=[shapely.union_all(discs)], crs=METRIC_CRS)
    folium.GeoJson(
        display_geojson(area, [], tolerance_m=REACH_TOLERANCE_M),
        name=name,
        style_function=lambda _f: {
            "color": colour,
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": colour,
            "fillOpacity": 0.12,
        },
        interactive=False,
    ).add_to(fmap)


def _demand(fmap: folium.Map, demand: gpd.GeoDataFrame, *, lang: str) -> None:
    """Draw the risk points: covered already, newly covered, uncovered; the uncovered black spots apart."""
    frame = demand.copy()
    frame["tooltip"] = [
        html.escape(f"{pid} – {name}") for pid, name in zip(frame["point_id"], frame["name"], strict=True)
    ]
    before = frame["covered_before"].to_numpy(dtype=bool)
    after = frame["covered_after"].to_numpy(dtype=bool)
    black = (frame["risk_level"] == "black_spot").to_numpy()
    groups = (
        (before, COVERED_COLOUR, 3, "plan.map.covered"),
        (after & ~before, PROPOSED_COLOUR, 6, "plan.map.newly_covered"),
        (~after & ~black, UNCOVERED_COLOUR, 4, "plan.map.uncovered"),
    )
    for mask, colour, radius, key in groups:
        if not mask.any():
            continue
        folium.GeoJson(
            display_geojson(frame[mask], ["tooltip"]),
            name=t(key, lang, count=format_number(int(mask.sum()), lang)),
            marker=folium.CircleMarker(
                radius=radius, color="#ffffff", weight=1, fill_color=colour, fill_opacity=1
            ),
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        ).add_to(fmap)
    left = ~after & black
    if left.any():
        folium.GeoJson(
            display_geojson(frame[left], ["tooltip"]),
            name=t("plan.map.black_uncovered", lang, count=format_number(int(left.sum()), lang)),
            marker=folium.Marker(
                icon=folium.DivIcon(
                    html='<div class="hs-black"><i class="fa-solid fa-triangle-exclamation"></i></div>',
                    icon_size=(20, 20),
                    icon_anchor=(10, 10),
                )
            ),
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        ).add_to(fmap)


def _proposed(fmap: folium.Map, sites: gpd.GeoDataFrame, *, lang: str) -> None:
    """Draw the proposed sites, numbered by rank, with what each newly covers in its popup."""
    if not len(sites):
        return
    frame = sites.copy()
    frame["popup"] = [_site_popup(row, lang) for row in frame.to_dict("records")]
    frame["tooltip"] = [html.escape(t("plan.map.site", lang, rank=int(r))) for r in frame["rank"]]
    group = folium.FeatureGroup(name=t("plan.map.proposed", lang, count=len(frame))).add_to(fmap)
    for row, point in zip(frame.to_dict("records"), frame.geometry.to_crs(WGS84), strict=True):
        marker = folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    f'<div class="hs-fac" style="background:{PROPOSED_COLOUR};font-weight:bold">'
                    f"{int(row['rank'])}</div>"
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="hs-fac-wrap",
            ),
            tooltip=row["tooltip"],
        ).add_to(group)
        HtmlPopup(row["popup"], max_width=300).add_to(marker)


def _clicked(fmap: folium.Map, sites: list[tuple[float, float]], *, lang: str) -> None:
    """Draw the sites the planner added on the map (candidates, whether chosen or not)."""
    if not sites:
        return
    group = folium.FeatureGroup(name=t("plan.map.clicked", lang, count=len(sites))).add_to(fmap)
    for lon, lat in sites:
        folium.CircleMarker(
            [lat, lon], radius=7, color=CLICKED_COLOUR, weight=2, fill=False, interactive=False
        ).add_to(group)


def _site_popup(row: dict, lang: str) -> str:
    commune = row.get("commune_name")
    distance = row.get("nearest_venue_m")
    lines = [
        (t("plan.col.commune_name", lang), commune if isinstance(commune, str) else t("popup.unknown", lang)),
        (t("plan.col.new_risk_points", lang), format_number(int(row["new_risk_points"]), lang)),
        (t("plan.col.new_black_spots", lang), format_number(int(row["new_black_spots"]), lang)),
        (t("plan.col.new_children", lang), format_number(float(row["new_children"]), lang)),
        (
            t("plan.col.nearest_venue_m", lang),
            format_distance(float(distance) if distance is not None else np.nan, lang),
        ),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in lines)
    title = html.escape(t("plan.map.site", lang, rank=int(row["rank"])))
    return f'<div class="hs-popup"><div class="hs-title">{title}</div><table>{cells}</table></div>'


def _dot(colour: str, text: str) -> str:
    return _icon(f"background:{colour}", text)


def _icon(look: str, text: str) -> str:
    return f'<div><span class="hs-sw" style="{look};border-radius:50%"></span>{html.escape(text)}</div>'
