"""Seed, real figures and output files of the sample: what every build stage agrees on."""

from __future__ import annotations

from typing import Final

from hotspots.config import PROJECT_ROOT

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
#: Said whenever a build-only package is missing.
BUILD_HINT: Final = "Install the build dependencies with: pip install -r requirements-build.txt"
