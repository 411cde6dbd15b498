"""Hot spots of risk points on the map: Gi* over hexagons or communes, the density surface, the summary.

The GeoDataFrame side of :mod:`hotspots.analysis.clusters`. Layers come in any CRS that has a
definition; they are projected to UTM zone 48N (:data:`~hotspots.config.METRIC_CRS`) to
measure in metres (the result's notes say so) and the results come back in EPSG:4326.

Which points count: by default the **active** risk points only (``statuses=("active",)``):
pending ones are not yet approved, rejected and retired ones are not hazards, and mitigated
ones have been fenced or signed. A black spot counts ``black_spot_factor`` times (default 5).

Two supports:

- :func:`hexagon_hotspots`: hexagons of :mod:`hotspots.analysis.hexgrid` over the land (edge
  1 km by default), the weighted count of points in each cell, the six cells around each cell
  as neighbours; p-values exact by default (counts).
- :func:`commune_hotspots`: the communes, weighted points per 1,000 children under 16 or per
  km², queen contiguity (communes sharing a border or a corner); p-values from permutations
  (rates are not counts).

Units with no neighbour (off-shore cells, island communes) and communes without a child count
are left out of the test and named in the notes. A *cluster* is a connected group of
significant hot units; its communes are those it overlaps, the largest overlap first (for the
commune support, the hottest commune first). The results are the dataclasses of
:mod:`hotspots.analysis.cluster_summary`, whose :func:`~hotspots.analysis.cluster_summary.summary_text`
says what was found in a sentence.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely

from hotspots.analysis.cluster_summary import Cluster, HotspotResult, HotspotSummary, unique_names
from hotspots.analysis.clusters import (
    DEFAULT_ALPHA,
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    MIN_NONZERO_UNITS,
    MIN_TESTED_UNITS,
    GiStarResult,
    Inference,
    gi_star,
    hot_clusters,
)
from hotspots.analysis.coverage import nearest_facilities
from hotspots.analysis.density import DEFAULT_BANDWIDTH_M, DEFAULT_PIXEL_M, DensitySurface, density_surface
from hotspots.analysis.hexgrid import DEFAULT_CELL_SIZE_M, hexagon_grid
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, METRIC_CRS, WGS84
from hotspots.errors import ClusterError, CRSError, Problem
from hotspots.i18n import coded_error, make_problem
from hotspots.schema import POINT_STATUSES

#: Statuses of the risk points that count by default.
HOTSPOT_STATUSES: Final = ("active",)
#: A black spot counts as this many risk points.
HOTSPOT_BLACK_SPOT_FACTOR: Final = 5
MAX_BLACK_SPOT_FACTOR: Final = 100
#: What the commune support tests.
COMMUNE_MEASURES: Final = ("per_1000_children", "per_km2")
#: Columns of the hexagon layer, before the geometry.
HEXAGON_COLUMNS: Final = (
    "cell_id",
    "commune_id",
    "commune_name",
    "risk_points",
    "black_spots",
    "value",
    "z",
    "p",
    "p_sim",
    "significant",
    "hotspot_class",
    "cluster",
)
#: Columns of the commune layer, before the geometry.
COMMUNE_COLUMNS: Final = (
    "commune_id",
    "name",
    "children_under_16",
    "area_km2",
    "risk_points",
    "black_spots",
    "weighted_points",
    "value",
    "z",
    "p",
    "p_sim",
    "significant",
    "hotspot_class",
    "cluster",
)
# How many unit names a note lists before "…".
_NAMES_SHOWN: Final = 10


def hexagon_hotspots(
    risk_points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    land: shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    cell_size_m: float = DEFAULT_CELL_SIZE_M,
    black_spot_factor: int = HOTSPOT_BLACK_SPOT_FACTOR,
    statuses: Sequence[str] = HOTSPOT_STATUSES,
    swim_classes: gpd.GeoDataFrame | None = None,
    rescue_trainings: gpd.GeoDataFrame | None = None,
    swim_radius_m: float = DEFAULT_SWIM_RADIUS_M,
    rescue_radius_m: float = DEFAULT_RESCUE_RADIUS_M,
    alpha: float = DEFAULT_ALPHA,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    inference: Inference = "exact",
) -> HotspotResult:
    """Find hot and cold spots of risk points on a hexagon grid over the land.

    Parameters
    ----------
    risk_points
        The risk-point layer (``risk_level``, ``status``), any defined CRS.
    communes
        The commune layer (``commune_id``, ``name``), to say where cells and clusters are.
    land
        The area to cover: a GeoSeries/GeoDataFrame, or a shapely geometry in EPSG:4326 (as
        :func:`hotspots.formats.load_province` returns). Default: the union of the communes.
    cell_size_m
        Edge length of a hexagon in metres (:mod:`hotspots.analysis.hexgrid`).
    black_spot_factor
        How many risk points a black spot counts as: a whole number from 1 to 100.
    statuses
        Statuses of the risk points that count.
    swim_classes, rescue_trainings
        Facility layers for the coverage counts of the clusters; ``None``: not counted.
    swim_radius_m, rescue_radius_m
        Reach of a swimming class and of a rescue training, in metres.
    alpha, permutations, seed, inference
        As in :func:`hotspots.analysis.clusters.gi_star`.

    Returns
    -------
    HotspotResult
        ``units`` has the columns :data:`HEXAGON_COLUMNS`; ``value`` is the weighted count,
        ``cluster`` the cluster number (missing outside clusters).

    Raises
    ------
    CRSError
        A layer has no CRS, or says metres while its coordinates are degrees.
    ClusterError
        A bad option, too few points for the test, or every cell equal (coded).
    """
    _check_radius(swim_radius_m)
    _check_radius(rescue_radius_m)
    notes = _Notes()
    points = _counted_points(risk_points, statuses, notes)
    towns = _metric(_checked_columns(communes, "communes", ("commune_id", "name")), "communes", notes)
    ground = _land(land, towns, notes)
    xy = _xy(points)
    grid = hexagon_grid(ground, cell_size_m=cell_size_m, points=xy)
    weights = _weights(points, black_spot_factor)
    cell_of_point = grid.locate(xy)
    n = len(grid.cells)
    black = _is_black(points)
    value = np.bincount(cell_of_point, weights=weights, minlength=n)
    result = gi_star(
        value, grid.adjacency, alpha=alpha, permutations=permutations, seed=seed, inference=inference
    )
    centres = grid.cells.geometry.centroid.to_numpy()
    home = _nearest(centres, towns)
    layer = pd.DataFrame(
        {
            "cell_id": grid.cells["cell_id"].to_numpy(),
            "commune_id": _take(towns["commune_id"], home),
            "commune_name": _take(towns["name"], home),
            "risk_points": np.bincount(cell_of_point, minlength=n),
            "black_spots": np.bincount(cell_of_point, weights=black, minlength=n).astype(int),
            "value": value,
        }
    )
    groups = hot_clusters(result.hot, grid.adjacency, value)
    members = [np.flatnonzero(np.isin(cell_of_point, group)) for group in groups]
    places = [_overlapped(shapely.union_all(grid.cells.geometry.to_numpy()[g]), towns) for g in groups]
    islands = layer["cell_id"].to_numpy()[result.islands]
    if len(islands):
        names = unique_names(layer["commune_name"].to_numpy()[result.islands])
        notes.add("hotspot.cell_islands", count=len(islands), places=_listed(names))
    return _result(
        layer,
        grid.cells.geometry,
        result,
        groups,
        places,
        points,
        members,
        coverage=_coverage(points, swim_classes, rescue_trainings, swim_radius_m, rescue_radius_m),
        support="hexagons",
        measure="weighted_points",
        islands=tuple(islands),
        left_out=(),
        notes=notes,
        radii=(swim_radius_m, rescue_radius_m),
    )


def commune_hotspots(
    risk_points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    measure: str = "per_1000_children",
    black_spot_factor: int = HOTSPOT_BLACK_SPOT_FACTOR,
    statuses: Sequence[str] = HOTSPOT_STATUSES,
    swim_classes: gpd.GeoDataFrame | None = None,
    rescue_trainings: gpd.GeoDataFrame | None = None,
    swim_radius_m: float = DEFAULT_SWIM_RADIUS_M,
    rescue_radius_m: float = DEFAULT_RESCUE_RADIUS_M,
    alpha: float = DEFAULT_ALPHA,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
) -> HotspotResult:
    """Find communes that, with their neighbours, have more (or fewer) risk points than chance gives.

    Parameters
    ----------
    risk_points
        The risk-point layer; each point counts in the commune that holds it (the nearest one
        for a point just off the coast).
    communes
        The commune layer (``commune_id``, ``name``, ``children_under_16``).
    measure
        ``"per_1000_children"``: weighted risk points per 1,000 children under 16 (communes
        without a child count are left out); ``"per_km2"``: weighted risk points per km².
    black_spot_factor, statuses, swim_classes, rescue_trainings, swim_radius_m, rescue_radius_m
        As in :func:`hexagon_hotspots`.
    alpha, permutations, seed
        As in :func:`hotspots.analysis.clusters.gi_star`; p-values come from the permutations.

    Returns
    -------
    HotspotResult
        ``units`` has the columns :data:`COMMUNE_COLUMNS`; ``value`` is the measure.

    Raises
    ------
    CRSError, ClusterError
        As :func:`hexagon_hotspots`; ``hotspot.unknown_measure`` for another measure.
    """
    if measure not in COMMUNE_MEASURES:
        raise coded_error(
            ClusterError,
            "hotspot.unknown_measure",
            measure=repr(measure),
            measures=", ".join(COMMUNE_MEASURES),
        )
    _check_radius(swim_radius_m)
    _check_radius(rescue_radius_m)
    notes = _Notes()
    points = _counted_points(risk_points, statuses, notes)
    needed = (
        ("commune_id", "name", "children_under_16")
        if measure == "per_1000_children"
        else ("commune_id", "name")
    )
    towns = _metric(_checked_columns(communes, "communes", needed), "communes", notes).reset_index(drop=True)
    if len(towns) == 0:
        raise coded_error(
            ClusterError,
            "hotspot.too_few",
            tested=0,
            nonzero=0,
            min_units=MIN_TESTED_UNITS,
            min_nonzero=MIN_NONZERO_UNITS,
        )
    weights = _weights(points, black_spot_factor)
    home = _nearest(points.geometry.to_numpy(), towns)
    n = len(towns)
    weighted = np.bincount(home, weights=weights, minlength=n)
    area_km2 = towns.geometry.area.to_numpy() / 1e6
    children = np.full(n, np.nan)
    if "children_under_16" in towns.columns:
        children = pd.to_numeric(towns["children_under_16"], errors="coerce").to_numpy(dtype=float)
    if measure == "per_km2":
        usable, value = area_km2 > 0, weighted / np.where(area_km2 > 0, area_km2, np.nan)
    else:
        usable = np.isfinite(children) & (children > 0)
        value = 1000 * weighted / np.where(usable, children, np.nan)
    adjacency = _queen(towns)
    adjacency = sp.csr_array(adjacency.multiply(np.outer(usable, usable)))
    result = gi_star(
        np.where(usable, value, 0.0),
        adjacency,
        alpha=alpha,
        permutations=permutations,
        seed=seed,
        inference="permutation",
    )
    ids, names = towns["commune_id"].to_numpy(dtype=object), towns["name"].to_numpy(dtype=object)
    left_out = ids[~usable]
    if len(left_out):
        notes.add("hotspot.no_children", count=len(left_out), places=_listed(names[~usable]))
    islands = result.islands[usable[result.islands]]
    if len(islands):
        notes.add("hotspot.commune_islands", count=len(islands), places=_listed(names[islands]))
    layer = pd.DataFrame(
        {
            "commune_id": ids,
            "name": names,
            "children_under_16": children,
            "area_km2": area_km2,
            "risk_points": np.bincount(home, minlength=n),
            "black_spots": np.bincount(home, weights=_is_black(points), minlength=n).astype(int),
            "weighted_points": weighted,
            "value": np.where(usable, value, np.nan),
        }
    )
    groups = hot_clusters(result.hot, adjacency, np.nan_to_num(weighted))
    places = [tuple(group[np.argsort(-result.z[group], kind="stable")]) for group in groups]
    members = [np.flatnonzero(np.isin(home, group)) for group in groups]
    return _result(
        layer,
        towns.geometry,
        result,
        groups,
        [(ids[list(p)], names[list(p)]) for p in places],
        points,
        members,
        coverage=_coverage(points, swim_classes, rescue_trainings, swim_radius_m, rescue_radius_m),
        support="communes",
        measure=measure,
        islands=tuple(ids[islands]),
        left_out=tuple(left_out),
        notes=notes,
        radii=(swim_radius_m, rescue_radius_m),
    )


def risk_density(
    risk_points: gpd.GeoDataFrame,
    *,
    bandwidth_m: float | str = DEFAULT_BANDWIDTH_M,
    pixel_m: float = DEFAULT_PIXEL_M,
    black_spot_factor: int = HOTSPOT_BLACK_SPOT_FACTOR,
    statuses: Sequence[str] = HOTSPOT_STATUSES,
) -> DensitySurface:
    """Compute the kernel-density surface of the counted risk points (:mod:`hotspots.analysis.density`).

    Returns
    -------
    DensitySurface
        ``heat_points()`` gives ``[lat, lon, weight]`` for folium's ``HeatMap``.

    Raises
    ------
    CRSError, ClusterError
        A layer without CRS, no risk point to count, or sizes that cannot be used.
    """
    points = _counted_points(risk_points, statuses, _Notes())
    xy = _xy(points)
    return density_surface(xy, _weights(points, black_spot_factor), bandwidth_m=bandwidth_m, pixel_m=pixel_m)


class _Notes:
    """Coded notes gathered while a test runs (projections, units left out...)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, **params: object) -> None:
        self.items.append(make_problem(code, severity="warning", **params))


def _result(
    layer: pd.DataFrame,
    geometry: gpd.GeoSeries,
    result: GiStarResult,
    groups: tuple[np.ndarray, ...],
    places: list[tuple[np.ndarray, np.ndarray]],
    points: gpd.GeoDataFrame,
    members: list[np.ndarray],
    *,
    coverage: tuple[np.ndarray | None, np.ndarray | None],
    support: str,
    measure: str,
    islands: tuple[str, ...],
    left_out: tuple[str, ...],
    notes: _Notes,
    radii: tuple[float, float],
) -> HotspotResult:
    layer = layer.assign(
        z=result.z,
        p=result.p,
        p_sim=result.p_sim,
        significant=result.significant,
        hotspot_class=result.classes,
    )
    cluster = pd.array([pd.NA] * len(layer), dtype="Int64")
    for number, group in enumerate(groups, start=1):
        cluster[group] = number
    layer["cluster"] = cluster
    unit_ids = layer.iloc[:, 0].to_numpy(dtype=object)
    black = _is_black(points).astype(bool)
    swim, rescue = coverage
    clusters = []
    for number, (group, (commune_ids, commune_names), inside) in enumerate(
        zip(groups, places, members, strict=True), start=1
    ):
        in_black = black[inside]
        clusters.append(
            Cluster(
                number=number,
                unit_ids=tuple(str(u) for u in unit_ids[group]),
                commune_ids=tuple(str(c) for c in commune_ids),
                commune_names=tuple(str(c) for c in commune_names),
                risk_points=len(inside),
                black_spots=int(in_black.sum()),
                risk_points_without_swim=None if swim is None else int((~swim[inside]).sum()),
                black_spots_without_swim=None if swim is None else int((~swim[inside][in_black]).sum()),
                risk_points_without_rescue=None if rescue is None else int((~rescue[inside]).sum()),
                black_spots_without_rescue=None if rescue is None else int((~rescue[inside][in_black]).sum()),
            )
        )
    at_floor = int((result.p[result.tested] <= result.min_p * (1 + 1e-9)).sum())
    if not clusters and result.inference == "permutation" and 0 < at_floor < result.min_detectable:
        notes.add(
            "hotspot.permutation_floor",
            permutations=result.permutations,
            draws=result.permutations + 1,
            tested=result.n_tested,
            needed=result.min_detectable,
            reached=at_floor,
        )
    summary = HotspotSummary(
        support=support,
        measure=measure,
        units=len(layer),
        tested=result.n_tested,
        islands=islands,
        left_out=left_out,
        hot=int(result.hot.sum()),
        cold=int(result.cold.sum()),
        clusters=tuple(clusters),
        total_risk_points=len(points),
        total_black_spots=int(black.sum()),
        alpha=result.alpha,
        fdr_cutoff=result.fdr_cutoff,
        inference=result.inference,
        permutations=result.permutations,
        seed=result.seed,
        min_detectable=result.min_detectable,
        swim_radius_m=float(radii[0]),
        rescue_radius_m=float(radii[1]),
        notes=tuple(notes.items),
    )
    units = gpd.GeoDataFrame(layer, geometry=geometry.to_crs(WGS84).to_numpy(), crs=WGS84)
    return HotspotResult(units=units, summary=summary)


def _counted_points(frame: gpd.GeoDataFrame, statuses: Sequence[str], notes: _Notes) -> gpd.GeoDataFrame:
    wanted = (statuses,) if isinstance(statuses, str) else tuple(statuses)
    unknown = [s for s in wanted if s not in POINT_STATUSES]
    if unknown or not wanted:
        raise coded_error(
            ClusterError,
            "hotspot.unknown_status",
            statuses=", ".join(map(str, unknown)) or "—",
            allowed=", ".join(POINT_STATUSES),
        )
    frame = _checked_columns(frame, "risk_points", ("risk_level", "status"))
    metric = _metric(frame, "risk_points", notes)
    geometry = metric.geometry
    keep = (
        metric["status"].isin(wanted).to_numpy() & geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy()
    )
    return metric[keep].reset_index(drop=True)


def _checked_columns(frame: gpd.GeoDataFrame, layer: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise coded_error(ClusterError, "hotspot.missing_columns", layer=layer, columns=", ".join(missing))
    return frame


def _metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, layer: str, notes: _Notes) -> gpd.GeoDataFrame:
    """Return the layer in metres (EPSG:32648), noting a projection; refuse a missing or false CRS."""
    if frame.crs is None:
        raise coded_error(CRSError, "hotspot.no_crs", layer=layer)
    crs = pyproj.CRS.from_user_input(frame.crs)
    if crs.is_projected and len(frame) and not frame.geometry.is_empty.all():
        minx, miny, maxx, maxy = frame.total_bounds
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            raise coded_error(CRSError, "hotspot.degrees_as_metres", layer=layer, crs=crs.to_string())
    if crs.equals(pyproj.CRS.from_user_input(METRIC_CRS)):
        return frame
    notes.add("hotspot.projected", layer=layer, crs=crs.to_string())
    return frame.to_crs(METRIC_CRS)


def _land(
    land: shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame | None, towns: gpd.GeoDataFrame, notes: _Notes
) -> shapely.Geometry:
    if land is None:
        return shapely.union_all(shapely.make_valid(towns.geometry.to_numpy()))
    if isinstance(land, gpd.GeoSeries | gpd.GeoDataFrame):
        series = _metric(land, "land", notes).geometry
    else:
        series = gpd.GeoSeries([land], crs=WGS84).to_crs(METRIC_CRS)
    return shapely.union_all(shapely.make_valid(series.to_numpy()))


def _weights(points: gpd.GeoDataFrame, factor: int) -> np.ndarray:
    if (
        isinstance(factor, bool)
        or not isinstance(factor, numbers.Real)
        or not math.isfinite(factor)
        or factor != int(factor)
        or not 1 <= factor <= MAX_BLACK_SPOT_FACTOR
    ):
        raise coded_error(
            ClusterError, "hotspot.bad_factor", value=repr(factor), maximum=MAX_BLACK_SPOT_FACTOR
        )
    return np.where(_is_black(points).astype(bool), float(factor), 1.0)


def _xy(points: gpd.GeoDataFrame) -> np.ndarray:
    """One x, y per feature (a point's own coordinates; a point inside any other shape)."""
    return shapely.get_coordinates(shapely.point_on_surface(points.geometry.to_numpy())).reshape(-1, 2)


def _is_black(points: gpd.GeoDataFrame) -> np.ndarray:
    return (points["risk_level"] == "black_spot").to_numpy(dtype=float)


def _nearest(geometries: np.ndarray, towns: gpd.GeoDataFrame) -> np.ndarray:
    """Position of the commune holding each geometry (distance 0), or the nearest one."""
    if len(towns) == 0:
        return np.full(len(geometries), -1, dtype=np.int64)
    tree = shapely.STRtree(towns.geometry.to_numpy())
    which = np.full(len(geometries), -1, dtype=np.int64)
    if len(geometries):
        (source, target) = tree.query_nearest(geometries, all_matches=False)
        which[source] = target
    return which


def _take(column: pd.Series, positions: np.ndarray) -> np.ndarray:
    values = column.to_numpy(dtype=object)
    return np.array([values[p] if p >= 0 else None for p in positions], dtype=object)


def _overlapped(shape: shapely.Geometry, towns: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Communes a cluster overlaps, the largest overlap first."""
    if len(towns) == 0:
        return np.array([], dtype=object), np.array([], dtype=object)
    areas = shapely.area(shapely.intersection(towns.geometry.to_numpy(), shape))
    order = [i for i in np.argsort(-areas, kind="stable") if areas[i] > 0]
    if not order:
        order = [int(np.argmin(shapely.distance(towns.geometry.to_numpy(), shape)))]
    return towns["commune_id"].to_numpy(dtype=object)[order], towns["name"].to_numpy(dtype=object)[order]


def _coverage(
    points: gpd.GeoDataFrame,
    swim_classes: gpd.GeoDataFrame | None,
    rescue_trainings: gpd.GeoDataFrame | None,
    swim_radius_m: float,
    rescue_radius_m: float,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    covered: list[np.ndarray | None] = []
    for layer, radius in ((swim_classes, swim_radius_m), (rescue_trainings, rescue_radius_m)):
        if layer is None:
            covered.append(None)
            continue
        nearest = nearest_facilities(points, layer, prefix="nearest")
        covered.append(nearest["nearest_distance_m"].to_numpy() <= radius)
    return covered[0], covered[1]


def _queen(towns: gpd.GeoDataFrame) -> sp.csr_array:
    from libpysal.graph import Graph  # a heavy import (seconds), only when the test runs

    graph = Graph.build_contiguity(towns.geometry.reset_index(drop=True), rook=False, strict=True)
    matrix = sp.csr_array(graph.sparse)
    return sp.csr_array((matrix != 0).astype(float))


def _check_radius(value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < 0
    ):
        raise coded_error(ClusterError, "hotspot.bad_radius", value=repr(value))


def _listed(names: Sequence[object] | np.ndarray) -> str:
    names = unique_names(names)
    shown = ", ".join(names[:_NAMES_SHOWN])
    return shown + (", …" if len(names) > _NAMES_SHOWN else "")
