"""Kernel density of risk points on a grid in metres, drawn by the map as a heat layer.

Every point spreads a Gaussian kernel of standard deviation ``bandwidth_m`` (its weight: a
black spot counts ``black_spot_factor`` times). The sum is computed in UTM zone 48N
(:data:`~hotspots.config.METRIC_CRS`) on square pixels of ``pixel_m`` metres: the weights are
binned to pixels, then blurred with ``scipy.ndimage.gaussian_filter`` (truncated at 4 standard
deviations, zero beyond the grid, which reaches 4 bandwidths past the outermost points so no
weight is lost). The surface is in weighted risk points per km².

Bandwidth: 2,000 m by default, the scale of a village and its ponds and streams. ``"scott"``
asks for Scott's rule on the projected coordinates, ``h = σ n_eff^(-1/6)`` with ``σ² = (σx² +
σy²) / 2`` (weighted) and ``n_eff = (Σw)² / Σw²``; in two dimensions Silverman's rule gives the
same factor. Over a whole province it is much wider (about 10.5 km for the sample): a regional
picture rather than a map of places.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyproj
from scipy.ndimage import gaussian_filter

from hotspots.config import METRIC_CRS, WGS84
from hotspots.errors import ClusterError
from hotspots.i18n import coded_error

DEFAULT_BANDWIDTH_M: Final = 2_000.0
DEFAULT_PIXEL_M: Final = 500.0
MIN_PIXEL_M: Final = 10.0
#: Named bandwidth rules accepted instead of a number of metres.
BANDWIDTH_RULES: Final = ("scott",)
#: Largest surface computed, in pixels (rows × columns).
MAX_PIXELS: Final = 4_000_000
#: Heat-layer points are the pixels at least this share of the highest density...
DEFAULT_MIN_SHARE: Final = 0.1
#: ... and at most this many of them (the densest), so the browser stays quick.
DEFAULT_MAX_HEAT_POINTS: Final = 10_000
_TRUNCATE: Final = 4.0


@dataclass(frozen=True, eq=False)
class DensitySurface:
    """A kernel-density surface of risk points, north up, in EPSG:32648.

    Attributes
    ----------
    density
        ``(rows, cols)`` read-only array of weighted risk points per km²; row 0 is the north.
    transform
        Affine coefficients ``(a, b, c, d, e, f)`` as in ``affine.Affine`` / rasterio: the
        top-left corner of pixel ``(row, col)`` is at ``x = a col + b row + c``,
        ``y = d col + e row + f`` (``e`` is negative).
    bandwidth_m
        Standard deviation of the Gaussian kernel, in metres.
    pixel_m
        Side of a pixel, in metres.
    total_weight
        Sum of the points' weights (the surface integrates to it).
    crs
        Reference system of ``transform``: always :data:`~hotspots.config.METRIC_CRS`.
    """

    density: np.ndarray
    transform: tuple[float, float, float, float, float, float]
    bandwidth_m: float
    pixel_m: float
    total_weight: float
    crs: str = METRIC_CRS

    def heat_points(
        self, *, min_share: float = DEFAULT_MIN_SHARE, max_points: int = DEFAULT_MAX_HEAT_POINTS
    ) -> list[list[float]]:
        """Return ``[lat, lon, weight]`` of the densest pixels, for folium's ``HeatMap``.

        Parameters
        ----------
        min_share
            Keep pixels whose density is at least this share (0–1] of the highest one.
        max_points
            Keep at most this many pixels, the densest first.

        Returns
        -------
        list of [float, float, float]
            Latitude and longitude of each pixel's centre (6 decimals) and its weight, the
            density divided by the highest one (0–1], densest first.
        """
        peak = float(self.density.max()) if self.density.size else 0.0
        if peak <= 0:
            return []
        rows, cols = np.nonzero(self.density >= min_share * peak)
        weights = self.density[rows, cols] / peak
        order = np.argsort(-weights, kind="stable")[:max_points]
        rows, cols, weights = rows[order], cols[order], weights[order]
        a, b, c, d, e, f = self.transform
        x = a * (cols + 0.5) + b * (rows + 0.5) + c
        y = d * (cols + 0.5) + e * (rows + 0.5) + f
        lon, lat = pyproj.Transformer.from_crs(self.crs, WGS84, always_xy=True).transform(x, y)
        return [
            [round(float(la), 6), round(float(lo), 6), round(float(w), 4)]
            for la, lo, w in zip(lat, lon, weights, strict=True)
        ]


def density_surface(
    xy: np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    *,
    bandwidth_m: float | str = DEFAULT_BANDWIDTH_M,
    pixel_m: float = DEFAULT_PIXEL_M,
) -> DensitySurface:
    """Compute the kernel density of weighted points given in metres.

    Parameters
    ----------
    xy
        ``(n, 2)`` x, y in metres, EPSG:32648.
    weights
        One weight per point, 0 or more (default 1 each).
    bandwidth_m
        Standard deviation of the kernel in metres (at least one pixel), or ``"scott"``.
    pixel_m
        Side of a pixel in metres, at least :data:`MIN_PIXEL_M`.

    Returns
    -------
    DensitySurface

    Raises
    ------
    ClusterError
        ``hotspot.no_points`` without a point of positive weight; ``hotspot.bad_bandwidth``,
        ``hotspot.bad_pixel`` or ``hotspot.density_too_large`` for sizes that cannot be used.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(w) != len(xy) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise coded_error(ClusterError, "hotspot.bad_values", count=len(w))
    keep = np.all(np.isfinite(xy), axis=1) & (w > 0)
    xy, w = xy[keep], w[keep]
    if len(xy) == 0:
        raise coded_error(ClusterError, "hotspot.no_points")
    pixel = _check_size(pixel_m, MIN_PIXEL_M, "hotspot.bad_pixel")
    bandwidth = scott_bandwidth(xy, w) if bandwidth_m == "scott" else bandwidth_m
    bandwidth = _check_size(bandwidth, pixel, "hotspot.bad_bandwidth")
    margin = _TRUNCATE * bandwidth + pixel
    left = math.floor((xy[:, 0].min() - margin) / pixel) * pixel
    top = math.ceil((xy[:, 1].max() + margin) / pixel) * pixel
    cols = math.ceil((xy[:, 0].max() + margin - left) / pixel)
    rows = math.ceil((top - (xy[:, 1].min() - margin)) / pixel)
    if rows * cols > MAX_PIXELS:
        raise coded_error(ClusterError, "hotspot.density_too_large", pixels=rows * cols, maximum=MAX_PIXELS)
    col = np.clip(((xy[:, 0] - left) // pixel).astype(np.int64), 0, cols - 1)
    row = np.clip(((top - xy[:, 1]) // pixel).astype(np.int64), 0, rows - 1)
    binned = np.zeros((rows, cols))
    np.add.at(binned, (row, col), w)
    smooth = gaussian_filter(binned, sigma=bandwidth / pixel, mode="constant", truncate=_TRUNCATE)
    density = np.maximum(smooth, 0.0) / (pixel * pixel / 1e6)
    density.setflags(write=False)
    return DensitySurface(
        density=density,
        transform=(pixel, 0.0, float(left), 0.0, -pixel, float(top)),
        bandwidth_m=float(bandwidth),
        pixel_m=pixel,
        total_weight=float(w.sum()),
    )


def scott_bandwidth(xy: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Return Scott's bandwidth in metres, ``σ n_eff^(-1/6)``, for weighted points in metres.

    ``σ`` is the square root of the mean of the weighted variances of x and y, and
    ``n_eff = (Σw)² / Σw²`` the effective number of points. Two points or more are needed;
    with fewer (or all at one place) the rule gives 0, which :func:`density_surface` refuses.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    if len(xy) < 2 or w.sum() <= 0:
        return 0.0
    mean = np.average(xy, axis=0, weights=w)
    variance = np.average((xy - mean) ** 2, axis=0, weights=w)
    n_eff = w.sum() ** 2 / (w**2).sum()
    return float(math.sqrt(variance.mean()) * n_eff ** (-1 / 6))


def _check_size(value: float | str, minimum: float, code: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < minimum
    ):
        raise coded_error(ClusterError, code, value=repr(value), minimum=f"{minimum:g}")
    return float(value)
