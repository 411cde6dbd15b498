"""Per-commune summary of risk, coverage and play spaces, ranked by priority.

The priority score (shown to users through the translation key
``communes.formula``) is, for each commune *c*::

    w(p)    = black_spot_weight if p is a black spot, else 1
    gap(p)  = 1 if p is covered by neither swimming classes nor rescue training,
              0.5 if covered by only one of them, 0 if covered by both
    need(c) = sum of w(p) * gap(p) over the risk points p in c
    N(c)    = need(c) / max need            (0 when no commune has any need)
    C(c)    = children_under_16(c) / max children_under_16  (1 when no counts)
    score(c) = N(c) * (0.5 + 0.5 * C(c)) + no_play_space_bonus * [c has no play space]

Rank 1 is the highest score; ties go to more black spots, then more risk
points, then the name. Children scale the need between half and full weight so
that an uncovered black spot still counts where few children live.

:func:`overdue_inspections` counts, per commune, the reviewed risk points whose
inspection is overdue on a given day (:func:`hotspots.analysis.inspections_due`): a
column the communes page shows beside the ranking (it does not change the score).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.filters import REVIEWED_STATUSES
from hotspots.analysis.inspections_due import inspections_due
from hotspots.config import BLACK_SPOT_INSPECTION_INTERVAL_MONTHS, INSPECTION_INTERVAL_MONTHS
from hotspots.errors import CRSError, HotspotsError

#: Weight of a black spot relative to another risk point in the priority score.
DEFAULT_BLACK_SPOT_WEIGHT: Final = 3.0
#: Score added to a commune without a play space (the normalised need is at most 1).
DEFAULT_NO_PLAY_SPACE_BONUS: Final = 0.25
#: Columns of :func:`commune_summary`, in display order (geometry comes last).
SUMMARY_COLUMNS: Final = (
    "priority_rank",
    "commune_id",
    "name",
    "children_under_16",
    "has_play_space",
    "risk_points",
    "black_spots",
    "covered_swim_share",
    "covered_rescue_share",
    "covered_either_share",
    "priority_score",
)

#: Name of the per-commune count of :func:`overdue_inspections`.
OVERDUE_COLUMN: Final = "overdue_inspections"

_GAP: Final = {"both": 0.0, "swim_only": 0.5, "rescue_only": 0.5, "neither": 1.0}


def commune_summary(
    communes: gpd.GeoDataFrame,
    coverage: gpd.GeoDataFrame,
    *,
    black_spot_weight: float = DEFAULT_BLACK_SPOT_WEIGHT,
    no_play_space_bonus: float = DEFAULT_NO_PLAY_SPACE_BONUS,
) -> gpd.GeoDataFrame:
    """Summarise risk points and their coverage per commune and rank communes.

    Parameters
    ----------
    communes
        The commune layer (``commune_id``, ``name``, ``children_under_16``,
        ``has_play_space``, polygons).
    coverage
        Output of :func:`hotspots.coverage.coverage_table`. A point is counted in
        the commune named by its ``commune_id``; points without a known
        ``commune_id`` are placed by location.
    black_spot_weight, no_play_space_bonus
        Parameters of the score (see the module docstring).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per commune with :data:`SUMMARY_COLUMNS` and the geometry, sorted
        by ``priority_rank``. Shares are NaN for a commune without risk points.

    Raises
    ------
    CRSError
        If points must be placed by location and a layer has no CRS.
    HotspotsError
        If a weight is negative.
    """
    if black_spot_weight < 0 or no_play_space_bonus < 0:
        msg = (
            "The black-spot weight and the no-play-space bonus must be 0 or more "
            f"(defaults {DEFAULT_BLACK_SPOT_WEIGHT} and {DEFAULT_NO_PLAY_SPACE_BONUS})."
        )
        raise HotspotsError(msg)
    commune_of = _commune_of(coverage, communes)
    black = (coverage["risk_level"] == "black_spot").to_numpy()
    swim = coverage["covered_swim"].to_numpy(dtype=bool)
    rescue = coverage["covered_rescue"].to_numpy(dtype=bool)
    weight = np.where(black, black_spot_weight, 1.0)
    gap = coverage["coverage_status"].map(_GAP).to_numpy(dtype=float)
    per_point = pd.DataFrame(
        {
            "commune_id": commune_of,
            "risk_points": 1,
            "black_spots": black.astype(int),
            "swim": swim.astype(int),
            "rescue": rescue.astype(int),
            "either": (swim | rescue).astype(int),
            "need": weight * gap,
        }
    )
    sums = per_point.groupby("commune_id").sum()

    summary = communes[["commune_id", "name", "children_under_16", "has_play_space", "geometry"]].copy()
    summary["has_play_space"] = summary["has_play_space"].astype(bool)
    summary["children_under_16"] = summary["children_under_16"].fillna(0).astype(int)
    joined = sums.reindex(summary["commune_id"]).fillna(0)
    for column in ("risk_points", "black_spots"):
        summary[column] = joined[column].to_numpy(dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        for column, source in (
            ("covered_swim_share", "swim"),
            ("covered_rescue_share", "rescue"),
            ("covered_either_share", "either"),
        ):
            summary[column] = np.where(
                summary["risk_points"] > 0, joined[source].to_numpy() / summary["risk_points"], np.nan
            )
    need = joined["need"].to_numpy(dtype=float)
    children = summary["children_under_16"].to_numpy(dtype=float)
    normalised_need = need / need.max() if len(need) and need.max() > 0 else np.zeros(len(need))
    children_factor = (
        children / children.max() if len(children) and children.max() > 0 else np.ones(len(need))
    )
    bonus = np.where(summary["has_play_space"].to_numpy(), 0.0, no_play_space_bonus)
    summary["priority_score"] = normalised_need * (0.5 + 0.5 * children_factor) + bonus

    summary = summary.sort_values(
        ["priority_score", "black_spots", "risk_points", "name"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    summary["priority_rank"] = np.arange(1, len(summary) + 1)
    summary = summary[[*SUMMARY_COLUMNS, "geometry"]].reset_index(drop=True)
    return gpd.GeoDataFrame(summary, geometry="geometry", crs=communes.crs)


def overdue_inspections(
    communes: gpd.GeoDataFrame,
    risk_points: gpd.GeoDataFrame,
    *,
    today: date,
    statuses: tuple[str, ...] = REVIEWED_STATUSES,
    interval_months: int = INSPECTION_INTERVAL_MONTHS,
    black_spot_interval_months: int = BLACK_SPOT_INSPECTION_INTERVAL_MONTHS,
) -> pd.Series:
    """Count, in each commune, the risk points whose inspection is overdue on ``today``.

    A point counts when its status is one of ``statuses`` (a point without a ``status``
    column counts as reviewed) and :func:`hotspots.analysis.inspections_due` finds it
    ``overdue``; a point never inspected has no due date and does not count.

    Parameters
    ----------
    communes
        The commune layer (``commune_id``, polygons).
    risk_points
        Risk points with ``point_id``, ``risk_level`` and ``last_inspected`` (a coverage
        table will do). A point is counted in the commune named by its ``commune_id``;
        points without a known ``commune_id`` are placed by location.
    today
        The day the inspections are judged on.
    statuses
        The statuses that count (default: the reviewed ones, active and mitigated).
    interval_months, black_spot_interval_months
        Months from the last inspection to the next one (see
        :func:`~hotspots.analysis.inspections_due`).

    Returns
    -------
    pandas.Series
        Named :data:`OVERDUE_COLUMN`, indexed by ``commune_id`` in the communes' order,
        whole numbers (0 for a commune without overdue points).

    Raises
    ------
    CRSError
        If overdue points must be placed by location and a layer has no CRS.
    HotspotsError
        If an interval is not a whole number of months of at least 1.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> communes = gpd.GeoDataFrame({"commune_id": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
    ...                             crs="EPSG:4326")
    >>> points = gpd.GeoDataFrame({"point_id": ["P1", "P2"], "risk_level": ["black_spot", "high"],
    ...                            "last_inspected": ["2025-01-31", "2025-01-31"], "commune_id": ["A", "A"]},
    ...                           geometry=[Point(0.5, 0.5), Point(0.6, 0.5)], crs="EPSG:4326")
    >>> overdue_inspections(communes, points, today=date(2025, 5, 10)).to_dict()
    {'A': 1, 'B': 0}
    """
    if "status" in risk_points.columns:
        risk_points = risk_points[risk_points["status"].isin(statuses)]
    due = inspections_due(
        risk_points,
        today=today,
        interval_months=interval_months,
        black_spot_interval_months=black_spot_interval_months,
    )
    late = risk_points[(due["inspection_status"] == "overdue").to_numpy(dtype=bool)]
    counts = pd.Series(_commune_of(late, communes), dtype=object).value_counts()
    ids = pd.Index(communes["commune_id"], name="commune_id")
    return pd.Series(counts.reindex(ids).fillna(0).to_numpy(dtype=int), index=ids, name=OVERDUE_COLUMN)


def _commune_of(coverage: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    known = set(communes["commune_id"])
    given = (
        coverage["commune_id"] if "commune_id" in coverage.columns else pd.Series(None, index=coverage.index)
    )
    result = np.array(given.where(given.isin(known), None), dtype=object)
    missing = pd.isna(result)
    if missing.any():
        if coverage.crs is None or communes.crs is None:
            msg = (
                "Risk points without a commune can only be placed when both layers have a coordinate system."
            )
            raise CRSError(msg)
        located = gpd.sjoin(
            coverage.loc[missing, ["geometry"]].to_crs(communes.crs),
            communes[["commune_id", "geometry"]],
            how="left",
            predicate="within",
        )
        # A point on a shared border matches two communes: keep the first.
        located = located[~located.index.duplicated(keep="first")]
        result[missing] = located["commune_id"].reindex(coverage.index[missing]).to_numpy(dtype=object)
    return result
