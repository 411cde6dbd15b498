"""Review page (officers): the pending reports on a list beside a map, approved or rejected many at once.

The queue of reports waiting for review can be narrowed by commune, by who reported them and
by the day they were reported; rows ticked in the list are highlighted on the map, and one
button approves (or, with a reason, rejects) all of them in one write: all or none. Below,
one point at a time: its status, its inspections and its history.

Every change is made as the logged-in officer (the history and the inspections record
their name); an officer limited to some communes sees and acts on those communes' points.
An admin also finds the users here: the list, adding a user, unlocking an account.
"""

import hashlib
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.analysis import filter_pending, reporters
from hotspots.config import MIN_PASSWORD_LENGTH
from hotspots.errors import HotspotsError
from hotspots.i18n import label, problem_message, problem_text, t
from hotspots.maps import build_review_map, local_base_url
from hotspots.reports import TimelineEntry, history_timeline, local_time, person_name
from hotspots.schema import STATUS_TRANSITIONS
from hotspots.store import ROLES
from pages._common import (
    DataSource,
    acting_user,
    all_points,
    configured_accounts,
    data_source,
    history_for,
    language,
    load_layers,
    save_and_rerun,
    show_cached_map,
    show_notice,
    show_problems,
    store,
)
from pages._inspections import inspection_form, overdue_section

QUEUE_COLUMNS = (
    "point_id",
    "name",
    "commune_id",
    "water_type",
    "risk_level",
    "hazards",
    "created_by",
    "created_at",
    "source",
    "notes",
)
USER_COLUMNS = ("name", "display_name", "roles", "communes", "source", "locked")
#: The queue's table is keyed ``review_queue_table_<digest of the rows shown>``, in a container
#: keyed ``review_queue``: a selection is of row positions, so it must start afresh whenever the
#: rows change (after a write, or another filter), never tick the rows that moved up.
QUEUE_TABLE_KEY = "review_queue_table"
MAP_HEIGHT_PX = 460
PHOTO_WIDTH_PX = 220
CACHED_MAPS = 8

lang = language()
user = acting_user("review")
source = data_source()
points = all_points(source)
if user.communes is not None:
    points = points[points["commune_id"].isin(user.communes)]
names = dict(zip(points["point_id"], points["name"], strict=True))
statuses = dict(zip(points["point_id"], points["status"], strict=True))
scope = None if user.communes is None else tuple(sorted(user.communes))


@st.cache_data(show_spinner=False, max_entries=4)
def review_queue(source: DataSource, communes: tuple[str, ...] | None) -> gpd.GeoDataFrame:
    """The points awaiting review in ``communes`` (``None``: all), with who reported them and when."""
    return store().review_queue(commune_ids=communes)


@st.cache_resource(show_spinner=False, max_entries=CACHED_MAPS)
def review_map(
    source: DataSource,
    communes: tuple[str, ...] | None,
    shown: tuple[str, ...],
    selected: tuple[str, ...],
    *,
    lang: str,
    base_url: str | None,
) -> folium.Map:
    """The map of the points ``shown``, ``selected`` highlighted, built and rendered once."""
    queue = review_queue(source, communes)
    fmap = build_review_map(
        queue[queue["point_id"].isin(shown)],
        load_layers(source).layers,
        lang=lang,
        selected=selected,
        asset_base_url=base_url,
    )
    fmap.get_root().render()
    return fmap


def point_label(point_id: str) -> str:
    return f"{point_id} – {names[point_id]} ({label('status', statuses[point_id], lang)})"


def show_timeline(entries: list[TimelineEntry], key: str) -> None:
    """One bordered block per event: its sentence, then what changed (plain text: names are never markup)."""
    with st.container(key=key):
        for entry in entries:
            with st.container(border=True):
                st.text(entry.headline)
                for line in entry.details:
                    st.text(line)


def write(action, notice: str, failed: str = "review.failed") -> None:
    """Run one store write as the logged-in user; confirm it or show why it was refused."""
    try:
        action(user)
    except HotspotsError as error:
        show_problems(t(failed, lang), error)
    else:
        save_and_rerun(notice)


def users_section() -> None:
    """Admins: every account, adding one, unlocking a locked one."""
    configured = configured_accounts()
    accounts = store().users(configured=configured)
    table = accounts.assign(
        roles=[", ".join(label("role", r, lang) for r in roles) for roles in accounts["roles"]],
        communes=[t("users.province", lang) if c is None else ", ".join(c) for c in accounts["communes"]],
        source=[t(f"users.source.{s}", lang) for s in accounts["source"]],
    )[list(USER_COLUMNS)]
    st.dataframe(
        table,
        hide_index=True,
        key="users_table",
        column_config={c: st.column_config.Column(t(f"users.col.{c}", lang)) for c in USER_COLUMNS},
    )
    st.subheader(t("users.add_heading", lang))
    with st.form("users_add_form"):
        name = st.text_input(t("users.col.name", lang), key="users_name", help=t("users.name_help", lang))
        display_name = st.text_input(t("users.display_name", lang), key="users_display_name")
        email = st.text_input(t("users.email", lang), key="users_email")
        password = st.text_input(
            t("users.password", lang, minimum=MIN_PASSWORD_LENGTH),
            type="password",
            key="users_password",
            autocomplete="new-password",
        )
        roles = st.multiselect(
            t("users.roles", lang),
            ROLES,
            format_func=lambda value: label("role", value, lang),
            placeholder=t("choose", lang),
            key="users_roles",
        )
        communes = load_layers(source).layers["communes"]
        names = dict(zip(communes["commune_id"], communes["name"], strict=True))
        limited = st.multiselect(
            t("users.communes", lang),
            list(names),
            format_func=lambda value: f"{value} – {names[value]}",
            placeholder=t("choose", lang),
            key="users_communes",
        )
        added = st.form_submit_button(t("users.add", lang), type="primary", key="users_add")
    if added:
        write(
            lambda admin: store().add_user(
                name,
                password=password,
                roles=roles,
                communes=limited or None,
                display_name=display_name,
                email=email,
                user=admin,
                configured=configured,
            ),
            t("users.added", lang, name=name.strip().lower()),
            failed="users.failed",
        )
    locked = [n for n, lock in zip(table["name"], table["locked"], strict=True) if lock]
    if not locked:
        st.caption(t("users.none_locked", lang))
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox(t("users.unlock_pick", lang), locked, key="users_unlock_pick")
        if st.button(t("users.unlock", lang), key="users_unlock"):
            write(
                lambda admin: store().unlock_user(chosen, user=admin),
                t("users.unlocked", lang, name=chosen),
                failed="users.failed",
            )


def queue_filters(queue: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Commune, reporter and reporting days: the pending points that match them all."""
    communes = load_layers(source).layers["communes"]
    commune_names = dict(zip(communes["commune_id"], communes["name"], strict=True))
    in_queue = sorted(set(queue["commune_id"].dropna()))
    commune_col, reporter_col, dates_col = st.columns(3)
    chosen_communes = commune_col.multiselect(
        t("review.filter_commune", lang),
        in_queue,
        format_func=lambda value: f"{value} – {commune_names.get(value, value)}",
        placeholder=t("map.filter_all", lang),
        key="review_filter_communes",
    )
    chosen_reporters = reporter_col.multiselect(
        t("review.filter_reporter", lang),
        reporters(queue),
        format_func=lambda value: person_name(value, lang),
        placeholder=t("map.filter_all", lang),
        key="review_filter_reporters",
    )
    days = dates_col.date_input(
        t("review.filter_dates", lang), value=(), format="DD/MM/YYYY", key="review_filter_dates"
    )
    since, until = (*days, None, None)[:2]
    shown = filter_pending(
        queue, communes=chosen_communes, reporters=chosen_reporters, since=since, until=until
    )
    if len(shown) != len(queue):
        st.caption(t("review.filtered", lang, shown=len(shown), total=len(queue)))
    return shown


def queue_table(shown: gpd.GeoDataFrame) -> list[str]:
    """The pending points as a table whose rows can be ticked; return the ids of the ticked ones."""
    table = shown[list(QUEUE_COLUMNS)].copy()
    for field in ("water_type", "risk_level"):
        table[field] = [label(field, value, lang) for value in table[field]]
    table["hazards"] = [", ".join(label("hazard", h, lang) for h in items) for items in table["hazards"]]
    table["created_at"] = [local_time(at, lang) for at in table["created_at"]]
    table["created_by"] = [person_name(by, lang) for by in table["created_by"]]
    for column in ("commune_id", "source", "notes"):
        table[column] = table[column].astype(object).where(table[column].notna(), "")
    ids = list(table["point_id"])
    digest = hashlib.sha256("\x1f".join(ids).encode("utf-8")).hexdigest()[:12]
    with st.container(key="review_queue"):
        event = st.dataframe(
            table,
            hide_index=True,
            key=f"{QUEUE_TABLE_KEY}_{digest}",
            selection_mode="multi-row",
            on_select="rerun",
            column_config={c: st.column_config.Column(t(f"review.col.{c}", lang)) for c in QUEUE_COLUMNS},
        )
    return [ids[row] for row in event.selection.rows if 0 <= row < len(ids)]


def decide(selected: Sequence[str]) -> None:
    """Approve the selected points, or reject them with a reason: one write for all of them."""
    count = len(selected)
    st.caption(t("review.select_hint", lang))
    # A click counts only with rows still selected: the selection starts afresh when the rows change.
    approved = st.button(
        t("review.approve", lang, count=count), type="primary", disabled=not count, key="review_approve"
    )
    if approved and count:
        write_many(selected, "active", "", t("review.approved", lang, point_id=", ".join(selected)))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        reason = st.text_input(
            t("review.reject_reason", lang),
            help=t("review.reject_reason_help", lang),
            key="review_reject_reason",
        )
        rejected = st.button(t("review.reject", lang, count=count), disabled=not count, key="review_reject")
    if rejected and count:
        if reason.strip():
            write_many(selected, "rejected", reason, t("review.rejected", lang, point_id=", ".join(selected)))
        else:
            st.error(t("review.reason_needed", lang))


def write_many(selected: Sequence[str], status: str, reason: str, notice: str) -> None:
    """Change the status of every selected point in one write; say which ones the store refused and why."""
    try:
        store().set_status_many(selected, status, user=user, reason=reason)
    except HotspotsError as error:
        lines = [f"- {problem_message(error, lang)}"]
        lines += [f"- {problem_text(problem, lang)}" for problem in getattr(error, "problems", ())]
        st.error("\n".join([t("review.failed", lang), *lines]), icon=":material/error:")
    else:
        save_and_rerun(notice)


@st.cache_data(show_spinner=False, max_entries=4)
def photos_of(source: DataSource, point_id: str) -> pd.DataFrame:
    """The photos of one point, oldest first (their SHA-256 and the file names people gave them)."""
    return store().photos(point_id)


@st.cache_data(show_spinner=False, max_entries=32)
def photo_data(sha256: str) -> bytes:
    """The bytes of one stored photo (a photo never changes: its name is its SHA-256)."""
    return store().photo_bytes(sha256)


def show_photos(point_id: str) -> None:
    """The photos of the one point selected, each with its file name under it (plain text)."""
    st.caption(t("review.photos", lang, point_id=point_id))
    try:
        photos = photos_of(source, point_id)
    except HotspotsError as error:
        show_problems(t("review.failed", lang), error)
        return
    if not len(photos):
        st.info(t("review.no_photos", lang))
        return
    with st.container(horizontal=True, key="review_photos"):
        for sha256, filename in zip(photos["sha256"], photos["filename"], strict=True):
            with st.container(width=PHOTO_WIDTH_PX):
                try:
                    st.image(photo_data(sha256), width=PHOTO_WIDTH_PX)
                except HotspotsError as error:
                    st.error(problem_message(error, lang), icon=":material/error:")
                st.text(filename)


def queue_section(queue: gpd.GeoDataFrame) -> None:
    """Filters, then the list (with its buttons) beside the map; they stack on a phone."""
    shown = queue_filters(queue)
    if not len(shown):
        st.info(t("review.none_match", lang))
        return
    list_col, map_col = st.columns([3, 2])
    with list_col:
        selected = queue_table(shown)
        decide(selected)
        if len(selected) == 1:
            show_photos(selected[0])
    with map_col:
        fmap = review_map(
            source,
            scope,
            tuple(shown["point_id"]),
            tuple(selected),
            lang=lang,
            base_url=local_base_url(),
        )
        show_cached_map(fmap, key="review_map", height=MAP_HEIGHT_PX)


st.title(t("review.title", lang))
show_notice()
st.caption(t("review.signed_as", lang, name=user.display_name))
if user.may("manage_users"):
    with st.expander(t("users.heading", lang), icon=":material/group:"):
        users_section()
if not len(points):
    st.info(t("review.no_points", lang))
    st.stop()

queue = review_queue(source, scope)
st.subheader(t("review.queue", lang, count=len(queue)))
if not len(queue):
    st.info(t("review.queue_empty", lang))
else:
    queue_section(queue)

st.divider()
overdue_section(points, lang, user)

st.divider()
st.subheader(t("review.point_heading", lang))
point_id = st.selectbox(
    t("review.pick_point", lang),
    list(points["point_id"]),
    format_func=point_label,
    placeholder=t("choose", lang),
    key="review_point",
)
status = statuses[point_id]
st.markdown(t("review.current_status", lang, status=label("status", status, lang)))

status_tab, inspection_tab, history_tab = st.tabs(
    [t("review.status_heading", lang), t("review.inspection_heading", lang), t("review.history", lang)]
)
with status_tab:
    allowed = STATUS_TRANSITIONS[status]
    if not allowed:
        st.info(t("review.status_final", lang))
    else:
        new_status = st.selectbox(
            t("review.new_status", lang),
            allowed,
            format_func=lambda value: label("status", value, lang),
            placeholder=t("choose", lang),
            key="review_new_status",
        )
        status_reason = st.text_input(t("review.reason", lang), key="review_status_reason")
        if st.button(t("review.set_status", lang), key="review_set_status"):
            write(
                lambda user: store().set_status(point_id, new_status, user=user, reason=status_reason),
                t("review.status_changed", lang, point_id=point_id, status=label("status", new_status, lang)),
            )
with inspection_tab:
    inspection_form(point_id, status, lang, write)
with history_tab:
    show_timeline(history_timeline(history_for(source, point_id), lang), key="history_list")
