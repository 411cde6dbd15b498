"""The real geography of the sample: the province outline, its coast, and the 45 communes.

The outline joins Natural Earth's inland borders to GSHHG's coast and islands; the
communes are Voronoi cells around the centroids of real units, cut to the outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import nearest_points

from hotspots.config import PROVINCE_NAME
from hotspots.errors import HotspotsError
from sample_build.settings import CHILDREN_UNDER_16, COMMUNE_COUNT, COMMUNES_WITHOUT_PLAY_SPACE
from sample_build.shapes import metric_frame, metric_xy
from sample_build.sources import CAT_BA, TRA_CO, Sources, Unit
from sample_build.tables import load_table

#: Land outside every Natural Earth polygon joins the province when it is nearer to it than to
#: a neighbour and no farther than this (the islands of Hạ Long and Bái Tử Long bays).
ISLAND_REACH_M: Final = 25_000
#: Simplification tolerance of the outline and smallest island kept.
SIMPLIFY_M: Final = 40.0
MIN_ISLAND_M2: Final = 40_000.0
#: Province boundary farther than this from other land is coastline.
_COAST_GAP_M: Final = 60.0
_ANCHOR_INSET_M: Final = 150.0
_ANCHOR_PART_M2: Final = 10_000_000.0

_TABLE: Final = load_table("geography")
_PROVINCE_SOURCE: Final[str] = _TABLE["province"]["source"]
#: Geocoded near Bãi Cháy although they are islands off Móng Cái and Hải Hà.
MISPLACED_UNITS: Final[tuple[str, ...]] = tuple(_TABLE["communes"]["misplaced_units"])
_COMMUNE_NOTE: Final[str] = _TABLE["communes"]["note"]
_ABSORBED_NOTE: Final[str] = _TABLE["communes"]["absorbed_note"]
_SNAPPED_NOTE: Final[str] = _TABLE["communes"]["snapped_note"]
_CHILDREN_PER_UNIT: Final[dict[str, float]] = _TABLE["communes"]["children_per_unit"]
_CHILDREN_PER_KM2: Final[dict[str, float]] = _TABLE["communes"]["children_per_km2"]


@dataclass(frozen=True)
class Commune:
    """One sample commune: the unit that names it, the units merged into it, its anchor."""

    unit: Unit
    absorbed: tuple[Unit, ...]
    anchor: shapely.Point
    snapped: bool = False

    @property
    def area_km2(self) -> float:
        """Official area of the unit and of the units merged into it."""
        return self.unit.area_km2 + sum(u.area_km2 for u in self.absorbed)


class Insets:
    """Commune polygons shrunk by a margin (computed once each) and the communes' anchors."""

    def __init__(self, communes: gpd.GeoDataFrame, spec: Sequence[Commune]) -> None:
        self.geometries = communes.geometry
        self.anchors = dict(zip(communes.index, (c.anchor for c in spec), strict=True))
        self.cache: dict[tuple[object, float], shapely.Geometry] = {}

    def get(self, index: object, margin: float) -> shapely.Geometry:
        """Return the commune ``index`` without a ``margin``-metre strip along its boundary."""
        key = (index, margin)
        if key not in self.cache:
            region = self.geometries.loc[index]
            inner = region.buffer(-margin)
            inner = region if inner.is_empty else inner
            shapely.prepare(inner)
            self.cache[key] = inner
        return self.cache[key]

    def anchor(self, index: object) -> shapely.Point:
        """Return the commune's anchor: the real unit centroid, moved inland if it fell in the sea."""
        return self.anchors[index]


# --- Province -----------------------------------------------------------------------------------


def province_land(sources: Sources) -> shapely.Geometry:
    """GSHHG land that belongs to Quảng Ninh, unsimplified, in metres.

    Land inside the Natural Earth outline is kept; land outside every Natural Earth
    polygon (coastal detail, islands) goes to whichever of Quảng Ninh and its
    neighbours is nearer, up to :data:`ISLAND_REACH_M` away.
    """
    province, neighbours = sources.ne_province, sources.ne_neighbours
    land = shapely.union_all([poly for _, poly in sources.land])
    inside = shapely.intersection(land, province)
    outside = shapely.get_parts(shapely.difference(land, shapely.union(province, neighbours)))
    to_province = shapely.distance(province, outside)
    to_neighbour = shapely.distance(neighbours, outside)
    joined = outside[(to_province < to_neighbour) & (to_province <= ISLAND_REACH_M)]
    tra_co, cat_ba = shapely.Point(metric_xy(*TRA_CO)), shapely.Point(metric_xy(*CAT_BA))
    added = [poly for _, poly in sources.land if poly.contains(tra_co)]
    removed = [poly for _, poly in sources.land if poly.contains(cat_ba)]
    if len(added) != 1 or len(removed) != 1:
        msg = (
            "GSHHG no longer has exactly one land polygon at Trà Cổ and one at Cát Bà; check the corrections."
        )
        raise HotspotsError(msg)
    return shapely.difference(shapely.union_all([inside, *joined, *added]), removed[0])


def province_frame(land: shapely.Geometry) -> gpd.GeoDataFrame:
    """Build the province layer: the land simplified, without the smallest islets."""
    simplified = shapely.simplify(land, SIMPLIFY_M, preserve_topology=True)
    parts = [shapely.make_valid(p) for p in shapely.get_parts(simplified) if p.area >= MIN_ISLAND_M2]
    outline = shapely.union_all(parts)
    record = {"province_id": "QN", "name": PROVINCE_NAME, "source": _PROVINCE_SOURCE}
    return metric_frame([record], [outline])


def coastline(outline: shapely.Geometry, sources: Sources, land: shapely.Geometry) -> shapely.Geometry:
    """Parts of the province boundary that meet the sea (not neighbouring land)."""
    near = shapely.box(*shapely.bounds(outline.buffer(2_000)))
    # Neighbouring land comes from GSHHG, not from Natural Earth, whose polygons spill over
    # the sea (Guangxi's covers Trà Cổ's beaches).
    others = shapely.union_all(
        [shapely.difference(shapely.intersection(poly, near), land) for _, poly in sources.land]
    )
    coast = shapely.difference(outline.boundary, others.buffer(_COAST_GAP_M))
    return shapely.line_merge(coast)


# --- Communes -----------------------------------------------------------------------------------


def choose_communes(units: Sequence[Unit], outline: shapely.Geometry) -> list[Commune]:
    """Reduce the real units to COMMUNE_COUNT anchors.

    The two misplaced units are dropped (their islands join the nearest commune);
    then, while there are too many, the closest pair of anchors is merged into the
    unit with the larger official area, which keeps its name and centroid.
    """
    names = {u.name for u in units}
    missing = [n for n in MISPLACED_UNITS if n not in names]
    if missing:
        msg = f"vietnamadminunits no longer lists {', '.join(missing)}; review the sample's unit choice."
        raise HotspotsError(msg)
    groups = [(u, ()) for u in units if u.name not in MISPLACED_UNITS]
    if len(groups) < COMMUNE_COUNT:
        msg = f"Only {len(groups)} usable units for {COMMUNE_COUNT} sample communes."
        raise HotspotsError(msg)
    xy = {u.code: np.array(metric_xy(u.lon, u.lat)) for u, _ in groups}
    while len(groups) > COMMUNE_COUNT:
        best = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                d = float(np.hypot(*(xy[groups[i][0].code] - xy[groups[j][0].code])))
                if best is None or d < best[0]:
                    best = (d, i, j)
        _, i, j = best
        (a, a_absorbed), (b, b_absorbed) = groups[i], groups[j]
        area_a = a.area_km2 + sum(u.area_km2 for u in a_absorbed)
        area_b = b.area_km2 + sum(u.area_km2 for u in b_absorbed)
        keeper, other = (groups[i], groups[j]) if area_a >= area_b else (groups[j], groups[i])
        merged = (keeper[0], (*keeper[1], other[0], *other[1]))
        groups = [g for k, g in enumerate(groups) if k not in (i, j)] + [merged]
        groups.sort(key=lambda g: g[0].code)
    communes = []
    for unit, absorbed in groups:
        anchor = shapely.Point(xy[unit.code])
        inside = outline.contains(anchor) and outline.boundary.distance(anchor) >= _ANCHOR_INSET_M
        if not inside:
            anchor = _inset_anchor(outline, anchor)
        ordered = tuple(sorted(absorbed, key=lambda u: u.code))
        communes.append(Commune(unit, ordered, anchor, snapped=not inside))
    return communes


def _inset_anchor(outline: shapely.Geometry, anchor: shapely.Point) -> shapely.Point:
    """Move a centre geocoded in the sea to the nearest point _ANCHOR_INSET_M inside the land.

    Only the mainland and large islands qualify: a unit centre snapped onto an islet
    would leave the unit nothing but islets.
    """
    parts = shapely.get_parts(outline)
    parts = parts[shapely.area(parts) >= _ANCHOR_PART_M2]
    part = parts[int(np.argmin(shapely.distance(parts, anchor)))]
    inner = part.buffer(-_ANCHOR_INSET_M)
    if inner.is_empty:
        return part.representative_point()
    return nearest_points(inner, anchor)[0]


def _partition(outline: shapely.Geometry, anchors: Sequence[shapely.Point]) -> list[shapely.Geometry]:
    """Split the land into one region per anchor without splitting islands needlessly.

    A land part holding several anchors is cut by their Voronoi cells; a part
    holding one goes whole to it; a part holding none (an island) goes whole to
    the nearest anchor.
    """
    points = np.array(anchors, dtype=object)
    pieces: list[list[shapely.Geometry]] = [[] for _ in anchors]
    for part in shapely.get_parts(outline):
        held = np.flatnonzero(shapely.contains(part, points))
        if len(held) == 0:
            pieces[int(np.argmin(shapely.distance(part, points)))].append(part)
        elif len(held) == 1:
            pieces[int(held[0])].append(part)
        else:
            cells = shapely.voronoi_polygons(
                shapely.MultiPoint(list(points[held])), extend_to=part.envelope.buffer(1_000), ordered=True
            )
            for index, cell in zip(held, shapely.get_parts(cells), strict=True):
                pieces[int(index)].append(shapely.intersection(cell, part))
    regions = []
    for own in pieces:
        region = shapely.union_all(own)
        polygons = [p for p in shapely.get_parts(region) if p.geom_type == "Polygon" and p.area > 1.0]
        regions.append(shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0])
    return regions


def communes_frame(communes: Sequence[Commune], outline: shapely.Geometry) -> gpd.GeoDataFrame:
    """Build the communes layer: one region of the outline per commune, with children and notes."""
    regions = _partition(outline, [c.anchor for c in communes])
    children = _children(communes)
    without = set(_without_play_space(communes, children))
    records = []
    for number, (commune, count) in enumerate(zip(communes, children, strict=True), start=1):
        notes = _COMMUNE_NOTE
        if commune.absorbed:
            notes += " " + _ABSORBED_NOTE.format(units=", ".join(u.name for u in commune.absorbed))
        if commune.snapped:
            notes += " " + _SNAPPED_NOTE
        records.append(
            {
                "commune_id": f"QN-C{number:02d}",
                "name": commune.unit.name,
                "unit_type": commune.unit.unit_type,
                "children_under_16": count,
                "has_play_space": commune.unit.code not in without,
                "illustrative": True,
                "notes": notes,
            }
        )
    return metric_frame(records, regions)


def _children(communes: Sequence[Commune]) -> list[int]:
    """Children under 16 per commune, totalling CHILDREN_UNDER_16 exactly.

    Weight: a fixed share per unit merged in (wards weigh three times a commune:
    towns are dense) plus a share per km² of official area. Integers by largest remainder.
    """
    base, per_km2 = _CHILDREN_PER_UNIT, _CHILDREN_PER_KM2
    weights = np.array(
        [
            sum(base[u.unit_type] + per_km2[u.unit_type] * u.area_km2 for u in (c.unit, *c.absorbed))
            for c in communes
        ]
    )
    exact = weights / weights.sum() * CHILDREN_UNDER_16
    counts = np.floor(exact).astype(int)
    short = CHILDREN_UNDER_16 - int(counts.sum())
    for index in np.argsort(-(exact - counts), kind="stable")[:short]:
        counts[index] += 1
    return [int(c) for c in counts]


def _without_play_space(communes: Sequence[Commune], children: Sequence[int]) -> list[str]:
    """Codes of the communes without a play space: the rural ones with the most km² per child."""
    rural = [
        (c.area_km2 / n, c.unit.code)
        for c, n in zip(communes, children, strict=True)
        if c.unit.unit_type == "xã"
    ]
    return [code for _, code in sorted(rural, reverse=True)[:COMMUNES_WITHOUT_PLAY_SPACE]]
