"""Reading and writing layer files: GeoJSON, CSV, KML, GPX, GeoPackage, XLSX (below validation).

Readers turn bytes into raw GeoJSON-like features and report problems with the file as a whole;
:mod:`hotspots.validation` checks the features (``read_layer_file`` lives there). This package
imports nothing from :mod:`hotspots.validation`.
"""

from __future__ import annotations

from hotspots.formats.cells import guard_formula
from hotspots.formats.columns import conform_columns, field_default, is_missing, split_items, typed_column
from hotspots.formats.coordinates import LAT_LON_NAMES, LATITUDE_NAMES, LONGITUDE_NAMES, parse_lat_lon
from hotspots.formats.geodata import file_sha256, load_geodata_layer, load_province
from hotspots.formats.readers import (
    READ_EXTENSIONS,
    SUPPORTED_FORMATS_TEXT,
    Reader,
    detect_format,
    read_features,
)
from hotspots.formats.text import check_file_size, decode_text, json_nesting_depth, parse_json
from hotspots.formats.writers import EXPORT_FORMATS, export_bytes, to_geojson_bytes, write_layer

__all__ = [
    "EXPORT_FORMATS",
    "LATITUDE_NAMES",
    "LAT_LON_NAMES",
    "LONGITUDE_NAMES",
    "READ_EXTENSIONS",
    "SUPPORTED_FORMATS_TEXT",
    "Reader",
    "check_file_size",
    "conform_columns",
    "decode_text",
    "detect_format",
    "export_bytes",
    "field_default",
    "file_sha256",
    "guard_formula",
    "is_missing",
    "json_nesting_depth",
    "load_geodata_layer",
    "load_province",
    "parse_json",
    "parse_lat_lon",
    "read_features",
    "split_items",
    "to_geojson_bytes",
    "typed_column",
    "write_layer",
]
