"""Printable maps of the sheets: a commune, or the province, drawn as SVG from the vector layers (no tiles).

The layers are projected to UTM zone 48N (:data:`~hotspots.config.METRIC_CRS`) and drawn
north up at a true scale, with a scale bar, in millimetres (the SVG's units), so the map is
crisp at any print resolution. Every kind of feature has its own shape or hatching, so the map
reads in black and white:

========================  =========================================================
this commune              thick black outline; the land around it is greyed out
black spot                black triangle with a white edge, labelled with its id
risk point                small dot: filled when covered by neither, hollow otherwise
swimming class            hollow square (dashed when only planned)
rescue training           circle with a cross
play space                hollow star
hot-spot cluster          diagonal hatching
water                     horizontal lines (rivers: grey lines)
========================  =========================================================

Every text (ids, names) is escaped before it enters the SVG.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from markupsafe import Markup, escape

from hotspots.config import METRIC_CRS
from hotspots.errors import HotspotsError
from hotspots.i18n import format_distance
from hotspots.reports.sheet_data import SheetInputs

#: Size of the maps on the A4 page (millimetres: the width between the margins).
MAP_WIDTH_MM: Final = 186.0
COMMUNE_MAP_HEIGHT_MM: Final = 96.0
PROVINCE_MAP_HEIGHT_MM: Final = 118.0
#: A commune map shows at least this many metres across, so a small commune keeps its surroundings.
MIN_EXTENT_M: Final = 3_000.0
#: Margin around the commune, as a share of its size.
PADDING: Final = 0.08
#: Kinds of legend entries, in the order the legend lists them.
LEGEND_KINDS: Final = (
    "commune",
    "black_spot",
    "risk_uncovered",
    "risk_covered",
    "swim",
    "swim_planned",
    "rescue",
    "play",
    "cluster",
    "water",
)
#: Greys of the province map's communes, lowest priority quartile first.
PRIORITY_GREYS: Final = ("#ffffff", "#dcdcdc", "#a8a8a8", "#707070")
_SCALE_LENGTHS_M: Final = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
_WATER_STROKE: Final = "#4f7fa8"
# Simplification tolerance, and the smallest area drawn (islets, ponds), in millimetres on paper.
_TOLERANCE_MM: Final = 0.25
_MIN_AREA_MM2: Final = 0.4
# Outlines are simplified once to this many metres (a fifth of a millimetre on the largest-scale map).
_PRESIMPLIFY_M: Final = 3.0
# Columns of the risk points that the maps read.
_POINT_COLUMNS: Final = ("point_id", "risk_level", "coverage_status", "sheet_commune", "geometry")


@dataclass(frozen=True, eq=False)
class MapLayers:
    """The layers of the sheet maps in metres (EPSG:32648), projected once for every map."""

    communes: gpd.GeoDataFrame
    province: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    swim: gpd.GeoDataFrame
    planned: gpd.GeoDataFrame
    rescue: gpd.GeoDataFrame
    play: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame


def map_layers(inputs: SheetInputs) -> MapLayers:
    """Project the layers of :class:`~hotspots.reports.sheet_data.SheetInputs` to metres."""
    units = inputs.hotspots.units if inputs.hotspots is not None else None
    clusters = units[units["cluster"].notna()] if units is not None else None
    return MapLayers(
        communes=_metric(inputs.layers["communes"], simplify_m=_PRESIMPLIFY_M),
        province=_metric(inputs.layers["province"], simplify_m=_PRESIMPLIFY_M),
        water=_metric(inputs.layers["water"], simplify_m=_PRESIMPLIFY_M),
        points=_metric(inputs.points[list(_POINT_COLUMNS)]),
        swim=_metric(inputs.layers["swim_classes"]),
        planned=_metric(inputs.layers["planned_classes"]),
        rescue=_metric(inputs.layers["rescue_trainings"]),
        play=_metric(inputs.layers["play_spaces"]),
        clusters=_metric(clusters) if clusters is not None else _metric(None),
    )


def commune_map(
    layers: MapLayers,
    commune_id: str,
    *,
    lang: str,
    width_mm: float = MAP_WIDTH_MM,
    height_mm: float = COMMUNE_MAP_HEIGHT_MM,
) -> Markup:
    """Draw one commune with its risk points, black spots, clusters and facilities as an inline SVG.

    Raises
    ------
    HotspotsError
        If the commune is not in the layer.
    """
    chosen = layers.communes[layers.communes["commune_id"] == commune_id]
    if not len(chosen):
        msg = f"There is no commune '{commune_id}' to draw."
        raise HotspotsError(msg)
    shape = shapely.union_all(shapely.make_valid(chosen.geometry.to_numpy()))
    mine = (layers.points["sheet_commune"] == commune_id).to_numpy()
    # The map centres on where the commune's risk points are and on its largest part: a commune
    # with many small islands would otherwise shrink its villages to a corner.
    pieces = shapely.get_parts(shape)
    largest = pieces[int(np.argmax(shapely.area(pieces)))] if len(pieces) else shape
    focus = shapely.union_all([largest, *layers.points.geometry.to_numpy()[mine]])
    frame = _Frame.around(shapely.bounds(focus), width_mm, height_mm, MIN_EXTENT_M)
    uid = _uid(commune_id)
    parts = [_defs(uid), _background(layers, frame, uid)]
    others = layers.communes[layers.communes["commune_id"] != commune_id]
    parts.append(_paths(others.geometry, frame, 'fill="none" stroke="#777" stroke-width="0.3"'))
    parts.append(
        _paths(layers.clusters.geometry, frame, f'fill="url(#{uid}h)" stroke="#000" stroke-width="0.3"')
    )
    parts.append(_risk_points(layers.points[~mine], frame, labels=False))
    # The land outside the commune is greyed out: what lies there is context, not this sheet's.
    outside = _path(shape, frame, clip=False)
    parts.append(
        f'<path d="M0 0H{width_mm:g}V{height_mm:g}H0Z{outside}" fill="#fff" fill-opacity="0.55" '
        'fill-rule="evenodd"/>'
    )
    parts.append(f'<path d="{outside}" fill="none" stroke="#000" stroke-width="0.9"/>')
    parts.append(_names(others, frame))
    parts.append(_facilities(layers, frame))
    parts.append(_risk_points(layers.points[mine], frame, labels=True))
    parts.append(_scale_bar(frame, lang))
    parts.append(_north(frame))
    return _svg(frame, parts)


def province_map(
    layers: MapLayers,
    ranks: Mapping[str, int],
    *,
    lang: str,
    width_mm: float = MAP_WIDTH_MM,
    height_mm: float = PROVINCE_MAP_HEIGHT_MM,
) -> Markup:
    """Draw the province: communes shaded by priority (the top ten numbered), clusters, black spots."""
    box = (
        shapely.bounds(shapely.union_all(layers.communes.geometry.to_numpy()))
        if len(layers.communes)
        else None
    )
    if box is None or np.isnan(box).any():
        box = np.array([0.0, 0.0, MIN_EXTENT_M, MIN_EXTENT_M])
    frame = _Frame.around(box, width_mm, height_mm, MIN_EXTENT_M, padding=0.02)
    uid = _uid("province")
    parts = [_defs(uid), _background(layers, frame, uid, rivers=False)]
    count = max(len(ranks), 1)
    for row in layers.communes.to_dict("records"):
        rank = ranks.get(str(row["commune_id"]), count)
        grey = PRIORITY_GREYS[min(3, int(4 * (count - rank) / count))]
        parts.append(
            f'<path d="{_path(row["geometry"], frame)}" fill="{grey}" stroke="#444" stroke-width="0.25"/>'
        )
    parts.append(
        _paths(layers.clusters.geometry, frame, f'fill="url(#{uid}h)" stroke="#000" stroke-width="0.35"')
    )
    black = layers.points[(layers.points["risk_level"] == "black_spot").to_numpy()]
    parts.append(_triangles(_xy(black, frame), 2.6))
    top = layers.communes[[ranks.get(str(c), count + 1) <= 10 for c in layers.communes["commune_id"]]]
    for row in top.to_dict("records"):
        anchor = shapely.point_on_surface(row["geometry"])
        ((x, y),) = frame.xy(np.array([[anchor.x, anchor.y]]))
        parts.append(_halo_text(x, y + 1.2, str(ranks[str(row["commune_id"])]), size=3.4, anchor="middle"))
    parts.append(_scale_bar(frame, lang))
    parts.append(_north(frame))
    return _svg(frame, parts)


def legend_symbol(kind: str) -> Markup:
    """Draw one of :data:`LEGEND_KINDS` as a small inline SVG, as on the map."""
    uid = _uid(f"legend-{kind}")
    body = {
        "commune": '<rect x="0.5" y="0.8" width="5" height="3.4" fill="#fff" stroke="#000" '
        'stroke-width="0.9"/>',
        "black_spot": _triangles([(3, 2.6)], 3.6),
        "risk_uncovered": _dots([(3, 2.5)], covered=False),
        "risk_covered": _dots([(3, 2.5)], covered=True),
        "swim": _squares([(3, 2.5)], planned=False),
        "swim_planned": _squares([(3, 2.5)], planned=True),
        "rescue": _rescues([(3, 2.5)]),
        "play": _stars([(3, 2.5)]),
        "cluster": f'{_defs(uid)}<rect x="0.5" y="0.8" width="5" height="3.4" fill="url(#{uid}h)" '
        'stroke="#000" stroke-width="0.3"/>',
        "water": f'{_defs(uid)}<rect x="0.5" y="0.8" width="5" height="3.4" fill="url(#{uid}w)" '
        f'stroke="{_WATER_STROKE}" stroke-width="0.2"/>',
    }
    if kind not in body:
        msg = f"Unknown legend entry '{kind}'; the entries are: {', '.join(LEGEND_KINDS)}."
        raise HotspotsError(msg)
    return Markup(
        '<svg class="sym" width="6mm" height="5mm" viewBox="0 0 6 5" xmlns="http://www.w3.org/2000/svg">'
        f"{body[kind]}</svg>"
    )


def priority_symbol(grey: str) -> Markup:
    """Draw a commune filled with one of :data:`PRIORITY_GREYS` as a small inline SVG."""
    return Markup(
        '<svg class="sym" width="6mm" height="5mm" viewBox="0 0 6 5" xmlns="http://www.w3.org/2000/svg">'
        f'<rect x="0.5" y="0.8" width="5" height="3.4" fill="{escape(grey)}" stroke="#444" '
        'stroke-width="0.25"/>'
        "</svg>"
    )


@dataclass(frozen=True)
class _Frame:
    """Where the map's metres land on paper: ``x_mm = (x − left) s``, ``y_mm = (top − y) s``."""

    left: float
    top: float
    scale: float
    width: float
    height: float

    @classmethod
    def around(
        cls, box: Iterable[float], width: float, height: float, minimum: float, *, padding: float = PADDING
    ) -> _Frame:
        minx, miny, maxx, maxy = (float(v) for v in box)
        span_x = max(maxx - minx, minimum) * (1 + 2 * padding)
        span_y = max(maxy - miny, minimum) * (1 + 2 * padding)
        scale = min(width / span_x, height / span_y)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        return cls(
            left=cx - width / scale / 2, top=cy + height / scale / 2, scale=scale, width=width, height=height
        )

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The map's extent in metres, a little larger, to clip geometries to."""
        margin = 2 / self.scale
        right, bottom = self.left + self.width / self.scale, self.top - self.height / self.scale
        return (self.left - margin, bottom - margin, right + margin, self.top + margin)

    def xy(self, coordinates: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [(coordinates[:, 0] - self.left) * self.scale, (self.top - coordinates[:, 1]) * self.scale]
        )


def _metric(frame: gpd.GeoDataFrame | None, *, simplify_m: float = 0.0) -> gpd.GeoDataFrame:
    if frame is None:
        return gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)
    if frame.crs is None:
        msg = "A layer of the sheet map has no coordinate reference system."
        raise HotspotsError(msg)
    metric = frame.to_crs(METRIC_CRS)
    if simplify_m and len(metric):
        metric = metric.set_geometry(metric.geometry.simplify(simplify_m, preserve_topology=True))
    return metric


def _uid(key: str) -> str:
    return "s" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _defs(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}h" patternUnits="userSpaceOnUse" width="1.6" height="1.6" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="1.6" stroke="#000" '
        'stroke-width="0.35"/>'
        f'</pattern><pattern id="{uid}w" patternUnits="userSpaceOnUse" width="3" height="0.9">'
        f'<rect width="3" height="0.9" fill="#eaf1f7"/><line x1="0" y1="0.45" x2="3" y2="0.45" '
        f'stroke="{_WATER_STROKE}" stroke-width="0.18"/></pattern></defs>'
    )


def _background(layers: MapLayers, frame: _Frame, uid: str, *, rivers: bool = True) -> str:
    parts = [_paths(layers.province.geometry, frame, 'fill="#f3f3f3" stroke="#555" stroke-width="0.35"')]
    kinds = layers.water.geometry.geom_type.to_numpy() if len(layers.water) else np.array([])
    areas = np.isin(kinds, ("Polygon", "MultiPolygon"))
    parts.append(
        _paths(
            layers.water.geometry[areas],
            frame,
            f'fill="url(#{uid}w)" stroke="{_WATER_STROKE}" stroke-width="0.2"',
        )
    )
    if rivers:
        parts.append(
            _paths(
                layers.water.geometry[~areas],
                frame,
                f'fill="none" stroke="{_WATER_STROKE}" stroke-width="0.5"',
            )
        )
    return "".join(parts)


def _paths(geometries: gpd.GeoSeries, frame: _Frame, style: str) -> str:
    shapes = geometries.to_numpy()
    if not len(shapes):
        return ""
    # Only what reaches the map is clipped and drawn: a cheap test on the bounding boxes first.
    left, bottom, right, top = frame.box
    bounds = shapely.bounds(shapes)
    near = (bounds[:, 0] <= right) & (bounds[:, 2] >= left) & (bounds[:, 1] <= top) & (bounds[:, 3] >= bottom)
    data = "".join(_path(g, frame) for g in shapes[near] if g is not None)
    return f'<path d="{data}" {style} fill-rule="evenodd"/>' if data else ""


def _path(geometry: shapely.Geometry, frame: _Frame, *, clip: bool = True) -> str:
    """SVG path data of a polygon or line (any multi-part), clipped to the frame and simplified."""
    if geometry is None or geometry.is_empty:
        return ""
    shape = shapely.clip_by_rect(geometry, *frame.box) if clip else geometry
    shape = shapely.simplify(shape, _TOLERANCE_MM / frame.scale)
    commands = []
    smallest = _MIN_AREA_MM2 / frame.scale**2
    for part in _flat(shape):
        if part.geom_type == "Polygon":
            if part.area < smallest:
                continue
            rings, close = shapely.get_rings(part), "Z"
        elif part.geom_type in ("LineString", "LinearRing"):
            rings, close = [part], ""
        else:
            continue
        for ring in rings:
            xy = frame.xy(shapely.get_coordinates(ring))
            if len(xy) >= 2:
                points = "L".join(f"{x:.1f} {y:.1f}" for x, y in xy)
                commands.append(f"M{points}{close}")
    return "".join(commands)


def _flat(shape: shapely.Geometry) -> list[shapely.Geometry]:
    parts, single = [shape], []
    while parts:
        part = parts.pop()
        if part.is_empty:
            continue
        if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            parts.extend(shapely.get_parts(part))
        else:
            single.append(part)
    return single


def _xy(points: gpd.GeoDataFrame, frame: _Frame) -> list[tuple[float, float]]:
    """Paper positions of the points on the map (those off it are left out)."""
    xy, inside = _positions(points, frame)
    return [(float(x), float(y)) for x, y in xy[inside]]


def _positions(points: gpd.GeoDataFrame, frame: _Frame) -> tuple[np.ndarray, np.ndarray]:
    """Paper positions of every point, and whether each is on the map."""
    if not len(points):
        return np.zeros((0, 2)), np.zeros(0, dtype=bool)
    xy = frame.xy(shapely.get_coordinates(shapely.point_on_surface(points.geometry.to_numpy())))
    inside = (
        (xy[:, 0] >= -2) & (xy[:, 0] <= frame.width + 2) & (xy[:, 1] >= -2) & (xy[:, 1] <= frame.height + 2)
    )
    return xy, inside


def _risk_points(points: gpd.GeoDataFrame, frame: _Frame, *, labels: bool) -> str:
    black = (points["risk_level"] == "black_spot").to_numpy()
    others = points[~black]
    covered = (others["coverage_status"] != "neither").to_numpy()
    parts = [
        _dots(_xy(others[covered], frame), covered=True),
        _dots(_xy(others[~covered], frame), covered=False),
    ]
    spots = points[black].sort_values("point_id")
    xy, inside = _positions(spots, frame)
    parts.append(_triangles([(float(x), float(y)) for x, y in xy[inside]], 3.6 if labels else 2.8))
    if labels:
        for (x, y), point_id in zip(xy[inside], spots["point_id"].to_numpy()[inside], strict=True):
            parts.append(_halo_text(float(x) + 2.3, float(y) + 1.0, str(point_id), size=2.6))
    return "".join(parts)


def _facilities(layers: MapLayers, frame: _Frame) -> str:
    return "".join(
        [
            _stars(_xy(layers.play, frame)),
            _squares(_xy(layers.planned, frame), planned=True),
            _squares(_xy(layers.swim, frame), planned=False),
            _rescues(_xy(layers.rescue, frame)),
        ]
    )


def _names(communes: gpd.GeoDataFrame, frame: _Frame) -> str:
    """Names of the neighbouring communes, in grey, where a part of them is on the map."""
    parts = []
    for row in communes.to_dict("records"):
        visible = shapely.clip_by_rect(row["geometry"], *_inner_box(frame))
        if visible.is_empty or visible.area * frame.scale**2 < 150:
            continue
        anchor = shapely.point_on_surface(visible)
        ((x, y),) = frame.xy(np.array([[anchor.x, anchor.y]]))
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="2.4" font-style="italic" fill="#555" '
            f'text-anchor="middle">{escape(str(row["name"]))}</text>'
        )
    return "".join(parts)


def _inner_box(frame: _Frame) -> tuple[float, float, float, float]:
    margin = 12 / frame.scale
    left, bottom, right, top = frame.box
    return (left + margin, bottom + margin, right - margin, top - margin)


# Each kind of symbol is one SVG path holding every feature of that kind: far fewer elements to
# draw than one element per feature.


def _dots(xy: list[tuple[float, float]], *, covered: bool) -> str:
    if not xy:
        return ""
    r = 0.8
    data = "".join(f"M{x - r:.2f} {y:.2f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z" for x, y in xy)
    fill = "#fff" if covered else "#000"
    return f'<path d="{data}" fill="{fill}" stroke="#000" stroke-width="0.3"/>'


def _triangles(xy: list[tuple[float, float]], side: float) -> str:
    if not xy:
        return ""
    h = side * math.sqrt(3) / 2
    data = "".join(
        f"M{x:.2f} {y - 2 * h / 3:.2f}L{x - side / 2:.2f} {y + h / 3:.2f}L{x + side / 2:.2f} {y + h / 3:.2f}Z"
        for x, y in xy
    )
    return f'<path d="{data}" fill="#000" stroke="#fff" stroke-width="0.35"/>'


def _squares(xy: list[tuple[float, float]], *, planned: bool) -> str:
    if not xy:
        return ""
    data = "".join(f"M{x - 1.3:.2f} {y - 1.3:.2f}h2.6v2.6h-2.6Z" for x, y in xy)
    dash = ' stroke-dasharray="0.7 0.45"' if planned else ""
    return f'<path d="{data}" fill="#fff" stroke="#000" stroke-width="0.45"{dash}/>'


def _rescues(xy: list[tuple[float, float]]) -> str:
    if not xy:
        return ""
    r = 1.45
    rings = "".join(f"M{x - r:.2f} {y:.2f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z" for x, y in xy)
    crosses = "".join(f"M{x - 0.95:.2f} {y:.2f}h1.9M{x:.2f} {y - 0.95:.2f}v1.9" for x, y in xy)
    return (
        f'<path d="{rings}" fill="#fff" stroke="#000" stroke-width="0.4"/>'
        f'<path d="{crosses}" fill="none" stroke="#000" stroke-width="0.45"/>'
    )


def _stars(xy: list[tuple[float, float]]) -> str:
    if not xy:
        return ""
    shapes = []
    for x, y in xy:
        corners = []
        for i in range(10):
            radius = 1.7 if i % 2 == 0 else 0.75
            angle = math.pi / 2 + i * math.pi / 5
            corners.append(f"{x + radius * math.cos(angle):.2f} {y - radius * math.sin(angle):.2f}")
        shapes.append("M" + "L".join(corners) + "Z")
    return f'<path d="{"".join(shapes)}" fill="#fff" stroke="#000" stroke-width="0.35"/>'


def _halo_text(x: float, y: float, text: str, *, size: float, anchor: str = "start") -> str:
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" font-weight="bold" text-anchor="{anchor}"'
    label = escape(text)
    return (
        f'<text {common} fill="none" stroke="#fff" stroke-width="0.9">{label}</text>'
        f'<text {common} fill="#000">{label}</text>'
    )


def _scale_bar(frame: _Frame, lang: str) -> str:
    fits = [m for m in _SCALE_LENGTHS_M if m * frame.scale <= 0.25 * frame.width]
    metres = fits[-1] if fits else _SCALE_LENGTHS_M[0]
    length = metres * frame.scale
    x, y = 4.0, frame.height - 4.0
    half = length / 2
    return (
        f'<rect x="{x - 1.5:.1f}" y="{y - 5.2:.1f}" width="{length + 3:.1f}" height="7" fill="#fff" '
        'fill-opacity="0.85"/>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{half:.2f}" height="1.1" fill="#000" stroke="#000" '
        'stroke-width="0.2"/>'
        f'<rect x="{x + half:.2f}" y="{y:.1f}" width="{half:.2f}" height="1.1" fill="#fff" stroke="#000" '
        'stroke-width="0.2"/>'
        f'<text x="{x:.1f}" y="{y - 1.2:.1f}" font-size="2.4">0</text>'
        f'<text x="{x + length:.1f}" y="{y - 1.2:.1f}" font-size="2.4" text-anchor="end">'
        f"{escape(format_distance(metres, lang))}</text>"
    )


def _north(frame: _Frame) -> str:
    x, y = frame.width - 6.0, 4.0
    return (
        f'<polygon points="{x:.1f},{y:.1f} {x - 1.6:.1f},{y + 4.2:.1f} {x:.1f},{y + 3.2:.1f} '
        f'{x + 1.6:.1f},{y + 4.2:.1f}" fill="#000"/>'
        f'<text x="{x:.1f}" y="{y + 7.4:.1f}" font-size="2.8" font-weight="bold" '
        'text-anchor="middle">N</text>'
    )


def _svg(frame: _Frame, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="map" width="{frame.width:g}mm" height="{frame.height:g}mm" '
        f'viewBox="0 0 {frame.width:g} {frame.height:g}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif">'
        f'<rect width="{frame.width:g}" height="{frame.height:g}" fill="#fff"/>{body}'
        f'<rect width="{frame.width:g}" height="{frame.height:g}" fill="none" stroke="#000" '
        'stroke-width="0.4"/>'
        "</svg>"
    )
