"""Analysis page: Gi* hot and cold spots, the density of risk points, black spots, the province summary."""

from datetime import datetime

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.analysis import (
    HotspotResult,
    commune_hotspots,
    hexagon_hotspots,
    in_service,
    risk_density,
    summary_text,
)
from hotspots.errors import HotspotsError
from hotspots.i18n import format_number, problem_message, t
from hotspots.maps import build_hotspot_map, local_base_url
from hotspots.reports import (
    LOCAL_TIMEZONE,
    PDF_MIME,
    prepare_sheets,
    province_summary_pdf,
    sheet_file_name,
)
from pages._common import DataSource, data_source, language, load_layers, radii, show_cached_map

SUPPORTS = ("hexagons", "communes")
# The library's defaults (hexagons of 1 km edge, a 2 km bandwidth), and the ranges offered.
DEFAULT_CELL_SIZE_M = 1_000
CELL_SIZE_RANGE_M = (500, 5_000)
CELL_SIZE_STEP_M = 250
DEFAULT_BANDWIDTH_M = 2_000
BANDWIDTH_RANGE_M = (500, 10_000)
BANDWIDTH_STEP_M = 250
MAP_HEIGHT_PX = 520
# Results kept: a few parameter choices of a few data revisions.
CACHED_RESULTS = 8
CACHED_MAPS = 8
QUIET_NOTES = ("hotspot.projected",)
CLUSTER_COLUMNS = ("number", "communes", "points", "black", "no_swim", "no_rescue")


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def hotspots_for(
    source: DataSource, support: str, cell_size_m: int, swim_radius_m: int, rescue_radius_m: int
) -> HotspotResult:
    """The hot-spot test of one data revision and parameter choice."""
    layers = load_layers(source).layers
    options = {
        # Planned and cancelled classes cover nobody yet.
        "swim_classes": in_service(layers["swim_classes"]),
        "rescue_trainings": in_service(layers["rescue_trainings"]),
        "swim_radius_m": swim_radius_m,
        "rescue_radius_m": rescue_radius_m,
    }
    if support == "communes":
        return commune_hotspots(layers["risk_points"], layers["communes"], **options)
    province = layers["province"]
    return hexagon_hotspots(
        layers["risk_points"],
        layers["communes"],
        land=province if len(province) else None,
        cell_size_m=cell_size_m,
        **options,
    )


@st.cache_data(show_spinner=False, max_entries=CACHED_RESULTS)
def heat_for(source: DataSource, bandwidth_m: int) -> list[list[float]]:
    """The density surface's heat-layer points for one data revision and bandwidth."""
    return risk_density(load_layers(source).layers["risk_points"], bandwidth_m=bandwidth_m).heat_points()


@st.cache_resource(show_spinner=False, max_entries=CACHED_MAPS)
def analysis_map(
    source: DataSource,
    support: str,
    cell_size_m: int,
    bandwidth_m: int,
    swim_radius_m: int,
    rescue_radius_m: int,
    *,
    lang: str,
    asset_base_url: str | None,
) -> folium.Map:
    """The map of one revision and parameter choice: built once, then reused."""
    layers = load_layers(source).layers
    try:
        units = hotspots_for(source, support, cell_size_m, swim_radius_m, rescue_radius_m).units
    except HotspotsError:
        units = gpd.GeoDataFrame(
            {"hotspot_class": [], "risk_points": [], "black_spots": [], "value": []},
            geometry=[],
            crs="EPSG:4326",
        )
    try:
        heat = heat_for(source, bandwidth_m)
    except HotspotsError:
        heat = []
    fmap = build_hotspot_map(
        units, layers, lang=lang, heat=heat, support=support, asset_base_url=asset_base_url
    )
    # Rendered once here; st_folium(render=False) then skips that step on every run.
    fmap.get_root().render()
    return fmap


def province_pdf(
    source: DataSource, result: HotspotResult | None, swim_radius_m: int, rescue_radius_m: int, lang: str
) -> bytes:
    """The province summary with the test shown on the page (made when someone asks for it)."""
    inputs = prepare_sheets(
        load_layers(source).layers,
        today=datetime.now(LOCAL_TIMEZONE).date(),
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
        hotspots=result,
    )
    return province_summary_pdf(inputs, lang=lang)


def cluster_table(result: HotspotResult, lang: str) -> pd.DataFrame:
    """One row per significant cluster, as the page shows it."""

    def count(value: int | None) -> str:
        return "—" if value is None else format_number(value, lang)

    return pd.DataFrame(
        [
            {
                "number": c.number,
                "communes": ", ".join(c.commune_names),
                "points": c.risk_points,
                "black": c.black_spots,
                "no_swim": count(c.risk_points_without_swim),
                "no_rescue": count(c.risk_points_without_rescue),
            }
            for c in result.summary.clusters
        ],
        columns=list(CLUSTER_COLUMNS),
    )


lang = language()
source = data_source()
layers = load_layers(source).layers
swim_radius_m, rescue_radius_m = radii()

sidebar = st.sidebar
sidebar.subheader(t("analysis.parameters", lang))
support = sidebar.segmented_control(
    t("analysis.support", lang),
    SUPPORTS,
    default=SUPPORTS[0],
    required=True,
    format_func=lambda s: t(f"analysis.support.{s}", lang),
    key="analysis_support",
)
sidebar.caption(t("analysis.support_help", lang))
cell_size_m = sidebar.slider(
    t("analysis.cell_size", lang),
    *CELL_SIZE_RANGE_M,
    value=DEFAULT_CELL_SIZE_M,
    step=CELL_SIZE_STEP_M,
    disabled=support != "hexagons",
    key="analysis_cell_size",
)
sidebar.caption(t("analysis.cell_size_help", lang))
bandwidth_m = sidebar.slider(
    t("analysis.bandwidth", lang),
    *BANDWIDTH_RANGE_M,
    value=DEFAULT_BANDWIDTH_M,
    step=BANDWIDTH_STEP_M,
    key="analysis_bandwidth",
)
sidebar.caption(t("analysis.bandwidth_help", lang))

st.title(t("analysis.title", lang))
st.caption(t("analysis.intro", lang))

result = None
try:
    with st.spinner(t("analysis.summary", lang)):
        result = hotspots_for(source, support, cell_size_m, swim_radius_m, rescue_radius_m)
except HotspotsError as error:
    st.warning(t("sheet.cluster_error", lang, error=problem_message(error, lang)), icon=":material/info:")

if result is not None:
    summary = result.summary
    st.subheader(t("analysis.summary", lang))
    st.info(summary_text(summary, lang))
    st.caption(
        t(
            "analysis.units",
            lang,
            units=format_number(summary.units, lang),
            tested=format_number(summary.tested, lang),
            hot=format_number(summary.hot, lang),
            cold=format_number(summary.cold, lang),
            alpha=format_number(summary.alpha, lang, decimals=2),
        )
    )
    # Stored layers are always in degrees and always projected to metres: only the other notes inform.
    for note in summary.notes:
        if note.code not in QUIET_NOTES:
            st.caption(problem_message(note, lang))

fmap = analysis_map(
    source,
    support,
    cell_size_m,
    bandwidth_m,
    swim_radius_m,
    rescue_radius_m,
    lang=lang,
    asset_base_url=local_base_url(),
)
show_cached_map(fmap, key="analysis_map", height=MAP_HEIGHT_PX)

with st.expander(t("analysis.how_to_read_heading", lang)):
    st.markdown(t("analysis.how_to_read", lang))

if result is not None and result.summary.clusters:
    st.subheader(t("analysis.clusters_heading", lang))
    st.dataframe(
        cluster_table(result, lang),
        hide_index=True,
        column_config={
            "number": st.column_config.NumberColumn(t("sheet.col.cluster", lang)),
            "communes": st.column_config.TextColumn(t("sheet.col.communes", lang)),
            "points": st.column_config.NumberColumn(t("sheet.col.points", lang)),
            "black": st.column_config.NumberColumn(t("sheet.col.black", lang)),
            "no_swim": st.column_config.TextColumn(t("sheet.col.no_swim", lang)),
            "no_rescue": st.column_config.TextColumn(t("sheet.col.no_rescue", lang)),
        },
        key="analysis_clusters",
    )

st.download_button(
    t("sheet.download_province", lang),
    # A callable: the PDF is only made when someone asks for it.
    lambda: province_pdf(source, result, swim_radius_m, rescue_radius_m, lang),
    file_name=sheet_file_name("province", lang),
    mime=PDF_MIME,
    key="download_province_pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
