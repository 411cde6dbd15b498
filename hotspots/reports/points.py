"""Downloads of the risk points shown on the map: codes kept for re-import, labels in the user's language.

GeoJSON, GeoPackage and KML hold the codes only (``sea``, ``high``...), as every GIS
program expects. CSV and Excel are read by people: beside each coded column they get a
column of labels in the user's language (``water_type`` = ``sea``, *Loại mặt nước* =
*Biển*). The coded columns keep their field names, so the file can be imported again as
it is: the readers take the field by its exact name and keep the label columns as extra
properties.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis import COVERAGE_COLUMNS, RESCUE_PREFIX, SWIM_PREFIX
from hotspots.config import WGS84
from hotspots.formats import export_bytes
from hotspots.i18n import DEFAULT_LANGUAGE, label, t
from hotspots.reports.tables import TABLE_FORMATS, write_table
from hotspots.schema import RISK_POINTS

#: Coded columns that get a label column beside them in CSV and Excel: column →
#: (enumeration of the labels, or ``None`` for yes/no; catalogue key of the label column's header).
LABELLED_COLUMNS: Final[dict[str, tuple[str | None, str]]] = {
    "water_type": ("water_type", "review.col.water_type"),
    "risk_level": ("risk_level", "review.col.risk_level"),
    "hazards": ("hazard", "review.col.hazards"),
    "status": ("status", "map.filter_status"),
    "covered_swim": (None, "metric.swim"),
    "covered_rescue": (None, "metric.rescue"),
    "coverage_status": ("coverage", "map.filter_coverage"),
}
#: Names of the coordinate columns of CSV and Excel (the readers find them by these names).
COORDINATE_COLUMNS: Final = ("lon", "lat")

_DISTANCE_COLUMNS: Final = (f"{SWIM_PREFIX}_distance_m", f"{RESCUE_PREFIX}_distance_m")
_CODE_TRUE, _CODE_FALSE = "true", "false"


def export_points(
    table: gpd.GeoDataFrame, *, fmt: str, lang: str = DEFAULT_LANGUAGE, labels: bool = True
) -> bytes:
    """Encode risk points with their nearest facilities and distances in one export format.

    Parameters
    ----------
    table
        Rows of :func:`hotspots.analysis.coverage_table` (usually filtered).
    fmt
        A key of :data:`hotspots.formats.EXPORT_FORMATS`: ``geojson``, ``csv``, ``xlsx``,
        ``kml`` or ``gpkg``.
    lang
        Language of the label columns and of yes/no words (CSV and Excel).
    labels
        CSV and Excel: add the label columns (see :data:`LABELLED_COLUMNS`). Without them
        the table holds the codes only.

    Returns
    -------
    bytes
        The file: the risk-point fields, then :data:`~hotspots.analysis.COVERAGE_COLUMNS`
        with distances rounded to whole metres (missing when there is no facility of that
        kind); CSV and Excel end with ``lon`` and ``lat``.

    Raises
    ------
    SchemaError
        When ``fmt`` is unknown (the message lists the formats).
    """
    frame = _ordered(table)
    if fmt not in TABLE_FORMATS:
        return export_bytes(frame, layer=RISK_POINTS.name, fmt=fmt)
    return write_table(
        point_table(frame, lang=lang, labels=labels),
        fmt=fmt,
        lang=lang,
        sheet_name=t("map.points_heading", lang),
    )


def point_table(table: gpd.GeoDataFrame, *, lang: str, labels: bool = True) -> pd.DataFrame:
    """Return risk points as the rows of a CSV or Excel download.

    Parameters
    ----------
    table
        Risk points, with or without the coverage columns, in any CRS.
    lang
        Language of the label columns' headers and values.
    labels
        Add a label column after each coded column of :data:`LABELLED_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per point: the coded columns as stored (yes/no codes as ``true``/``false``,
        lists as lists), each followed by its label column when ``labels``, then ``lon`` and
        ``lat`` in WGS 84 (a point on the surface of any other shape).
    """
    frame = table.drop(columns=["source_index"], errors="ignore")
    geometry_name = frame.geometry.name
    columns = [c for c in frame.columns if c != geometry_name]
    out: dict[str, object] = {}
    for column in columns:
        values = frame[column]
        enumeration, header_key = LABELLED_COLUMNS.get(column, (None, None))
        if pd.api.types.is_bool_dtype(values):
            out[column] = [_yes_no_code(v) for v in values]
        else:
            out[column] = values.to_list()
        if labels and header_key is not None:
            out[t(header_key, lang)] = _labels(values, enumeration, lang)
    lon, lat = _coordinates(frame)
    out[COORDINATE_COLUMNS[0]], out[COORDINATE_COLUMNS[1]] = lon, lat
    return pd.DataFrame(out, index=range(len(frame)))


def _ordered(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Put schema fields first, other properties next, coverage columns last; round distances to metres."""
    frame = table.copy()
    for column in _DISTANCE_COLUMNS:
        if column in frame.columns:
            # Metres to the centimetre suggest a precision the coordinates do not have.
            frame[column] = np.round(frame[column].to_numpy(dtype=float))
    geometry_name = frame.geometry.name
    fields = [f for f in RISK_POINTS.field_names if f in frame.columns]
    coverage = [c for c in COVERAGE_COLUMNS if c in frame.columns]
    others = [c for c in frame.columns if c not in {*fields, *coverage, geometry_name}]
    return frame[[*fields, *others, *coverage, geometry_name]]


def _labels(values: pd.Series, enumeration: str | None, lang: str) -> list[object]:
    if enumeration is None:
        # Yes/no: the table writer writes the words of the user's language.
        return [None if pd.isna(v) else bool(v) for v in values]
    result: list[object] = []
    for value in values:
        if isinstance(value, list | tuple | np.ndarray):
            result.append([label(enumeration, item, lang) for item in value])
        elif value is None or (isinstance(value, float) and np.isnan(value)):
            result.append(None)
        else:
            result.append(label(enumeration, value, lang))
    return result


def _yes_no_code(value: object) -> str | None:
    if value is None or value is pd.NA:
        return None
    return _CODE_TRUE if bool(value) else _CODE_FALSE


def _coordinates(frame: gpd.GeoDataFrame) -> tuple[list[float | None], list[float | None]]:
    if not len(frame):
        return [], []
    if frame.crs is not None:
        frame = frame.to_crs(WGS84)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = np.full((len(geoms), 2), np.nan)
    if present.any():
        xy[present] = shapely.get_coordinates(shapely.point_on_surface(geoms[present]))
    lon = [None if np.isnan(x) else float(x) for x in xy[:, 0]]
    lat = [None if np.isnan(y) else float(y) for y in xy[:, 1]]
    return lon, lat
