"""Downloads of the risk points shown on the map, with their coverage columns."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np

from hotspots.analysis import RESCUE_PREFIX, SWIM_PREFIX
from hotspots.formats import EXPORT_FORMATS, export_bytes

#: Columns the coverage table adds to each risk point, in the order they are written.
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
_DISTANCE_COLUMNS: Final = (f"{SWIM_PREFIX}_distance_m", f"{RESCUE_PREFIX}_distance_m")


def export_points(table: gpd.GeoDataFrame, *, fmt: str) -> bytes:
    """Encode risk points with their nearest facilities and distances in one export format.

    Parameters
    ----------
    table
        Rows of :func:`hotspots.coverage.coverage_table` (usually filtered).
    fmt
        A key of :data:`hotspots.io.EXPORT_FORMATS`: ``geojson``, ``csv``, ``xlsx``,
        ``kml`` or ``gpkg``.

    Returns
    -------
    bytes
        The file: the risk-point fields, then :data:`COVERAGE_COLUMNS` with distances
        rounded to whole metres (missing when there is no facility of that kind).

    Raises
    ------
    SchemaError
        When ``fmt`` is unknown (the message lists the formats).
    """
    frame = table.copy()
    for column in _DISTANCE_COLUMNS:
        if column in frame.columns:
            # Metres to the centimetre suggest a precision the coordinates do not have.
            frame[column] = np.round(frame[column].to_numpy(dtype=float))
    present = [c for c in COVERAGE_COLUMNS if c in frame.columns]
    others = [c for c in frame.columns if c not in present and c != frame.geometry.name]
    return export_bytes(frame[[*others, *present, frame.geometry.name]], layer="risk_points", fmt=fmt)


def export_file_name(stem: str, fmt: str) -> str:
    """Return ``stem`` with the extension of ``fmt`` (``diem-nguy-co.geojson``)."""
    return f"{stem}{EXPORT_FORMATS[fmt][0]}"
