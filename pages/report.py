"""Report page (field staff): place a new risk point by map click or coordinates; import a file.

The logged-in user is who reports (recorded in the history and as the point's source);
only an officer may import a file as approved data.
"""

import streamlit as st
from streamlit_folium import st_folium

from hotspots.analysis import (
    NOT_UTF8,
    PREVIEW_COLUMNS,
    REJECTED_ROW_COLUMNS,
    file_errors,
    file_warnings,
    legacy_encoding,
    preview_rows,
    rejected_rows,
)
from hotspots.config import MAX_FILE_BYTES
from hotspots.errors import HotspotsError
from hotspots.formats import parse_lat_lon
from hotspots.i18n import ENUMERATIONS, format_number, label, problem_text, t
from hotspots.maps.assets import local_base_url
from hotspots.maps.report_map import build_report_map, chosen_place
from pages._common import (
    acting_user,
    coverage_for,
    data_source,
    import_upload,
    language,
    load_layers,
    preview_upload,
    radii,
    show_problems,
    store,
)

MAP_HEIGHT_PX = 420
COORDINATE_DECIMALS = 6
UPLOAD_LIMIT_MB = MAX_FILE_BYTES // 2**20
# After a save every field of the point goes back to its default, so nothing of one place
# slips into the next report; who reports is the logged-in user.
POINT_DEFAULTS = {
    "report_lat": "",
    "report_lon": "",
    "report_name": "",
    "report_water_type": None,
    "report_risk_level": None,
    "report_hazards": [],
    "report_notes": "",
}
CLEAR_KEY = "report_clear"
# The last saved point's id: shown under the submit button until the next submit.
SAVED_KEY = "report_saved_id"
IMPORT_KEY = "import_outcome"
# A toast is shown once, on the run after the save or import (st.rerun would drop it).
SAVED_TOAST_KEY = "report_toast"
IMPORT_TOAST_KEY = "import_toast"
OK_ICON = ":material/check_circle:"


def forget_import() -> None:
    """A new file was chosen (or the file removed): the last import's outcome no longer applies."""
    st.session_state.pop(IMPORT_KEY, None)


def coordinate_text(value: float) -> str:
    """A coordinate as shown in captions: up to six decimals, no trailing zeros."""
    return f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


def typed_place(latitude: str, longitude: str) -> tuple[tuple[float, float] | None, str]:
    """Read the typed coordinates: the place (``None`` if there is none yet) and the caption saying so.

    A latitude beyond ±90 is never shown as a place: when swapping the two numbers gives a
    real place, the caption says they look swapped; otherwise that no such place exists.
    """
    if not str(latitude).strip() and not str(longitude).strip():
        return None, t("report.no_place", lang)
    try:
        lat, lon = parse_lat_lon(latitude, longitude)
    except HotspotsError:
        return None, t("report.place_unreadable", lang)
    shown = {"lat": coordinate_text(lat), "lon": coordinate_text(lon)}
    if abs(lat) <= 90 and abs(lon) <= 180:
        return (lat, lon), t("report.place", lang, **shown)
    if abs(lon) <= 90 and abs(lat) <= 180:
        return None, t("report.place_swapped", lang, **shown)
    return None, t("report.place_impossible", lang, **shown)


lang = language()
user = acting_user("report")
state = st.session_state
# A widget's value can only be reset before it is drawn: the saved report asked for it last run.
if state.pop(CLEAR_KEY, False):
    state.update(POINT_DEFAULTS)
source = data_source()
layers = load_layers(source).layers

st.title(t("report.title", lang))
st.markdown(t("report.intro", lang))
# Who reports: the logged-in user, for a single point and for a file import alike.
st.caption(t("report.signed_as", lang, name=user.display_name))

chosen, place_caption = typed_place(state.get("report_lat", ""), state.get("report_lon", ""))
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
if last and last != state.get("report_last_click"):
    state["report_last_click"] = last
    state["report_lat"] = f"{last['lat']:.{COORDINATE_DECIMALS}f}"
    state["report_lon"] = f"{last['lng']:.{COORDINATE_DECIMALS}f}"
    st.rerun()

# No st.form: typed coordinates move the marker at once, and every value lives in
# session_state, so a refused report keeps what was typed.
with st.container(border=True):
    st.subheader(t("report.location", lang))
    with st.container(horizontal=True):
        st.text_input(t("report.latitude", lang), key="report_lat", help=t("report.coordinates_help", lang))
        st.text_input(t("report.longitude", lang), key="report_lon", help=t("report.coordinates_help", lang))
    st.caption(place_caption)
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
    # Right under the button, where a phone user's eyes are after tapping it.
    outcome = st.container(key="report_outcome")

if submitted:
    state.pop(SAVED_KEY, None)
    try:
        lat, lon = parse_lat_lon(state["report_lat"], state["report_lon"])
        properties = {
            "name": state["report_name"],
            "water_type": state["report_water_type"],
            "risk_level": state["report_risk_level"],
            "hazards": state["report_hazards"],
            "notes": state["report_notes"],
            "source": user.display_name,
        }
        # The store refuses what the user's roles or communes do not allow.
        point_id = store().add_risk_point(properties, lon=lon, lat=lat, user=user)
    except HotspotsError as error:
        with outcome:
            show_problems(t("report.invalid", lang), error)
    else:
        state.update({SAVED_KEY: point_id, CLEAR_KEY: True, SAVED_TOAST_KEY: True})
        st.rerun()
saved_id = state.get(SAVED_KEY)
if saved_id is not None:
    saved_text = t("report.added", lang, point_id=saved_id)
    outcome.success(saved_text, icon=OK_ICON)
    if state.pop(SAVED_TOAST_KEY, False):
        st.toast(saved_text, icon=OK_ICON)

st.divider()
st.subheader(t("report.import_heading", lang))
limit = format_number(UPLOAD_LIMIT_MB, lang)
upload = st.file_uploader(
    t("report.import_file", lang, limit=limit),
    key="import_file",
    help=t("report.import_help", lang, limit=limit),
    max_upload_size=UPLOAD_LIMIT_MB,
    on_change=forget_import,
)
if upload is None:
    st.stop()
data = upload.getvalue()
try:
    report = preview_upload(source, upload.name, data)
except HotspotsError as error:
    show_problems(t("report.import_failed", lang), error)
    st.stop()

encoding = legacy_encoding(report)
if encoding is not None:
    st.warning(t("report.encoding", lang, encoding=encoding), icon=":material/translate:")
notes = [p for p in file_warnings(report) if p.code != NOT_UTF8]
if notes:
    st.warning("\n".join([t("report.file_warnings", lang), *(f"- {problem_text(p, lang)}" for p in notes)]))
st.info(
    t(
        "report.preview",
        lang,
        valid=format_number(len(report.valid), lang),
        rejected=format_number(len(report.rejected), lang),
    )
)
errors = file_errors(report)
if errors:
    st.error("\n".join([t("report.file_problems", lang), *(f"- {problem_text(p, lang)}" for p in errors)]))
if len(report.valid):
    st.caption(t("report.valid_rows", lang))
    st.dataframe(
        preview_rows(report.valid, layers["communes"], lang).rename(
            columns={c: t(f"report.col.{c}", lang) for c in PREVIEW_COLUMNS}
        ),
        hide_index=True,
        key="valid_rows",
    )
if len(report.rejected):
    st.caption(t("report.rejected_rows", lang))
    st.dataframe(
        rejected_rows(report, lang).rename(
            columns={c: t(f"report.col.{c}", lang) for c in REJECTED_ROW_COLUMNS}
        ),
        hide_index=True,
        key="rejected_rows",
    )
skip_invalid = st.checkbox(t("report.skip_invalid", lang), key="import_skip_invalid")
approved = user.may("import_approved", anywhere=True) and st.checkbox(
    t("report.import_approved", lang), key="import_approved", help=t("report.import_approved_help", lang)
)
blocked = len(report.rejected) > 0 and not skip_invalid
if blocked:
    st.warning(t("report.import_blocked", lang))
if st.button(t("report.import", lang), key="import_commit", disabled=blocked or bool(errors)):
    forget_import()
    try:
        result = import_upload(
            upload.name,
            data,
            user=user,
            skip_invalid=skip_invalid,
            approved=approved,
        )
    except HotspotsError as error:
        show_problems(t("report.import_failed", lang), error)
    else:
        state.update({IMPORT_KEY: result, IMPORT_TOAST_KEY: True})
        st.rerun()
imported = state.get(IMPORT_KEY)
if imported is not None:
    imported_text = t(
        "report.imported",
        lang,
        added=format_number(imported.added, lang),
        skipped=format_number(imported.skipped_existing, lang),
        rejected=format_number(imported.rejected, lang),
    )
    st.success(imported_text, icon=OK_ICON)
    if imported.pending_review:
        st.caption(t("report.imported_pending", lang, count=format_number(imported.pending_review, lang)))
    if state.pop(IMPORT_TOAST_KEY, False):
        st.toast(imported_text, icon=OK_ICON)
    if imported.rejected_csv is not None:
        st.download_button(
            t("report.download_rejected", lang),
            imported.rejected_csv,
            file_name="rejected.csv",
            mime="text/csv",
            key="download_rejected",
        )
