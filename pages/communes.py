"""Communes page: priority table and chart, downloads, and a map zoomed to one commune."""

from datetime import date, datetime

import altair as alt
import folium
import pandas as pd
import streamlit as st

from hotspots.analysis import (
    DEFAULT_BLACK_SPOT_WEIGHT,
    DEFAULT_NO_PLAY_SPACE_BONUS,
    OVERDUE_COLUMN,
    commune_summary,
    default_statuses,
    overdue_inspections,
    pending_count,
    select_points,
)
from hotspots.config import BLACK_SPOT_INSPECTION_INTERVAL_MONTHS, INSPECTION_INTERVAL_MONTHS
from hotspots.formats import EXPORT_FORMATS
from hotspots.i18n import format_number, t
from hotspots.maps import NO_PLAY_STYLE, build_map, local_base_url
from hotspots.reports import (
    DISPLAY_COLUMNS,
    LOCAL_TIMEZONE,
    PDF_MIME,
    PERCENT_COLUMNS,
    SCORE_DECIMALS,
    TABLE_FORMATS,
    commune_sheets_pdf,
    commune_table,
    export_file_name,
    export_summary,
    play_space_flag,
    prepare_sheets,
    sheet_file_name,
)
from pages._common import DataSource, coverage_for, data_source, language, load_layers, radii, show_cached_map

CHART_TOP = 15
MAP_HEIGHT_PX = 480
# Maps kept built (about 8 MB each at 891 points): communes, radii and languages of every session.
CACHED_MAPS = 8
# Rankings kept: one per data revision and reach.
CACHED_RANKINGS = 8
# Bars of communes without a play space take the map's colour for them; the others a quiet blue.
NO_PLAY_SPACE_COLOUR = NO_PLAY_STYLE["stroke"]
PLAY_SPACE_COLOUR = "#4c78a8"
# Widths (px) of the first columns, so that rank, name, score and the key figures fit at 1,400 px.
COLUMN_WIDTHS = {"priority_rank": 60, "name": 170, "priority_score": 120, "play_space": 180}


@st.cache_data(show_spinner=False, max_entries=CACHED_RANKINGS)
def ranking(source: DataSource, swim_radius_m: int, rescue_radius_m: int, today: date) -> pd.DataFrame:
    """The communes ranked on the reviewed risk points: a report awaiting review moves no commune up.

    With the count of reviewed points whose inspection is overdue on ``today`` (``OVERDUE_COLUMN``).
    """
    reviewed = select_points(
        coverage_for(source, swim_radius_m, rescue_radius_m), statuses=default_statuses()
    )
    communes = load_layers(source).layers["communes"]
    summary = pd.DataFrame(commune_summary(communes, reviewed).drop(columns="geometry"))
    overdue = overdue_inspections(communes, reviewed, today=today)
    summary[OVERDUE_COLUMN] = overdue.reindex(summary["commune_id"]).fillna(0).to_numpy(dtype=int)
    return summary


@st.cache_resource(show_spinner=False, max_entries=CACHED_MAPS)
def commune_map(
    source: DataSource,
    swim_radius_m: int,
    rescue_radius_m: int,
    *,
    lang: str,
    focus_commune_id: str,
    asset_base_url: str | None,
) -> folium.Map:
    """The map of the reviewed points, zoomed to one commune: built once per revision, reach and language."""
    fmap = build_map(
        select_points(coverage_for(source, swim_radius_m, rescue_radius_m), statuses=default_statuses()),
        load_layers(source).layers,
        lang=lang,
        swim_radius_m=swim_radius_m,
        rescue_radius_m=rescue_radius_m,
        asset_base_url=asset_base_url,
        focus_commune_id=focus_commune_id,
    )
    # Rendered once here; st_folium(render=False) then skips that step on every run.
    fmap.get_root().render()
    return fmap


lang = language()
source = data_source()
swim_radius_m, rescue_radius_m = radii()
today = datetime.now(LOCAL_TIMEZONE).date()
summary = ranking(source, swim_radius_m, rescue_radius_m, today)
waiting = pending_count(coverage_for(source, swim_radius_m, rescue_radius_m))

st.title(t("communes.title", lang))
st.caption(t("communes.intro", lang))
st.caption(t("communes.reviewed_only", lang, count=format_number(waiting, lang)))
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

table = commune_table(summary, lang=lang)
column_config = {
    column: st.column_config.Column(t(f"col.{column}", lang), width=COLUMN_WIDTHS.get(column))
    for column in DISPLAY_COLUMNS
}
column_config[OVERDUE_COLUMN] = st.column_config.NumberColumn(
    t(f"col.{OVERDUE_COLUMN}", lang),
    help=t(
        "communes.overdue_help",
        lang,
        months=INSPECTION_INTERVAL_MONTHS,
        black_months=BLACK_SPOT_INSPECTION_INTERVAL_MONTHS,
    ),
    format="%d",
)
column_config.update(
    {
        column: st.column_config.NumberColumn(t(f"col.{column}", lang), format="%.1f")
        for column in PERCENT_COLUMNS
    }
)
column_config["priority_score"] = st.column_config.ProgressColumn(
    t("col.priority_score", lang),
    format=f"%.{SCORE_DECIMALS}f",
    min_value=0.0,
    max_value=float(max(table["priority_score"].max(), 1.0)),
    width=COLUMN_WIDTHS["priority_score"],
)
# Rank, name, score and the key figures first: the rest scrolls sideways, the priority never does.
st.dataframe(
    table,
    hide_index=True,
    column_order=[c for c in DISPLAY_COLUMNS if c in table.columns],
    column_config=column_config,
    key="commune_table",
)

top = table.head(CHART_TOP)
st.subheader(t("communes.chart", lang, count=len(top)))
no_play, has_play = play_space_flag(False, lang), t("col.has_play_space", lang)
chart_data = top[["name", "priority_score"]].assign(
    flag=[has_play if v else no_play for v in top["has_play_space"]]
)
st.altair_chart(
    alt.Chart(chart_data)
    .mark_bar()
    .encode(
        x=alt.X("priority_score:Q", title=t("col.priority_score", lang)),
        y=alt.Y("name:N", sort="-x", title=None),
        color=alt.Color(
            "flag:N",
            scale=alt.Scale(domain=[no_play, has_play], range=[NO_PLAY_SPACE_COLOUR, PLAY_SPACE_COLOUR]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("name:N", title=t("col.name", lang)),
            alt.Tooltip(
                "priority_score:Q", title=t("col.priority_score", lang), format=f".{SCORE_DECIMALS}f"
            ),
            alt.Tooltip("flag:N", title=t("col.play_space", lang)),
        ],
    ),
    key="commune_chart",
)

file_name = t("communes.file_name", lang)
downloads = st.container(horizontal=True)
for fmt in TABLE_FORMATS:
    downloads.download_button(
        t(f"communes.download_{fmt}", lang),
        # A callable: the file is only written when someone asks for it.
        lambda fmt=fmt: export_summary(
            summary, fmt=fmt, lang=lang, swim_radius_m=swim_radius_m, rescue_radius_m=rescue_radius_m
        ),
        file_name=export_file_name(file_name, fmt),
        mime=EXPORT_FORMATS[fmt][1],
        key=f"download_{fmt}",
        on_click="ignore",
    )

names = dict(zip(table["commune_id"], table["name"], strict=True))
commune_id = st.selectbox(
    t("communes.pick", lang),
    list(names),
    format_func=names.get,
    placeholder=t("choose", lang),
    key="focus_commune",
)
sheet_layers = load_layers(source).layers
sheets = st.container(horizontal=True)
for kind, ids in (("commune", [commune_id]), ("all", None)):
    sheets.download_button(
        t(f"sheet.download_{kind}", lang),
        # A callable: the action sheets are only printed when someone asks for them.
        lambda ids=ids: commune_sheets_pdf(
            prepare_sheets(
                sheet_layers,
                today=today,
                swim_radius_m=swim_radius_m,
                rescue_radius_m=rescue_radius_m,
            ),
            ids,
            lang=lang,
        ),
        file_name=sheet_file_name(kind, lang, commune_id=commune_id),
        mime=PDF_MIME,
        key=f"download_sheet_{kind}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
fmap = commune_map(
    source,
    swim_radius_m,
    rescue_radius_m,
    lang=lang,
    focus_commune_id=commune_id,
    asset_base_url=local_base_url(),
)
show_cached_map(fmap, key="commune_map", height=MAP_HEIGHT_PX)
