"""Geometries: parsing and cleaning GeoJSON geometries, and the reference systems they come in.

Coordinates are checked to the depth their geometry type allows (so hostile nesting cannot
recurse), numbers given as text are read with a warning, heights are dropped, and self-crossing
outlines are repaired. Declared reference systems are converted to WGS 84 longitude/latitude;
distances are measured in metres in EPSG:32648.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from functools import cache
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from hotspots.config import METRIC_CRS, WGS84
from hotspots.schema import LayerSchema
from hotspots.validation.report import ProblemLog
from hotspots.validation.values import kind_name, show

GEOMETRY_DEPTH: Final = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
GEOMETRY_TYPES: Final = frozenset({*GEOMETRY_DEPTH, "GeometryCollection"})


def parse_geometry(raw: Any, schema: LayerSchema, index: int, fid: str | None, log: ProblemLog) -> Any:
    """Parse one GeoJSON geometry.

    Returns ``(x, y)`` for a valid point, a shapely geometry for other valid shapes, or None
    when the geometry is rejected (the problems are logged).
    """
    if raw is None:
        log.add("error", "geometry_null", index, fid, "geometry")
        return None
    if not isinstance(raw, dict):
        log.add("error", "geometry_not_object", index, fid, "geometry", kind=kind_name(raw))
        return None
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
        accepted = " or ".join(schema.geometry_types)
        log.add("error", "unknown_geometry_type", index, fid, "geometry", shown=show(kind), accepted=accepted)
        return None
    single_point = kind == "MultiPoint" and schema.is_point_layer
    if kind not in schema.geometry_types and not single_point:
        accepted = " or ".join(schema.geometry_types)
        log.add(
            "error",
            "wrong_geometry_type",
            index,
            fid,
            "geometry",
            kind=kind,
            layer=schema.name,
            accepted=accepted,
        )
        return None
    notes: dict[str, tuple[str, dict[str, Any]]] = {}
    coords = _clean_coordinates(raw.get("coordinates"), GEOMETRY_DEPTH[kind], notes)
    for code, (severity, params) in notes.items():
        log.add(severity, code, index, fid, "geometry", **params)
    if coords is None or any(severity == "error" for severity, _ in notes.values()):
        return None
    if single_point:
        if len(coords) != 1:
            log.add("error", "multipoint_many", index, fid, "geometry", count=len(coords))
            return None
        log.add("warning", "multipoint_one", index, fid, "geometry")
        coords, kind = coords[0], "Point"
    if kind == "Point":
        return coords[0], coords[1]
    return _build_shape(kind, coords, index, fid, log)


def source_transformer(crs: Any, log: ProblemLog) -> pyproj.Transformer | None:
    """Return a transformer to WGS 84 for a declared CRS, or None when already lon/lat."""
    if crs is None:
        return None
    name = _crs_name(crs)
    try:
        source = pyproj.CRS.from_user_input(name) if name is not None else None
    except pyproj.exceptions.CRSError:
        source = None
    if source is None:
        log.file_error("unknown_crs", field="crs", crs=show(name if name else crs))
        return None
    if _is_wgs84(source):
        return None
    log.file_warning("crs_converted", field="crs", crs=source.to_string(), crs_name=source.name)
    return _transformer(source.to_wkt(), WGS84)


def apply_transformer(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a transformer as the coordinate function :func:`shapely.transform` takes."""

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return project


def to_metric(geoms: np.ndarray) -> np.ndarray:
    """Project EPSG:4326 geometries to metres (EPSG:32648); far from zone 48N they become infinite."""
    return shapely.transform(geoms, apply_transformer(_transformer(WGS84, METRIC_CRS)))


def as_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the frame in EPSG:4326; a frame without a CRS is taken to be in it already."""
    if gdf.crs is None or _is_wgs84(pyproj.CRS(gdf.crs)):
        return gdf
    return gdf.to_crs(WGS84)


# --------------------------------------------------------------------------------------
# Private helpers: coordinates, shapes and reference systems


def _clean_coordinates(value: Any, depth: int, notes: dict[str, tuple[str, dict[str, Any]]]) -> Any:
    """Check coordinates nested ``depth`` lists deep; numbers become floats, heights are dropped.

    The depth comes from the geometry type (at most 3), so hostile nesting cannot recurse deeply.
    """
    if depth == 0:
        return _clean_position(value, notes)
    if not isinstance(value, list | tuple) or not value:
        notes["coordinates_not_nested"] = ("error", {})
        return None
    out = []
    for item in value:
        cleaned = _clean_coordinates(item, depth - 1, notes)
        if cleaned is None:
            return None
        out.append(cleaned)
    return out


def _clean_position(value: Any, notes: dict[str, tuple[str, dict[str, Any]]]) -> tuple[float, float] | None:
    if not isinstance(value, list | tuple) or len(value) < 2:
        notes["position_needs_two"] = ("error", {})
        return None
    numbers_: list[float] = []
    for item in value[:2]:
        if type(item) is float or type(item) is int:
            number = float(item)
        elif item is None:
            notes["coordinate_missing"] = ("error", {})
            return None
        elif isinstance(item, bool) or not isinstance(item, numbers.Real | str):
            notes["coordinate_not_number"] = ("error", {"value": show(item)})
            return None
        elif isinstance(item, str):
            try:
                number = float(item.strip())
            except ValueError:
                notes["coordinate_not_number"] = ("error", {"value": show(item)})
                return None
            notes["coordinates_as_text"] = ("warning", {})
        else:
            number = float(item)
        if math.isnan(number):
            notes["coordinate_nan"] = ("error", {})
            return None
        if math.isinf(number):
            notes["coordinate_infinite"] = ("error", {})
            return None
        numbers_.append(number)
    if len(value) > 2:
        notes["height_dropped"] = ("warning", {})
    return numbers_[0], numbers_[1]


def _build_shape(
    kind: str, coords: Any, index: int, fid: str | None, log: ProblemLog
) -> shapely.Geometry | None:
    try:
        geom = shapely.geometry.shape({"type": kind, "coordinates": coords})
    except (ValueError, TypeError, shapely.errors.GEOSException):
        log.add("error", "shape_cannot_draw", index, fid, "geometry", kind=kind)
        return None
    if geom.is_empty:
        log.add("error", "shape_empty", index, fid, "geometry", kind=kind)
        return None
    if not geom.is_valid and kind in ("Polygon", "MultiPolygon"):
        repaired = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        if repaired.is_empty:
            log.add("error", "shape_no_area", index, fid, "geometry", kind=kind)
            return None
        log.add("warning", "outline_repaired", index, fid, "geometry")
        return repaired
    return geom


def _crs_name(crs: Any) -> str | None:
    """Return the CRS text of a legacy GeoJSON ``crs`` member (or of a plain string)."""
    if isinstance(crs, str):
        return crs
    if isinstance(crs, pyproj.CRS):
        return crs.to_wkt()
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        props = crs["properties"]
        if crs.get("type") == "name" and isinstance(props.get("name"), str):
            return props["name"]
        if str(crs.get("type", "")).lower() == "epsg" and isinstance(props.get("code"), int | str):
            return f"EPSG:{props['code']}"
    return None


@cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _is_wgs84(crs: pyproj.CRS) -> bool:
    return crs.equals(pyproj.CRS(WGS84), ignore_axis_order=True)
