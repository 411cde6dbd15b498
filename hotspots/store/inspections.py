"""Site inspections of risk points: recording one (``last_inspected`` only moves forward), listing them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Final

import pandas as pd
import sqlalchemy as sa

from hotspots.config import MAX_TEXT_LENGTH
from hotspots.errors import ValidationError
from hotspots.i18n import make_problem
from hotspots.schema import RISK_POINTS
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.migrations import inspections
from hotspots.store.permissions import User, require
from hotspots.store.points import point_row, update_point
from hotspots.store.values import now, plain, refusal
from hotspots.validation import parse_day

_RISK: Final = RISK_POINTS.name


def record_inspection(
    db: Database,
    point_id: str,
    *,
    inspected_on: date | str,
    findings: str,
    mitigations: str = "",
    user: User,
) -> int:
    """Record a site inspection; return its id (see :meth:`hotspots.store.Store.record_inspection`).

    The inspector is the acting user (their display name), never a typed name.
    """
    actor = require(user, "inspect")
    by = actor.display_name
    day, texts = _inspection_fields(point_id, inspected_on, findings, mitigations)

    def work(conn: sa.Connection) -> int:
        current = point_row(conn, point_id)
        require(actor, "inspect", commune_ids=[current["commune_id"]])
        when = now()
        result = conn.execute(
            inspections.insert().values(
                point_id=point_id, inspected_on=day, recorded_at=when, recorded_by=by, inspector=by, **texts
            )
        )
        inspection_id = result.inserted_primary_key[0]
        previous = current["last_inspected"]
        latest = max(d for d in (previous, day) if d is not None)
        update_point(conn, current, {"last_inspected": latest}, now=when, user=by)
        old = {"last_inspected": plain(previous)}
        inspection = {"inspection_id": inspection_id, "inspected_on": day.isoformat()}
        inspection.update(inspector=by, **texts)
        new = {"last_inspected": latest.isoformat(), "inspection": inspection}
        log(conn, _RISK, point_id, "inspection", f"inspection of {day.isoformat()}", old, new, by, when)
        return inspection_id

    return db.transaction(work, write=True)


def list_inspections(db: Database, point_id: str) -> pd.DataFrame:
    """Return the inspections of one risk point, oldest first.

    See :meth:`hotspots.store.Store.inspections`.
    """

    def work(conn: sa.Connection) -> list[dict]:
        point_row(conn, point_id)
        query = (
            sa.select(inspections)
            .where(inspections.c.point_id == point_id)
            .order_by(inspections.c.inspected_on, inspections.c.inspection_id)
        )
        return [dict(r) for r in conn.execute(query).mappings()]

    frame = pd.DataFrame(db.transaction(work), columns=[c.name for c in inspections.columns])
    frame["inspected_on"] = frame["inspected_on"].map(lambda d: d.isoformat())
    return frame


def _inspection_fields(
    point_id: str, inspected_on: date | str, findings: str, mitigations: str
) -> tuple[date, dict[str, str]]:
    """Check an inspection's date and texts, gathering every problem."""
    problems = []
    where = {"feature_id": point_id}
    try:
        day = parse_day(inspected_on, field="inspected_on")
    except ValidationError as error:
        day = None
        problems.extend(dataclasses.replace(problem, feature_id=point_id) for problem in error.problems)
    if day is not None and day > datetime.now(UTC).date() + timedelta(days=1):
        problems.append(make_problem("date_in_future", field="inspected_on", day=day.isoformat(), **where))
    texts = {"findings": findings, "mitigations": mitigations}
    for label, text in texts.items():
        text = str(text or "").strip()
        texts[label] = text
        if not text and label == "findings":
            problems.append(make_problem("say_what_found", field=label, **where))
        if len(text) > MAX_TEXT_LENGTH:
            problems.append(make_problem("at_most_chars", field=label, limit=MAX_TEXT_LENGTH, **where))
    if problems:
        raise refusal(problems, "inspection_not_recorded", point_id=point_id)
    return day, texts
