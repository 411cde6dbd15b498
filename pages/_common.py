"""What every page shares: the one cached data loader, cached analyses and the sidebar shell.

Streamlit caches live here so that ``hotspots/`` never imports Streamlit. All
layers come through :func:`load_layers`: switching the app to another source
(the store) is a change to that one function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.communes import commune_summary
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, GEODATA_DIR, WGS84
from hotspots.coverage import coverage_table
from hotspots.errors import HotspotsError
from hotspots.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, format_date, format_number, t
from hotspots.io import load_geodata_layer
from hotspots.schema import LAYERS

#: Overrides the data folder (tests point the app at small hand-made layers).
DATA_DIR_VARIABLE = "HOTSPOTS_GEODATA_DIR"
RADIUS_RANGE_M = (0, 10_000)
RADIUS_STEP_M = 250


@dataclass(frozen=True)
class LoadedData:
    """Every layer by schema name, and where it came from."""

    layers: dict[str, gpd.GeoDataFrame]
    is_sample: bool
    data_date: date | None


def data_directory() -> str:
    """The folder the layers are read from (a string, so it can key the caches)."""
    return os.environ.get(DATA_DIR_VARIABLE) or str(GEODATA_DIR)


@st.cache_data(show_spinner=False)
def load_layers(directory: str) -> LoadedData:
    """Read every layer once per process. A layer without a file is empty; a broken file raises."""
    folder = Path(directory)
    layers = {name: _read_layer(name, folder) for name in LAYERS}
    illustrative = any(
        "illustrative" in frame.columns and frame["illustrative"].fillna(False).astype(bool).any()
        for frame in layers.values()
    )
    is_sample = folder.resolve() == GEODATA_DIR.resolve() or illustrative
    return LoadedData(layers=layers, is_sample=is_sample, data_date=_latest_date(layers["risk_points"]))


@st.cache_data(show_spinner=False)
def coverage_for(directory: str, swim_radius_m: float, rescue_radius_m: float) -> gpd.GeoDataFrame:
    """Coverage table of the risk points for the chosen reach."""
    layers = load_layers(directory).layers
    return coverage_table(
        layers["risk_points"],
        layers["swim_classes"],
        layers["rescue_trainings"],
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
    )


@st.cache_data(show_spinner=False)
def summary_for(directory: str, swim_radius_m: float, rescue_radius_m: float) -> gpd.GeoDataFrame:
    """Per-commune summary and priority ranking for the chosen reach."""
    layers = load_layers(directory).layers
    return commune_summary(layers["communes"], coverage_for(directory, swim_radius_m, rescue_radius_m))


def language() -> str:
    """The session's language (the switch lives in the sidebar)."""
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def radii() -> tuple[int, int]:
    """The session's swimming-class and rescue-training reach, in metres."""
    return (
        int(st.session_state.get("swim_radius_m", DEFAULT_SWIM_RADIUS_M)),
        int(st.session_state.get("rescue_radius_m", DEFAULT_RESCUE_RADIUS_M)),
    )


def render_sidebar_shell() -> LoadedData | None:
    """Language switch, data date, sample badge and reach sliders; ``None`` when the data cannot be read."""
    sidebar = st.sidebar
    sidebar.segmented_control(
        t("app.language", language()),
        LANGUAGES,
        default=DEFAULT_LANGUAGE,
        required=True,
        format_func=LANGUAGE_NAMES.get,
        key="lang",
    )
    lang = language()
    try:
        data = load_layers(data_directory())
    except HotspotsError as error:
        st.error(t("app.load_error", lang, error=error))
        return None
    if data.is_sample:
        sidebar.badge(
            t("app.sample_badge", lang),
            icon=":material/science:",
            color="orange",
            help=t("app.sample_help", lang),
        )
    if data.data_date is None:
        sidebar.caption(t("app.data_date_unknown", lang))
    else:
        sidebar.caption(t("app.data_date", lang, date=format_date(data.data_date, lang)))
    sidebar.caption(t("app.points_loaded", lang, count=format_number(len(data.layers["risk_points"]), lang)))
    sidebar.subheader(t("app.reach", lang))
    for key, default, text in (
        ("swim_radius_m", DEFAULT_SWIM_RADIUS_M, "app.swim_radius"),
        ("rescue_radius_m", DEFAULT_RESCUE_RADIUS_M, "app.rescue_radius"),
    ):
        sidebar.slider(
            t(text, lang),
            *RADIUS_RANGE_M,
            value=default,
            step=RADIUS_STEP_M,
            key=key,
            help=t("app.radius_help", lang),
        )
    return data


def _read_layer(name: str, folder: Path) -> gpd.GeoDataFrame:
    # Only the risk points are required: a province without, say, mapped water still gets its map.
    if name != "risk_points" and not (folder / f"{name}.geojson").is_file():
        return gpd.GeoDataFrame({field: [] for field in LAYERS[name].field_names}, geometry=[], crs=WGS84)
    return load_geodata_layer(name, directory=folder)


def _latest_date(points: gpd.GeoDataFrame) -> date | None:
    if "last_inspected" not in points.columns or not len(points):
        return None
    latest = pd.to_datetime(points["last_inspected"], errors="coerce").max()
    return None if pd.isna(latest) else latest.date()
