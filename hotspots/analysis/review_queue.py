"""The review queue's filters: the pending points of some communes, reporters and local days.

An officer reviewing many reports narrows the queue by commune, by who reported the
points and by the day they were reported. The days are Vietnamese calendar days
(:data:`hotspots.config.LOCAL_TIME_ZONE`): a point reported at 23:30 UTC on 1 June
counts on 2 June, as the officer's clock showed it. The points come from
:meth:`hotspots.store.Store.review_queue` (``created_at`` and ``created_by`` columns).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.filters import PENDING_STATUS
from hotspots.config import LOCAL_TIME_ZONE

#: Who reported a point (the display name of the account that reported or imported it).
REPORTER_COLUMN: Final = "created_by"
#: When a point was reported (a UTC timestamp; naive timestamps are read as UTC).
REPORTED_AT_COLUMN: Final = "created_at"


def filter_pending(
    points: gpd.GeoDataFrame,
    *,
    communes: Iterable[str] | None = None,
    reporters: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> gpd.GeoDataFrame:
    """Keep the pending points that match every given filter.

    Parameters
    ----------
    points
        Risk points with ``status``, ``commune_id``, ``created_by`` and ``created_at``
        (:meth:`hotspots.store.Store.review_queue`).
    communes
        Commune ids to keep; ``None`` or an empty choice keeps every commune, as a
        multiselect left empty.
    reporters
        Reporters (``created_by``) to keep; ``None`` or empty keeps everybody.
    since, until
        First and last local day (Asia/Ho_Chi_Minh) to keep, both included; ``None``
        leaves that end open.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching pending rows, in their original order.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> queue = gpd.GeoDataFrame(
    ...     {
    ...         "point_id": ["QN-1", "QN-2"],
    ...         "status": ["pending", "pending"],
    ...         "commune_id": ["CM-1", "CM-2"],
    ...         "created_by": ["An", "Bình"],
    ...         "created_at": pd.to_datetime(["2025-06-01T17:30:00Z", "2025-06-01T16:30:00Z"]),
    ...     },
    ...     geometry=[Point(107, 21), Point(107.1, 21)],
    ... )
    >>> filter_pending(queue, since=date(2025, 6, 2))["point_id"].tolist()
    ['QN-1']
    """
    keep = (points["status"] == PENDING_STATUS).to_numpy(dtype=bool, copy=True)
    for column, allowed in (("commune_id", communes), (REPORTER_COLUMN, reporters)):
        chosen = list(allowed) if allowed is not None else []
        if chosen:
            keep &= points[column].isin(chosen).to_numpy(dtype=bool)
    if since is not None or until is not None:
        days = local_days(points[REPORTED_AT_COLUMN])
        if since is not None:
            keep &= np.array([d is not None and d >= since for d in days], dtype=bool)
        if until is not None:
            keep &= np.array([d is not None and d <= until for d in days], dtype=bool)
    return points[keep]


def reporters(points: gpd.GeoDataFrame) -> list[str]:
    """Return who reported the pending points, each once, in alphabetical order (for the filter).

    Examples
    --------
    >>> frame = pd.DataFrame({"status": ["pending", "active", "pending"], "created_by": ["Lan", "Ba", "An"]})
    >>> reporters(frame)
    ['An', 'Lan']
    """
    pending = points[points["status"] == PENDING_STATUS][REPORTER_COLUMN]
    return sorted({str(name) for name in pending.dropna()})


def local_days(moments: pd.Series) -> list[date | None]:
    """Return the local (Asia/Ho_Chi_Minh) calendar day of each timestamp; ``None`` where there is none.

    Timestamps without a time zone are read as UTC, as the store writes them.
    """
    stamps = pd.to_datetime(moments, utc=True, format="ISO8601")
    local = stamps.dt.tz_convert(LOCAL_TIME_ZONE)
    return [None if pd.isna(moment) else moment.date() for moment in local]
