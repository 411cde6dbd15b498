"""Map page (home): filters, coverage metrics and the map of risk points."""

import folium
import pandas as pd
import streamlit as st

from hotspots.analysis import (
    POINT_FILTERS,
    communes_without_play_space,
    coverage_summary,
    filter_defaults,
    filter_options,
    pending_count,
    select_communes,
    select_points,
)
from hotspots.config import PROVINCE_NAME
from hotspots.errors import HotspotsError
from hotspots.formats import EXPORT_FORMATS, thumbnail_data_uri
from hotspots.i18n import format_number, format_share, label, t
from hotspots.maps import BASEMAPS, MAX_POPUP_PHOTOS, build_map, filter_payload, local_base_url
from hotspots.reports import export_file_name, export_points
from pages._common import (
    DataSource,
    data_source,
    language,
    radii,
    shared_coverage,
    shared_layers,
    show_cached_map,
    store,
)
from pages._map_filter import send_map_filter

# Wide enough for the longest share label ("Covered by swimming classes") in either language.
SHARE_LABEL_WIDTH_PX = 200

MAP_HEIGHT_PX = 620
EXPORT_LABELS = {"geojson": "GeoJSON", "csv": "CSV", "xlsx": "Excel", "kml": "KML", "gpkg": "GeoPackage"}
# Maps kept built (about 8 MB each at 891 points): filter, radius and language choices of every session.
CACHED_MAPS = 8
Filters = tuple[tuple[str, tuple[str, ...]], ...]
# Longest side of a popup thumbnail; a photo's thumbnail never changes (photos are named by their hash).
THUMBNAIL_PX = 240
CACHED_THUMBNAILS = 3_000


@st.cache_data(show_spinner=False, max_entries=CACHED_THUMBNAILS)
def thumbnail(sha256: str) -> str:
    """The popup thumbnail of one stored photo (an error is not cached: a restored file shows next time)."""
    return thumbnail_data_uri(store().photo_bytes(sha256), THUMBNAIL_PX)


@st.cache_data(show_spinner=False, max_entries=4)
def photo_thumbnails(source: DataSource) -> dict[str, list[str]]:
    """Thumbnails of the first photos of every point that has any, at one data revision.

    A photo whose file is missing or unreadable is left out: it must not keep the map from showing.
    """
    shown: dict[str, list[str]] = {}
    for point_id, hashes in store().photo_index().items():
        for sha256 in hashes[:MAX_POPUP_PHOTOS]:
            try:
                shown.setdefault(point_id, []).append(thumbnail(sha256))
            except HotspotsError:
                continue
    return {point_id: uris for point_id, uris in shown.items() if uris}


@st.cache_resource(show_spinner=False, max_entries=CACHED_MAPS)
def risk_map(
    source: DataSource,
    swim_radius_m: int,
    rescue_radius_m: int,
    *,
    lang: str,
    basemap: str,
    heatmap: bool,
    asset_base_url: str | None,
) -> folium.Map:
    """The map of every point for one data revision, reach and display: built once, then reused.

    Filters never rebuild it: :func:`map_filter` sends which points to show to the map already
    drawn. Keyed on hashable inputs only, so a rerun that changes none of them reuses the map.
    """
    fmap = build_map(
        shared_coverage(source, swim_radius_m, rescue_radius_m),
        shared_layers(source).layers,
        lang=lang,
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
        basemap=basemap,
        heatmap=heatmap,
        asset_base_url=asset_base_url,
        photos=photo_thumbnails(source),
    )
    # Rendered once here; st_folium(render=False) then skips that step on every run.
    fmap.get_root().render()
    return fmap


@st.cache_data(show_spinner=False, max_entries=CACHED_MAPS * 4)
def map_filter(
    source: DataSource,
    swim_radius_m: int,
    rescue_radius_m: int,
    filters: Filters,
    focus_commune_id: str | None,
) -> dict:
    """Which points (and commune) :func:`risk_map` shows for ``filters``: sent to the map drawn."""
    table = shared_coverage(source, swim_radius_m, rescue_radius_m)
    shown = table.index.isin(select_points(table, **dict(filters)).index)
    return filter_payload(table, shown, shared_layers(source).layers, focus_commune_id=focus_commune_id)


lang = language()
source = data_source()
# Shared, not copied on every rerun: this page and the map library only read them (filters make new frames).
layers = shared_layers(source).layers
swim_radius_m, rescue_radius_m = radii()
table = shared_coverage(source, swim_radius_m, rescue_radius_m)
communes = layers["communes"]
province_names = layers["province"]["name"].tolist()

st.title(t("map.title", lang, province=province_names[0] if province_names else PROVINCE_NAME))

sidebar = st.sidebar
sidebar.subheader(t("map.filters", lang))
commune_names = dict(zip(communes["commune_id"], communes["name"], strict=False))
chosen_communes = sidebar.multiselect(
    t("map.filter_commune", lang),
    sorted(commune_names, key=lambda c: str(commune_names[c])),
    format_func=commune_names.get,
    placeholder=t("map.filter_all", lang),
    key="filter_communes",
)
filters = {"commune_ids": tuple(chosen_communes)}
for field, keyword in POINT_FILTERS:
    options = filter_options(field, lang)
    filters[keyword] = tuple(
        sidebar.multiselect(
            t(f"map.filter_{field}", lang),
            list(options),
            default=list(filter_defaults(field)),
            format_func=options.get,
            placeholder=t("map.filter_all", lang),
            key=f"filter_{field}",
        )
    )
sidebar.subheader(t("map.display", lang))
basemap = sidebar.selectbox(
    t("map.basemap", lang),
    BASEMAPS,
    format_func=lambda value: label("basemap", value, lang),
    placeholder=t("choose", lang),
    key="basemap",
)
heatmap = sidebar.toggle(t("map.heatmap", lang), key="heatmap")

shown = select_points(table, **filters)
summary = coverage_summary(shown)

kinds = ("swim", "rescue", "both", "neither")
shares = pd.DataFrame(
    {
        t(heading, lang): [format_share(counts.share(kind), lang) for kind in kinds]
        for heading, counts in (
            ("map.points_heading", summary.points),
            ("map.black_spots_heading", summary.black_spots),
        )
    },
    index=[t(f"metric.{kind}", lang) for kind in kinds],
)
# A wrapping row rather than columns: on a phone the numbers sit side by side instead of stacking.
with st.container(horizontal=True, gap="large", vertical_alignment="center"):
    st.metric(t("metric.points_shown", lang), format_number(summary.points.total, lang), width="content")
    st.metric(t("metric.black_spots", lang), format_number(summary.black_spots.total, lang), width="content")
    st.metric(
        t("metric.pending", lang),
        format_number(pending_count(table, **filters), lang),
        help=t("metric.pending_help", lang),
        width="content",
    )
    st.metric(
        t("metric.no_play_space", lang),
        format_number(communes_without_play_space(select_communes(communes, chosen_communes)), lang),
        width="content",
    )
    st.dataframe(
        shares,
        key="coverage_shares",
        width="content",
        column_config={"_index": st.column_config.TextColumn(width=SHARE_LABEL_WIDTH_PX)},
    )

if not len(shown):
    st.info(t("map.no_points", lang))
asset_base_url = local_base_url()
if asset_base_url is None:
    st.warning(t("map.cdn_warning", lang))
fmap = risk_map(
    source,
    swim_radius_m,
    rescue_radius_m,
    lang=lang,
    basemap=basemap,
    heatmap=heatmap,
    asset_base_url=asset_base_url,
)
focus_commune_id = chosen_communes[0] if len(chosen_communes) == 1 else None
shown_filter = map_filter(source, swim_radius_m, rescue_radius_m, tuple(filters.items()), focus_commune_id)
# The page reacts to no map event: an empty returned_objects keeps pans and clicks from rerunning it.
show_cached_map(fmap, key="risk_map", height=MAP_HEIGHT_PX)
send_map_filter(fmap, shown_filter, key="risk_map_filter", map_key="risk_map")

st.subheader(t("map.download_heading", lang))
file_stem = t("map.file_name", lang)
with st.container(horizontal=True):
    for fmt, (_, mime) in EXPORT_FORMATS.items():
        st.download_button(
            t("map.download", lang, format=EXPORT_LABELS[fmt]),
            # A callable: the file is only encoded when someone asks for it.
            lambda fmt=fmt: export_points(shown, fmt=fmt, lang=lang),
            file_name=export_file_name(file_stem, fmt),
            mime=mime,
            help=t("map.download_help", lang),
            key=f"download_{fmt}",
            on_click="ignore",
        )
