"""Siting new swimming classes or rescue-training sites on the map layers (the GeoDataFrame adapter).

:func:`siting_problem` turns the layers into the numbers :func:`~hotspots.analysis.siting.maximal_coverage`
needs, like spopt's ``from_geodataframe``; :func:`choose_sites` solves it and says what each chosen site
newly covers; :func:`site_coverage_curve` answers "how many new sites for 80 %?". Every distance is in
metres in :data:`~hotspots.config.METRIC_CRS` (UTM zone 48N), measured with a KD-tree.

Demand
    The risk points whose ``status`` is in ``statuses`` (default: ``active`` only; pending points are
    not yet approved, rejected and retired ones are not hazards, mitigated ones are fenced or signed).
    A black spot weighs ``black_spot_factor`` (default 5); every other level (high, medium, low)
    weighs 1: the register lists places where people drowned or nearly did, and the planners' issue
    distinguishes only the black spots, so any scale for medium and low would be made up. With
    ``weight_by_children`` each weight is multiplied by the children under 16 of the point's commune
    divided by the mean of that number over the demand points (the mean multiplier is 1; a point in
    no known commune gets multiplier 1).
Candidates (column ``candidate_kind``)
    ``existing``: the existing venues (swimming classes, or rescue trainings), open already (fixed);
    ``commune_centre``: a point inside each commune (its representative point);
    ``play_space``: the play spaces; ``near_venue``: 8 points on a circle of one radius around each
    existing venue, on land; ``grid``: a square grid over land (``grid_spacing_m``), land being the
    province outline, else the communes; ``planner``: sites the planner added (longitude, latitude).
What a chosen site newly covers
    Sites are taken in the order of :attr:`SitingResult.chosen` (largest marginal gain first); a risk
    point or a child counts for the first chosen site that reaches it, and only if no existing venue
    does, so the columns add up to the plan's total. Children are not located, only counted per
    commune: ``new_children`` assumes they are spread evenly over their commune's area and counts
    those living within the radius of the site and not within the radius of an existing venue or of
    an earlier site.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from hotspots.analysis.siting import (
    CoverageCurve,
    SitingMethod,
    SitingResult,
    check_radius,
    coverage_curve,
    maximal_coverage,
)
from hotspots.config import COASTAL_TOLERANCE_M, METRIC_CRS, WGS84
from hotspots.errors import CRSError, SitingError
from hotspots.i18n import coded_error
from hotspots.schema import LAYERS

#: Values of the ``candidate_kind`` column, in the order candidates are listed.
CANDIDATE_KINDS: Final = ("existing", "commune_centre", "play_space", "near_venue", "grid", "planner")
#: Weight of a black spot; every other risk level weighs 1.
DEFAULT_BLACK_SPOT_FACTOR: Final = 5.0
#: Spacing of the grid of candidate sites over land, in metres.
DEFAULT_GRID_SPACING_M: Final = 1_000.0
#: Closest spacing accepted: 250 m already makes about 90,000 candidates over Quảng Ninh.
MIN_GRID_SPACING_M: Final = 250.0
#: Statuses of the risk points that are demand.
DEMAND_STATUSES: Final = ("active",)
#: Columns of :attr:`SitingPlan.sites`, in order (geometry last).
SITE_COLUMNS: Final = (
    "rank",
    "candidate_kind",
    "source_id",
    "commune_id",
    "commune_name",
    "new_risk_points",
    "new_black_spots",
    "new_weight",
    "new_children",
    "nearest_venue_m",
    "geometry",
)

_NEAR_VENUE_DIRECTIONS: Final = 8
# Segments per quarter circle of the discs that count children (0.04 % short of a true circle's area).
_DISC_QUAD_SEGMENTS: Final = 32
_ID_FIELDS: Final = tuple(schema.id_field for schema in LAYERS.values() if schema.is_point_layer)


@dataclass(frozen=True, eq=False)
class SitingProblem:
    """Demand, candidates and distances, ready to solve (build it with :func:`siting_problem`).

    Attributes
    ----------
    demand
        The demand risk points in :data:`METRIC_CRS`, with columns ``weight`` and ``commune_index``
        (row of ``communes``, -1 when none) added.
    candidates
        Candidate sites in :data:`METRIC_CRS`: ``candidate_kind``, ``source_id``, ``commune_id``,
        ``commune_name``, ``nearest_venue_m``; the existing venues first.
    cost
        Sparse ``(len(demand), len(candidates))`` distances in metres of the pairs within reach
        (a stored 0 is a point on a site).
    fixed
        Rows of ``candidates`` that are existing venues.
    radius_m
        Reach of a site, in metres.
    communes
        The communes in :data:`METRIC_CRS`.
    """

    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    cost: sp.csr_array
    fixed: np.ndarray
    radius_m: float
    communes: gpd.GeoDataFrame


@dataclass(frozen=True, eq=False)
class SitingPlan:
    """The sites chosen by :func:`choose_sites`.

    Attributes
    ----------
    sites
        One row per chosen site, best first, EPSG:4326, columns :data:`SITE_COLUMNS`.
    demand
        The demand risk points, EPSG:4326, with ``weight``, ``covered_before`` (by an existing
        venue), ``covered_after`` and ``new_site_rank`` (rank of the chosen site that newly covers
        the point, 0 when none).
    result
        The solver's answer: method, objective, upper bound, gap, time, notice.
    """

    sites: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    result: SitingResult


def siting_problem(
    risk_points: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    radius_m: float,
    play_spaces: gpd.GeoDataFrame | None = None,
    province: shapely.Geometry | gpd.GeoDataFrame | None = None,
    grid_spacing_m: float = DEFAULT_GRID_SPACING_M,
    extra_sites: Iterable[tuple[float, float]] = (),
    black_spot_factor: float = DEFAULT_BLACK_SPOT_FACTOR,
    weight_by_children: bool = False,
    statuses: Sequence[str] = DEMAND_STATUSES,
) -> SitingProblem:
    """Build the siting problem from the layers: demand, weights, candidate sites and distances.

    Parameters
    ----------
    risk_points
        The risk-point layer (``point_id``, ``risk_level``, ``status``, ``commune_id``), any defined CRS.
    existing
        The venues already open: the swimming classes, or the rescue trainings. May be empty.
    communes
        The communes (``commune_id``, ``name``, ``children_under_16``, polygons).
    radius_m
        Reach of a site in metres (3,000 for swimming classes, 2,000 for rescue training by default
        in :mod:`hotspots.config`).
    play_spaces
        Play spaces, candidate sites; ``None`` or empty for none.
    province
        The province outline (a geometry in EPSG:4326 as :func:`hotspots.load_province` returns it,
        or a layer); the grid and the points near venues are kept on it. ``None``: the communes.
    grid_spacing_m
        Spacing of the grid of candidates over land, at least :data:`MIN_GRID_SPACING_M`.
    extra_sites
        Sites the planner added, as (longitude, latitude) pairs in degrees.
    black_spot_factor
        Weight of a black spot (0 or more); other risk points weigh 1.
    weight_by_children
        Multiply weights by the commune's children under 16, normalised to a mean multiplier of 1.
    statuses
        Statuses of the risk points to cover.

    Raises
    ------
    CRSError
        A layer has no CRS, or declares one in metres while its coordinates are degrees.
    SitingError
        A bad radius, spacing, factor or added site, or no demand point.
    """
    check_radius(radius_m)
    _check_number(grid_spacing_m, "siting.bad_grid_spacing", minimum=MIN_GRID_SPACING_M)
    _check_number(black_spot_factor, "siting.bad_factor", minimum=0.0)
    planner = _planner_points(extra_sites)
    communes_m = _metric(communes, "communes").reset_index(drop=True)
    points = _metric(risk_points, "risk_points")
    status = points["status"] if "status" in points.columns else pd.Series("active", index=points.index)
    demand = points[status.isin(list(statuses)).to_numpy()].reset_index(drop=True)
    if len(demand) == 0:
        raise coded_error(SitingError, "siting.no_demand")
    venues = _metric(existing, "existing") if len(existing) else gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)
    land = _land(province, communes_m)
    candidates = _candidates(
        venues,
        communes_m,
        play_spaces,
        land,
        planner,
        grid_spacing_m=float(grid_spacing_m),
        radius_m=radius_m,
    )
    commune_index = _commune_of(candidates.geometry.to_numpy(), communes_m)
    candidates["commune_id"] = _pick(communes_m["commune_id"], commune_index)
    candidates["commune_name"] = _pick(communes_m["name"], commune_index)
    candidates["nearest_venue_m"] = _nearest_distance(candidates, venues)
    demand["commune_index"] = _demand_communes(demand, communes_m)
    demand["weight"] = _weights(
        demand, communes_m, float(black_spot_factor), weight_by_children=weight_by_children
    )
    cost = _distances(demand, candidates, float(radius_m))
    fixed = np.flatnonzero((candidates["candidate_kind"] == "existing").to_numpy())
    return SitingProblem(demand, candidates, cost, fixed, float(radius_m), communes_m)


def choose_sites(
    problem: SitingProblem,
    *,
    k: int,
    method: SitingMethod = "auto",
    time_limit_s: float | None = None,
) -> SitingPlan:
    """Choose ``k`` new sites for ``problem`` and say what each newly covers.

    Parameters
    ----------
    problem
        From :func:`siting_problem`.
    k, method, time_limit_s
        As for :func:`~hotspots.analysis.siting.maximal_coverage`.

    Raises
    ------
    SitingError
        For a bad ``k``, ``method`` or time limit.
    """
    weights = problem.demand["weight"].to_numpy()
    result = maximal_coverage(
        problem.cost,
        weights,
        radius=problem.radius_m,
        k=k,
        fixed=problem.fixed,
        method=method,
        time_limit_s=time_limit_s,
    )
    reach = sp.csc_array(problem.cost)
    before = _reached(reach, problem.fixed)
    rank = np.zeros(len(weights), dtype=np.int64)
    for position, site in enumerate(result.chosen, start=1):
        rows = reach.indices[reach.indptr[site] : reach.indptr[site + 1]]
        rows = rows[~before[rows] & (rank[rows] == 0)]
        rank[rows] = position
    black = (problem.demand["risk_level"] == "black_spot").to_numpy()
    chosen = problem.candidates.iloc[result.chosen].reset_index(drop=True)
    positions = np.arange(1, len(chosen) + 1)
    sites = gpd.GeoDataFrame(
        {
            "rank": positions,
            "candidate_kind": chosen["candidate_kind"].to_numpy(),
            "source_id": chosen["source_id"].to_numpy(),
            "commune_id": chosen["commune_id"].to_numpy(),
            "commune_name": chosen["commune_name"].to_numpy(),
            "new_risk_points": np.bincount(rank, minlength=len(chosen) + 1)[1:],
            "new_black_spots": np.bincount(rank[black], minlength=len(chosen) + 1)[1:],
            "new_weight": np.bincount(rank, weights=weights, minlength=len(chosen) + 1)[1:],
            "new_children": _new_children(problem, chosen.geometry.to_numpy()),
            "nearest_venue_m": chosen["nearest_venue_m"].to_numpy(),
        },
        geometry=chosen.geometry.to_numpy(),
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    demand = problem.demand.drop(columns=["commune_index"]).copy()
    demand["covered_before"] = before
    demand["covered_after"] = result.covered
    demand["new_site_rank"] = rank
    return SitingPlan(sites=sites, demand=demand.to_crs(WGS84), result=result)


def site_coverage_curve(problem: SitingProblem, *, k_max: int) -> CoverageCurve:
    """Share of the risk weight covered with 0, 1, … ``k_max`` new sites, added greedily.

    The greedy curve (see :func:`~hotspots.analysis.siting.coverage_curve`): "how many swimming
    classes for 80 %?" is ``site_coverage_curve(problem, k_max=50).sites_for(0.8)``.
    """
    weights = problem.demand["weight"].to_numpy()
    return coverage_curve(problem.cost, weights, radius=problem.radius_m, k_max=k_max, fixed=problem.fixed)


def _metric(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Return ``frame`` in metres (UTM 48N), refusing a missing CRS and degrees labelled as metres."""
    if frame.crs is None:
        raise coded_error(CRSError, "siting.no_crs", layer=layer)
    if frame.crs.is_projected and len(frame):
        xmin, ymin, xmax, ymax = frame.total_bounds
        # Projected coordinates of a place in Viet Nam are never this small: these are degrees.
        if max(abs(xmin), abs(xmax)) <= 180 and max(abs(ymin), abs(ymax)) <= 90:
            raise coded_error(
                CRSError,
                "siting.degrees",
                layer=layer,
                crs=frame.crs.to_string(),
                x=float(shapely.get_coordinates(frame.geometry.iloc[0])[0, 0]),
                y=float(shapely.get_coordinates(frame.geometry.iloc[0])[0, 1]),
            )
    return frame.to_crs(METRIC_CRS)


def _candidates(
    venues: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    play_spaces: gpd.GeoDataFrame | None,
    land: shapely.Geometry,
    planner: np.ndarray,
    *,
    grid_spacing_m: float,
    radius_m: float,
) -> gpd.GeoDataFrame:
    venue_xy = _xy(venues.geometry)
    venue_ids = _ids(venues)
    angles = 2 * np.pi * np.arange(_NEAR_VENUE_DIRECTIONS) / _NEAR_VENUE_DIRECTIONS
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * radius_m
    near_xy = (venue_xy[:, None, :] + ring[None, :, :]).reshape(-1, 2)
    near_ids = np.repeat(venue_ids, _NEAR_VENUE_DIRECTIONS)
    on_land = shapely.contains_xy(land, near_xy[:, 0], near_xy[:, 1]) if len(near_xy) else np.zeros(0, bool)
    play = _metric(play_spaces, "play_spaces") if play_spaces is not None and len(play_spaces) else None
    parts = [
        ("existing", venue_xy, venue_ids),
        ("commune_centre", _xy(communes.geometry.representative_point()), communes["commune_id"].to_numpy()),
        ("play_space", _xy(play.geometry) if play is not None else np.zeros((0, 2)), _ids(play)),
        ("near_venue", near_xy[on_land], near_ids[on_land]),
        ("grid", _grid(land, grid_spacing_m), None),
        ("planner", planner, None),
    ]
    kinds, xy, ids = [], [], []
    for kind, coords, source in parts:
        kinds.append(np.full(len(coords), kind, dtype=object))
        xy.append(np.asarray(coords, dtype=float).reshape(-1, 2))
        ids.append(
            np.asarray(source, dtype=object) if source is not None else np.full(len(coords), None, object)
        )
    coords = np.concatenate(xy)
    return gpd.GeoDataFrame(
        {"candidate_kind": np.concatenate(kinds), "source_id": np.concatenate(ids)},
        geometry=shapely.points(coords),
        crs=METRIC_CRS,
    )


def _grid(land: shapely.Geometry, spacing: float) -> np.ndarray:
    xmin, ymin, xmax, ymax = land.bounds
    xs = np.arange(math.floor(xmin / spacing) * spacing, xmax + spacing, spacing)
    ys = np.arange(math.floor(ymin / spacing) * spacing, ymax + spacing, spacing)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    shapely.prepare(land)
    inside = shapely.contains_xy(land, gx, gy)
    return np.column_stack([gx[inside], gy[inside]])


def _land(
    province: shapely.Geometry | gpd.GeoDataFrame | None, communes: gpd.GeoDataFrame
) -> shapely.Geometry:
    if province is None:
        return shapely.union_all(communes.geometry.to_numpy())
    if isinstance(province, gpd.GeoDataFrame):
        return shapely.union_all(_metric(province, "province").geometry.to_numpy())
    return shapely.union_all(gpd.GeoSeries([province], crs=WGS84).to_crs(METRIC_CRS).to_numpy())


def _commune_of(points: np.ndarray, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Row of the commune containing each point, else of the nearest within the coastal tolerance, else -1."""
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or len(communes) == 0:
        return found
    tree = shapely.STRtree(communes.geometry.to_numpy())
    inside, commune = tree.query(points, predicate="within")
    found[inside[::-1]] = commune[::-1]  # the first commune wins on a shared border
    missing = np.flatnonzero(found < 0)
    if len(missing):
        near, commune = tree.query_nearest(
            points[missing], max_distance=COASTAL_TOLERANCE_M, all_matches=False
        )
        found[missing[near]] = commune
    return found


def _demand_communes(demand: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Commune row of each demand point: its ``commune_id`` when known, else from the map."""
    placed = _commune_of(demand.geometry.to_numpy(), communes)
    if "commune_id" not in demand.columns:
        return placed
    row_of = {cid: row for row, cid in enumerate(communes["commune_id"].tolist())}
    named = np.array([row_of.get(cid, -1) for cid in demand["commune_id"].tolist()], dtype=np.int64)
    return np.where(named >= 0, named, placed)


def _weights(
    demand: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, factor: float, *, weight_by_children: bool
) -> np.ndarray:
    weights = np.where((demand["risk_level"] == "black_spot").to_numpy(), factor, 1.0)
    if not weight_by_children:
        return weights
    index = demand["commune_index"].to_numpy()
    children = communes["children_under_16"].to_numpy(dtype=float)
    known = index >= 0
    counts = np.where(known, children[np.where(known, index, 0)], np.nan)
    if not known.any():
        return weights
    counts[~known] = counts[known].mean()
    mean = counts.mean()
    return weights * (counts / mean if mean > 0 else 1.0)


def _distances(demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, radius_m: float) -> sp.csr_array:
    demand_tree = cKDTree(_xy(demand.geometry))
    candidate_tree = cKDTree(_xy(candidates.geometry))
    pairs = demand_tree.sparse_distance_matrix(candidate_tree, radius_m, output_type="ndarray")
    shape = (len(demand), len(candidates))
    # Built from coordinates, so a point exactly on a site keeps its stored distance of 0.
    return sp.csr_array(sp.coo_array((pairs["v"], (pairs["i"], pairs["j"])), shape=shape))


def _nearest_distance(candidates: gpd.GeoDataFrame, venues: gpd.GeoDataFrame) -> np.ndarray:
    if len(venues) == 0:
        return np.full(len(candidates), np.nan)
    distance, _ = cKDTree(_xy(venues.geometry)).query(_xy(candidates.geometry))
    return distance


def _new_children(problem: SitingProblem, sites: np.ndarray) -> np.ndarray:
    """Children newly within reach of each site in turn, spread evenly over their commune's area."""
    communes = problem.communes.geometry.to_numpy()
    children = problem.communes["children_under_16"].to_numpy(dtype=float)
    areas = shapely.area(communes)
    venues = problem.candidates.geometry.to_numpy()[problem.fixed]
    discs = shapely.buffer(venues, problem.radius_m, quad_segs=_DISC_QUAD_SEGMENTS)
    reached = shapely.union_all(discs) if len(venues) else shapely.Polygon()
    found = []
    for site in sites:
        disc = shapely.buffer(site, problem.radius_m, quad_segs=_DISC_QUAD_SEGMENTS)
        fresh = shapely.difference(disc, reached)
        share = np.divide(
            shapely.area(shapely.intersection(communes, fresh)),
            areas,
            where=areas > 0,
            out=np.zeros(len(areas)),
        )
        found.append(float((share * children).sum()))
        reached = shapely.union(reached, disc)
    return np.asarray(found)


def _reached(reach: sp.csc_array, columns: np.ndarray) -> np.ndarray:
    hit = np.zeros(reach.shape[0], dtype=bool)
    for column in columns:
        hit[reach.indices[reach.indptr[column] : reach.indptr[column + 1]]] = True
    return hit


def _planner_points(sites: Iterable[tuple[float, float]]) -> np.ndarray:
    lon_lat = []
    for number, site in enumerate(sites, start=1):
        pair = tuple(site) if isinstance(site, Sequence) and not isinstance(site, str) else ()
        numeric = all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in pair
        )
        if len(pair) != 2 or not numeric or not (-180 <= pair[0] <= 180 and -90 <= pair[1] <= 90):
            raise coded_error(SitingError, "siting.bad_extra_site", number=number, value=repr(site))
        lon_lat.append(pair)
    if not lon_lat:
        return np.zeros((0, 2))
    return _xy(gpd.GeoSeries(shapely.points(np.asarray(lon_lat, dtype=float)), crs=WGS84).to_crs(METRIC_CRS))


def _check_number(value: object, code: str, *, minimum: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < minimum
    ):
        raise coded_error(SitingError, code, value=repr(value), minimum=minimum)


def _ids(frame: gpd.GeoDataFrame | None) -> np.ndarray:
    if frame is None:
        return np.zeros(0, dtype=object)
    field = next((f for f in _ID_FIELDS if f in frame.columns), None)
    values = frame[field] if field is not None else frame.index.astype(str)
    return np.asarray(values, dtype=object)


def _pick(values: pd.Series, index: np.ndarray) -> np.ndarray:
    column = values.to_numpy(dtype=object)
    picked = np.full(len(index), None, dtype=object)
    known = index >= 0
    picked[known] = column[index[known]]
    return picked


def _xy(geometries: gpd.GeoSeries | np.ndarray) -> np.ndarray:
    points = np.asarray(geometries)
    return np.column_stack([shapely.get_x(points), shapely.get_y(points)]).reshape(-1, 2)
