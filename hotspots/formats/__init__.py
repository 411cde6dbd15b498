"""Reading and writing layer files: GeoJSON, CSV, KML, GPX, GeoPackage, XLSX (below validation).

Readers turn bytes into raw GeoJSON-like features and report problems with the file as a whole;
:mod:`hotspots.validation` checks the features (``read_layer_file`` lives there). This package
imports nothing from :mod:`hotspots.validation`.
"""

from __future__ import annotations

from hotspots.formats.cells import guard_formula
from hotspots.formats.columns import conform_columns, field_default, is_missing, split_items, typed_column
from hotspots.formats.coordinates import (
    LAT_LON_NAMES,
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    GeoFix,
    parse_lat_lon,
    read_geolocation,
)
from hotspots.formats.geodata import file_sha256, load_geodata_layer, load_province
from hotspots.formats.images import (
    MAX_PHOTO_NAME_LENGTH,
    PHOTO_FORMATS,
    Photo,
    clean_filename,
    exif_location,
    read_photo,
    thumbnail_data_uri,
)
from hotspots.formats.odk import FIELD_FORM, FieldForm, FormQuestion, normalise_form_export, read_form_export
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
    "FIELD_FORM",
    "LATITUDE_NAMES",
    "LAT_LON_NAMES",
    "LONGITUDE_NAMES",
    "MAX_PHOTO_NAME_LENGTH",
    "PHOTO_FORMATS",
    "READ_EXTENSIONS",
    "SUPPORTED_FORMATS_TEXT",
    "FieldForm",
    "FormQuestion",
    "GeoFix",
    "Photo",
    "Reader",
    "check_file_size",
    "clean_filename",
    "conform_columns",
    "decode_text",
    "detect_format",
    "exif_location",
    "export_bytes",
    "field_default",
    "file_sha256",
    "guard_formula",
    "is_missing",
    "json_nesting_depth",
    "load_geodata_layer",
    "load_province",
    "normalise_form_export",
    "parse_json",
    "parse_lat_lon",
    "read_features",
    "read_form_export",
    "read_geolocation",
    "read_photo",
    "split_items",
    "thumbnail_data_uri",
    "to_geojson_bytes",
    "typed_column",
    "write_layer",
]
