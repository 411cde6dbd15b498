"""The sample's guarantees, checked before anything is written: counts, containment, spacing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.config import DEFAULT_SWIM_RADIUS_M
from hotspots.errors import HotspotsError
from sample_build.points import MIN_SPACING_M
from sample_build.settings import (
    BLACK_SPOT_COUNT,
    COMMUNE_COUNT,
    COMMUNES_WITHOUT_PLAY_SPACE,
    RISK_POINT_COUNT,
)

if TYPE_CHECKING:
    from sample_build.build import Layers

#: Every risk point is at most this far from water (the coast, for sea points).
_WATER_REACH_M: Final = 200.0
#: Share of the risk points the swimming classes must reach with the default radius.
_SWIM_SHARE_RANGE: Final = (0.40, 0.65)
_POINT_LAYERS: Final = ("risk_points", "swim_classes", "rescue_trainings", "play_spaces")


def check_layers(layers: Layers) -> None:
    """Refuse to write a sample that breaks its guarantees (changed inputs, changed code).

    Raises
    ------
    HotspotsError
        Listing every guarantee the layers break.
    """
    m = layers.metric
    points, communes, province = m["risk_points"], m["communes"], m["province"]
    problems = []
    if len(points) != RISK_POINT_COUNT:
        problems.append(f"{len(points)} risk points instead of {RISK_POINT_COUNT}")
    if (points["risk_level"] == "black_spot").sum() != BLACK_SPOT_COUNT:
        problems.append(f"not exactly {BLACK_SPOT_COUNT} black spots")
    if len(communes) != COMMUNE_COUNT or (~communes["has_play_space"]).sum() != COMMUNES_WITHOUT_PLAY_SPACE:
        problems.append(
            f"not {COMMUNE_COUNT} communes with {COMMUNES_WITHOUT_PLAY_SPACE} lacking a play space"
        )
    if not all(shapely.is_valid(layer.geometry).all() for layer in layers.frames.values()):
        problems.append("an invalid geometry")
    overlap = communes.geometry.area.sum() - province.geometry.area.sum()
    if abs(overlap) > 1e-4 * province.geometry.area.sum():
        problems.append(f"communes do not partition the province (area differs by {overlap / 1e6:.3f} km²)")
    for layer in _POINT_LAYERS:
        if not _in_named_commune(m[layer], communes).all():
            problems.append(f"{layer} outside the commune they name")
    at_sea = (points["water_type"] == "sea").to_numpy()
    water = shapely.union_all(m["water"].geometry.to_numpy())
    reach = np.where(
        at_sea, shapely.distance(layers.coast, points.geometry), shapely.distance(water, points.geometry)
    )
    if (reach > _WATER_REACH_M).any():
        problems.append(
            f"{int((reach > _WATER_REACH_M).sum())} risk points over {_WATER_REACH_M:.0f} m from water"
        )
    pairs = shapely.STRtree(points.geometry).query(
        points.geometry, predicate="dwithin", distance=MIN_SPACING_M
    )
    if (pairs[0] != pairs[1]).any():
        problems.append(f"risk points closer than {MIN_SPACING_M:.0f} m to each other")
    hosts = set(m["play_spaces"]["commune_id"])
    if hosts != set(communes.loc[communes["has_play_space"], "commune_id"]):
        problems.append("play spaces not exactly in the communes flagged has_play_space")
    share = covered_share(points, m["swim_classes"], DEFAULT_SWIM_RADIUS_M)
    if not _SWIM_SHARE_RANGE[0] <= share <= _SWIM_SHARE_RANGE[1]:
        problems.append(f"swimming classes cover {share:.0%} of risk points (want {_SWIM_SHARE_RANGE})")
    if problems:
        msg = "The sample build broke its guarantees: " + "; ".join(problems) + "."
        raise HotspotsError(msg)


def covered_share(points: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, radius: float) -> float:
    """Share of ``points`` within ``radius`` metres of at least one of ``venues``."""
    tree = shapely.STRtree(venues.geometry.to_numpy())
    covered = tree.query(points.geometry.to_numpy(), predicate="dwithin", distance=radius)
    return len(np.unique(covered[0])) / len(points)


def _in_named_commune(features: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Whether each feature lies inside the commune its ``commune_id`` names."""
    by_id = communes.set_index("commune_id").geometry
    named = by_id.reindex(features["commune_id"]).to_numpy()
    return np.array([g is not None and g.contains(p) for g, p in zip(named, features.geometry, strict=True)])
