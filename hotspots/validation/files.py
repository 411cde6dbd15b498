"""Layer files in any supported format, read by :mod:`hotspots.formats` and then validated.

GeoJSON is parsed and validated here; CSV, Excel, KML, GPX and GeoPackage files are turned into
raw features by :func:`hotspots.formats.read_features`, whose whole-file problems come first in
the report.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import geopandas as gpd

from hotspots.errors import UnreadableFileError
from hotspots.formats import check_file_size, detect_format, read_features
from hotspots.i18n import coded_error
from hotspots.schema import get_layer_schema
from hotspots.validation.documents import validate_features, validate_geojson
from hotspots.validation.reference import NO_REFERENCE, ReferenceData
from hotspots.validation.report import ValidationReport


def read_layer_file(
    path: str | os.PathLike[str],
    *,
    layer: str = "risk_points",
    reference: ReferenceData = NO_REFERENCE,
) -> ValidationReport:
    """Read and validate a layer file in any supported format.

    The format comes from the extension (or, without one, from the first bytes): GeoJSON,
    CSV (separator and decimal comma detected, degrees-minutes-seconds accepted), KML, GPX
    waypoints, GeoPackage (any CRS) or Excel .xlsx (first sheet).

    Parameters
    ----------
    path
        The file.
    layer, reference
        As in :func:`validate_features`.

    Returns
    -------
    ValidationReport
        Accepted features, every problem (whole-file ones first) and the rejected features.

    Raises
    ------
    UnreadableFileError
        Missing file, too large (checked before reading), unknown format, or bytes that are
        not the format they claim to be.
    SchemaError
        Unknown layer, or a table without latitude/longitude columns.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise coded_error(UnreadableFileError, "no_file", path=path) from None
    if not path.is_file():
        raise coded_error(UnreadableFileError, "is_folder", path=path)
    check_file_size(size)
    options = {"layer": layer, "reference": reference}
    return read_layer_bytes(path.read_bytes(), filename=path.name, **options)


def read_layer_bytes(
    data: bytes,
    *,
    filename: str,
    layer: str = "risk_points",
    reference: ReferenceData = NO_REFERENCE,
) -> ValidationReport:
    """Read and validate a layer file held in memory (an upload), like :func:`read_layer_file`.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The file's name; its extension selects the format.
    layer, reference
        As in :func:`validate_features`.

    Returns
    -------
    ValidationReport
        As :func:`read_layer_file`.
    """
    check_file_size(len(data))
    get_layer_schema(layer)
    fmt = detect_format(filename, data[:512])
    options = {"layer": layer, "reference": reference}
    if fmt == "geojson":
        return validate_geojson(data, **options)
    features, file_problems = read_features(data, fmt=fmt, layer=layer)
    report = validate_features(features, **options)
    if not file_problems:
        return report
    return dataclasses.replace(report, problems=(*file_problems, *report.problems))


def read_layer(
    path: str | os.PathLike[str],
    *,
    layer: str = "risk_points",
    reference: ReferenceData = NO_REFERENCE,
) -> gpd.GeoDataFrame:
    """Read a layer file and return its features, refusing the file if any feature is invalid.

    Parameters
    ----------
    path, layer, reference
        As in :func:`read_layer_file`.

    Returns
    -------
    geopandas.GeoDataFrame
        The validated features (see :attr:`ValidationReport.valid`).

    Raises
    ------
    ValidationError
        Listing every error, when any feature (or the file) has one.
    """
    report = read_layer_file(path, layer=layer, reference=reference)
    report.raise_for_errors()
    return report.valid
