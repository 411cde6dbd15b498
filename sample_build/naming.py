"""Names inside generated names: short commune names, unit words, villages and ward blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import shapely

from sample_build.tables import load_table

_NAMES: Final = load_table("names")
#: Words names are drawn from (``data/names.toml``), in the order they are drawn by.
VILLAGES: Final[tuple[str, ...]] = tuple(_NAMES["villages"])
STREAM_WORDS: Final[tuple[str, ...]] = tuple(_NAMES["stream_words"])
SEA_PLACES: Final[tuple[str, ...]] = tuple(_NAMES["sea_places"])
SHORE_PARTS: Final[tuple[str, ...]] = tuple(_NAMES["shore_parts"])
PIT_PARTS: Final[tuple[str, ...]] = tuple(_NAMES["pit_parts"])
#: Unit types written before a name, each with its trailing space, tried in this order.
UNIT_PREFIXES: Final[tuple[str, ...]] = tuple(_NAMES["unit_prefixes"])


def short(name: str) -> str:
    """'Phường Bãi Cháy' → 'Bãi Cháy' (the unit type is the first one or two words)."""
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def unit_word(name: str) -> str:
    """'Phường Bãi Cháy' → 'phường', as written inside an organisation's name."""
    return name[: len(name) - len(short(name))].strip().lower()


def short_name_at(communes: gpd.GeoDataFrame, point: shapely.Point) -> str:
    """Short name of the commune nearest to ``point``."""
    distances = communes.geometry.distance(point)
    return short(communes.loc[distances.idxmin(), "name"])


def pick(rng, options: Sequence[str]) -> str:
    """Draw one of ``options``."""
    return options[int(rng.integers(0, len(options)))]


def village(rng) -> str:
    """Draw a village name."""
    return pick(rng, VILLAGES)


def locality(rng, unit_type: str) -> str:
    """Draw a ward block ('khu 5') in a ward, a village ('thôn Đồng Tâm') elsewhere."""
    if unit_type == "phường":
        return f"khu {int(rng.integers(1, 13))}"
    return f"thôn {village(rng)}"
