"""The illustrative risk points: drawn next to water, denser near people, 14 black spots."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.errors import HotspotsError
from hotspots.schema import HAZARDS
from sample_build.geography import Commune
from sample_build.naming import PIT_PARTS, SEA_PLACES, SHORE_PARTS, locality, pick, short
from sample_build.settings import BLACK_SPOT_COUNT
from sample_build.shapes import date_between, metric_frame, written_point
from sample_build.sources import Town
from sample_build.tables import load_table

_TABLE: Final = load_table("risk_points")
#: Risk points per kind of water, in drawing order; the sum is RISK_POINT_COUNT.
POINTS_PER_WATER_TYPE: Final[dict[str, int]] = _TABLE["count_by_water_type"]
#: Hazards a risk point on each kind of water draws its 1–4 hazards from.
HAZARDS_BY_WATER: Final[dict[str, list[str]]] = _TABLE["hazards_by_water_type"]
_POINT_NOTES: Final[dict[str, str]] = _TABLE["notes_by_water_type"]
_BUSY_WATER: Final[dict[str, float]] = _TABLE["black_spot_weight_by_water_type"]
_SOURCE_NOTE: Final[str] = _TABLE["texts"]["source"]

#: Spread of settlement around a town centre; risk points are denser close to towns.
_TOWN_SCALE_M: Final = 4_000.0
#: Islands smaller than this draw this fraction of their share of sea risk points.
_ISLET_M2: Final = 5_000_000.0
_ISLET_WEIGHT: Final = 0.3
#: Risk points are at least this far apart.
MIN_SPACING_M: Final = 10.0
#: Risk points lie at least this far inside their commune, so that rounding cannot move them out.
_INSIDE_MARGIN_M: Final = 1.0
_INSPECTED_RANGE: Final = (date(2024, 3, 1), date(2025, 9, 30))


@dataclass(frozen=True)
class _Site:
    """Water next to which risk points are drawn: a line, or a polygon's shore."""

    line: shapely.LineString
    water_type: str
    name: str
    weight: float = 1.0


def population_centres(towns: Sequence[Town], spec: Sequence[Commune]) -> np.ndarray:
    """(x, y, weight) of GeoNames towns and ward centres: where children live.

    A town weighs 0.4 plus its share of 300,000 inhabitants (at most 1); a ward centre 0.7.
    """
    centres = [(t.x, t.y, min(1.0, 0.4 + t.population / 300_000)) for t in towns]
    for commune in spec:
        if commune.unit.unit_type == "phường":
            centres.append((commune.anchor.x, commune.anchor.y, 0.7))
    return np.array(centres)


def _town_weight(centres: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rate closeness to people, 0–1: 1 at a town centre, fading over _TOWN_SCALE_M."""
    d = np.hypot(x[:, None] - centres[None, :, 0], y[:, None] - centres[None, :, 1])
    return np.max(centres[None, :, 2] * np.exp(-d / _TOWN_SCALE_M), axis=1)


def _keep_chance(centres: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Chance of keeping a drawn risk point: high in towns, low (not nil) in the uplands."""
    return 0.02 + 0.98 * _town_weight(centres, x, y) ** 2.5


def risk_points_frame(
    rng, coast, communes: gpd.GeoDataFrame, water: gpd.GeoDataFrame, centres: np.ndarray
) -> gpd.GeoDataFrame:
    """Build the risk-point layer: POINTS_PER_WATER_TYPE points, numbered in random order.

    Raises
    ------
    HotspotsError
        If a kind of water does not have room for its points.
    """
    sites = _sites(coast, water)
    placed = _Spacing(MIN_SPACING_M)
    chosen: list[dict] = []
    geometries: list[shapely.Point] = []
    locator = _CommuneLocator(communes)
    for water_type, wanted in POINTS_PER_WATER_TYPE.items():
        kind_sites = [s for s in sites if s.water_type == ("pond" if water_type == "well" else water_type)]
        found = 0
        for _ in range(60):
            batch = _candidates(rng, kind_sites, water_type, 400)
            keep = rng.random(len(batch)) < _keep_chance(centres, batch[:, 0], batch[:, 1])
            for (x, y), site_index, ok in zip(batch[:, :2], batch[:, 2].astype(int), keep, strict=True):
                if not ok or found == wanted:
                    continue
                point = written_point(x, y)
                commune = locator.commune_of(point)
                if commune is None or not placed.free(point):
                    continue
                placed.add(point)
                geometries.append(point)
                chosen.append(_risk_record(rng, water_type, kind_sites[site_index], communes.loc[commune]))
                found += 1
            if found == wanted:
                break
        if found < wanted:
            msg = f"Only {found} of {wanted} '{water_type}' risk points found room; add water or lower it."
            raise HotspotsError(msg)
    order = rng.permutation(len(chosen))
    chosen = [chosen[i] for i in order]
    geometries = [geometries[i] for i in order]
    for number, record in enumerate(chosen, start=1):
        record["point_id"] = f"QN-{number:04d}"
    for index in _black_spots(rng, chosen, geometries, centres):
        record = chosen[index]
        record["risk_level"] = "black_spot"
        # Black spots are where children are seen swimming unsupervised.
        record["hazards"] = _ordered_hazards([*record["hazards"][:3], "unsupervised_swimming"])
    return metric_frame(chosen, geometries)


def _sites(coast: shapely.Geometry, water: gpd.GeoDataFrame) -> list[_Site]:
    sites = []
    for line in shapely.get_parts(coast):
        if line.length < 100:
            continue
        # Islets of Hạ Long bay are mostly bare karst: fewer people swim there.
        islet = line.is_ring and shapely.Polygon(line).area < _ISLET_M2
        sites.append(_Site(line, "sea", "", weight=line.length * (_ISLET_WEIGHT if islet else 1.0)))
    for row in water.itertuples():
        geometry = row.geometry
        for part in shapely.get_parts(geometry):
            line = part.exterior if part.geom_type == "Polygon" else part
            sites.append(_Site(line, row.water_type, row.name, weight=max(line.length, 300.0)))
    return sites


def _candidates(rng, sites: Sequence[_Site], water_type: str, size: int) -> np.ndarray:
    """Random positions next to the sites: (x, y, site index) rows.

    Sea points sit 10–40 m inland of the coast; other points 5–40 m from the water
    (outside a lake's shore, either bank of a line); wells 40–150 m from a pond.
    """
    weights = np.array([s.weight for s in sites], dtype=float)
    picks = rng.choice(len(sites), size=size, p=weights / weights.sum())
    lines = np.array([sites[i].line for i in picks], dtype=object)
    along = rng.random(size) * shapely.length(lines)
    here = shapely.line_interpolate_point(lines, along)
    ahead = shapely.line_interpolate_point(lines, along + 1.0)
    dx, dy = shapely.get_x(ahead) - shapely.get_x(here), shapely.get_y(ahead) - shapely.get_y(here)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1.0
    if water_type == "well":
        offset = rng.uniform(40.0, 150.0, size)
    else:
        offset = rng.uniform(5.0 if water_type != "sea" else 10.0, 40.0, size)
    # Either side: a sea point that lands in the sea (or a lake point in the lake) is
    # refused or kept by the commune test that follows, so no orientation is needed.
    side = rng.choice([-1.0, 1.0], size=size)
    nx, ny = dy / norm, -dx / norm
    x = shapely.get_x(here) + side * offset * nx
    y = shapely.get_y(here) + side * offset * ny
    return np.column_stack([x, y, picks])


class _Spacing:
    """Grid lookup refusing points closer than ``minimum`` metres to one already placed."""

    def __init__(self, minimum: float) -> None:
        self.minimum = minimum
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def _cell(self, point: shapely.Point) -> tuple[int, int]:
        return int(point.x // self.minimum), int(point.y // self.minimum)

    def free(self, point: shapely.Point) -> bool:
        cx, cy = self._cell(point)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for x, y in self.cells.get((cx + dx, cy + dy), ()):
                    if math.hypot(point.x - x, point.y - y) < self.minimum:
                        return False
        return True

    def add(self, point: shapely.Point) -> None:
        self.cells.setdefault(self._cell(point), []).append((point.x, point.y))


class _CommuneLocator:
    """Which commune holds a point, with a margin so that no rounding can move it out."""

    def __init__(self, communes: gpd.GeoDataFrame) -> None:
        self.index = communes.index
        self.geometries = communes.geometry.to_numpy()
        self.boundaries = shapely.boundary(self.geometries)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def commune_of(self, point: shapely.Point):
        for i in self.tree.query(point, predicate="within"):
            if shapely.distance(self.boundaries[i], point) >= _INSIDE_MARGIN_M:
                return self.index[i]
            return None
        return None


def _risk_record(rng, water_type: str, site: _Site, commune) -> dict:
    short_name = short(commune["name"])
    place = locality(rng, commune["unit_type"])
    if water_type == "sea":
        name = f"{pick(rng, SEA_PLACES)} {place}, {short_name}"
    elif water_type == "river":
        name = f"{site.name} – bến {place}"
    elif water_type == "lake_reservoir":
        name = f"{site.name} – {pick(rng, SHORE_PARTS)}"
    elif water_type == "pit_quarry":
        name = f"{site.name} – {pick(rng, PIT_PARTS)}"
    elif water_type == "pond":
        name = site.name
    elif water_type == "well":
        name = f"Giếng đào {place}, {short_name}"
    else:
        name = f"{site.name.split(' (')[0]} – đoạn qua {place}"
    pool = HAZARDS_BY_WATER[water_type]
    count = int(rng.integers(1, min(4, len(pool)) + 1))
    hazards = [pool[i] for i in rng.choice(len(pool), size=count, replace=False)]
    return {
        "name": name,
        "water_type": water_type,
        "risk_level": "high",
        "hazards": _ordered_hazards(hazards),
        "commune_id": commune["commune_id"],
        "status": "active",
        "source": _SOURCE_NOTE,
        "last_inspected": date_between(rng, *_INSPECTED_RANGE),
        "notes": _POINT_NOTES[water_type],
    }


def _ordered_hazards(hazards: Iterable[str]) -> list[str]:
    wanted = set(hazards)
    return [h for h in HAZARDS if h in wanted]


def _black_spots(
    rng, records: Sequence[dict], points: Sequence[shapely.Point], centres: np.ndarray
) -> list[int]:
    """BLACK_SPOT_COUNT points under special monitoring: busy water near people, one per commune."""
    x = np.array([p.x for p in points])
    y = np.array([p.y for p in points])
    weight = np.array([_BUSY_WATER.get(r["water_type"], 0.5) for r in records]) * (
        0.2 + _town_weight(centres, x, y)
    )
    order = rng.choice(len(records), size=len(records), replace=False, p=weight / weight.sum())
    chosen, communes = [], set()
    for index in order:
        if records[index]["commune_id"] in communes:
            continue
        chosen.append(int(index))
        communes.add(records[index]["commune_id"])
        if len(chosen) == BLACK_SPOT_COUNT:
            break
    return chosen
