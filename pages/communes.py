"""Communes page: priority table and chart, downloads, and a map zoomed to one commune."""

import streamlit as st
from streamlit_folium import st_folium

from hotspots.analysis import (
    DEFAULT_BLACK_SPOT_WEIGHT,
    DEFAULT_NO_PLAY_SPACE_BONUS,
    SUMMARY_COLUMNS,
    export_summary,
)
from hotspots.formats import EXPORT_FORMATS
from hotspots.i18n import format_number, t
from hotspots.maps import build_map
from hotspots.maps.assets import local_base_url
from pages._common import coverage_for, data_source, language, load_layers, radii, summary_for

CHART_TOP = 15
MAP_HEIGHT_PX = 480
SHARE_COLUMNS = ("covered_swim_share", "covered_rescue_share", "covered_either_share")

lang = language()
source = data_source()
layers = load_layers(source).layers
swim_radius_m, rescue_radius_m = radii()
summary = summary_for(source, swim_radius_m, rescue_radius_m)

st.title(t("communes.title", lang))
st.caption(t("communes.intro", lang))
with st.expander(t("communes.formula_heading", lang)):
    st.markdown(
        t(
            "communes.formula",
            lang,
            weight=format_number(DEFAULT_BLACK_SPOT_WEIGHT, lang),
            bonus=format_number(DEFAULT_NO_PLAY_SPACE_BONUS, lang, decimals=2),
        )
    )
if not len(summary):
    st.info(t("communes.empty", lang))
    st.stop()

table = summary[list(SUMMARY_COLUMNS)].copy()
for column in SHARE_COLUMNS:
    table[column] = table[column] * 100
column_config = {column: st.column_config.Column(t(f"col.{column}", lang)) for column in SUMMARY_COLUMNS}
column_config.update(
    {
        column: st.column_config.NumberColumn(t(f"col.{column}", lang), format="%.0f")
        for column in SHARE_COLUMNS
    }
)
column_config["priority_score"] = st.column_config.ProgressColumn(
    t("col.priority_score", lang),
    format="%.2f",
    min_value=0.0,
    max_value=float(max(table["priority_score"].max(), 1.0)),
)
st.dataframe(table, hide_index=True, column_config=column_config, key="commune_table")

name_label, score_label = t("col.name", lang), t("col.priority_score", lang)
top = summary.head(CHART_TOP)
st.subheader(t("communes.chart", lang, count=len(top)))
st.bar_chart(
    top[["name", "priority_score"]].rename(columns={"name": name_label, "priority_score": score_label}),
    x=name_label,
    y=score_label,
    horizontal=True,
    sort=f"-{score_label}",
)

file_name = t("communes.file_name", lang)
downloads = st.container(horizontal=True)
for fmt in ("csv", "xlsx"):
    extension, mime = EXPORT_FORMATS[fmt]
    downloads.download_button(
        t(f"communes.download_{fmt}", lang),
        export_summary(summary, fmt=fmt, lang=lang),
        file_name=f"{file_name}{extension}",
        mime=mime,
        key=f"download_{fmt}",
    )

names = dict(zip(summary["commune_id"], summary["name"], strict=True))
commune_id = st.selectbox(t("communes.pick", lang), list(names), format_func=names.get, key="focus_commune")
fmap = build_map(
    coverage_for(source, swim_radius_m, rescue_radius_m),
    layers,
    lang=lang,
    swim_radius_m=swim_radius_m,
    rescue_radius_m=rescue_radius_m,
    asset_base_url=local_base_url(),
    focus_commune_id=commune_id,
)
st_folium(fmap, key="commune_map", height=MAP_HEIGHT_PX, use_container_width=True, returned_objects=[])
