"""Validation of features against the schema and the reference geography (above hotspots.formats).

``read_layer_file`` reads a file with :mod:`hotspots.formats` and validates it here; the
records' own rules (:func:`parse_day`, :func:`check_transition`) serve the store too. The byte
guards and column typing (``parse_json``, ``conform_columns``, ``typed_column``...) live in
:mod:`hotspots.formats` and are re-exported here for existing callers.
"""

from __future__ import annotations

from hotspots.formats import (
    check_file_size,
    conform_columns,
    decode_text,
    json_nesting_depth,
    parse_json,
    typed_column,
)
from hotspots.validation.documents import validate_features, validate_geojson
from hotspots.validation.files import read_layer, read_layer_bytes, read_layer_file
from hotspots.validation.places import NEAR_COLUMNS, points_near
from hotspots.validation.records import check_transition, parse_day
from hotspots.validation.reference import NO_REFERENCE, ReferenceData
from hotspots.validation.report import REJECTED_COLUMNS, ValidationReport
from hotspots.validation.texts import clean_text
from hotspots.validation.values import FIELD_ALIASES, ID_ALIASES, VALUE_LABELS

__all__ = [
    "FIELD_ALIASES",
    "ID_ALIASES",
    "NEAR_COLUMNS",
    "NO_REFERENCE",
    "REJECTED_COLUMNS",
    "VALUE_LABELS",
    "ReferenceData",
    "ValidationReport",
    "check_file_size",
    "check_transition",
    "clean_text",
    "conform_columns",
    "decode_text",
    "json_nesting_depth",
    "parse_day",
    "parse_json",
    "points_near",
    "read_layer",
    "read_layer_bytes",
    "read_layer_file",
    "typed_column",
    "validate_features",
    "validate_geojson",
]
