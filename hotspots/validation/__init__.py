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
from hotspots.validation.reference import NO_REFERENCE, ReferenceData

__all__ = [
    "FIELD_ALIASES",
    "ID_ALIASES",
    "NO_REFERENCE",
    "REJECTED_COLUMNS",
    "VALUE_LABELS",
    "ReferenceData",
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
