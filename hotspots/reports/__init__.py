"""What people take away or read back: table downloads (one guarded writer) and the history timeline.

Above analysis and the store in the data flow (read → validate → store → analyse →
render / report): it turns their results into files and sentences in the user's language.
"""

from __future__ import annotations

from hotspots.reports.calendar import (
    DEFAULT_LESSON_END,
    DEFAULT_LESSON_START,
    LESSON_DAYS,
    course_uid,
    first_lesson_day,
    schedule_calendar,
)
from hotspots.reports.communes import (
    COMMUNE_TABLE_COLUMNS,
    DISPLAY_COLUMNS,
    EXPORT_COLUMNS,
    PERCENT_COLUMNS,
    SCORE_DECIMALS,
    commune_table,
    export_summary,
    play_space_flag,
)
from hotspots.reports.points import COORDINATE_COLUMNS, LABELLED_COLUMNS, export_points, point_table
from hotspots.reports.tables import TABLE_FORMATS, Note, TableFormat, export_file_name, write_table
from hotspots.reports.timeline import (
    LOCAL_TIMEZONE,
    TimelineEntry,
    field_name,
    history_timeline,
    inspection_timeline,
    local_time,
    value_text,
)

__all__ = [
    "COMMUNE_TABLE_COLUMNS",
    "COORDINATE_COLUMNS",
    "DEFAULT_LESSON_END",
    "DEFAULT_LESSON_START",
    "DISPLAY_COLUMNS",
    "EXPORT_COLUMNS",
    "LABELLED_COLUMNS",
    "LESSON_DAYS",
    "LOCAL_TIMEZONE",
    "PERCENT_COLUMNS",
    "SCORE_DECIMALS",
    "TABLE_FORMATS",
    "Note",
    "TableFormat",
    "TimelineEntry",
    "commune_table",
    "course_uid",
    "export_file_name",
    "export_points",
    "export_summary",
    "field_name",
    "first_lesson_day",
    "history_timeline",
    "inspection_timeline",
    "local_time",
    "play_space_flag",
    "point_table",
    "schedule_calendar",
    "value_text",
    "write_table",
]
