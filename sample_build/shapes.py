"""Coordinates and drawn shapes: metric transforms, rounding, lake blobs, meanders, points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.ops import nearest_points

from hotspots.config import METRIC_CRS, WGS84
from sample_build.settings import COORDINATE_DECIMALS


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_metric(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return a WGS 84 geometry in METRIC_CRS (UTM zone 48N)."""
    forward = _transformer(WGS84, METRIC_CRS)
    return shapely.transform(geometry, lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1])))


def metric_xy(lon: float, lat: float) -> tuple[float, float]:
    """Return the METRIC_CRS coordinates of a longitude and latitude."""
    return _transformer(WGS84, METRIC_CRS).transform(lon, lat)


def rounded(geometries: np.ndarray) -> np.ndarray:
    """WGS 84 geometries on a 10⁻⁶° grid, valid, counter-clockwise shells, exact decimals."""
    grid = 10.0**-COORDINATE_DECIMALS
    snapped = shapely.orient_polygons(shapely.set_precision(geometries, grid), exterior_cw=False)
    return shapely.transform(snapped, lambda c: np.round(c, COORDINATE_DECIMALS))


def final(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return a metric frame as written (WGS 84, rounded) and the written geometry in metres."""
    written = frame.to_crs(WGS84)
    written = written.set_geometry(rounded(written.geometry.to_numpy()), crs=WGS84)
    return written, written.to_crs(METRIC_CRS)


def metric_frame(records: list[dict], geometries: Sequence[shapely.Geometry]) -> gpd.GeoDataFrame:
    """Return the records and their geometries (in METRIC_CRS) as a frame."""
    return gpd.GeoDataFrame(records, geometry=list(geometries), crs=METRIC_CRS)


def written_point(x: float, y: float) -> shapely.Point:
    """Return the point as it will be written: rounded in WGS 84, then back in metres."""
    inverse = _transformer(METRIC_CRS, WGS84)
    lon, lat = inverse.transform(x, y)
    lon, lat = round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)
    return shapely.Point(metric_xy(lon, lat))


def ellipse(
    x: float, y: float, half_length: float, half_width: float, bearing: float, rng
) -> shapely.Polygon:
    """Draw a lake-like blob: an ellipse with a gently wavy shore."""
    theta = np.linspace(0.0, 2.0 * math.pi, 49)[:-1]
    phase = rng.uniform(0.0, 2.0 * math.pi, size=2)
    wobble = 1.0 + 0.12 * np.sin(2 * theta + phase[0]) + 0.06 * np.sin(3 * theta + phase[1])
    u, v = half_length * wobble * np.cos(theta), half_width * wobble * np.sin(theta)
    angle = math.radians(90.0 - bearing)
    xs = x + u * math.cos(angle) - v * math.sin(angle)
    ys = y + u * math.sin(angle) + v * math.cos(angle)
    return shapely.Polygon(np.column_stack([xs, ys]))


def wander(start: tuple[float, float], length: float, heading: float, rng, *, step: float = 120.0):
    """Draw a meandering line (a stream or an old canal), as coordinates."""
    xs, ys = [start[0]], [start[1]]
    for _ in range(max(2, int(length / step))):
        heading += rng.normal(0.0, 0.35)
        xs.append(xs[-1] + step * math.cos(heading))
        ys.append(ys[-1] + step * math.sin(heading))
    return np.column_stack([xs, ys])


def point_in(rng, inner: shapely.Geometry, *, near: shapely.Point, spread: float) -> shapely.Point:
    """Draw a point of ``inner`` within ``spread`` of ``near`` (the nearest one if none is drawn)."""
    for _ in range(200):
        angle, radius = rng.uniform(0, 2 * math.pi), spread * math.sqrt(rng.random())
        candidate = shapely.Point(near.x + radius * math.cos(angle), near.y + radius * math.sin(angle))
        if inner.contains(candidate):
            return candidate
    return nearest_points(inner, near)[0]


def date_between(rng, first: date, last: date) -> date:
    """Draw a day from ``first`` to ``last``, both included."""
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
