"""Places: inside the province (or swapped lat/lon), near duplicates, nearby points, ids, communes.

The checks are vectorised with shapely 2 array functions and measure in metres in EPSG:32648.
The shipped province outline is used when the reference data gives none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.config import GEODATA_DIR, NEAR_DUPLICATE_M, SAME_PLACE_M
from hotspots.formats import load_province
from hotspots.i18n import Phrase
from hotspots.schema import MAPPED_STATUSES, LayerSchema
from hotspots.validation.geometry import as_wgs84, to_metric
from hotspots.validation.report import ParsedFeatures, ProblemLog
from hotspots.validation.values import show

# Points closer than this share a grid cell and are within NEAR_DUPLICATE_M of each other
# (cell diagonal < NEAR_DUPLICATE_M), which keeps the pair search linear on hostile files.
_CELL_M: Final = NEAR_DUPLICATE_M / math.sqrt(2) * 0.99
#: Columns of :func:`points_near`, in order.
NEAR_COLUMNS: Final = ("point_id", "name", "status", "distance_m")


def check_places(
    parsed: ParsedFeatures,
    *,
    schema: LayerSchema,
    province: shapely.Geometry | None,
    tolerance_m: float,
    log: ProblemLog,
) -> None:
    """Range, swapped latitude/longitude and inside-the-province checks, vectorised."""
    ok = np.flatnonzero(parsed.geometry_ok)
    if ok.size == 0:
        return
    bounds = shapely.bounds(parsed.geoms[ok])
    in_range = _in_degree_range(bounds)
    metres = (np.abs(bounds) > 180).any(axis=1)
    if schema.name != "province" and province is None:
        province = _default_province()
        if province is None:
            log.file_warning("no_province_outline")
    check_province = schema.name != "province" and province is not None and not province.is_empty
    near = np.zeros(ok.size, dtype=bool)
    swapped = np.zeros(ok.size, dtype=bool)
    distance_km = np.full(ok.size, np.nan)
    if check_province:
        outline = _province_outline(province)
        idx = np.flatnonzero(in_range)
        near[idx] = _near_outline(to_metric(parsed.geoms[ok[idx]]), outline, tolerance_m)
        # A swapped point often has latitude > 90 (Vietnam's longitudes are > 100), so try the
        # swap before calling the coordinates projected.
        candidates = np.flatnonzero(~near)
        flipped = shapely.transform(parsed.geoms[ok[candidates]], lambda xy: xy[:, ::-1])
        flip_range = _in_degree_range(shapely.bounds(flipped))
        keep = candidates[flip_range]
        swapped[keep] = _near_outline(to_metric(flipped[flip_range]), outline, tolerance_m)
        far = np.flatnonzero(in_range & ~near & ~swapped)
        far_metric = to_metric(parsed.geoms[ok[far]])
        measurable = np.isfinite(shapely.bounds(far_metric)).all(axis=1)
        if measurable.any():
            _, dist = outline.tree.query_nearest(
                far_metric[measurable], return_distance=True, all_matches=False
            )
            distance_km[far[measurable]] = dist / 1000
    accepted = in_range & (near | (not check_province))
    for j in np.flatnonzero(~accepted):
        i = ok[j]
        parsed.geometry_ok[i] = False
        fid = parsed.ids[i]
        x, y = (float(c) for c in shapely.get_coordinates(parsed.geoms[i])[0])
        params: dict[str, Any] = {"x": x, "y": y}
        if swapped[j]:
            code = "swapped"
        elif metres[j]:
            code = "projected_coordinates"
        elif not in_range[j]:
            code, params = "impossible_latitude", {"y": y}
        elif np.isfinite(distance_km[j]):
            code = "outside_province"
            params.update(distance_km=float(distance_km[j]), tolerance_m=tolerance_m)
        else:
            code = "outside_province_far"
            params.update(tolerance_m=tolerance_m)
        log.add("error", code, int(i), fid, "geometry", **params)


def check_near_duplicates(
    parsed: ParsedFeatures, *, existing: gpd.GeoDataFrame | None, id_field: str, log: ProblemLog
) -> None:
    """Points closer than NEAR_DUPLICATE_M to an earlier point or to a stored point."""
    ok = np.flatnonzero(parsed.geometry_ok)
    metric = to_metric(parsed.geoms[ok])
    xy = shapely.get_coordinates(metric)
    # Without a province outline a point may lie where UTM 48N is undefined (infinite).
    finite = np.isfinite(xy).all(axis=1)
    ok, metric, xy = ok[finite], metric[finite], xy[finite]
    if ok.size == 0:
        return
    found: dict[int, tuple[int, float]] = {}
    # Every point in a grid cell is within NEAR_DUPLICATE_M of the cell's first point; only
    # each cell's first point needs a tree search, so the number of pairs stays linear.
    cells = np.floor(xy / _CELL_M).astype(np.int64)
    _, first, inverse = np.unique(cells, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    cell_first = first[inverse]
    for j in np.flatnonzero(cell_first != np.arange(xy.shape[0])):
        found[int(j)] = (int(cell_first[j]), float(np.hypot(*(xy[j] - xy[cell_first[j]]))))
    tree = shapely.STRtree(metric)
    reps, others = tree.query(metric[first], predicate="dwithin", distance=NEAR_DUPLICATE_M)
    reps = first[reps]
    earlier = others < reps
    reps, others = reps[earlier], others[earlier]
    dist = np.hypot(*(xy[reps] - xy[others]).T)
    close = dist < NEAR_DUPLICATE_M
    for j, k, d in sorted(
        zip(reps[close], others[close], dist[close], strict=True), key=lambda t: (t[0], t[1])
    ):
        found.setdefault(int(j), (int(k), float(d)))
    for j, (k, d) in sorted(found.items()):
        i, other = int(ok[j]), int(ok[k])
        other_id = parsed.ids[other]
        who = Phrase("who.feature_id", {"number": other + 1, "id": other_id}) if other_id else None
        _log_near(log, d, who or Phrase("who.feature", {"number": other + 1}), i, parsed.ids[i])
    if existing is not None and len(existing):
        _check_near_existing(parsed, ok, metric, existing, id_field, log)


def points_near(
    points: gpd.GeoDataFrame, lon: float, lat: float, within_m: float = SAME_PLACE_M
) -> pd.DataFrame:
    """Return the stored points on the map within ``within_m`` metres of a place, nearest first.

    A new report this close to a stored point may be the same place: the report page shows
    these points and asks. Distances are measured in metres in UTM 48N
    (:data:`~hotspots.config.METRIC_CRS`); only points on the map count (statuses
    :data:`~hotspots.schema.MAPPED_STATUSES`: pending, active, mitigated).

    Parameters
    ----------
    points
        Risk points (``point_id``, ``name``, ``status``, geometry; EPSG:4326 when it has no CRS).
    lon, lat
        The new place, WGS 84 degrees.
    within_m
        How far to look, in metres (default :data:`~hotspots.config.SAME_PLACE_M`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NEAR_COLUMNS` (``point_id``, ``name``, ``status``, ``distance_m``), one row
        per point with ``distance_m <= within_m``, nearest first (ties by id); empty when none.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> stored = gpd.GeoDataFrame(
    ...     {"point_id": ["QN-1"], "name": ["Ao làng"], "status": ["active"]},
    ...     geometry=[shapely.Point(107.1, 20.95)], crs="EPSG:4326")
    >>> points_near(stored, 107.1, 20.95).values.tolist()
    [['QN-1', 'Ao làng', 'active', 0.0]]
    """
    frame = as_wgs84(points)
    if "status" in frame.columns:
        frame = frame[frame["status"].isin(MAPPED_STATUSES).to_numpy()]
    geoms = np.asarray(frame.geometry.values)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    frame, geoms = frame[usable], geoms[usable]
    here = to_metric(np.array([shapely.Point(float(lon), float(lat))], dtype=object))
    distance = shapely.distance(to_metric(geoms), here[0]) if len(geoms) else np.zeros(0)
    # Far from zone 48N the projection is infinite: such places are near nothing.
    keep = np.flatnonzero(np.isfinite(distance) & (distance <= within_m))
    ids = [str(v) for v in frame["point_id"].iloc[keep]] if "point_id" in frame.columns else [""] * keep.size
    names = [str(v) for v in frame["name"].iloc[keep]] if "name" in frame.columns else [""] * keep.size
    statuses = [str(v) for v in frame["status"].iloc[keep]] if "status" in frame.columns else [""] * keep.size
    rows = sorted(zip(distance[keep].tolist(), ids, names, statuses, strict=True), key=lambda r: (r[0], r[1]))
    near = pd.DataFrame(
        [(point_id, name, status, float(d)) for d, point_id, name, status in rows], columns=list(NEAR_COLUMNS)
    )
    return near.astype({"distance_m": float})


def check_ids(
    parsed: ParsedFeatures, *, schema: LayerSchema, existing: gpd.GeoDataFrame | None, log: ProblemLog
) -> None:
    """Refuse an id used twice in the batch, or already used by a stored feature."""
    first_seen: dict[str, int] = {}
    stored = set()
    if existing is not None and schema.id_field in existing.columns:
        stored = {str(v) for v in existing[schema.id_field].dropna()}
    for i, record in enumerate(parsed.records):
        fid = record.get(schema.id_field)
        if not isinstance(fid, str) or not fid:
            continue
        if fid in first_seen:
            log.add("error", "duplicate_id", i, fid, schema.id_field, id=fid, other=first_seen[fid] + 1)
        else:
            first_seen[fid] = i
        if fid in stored:
            log.add("error", "id_already_stored", i, fid, schema.id_field, id=fid)


def check_communes(
    parsed: ParsedFeatures, *, communes: gpd.GeoDataFrame, tolerance_m: float, log: ProblemLog
) -> None:
    """Fill a missing commune_id from the map; refuse a commune_id the map does not know."""
    if "commune_id" not in communes.columns:
        return
    communes = as_wgs84(communes)
    ids = [str(v) for v in communes["commune_id"]]
    names = [str(v) for v in communes["name"]] if "name" in communes.columns else [""] * len(ids)
    known = set(ids)
    missing: list[int] = []
    for i, record in enumerate(parsed.records):
        commune_id = record.get("commune_id")
        if commune_id is None:
            if parsed.geometry_ok[i]:
                missing.append(i)
        elif commune_id not in known:
            examples = ", ".join(f"{c} ({n})" for c, n in list(zip(ids, names, strict=True))[:5])
            params = {"value": show(commune_id), "count": len(known), "examples": examples}
            log.add("error", "unknown_commune", i, parsed.ids[i], "commune_id", **params)
    if not missing:
        return
    rows = np.array(missing)
    points = shapely.point_on_surface(parsed.geoms[rows])
    geometries = np.asarray(communes.geometry.values)
    found = np.full(rows.size, -1)
    pos, commune = shapely.STRtree(geometries).query(points, predicate="within")
    found[pos[::-1]] = commune[::-1]  # the first commune wins where communes overlap
    lost = np.flatnonzero(found < 0)
    if lost.size:
        metric_tree = shapely.STRtree(to_metric(geometries))
        pos, commune = metric_tree.query_nearest(
            to_metric(points[lost]), max_distance=tolerance_m, all_matches=False
        )
        found[lost[pos]] = commune
    for i, k in zip(rows.tolist(), found.tolist(), strict=True):
        fid = parsed.ids[i]
        if k < 0:
            log.add("warning", "no_commune_found", i, fid, "commune_id")
            continue
        parsed.records[i]["commune_id"] = ids[k]
        log.add("warning", "commune_filled", i, fid, "commune_id", commune_id=ids[k], name=names[k])


# --------------------------------------------------------------------------------------
# Private helpers: the province outline and distances


def _in_degree_range(bounds: np.ndarray) -> np.ndarray:
    """Tell which bounding boxes (minx, miny, maxx, maxy) are valid longitudes and latitudes."""
    return (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)


def _check_near_existing(
    parsed: ParsedFeatures,
    ok: np.ndarray,
    metric: np.ndarray,
    existing: gpd.GeoDataFrame,
    id_field: str,
    log: ProblemLog,
) -> None:
    stored = as_wgs84(existing)
    points = stored.geometry.values
    usable = np.flatnonzero(~(shapely.is_missing(points) | shapely.is_empty(points)))
    if usable.size == 0:
        return
    stored_metric = to_metric(np.asarray(points)[usable])
    tree = shapely.STRtree(stored_metric)
    new, old = tree.query(metric, predicate="dwithin", distance=NEAR_DUPLICATE_M)
    dist = shapely.distance(metric[new], stored_metric[old])
    stored_ids = list(existing[id_field]) if id_field in existing.columns else None
    reported: set[int] = set()
    for j, k, d in zip(new, old, dist, strict=True):
        if d >= NEAR_DUPLICATE_M or j in reported:
            continue
        reported.add(int(j))
        stored_id = stored_ids[usable[k]] if stored_ids is not None else None
        who = Phrase("who.stored_id", {"id": stored_id}) if stored_id else Phrase("who.stored")
        i = int(ok[j])
        _log_near(log, float(d), who, i, parsed.ids[i])


def _log_near(log: ProblemLog, distance_m: float, who: Phrase, index: int, fid: str | None) -> None:
    if distance_m < 0.05:
        log.add("error", "same_place", index, fid, "geometry", who=who)
        return
    log.add(
        "error", "too_close", index, fid, "geometry", distance_m=distance_m, who=who, min_m=NEAR_DUPLICATE_M
    )


@dataclass(frozen=True, eq=False)
class _Outline:
    """A province outline prepared for metric distance queries."""

    metric: shapely.Geometry
    tree: shapely.STRtree


def _near_outline(geoms: np.ndarray, outline: _Outline, tolerance_m: float) -> np.ndarray:
    """Tell whether each metric geometry lies within ``tolerance_m`` of the outline."""
    # Far from zone 48N the projection is undefined (infinite coordinates): such places are far.
    finite = np.flatnonzero(np.isfinite(shapely.bounds(geoms)).all(axis=1))
    near = np.zeros(len(geoms), dtype=bool)
    # A prepared intersects test is fast; the slower distance test only runs for the few
    # geometries outside the outline itself. Shapely uses the prepared outline only when it is
    # the first argument.
    near[finite] = shapely.intersects(outline.metric, geoms[finite])
    rest = finite[~near[finite]]
    if rest.size:
        near[rest] = shapely.dwithin(outline.metric, geoms[rest], tolerance_m)
    return near


@lru_cache(maxsize=4)
def _province_outline(province: shapely.Geometry) -> _Outline:
    metric = to_metric(np.array([province], dtype=object))[0]
    shapely.prepare(metric)
    parts = shapely.get_parts(metric)
    return _Outline(metric=metric, tree=shapely.STRtree(parts))


def _default_province() -> shapely.Geometry | None:
    """Load the shipped province outline, or return None when the sample data is not there."""
    if not (GEODATA_DIR / "province.geojson").exists():
        return None
    return load_province(GEODATA_DIR)
