"""What people take away or read back: table downloads, the history timeline, printable action sheets.

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
from hotspots.reports.sheet_data import PLANNED_STATUS, PlanEffect, SheetInputs, prepare_sheets
from hotspots.reports.sheet_map import (
    LEGEND_KINDS,
    MapLayers,
    commune_map,
    legend_symbol,
    map_layers,
    province_map,
)
from hotspots.reports.sheets import (
    MAX_TABLE_ROWS,
    PDF_MIME,
    SHEET_KINDS,
    TEMPLATE_DIR,
    commune_sheets_html,
    commune_sheets_pdf,
    html_to_pdf,
    province_summary_html,
    province_summary_pdf,
    sheet_file_name,
)
from hotspots.reports.tables import TABLE_FORMATS, Note, TableFormat, export_file_name, write_table
from hotspots.reports.timeline import (
    LOCAL_TIMEZONE,
    TimelineEntry,
    field_name,
    history_timeline,
    inspection_timeline,
    local_time,
    person_name,
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
    "LEGEND_KINDS",
    "LESSON_DAYS",
    "LOCAL_TIMEZONE",
    "MAX_TABLE_ROWS",
    "PDF_MIME",
    "PERCENT_COLUMNS",
    "PLANNED_STATUS",
    "SCORE_DECIMALS",
    "SHEET_KINDS",
    "TABLE_FORMATS",
    "TEMPLATE_DIR",
    "MapLayers",
    "Note",
    "PlanEffect",
    "SheetInputs",
    "TableFormat",
    "TimelineEntry",
    "commune_map",
    "commune_sheets_html",
    "commune_sheets_pdf",
    "commune_table",
    "course_uid",
    "export_file_name",
    "export_points",
    "export_summary",
    "field_name",
    "first_lesson_day",
    "history_timeline",
    "html_to_pdf",
    "inspection_timeline",
    "legend_symbol",
    "local_time",
    "map_layers",
    "person_name",
    "play_space_flag",
    "point_table",
    "prepare_sheets",
    "province_map",
    "province_summary_html",
    "province_summary_pdf",
    "schedule_calendar",
    "sheet_file_name",
    "value_text",
    "write_table",
]
