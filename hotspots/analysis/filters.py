"""Which risk points the map shows and counts: the filters, their choices and the reviewed-by-default rule.

A point reported in the field is *pending* until an officer reviews it. Unreviewed points
must not inflate the map's headline numbers nor its downloads, so by default the map shows
and counts the reviewed points on the map (*active* and *mitigated*); pending points are
counted apart (:func:`pending_count`) and can be chosen in the status filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.coverage import COVERAGE_STATUSES
from hotspots.errors import SchemaError
from hotspots.i18n import ENUMERATIONS, label
from hotspots.schema import MAPPED_STATUSES

#: Statuses of the points an officer has reviewed and that are on the map: shown by default.
REVIEWED_STATUSES: Final = ("active", "mitigated")
#: The status of a reported point awaiting review.
PENDING_STATUS: Final = "pending"
#: The map's point filters in sidebar order: (enumeration of the labels, keyword of :func:`select_points`).
POINT_FILTERS: Final = (
    ("water_type", "water_types"),
    ("risk_level", "risk_levels"),
    ("coverage", "coverage_statuses"),
    ("status", "statuses"),
)
# Statuses the map can show (the others have left it), reviewed first.
_STATUS_CHOICES: Final = (*REVIEWED_STATUSES, *(s for s in MAPPED_STATUSES if s not in REVIEWED_STATUSES))
_CHOICES: Final = {
    "water_type": ENUMERATIONS["water_type"],
    "risk_level": ENUMERATIONS["risk_level"],
    "coverage": COVERAGE_STATUSES,
    "status": _STATUS_CHOICES,
}


def default_statuses() -> tuple[str, ...]:
    """Return the statuses shown and counted when nobody has chosen: the reviewed ones.

    Examples
    --------
    >>> default_statuses()
    ('active', 'mitigated')
    """
    return REVIEWED_STATUSES


def filter_defaults(field: str) -> tuple[str, ...]:
    """Return what a filter holds before anyone touches it: reviewed statuses, and nothing elsewhere.

    An empty filter means "every value" (see :func:`select_points`).
    """
    _check_filter(field)
    return default_statuses() if field == "status" else ()


def filter_options(field: str, lang: str) -> dict[str, str]:
    """Return the choices of one map filter, code → label in ``lang``, in the order offered.

    Parameters
    ----------
    field
        An enumeration of :data:`POINT_FILTERS`: ``water_type``, ``risk_level``,
        ``coverage`` or ``status``.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    dict
        For ``status``, only the statuses a map can show, reviewed first (*Đang theo
        dõi*, *Đã khắc phục*, *Chờ duyệt*).

    Raises
    ------
    SchemaError
        For a field that is not one of the map's filters (the message lists them).
    """
    _check_filter(field)
    return {value: label(field, value, lang) for value in _CHOICES[field]}


def select_points(
    table: gpd.GeoDataFrame,
    *,
    commune_ids: Iterable[str] | None = None,
    water_types: Iterable[str] | None = None,
    risk_levels: Iterable[str] | None = None,
    coverage_statuses: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Keep the rows of a coverage table that match every given filter.

    Parameters
    ----------
    table
        Output of :func:`hotspots.analysis.coverage_table`.
    commune_ids, water_types, risk_levels, coverage_statuses, statuses
        Allowed values of ``commune_id``, ``water_type``, ``risk_level``,
        ``coverage_status`` and ``status``. ``None`` or an empty selection means
        "no filter", as in a multiselect left empty. Pass
        ``statuses=default_statuses()`` for what the map shows by default.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows, in their original order.
    """
    keep = np.ones(len(table), dtype=bool)
    for column, allowed in (
        ("commune_id", commune_ids),
        ("water_type", water_types),
        ("risk_level", risk_levels),
        ("coverage_status", coverage_statuses),
        ("status", statuses),
    ):
        values = list(allowed) if allowed is not None else []
        if values:
            keep &= table[column].isin(values).to_numpy()
    return table[keep]


def pending_count(
    table: gpd.GeoDataFrame,
    *,
    commune_ids: Iterable[str] | None = None,
    water_types: Iterable[str] | None = None,
    risk_levels: Iterable[str] | None = None,
    coverage_statuses: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
) -> int:
    """Count the points awaiting review among those the other filters let through.

    The status filter is ignored (``statuses`` is accepted so that the map's filters can
    be passed whole): the count says how many reports wait, whether or not they are shown.

    Parameters
    ----------
    table
        Output of :func:`hotspots.analysis.coverage_table`.
    commune_ids, water_types, risk_levels, coverage_statuses
        As in :func:`select_points`.
    statuses
        Ignored.

    Returns
    -------
    int
        How many matching points are pending.
    """
    del statuses
    matching = select_points(
        table,
        commune_ids=commune_ids,
        water_types=water_types,
        risk_levels=risk_levels,
        coverage_statuses=coverage_statuses,
        statuses=[PENDING_STATUS],
    )
    return len(matching)


def select_communes(communes: pd.DataFrame, commune_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Keep the chosen communes; ``None`` or an empty choice keeps them all (as the map's filter)."""
    chosen = list(commune_ids) if commune_ids is not None else []
    return communes[communes["commune_id"].isin(chosen)] if chosen else communes


def _check_filter(field: str) -> None:
    if field not in _CHOICES:
        msg = f"The map has no filter '{field}'; its filters are: {', '.join(_CHOICES)}."
        raise SchemaError(msg)
