"""A grid of hexagons in metres over the land: the cells, their neighbours and the cell of each point.

Hexagons are "pointy-top" and regular. Their size is given by the **edge length** ``a``,
which is also the distance from the centre to a corner::

    edge (and centre-to-corner)  a                 1,000 m by default
    width across the flat sides  √3 a ≈ 1.732 a    = distance between neighbouring centres
    area                         (3√3 / 2) a²      ≈ 2.598 km² at a = 1 km

The lattice is anchored at the origin of the metric CRS (not at the data), so a cell keeps
its id (``R{row}C{col}``) whatever the data: row ``r`` has its centres at ``y = 1.5 a r`` and
``x = √3 a (c + (r mod 2) / 2)``. A cell is in the grid when it touches the land or holds a
point (coastal risk points may lie just off the simplified shore). Two cells are neighbours
when their centres are at most ``1.01 × √3 a`` apart: the six cells around a cell (binary
distance-band weights from a KD-tree).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from hotspots.config import METRIC_CRS
from hotspots.errors import ClusterError
from hotspots.i18n import coded_error

#: Default edge length of a hexagon, in metres (the width across the flat sides is √3 times it).
DEFAULT_CELL_SIZE_M: Final = 1_000.0
MIN_CELL_SIZE_M: Final = 100.0
#: Largest grid (cells) the test is run on: esda keeps ``cells × permutations`` simulated values.
MAX_CELLS: Final = 20_000
#: Neighbours: centres at most this many times the centre spacing apart.
NEIGHBOUR_TOLERANCE: Final = 1.01
# Largest rectangle of lattice cells examined around the land and the points.
_MAX_LATTICE: Final = 50 * MAX_CELLS


@dataclass(frozen=True, eq=False)
class HexGrid:
    """Hexagonal cells over the land, in :data:`~hotspots.config.METRIC_CRS`.

    Attributes
    ----------
    cells
        One row per cell: ``cell_id``, ``row``, ``col`` and the hexagon, in EPSG:32648, with a
        ``RangeIndex``.
    adjacency
        ``n × n`` binary CSR matrix of neighbouring cells (no diagonal).
    cell_size_m
        Edge length ``a`` of the hexagons.
    """

    cells: gpd.GeoDataFrame
    adjacency: sp.csr_array
    cell_size_m: float

    @property
    def spacing_m(self) -> float:
        """Distance between the centres of neighbouring cells (``√3 a``), in metres."""
        return math.sqrt(3) * self.cell_size_m

    @property
    def cell_area_km2(self) -> float:
        """Area of one hexagon, in km²."""
        return 1.5 * math.sqrt(3) * self.cell_size_m**2 / 1e6

    def locate(self, xy: np.ndarray) -> np.ndarray:
        """Return the position in :attr:`cells` of the cell holding each point, ``-1`` when off the grid.

        Parameters
        ----------
        xy
            ``(m, 2)`` array of x, y in metres (EPSG:32648).
        """
        rows, cols = lattice_cells(np.asarray(xy, dtype=float).reshape(-1, 2), self.cell_size_m)
        index = pd.MultiIndex.from_arrays([self.cells["row"], self.cells["col"]])
        return index.get_indexer(pd.MultiIndex.from_arrays([rows, cols]))


def hexagon_grid(
    land: shapely.Geometry,
    *,
    cell_size_m: float = DEFAULT_CELL_SIZE_M,
    points: np.ndarray | None = None,
) -> HexGrid:
    """Cover the land (and any points off it) with hexagons of the given edge length.

    Parameters
    ----------
    land
        The area to cover, in metres (EPSG:32648), e.g. the province outline.
    cell_size_m
        Edge length ``a`` of a hexagon (centre to corner), at least :data:`MIN_CELL_SIZE_M`.
    points
        ``(m, 2)`` x, y in metres; cells holding them are kept even off the land.

    Returns
    -------
    HexGrid
        Cells ordered by row, then column.

    Raises
    ------
    ClusterError
        ``hotspot.bad_cell_size`` for a size that is not a number of at least 100 m;
        ``hotspot.too_many_cells`` when the grid would exceed :data:`MAX_CELLS` cells.
    """
    size = _check_cell_size(cell_size_m)
    xy = np.zeros((0, 2)) if points is None else np.asarray(points, dtype=float).reshape(-1, 2)
    hex_area = 1.5 * math.sqrt(3) * size**2
    estimate = int(shapely.area(land) / hex_area)
    if estimate > MAX_CELLS:
        raise coded_error(
            ClusterError, "hotspot.too_many_cells", cells=estimate, maximum=MAX_CELLS, size=f"{size:g}"
        )
    bounds = _bounds(land, xy)
    rows, cols = _lattice_in(bounds, size)
    hexagons = _hexagons(rows, cols, size)
    shapely.prepare(land)
    keep = shapely.intersects(land, hexagons) if not shapely.is_empty(land) else np.zeros(len(rows), bool)
    if len(xy):
        point_rows, point_cols = lattice_cells(xy, size)
        occupied = pd.MultiIndex.from_arrays([point_rows, point_cols])
        keep |= pd.MultiIndex.from_arrays([rows, cols]).isin(occupied)
    if keep.sum() > MAX_CELLS:
        raise coded_error(
            ClusterError, "hotspot.too_many_cells", cells=int(keep.sum()), maximum=MAX_CELLS, size=f"{size:g}"
        )
    rows, cols, hexagons = rows[keep], cols[keep], hexagons[keep]
    cells = gpd.GeoDataFrame(
        {"cell_id": [f"R{r}C{c}" for r, c in zip(rows, cols, strict=True)], "row": rows, "col": cols},
        geometry=hexagons,
        crs=METRIC_CRS,
    )
    return HexGrid(cells=cells, adjacency=_adjacency(rows, cols, size), cell_size_m=size)


def lattice_cells(xy: np.ndarray, cell_size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the row and column of the hexagon holding each point (the nearest lattice centre).

    The nearest centre is always in one of the two rows on either side of the point, so only
    the nearest centre of each of those two rows is compared.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    spacing, row_height = math.sqrt(3) * cell_size_m, 1.5 * cell_size_m
    below = np.floor(xy[:, 1] / row_height).astype(np.int64)
    best_rows, best_cols, best = (
        np.zeros(len(xy), np.int64),
        np.zeros(len(xy), np.int64),
        np.full(len(xy), np.inf),
    )
    for row in (below, below + 1):
        offset = (row % 2) * spacing / 2
        col = np.round((xy[:, 0] - offset) / spacing).astype(np.int64)
        distance = np.hypot(xy[:, 0] - (col * spacing + offset), xy[:, 1] - row * row_height)
        closer = distance < best
        best_rows[closer], best_cols[closer], best[closer] = row[closer], col[closer], distance[closer]
    return best_rows, best_cols


def _hexagons(rows: np.ndarray, cols: np.ndarray, size: float) -> np.ndarray:
    spacing, row_height = math.sqrt(3) * size, 1.5 * size
    cx = cols * spacing + (rows % 2) * spacing / 2
    cy = rows * row_height
    angles = np.deg2rad(np.arange(30, 390, 60))
    corners = np.stack([cx[:, None] + size * np.cos(angles), cy[:, None] + size * np.sin(angles)], axis=-1)
    return shapely.polygons(corners)


def _adjacency(rows: np.ndarray, cols: np.ndarray, size: float) -> sp.csr_array:
    spacing = math.sqrt(3) * size
    centres = np.column_stack([cols * spacing + (rows % 2) * spacing / 2, rows * 1.5 * size])
    n = len(centres)
    pairs = cKDTree(centres).query_pairs(NEIGHBOUR_TOLERANCE * spacing, output_type="ndarray")
    i = np.concatenate([pairs[:, 0], pairs[:, 1]])
    j = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return sp.csr_array((np.ones(len(i)), (i, j)), shape=(n, n))


def _bounds(land: shapely.Geometry, xy: np.ndarray) -> tuple[float, float, float, float]:
    boxes = []
    if not shapely.is_empty(land):
        boxes.append(shapely.bounds(land))
    if len(xy):
        boxes.append(np.array([*xy.min(axis=0), *xy.max(axis=0)]))
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    stacked = np.vstack(boxes)
    return (*stacked[:, :2].min(axis=0), *stacked[:, 2:].max(axis=0))


def _lattice_in(bounds: tuple[float, float, float, float], size: float) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = bounds
    spacing, row_height = math.sqrt(3) * size, 1.5 * size
    row_range = np.arange(math.floor(miny / row_height) - 1, math.ceil(maxy / row_height) + 2)
    col_range = np.arange(math.floor(minx / spacing) - 1, math.ceil(maxx / spacing) + 2)
    # Points far from the land (a stray point in another province) would make a huge lattice.
    if len(row_range) * len(col_range) > _MAX_LATTICE:
        cells = len(row_range) * len(col_range)
        raise coded_error(
            ClusterError, "hotspot.too_many_cells", cells=cells, maximum=MAX_CELLS, size=f"{size:g}"
        )
    rows, cols = np.meshgrid(row_range, col_range, indexing="ij")
    return rows.ravel().astype(np.int64), cols.ravel().astype(np.int64)


def _check_cell_size(value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < MIN_CELL_SIZE_M
    ):
        raise coded_error(ClusterError, "hotspot.bad_cell_size", value=repr(value), minimum=MIN_CELL_SIZE_M)
    return float(value)
