"""Reproducible build of the shipped sample geodata for Quảng Ninh (``geodata/``).

Build-only code, kept out of the :mod:`hotspots` package: ``import hotspots`` never
imports it. The sample mixes real geography with illustrative features, and says
which is which:

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
files when it runs. Names, hand-placed positions, hazards and texts are data files in
``sample_build/data/``. Run it with::

    python -m hotspots build-sample
    python -m sample_build [--out DIR]

Modules, in build order: :mod:`~sample_build.sources` (inputs),
:mod:`~sample_build.geography` (outline, coast, communes), :mod:`~sample_build.water`,
:mod:`~sample_build.points` (risk points), :mod:`~sample_build.facilities` (classes,
trainings, play spaces), :mod:`~sample_build.checks`, :mod:`~sample_build.writing`
(GeoJSON, README) and :mod:`~sample_build.build` (:func:`build_sample`).
"""

from __future__ import annotations

from sample_build.build import build_sample
from sample_build.settings import (
    BLACK_SPOT_COUNT,
    CHILDREN_UNDER_16,
    COMMUNE_COUNT,
    COMMUNES_WITHOUT_PLAY_SPACE,
    COORDINATE_DECIMALS,
    DEFAULT_CACHE_DIR,
    RISK_POINT_COUNT,
    SAMPLE_FILES,
    SAMPLE_SEED,
)
from sample_build.sources import natural_earth_admin1
from sample_build.writing import feature_collection_text, schema_table_markdown

__all__ = [
    "BLACK_SPOT_COUNT",
    "CHILDREN_UNDER_16",
    "COMMUNES_WITHOUT_PLAY_SPACE",
    "COMMUNE_COUNT",
    "COORDINATE_DECIMALS",
    "DEFAULT_CACHE_DIR",
    "RISK_POINT_COUNT",
    "SAMPLE_FILES",
    "SAMPLE_SEED",
    "build_sample",
    "feature_collection_text",
    "natural_earth_admin1",
    "schema_table_markdown",
]
