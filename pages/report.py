"""Report page (field staff): place a new risk point by map tap, phone GPS or coordinates; import a file.

The logged-in user is who reports (recorded in the history and as the point's source);
only an officer may import a file as approved data. Photos go with the report; a report
within ``SAME_PLACE_M`` of a stored point asks whether it is the same place, and then
becomes an update of that point instead of a second point.
"""

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium
from streamlit_js_eval import get_geolocation, streamlit_js_eval

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
from hotspots.config import MAX_FILE_BYTES, MAX_PHOTO_BYTES, NEAR_DUPLICATE_M, SAME_PLACE_M
from hotspots.errors import HotspotsError
from hotspots.formats import Photo, parse_lat_lon, read_geolocation, read_photo
from hotspots.i18n import ENUMERATIONS, format_number, label, problem_text, t
from hotspots.maps.assets import local_base_url
from hotspots.maps.report_map import build_report_map, chosen_place
from hotspots.validation import points_near
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
PHOTO_LIMIT_MB = MAX_PHOTO_BYTES // 2**20
PHOTO_TYPES = ["jpg", "jpeg", "png"]
THUMBNAIL_PX = 160
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
    "report_same_place": None,
}
CLEAR_KEY = "report_clear"
# "Use my location": asking (the browser components are drawn only then), what the GPS gave
# (kept while the coordinates are the GPS's), why it gave nothing.
LOCATING_KEY = "report_locating"
GPS_KEY = "report_gps"
GPS_PROBLEM_KEY = "report_gps_problem"
# The photo uploader is drawn afresh (next round) after a save: an uploader cannot be emptied.
PHOTO_ROUND_KEY = "report_photo_round"
# Checked photos by upload id: a photo is read once, not on every rerun.
PHOTO_CACHE_KEY = "report_photo_cache"
# The "same place?" choice that means a new point.
NEW_PLACE = "__new__"
# Characters that Streamlit's markdown (radio labels, messages) would read as markup.
MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
# What the last save did (a new point's id, or the point a report was added to): shown under
# the submit button until the next submit.
SAVED_KEY = "report_saved"
IMPORT_KEY = "import_outcome"
# A toast is shown once, on the run after the save or import (st.rerun would drop it).
SAVED_TOAST_KEY = "report_toast"
IMPORT_TOAST_KEY = "import_toast"
OK_ICON = ":material/check_circle:"


def plain_markdown(text: object) -> str:
    """A user's text (a place name) for a label that Streamlit reads as markdown: every mark escaped."""
    return MARKUP.sub(r"\\\1", str(text))


def forget_import() -> None:
    """A new file was chosen (or the file removed): the last import's outcome no longer applies."""
    st.session_state.pop(IMPORT_KEY, None)


def coordinate_text(value: float) -> str:
    """A coordinate as shown in captions: up to six decimals, no trailing zeros."""
    return f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


def gps_place(place: tuple[float, float] | None) -> str | None:
    """The caption of a place the GPS gave (with its accuracy), while the coordinates are still the GPS's."""
    fix = state.get(GPS_KEY)
    if fix is None or place is None:
        return None
    if (state.get("report_lat"), state.get("report_lon")) != (fix["lat_text"], fix["lon_text"]):
        return None
    shown = {"lat": coordinate_text(place[0]), "lon": coordinate_text(place[1])}
    if fix["accuracy_m"] is None:
        return t("report.gps_place_no_accuracy", lang, **shown)
    return t("report.gps_place", lang, accuracy=format_number(fix["accuracy_m"], lang, decimals=0), **shown)


def start_locating() -> None:
    """The "use my location" button: ask the browser for the phone's place on this run."""
    state[LOCATING_KEY] = True
    state.pop(GPS_PROBLEM_KEY, None)


def take_gps_answer() -> None:
    """While asking, draw the browser components; take their answer once it comes (a rerun)."""
    if not state.get(LOCATING_KEY):
        return
    st.caption(t("report.locating", lang))
    secure = streamlit_js_eval(js_expressions="window.isSecureContext", key="report_secure_context")
    answer = get_geolocation(component_key="report_geolocation")
    try:
        fix = read_geolocation(answer, secure_context=secure if isinstance(secure, bool) else None)
    except HotspotsError as error:
        state[GPS_PROBLEM_KEY] = error
        state[LOCATING_KEY] = False
        st.rerun()
    if fix is None:
        return
    lat_text, lon_text = (f"{v:.{COORDINATE_DECIMALS}f}" for v in (fix.lat, fix.lon))
    state.update({"report_lat": lat_text, "report_lon": lon_text, LOCATING_KEY: False})
    state[GPS_KEY] = {"lat_text": lat_text, "lon_text": lon_text, "accuracy_m": fix.accuracy_m}
    st.rerun()


def use_photo_place(lon: float, lat: float) -> None:
    """The "use the photo's location" button: the photo's EXIF place becomes the chosen place."""
    state["report_lat"] = f"{lat:.{COORDINATE_DECIMALS}f}"
    state["report_lon"] = f"{lon:.{COORDINATE_DECIMALS}f}"
    state.pop(GPS_KEY, None)


def checked_photos(uploads: Sequence) -> list[Photo]:
    """Check each uploaded photo (once); show each refused one with its reason; return the good ones."""
    cache = state.setdefault(PHOTO_CACHE_KEY, {})
    photos = []
    for upload in uploads:
        if upload.file_id not in cache:
            try:
                cache[upload.file_id] = read_photo(upload.getvalue(), upload.name)
            except HotspotsError as error:
                cache[upload.file_id] = error
        checked = cache[upload.file_id]
        if isinstance(checked, HotspotsError):
            show_problems(t("report.photo_refused", lang), checked)
        else:
            photos.append(checked)
    for stale in set(cache) - {upload.file_id for upload in uploads}:
        del cache[stale]
    return photos


def show_photos(photos: Sequence[Photo], place: tuple[float, float] | None) -> None:
    """Thumbnails of the accepted photos; offer a photo's EXIF place when it is not the chosen one."""
    if not photos:
        return
    with st.container(horizontal=True):
        for photo in photos:
            st.image(photo.data, width=THUMBNAIL_PX)
    for photo in photos:
        # The file name is the user's text: shown as plain text, never as markdown.
        st.text(t("report.photo_caption", lang, name=photo.filename, width=photo.width, height=photo.height))
        if photo.location is None:
            continue
        lon, lat = photo.location
        if place is not None and (round(place[0], 6), round(place[1], 6)) == (round(lat, 6), round(lon, 6)):
            continue
        st.button(
            t("report.use_photo_place", lang, lat=coordinate_text(lat), lon=coordinate_text(lon)),
            key=f"report_photo_place_{photo.sha256[:16]}",
            on_click=use_photo_place,
            args=(lon, lat),
            icon=":material/photo_camera:",
        )


def same_place_choice(near: pd.DataFrame) -> None:
    """Show the stored points near the new place and ask whether it is one of them."""
    within = format_number(SAME_PLACE_M, lang, decimals=0)
    st.warning(t("report.near_heading", lang, within=within), icon=":material/near_me:")
    for row in near.itertuples(index=False):
        # Names are the users' text: plain text, never markup.
        st.text(
            t(
                "report.near_row",
                lang,
                name=row.name,
                point_id=row.point_id,
                status=label("status", row.status, lang),
                distance=format_number(round(row.distance_m), lang),
            )
        )
    names = {
        point_id: plain_markdown(name) for point_id, name in zip(near["point_id"], near["name"], strict=True)
    }
    options = [*names, NEW_PLACE]
    if state.get("report_same_place") not in (None, *options):
        state["report_same_place"] = None  # the place moved: the old answer was about other points
    st.radio(
        t("report.same_place_question", lang),
        options,
        index=None,
        format_func=lambda choice: (
            t("report.new_place", lang)
            if choice == NEW_PLACE
            else t("report.same_place", lang, name=names[choice])
        ),
        help=t("report.same_place_help", lang),
        key="report_same_place",
    )


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
    state[PHOTO_ROUND_KEY] = state.get(PHOTO_ROUND_KEY, 0) + 1
    state.pop(GPS_KEY, None)
source = data_source()
layers = load_layers(source).layers

st.title(t("report.title", lang))
st.markdown(t("report.intro", lang))
# Who reports: the logged-in user, for a single point and for a file import alike.
st.caption(t("report.signed_as", lang, name=user.display_name))

st.button(
    t("report.locate", lang),
    key="report_locate",
    icon=":material/my_location:",
    help=t("report.locate_help", lang),
    on_click=start_locating,
)
take_gps_answer()
if state.get(GPS_PROBLEM_KEY) is not None:
    show_problems(t("report.locate_failed", lang), state[GPS_PROBLEM_KEY])

chosen, place_caption = typed_place(state.get("report_lat", ""), state.get("report_lon", ""))
place_caption = gps_place(chosen) or place_caption
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
    state.pop(GPS_KEY, None)
    state.pop(GPS_PROBLEM_KEY, None)
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
    uploads = st.file_uploader(
        t("report.photos", lang, limit=format_number(PHOTO_LIMIT_MB, lang)),
        type=PHOTO_TYPES,
        accept_multiple_files=True,
        key=f"report_photos_{state.get(PHOTO_ROUND_KEY, 0)}",
        help=t("report.photos_help", lang),
    )
    photos = checked_photos(uploads or [])
    show_photos(photos, chosen)
    near = points_near(layers["risk_points"], chosen[1], chosen[0]) if chosen else None
    # Closer than the hard limit the store refuses the point (as before): no question then.
    asks = near is not None and len(near) > 0 and bool((near["distance_m"] >= NEAR_DUPLICATE_M).all())
    if asks:
        same_place_choice(near)
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
        choice = state.get("report_same_place") if asks else NEW_PLACE
        # The store refuses what the user's roles or communes do not allow.
        if choice is None:
            saved = None
        elif choice == NEW_PLACE:
            point_id = store().add_risk_point(properties, lon=lon, lat=lat, user=user, photos=photos)
            saved = {"key": "report.added", "point_id": point_id}
        else:
            store().add_report_update(choice, notes=state["report_notes"], photos=photos, user=user)
            name = near.set_index("point_id").loc[choice, "name"]
            saved = {"key": "report.updated", "point_id": choice, "name": plain_markdown(name)}
    except HotspotsError as error:
        with outcome:
            show_problems(t("report.invalid", lang), error)
    else:
        if saved is None:
            outcome.error(t("report.answer_same_place", lang), icon=":material/error:")
        else:
            state.update({SAVED_KEY: saved, CLEAR_KEY: True, SAVED_TOAST_KEY: True})
            st.rerun()
saved = state.get(SAVED_KEY)
if saved is not None:
    saved_text = t(saved["key"], lang, **{k: v for k, v in saved.items() if k != "key"})
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
