"""Geometry for display: GeoJSON simplified in metres, rounded to about 1 m and packed; bounds and centres."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.config import METRIC_CRS, WGS84

#: Geometry simplification for display, in metres: invisible at province scale.
DISPLAY_TOLERANCE_M: Final = 50.0
#: Reach areas are simplified much less: their edge must stay within a few metres of the radius,
#: as the coverage table counts it (a 64-sided buffer keeps every vertex at the radius).
REACH_TOLERANCE_M: Final = 1.0
#: Segments per quarter circle of a reach buffer: 64 sides, each edge at least cos(π/64) ≈ 99.88 %
#: of the radius from the facility (3.6 m short at its middle for 3 km).
REACH_QUAD_SEGS: Final = 16
#: Islands smaller than this are left off the minimap.
MINIMAP_MIN_AREA_M2: Final = 2_000_000.0
#: Coordinates sent to the browser are rounded to this many decimals (about 1 m).
COORDINATE_DECIMALS: Final = 5
#: Where the map opens when every layer is empty: Hạ Long.
FALLBACK_CENTRE: Final = (20.95, 107.08)


def layer_or_empty(layers: Mapping[str, gpd.GeoDataFrame], name: str) -> gpd.GeoDataFrame:
    """Return ``layers[name]``, or an empty layer in WGS 84 when it is missing."""
    frame = layers.get(name)
    return frame if frame is not None else gpd.GeoDataFrame(geometry=[], crs=WGS84)


def display_geojson(
    frame: gpd.GeoDataFrame, columns: list[str], *, tolerance_m: float = DISPLAY_TOLERANCE_M
) -> dict:
    """GeoJSON FeatureCollection of ``columns``: lines and polygons simplified in metres, WGS 84 to ~1 m.

    Parameters
    ----------
    frame
        Features in any CRS (points are never simplified).
    columns
        Properties to keep, already escaped where they hold HTML.
    tolerance_m
        Simplification tolerance in metres, measured in UTM 48N.

    Returns
    -------
    dict
        A FeatureCollection whose features have ids ``"0"``, ``"1"``...; empty geometries are left out.
    """
    geometry = frame.geometry
    if frame.crs is not None and not geometry.geom_type.isin(["Point", "MultiPoint"]).all():
        geometry = geometry.to_crs(METRIC_CRS).simplify(tolerance_m, preserve_topology=True)
    geometry = geometry.to_crs(WGS84) if geometry.crs is not None else geometry
    rounded = shapely.set_precision(geometry.to_numpy(), 10**-COORDINATE_DECIMALS)
    rounded = np.array([largest_part_first(g) for g in rounded], dtype=object)
    # shapely writes GeoJSON in C: several times faster than GeoDataFrame.__geo_interface__.
    shapes = shapely.to_geojson(rounded)
    properties = frame[columns].to_dict("records") if columns else [{} for _ in range(len(frame))]
    features = [
        {"type": "Feature", "id": str(i), "properties": props, "geometry": json.loads(shape)}
        for i, (props, shape) in enumerate(zip(properties, shapes, strict=True))
        if shape is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def pack_geojson(collection: dict) -> dict:
    """Return a copy of a FeatureCollection whose lines and rings are packed as short strings.

    Each list of positions becomes one string in the encoded-polyline format (precision
    :data:`COORDINATE_DECIMALS`: whole 1e-5 degrees, each value the difference from the one
    before, zigzag-signed, in 5-bit groups offset to printable characters), positions in
    GeoJSON order (x, y). About a quarter of the size of the JSON numbers, and read by the
    browser as one string rather than thousands of small arrays. Points are kept as they are;
    properties and ids are untouched. The map unpacks it before Leaflet reads it
    (:class:`hotspots.maps.elements.PackedGeoJson`).

    Examples
    --------
    >>> pack_geojson({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
    ...     "geometry": {"type": "LineString", "coordinates": [[107.0, 21.0], [107.00001, 20.99999]]}}]}
    ... )["features"][0]["geometry"]["coordinates"]
    '_malS_qd_CA@'
    """
    features = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        if geometry is not None and geometry.get("type") not in ("Point", "MultiPoint"):
            geometry = {**geometry, "coordinates": _pack_positions(geometry["coordinates"])}
        features.append({**feature, "geometry": geometry})
    return {**collection, "features": features, "hsPacked": True}


def _pack_positions(coordinates: list) -> list | str:
    """Replace every innermost list of positions by its packed string."""
    if (
        coordinates
        and isinstance(coordinates[0], list)
        and coordinates[0]
        and not isinstance(coordinates[0][0], list)
    ):
        return encode_polyline(np.asarray(coordinates, dtype=float)[:, :2])
    return [_pack_positions(part) for part in coordinates]


def encode_polyline(positions: np.ndarray) -> str:
    """Encode an ``(n, 2)`` array of positions as an encoded polyline of precision 1e-5."""
    whole = np.round(positions * 10**COORDINATE_DECIMALS).astype(np.int64)
    steps = np.diff(whole, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    signed = (steps << 1) ^ (steps >> 63)  # zigzag: small magnitudes, either sign, stay small
    shifts = 5 * np.arange(_POLYLINE_GROUPS)
    groups = (signed[:, None] >> shifts) & 31
    used = 1 + ((signed[:, None] >> shifts[1:]) > 0).sum(axis=1)
    index = np.arange(_POLYLINE_GROUPS)
    more = index < (used - 1)[:, None]  # every group but a value's last says "more follows"
    chars = groups + 63 + 32 * more
    return chars[index < used[:, None]].astype(np.uint8).tobytes().decode("ascii")


# Five-bit groups enough for any coordinate step in 1e-5 degrees (under 2**35).
_POLYLINE_GROUPS: Final = 7


def largest_part_first(geometry: shapely.Geometry | None) -> shapely.Geometry | None:
    """Reorder a multipolygon's parts by decreasing area; other geometries are returned as they are."""
    # Leaflet centres a label on a multipolygon's first part: make it the mainland, not an islet.
    if geometry is None or geometry.geom_type != "MultiPolygon":
        return geometry
    return shapely.MultiPolygon(sorted(geometry.geoms, key=lambda part: part.area, reverse=True))


def minimap_outline(province: gpd.GeoDataFrame) -> dict:
    """Outline the province without its smallest islands, coarsely: the minimap is 130 px wide."""
    parts = gpd.GeoSeries(shapely.get_parts(province.geometry.to_crs(METRIC_CRS).to_numpy()), crs=METRIC_CRS)
    large = parts[parts.area >= MINIMAP_MIN_AREA_M2]
    return display_geojson(gpd.GeoDataFrame(geometry=large if len(large) else parts), [], tolerance_m=1000.0)


def bounds(*frames: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the first non-empty frame with a CRS, or ``None``."""
    for frame in frames:
        if len(frame) and frame.crs is not None:
            west, south, east, north = frame.to_crs(WGS84).total_bounds
            if np.isfinite([west, south, east, north]).all():
                return [[float(south), float(west)], [float(north), float(east)]]
    return None


def centre(*frames: gpd.GeoDataFrame) -> list[float]:
    """Centre of :func:`bounds` as ``[lat, lon]``; :data:`FALLBACK_CENTRE` when every frame is empty."""
    box = bounds(*frames)
    if box is None:
        return list(FALLBACK_CENTRE)
    return [(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2]
