"""What a dataset and an incoming file hold: sample or not, how recent, and an import preview.

The app's sidebar says whether the loaded data is the illustrative sample and up to
which day it was updated; the map page counts the communes without a play space; the
report page previews a file before importing it. These are pure functions of the layers
or of a :class:`~hotspots.validation.ValidationReport`, so every page (and the command
line) shares one definition, tested once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Final

import pandas as pd

from hotspots.errors import Problem
from hotspots.i18n import label, rejection_reasons

if TYPE_CHECKING:
    from hotspots.validation import ValidationReport

#: Columns of :func:`preview_rows`, in display order.
PREVIEW_COLUMNS: Final = ("point_id", "name", "commune", "water_type", "risk_level")
#: Columns of :func:`rejected_rows`, in display order.
REJECTED_ROW_COLUMNS: Final = ("row", "feature_id", "reasons")
#: What a table cell shows when the file gave no value.
MISSING: Final = "—"
#: The encoding a text file is read with when it is not UTF-8 or UTF-16 (see
#: :func:`hotspots.validation.decode_text`), as people know it.
LEGACY_ENCODING: Final = "CP1258 / Windows-1258"
#: Problem code of the warning given when a file was not UTF-8.
NOT_UTF8: Final = "not_utf8"


def is_sample(layers: Mapping[str, pd.DataFrame]) -> bool:
    """Tell whether the layers are (or contain) the illustrative sample.

    The shipped sample marks its hand-placed communes and water with
    ``illustrative = True``; real survey data leaves the column out or false.

    Parameters
    ----------
    layers
        Layers by schema name.

    Returns
    -------
    bool
        True when any feature of any layer is marked illustrative.
    """
    return any(
        "illustrative" in frame.columns and bool(frame["illustrative"].fillna(False).astype(bool).any())
        for frame in layers.values()
    )


def data_date(points: pd.DataFrame) -> date | None:
    """Return the day the risk points were last inspected: how recent the data is.

    Parameters
    ----------
    points
        Risk points with a ``last_inspected`` column (dates, or ISO text).

    Returns
    -------
    datetime.date or None
        The latest inspection day; ``None`` when there are no points, no such
        column or no readable date.
    """
    if "last_inspected" not in points.columns or not len(points):
        return None
    latest = pd.to_datetime(points["last_inspected"], errors="coerce", format="ISO8601").max()
    return None if pd.isna(latest) else latest.date()


def communes_without_play_space(communes: pd.DataFrame) -> int:
    """Count the communes that have no children's play space.

    Parameters
    ----------
    communes
        Communes with the (required) boolean ``has_play_space`` column.

    Returns
    -------
    int
        How many rows have ``has_play_space`` false.
    """
    return int((~communes["has_play_space"].astype(bool)).sum())


def file_errors(report: ValidationReport) -> tuple[Problem, ...]:
    """Return the errors about a file as a whole (no row of their own): they block any import.

    Parameters
    ----------
    report
        What validation found in the file.

    Returns
    -------
    tuple of Problem
        The errors whose ``index`` is ``None``, in the report's order.
    """
    return tuple(p for p in report.errors if p.index is None)


def file_warnings(report: ValidationReport) -> tuple[Problem, ...]:
    """Return the warnings about a file as a whole (how it was read, what was assumed).

    Parameters
    ----------
    report
        What validation found in the file.

    Returns
    -------
    tuple of Problem
        The warnings whose ``index`` is ``None``, in the report's order.
    """
    return tuple(p for p in report.warnings if p.index is None)


def legacy_encoding(report: ValidationReport) -> str | None:
    """Name the encoding a text file was read with when it was not UTF-8.

    Parameters
    ----------
    report
        What validation found in the file.

    Returns
    -------
    str or None
        :data:`LEGACY_ENCODING` when the reader fell back to it (its ``not_utf8``
        warning), ``None`` for a UTF-8 or UTF-16 file and for binary formats.
    """
    return LEGACY_ENCODING if any(p.code == NOT_UTF8 for p in report.warnings) else None


def preview_rows(valid: pd.DataFrame, communes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """List the valid rows of a risk-point file as a reader checks them before importing.

    Parameters
    ----------
    valid
        The report's valid features (``point_id``, ``name``, ``commune_id``,
        ``water_type``, ``risk_level``).
    communes
        The communes (``commune_id``, ``name``), to name each point's commune.
    lang
        ``"vi"`` or ``"en"``: the language of the water-type and risk-level labels.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PREVIEW_COLUMNS`, one row per valid feature in file order;
        :data:`MISSING` where the file (or the map) gave no value.
    """
    names = dict(zip(communes["commune_id"], communes["name"], strict=True))
    rows = pd.DataFrame(
        {
            "point_id": [_shown(v) for v in _column(valid, "point_id")],
            "name": [_shown(v) for v in _column(valid, "name")],
            "commune": [_shown(names.get(v, v)) for v in _column(valid, "commune_id")],
            "water_type": [_label("water_type", v, lang) for v in _column(valid, "water_type")],
            "risk_level": [_label("risk_level", v, lang) for v in _column(valid, "risk_level")],
        },
        columns=list(PREVIEW_COLUMNS),
    )
    return rows.reset_index(drop=True)


def rejected_rows(report: ValidationReport, lang: str) -> pd.DataFrame:
    """List the rejected rows of a file with their reasons, numbered as the file counts them.

    Parameters
    ----------
    report
        What validation found in the file.
    lang
        ``"vi"`` or ``"en"``: the language of the reasons.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REJECTED_ROW_COLUMNS`: ``row`` is the feature's place in the
        file counting from 1 (the first data row or feature is 1, as problem
        messages say "feature #1"), ``feature_id`` its id or :data:`MISSING`,
        ``reasons`` why it was rejected.
    """
    rejected = report.rejected
    return pd.DataFrame(
        {
            "row": [int(i) + 1 for i in rejected["source_index"]],
            "feature_id": [_shown(v) for v in rejected["feature_id"]],
            "reasons": [rejection_reasons(report.problems, int(i), lang) for i in rejected["source_index"]],
        },
        columns=list(REJECTED_ROW_COLUMNS),
    )


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _is_missing(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: a value, not a gap
        return False


def _shown(value: object) -> str:
    return MISSING if _is_missing(value) else str(value)


def _label(field: str, value: object, lang: str) -> str:
    return MISSING if _is_missing(value) else label(field, str(value), lang)
