"""The records' own rules: days as typed, a risk point's status transitions, a class's date order.

The validator and the store apply the same rules through these functions: an inspection day is
read exactly as a ``date`` field of a file (:func:`parse_day` shares the validator's date
normaliser), and a status changes only along :data:`hotspots.schema.STATUS_TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hotspots.errors import SchemaError, StoreError, ValidationError
from hotspots.formats import is_missing
from hotspots.i18n import Phrase, coded_error, make_problem
from hotspots.schema import POINT_STATUSES, STATUS_TRANSITIONS, LayerSchema
from hotspots.validation.report import ParsedFeatures, ProblemLog
from hotspots.validation.values import normalise_date, show


def parse_day(value: object, *, field: str | None = None) -> dt.date:
    """Read a day as typed, with the validator's rules for ``date`` fields.

    Parameters
    ----------
    value
        A :class:`datetime.date` (a datetime gives its day), ISO ``YYYY-MM-DD`` text (a time
        after it is ignored), or day-first text as Vietnamese offices write it: ``DD/MM/YYYY``,
        ``D/M/YYYY``, ``DD-MM-YYYY`` or ``DD.MM.YYYY``.
    field
        The field the value is for, named in the problem (for example ``"inspected_on"``).

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    ValidationError
        For anything else (not a date, no such month, no such day in that month); the error
        and its one problem carry the catalogue code (``not_date``, ``bad_month``, ``bad_day``,
        ``not_date_kind``), so the message can be shown in Vietnamese.

    Examples
    --------
    >>> parse_day("30/06/2025")
    datetime.date(2025, 6, 30)
    >>> parse_day("2025-06-30")
    datetime.date(2025, 6, 30)
    """
    if is_missing(value) and not isinstance(value, str):
        value = None  # NaN, NA and NaT are no day, as JSON null is not
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    iso, issues = normalise_date(value)
    if iso is not None:
        try:
            return dt.date.fromisoformat(iso)
        except ValueError:  # year 0000: a real text date, but no day Python can hold
            issues = (("error", "not_date", {"value": show(value)}),)
    _, code, params = issues[0]
    problem = make_problem(code, field=field, **params)
    raise ValidationError([problem], "The date cannot be read").with_code(code, params)


def check_transition(old: str, new: str, *, point_id: str | None = None) -> None:
    """Refuse a status change that :data:`hotspots.schema.STATUS_TRANSITIONS` does not allow.

    Parameters
    ----------
    old
        The risk point's current status.
    new
        The status asked for.
    point_id
        The point's id, named in the message when given.

    Raises
    ------
    SchemaError
        When ``old`` or ``new`` is not a status at all (code ``unknown_status``).
    StoreError
        When the change is not allowed from ``old``; the message names the statuses that are
        (code ``status_change_forbidden`` with ``point_id``, else ``status_change_not_allowed``).
    """
    for status in (old, new):
        if status not in POINT_STATUSES:
            raise coded_error(
                SchemaError, "unknown_status", status=status, statuses=", ".join(POINT_STATUSES)
            )
    allowed = STATUS_TRANSITIONS[old]
    if new in allowed:
        return
    options = ", ".join(f"'{s}'" for s in allowed) if allowed else Phrase("status.final_none")
    params: dict[str, Any] = {"old": old, "status": new, "options": options}
    if point_id is None:
        raise coded_error(StoreError, "status_change_not_allowed", **params)
    raise coded_error(StoreError, "status_change_forbidden", point_id=point_id, **params)


def check_date_order(parsed: ParsedFeatures, *, schema: LayerSchema, log: ProblemLog) -> None:
    """Refuse a feature whose ``end_date`` comes before its ``start_date`` (swimming classes)."""
    if not {"start_date", "end_date"} <= set(schema.field_names):
        return
    for i, record in enumerate(parsed.records):
        start, end = record.get("start_date"), record.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            log.add("error", "end_before_start", i, parsed.ids[i], "end_date", end=end, start=start)
