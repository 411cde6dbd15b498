"""The season's schedule as an iCalendar file (``.ics``): one event per course, for phones' calendars.

Each course is one event that repeats on its lesson days: the first lesson from
``lesson_start`` to ``lesson_end`` (Asia/Ho_Chi_Minh time, with its ``VTIMEZONE``), then
``RRULE:FREQ=WEEKLY;BYDAY=...;COUNT=<lessons>``. The lesson days of a week follow
:data:`LESSON_DAYS` (5 lessons a week: Monday to Friday), so every lesson falls between the
course's start and end dates. The event's ``UID`` is ``<course id>@hotspots``: the same course
gets the same ``UID`` each time the file is made, so a calendar that imports the file again
updates its events rather than doubling them. ``GEO`` holds the venue's latitude and longitude.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import icalendar

from hotspots.analysis import ScheduleResult
from hotspots.errors import HotspotsError
from hotspots.i18n import check_language, coded_error, format_date, t
from hotspots.reports.timeline import LOCAL_TIMEZONE

#: Days of a week with a lesson, by lessons a week (iCalendar day codes, Monday first).
LESSON_DAYS: Final = {
    1: ("MO",),
    2: ("TU", "TH"),
    3: ("MO", "WE", "FR"),
    4: ("MO", "TU", "TH", "FR"),
    5: ("MO", "TU", "WE", "TH", "FR"),
    6: ("MO", "TU", "WE", "TH", "FR", "SA"),
    7: ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
}
#: When a lesson starts and ends, local time: early, before the heat of the day.
DEFAULT_LESSON_START: Final = time(7, 30)
DEFAULT_LESSON_END: Final = time(9, 0)
#: The right-hand part of every event's UID.
UID_DOMAIN: Final = "hotspots"
PRODUCT_ID: Final = "-//hotspots//Free swimming classes//VI"

_DAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def course_uid(course_id: str) -> str:
    """Return the stable iCalendar UID of a course.

    Examples
    --------
    >>> course_uid("SC-001-2")
    'SC-001-2@hotspots'
    """
    return f"{course_id}@{UID_DOMAIN}"


def schedule_calendar(
    result: ScheduleResult,
    *,
    lang: str = "vi",
    lesson_start: time = DEFAULT_LESSON_START,
    lesson_end: time = DEFAULT_LESSON_END,
    stamp: datetime | None = None,
) -> bytes:
    """Write the scheduled courses as an iCalendar file.

    Parameters
    ----------
    result
        A schedule from :func:`hotspots.analysis.schedule_courses` (its ``courses``).
    lang
        Language of the calendar's name, the events' summaries and descriptions
        (``"vi"`` by default: *Lớp dạy bơi miễn phí – <venue>*).
    lesson_start, lesson_end
        Local time (Asia/Ho_Chi_Minh) of a lesson's start and end.
    stamp
        When the file is made (``DTSTAMP``); ``None`` for now. Give it to get the same bytes
        from the same schedule.

    Returns
    -------
    bytes
        The ``.ics`` file, UTF-8.

    Raises
    ------
    HotspotsError
        When a lesson would end before it starts (coded).
    """
    check_language(lang)
    if lesson_end <= lesson_start:
        raise coded_error(HotspotsError, "calendar.bad_lesson_time", start=lesson_start, end=lesson_end)
    stamp = datetime.now(UTC) if stamp is None else stamp.astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", t("calendar.name", lang))
    calendar.add("x-wr-timezone", str(LOCAL_TIMEZONE))
    for course in result.courses.itertuples(index=False):
        calendar.add_component(_event(course, lang, lesson_start, lesson_end, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def first_lesson_day(start: date, lessons_per_week: int) -> date:
    """Return the first day on or after ``start`` that is a lesson day (see :data:`LESSON_DAYS`).

    Examples
    --------
    >>> first_lesson_day(date(2025, 6, 1), 5)  # a Sunday: lessons start on Monday
    datetime.date(2025, 6, 2)
    """
    days = LESSON_DAYS[lessons_per_week]
    day = start
    while _DAY_CODES[day.weekday()] not in days:
        day += timedelta(days=1)
    return day


def _event(course: Any, lang: str, lesson_start: time, lesson_end: time, stamp: datetime) -> icalendar.Event:
    per_week = int(course.lessons_per_week)
    first = first_lesson_day(course.start_date, per_week)
    event = icalendar.Event()
    event.add("uid", course_uid(course.course_id))
    event.add("dtstamp", stamp)
    event.add("summary", t("calendar.summary", lang, venue=course.venue_name))
    event.add("dtstart", datetime.combine(first, lesson_start, tzinfo=LOCAL_TIMEZONE))
    event.add("dtend", datetime.combine(first, lesson_end, tzinfo=LOCAL_TIMEZONE))
    event.add("rrule", {"freq": "weekly", "byday": list(LESSON_DAYS[per_week]), "count": int(course.lessons)})
    place = [str(course.venue_name)]
    if isinstance(course.commune_name, str) and course.commune_name:
        place.append(course.commune_name)
    event.add("location", ", ".join(place))
    if _known(course.latitude) and _known(course.longitude):
        event.add("geo", (float(course.latitude), float(course.longitude)))
    description = t(
        "calendar.description",
        lang,
        lessons=int(course.lessons),
        per_week=per_week,
        start=format_date(course.start_date, lang),
        end=format_date(course.end_date, lang),
        team=int(course.team),
        children=int(course.children_planned),
        course_id=course.course_id,
    )
    event.add("description", description)
    return event


def _known(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
