"""Reading and writing layer files: GeoJSON, CSV, KML, GPX, GeoPackage, XLSX."""

from __future__ import annotations

from hotspots.formats.core import (
    EXPORT_FORMATS,
    LAT_LON_NAMES,
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    READ_EXTENSIONS,
    SUPPORTED_FORMATS_TEXT,
    Reader,
    detect_format,
    export_bytes,
    file_sha256,
    guard_formula,
    load_geodata_layer,
    load_province,
    parse_lat_lon,
    read_layer,
    read_layer_bytes,
    read_layer_file,
    to_geojson_bytes,
    write_layer,
)

__all__ = [
    "EXPORT_FORMATS",
    "LATITUDE_NAMES",
    "LAT_LON_NAMES",
    "LONGITUDE_NAMES",
    "READ_EXTENSIONS",
    "SUPPORTED_FORMATS_TEXT",
    "Reader",
    "detect_format",
    "export_bytes",
    "file_sha256",
    "guard_formula",
    "load_geodata_layer",
    "load_province",
    "parse_lat_lon",
    "read_layer",
    "read_layer_bytes",
    "read_layer_file",
    "to_geojson_bytes",
    "write_layer",
]
