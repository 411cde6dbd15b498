"""Validation of features against the schema and the reference geography."""

from __future__ import annotations

from hotspots.validation.core import (
    FIELD_ALIASES,
    ID_ALIASES,
    REJECTED_COLUMNS,
    VALUE_LABELS,
    ValidationReport,
    check_file_size,
    conform_columns,
    decode_text,
    json_nesting_depth,
    parse_json,
    typed_column,
    validate_features,
    validate_geojson,
)

__all__ = [
    "FIELD_ALIASES",
    "ID_ALIASES",
    "REJECTED_COLUMNS",
    "VALUE_LABELS",
    "ValidationReport",
    "check_file_size",
    "conform_columns",
    "decode_text",
    "json_nesting_depth",
    "parse_json",
    "typed_column",
    "validate_features",
    "validate_geojson",
]
