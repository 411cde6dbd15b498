"""The build: read the inputs, build every layer in order with one seeded generator, check, write.

The order of the stages is the order of the random draws: moving one changes every
illustrative feature after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from hotspots.config import GEODATA_DIR
from hotspots.schema import LAYERS
from sample_build.checks import check_layers
from sample_build.facilities import play_spaces_frame, rescue_trainings_frame, swim_classes_frame
from sample_build.geography import (
    Insets,
    choose_communes,
    coastline,
    communes_frame,
    province_frame,
    province_land,
)
from sample_build.points import population_centres, risk_points_frame
from sample_build.settings import DEFAULT_CACHE_DIR, SAMPLE_FILES, SAMPLE_SEED
from sample_build.shapes import final
from sample_build.sources import Sources, read_sources
from sample_build.water import water_frame
from sample_build.writing import feature_collection_text, readme_text

_README: Final = "README.md"


@dataclass(frozen=True)
class Layers:
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
    sources = read_sources(Path(cache_dir))
    layers = build_layers(sources, rng)
    check_layers(layers)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for layer, filename in SAMPLE_FILES.items():
        path = out_dir / filename
        path.write_bytes(feature_collection_text(layers.frames[layer], LAYERS[layer]).encode("utf-8"))
        written[layer] = path
    readme = out_dir / _README
    readme.write_bytes(readme_text(layers, sources, seed, written).encode("utf-8"))
    written["readme"] = readme
    return written


def build_layers(sources: Sources, rng: np.random.Generator) -> Layers:
    """Build every layer, in the order of SAMPLE_FILES, drawing from ``rng``."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    metric: dict[str, gpd.GeoDataFrame] = {}

    def keep(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frames[layer], metric[layer] = final(frame)
        return metric[layer]

    raw = province_land(sources)
    province = keep("province", province_frame(raw))
    outline = province.geometry.iloc[0]
    coast = coastline(outline, sources, raw)
    communes_spec = choose_communes(sources.units, outline)
    communes = keep("communes", communes_frame(communes_spec, outline))
    insets = Insets(communes, communes_spec)
    water = keep("water", water_frame(rng, sources, outline, communes, insets))
    towns = population_centres(sources.towns, communes_spec)
    points = keep("risk_points", risk_points_frame(rng, coast, communes, water, towns))
    keep("swim_classes", swim_classes_frame(rng, communes, insets, points))
    keep("rescue_trainings", rescue_trainings_frame(rng, communes, insets, points))
    keep("play_spaces", play_spaces_frame(rng, communes, insets))
    return Layers(frames, metric, coast)
