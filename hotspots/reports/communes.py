"""The communes ranking as people read it: the page's table and its CSV and Excel downloads.

Rank, name, score and the key figures come first, so that at 1,400 px (or on a phone) the
priority is read without scrolling sideways; the rest follows. Shares are percentages
(80.6, not 0.806); a commune without a play space is flagged in words (*⚠ Chưa có điểm vui
chơi*), as the map flags it, rather than by an empty checkbox.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from hotspots.analysis import OVERDUE_COLUMN, SUMMARY_COLUMNS
from hotspots.i18n import t
from hotspots.reports.tables import write_table

#: Columns of :func:`commune_table`: rank, name, score and the key figures first; the overdue
#: inspections right after the black spots (what an officer acts on next), when the summary has them.
COMMUNE_TABLE_COLUMNS: Final = (
    "priority_rank",
    "name",
    "priority_score",
    "play_space",
    "risk_points",
    "black_spots",
    OVERDUE_COLUMN,
    "covered_either_share",
    "children_under_16",
    "covered_swim_share",
    "covered_rescue_share",
    "commune_id",
    "has_play_space",
)
#: What the page shows, in order: the play space as a flag in words.
DISPLAY_COLUMNS: Final = tuple(c for c in COMMUNE_TABLE_COLUMNS if c != "has_play_space")
#: What the downloads hold, in order: the play space as yes/no.
EXPORT_COLUMNS: Final = tuple(c for c in COMMUNE_TABLE_COLUMNS if c != "play_space")
#: Columns holding percentages (0–100, one decimal).
PERCENT_COLUMNS: Final = ("covered_either_share", "covered_swim_share", "covered_rescue_share")
#: Decimals of the priority score, on the page and in the files.
SCORE_DECIMALS: Final = 2


def play_space_flag(has_play_space: bool, lang: str) -> str:
    """Return how the table tells a commune's play space: a warning when it has none.

    Examples
    --------
    >>> play_space_flag(False, "vi")
    '⚠ Chưa có điểm vui chơi'
    >>> play_space_flag(True, "en")
    'Yes'
    """
    return t("table.yes", lang) if has_play_space else t("communes.no_play_space_flag", lang)


def commune_table(summary: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Return the ranking as a table people read.

    Parameters
    ----------
    summary
        Output of :func:`hotspots.analysis.commune_summary` (the geometry is left out),
        with or without :data:`~hotspots.analysis.OVERDUE_COLUMN` (from
        :func:`hotspots.analysis.overdue_inspections`).
    lang
        Language of the play-space flag.

    Returns
    -------
    pandas.DataFrame
        :data:`COMMUNE_TABLE_COLUMNS` (the overdue count only when ``summary`` has it),
        one row per commune in rank order; shares as
        percentages rounded to one decimal (missing for a commune without risk points);
        ``play_space`` as :func:`play_space_flag`; ``has_play_space`` as bool.
    """
    present = [c for c in (*SUMMARY_COLUMNS, OVERDUE_COLUMN) if c in summary.columns]
    table = pd.DataFrame(summary[present]).sort_values("priority_rank", kind="stable")
    table = table.reset_index(drop=True)
    for column in PERCENT_COLUMNS:
        table[column] = (table[column].astype(float) * 100).round(1)
    table["has_play_space"] = table["has_play_space"].astype(bool)
    table["play_space"] = [play_space_flag(bool(v), lang) for v in table["has_play_space"]]
    return table[[c for c in COMMUNE_TABLE_COLUMNS if c in table.columns]]


def export_summary(
    summary: pd.DataFrame, *, fmt: str, lang: str, swim_radius_m: float, rescue_radius_m: float
) -> bytes:
    """Write the communes ranking as CSV or Excel, with headers in ``lang`` and the reach used.

    Parameters
    ----------
    summary
        Output of :func:`hotspots.analysis.commune_summary` (the geometry is left out),
        with or without the overdue inspections.
    fmt
        ``"csv"`` or ``"xlsx"`` (see :func:`hotspots.reports.write_table`).
    lang
        Language of the headers, the yes/no words and the notes.
    swim_radius_m, rescue_radius_m
        The reach the coverage shares were computed with, in metres: written above the
        table in Excel (after the title), as two columns in CSV.

    Returns
    -------
    bytes
        The file's content: :data:`EXPORT_COLUMNS` under their headers, shares as
        percentages, the play space as *Có*/*Không*.

    Raises
    ------
    SchemaError
        When ``fmt`` is not ``csv`` or ``xlsx``.
    """
    table = commune_table(summary, lang=lang)
    headers = {c: t(f"col.{c}", lang) for c in EXPORT_COLUMNS if c in table.columns}
    table = table[list(headers)].rename(columns=headers)
    return write_table(
        table,
        fmt=fmt,
        lang=lang,
        sheet_name=t("communes.sheet", lang),
        title=t("communes.title", lang),
        notes=[
            (t("app.swim_radius", lang), _metres(swim_radius_m)),
            (t("app.rescue_radius", lang), _metres(rescue_radius_m)),
        ],
        percent_columns=[headers[c] for c in PERCENT_COLUMNS],
        decimals={headers["priority_score"]: SCORE_DECIMALS},
    )


def _metres(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
