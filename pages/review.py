"""Review page (officers): approve or reject reported points, change statuses, record inspections.

Every change is made as the logged-in officer (the history and the inspections record
their name); an officer limited to some communes sees and acts on those communes' points.
An admin also finds the users here: the list, adding a user, unlocking an account.
"""

from datetime import date

import streamlit as st

from hotspots.config import MIN_PASSWORD_LENGTH
from hotspots.errors import HotspotsError
from hotspots.i18n import label, t
from hotspots.reports import TimelineEntry, history_timeline, inspection_timeline
from hotspots.schema import STATUS_TRANSITIONS
from hotspots.store import ROLES
from pages._common import (
    acting_user,
    all_points,
    configured_accounts,
    data_source,
    history_for,
    inspections_for,
    language,
    load_layers,
    save_and_rerun,
    show_notice,
    show_problems,
    store,
)

QUEUE_COLUMNS = ("point_id", "name", "water_type", "risk_level", "hazards", "commune_id", "source", "notes")
USER_COLUMNS = ("name", "display_name", "roles", "communes", "source", "locked")

lang = language()
user = acting_user("review")
source = data_source()
points = all_points(source)
if user.communes is not None:
    points = points[points["commune_id"].isin(user.communes)]
names = dict(zip(points["point_id"], points["name"], strict=True))
statuses = dict(zip(points["point_id"], points["status"], strict=True))


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


st.title(t("review.title", lang))
show_notice()
st.caption(t("review.signed_as", lang, name=user.display_name))
if user.may("manage_users"):
    with st.expander(t("users.heading", lang), icon=":material/group:"):
        users_section()
if not len(points):
    st.info(t("review.no_points", lang))
    st.stop()

pending = points[points["status"] == "pending"]
st.subheader(t("review.queue", lang, count=len(pending)))
if not len(pending):
    st.info(t("review.queue_empty", lang))
else:
    queue = pending[list(QUEUE_COLUMNS)].copy()
    for field in ("water_type", "risk_level"):
        queue[field] = [label(field, value, lang) for value in queue[field]]
    queue["hazards"] = [", ".join(label("hazard", h, lang) for h in items) for items in queue["hazards"]]
    st.dataframe(
        queue,
        hide_index=True,
        key="pending_table",
        column_config={c: st.column_config.Column(t(f"review.col.{c}", lang)) for c in QUEUE_COLUMNS},
    )
    chosen = st.selectbox(
        t("review.pick_pending", lang),
        list(pending["point_id"]),
        format_func=point_label,
        placeholder=t("choose", lang),
        key="review_pending",
    )
    with st.container(horizontal=True, vertical_alignment="bottom"):
        if st.button(t("review.approve", lang), type="primary", key="review_approve"):
            write(
                lambda user: store().set_status(chosen, "active", user=user),
                t("review.approved", lang, point_id=chosen),
            )
        reason = st.text_input(t("review.reject_reason", lang), key="review_reject_reason")
        if st.button(t("review.reject", lang), key="review_reject"):
            if reason.strip():
                write(
                    lambda user: store().set_status(chosen, "rejected", user=user, reason=reason),
                    t("review.rejected", lang, point_id=chosen),
                )
            else:
                st.error(t("review.reason_needed", lang))

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
    inspected_on = st.date_input(
        t("review.inspected_on", lang), value=date.today(), max_value=date.today(), key="review_inspected_on"
    )
    findings = st.text_area(t("review.findings", lang), key="review_findings")
    mitigations = st.text_area(t("review.mitigations", lang), key="review_mitigations")
    if st.button(t("review.record", lang), type="primary", key="review_record"):
        write(
            lambda user: store().record_inspection(
                point_id,
                inspected_on=inspected_on,
                findings=findings,
                mitigations=mitigations,
                user=user,
            ),
            t("review.recorded", lang, point_id=point_id),
        )
    st.caption(t("review.inspections", lang))
    inspections = inspections_for(source, point_id)
    if len(inspections):
        show_timeline(inspection_timeline(inspections, lang), key="inspection_list")
    else:
        st.info(t("review.no_inspections", lang))
with history_tab:
    show_timeline(history_timeline(history_for(source, point_id), lang), key="history_list")
