"""File readers: bytes of CSV, Excel, KML, GPX or GeoPackage → GeoJSON-like features and file problems.

A reader only turns a file into raw features and reports what is wrong with the file as a
whole (its encoding, its layers, its reference system); checking the features is the job of
:mod:`hotspots.validation`, which reads GeoJSON itself and uses these readers for the rest.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import openpyxl
import pandas as pd
import pyproj
import shapely
import shapely.geometry
from openpyxl.utils.exceptions import InvalidFileException

from hotspots.config import WGS84
from hotspots.errors import Problem, SchemaError, UnreadableFileError
from hotspots.formats.cells import is_blank, map_text, plain_value, unguard_formula
from hotspots.formats.coordinates import coordinate_columns, parse_coordinate, parse_pair
from hotspots.formats.odk import read_form_export
from hotspots.formats.ogr import layer_names, read_ogr
from hotspots.formats.text import decode_text
from hotspots.i18n import Phrase, coded_error, make_problem

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
#: A reader: (file bytes, layer name) → (GeoJSON-like features, whole-file problems).
Reader = Callable[[bytes, str], tuple[list[dict[str, Any]], list[Problem]]]

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
_SEPARATORS = ("\t", ";", ",", "|")


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


def read_features(data: bytes, *, fmt: str, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read the features of a CSV, Excel, KML, GPX or GeoPackage file held in memory.

    Parameters
    ----------
    data
        The file's bytes.
    fmt
        ``csv`` (separator and decimal comma detected, degrees-minutes-seconds accepted),
        ``xlsx`` (first sheet), ``kml``, ``gpx`` (waypoints) or ``gpkg`` (any CRS, converted).
        GeoJSON is JSON: :func:`hotspots.validation.validate_geojson` reads it.
    layer
        Name of the layer the features are for (picks the GeoPackage layer).

    Returns
    -------
    tuple
        GeoJSON-like Feature dicts (values as read, not yet validated) and the whole-file
        problems (encoding converted, several layers, reference system converted...).

    Raises
    ------
    UnreadableFileError
        When the bytes are not the format they claim to be, or hold no features.
    SchemaError
        For a table without latitude/longitude columns, or a format this function does not read.
    """
    reader = _READERS.get(fmt)
    if reader is None:
        msg = f"No feature reader for format '{fmt}'; readers: {', '.join(_READERS)}."
        raise SchemaError(msg)
    return reader(data, layer)


# --------------------------------------------------------------------------------------
# Private helpers: one reader per format, each returning (features, whole-file problems).


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
    return _table(rows[0], rows[1:], layer, problems)


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
    rows = [row for row in rows if any(not is_blank(cell) for cell in row)]
    if not rows:
        raise coded_error(UnreadableFileError, "sheet_empty")
    header = [f"column_{k + 1}" if is_blank(cell) else str(cell).strip() for k, cell in enumerate(rows[0])]
    return _table(header, rows[1:], layer, [])


def _read_kml(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    frames = [read_ogr(data, layer=name) for name in layer_names(data)]
    frames = [f for f in frames if len(f)]
    if not frames:
        raise coded_error(UnreadableFileError, "kml_no_placemarks")
    gdf = pd.concat(frames, ignore_index=True)
    gdf = gdf.drop(columns=[c for c in gdf.columns if c in _KML_HOUSEKEEPING])
    for column in gdf.columns:
        if column != gdf.geometry.name:
            gdf[column] = map_text(gdf[column], html.unescape)
    # KML always stores a height (usually 0); it is not data, so drop it without a warning.
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    return _frame_features(gdf), []


def _read_gpx(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    names = layer_names(data)
    gdf = read_ogr(data, layer="waypoints") if "waypoints" in names else None
    if gdf is None or not len(gdf):
        raise coded_error(UnreadableFileError, "gpx_no_waypoints")
    drop = [c for c in gdf.columns if c in _GPX_TECHNICAL or c.startswith("link")]
    gdf = gdf.drop(columns=drop).dropna(axis=1, how="all")
    return _frame_features(gdf), []


def _read_gpkg(data: bytes, layer: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    names = layer_names(data)
    if not names:
        raise coded_error(UnreadableFileError, "gpkg_no_layers")
    chosen = next((n for n in names if n == layer), None)
    chosen = chosen or next((n for n in names if layer.lower() in n.lower()), names[0])
    problems: list[Problem] = []
    if len(names) > 1:
        problems.append(make_problem("gpkg_many_layers", severity="warning", count=len(names), layer=chosen))
    gdf = read_ogr(data, layer=chosen)
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


def _table(
    header: Sequence[Any], rows: Sequence[Sequence[Any]], layer: str, problems: list[Problem]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read table rows: an export of the field form (KoBoToolbox / ODK Central), else by lat/lon columns."""
    export = read_form_export(header, rows, layer=layer)
    if export is None:
        return _table_features(header, rows), problems
    return export[0], [*problems, *export[1]]


def _table_features(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Turn spreadsheet rows into point features, finding the coordinate columns by name."""
    columns = [unicodedata.normalize("NFC", str(h)).strip() for h in header]
    lat, lon, pair = coordinate_columns(columns)
    if pair is None and (lat is None or lon is None):
        raise coded_error(SchemaError, "no_lat_lon_columns", columns=", ".join(columns[:20]))
    used = {k for k in (lat, lon, pair) if k is not None}
    features = []
    for row in rows:
        cells = list(row) + [None] * (len(columns) - len(row))
        if all(is_blank(cell) for cell in cells):
            continue
        properties = {
            columns[k]: unguard_formula(cell)
            for k, cell in enumerate(cells[: len(columns)])
            if k not in used and not is_blank(cell)
        }
        if pair is not None:
            y, x = parse_pair(cells[pair])
        else:
            y, x = parse_coordinate(cells[lat]), parse_coordinate(cells[lon])
        geometry = None if x is None and y is None else {"type": "Point", "coordinates": [x, y]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


def _frame_features(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Turn a GeoDataFrame read by pyogrio into GeoJSON-like features (missing values omitted)."""
    geometry_name = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geometry_name]
    records = gdf[columns].to_dict("records")
    features = []
    for record, geom in zip(records, gdf.geometry.values, strict=True):
        properties = {k: plain_value(v) for k, v in record.items() if not is_blank(v)}
        geometry = None if geom is None or geom.is_empty else shapely.geometry.mapping(geom)
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


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
