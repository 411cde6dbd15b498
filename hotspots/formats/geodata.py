"""The shipped geodata folder: trusted layers read fast, the province outline, and file digests."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely

from hotspots.config import GEODATA_DIR
from hotspots.errors import SchemaError, UnreadableFileError
from hotspots.formats.columns import conform_columns
from hotspots.formats.ogr import read_ogr, to_wgs84
from hotspots.schema import get_layer_schema


def load_geodata_layer(name: str, directory: str | os.PathLike[str] = GEODATA_DIR) -> gpd.GeoDataFrame:
    """Read a shipped (trusted) layer fast, with a light schema check.

    Parameters
    ----------
    name
        Layer name; the file is ``<directory>/<name>.geojson``.
    directory
        Folder of the shipped data.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, the schema's fields first (missing optional ones filled with defaults), lists
        as Python lists, dates as ISO text.

    Raises
    ------
    UnreadableFileError
        When the file is missing.
    SchemaError
        When the layer is unknown or the file lacks a required field.
    """
    schema = get_layer_schema(name)
    path = Path(directory) / f"{name}.geojson"
    if not path.is_file():
        msg = f"The layer file {path} is missing; build the sample data with: python -m hotspots build-sample"
        raise UnreadableFileError(msg)
    gdf = read_ogr(path, DATE_AS_STRING="YES")
    missing = [f for f in schema.required_fields if f not in gdf.columns]
    if missing:
        msg = f"{path.name} lacks the required field(s) {', '.join(missing)} of layer '{name}'."
        raise SchemaError(msg)
    return conform_columns(to_wgs84(gdf), layer=name)


def load_province(directory: str | os.PathLike[str] = GEODATA_DIR) -> shapely.Geometry:
    """Return the province outline (the union of ``province.geojson``) in EPSG:4326.

    The result is cached until the file changes.

    Raises
    ------
    UnreadableFileError
        When ``province.geojson`` is missing.
    """
    path = Path(directory) / "province.geojson"
    try:
        stat = path.stat()
    except OSError:
        msg = (
            f"The province outline {path} is missing; build the sample data: python -m hotspots build-sample"
        )
        raise UnreadableFileError(msg) from None
    return _read_outline(str(path), stat.st_mtime_ns, stat.st_size)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB blocks.

    Used to recognise a file imported before and to record the inputs of the sample build.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _read_outline(path: str, mtime_ns: int, size: int) -> shapely.Geometry:
    gdf = to_wgs84(read_ogr(Path(path)))
    return shapely.union_all(shapely.make_valid(gdf.geometry.values))
