"""Layer writers: features to GeoJSON, CSV, KML, GeoPackage or Excel bytes, and atomic file writes.

Writers produce bytes (for download buttons) and write files atomically. Text cells of the
tables (CSV, Excel) go through :func:`~hotspots.formats.guard_formula`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
import shapely.geometry
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hotspots.errors import SchemaError
from hotspots.formats.cells import guard_formula, is_na, json_value, map_text, plain_value
from hotspots.formats.ogr import to_wgs84
from hotspots.schema import get_layer_schema

#: Formats :func:`export_bytes` and :func:`write_layer` produce: name → (extension, MIME type).
EXPORT_FORMATS: Final[dict[str, tuple[str, str]]] = {
    "geojson": (".geojson", "application/geo+json"),
    "csv": (".csv", "text/csv"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

# Characters XML 1.0 cannot hold at all (KML is XML).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
# Private helpers: each writer takes an EPSG:4326 frame and returns bytes.


def _export_frame(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Copy in EPSG:4326 with the schema's fields first and no ``source_index``."""
    frame = to_wgs84(gdf.drop(columns=["source_index"], errors="ignore"))
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
            "properties": {k: json_value(v) for k, v in record.items()},
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
    # escaping also keeps "]]>" out of GDAL's CDATA sections. The KML reader undoes it.
    for column in frame.columns:
        if column != "geometry":
            frame[column] = map_text(frame[column], lambda v: html.escape(_XML_ILLEGAL.sub("", v)))
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


def _ogr_column(column: pd.Series) -> pd.Series:
    values = [None if is_na(v) else plain_value(v) for v in column]
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
    value = json_value(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return guard_formula(value)


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
