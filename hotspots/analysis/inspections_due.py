"""When each risk point is next due for inspection, and by how many days it is overdue.

A risk point is due for its next inspection :data:`~hotspots.config.INSPECTION_INTERVAL_MONTHS`
(12) months after its last one (``last_inspected``), a black spot, under special monitoring,
:data:`~hotspots.config.BLACK_SPOT_INSPECTION_INTERVAL_MONTHS` (3) months after. Months are
calendar months: 12 months after 29/02/2024 is 28/02/2025 (the last day of a shorter month).

Each point gets one status (:data:`INSPECTION_STATUSES`), judged on the day ``today``:

``overdue``
    the due date has passed (``days_overdue`` > 0 days);
``never_inspected``
    no inspection is recorded, so no due date can be computed: inspect as soon as possible;
``due_soon``
    due today or within ``due_soon_days`` days (30 by default);
``on_schedule``
    due later.
"""

from __future__ import annotations

import calendar
import math
import numbers
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import pandas as pd

from hotspots.config import BLACK_SPOT_INSPECTION_INTERVAL_MONTHS, INSPECTION_INTERVAL_MONTHS
from hotspots.errors import HotspotsError

#: Statuses of a point's next inspection, the most urgent first.
INSPECTION_STATUSES: Final = ("overdue", "never_inspected", "due_soon", "on_schedule")
#: A point due within this many days is ``due_soon``.
DEFAULT_DUE_SOON_DAYS: Final = 30
#: Columns of :func:`inspections_due`, in order.
INSPECTION_COLUMNS: Final = (
    "point_id",
    "risk_level",
    "last_inspected",
    "next_due",
    "days_overdue",
    "inspection_status",
)


@dataclass(frozen=True)
class InspectionCounts:
    """How many points are in each inspection status, and the longest delay.

    Attributes
    ----------
    overdue, never_inspected, due_soon, on_schedule
        Points in each of :data:`INSPECTION_STATUSES`.
    longest_overdue_days
        Days by which the most overdue point is late; 0 when none is overdue.
    """

    overdue: int
    never_inspected: int
    due_soon: int
    on_schedule: int
    longest_overdue_days: int

    @property
    def total(self) -> int:
        """Points counted."""
        return self.overdue + self.never_inspected + self.due_soon + self.on_schedule


def inspections_due(
    risk_points: pd.DataFrame,
    *,
    today: date,
    interval_months: int = INSPECTION_INTERVAL_MONTHS,
    black_spot_interval_months: int = BLACK_SPOT_INSPECTION_INTERVAL_MONTHS,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> pd.DataFrame:
    """Compute the next inspection of every risk point and whether it is overdue.

    Parameters
    ----------
    risk_points
        Rows with ``point_id``, ``risk_level`` and ``last_inspected`` (a date, an ISO
        ``YYYY-MM-DD`` text, a timestamp, or missing).
    today
        The day the statuses are judged on.
    interval_months, black_spot_interval_months
        Months from the last inspection to the next one, for a risk point and for a black spot.
    due_soon_days
        A point due within this many days (0 or more) is ``due_soon``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``risk_points``, with :data:`INSPECTION_COLUMNS`: ``last_inspected`` and
        ``next_due`` as :class:`datetime.date` (``None`` when never inspected),
        ``days_overdue`` (``Int64``: ``today − next_due`` in days, negative while not yet
        due, missing when never inspected) and ``inspection_status``.

    Raises
    ------
    HotspotsError
        If an interval is not a whole number of months of at least 1, or ``due_soon_days``
        is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> points = pd.DataFrame({"point_id": ["QN-1"], "risk_level": ["black_spot"],
    ...                        "last_inspected": ["2025-01-31"]})
    >>> row = inspections_due(points, today=date(2025, 5, 10)).iloc[0]
    >>> print(row["next_due"], row["days_overdue"], row["inspection_status"])
    2025-04-30 10 overdue
    """
    for value in (interval_months, black_spot_interval_months):
        _check_months(value)
    if (
        isinstance(due_soon_days, bool)
        or not isinstance(due_soon_days, numbers.Integral)
        or due_soon_days < 0
    ):
        msg = f"The 'due soon' window must be a whole number of days, 0 or more; got {due_soon_days!r}."
        raise HotspotsError(msg)
    last = [_day(value) for value in risk_points["last_inspected"]]
    black = (risk_points["risk_level"] == "black_spot").to_numpy()
    next_due = [
        None if day is None else add_months(day, black_spot_interval_months if b else interval_months)
        for day, b in zip(last, black, strict=True)
    ]
    overdue = pd.array([None if d is None else (today - d).days for d in next_due], dtype="Int64")
    status = [_status(days, due_soon_days) for days in overdue]
    return pd.DataFrame(
        {
            "point_id": risk_points["point_id"].to_numpy(dtype=object),
            "risk_level": risk_points["risk_level"].to_numpy(dtype=object),
            "last_inspected": pd.Series(last, dtype=object).to_numpy(),
            "next_due": pd.Series(next_due, dtype=object).to_numpy(),
            "days_overdue": overdue,
            "inspection_status": status,
        },
        index=risk_points.index,
    )


def inspection_counts(table: pd.DataFrame) -> InspectionCounts:
    """Count the points of an :func:`inspections_due` table in each status.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"inspection_status": ["overdue", "overdue", "due_soon"],
    ...                       "days_overdue": pd.array([40, 5, -3], dtype="Int64")})
    >>> inspection_counts(table)
    InspectionCounts(overdue=2, never_inspected=0, due_soon=1, on_schedule=0, longest_overdue_days=40)
    """
    status = table["inspection_status"]
    late = table.loc[status == "overdue", "days_overdue"]
    return InspectionCounts(
        overdue=int((status == "overdue").sum()),
        never_inspected=int((status == "never_inspected").sum()),
        due_soon=int((status == "due_soon").sum()),
        on_schedule=int((status == "on_schedule").sum()),
        longest_overdue_days=int(late.max()) if len(late) else 0,
    )


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months later, or the month's last day when it is shorter.

    Examples
    --------
    >>> add_months(date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(date(2025, 11, 30), 3)
    datetime.date(2026, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _status(days_overdue: object, due_soon_days: int) -> str:
    if days_overdue is pd.NA:
        return "never_inspected"
    if days_overdue > 0:
        return "overdue"
    return "due_soon" if -days_overdue <= due_soon_days else "on_schedule"


def _day(value: object) -> date | None:
    """Read a date from a date, timestamp or ISO text; ``None`` for a missing value."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        msg = f"The last inspection date '{text}' is not a date (YYYY-MM-DD)."
        raise HotspotsError(msg) from None


def _check_months(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        msg = f"An inspection interval must be a whole number of months, at least 1; got {value!r}."
        raise HotspotsError(msg)
