"""Water of the sample: real WDBII rivers, hand-placed reservoirs and pits, generated small water."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.errors import HotspotsError
from sample_build.geography import Insets
from sample_build.naming import STREAM_WORDS, short, short_name_at, village
from sample_build.shapes import ellipse, metric_frame, metric_xy, point_in, wander
from sample_build.sources import Sources
from sample_build.tables import load_table

_TABLE: Final = load_table("water")


def _placed(rows: Iterable[dict]) -> tuple[tuple[str, float, float, float, float, float], ...]:
    return tuple(
        (r["name"], r["lon"], r["lat"], r["half_length_m"], r["half_width_m"], r["bearing_deg"]) for r in rows
    )


#: Hand-placed water (``data/water.toml``): (name, lon, lat, half-length, half-width, bearing).
RESERVOIRS: Final = _placed(_TABLE["reservoirs"])
PITS: Final = _placed(_TABLE["pits"])
#: WDBII has no names: a river piece takes the name of the nearest of these points within 10 km.
RIVER_NAMES: Final = tuple((r["name"], r["lon"], r["lat"]) for r in _TABLE["river_names"])
_RIVER_SOURCE: Final[str] = _TABLE["source_labels"]["river"]
_HAND_PLACED_SOURCE: Final[str] = _TABLE["source_labels"]["hand_placed"]
_GENERATED_SOURCE: Final[str] = _TABLE["source_labels"]["generated"]
_RIVER_NAME_REACH_M: Final = 10_000
_MIN_RIVER_M: Final = 400.0
#: Hand-placed and generated water stays this far from the coast.
_INLAND_M: Final = 100.0
#: Procedurally generated small water bodies.
_PONDS_PER_COMMUNE: Final = 2
_STREAM_COUNT: Final = 40
_CANAL_COUNT: Final = 12


def water_frame(
    rng: np.random.Generator,
    sources: Sources,
    outline: shapely.Geometry,
    communes: gpd.GeoDataFrame,
    insets: Insets,
) -> gpd.GeoDataFrame:
    """Build the water layer: rivers, then reservoirs and pits, then ponds, streams and canals.

    Raises
    ------
    HotspotsError
        If a hand-placed water body is not on the province's land, or the generated
        water does not find room.
    """
    inland = outline.buffer(-_INLAND_M)
    shapely.prepare(inland)
    features = _rivers(sources.rivers, outline, communes)
    taken: list[shapely.Geometry] = [g for *_, g in features]
    for table, water_type in ((RESERVOIRS, "lake_reservoir"), (PITS, "pit_quarry")):
        for name, lon, lat, half_length, half_width, bearing in table:
            blob = ellipse(*metric_xy(lon, lat), half_length, half_width, bearing, rng)
            if not inland.contains(blob):
                msg = f"The hand-placed water '{name}' is not on the province's land; move it in the table."
                raise HotspotsError(msg)
            features.append((name, water_type, True, _HAND_PLACED_SOURCE, blob))
            taken.append(blob)
    features += _ponds(rng, communes, insets, taken)
    features += _lines(rng, communes, insets, inland, taken, kind="stream", count=_STREAM_COUNT)
    features += _lines(rng, communes, insets, inland, taken, kind="canal", count=_CANAL_COUNT)
    records = [
        {
            "water_id": f"W-{n:03d}",
            "name": name,
            "water_type": kind,
            "illustrative": illustrative,
            "source": source,
        }
        for n, (name, kind, illustrative, source, _) in enumerate(features, start=1)
    ]
    return metric_frame(records, [g for *_, g in features])


def _rivers(
    lines: Iterable[shapely.LineString], outline: shapely.Geometry, communes: gpd.GeoDataFrame
) -> list[tuple[str, str, bool, str, shapely.Geometry]]:
    named = [(name, shapely.Point(metric_xy(lon, lat))) for name, lon, lat in RIVER_NAMES]
    pieces = []
    for line in lines:
        clipped = shapely.line_merge(shapely.intersection(line, outline))
        pieces += [
            p for p in shapely.get_parts(clipped) if p.geom_type == "LineString" and p.length >= _MIN_RIVER_M
        ]
    found = []
    for piece in sorted(pieces, key=lambda p: (-p.length, p.coords[0])):
        distance, name = min((piece.distance(point), name) for name, point in named)
        if distance > _RIVER_NAME_REACH_M:
            name = f"Sông biên giới {short_name_at(communes, piece.interpolate(0.5, normalized=True))}"
        simplified = shapely.simplify(piece, 10.0)
        found.append((name, "river", False, _RIVER_SOURCE, simplified))
    return found


def _ponds(rng, communes: gpd.GeoDataFrame, insets: Insets, taken: list[shapely.Geometry]) -> list[tuple]:
    """Village ponds and town retention ponds, a few per commune, apart from other water."""
    found = []
    for row in communes.itertuples():
        short_name = short(row.name)
        inner, near = insets.get(row.Index, 150.0), insets.anchor(row.Index)
        for _ in range(_PONDS_PER_COMMUNE + (1 if row.unit_type == "xã" else 0)):
            centre = point_in(rng, inner, near=near, spread=3_000)
            radius = float(rng.uniform(25, 70))
            blob = ellipse(centre.x, centre.y, radius * 1.4, radius, float(rng.uniform(0, 180)), rng)
            if any(blob.distance(t) < 60 for t in taken):
                continue
            label = "Ao làng" if row.unit_type == "xã" else "Hồ điều hòa khu"
            place = village(rng) if row.unit_type == "xã" else str(int(rng.integers(1, 12)))
            found.append((f"{label} {place} ({short_name})", "pond", True, _GENERATED_SOURCE, blob))
            taken.append(blob)
    return found


def _lines(
    rng,
    communes: gpd.GeoDataFrame,
    insets: Insets,
    inland: shapely.Geometry,
    taken: list[shapely.Geometry],
    *,
    kind: str,
    count: int,
) -> list[tuple]:
    """Streams in rural communes, canals in the others, as meandering lines kept on land."""
    if kind == "stream":
        hosts = communes.index[communes["unit_type"] == "xã"]
        lengths, step = (1_500.0, 4_000.0), 150.0
    else:
        hosts = communes.index[communes["unit_type"] != "đặc khu"]
        lengths, step = (1_200.0, 3_000.0), 250.0
    found = []
    attempts = 0
    while len(found) < count:
        attempts += 1
        if attempts > 50 * count:
            msg = f"Could not place {count} illustrative {kind}s on land; lower the count."
            raise HotspotsError(msg)
        index = hosts[int(rng.integers(0, len(hosts)))]
        start = point_in(rng, insets.get(index, 300.0), near=insets.anchor(index), spread=6_000)
        heading = float(rng.uniform(0, 2 * math.pi))
        line = shapely.LineString(
            wander((start.x, start.y), float(rng.uniform(*lengths)), heading, rng, step=step)
        )
        if kind == "canal":
            line = shapely.simplify(line, 60.0)
        if not inland.contains(line) or any(line.distance(t) < 150 for t in taken):
            continue
        short_name = short(communes.loc[index, "name"])
        if kind == "stream":
            name = f"Suối {STREAM_WORDS[int(rng.integers(0, len(STREAM_WORDS)))]} ({short_name})"
        else:
            name = f"Kênh thủy lợi {village(rng)} ({short_name})"
        found.append((name, kind, True, _GENERATED_SOURCE, line))
        taken.append(line)
    return found
