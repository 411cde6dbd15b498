"""Report page (field staff): place a new risk point by map click or coordinates; import a file."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from hotspots.errors import HotspotsError
from hotspots.formats import parse_lat_lon
from hotspots.i18n import ENUMERATIONS, format_number, label, problem_text, rejection_reasons, t
from hotspots.maps.assets import local_base_url
from hotspots.maps.report_map import build_report_map, chosen_place
from pages._common import (
    coverage_for,
    data_source,
    import_upload,
    language,
    load_layers,
    preview_upload,
    radii,
    save_and_rerun,
    show_notice,
    show_problems,
    store,
)

MAP_HEIGHT_PX = 420
COORDINATE_DECIMALS = 6
# Cleared after a point is saved, so the next report starts blank; who reports and the
# kind of water usually stay the same for a field visit, so those are kept.
CLEARED_AFTER_SAVE = {
    "report_name": "",
    "report_lat": "",
    "report_lon": "",
    "report_hazards": [],
    "report_notes": "",
}
IMPORT_KEY = "import_outcome"
CLEAR_KEY = "report_saved"

lang = language()
# A widget's value can only be reset before it is drawn: the saved report asked for it last run.
if st.session_state.pop(CLEAR_KEY, False):
    st.session_state.update(CLEARED_AFTER_SAVE)
source = data_source()
layers = load_layers(source).layers

st.title(t("report.title", lang))
show_notice()
st.markdown(t("report.intro", lang))
# Who reports: asked once, for a single point and for a file import alike.
st.text_input(t("report.reporter", lang), key="report_reporter", help=t("report.reporter_help", lang))

typed_lat, typed_lon = st.session_state.get("report_lat", ""), st.session_state.get("report_lon", "")
try:
    chosen = parse_lat_lon(typed_lat, typed_lon)
except HotspotsError:
    chosen = None

fmap = build_report_map(coverage_for(source, *radii()), layers, lang=lang, asset_base_url=local_base_url())
clicked = st_folium(
    fmap,
    key="report_map",
    height=MAP_HEIGHT_PX,
    use_container_width=True,
    returned_objects=["last_clicked"],
    feature_group_to_add=chosen_place(chosen, lang=lang),
)
st.caption(t("report.map_help", lang))
last = (clicked or {}).get("last_clicked")
# Each click is taken once: later reruns return the same click and must not undo typing.
if last and last != st.session_state.get("report_last_click"):
    st.session_state["report_last_click"] = last
    st.session_state["report_lat"] = f"{last['lat']:.{COORDINATE_DECIMALS}f}"
    st.session_state["report_lon"] = f"{last['lng']:.{COORDINATE_DECIMALS}f}"
    st.rerun()

# No st.form: typed coordinates move the marker at once, and every value lives in
# session_state, so a refused report keeps what was typed.
with st.container(border=True):
    st.subheader(t("report.location", lang))
    with st.container(horizontal=True):
        st.text_input(t("report.latitude", lang), key="report_lat", help=t("report.coordinates_help", lang))
        st.text_input(t("report.longitude", lang), key="report_lon", help=t("report.coordinates_help", lang))
    if chosen is None:
        st.caption(t("report.no_place", lang))
    else:
        st.caption(t("report.place", lang, lat=f"{chosen[0]:.6f}", lon=f"{chosen[1]:.6f}"))
    st.subheader(t("report.details", lang))
    st.text_input(t("report.name", lang), key="report_name", help=t("report.name_help", lang))
    with st.container(horizontal=True):
        for field in ("water_type", "risk_level"):
            st.selectbox(
                t(f"report.{field}", lang),
                ENUMERATIONS[field],
                index=None,
                format_func=lambda value, field=field: label(field, value, lang),
                placeholder=t("report.choose", lang),
                key=f"report_{field}",
            )
    st.multiselect(
        t("report.hazards", lang),
        ENUMERATIONS["hazard"],
        format_func=lambda value: label("hazard", value, lang),
        placeholder=t("report.choose", lang),
        key="report_hazards",
    )
    st.text_area(t("report.notes", lang), key="report_notes")
    submitted = st.button(t("report.submit", lang), type="primary", key="report_submit")

if submitted:
    state = st.session_state
    try:
        if not state.get("report_reporter", "").strip():
            raise HotspotsError(t("report.missing_reporter", lang))
        lat, lon = parse_lat_lon(state["report_lat"], state["report_lon"])
        properties = {
            "name": state["report_name"],
            "water_type": state["report_water_type"],
            "risk_level": state["report_risk_level"],
            "hazards": state["report_hazards"],
            "notes": state["report_notes"],
            "source": state["report_reporter"],
        }
        point_id = store().add_risk_point(properties, lon=lon, lat=lat, user=state["report_reporter"])
    except HotspotsError as error:
        show_problems(t("report.invalid", lang), error)
    else:
        state[CLEAR_KEY] = True
        save_and_rerun(t("report.added", lang, point_id=point_id))

st.divider()
st.subheader(t("report.import_heading", lang))
upload = st.file_uploader(
    t("report.import_file", lang), key="import_file", help=t("report.import_help", lang)
)
outcome = st.session_state.get(IMPORT_KEY)
if outcome is not None:
    st.success(
        t(
            "report.imported",
            lang,
            added=format_number(outcome.added, lang),
            skipped=format_number(outcome.skipped_existing, lang),
            rejected=format_number(outcome.rejected, lang),
        )
    )
    if outcome.rejected_csv is not None:
        st.download_button(
            t("report.download_rejected", lang),
            outcome.rejected_csv,
            file_name="rejected.csv",
            mime="text/csv",
            key="download_rejected",
        )
if upload is not None:
    data = upload.getvalue()
    try:
        report = preview_upload(source, upload.name, data)
    except HotspotsError as error:
        show_problems(t("report.import_failed", lang), error)
        st.stop()
    file_errors = [p for p in report.errors if p.index is None]
    st.info(
        t(
            "report.preview",
            lang,
            valid=format_number(len(report.valid), lang),
            rejected=format_number(len(report.rejected), lang),
        )
    )
    if file_errors:
        st.error(
            "\n".join([t("report.file_problems", lang), *(f"- {problem_text(p, lang)}" for p in file_errors)])
        )
    if len(report.rejected):
        st.caption(t("report.rejected_rows", lang))
        rejected = pd.DataFrame(report.rejected).drop(columns=["properties"], errors="ignore")
        rejected["reasons"] = [rejection_reasons(report.problems, i, lang) for i in rejected["source_index"]]
        st.dataframe(
            rejected,
            hide_index=True,
            key="rejected_rows",
        )
    skip_invalid = st.checkbox(t("report.skip_invalid", lang), key="import_skip_invalid")
    blocked = len(report.rejected) > 0 and not skip_invalid
    if blocked:
        st.warning(t("report.import_blocked", lang))
    user = st.session_state.get("report_reporter", "")
    if st.button(t("report.import", lang), key="import_commit", disabled=blocked or bool(file_errors)):
        try:
            if not user.strip():
                raise HotspotsError(t("report.missing_reporter", lang))
            result = import_upload(upload.name, data, user=user, skip_invalid=skip_invalid)
        except HotspotsError as error:
            show_problems(t("report.import_failed", lang), error)
        else:
            st.session_state[IMPORT_KEY] = result
            st.rerun()
