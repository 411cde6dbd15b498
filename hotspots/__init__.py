"""Drowning-risk hotspot mapper: the library behind the app.

Import it in a notebook as you would geopandas; it never imports streamlit::

    import hotspots

    points = hotspots.load_geodata_layer("risk_points")
    table = hotspots.coverage_table(
        points,
        hotspots.load_geodata_layer("swim_classes"),
        hotspots.load_geodata_layer("rescue_trainings"),
        swim_radius_m=3_000,
        rescue_radius_m=2_000,
    )

The store (:func:`open_store`) and the map (:func:`build_map`) are loaded on first use,
so validating or analysing files does not pull in SQLAlchemy or folium.
"""

from __future__ import annotations

import importlib
from typing import Any

from hotspots.analysis import (
    commune_hotspots,
    commune_summary,
    coverage_summary,
    coverage_table,
    hexagon_hotspots,
    maximal_coverage,
    nearest_facilities,
    risk_density,
    select_points,
    summary_text,
)
from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import (
    AuthenticationError,
    ClusterError,
    CRSError,
    HotspotsError,
    PermissionDeniedError,
    Problem,
    SchemaError,
    SitingError,
    StoreError,
    UnreadableFileError,
    ValidationError,
)
from hotspots.formats import (
    EXPORT_FORMATS,
    export_bytes,
    load_geodata_layer,
    load_province,
    write_layer,
)
from hotspots.i18n import problem_text
from hotspots.schema import LAYERS, LayerSchema, get_layer_schema
from hotspots.validation import (
    ValidationReport,
    read_layer,
    read_layer_file,
    validate_features,
    validate_geojson,
)

_LAZY = {
    "open_store": "hotspots.store",
    "Store": "hotspots.store",
    "ImportResult": "hotspots.store",
    "User": "hotspots.store",
    "build_map": "hotspots.maps",
}

__all__ = [
    "EXPORT_FORMATS",
    "LAYERS",
    "METRIC_CRS",
    "WGS84",
    "AuthenticationError",
    "CRSError",
    "ClusterError",
    "HotspotsError",
    "ImportResult",
    "LayerSchema",
    "PermissionDeniedError",
    "Problem",
    "SchemaError",
    "SitingError",
    "Store",
    "StoreError",
    "UnreadableFileError",
    "User",
    "ValidationError",
    "ValidationReport",
    "build_map",
    "commune_hotspots",
    "commune_summary",
    "coverage_summary",
    "coverage_table",
    "export_bytes",
    "get_layer_schema",
    "hexagon_hotspots",
    "load_geodata_layer",
    "load_province",
    "maximal_coverage",
    "nearest_facilities",
    "open_store",
    "problem_text",
    "read_layer",
    "read_layer_file",
    "risk_density",
    "select_points",
    "summary_text",
    "validate_features",
    "validate_geojson",
    "write_layer",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'hotspots' has no attribute '{name}'"
    raise AttributeError(msg)
