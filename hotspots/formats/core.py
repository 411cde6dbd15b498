"""Reading and writing layer files: GeoJSON, CSV, KML, GPX, GeoPackage and Excel.

Every reader turns the file into GeoJSON-like features and hands them to
:func:`hotspots.validation.validate_features`, so all formats get the same checks and the
same messages. Writers produce bytes (for download buttons) and write files atomically.
Shipped, trusted layers are read fast with :func:`load_geodata_layer`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import html
import io
import json
import math
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pyproj
import shapely
import shapely.geometry
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from hotspots.config import GEODATA_DIR, WGS84
from hotspots.errors import Problem, SchemaError, UnreadableFileError, ValidationError
from hotspots.i18n import Phrase, coded_error, make_problem
from hotspots.schema import get_layer_schema
from hotspots.validation import (
    NO_REFERENCE,
    ReferenceData,
    ValidationReport,
    check_file_size,
    conform_columns,
    decode_text,
    validate_features,
    validate_geojson,
)

#: Formats :func:`export_bytes` and :func:`write_layer` produce: name → (extension, MIME type).
EXPORT_FORMATS: Final[dict[str, tuple[str, str]]] = {
    "geojson": (".geojson", "application/geo+json"),
    "csv": (".csv", "text/csv"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
#: File extensions the readers accept, and the format each one means.
READ_EXTENSIONS: Final[dict[str, str]] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".kml": "kml",
    ".gpx": "gpx",
    ".gpkg": "gpkg",
    ".xlsx": "xlsx",
}
#: The format list shown to users when a file cannot be read.
SUPPORTED_FORMATS_TEXT: Final = (
    "GeoJSON (.geojson, .json), CSV (.csv, .txt), KML (.kml), GPX (.gpx), GeoPackage (.gpkg) "
    "and Excel (.xlsx)"
)
#: Column headings read as latitude, longitude, or both ("21.0123, 107.0456", as Google Maps
#: copies them), compared without accents, case, spaces or underscores.
LATITUDE_NAMES: Final = ("lat", "latitude", "vĩ độ", "y", "lat dd", "latitude dd")
LONGITUDE_NAMES: Final = ("lon", "lng", "long", "longitude", "kinh độ", "x", "lon dd", "longitude dd")
LAT_LON_NAMES: Final = ("tọa độ", "toạ độ", "coordinates", "coords", "lat lon", "lat lng", "latlon")

# Extensions with a hint on how to convert them (message "hint.<extension>" in hotspots.i18n).
_HINTS: Final = frozenset([".xls", ".kmz", ".shp", ".zip"])
# KML placemark attributes that are styling or housekeeping, not data.
_KML_HOUSEKEEPING: Final = frozenset(
    [
        "id",
        "timestamp",
        "begin",
        "end",
        "altitudeMode",
        "tessellate",
        "extrude",
        "visibility",
        "drawOrder",
        "icon",
        "snippet",
    ]
)
# GPX waypoint fields about the GPS fix, not about the place.
_GPX_TECHNICAL: Final = frozenset(
    {"magvar", "geoidheight", "fix", "sat", "hdop", "vdop", "pdop", "ageofdgpsdata", "dgpsid", "src"}
)
# Spreadsheets run cells starting with these as formulas (CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_DMS_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DMS_BODY = re.compile(r"[\d.,\s°º˚'′’‘\"″”“:dDmMsS]+")
# Upper case only: a lower-case "s" marks seconds (12.5s), not south.
_HEMISPHERE = re.compile(r"^\s*([NSEW])\s*(.*?)\s*$|^\s*(.*?)\s*([NSEW])\s*$")
_SEPARATORS = ("\t", ";", ",", "|")
# Two values in one cell ("21.0123, 107.0456"): a separator followed by more digits.
_PAIR_SEPARATOR = re.compile(r"\d\s*[;,]?\s+[-+NSEW]?\d|\d[;,]\s*[-+NSEW]?\d+[.,°]")
# Characters XML 1.0 cannot hold at all (KML is XML).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
        As in :func:`hotspots.validation.validate_features`.

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
        As in :func:`hotspots.validation.validate_features`.

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
    features, file_problems = _READERS[fmt](data, layer)
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


def detect_format(filename: str, head: bytes = b"") -> str:
    """Return the reader format for a file name, looking at its first bytes when it has no extension.

    Raises
    ------
    UnreadableFileError
        When the extension is not supported; the message lists the supported formats.
    """
    suffix = Path(filename).suffix.lower()
    if suffix in READ_EXTENSIONS:
        return READ_EXTENSIONS[suffix]
    if not suffix:
        sniffed = _sniff_format(head)
        if sniffed is not None:
            return sniffed
    shown = Phrase("file.ending", {"suffix": suffix}) if suffix else Phrase("file.named", {"name": filename})
    hint = Phrase(f"hint.{suffix}") if suffix in _HINTS else ""
    raise coded_error(
        UnreadableFileError, "unsupported_format", shown=shown, formats=SUPPORTED_FORMATS_TEXT, hint=hint
    )


def parse_lat_lon(latitude: object, longitude: object = None) -> tuple[float, float]:
    r"""Read a latitude and a longitude typed by hand, as the table readers do.

    Accepts a decimal point or a decimal comma (``21,0123``), degrees-minutes-seconds
    (``21°00'12.5"N``), and both values pasted into ``latitude`` as Google Maps copies
    them (``21.0123, 107.0456``) when ``longitude`` is empty. Whether the place lies
    in the province is the validator's job, not this function's.

    Parameters
    ----------
    latitude, longitude
        The two values as typed (text or numbers).

    Returns
    -------
    tuple of float
        ``(latitude, longitude)`` in degrees.

    Raises
    ------
    ValidationError
        Naming each value that is missing or not a coordinate, with the accepted forms.

    Examples
    --------
    >>> parse_lat_lon("21,0123", "107°2'44\"E")
    (21.0123, 107.04555555555555)
    """
    if _blank(longitude) and not _blank(latitude) and _PAIR_SEPARATOR.search(str(latitude).strip()):
        lat, lon = _parse_pair(latitude)
    else:
        lat, lon = _parse_coordinate(latitude), _parse_coordinate(longitude)
    problems = []
    for field, value, example in (("latitude", lat, "21.0123"), ("longitude", lon, "107.0456")):
        name = Phrase(f"word.{field}")
        if value is None:
            problems.append(make_problem("lat_lon_missing", field=field, name=name, example=example))
        elif not isinstance(value, float) or not math.isfinite(value):
            problems.append(
                make_problem(
                    "lat_lon_invalid",
                    field=field,
                    name=name,
                    value=repr(str(value)[:40]),
                    example=example,
                    example_comma=example.replace(".", ","),
                )
            )
    if problems:
        raise ValidationError(problems, "The coordinates cannot be read")
    return lat, lon


def load_geodata_layer(name: str, directory: str | os.PathLike[str] = GEODATA_DIR) -> gpd.GeoDataFrame:
    """Read a shipped (trusted) layer fast, with a light schema check.

    Parameters
    ----------
    name
        Layer name; the file is ``<directory>/<name>.geojson``.
    directory
        Folder of the shipped data.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, the schema's fields first (missing optional ones filled with defaults), lists
        as Python lists, dates as ISO text.

    Raises
    ------
    UnreadableFileError
        When the file is missing.
    SchemaError
        When the layer is unknown or the file lacks a required field.
    """
    schema = get_layer_schema(name)
    path = Path(directory) / f"{name}.geojson"
    if not path.is_file():
        msg = f"The layer file {path} is missing; build the sample data with: python -m hotspots build-sample"
        raise UnreadableFileError(msg)
    gdf = _read_ogr(path, DATE_AS_STRING="YES")
    missing = [f for f in schema.required_fields if f not in gdf.columns]
    if missing:
        msg = f"{path.name} lacks the required field(s) {', '.join(missing)} of layer '{name}'."
        raise SchemaError(msg)
    return conform_columns(_to_wgs84(gdf), layer=name)


def load_province(directory: str | os.PathLike[str] = GEODATA_DIR) -> shapely.Geometry:
    """Return the province outline (the union of ``province.geojson``) in EPSG:4326.

    The result is cached until the file changes.

    Raises
    ------
    UnreadableFileError
        When ``province.geojson`` is missing.
    """
    path = Path(directory) / "province.geojson"
    try:
        stat = path.stat()
    except OSError:
        msg = (
            f"The province outline {path} is missing; build the sample data: python -m hotspots build-sample"
        )
        raise UnreadableFileError(msg) from None
    return _read_outline(str(path), stat.st_mtime_ns, stat.st_size)


def export_bytes(gdf: gpd.GeoDataFrame, *, layer: str, fmt: str) -> bytes:
    """Encode a layer's features in one of :data:`EXPORT_FORMATS`.

    Parameters
    ----------
    gdf
        Features of the layer (any CRS; written as EPSG:4326). ``source_index`` is left out.
    layer
        Name of the layer (layer name inside GeoPackage and KML, sheet name in Excel).
    fmt
        ``geojson`` (RFC 7946), ``csv`` (``lon``/``lat`` columns, lists joined with "; ",
        UTF-8 with BOM so Excel shows the diacritics), ``kml``, ``gpkg`` (lists as JSON text) or
        ``xlsx``. Text cells of CSV and Excel that a spreadsheet would run as a formula are
        prefixed with a single quote; numbers stay numbers. Tables hold points: other shapes
        are written as a point on their surface.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    SchemaError
        When ``fmt`` or ``layer`` is unknown.
    """
    get_layer_schema(layer)
    writer = _WRITERS.get(fmt)
    if writer is None:
        msg = f"Unknown export format '{fmt}'. Formats: {', '.join(EXPORT_FORMATS)}."
        raise SchemaError(msg)
    return writer(_export_frame(gdf, layer), layer)


def to_geojson_bytes(gdf: gpd.GeoDataFrame, *, layer: str) -> bytes:
    """Encode features as RFC 7946 GeoJSON (UTF-8, lists as JSON lists).

    Shorthand for ``export_bytes(gdf, layer=layer, fmt="geojson")``.
    """
    return export_bytes(gdf, layer=layer, fmt="geojson")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB blocks.

    Used to recognise a file imported before and to record the inputs of the sample build.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_layer(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, layer: str = "risk_points", fmt: str | None = None
) -> Path:
    """Write a layer's features to a file, atomically.

    The content goes to a temporary file in the same folder, which is flushed to disk and then
    renamed over ``path``: a reader never sees half a file, even after a crash.

    Parameters
    ----------
    gdf
        Features of the layer.
    path
        Destination file.
    layer
        Name of the layer.
    fmt
        One of :data:`EXPORT_FORMATS`; ``None`` takes it from the extension of ``path``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SchemaError
        When the format is unknown or cannot be told from the extension.
    """
    path = Path(path)
    if fmt is None:
        by_extension = {ext: name for name, (ext, _) in EXPORT_FORMATS.items()} | {".json": "geojson"}
        fmt = by_extension.get(path.suffix.lower())
        if fmt is None:
            extensions = ", ".join(ext for ext, _ in EXPORT_FORMATS.values())
            msg = f"Cannot tell the format of '{path.name}': use one of {extensions}, or give fmt."
            raise SchemaError(msg)
    _atomic_write(path, export_bytes(gdf, layer=layer, fmt=fmt))
    return path


# --------------------------------------------------------------------------------------
# Private helpers: readers. Each returns (GeoJSON-like features, whole-file problems).

Reader = Callable[[bytes, str], tuple[list[dict[str, Any]], list[Problem]]]


def _read_csv(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    text, problems = decode_text(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    separator = max(_SEPARATORS, key=lambda s: _count_outside_quotes(first, s))
    if _count_outside_quotes(first, separator) == 0:
        separator = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise coded_error(UnreadableFileError, "csv_unreadable", error=exc) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise coded_error(UnreadableFileError, "table_empty")
    return _table_features(rows[0], rows[1:]), problems


def _read_xlsx(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise coded_error(UnreadableFileError, "xlsx_unreadable", error=type(exc).__name__) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    rows = [row for row in rows if any(not _blank(cell) for cell in row)]
    if not rows:
        raise coded_error(UnreadableFileError, "sheet_empty")
    header = [f"column_{k + 1}" if _blank(cell) else str(cell).strip() for k, cell in enumerate(rows[0])]
    return _table_features(header, rows[1:]), []


def _read_kml(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    frames = [_read_ogr(data, layer=name) for name in _layer_names(data)]
    frames = [f for f in frames if len(f)]
    if not frames:
        raise coded_error(UnreadableFileError, "kml_no_placemarks")
    gdf = pd.concat(frames, ignore_index=True)
    gdf = gdf.drop(columns=[c for c in gdf.columns if c in _KML_HOUSEKEEPING])
    for column in gdf.columns:
        if column != gdf.geometry.name:
            gdf[column] = _map_text(gdf[column], html.unescape)
    # KML always stores a height (usually 0); it is not data, so drop it without a warning.
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    return _frame_features(gdf), []


def _read_gpx(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    names = _layer_names(data)
    gdf = _read_ogr(data, layer="waypoints") if "waypoints" in names else None
    if gdf is None or not len(gdf):
        raise coded_error(UnreadableFileError, "gpx_no_waypoints")
    drop = [c for c in gdf.columns if c in _GPX_TECHNICAL or c.startswith("link")]
    gdf = gdf.drop(columns=drop).dropna(axis=1, how="all")
    return _frame_features(gdf), []


def _read_gpkg(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    names = _layer_names(data)
    if not names:
        raise coded_error(UnreadableFileError, "gpkg_no_layers")
    chosen = next((n for n in names if n == layer), None)
    chosen = chosen or next((n for n in names if layer.lower() in n.lower()), names[0])
    problems: list[Problem] = []
    if len(names) > 1:
        problems.append(make_problem("gpkg_many_layers", severity="warning", count=len(names), layer=chosen))
    gdf = _read_ogr(data, layer=chosen)
    crs = None if gdf.crs is None else pyproj.CRS(gdf.crs)
    if crs is None:
        problems.append(make_problem("gpkg_no_crs", severity="warning"))
    elif not crs.equals(pyproj.CRS(WGS84), ignore_axis_order=True):
        problems.append(
            make_problem("crs_converted", severity="warning", crs=crs.to_string(), crs_name=crs.name)
        )
        gdf = gdf.to_crs(WGS84)
    return _frame_features(gdf), problems


_READERS: Final[dict[str, Reader]] = {
    "csv": _read_csv,
    "xlsx": _read_xlsx,
    "kml": _read_kml,
    "gpx": _read_gpx,
    "gpkg": _read_gpkg,
}


def _table_features(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Turn spreadsheet rows into point features, finding the coordinate columns by name."""
    columns = [unicodedata.normalize("NFC", str(h)).strip() for h in header]
    lat, lon, pair = _coordinate_columns(columns)
    if pair is None and (lat is None or lon is None):
        raise coded_error(SchemaError, "no_lat_lon_columns", columns=", ".join(columns[:20]))
    used = {k for k in (lat, lon, pair) if k is not None}
    features = []
    for row in rows:
        cells = list(row) + [None] * (len(columns) - len(row))
        if all(_blank(cell) for cell in cells):
            continue
        properties = {
            columns[k]: _unguard(cell)
            for k, cell in enumerate(cells[: len(columns)])
            if k not in used and not _blank(cell)
        }
        if pair is not None:
            y, x = _parse_pair(cells[pair])
        else:
            y, x = _parse_coordinate(cells[lat]), _parse_coordinate(cells[lon])
        geometry = None if x is None and y is None else {"type": "Point", "coordinates": [x, y]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


def _coordinate_columns(columns: Sequence[str]) -> tuple[int | None, int | None, int | None]:
    keys = [_plain_key(c) for c in columns]

    def find(names: Sequence[str]) -> int | None:
        wanted = {_plain_key(n) for n in names}
        return next((k for k, key in enumerate(keys) if key in wanted), None)

    lat, lon = find(LATITUDE_NAMES), find(LONGITUDE_NAMES)
    pair = find(LAT_LON_NAMES) if lat is None or lon is None else None
    return lat, lon, pair


def _parse_coordinate(cell: Any) -> float | str | None:
    """Read one coordinate: a number, decimal comma, or degrees-minutes-seconds text.

    Returns the number, ``None`` for an empty cell, or the original text when it is not a
    coordinate (the validator then reports it).
    """
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int | float):
        return float(cell)
    text = unicodedata.normalize("NFC", str(cell)).strip()
    plain = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        return float(plain)
    except ValueError:
        pass
    dms = _parse_dms(text)
    return text if dms is None else dms


def _parse_dms(text: str) -> float | None:
    """Degrees, minutes and seconds, e.g. 21°00'12.5"N, 21 0 12.5 or N 21°0.2'."""
    match = _HEMISPHERE.match(text)
    hemisphere = ""
    body = text
    if match and (match.group(1) or match.group(4)):
        hemisphere = (match.group(1) or match.group(4)).upper()
        body = match.group(2) if match.group(1) else match.group(3)
    sign = 1.0
    if body.startswith("-"):
        sign, body = -1.0, body[1:]
    if not body or not _DMS_BODY.fullmatch(body):
        return None
    parts = [float(p.replace(",", ".")) for p in _DMS_NUMBER.findall(body)]
    if not 1 <= len(parts) <= 3 or any(p >= 60 for p in parts[1:]):
        return None
    value = sum(p / 60**k for k, p in enumerate(parts))
    if hemisphere in ("S", "W"):
        sign = -sign
    return sign * value


def _parse_pair(cell: Any) -> tuple[float | str | None, float | str | None]:
    """Split a "latitude, longitude" cell (Google Maps order)."""
    if _blank(cell):
        return None, None
    parts = [p for p in re.split(r"[;,\s]+", str(cell).strip()) if p]
    if len(parts) != 2:
        return str(cell), str(cell)
    return _parse_coordinate(parts[0]), _parse_coordinate(parts[1])


def _frame_features(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Turn a GeoDataFrame read by pyogrio into GeoJSON-like features (missing values omitted)."""
    geometry_name = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geometry_name]
    records = gdf[columns].to_dict("records")
    features = []
    for record, geom in zip(records, gdf.geometry.values, strict=True):
        properties = {k: _plain_value(v) for k, v in record.items() if not _blank(v)}
        geometry = None if geom is None or geom.is_empty else shapely.geometry.mapping(geom)
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


def _read_ogr(source: bytes | Path, **options: Any) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            # GDAL warns that in-memory files have no proper extension.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(source, **options)
    except pyogrio.errors.DataSourceError as exc:
        raise coded_error(UnreadableFileError, "not_map_data", error=exc) from None


def _layer_names(data: bytes) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return [str(name) for name, _ in pyogrio.list_layers(data)]
    except pyogrio.errors.DataSourceError as exc:
        raise coded_error(UnreadableFileError, "not_map_data", error=exc) from None


def _sniff_format(head: bytes) -> str | None:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "geojson"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"<kml" in head:
        return "kml"
    if b"<gpx" in head:
        return "gpx"
    return None


def _count_outside_quotes(line: str, separator: str) -> int:
    return sum(len(re.findall(re.escape(separator), part)) for part in line.split('"')[::2])


@lru_cache(maxsize=4)
def _read_outline(path: str, mtime_ns: int, size: int) -> shapely.Geometry:
    gdf = _to_wgs84(_read_ogr(Path(path)))
    return shapely.union_all(shapely.make_valid(gdf.geometry.values))


# --------------------------------------------------------------------------------------
# Private helpers: writers. Each takes an EPSG:4326 frame and returns bytes.


def _export_frame(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Copy in EPSG:4326 with the schema's fields first and no ``source_index``."""
    frame = _to_wgs84(gdf.drop(columns=["source_index"], errors="ignore"))
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    fields = [f for f in get_layer_schema(layer).field_names if f in frame.columns]
    others = [c for c in frame.columns if c not in fields and c != "geometry"]
    return frame[[*fields, *others, "geometry"]]


def _write_geojson(frame: gpd.GeoDataFrame, layer: str) -> bytes:
    columns = [c for c in frame.columns if c != "geometry"]
    records = frame[columns].to_dict("records")
    geometries = shapely.orient_polygons(np.asarray(frame.geometry.values, dtype=object))
    lines = []
    for record, geom in zip(records, geometries, strict=True):
        feature = {
            "type": "Feature",
            "properties": {k: _json_value(v) for k, v in record.items()},
            "geometry": _geometry_json(geom),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, allow_nan=False))
    head = json.dumps({"type": "FeatureCollection", "name": layer}, ensure_ascii=False)[:-1]
    body = ",\n".join(lines)
    return f'{head}, "features": [\n{body}\n]}}\n'.encode()


def _write_csv(frame: gpd.GeoDataFrame, layer: str) -> bytes:
    header, rows = _table_rows(frame)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if v is None else _csv_text(v) for v in row] for row in rows)
    # The byte-order mark makes Excel read UTF-8 (and so the diacritics) correctly.
    return out.getvalue().encode("utf-8-sig")


def _write_xlsx(frame: gpd.GeoDataFrame, layer: str) -> bytes:
    header, rows = _table_rows(frame)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=layer[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_kml(frame: gpd.GeoDataFrame, layer: str) -> bytes:
    frame = frame.copy()
    # KML shows <name> and <description> in the placemark balloon; notes are the description.
    if "notes" in frame.columns and "description" not in frame.columns:
        frame = frame.rename(columns={"notes": "description"})
    # Google Earth renders balloon text as HTML: escape it so "<script>" shows as typed. The
    # escaping also keeps "]]>" out of GDAL's CDATA sections. _read_kml undoes it.
    for column in frame.columns:
        if column != "geometry":
            frame[column] = _map_text(frame[column], lambda v: html.escape(_XML_ILLEGAL.sub("", v)))
    return _write_ogr(frame, layer, driver="LIBKML")


def _write_gpkg(frame: gpd.GeoDataFrame, layer: str) -> bytes:
    return _write_ogr(frame, layer, driver="GPKG")


_WRITERS: Final[dict[str, Callable[[gpd.GeoDataFrame, str], bytes]]] = {
    "geojson": _write_geojson,
    "csv": _write_csv,
    "kml": _write_kml,
    "gpkg": _write_gpkg,
    "xlsx": _write_xlsx,
}


def _write_ogr(frame: gpd.GeoDataFrame, layer: str, *, driver: str) -> bytes:
    """Write with GDAL: lists and other objects become text, object columns get one type."""
    frame = frame.copy()
    for column in frame.columns:
        if column != "geometry" and frame[column].dtype == object:
            frame[column] = _ogr_column(frame[column])
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(frame, out, driver=driver, layer=layer)
    return out.getvalue()


def _map_text(column: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """Apply ``function`` to the text values of a column, leaving other values alone."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return column
    values = [function(v) if isinstance(v, str) else v for v in column]
    return pd.Series(values, index=column.index, dtype=column.dtype)


def _ogr_column(column: pd.Series) -> pd.Series:
    values = [None if _missing(v) else _plain_value(v) for v in column]
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, index=column.index, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, index=column.index, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([math.nan if v is None else v for v in values], index=column.index, dtype="float64")
    text = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
    return pd.Series(text, index=column.index, dtype="str")


def _table_rows(frame: gpd.GeoDataFrame) -> tuple[list[str], list[list[Any]]]:
    """Header and typed rows for CSV and Excel: properties, then lon and lat."""
    columns = [c for c in frame.columns if c != "geometry"]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = np.full((len(geoms), 2), np.nan)
    if present.any():
        xy[present] = shapely.get_coordinates(shapely.point_on_surface(geoms[present]))
    rows = []
    for record, (x, y) in zip(frame[columns].to_dict("records"), xy, strict=True):
        cells = [_table_cell(v) for v in record.values()]
        rows.append([*cells, None if math.isnan(x) else float(x), None if math.isnan(y) else float(y)])
    return [*columns, "lon", "lat"], rows


def _table_cell(value: Any) -> Any:
    """Make a spreadsheet cell: numbers and booleans typed, lists joined, text guarded."""
    value = _json_value(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return guard_formula(value)


def guard_formula(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula; plain numbers pass.

    Every table export (CSV, XLSX) passes its text cells through this guard.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _unguard(value: Any) -> Any:
    """Undo :func:`guard_formula` when reading a table back."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _geometry_json(geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return {"type": "Point", "coordinates": [geom.x, geom.y]}
    return shapely.geometry.mapping(geom)


def _json_value(value: Any) -> Any:
    """Make a value JSON-ready: NaN and NA → None, numpy → Python, dates → ISO text."""
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if _missing(value):
        return None
    return _plain_value(value)


def _plain_value(value: Any) -> Any:
    """Turn numpy and pandas scalars into Python ones; dates and times into ISO text."""
    if isinstance(value, np.ndarray):
        return [_plain_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _blank(value: Any) -> bool:
    """Tell whether a cell is empty: missing, or text of only spaces."""
    return _missing(value) or (isinstance(value, str) and not value.strip())


def _missing(value: Any) -> bool:
    """Tell whether a value is absent: None, NaN, NA or NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _plain_key(text: str) -> str:
    """Compare headings without accents, case, spaces, underscores or a bracketed unit."""
    text = re.sub(
        r"\(.*?\)|\[.*?\]", "", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    )
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.]+", " ", text.casefold()).strip()


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        return gdf.set_crs(WGS84)
    if pyproj.CRS(gdf.crs).equals(pyproj.CRS(WGS84), ignore_axis_order=True):
        return gdf
    return gdf.to_crs(WGS84)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # Make the rename itself durable (POSIX); some systems cannot open a folder, which is fine.
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
