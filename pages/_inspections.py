"""The review page's inspection sections: the points due for inspection, and the form that records one.

The review page (``pages/review.py``) calls :func:`overdue_section` with the points it shows
and the logged-in officer, and :func:`inspection_form` for the point picked, passing its
``write(action, notice)`` helper, which runs a store write as the logged-in user and shows
the confirmation or the refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st

from hotspots.analysis import REVIEWED_STATUSES, inspections_due
from hotspots.config import BLACK_SPOT_INSPECTION_INTERVAL_MONTHS, INSPECTION_INTERVAL_MONTHS
from hotspots.i18n import format_date, label, t
from hotspots.reports import LOCAL_TIMEZONE, TimelineEntry, inspection_timeline
from hotspots.schema import MITIGATIONS, STATUS_TRANSITIONS
from hotspots.store import User
from pages._common import data_source, inspections_for, load_layers, store

#: Columns of the table of points to inspect, in order.
OVERDUE_COLUMNS = ("point_id", "name", "commune", "risk_level", "last_inspected", "next_due", "days_overdue")
#: The inspection statuses listed, in this order (the most overdue first within ``overdue``).
TO_INSPECT = ("overdue", "never_inspected")
#: The status an inspection may move a point to.
MITIGATED = "mitigated"

Write = Callable[..., None]


def local_today() -> date:
    """Today in Việt Nam, whatever the server's time zone."""
    return datetime.now(LOCAL_TIMEZONE).date()


def points_to_inspect(
    points: pd.DataFrame, commune_names: dict[str, str], *, today: date, lang: str
) -> pd.DataFrame:
    """The reviewed points overdue for inspection, or never inspected, as a table people read.

    Parameters
    ----------
    points
        Risk points (``point_id``, ``name``, ``risk_level``, ``status``, ``commune_id``,
        ``last_inspected``); only the reviewed ones (active, mitigated) are listed.
    commune_names
        Commune names by id (a point of an unknown commune shows its id).
    today
        The day inspections are judged on.
    lang
        Language of the risk levels and dates (DD/MM/YYYY in Vietnamese).

    Returns
    -------
    pandas.DataFrame
        :data:`OVERDUE_COLUMNS` plus ``inspection_status``: the overdue points, the most overdue
        first, then those never inspected (by id); ``days_overdue`` is missing for those.
    """
    reviewed = points[points["status"].isin(REVIEWED_STATUSES)]
    due = inspections_due(reviewed, today=today)
    listed = due["inspection_status"].isin(TO_INSPECT)
    due, reviewed = due[listed], reviewed[listed]
    order = pd.DataFrame(
        {
            "rank": due["inspection_status"].map(TO_INSPECT.index),
            "late": -due["days_overdue"].fillna(0).astype(int),
            "point_id": due["point_id"],
        }
    ).sort_values(["rank", "late", "point_id"], kind="stable")
    due, reviewed = due.loc[order.index], reviewed.loc[order.index]
    never = t("review.never_inspected", lang)
    commune_ids = (
        reviewed["commune_id"] if "commune_id" in reviewed.columns else pd.Series(None, index=due.index)
    )
    return pd.DataFrame(
        {
            "point_id": due["point_id"].to_numpy(dtype=object),
            "name": reviewed["name"].astype(str).to_numpy(dtype=object),
            "commune": [_commune(c, commune_names) for c in commune_ids],
            "risk_level": [label("risk_level", v, lang) for v in due["risk_level"]],
            "last_inspected": [never if d is None else format_date(d, lang) for d in due["last_inspected"]],
            "next_due": [format_date(d, lang) for d in due["next_due"]],
            "days_overdue": due["days_overdue"].to_numpy(),
            "inspection_status": due["inspection_status"].to_numpy(dtype=object),
        }
    ).reset_index(drop=True)


def overdue_section(points: pd.DataFrame, lang: str, user: User) -> None:
    """Show the points of the user's communes overdue for inspection, or never inspected, with a count."""
    if user.communes is not None and "commune_id" in points.columns:
        points = points[points["commune_id"].isin(user.communes)]
    communes = load_layers(data_source()).layers["communes"]
    names = dict(zip(communes["commune_id"], communes["name"], strict=True))
    table = points_to_inspect(points, names, today=local_today(), lang=lang)
    status = table["inspection_status"]
    st.subheader(
        t(
            "review.overdue_heading",
            lang,
            overdue=int((status == "overdue").sum()),
            never=int((status == "never_inspected").sum()),
        )
    )
    st.caption(
        t(
            "review.overdue_help",
            lang,
            months=INSPECTION_INTERVAL_MONTHS,
            black_months=BLACK_SPOT_INSPECTION_INTERVAL_MONTHS,
        )
    )
    if not len(table):
        st.info(t("review.overdue_none", lang))
        return
    headers = {column: t(f"review.col.{column}", lang) for column in OVERDUE_COLUMNS}
    config = {column: st.column_config.Column(text) for column, text in headers.items()}
    config["days_overdue"] = st.column_config.NumberColumn(headers["days_overdue"], format="%d")
    st.dataframe(
        table[list(OVERDUE_COLUMNS)],
        hide_index=True,
        column_order=OVERDUE_COLUMNS,
        column_config=config,
        key="overdue_table",
    )


def inspection_form(point_id: str, status: str, lang: str, write: Write) -> None:
    """Record an inspection of one point (date, findings, measures in place, notes), then list its past ones.

    The box that also moves the point to ``mitigated`` is shown only when its status allows
    it (``hotspots.schema.STATUS_TRANSITIONS``); the store checks again, and checks that the
    user may review as well as inspect.
    """
    today = local_today()
    inspected_on = st.date_input(
        t("review.inspected_on", lang),
        value=today,
        max_value=today,
        format="DD/MM/YYYY",
        key="inspection_on",
    )
    findings = st.text_area(t("review.findings", lang), key="inspection_findings")
    measures = st.multiselect(
        t("review.measures", lang),
        MITIGATIONS,
        format_func=lambda value: label("mitigation", value, lang),
        placeholder=t("choose", lang),
        key="inspection_measures",
    )
    notes = st.text_area(t("review.mitigations", lang), key="inspection_notes")
    mark_mitigated = False
    if MITIGATED in STATUS_TRANSITIONS.get(status, ()):
        mark_mitigated = st.checkbox(
            t("review.mark_mitigated", lang),
            help=t("review.mark_mitigated_help", lang),
            key="inspection_mark_mitigated",
        )
    if st.button(t("review.record", lang), type="primary", key="inspection_record"):
        notice = (
            t("review.recorded_mitigated", lang, point_id=point_id, status=label("status", MITIGATED, lang))
            if mark_mitigated
            else t("review.recorded", lang, point_id=point_id)
        )
        write(
            lambda user: store().record_inspection(
                point_id,
                inspected_on=inspected_on,
                findings=findings,
                mitigations=notes,
                measures=measures,
                mark_mitigated=mark_mitigated,
                user=user,
            ),
            notice,
        )
    st.caption(t("review.inspections", lang))
    past = inspections_for(data_source(), point_id)
    if len(past):
        _show_entries(inspection_timeline(past, lang), key="inspection_timeline")
    else:
        st.info(t("review.no_inspections", lang))


def _commune(commune_id: object, names: dict[str, str]) -> str:
    if commune_id is None or (isinstance(commune_id, float) and commune_id != commune_id):
        return ""
    return names.get(str(commune_id), str(commune_id))


def _show_entries(entries: list[TimelineEntry], key: str) -> None:
    """One bordered block per event: its sentence, then the details (plain text: never markup)."""
    with st.container(key=key):
        for entry in entries:
            with st.container(border=True):
                st.text(entry.headline)
                for line in entry.details:
                    st.text(line)
