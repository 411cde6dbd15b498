"""Site inspections of risk points: recording one (``last_inspected`` only moves forward), listing them.

An inspection may record the measures in place at the point (:data:`hotspots.schema.MITIGATIONS`)
and, when the inspector also reviews, move the point to ``mitigated`` in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

import pandas as pd
import sqlalchemy as sa

from hotspots.config import MAX_TEXT_LENGTH
from hotspots.errors import Problem, ValidationError
from hotspots.i18n import make_problem
from hotspots.schema import MITIGATIONS, RISK_POINTS
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.migrations import inspections
from hotspots.store.permissions import User, require
from hotspots.store.points import point_row, update_point
from hotspots.store.values import now, plain, refusal
from hotspots.validation import check_transition, parse_day

_RISK: Final = RISK_POINTS.name
#: The status an inspection can move a point to (``mark_mitigated``).
MITIGATED: Final = "mitigated"


def record_inspection(
    db: Database,
    point_id: str,
    *,
    inspected_on: date | str,
    findings: str,
    mitigations: str = "",
    measures: Sequence[str] = (),
    mark_mitigated: bool = False,
    user: User,
) -> int:
    """Record a site inspection; return its id (see :meth:`hotspots.store.Store.record_inspection`).

    The inspector is the acting user (their display name), never a typed name. With
    ``mark_mitigated`` the point also moves to ``mitigated`` (permission ``review`` too, and
    only from a status that allows it): one history row tells both, the inspection and the
    status change.
    """
    actor = require(user, "inspect")
    if mark_mitigated:
        require(actor, "review")
    by = actor.display_name
    day, texts, kept = _inspection_fields(point_id, inspected_on, findings, mitigations, measures)

    def work(conn: sa.Connection) -> int:
        current = point_row(conn, point_id)
        communes = [current["commune_id"]]
        require(actor, "inspect", commune_ids=communes)
        if mark_mitigated:
            require(actor, "review", commune_ids=communes)
            check_transition(current["status"], MITIGATED, point_id=point_id)
        when = now()
        result = conn.execute(
            inspections.insert().values(
                point_id=point_id,
                inspected_on=day,
                recorded_at=when,
                recorded_by=by,
                inspector=by,
                measures=list(kept),
                **texts,
            )
        )
        inspection_id = result.inserted_primary_key[0]
        previous = current["last_inspected"]
        latest = max(d for d in (previous, day) if d is not None)
        changes: dict[str, object] = {"last_inspected": latest}
        old: dict[str, object] = {"last_inspected": plain(previous)}
        new: dict[str, object] = {"last_inspected": latest.isoformat()}
        if mark_mitigated:
            changes["status"] = MITIGATED
            old["status"], new["status"] = current["status"], MITIGATED
        update_point(conn, current, changes, now=when, user=by)
        inspection = {"inspection_id": inspection_id, "inspected_on": day.isoformat()}
        inspection.update(inspector=by, **texts, measures=list(kept))
        new["inspection"] = inspection
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
    frame["measures"] = frame["measures"].map(lambda m: list(m or ()))
    return frame


def check_measures(
    measures: Sequence[str] | str, *, point_id: str | None = None
) -> tuple[list[str], list[Problem]]:
    """Return the measures in :data:`~hotspots.schema.MITIGATIONS` order without repeats, and any problem.

    A single text counts as one measure. A measure that is not one of
    :data:`~hotspots.schema.MITIGATIONS` gives one ``unknown_measures`` problem naming every
    such value and the allowed ones.

    Examples
    --------
    >>> check_measures(["fence", "warning_sign", "fence"])
    (['warning_sign', 'fence'], [])
    >>> kept, problems = check_measures(["fence", "sandbags"])
    >>> problems[0].code, problems[0].params["measures"]
    ('unknown_measures', "'sandbags'")
    """
    given = [measures] if isinstance(measures, str) else list(measures or ())
    texts = [str(m).strip() for m in given]
    unknown = list(dict.fromkeys(m for m in texts if m not in MITIGATIONS))
    problems = []
    if unknown:
        problems.append(
            make_problem(
                "unknown_measures",
                field="measures",
                feature_id=point_id,
                measures=", ".join(f"'{m}'" for m in unknown),
                allowed=", ".join(MITIGATIONS),
            )
        )
    return [m for m in MITIGATIONS if m in texts], problems


def _inspection_fields(
    point_id: str, inspected_on: date | str, findings: str, mitigations: str, measures: Sequence[str]
) -> tuple[date, dict[str, str], list[str]]:
    """Check an inspection's date, texts and measures, gathering every problem."""
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
    kept, measure_problems = check_measures(measures, point_id=point_id)
    problems.extend(measure_problems)
    if problems:
        raise refusal(problems, "inspection_not_recorded", point_id=point_id)
    return day, texts, kept
