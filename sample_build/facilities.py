"""The illustrative services: swimming classes, rescue-training sessions and play spaces."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.config import DEFAULT_SWIM_RADIUS_M
from hotspots.schema import RESCUE_TRAININGS
from sample_build.geography import Insets
from sample_build.naming import locality, pick, short, unit_word
from sample_build.shapes import date_between, metric_frame, point_in, written_point
from sample_build.tables import load_table

_TABLE: Final = load_table("facilities")
#: Where each kind of swimming venue stands: next to a risk point on this water, or at the centre.
VENUE_WATER: Final[dict[str, tuple[str, ...]]] = {
    venue: tuple(kinds) for venue, kinds in _TABLE["venue_water"].items()
}
_SWIM: Final = _TABLE["swim_classes"]
_TRAINING: Final = _TABLE["rescue_trainings"]
_PLAY: Final = _TABLE["play_spaces"]
#: Name of each kind of play space, in the order the kinds are drawn from.
PLAY_SPACE_NAMES: Final[dict[str, str]] = _PLAY["names"]

_SWIM_CLASS_COUNT: Final = 40
#: Sites weighed for each class (more options, more coverage).
SWIM_OPTIONS: Final = 4
#: Classes and trainings on open water are set up near a risk point this close to the unit centre.
_VENUE_REACH_M: Final = 6_000.0
_RESCUE_TRAINING_COUNT: Final = 25
_SWIM_SEASON: Final = (date(2025, 6, 2), date(2025, 8, 31))
_TRAINING_RANGE: Final = (date(2024, 4, 1), date(2025, 8, 31))


def swim_classes_frame(
    rng, communes: gpd.GeoDataFrame, insets: Insets, points: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Summer swimming classes: at pools near a unit centre, or at a beach, river or lake.

    Each class weighs a few possible (host, site) pairs, hosts drawn in proportion to
    children (so remote communes are often left without a class), and takes the one
    reaching the most risk points no other class reaches yet, as the province would.
    A class on open water stands near a risk point of that water.
    """
    records, geometries = [], []
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    reached = np.zeros(len(points), dtype=bool)
    for number in range(1, _SWIM_CLASS_COUNT + 1):
        options = [
            (
                index,
                *_swim_venue(rng, communes.loc[index], insets.get(index, 50.0), insets.anchor(index), points),
            )
            for index in _host_communes(rng, communes, SWIM_OPTIONS)
        ]
        gains = [int((~reached & _within(xy, venue, DEFAULT_SWIM_RADIUS_M)).sum()) for *_, venue in options]
        index, venue_type, venue = options[int(np.argmax(gains))]
        reached |= _within(xy, venue, DEFAULT_SWIM_RADIUS_M)
        commune = communes.loc[index]
        short_name, unit = short(commune["name"]), unit_word(commune["name"])
        where = locality(rng, commune["unit_type"])
        place = _SWIM["places"][venue_type].format(short=short_name, locality=where)
        organiser = pick(rng, [t.format(unit=unit, short=short_name) for t in _SWIM["organisers"]])
        start = date_between(rng, _SWIM_SEASON[0], _SWIM_SEASON[1] - timedelta(days=30))
        capacity = int(rng.integers(3, 13)) * 10
        records.append(
            {
                "class_id": f"SC-{number:03d}",
                "name": _SWIM["name"].format(place=place),
                "venue_type": venue_type,
                "organiser": organiser,
                "start_date": start,
                "end_date": start + timedelta(days=int(rng.integers(10, 29))),
                "capacity": capacity,
                "participants": int(rng.integers(capacity // 2, capacity + 1)),
                "commune_id": commune["commune_id"],
                "notes": _SWIM["notes"],
            }
        )
        geometries.append(written_point(venue.x, venue.y))
    return metric_frame(records, geometries)


def _swim_venue(
    rng, commune: object, inner: shapely.Geometry, centre: shapely.Point, points: gpd.GeoDataFrame
) -> tuple[str, shapely.Point]:
    """Draw a (venue type, site) of a class: a pool near the centre, or open water near a risk point."""
    own = _points_near(points, commune["commune_id"], centre)
    possible = [v for v, kinds in VENUE_WATER.items() if not kinds or own["water_type"].isin(kinds).any()]
    venue_type = pick(rng, possible)
    near, spread = centre, 1_500.0
    if VENUE_WATER[venue_type]:
        water = own[own["water_type"].isin(VENUE_WATER[venue_type])]
        near, spread = water.geometry.iloc[int(rng.integers(0, len(water)))], 600.0
    return venue_type, point_in(rng, inner, near=near, spread=spread)


def _within(xy: np.ndarray, point: shapely.Point, radius: float) -> np.ndarray:
    return np.hypot(xy[:, 0] - point.x, xy[:, 1] - point.y) <= radius


def rescue_trainings_frame(
    rng, communes: gpd.GeoDataFrame, insets: Insets, points: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Rescue and first-aid sessions, held in a village or ward near one of its risk points."""
    records, geometries = [], []
    for number, index in enumerate(_host_communes(rng, communes, _RESCUE_TRAINING_COUNT), start=1):
        commune = communes.loc[index]
        own = _points_near(points, commune["commune_id"], insets.anchor(index))
        near = own.geometry.iloc[int(rng.integers(0, len(own)))] if len(own) else insets.anchor(index)
        venue = point_in(rng, insets.get(index, 50.0), near=near, spread=1_000.0)
        short_name, unit = short(commune["name"]), unit_word(commune["name"])
        organiser = pick(rng, [t.format(unit=unit, short=short_name) for t in _TRAINING["organisers"]])
        records.append(
            {
                "training_id": f"RT-{number:03d}",
                "name": _TRAINING["name"].format(short=short_name),
                "organiser": organiser,
                "date": date_between(rng, *_TRAINING_RANGE),
                "participants": int(rng.integers(2, 13)) * 10,
                "audience": pick(rng, RESCUE_TRAININGS.get("audience").allowed),
                "commune_id": commune["commune_id"],
                "notes": _TRAINING["notes"],
            }
        )
        geometries.append(written_point(venue.x, venue.y))
    return metric_frame(records, geometries)


def _points_near(points: gpd.GeoDataFrame, commune_id: str, centre: shapely.Point) -> gpd.GeoDataFrame:
    """Risk points of a commune within _VENUE_REACH_M of its centre: where a venue would be set up."""
    own = points[points["commune_id"] == commune_id]
    return own[own.geometry.distance(centre) <= _VENUE_REACH_M]


def _host_communes(rng, communes: gpd.GeoDataFrame, count: int) -> list:
    """Index of the commune of each of ``count`` venues, drawn in proportion to children."""
    weights = communes["children_under_16"].to_numpy(dtype=float)
    picks = rng.choice(len(communes), size=count, p=weights / weights.sum())
    return [communes.index[i] for i in sorted(picks.tolist())]


def play_spaces_frame(rng, communes: gpd.GeoDataFrame, insets: Insets) -> gpd.GeoDataFrame:
    """Play spaces: one to three near the centre of every commune flagged ``has_play_space``."""
    records, geometries = [], []
    kinds = tuple(PLAY_SPACE_NAMES)
    for row in communes.itertuples():
        if not row.has_play_space:
            continue
        short_name = short(row.name)
        for _ in range(1 + int(row.unit_type == "phường") + int(rng.random() < 0.3)):
            kind = pick(rng, kinds)
            where = locality(rng, row.unit_type)
            name = PLAY_SPACE_NAMES[kind].format(locality=where, short=short_name)
            point = point_in(rng, insets.get(row.Index, 50.0), near=insets.anchor(row.Index), spread=2_000)
            records.append(
                {
                    "play_space_id": f"PS-{len(records) + 1:03d}",
                    "name": name,
                    "kind": kind,
                    "commune_id": row.commune_id,
                    "notes": _PLAY["notes"],
                }
            )
            geometries.append(written_point(point.x, point.y))
    return metric_frame(records, geometries)
