"""The history and inspections of a risk point as a timeline people read, in their language.

The store keeps its history as codes (``action = "status"``, ``new = {"status": "active"}``,
UTC timestamps). Officers read it as sentences: *29/11/2026 14:05 – Nguyễn Văn A đã duyệt*,
then what changed in words (*Trạng thái: Chờ duyệt → Đang theo dõi*): field names and
values through the catalogue, dates DD/MM/YYYY, times in Vietnam's time zone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import pandas as pd

from hotspots.config import LOCAL_TIME_ZONE
from hotspots.i18n import TRANSLATIONS, field_label, format_date, format_number, label, t

#: Times are shown in Vietnam's time zone, whatever the server's.
LOCAL_TIMEZONE: Final = ZoneInfo(LOCAL_TIME_ZONE)
#: The user the store records for the shipped or seeded data.
SEED_USER: Final = "seed"
#: Fields whose values are enumeration codes: field → enumeration of their labels.
ENUM_FIELDS: Final = {
    "water_type": "water_type",
    "risk_level": "risk_level",
    "status": "status",
    "coverage_status": "coverage",
    "unit_type": "unit_type",
}
#: Fields whose values are lists of hazard codes.
HAZARD_FIELDS: Final = ("hazards",)
#: Fields whose values are ISO dates.
DATE_FIELDS: Final = ("last_inspected", "inspected_on", "start_date", "end_date", "date")
#: Decimals of coordinates in a timeline (about a metre).
COORDINATE_DECIMALS: Final = 5

_FIELD_KEYS: Final = ("timeline.field.{field}", "review.col.{field}")
_COORDINATES: Final = ("lon", "lat")
_CREATIONS: Final = ("add", "seed")


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a timeline: the sentence that tells it, then the details under it.

    Attributes
    ----------
    when
        Local date and time (``29/11/2026 14:05``), or the date alone for an inspection.
    who
        Who did it (the seeded data is done by *Hệ thống*).
    headline
        The whole sentence: ``29/11/2026 14:05 – Nguyễn Văn A đã duyệt``.
    details
        What changed, in words, one line each (``Trạng thái: Chờ duyệt → Đang theo dõi``),
        then the reason or the findings.
    """

    when: str
    who: str
    headline: str
    details: tuple[str, ...] = ()


def history_timeline(history: pd.DataFrame | Iterable[Mapping[str, Any]], lang: str) -> list[TimelineEntry]:
    """Tell the history of one feature as a timeline, in the order given (the store's: oldest first).

    Parameters
    ----------
    history
        Rows of :meth:`hotspots.store.Store.history`: ``at`` (ISO 8601, UTC when it
        has no offset), ``user``, ``action``, ``what``, ``old`` and ``new`` (dicts, or
        their JSON text), ``reason``.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    list of TimelineEntry
        One entry per row. Approvals and rejections are told as such; an action the
        timeline does not know is told as an update, with what changed.

    Examples
    --------
    >>> row = {"at": "2026-11-29T07:05:00+00:00", "user": "Nguyễn Văn A", "action": "status",
    ...        "old": {"status": "pending"}, "new": {"status": "active"}, "reason": ""}
    >>> entry = history_timeline([row], "vi")[0]
    >>> entry.headline
    '29/11/2026 14:05 – Nguyễn Văn A đã duyệt'
    >>> entry.details
    ('Trạng thái: Chờ duyệt → Đang theo dõi',)
    """
    rows = history.to_dict("records") if isinstance(history, pd.DataFrame) else list(history)
    return [_history_entry(row, lang) for row in rows]


def inspection_timeline(
    inspections: pd.DataFrame | Iterable[Mapping[str, Any]], lang: str
) -> list[TimelineEntry]:
    """Tell the inspections of one risk point, in the order given (the store's: oldest visit first).

    Parameters
    ----------
    inspections
        Rows of :meth:`hotspots.store.Store.inspections`: ``inspected_on`` (ISO date),
        ``inspector``, ``findings``, ``mitigations``, ``recorded_at``, ``recorded_by``,
        ``measures`` (a list of :data:`hotspots.schema.MITIGATIONS`, or its JSON text; optional).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    list of TimelineEntry
        ``12/03/2025 – Phạm Thu Hà kiểm tra``, then the findings, the measures (when
        any) and who recorded it when.
    """
    rows = inspections.to_dict("records") if isinstance(inspections, pd.DataFrame) else list(inspections)
    entries = []
    for row in rows:
        day = _date_text(row.get("inspected_on"), lang)
        inspector = _text(row.get("inspector")) or t("timeline.empty", lang)
        details = [t("timeline.findings", lang, text=_text(row.get("findings")) or t("timeline.empty", lang))]
        if _text(row.get("mitigations")):
            details.append(t("timeline.mitigations", lang, text=_text(row.get("mitigations"))))
        details += _measures_line(row.get("measures"), lang)
        if _text(row.get("recorded_by")):
            details.append(
                t(
                    "timeline.recorded_by",
                    lang,
                    user=person_name(row.get("recorded_by"), lang),
                    when=local_time(row.get("recorded_at"), lang),
                )
            )
        entries.append(
            TimelineEntry(
                when=day,
                who=inspector,
                headline=t("timeline.inspected", lang, date=day, inspector=inspector),
                details=tuple(details),
            )
        )
    return entries


def local_time(at: str | datetime | None, lang: str) -> str:
    """Format a stored timestamp as local date and time: ``29/11/2026 14:05`` (``29 Nov 2026 14:05``).

    A timestamp without an offset is read as UTC (the store writes UTC); ``—`` when unknown
    or unreadable.
    """
    moment = _moment(at)
    if moment is None:
        return format_date(None, lang)
    local = moment.astimezone(LOCAL_TIMEZONE)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def field_name(field: str, lang: str) -> str:
    """Return how a timeline names a field: ``Trạng thái``, ``Loại mặt nước`` (``Status``, ``Water type``)."""
    for key in _FIELD_KEYS:
        if key.format(field=field) in TRANSLATIONS:
            return t(key.format(field=field), lang)
    text = field_label(field, lang)
    return text[:1].upper() + text[1:]


def value_text(field: str, value: Any, lang: str) -> str:
    """Return a stored value in words: labels of codes, DD/MM/YYYY dates, *(trống)* for nothing."""
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return t("timeline.empty", lang)
    if isinstance(value, bool):
        return t("table.yes" if value else "table.no", lang)
    if field in ENUM_FIELDS:
        return label(ENUM_FIELDS[field], value, lang)
    if field in HAZARD_FIELDS and isinstance(value, list | tuple):
        return ", ".join(label("hazard", item, lang) for item in value)
    if field in DATE_FIELDS:
        return _date_text(value, lang)
    if isinstance(value, float):
        decimals = COORDINATE_DECIMALS if field in _COORDINATES else (0 if value.is_integer() else 2)
        return format_number(value, lang, decimals=decimals)
    if isinstance(value, int):
        return format_number(value, lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------------------


def _history_entry(row: Mapping[str, Any], lang: str) -> TimelineEntry:
    action = _text(row.get("action"))
    old, new = _mapping(row.get("old")), _mapping(row.get("new"))
    details: list[str] = []
    if action in _CREATIONS:
        phrase = t(f"timeline.{action}", lang)
    elif action == "import":
        phrase = t("timeline.import", lang, file=_text(row.get("what")) or t("timeline.empty", lang))
    elif action == "status":
        phrase = _status_phrase(old.get("status"), new.get("status"), lang)
        details += _changes(old, new, lang)
    elif action == "inspection":
        inspection = _mapping(new.get("inspection"))
        phrase = t("timeline.inspection", lang, date=_date_text(inspection.get("inspected_on"), lang))
        details += _inspection_details(inspection, lang)
        details += _changes(old, new, lang, skip=("inspection",))
    elif action == "report":
        phrase = t("timeline.report", lang)
        details += _report_details(new, lang)
    elif action == "photo":
        phrase = t("timeline.photo", lang, file=_text(new.get("filename")) or t("timeline.empty", lang))
    elif action == "plan":
        phrase = t("timeline.plan", lang)
    elif action == "edit":
        phrase = t("timeline.edit", lang)
        details += _changes(old, new, lang)
    else:
        phrase = t("timeline.other", lang)
        details += _changes(old, new, lang)
    reason = _text(row.get("reason"))
    if reason:
        details.append(t("timeline.reason", lang, reason=reason))
    when, who = local_time(row.get("at"), lang), person_name(row.get("user"), lang)
    headline = t("timeline.entry", lang, when=when, who=who, action=phrase)
    return TimelineEntry(when=when, who=who, headline=headline, details=tuple(details))


def _inspection_details(inspection: Mapping[str, Any], lang: str) -> list[str]:
    lines = []
    for column, key in (
        ("inspector", "timeline.inspector"),
        ("findings", "timeline.findings"),
        ("mitigations", "timeline.mitigations"),
    ):
        text = _text(inspection.get(column))
        if text:
            lines.append(t(key, lang, text=text))
    return lines + _measures_line(inspection.get("measures"), lang)


def _measures_line(measures: object, lang: str) -> list[str]:
    """``Biện pháp đã có: Biển cảnh báo, Rào chắn`` for an inspection's measures; nothing without any."""
    if isinstance(measures, str):
        try:
            measures = json.loads(measures)
        except ValueError:
            measures = [measures]
    if not isinstance(measures, list | tuple) or not measures:
        return []
    return [t("timeline.measures", lang, text=", ".join(label("mitigation", m, lang) for m in measures))]


def _report_details(report: Mapping[str, Any], lang: str) -> list[str]:
    """Return what a report attached to a stored point said: its notes, how many photos came with it."""
    lines = []
    notes = _text(report.get("notes"))
    if notes:
        lines.append(t("timeline.notes", lang, text=notes))
    photos = report.get("photos")
    if isinstance(photos, list | tuple) and photos:
        lines.append(t("timeline.photos", lang, count=format_number(len(photos), lang)))
    return lines


def _status_phrase(old: object, new: object, lang: str) -> str:
    if old == "pending" and new == "active":
        return t("timeline.approve", lang)
    if new == "rejected":
        return t("timeline.reject", lang)
    return t("timeline.status", lang)


def _changes(
    old: Mapping[str, Any], new: Mapping[str, Any], lang: str, *, skip: Iterable[str] = ()
) -> list[str]:
    skipped = set(skip)
    fields = [k for k in new if k not in skipped] + [k for k in old if k not in new and k not in skipped]
    return [
        t(
            "timeline.change",
            lang,
            field=field_name(field, lang),
            old=value_text(field, old.get(field), lang),
            new=value_text(field, new.get(field), lang),
        )
        for field in fields
        if old.get(field) != new.get(field)
    ]


def person_name(user: object, lang: str) -> str:
    """Return how a user recorded in the store is named to people: the seeded data's is *Hệ thống*.

    >>> person_name("seed", "vi"), person_name("Nguyễn Văn A", "en"), person_name(None, "en")
    ('Hệ thống', 'Nguyễn Văn A', '(empty)')
    """
    text = _text(user)
    if text == SEED_USER:
        return t("timeline.system", lang)
    return text or t("timeline.empty", lang)


def _moment(at: object) -> datetime | None:
    if isinstance(at, pd.Timestamp):
        at = at.to_pydatetime()
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at.strip())
        except ValueError:
            return None
    if not isinstance(at, datetime):
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _date_text(value: object, lang: str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return format_date(value if isinstance(value, date) else None, lang)


def _mapping(value: object) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()
