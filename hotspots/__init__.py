"""Drowning-risk hotspot mapper: the library behind the app.

Import it in a notebook as you would geopandas; it never imports streamlit.
"""

from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import (
    CRSError,
    HotspotsError,
    Problem,
    SchemaError,
    StoreError,
    UnreadableFileError,
    ValidationError,
)
from hotspots.schema import LAYERS, LayerSchema, get_layer_schema

__all__ = [
    "LAYERS",
    "METRIC_CRS",
    "WGS84",
    "CRSError",
    "HotspotsError",
    "LayerSchema",
    "Problem",
    "SchemaError",
    "StoreError",
    "UnreadableFileError",
    "ValidationError",
    "get_layer_schema",
]
