"""Analyses over validated layers: coverage of risk points, communes ranking."""

from __future__ import annotations

from hotspots.analysis.communes import (
    DEFAULT_BLACK_SPOT_WEIGHT,
    DEFAULT_NO_PLAY_SPACE_BONUS,
    EXPORT_FORMATS,
    SUMMARY_COLUMNS,
    ExportFormat,
    commune_summary,
    export_summary,
)
from hotspots.analysis.coverage import (
    COVERAGE_STATUSES,
    RESCUE_PREFIX,
    SWIM_PREFIX,
    CoverageCounts,
    CoverageSummary,
    coverage_summary,
    coverage_table,
    nearest_facilities,
    select_points,
)
from hotspots.analysis.exports import (
    COVERAGE_COLUMNS,
    export_file_name,
    export_points,
)

__all__ = [
    "COVERAGE_COLUMNS",
    "COVERAGE_STATUSES",
    "DEFAULT_BLACK_SPOT_WEIGHT",
    "DEFAULT_NO_PLAY_SPACE_BONUS",
    "EXPORT_FORMATS",
    "RESCUE_PREFIX",
    "SUMMARY_COLUMNS",
    "SWIM_PREFIX",
    "CoverageCounts",
    "CoverageSummary",
    "ExportFormat",
    "commune_summary",
    "coverage_summary",
    "coverage_table",
    "export_file_name",
    "export_points",
    "export_summary",
    "nearest_facilities",
    "select_points",
]
