"""Coverage of risk points by swimming classes and rescue training.

A risk point is *covered* by swimming classes when the nearest class venue is
within ``swim_radius_m`` metres, and by rescue training when the nearest
training site is within ``rescue_radius_m`` metres. Every distance is measured
in metres in :data:`~hotspots.config.METRIC_CRS` (UTM zone 48N), never in
degrees. Nearest facilities are found with a shapely STRtree, so the cost grows
with ``n log m`` rather than ``n × m``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, METRIC_CRS
from hotspots.errors import CRSError, HotspotsError
from hotspots.schema import LAYERS

#: Values of the ``coverage_status`` column, best first.
COVERAGE_STATUSES: Final = ("both", "swim_only", "rescue_only", "neither")
#: Status of a swimming class or rescue training that covers (see ``hotspots.schema.VENUE_STATUSES``).
IN_SERVICE_STATUS: Final = "active"
#: Prefixes of the columns added by :func:`coverage_table`.
SWIM_PREFIX: Final = "nearest_swim"
RESCUE_PREFIX: Final = "nearest_rescue"
#: Columns :func:`coverage_table` adds to each risk point, in the order they are written.
COVERAGE_COLUMNS: Final = (
    f"{SWIM_PREFIX}_id",
    f"{SWIM_PREFIX}_name",
    f"{SWIM_PREFIX}_distance_m",
    f"{RESCUE_PREFIX}_id",
    f"{RESCUE_PREFIX}_name",
    f"{RESCUE_PREFIX}_distance_m",
    "covered_swim",
    "covered_rescue",
    "coverage_status",
)

# Only point layers are facilities; commune_id is a foreign key in them, never their own id.
_ID_FIELDS: Final = tuple(schema.id_field for schema in LAYERS.values() if schema.is_point_layer)


@dataclass(frozen=True)
class CoverageCounts:
    """How many of a set of risk points are covered, and by what.

    ``swim`` and ``rescue`` count points covered by that kind of facility
    (whether or not the other one also covers them); ``both`` and ``neither``
    are the two extremes, so ``swim + rescue - both + neither == total``.
    """

    total: int
    swim: int
    rescue: int
    both: int
    neither: int

    def share(self, kind: str) -> float | None:
        """Return the share (0–1) of points counted under ``kind``.

        Parameters
        ----------
        kind
            ``"swim"``, ``"rescue"``, ``"both"`` or ``"neither"``.

        Returns
        -------
        float or None
            ``None`` when there are no points: a share of nothing is undefined,
            and showing 0 % would read as "nothing is covered".
        """
        if kind not in ("swim", "rescue", "both", "neither"):
            msg = f"Unknown coverage kind '{kind}'; use one of: swim, rescue, both, neither."
            raise HotspotsError(msg)
        if self.total == 0:
            return None
        return getattr(self, kind) / self.total


@dataclass(frozen=True)
class CoverageSummary:
    """Coverage of all risk points and of the black spots among them."""

    points: CoverageCounts
    black_spots: CoverageCounts


def nearest_facilities(
    points: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    prefix: str,
    id_field: str | None = None,
) -> pd.DataFrame:
    """Find the nearest facility of each point and its distance in metres.

    Parameters
    ----------
    points
        Point features, in any CRS that has a definition.
    facilities
        Point (or any) features to measure to, in any defined CRS. An empty layer
        may have no CRS: there is nothing to measure.
    prefix
        Start of the output column names, e.g. ``"nearest_swim"``.
    id_field
        Column holding the facility identifier. By default the first schema id
        field found among the columns (``class_id``, ``training_id``...), else the index.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``, with columns ``{prefix}_id``, ``{prefix}_name`` and
        ``{prefix}_distance_m``. Points with no facility (empty layer, empty geometry)
        get missing id and name and a NaN distance.

    Raises
    ------
    CRSError
        If either layer has no CRS (an empty ``facilities`` layer excepted).
    """
    point_geoms = _metric_geometries(points, what="risk points")
    n = len(points)
    ids = np.full(n, None, dtype=object)
    names = np.full(n, None, dtype=object)
    distances = np.full(n, np.nan)
    if len(facilities) and n:
        facility_geoms = _metric_geometries(facilities, what="facilities")
        tree = shapely.STRtree(facility_geoms)
        (point_idx, facility_idx), found = tree.query_nearest(
            point_geoms, return_distance=True, all_matches=False
        )
        facility_ids = _facility_ids(facilities, id_field)
        facility_names = _column_or_none(facilities, "name")
        ids[point_idx] = facility_ids[facility_idx]
        names[point_idx] = facility_names[facility_idx]
        distances[point_idx] = found
    return pd.DataFrame(
        {f"{prefix}_id": ids, f"{prefix}_name": names, f"{prefix}_distance_m": distances},
        index=points.index,
    )


def coverage_table(
    risk_points: gpd.GeoDataFrame,
    swim_classes: gpd.GeoDataFrame,
    rescue_trainings: gpd.GeoDataFrame,
    *,
    swim_radius_m: float = DEFAULT_SWIM_RADIUS_M,
    rescue_radius_m: float = DEFAULT_RESCUE_RADIUS_M,
) -> gpd.GeoDataFrame:
    """Add nearest facilities, distances and coverage status to every risk point.

    Parameters
    ----------
    risk_points
        The risk-point layer, in any defined CRS.
    swim_classes, rescue_trainings
        The facility layers; either may be empty (then nothing is covered by it). Only
        facilities in service count (see :func:`in_service`): planned and cancelled ones do not.
    swim_radius_m, rescue_radius_m
        Reach of a swimming class and of a rescue-training site, in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``risk_points`` (same CRS, same index) with the columns of
        :func:`nearest_facilities` for both layers (prefixes ``nearest_swim`` and
        ``nearest_rescue``), ``covered_swim``, ``covered_rescue`` (bool) and
        ``coverage_status`` (one of :data:`COVERAGE_STATUSES`).

    Raises
    ------
    CRSError
        If a layer has no CRS.
    HotspotsError
        If a radius is negative or not a number.
    """
    _check_radius(swim_radius_m, what="swimming-class radius")
    _check_radius(rescue_radius_m, what="rescue-training radius")
    swim = nearest_facilities(risk_points, in_service(swim_classes), prefix=SWIM_PREFIX)
    rescue = nearest_facilities(risk_points, in_service(rescue_trainings), prefix=RESCUE_PREFIX)
    table = risk_points.copy()
    for extra in (swim, rescue):
        for column in extra.columns:
            table[column] = extra[column]
    # NaN compares False, so a point with no facility at all is simply uncovered.
    covered_swim = swim[f"{SWIM_PREFIX}_distance_m"].to_numpy() <= swim_radius_m
    covered_rescue = rescue[f"{RESCUE_PREFIX}_distance_m"].to_numpy() <= rescue_radius_m
    table["covered_swim"] = covered_swim
    table["covered_rescue"] = covered_rescue
    table["coverage_status"] = np.select(
        [covered_swim & covered_rescue, covered_swim, covered_rescue],
        list(COVERAGE_STATUSES[:3]),
        default=COVERAGE_STATUSES[3],
    )
    return table


def in_service(facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the facilities in service: status ``active``, or no status (planned and cancelled left out)."""
    if "status" not in facilities.columns:
        return facilities
    status = facilities["status"]
    return facilities[(status.isna() | (status == IN_SERVICE_STATUS)).to_numpy()]


def coverage_summary(table: gpd.GeoDataFrame | pd.DataFrame) -> CoverageSummary:
    """Count covered points, overall and among black spots.

    Parameters
    ----------
    table
        Output of :func:`coverage_table` (possibly filtered).

    Returns
    -------
    CoverageSummary
        Counts from which the page shows shares.
    """
    black = (table["risk_level"] == "black_spot").to_numpy() if len(table) else np.zeros(0, dtype=bool)
    return CoverageSummary(points=_counts(table), black_spots=_counts(table[black]))


def _counts(table: pd.DataFrame) -> CoverageCounts:
    if len(table) == 0:
        return CoverageCounts(total=0, swim=0, rescue=0, both=0, neither=0)
    swim = table["covered_swim"].to_numpy(dtype=bool)
    rescue = table["covered_rescue"].to_numpy(dtype=bool)
    return CoverageCounts(
        total=len(table),
        swim=int(swim.sum()),
        rescue=int(rescue.sum()),
        both=int((swim & rescue).sum()),
        neither=int((~swim & ~rescue).sum()),
    )


def _metric_geometries(frame: gpd.GeoDataFrame, *, what: str) -> np.ndarray:
    if frame.crs is None:
        msg = (
            f"The {what} have no coordinate reference system, so distances cannot be measured. "
            "Save the file with one (GeoJSON is always WGS 84, EPSG:4326)."
        )
        raise CRSError(msg)
    return frame.geometry.to_crs(METRIC_CRS).to_numpy()


def _facility_ids(facilities: gpd.GeoDataFrame, id_field: str | None) -> np.ndarray:
    if id_field is None:
        id_field = next((f for f in _ID_FIELDS if f in facilities.columns), None)
    if id_field is None:
        return facilities.index.to_numpy(dtype=object)
    if id_field not in facilities.columns:
        msg = (
            f"The facilities have no column '{id_field}'; their columns are: {', '.join(facilities.columns)}."
        )
        raise HotspotsError(msg)
    return facilities[id_field].to_numpy(dtype=object)


def _column_or_none(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column in frame.columns:
        return frame[column].to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)


def _check_radius(value: float, *, what: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < 0
    ):
        msg = f"The {what} must be a number of metres, 0 or more (for example 2000); got {value!r}."
        raise HotspotsError(msg)
