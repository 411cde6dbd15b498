"""GDAL access through pyogrio: read a data source or list its layers, and bring frames to WGS 84."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pyproj

from hotspots.config import WGS84
from hotspots.errors import UnreadableFileError
from hotspots.i18n import coded_error


def read_ogr(source: bytes | Path, **options: Any) -> gpd.GeoDataFrame:
    """Read a data source (bytes or a path) with pyogrio; GDAL's refusal becomes a coded error.

    Raises
    ------
    UnreadableFileError
        When GDAL cannot open the source as map data.
    """
    try:
        with warnings.catch_warnings():
            # GDAL warns that in-memory files have no proper extension.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(source, **options)
    except pyogrio.errors.DataSourceError as exc:
        raise coded_error(UnreadableFileError, "not_map_data", error=exc) from None


def layer_names(data: bytes) -> list[str]:
    """Return the names of the layers in a data source held in memory.

    Raises
    ------
    UnreadableFileError
        When GDAL cannot open the bytes as map data.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return [str(name) for name, _ in pyogrio.list_layers(data)]
    except pyogrio.errors.DataSourceError as exc:
        raise coded_error(UnreadableFileError, "not_map_data", error=exc) from None


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the frame in EPSG:4326: a frame without a CRS is taken to be in it already."""
    if gdf.crs is None:
        return gdf.set_crs(WGS84)
    if pyproj.CRS(gdf.crs).equals(pyproj.CRS(WGS84), ignore_axis_order=True):
        return gdf
    return gdf.to_crs(WGS84)
