"""Shared fixtures: a small province around Hạ Long, two communes, feature factories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

#: The browser tests' fixtures, the rule that CI may not skip a browser or PostgreSQL test, real users.
pytest_plugins = ("tests.browser_kit", "tests.strict_skips", "tests.auth_kit")

#: A hand-drawn outline around Hạ Long bay's shore (lon, lat), about 30 km × 25 km.
HA_LONG_OUTLINE = Polygon(
    [
        (106.95, 20.88),
        (107.12, 20.86),
        (107.26, 20.90),
        (107.27, 21.02),
        (107.20, 21.10),
        (107.02, 21.11),
        (106.94, 21.02),
    ]
)
#: Places inside the outline (lon, lat), more than a kilometre apart.
INSIDE = ((107.05, 20.95), (107.08, 20.96), (107.10, 20.97), (107.15, 21.00), (107.20, 21.03))


@pytest.fixture
def province() -> Polygon:
    return HA_LONG_OUTLINE


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """Two communes splitting the outline at 107.1 E (Bãi Cháy west, Hồng Gai east)."""
    west, east = (
        HA_LONG_OUTLINE.intersection(box(106, 20, 107.1, 22)),
        HA_LONG_OUTLINE.intersection(box(107.1, 20, 108, 22)),
    )
    return gpd.GeoDataFrame(
        {
            "commune_id": ["CM-001", "CM-002"],
            "name": ["Phường Bãi Cháy", "Phường Hồng Gai"],
            "unit_type": ["phường", "phường"],
            "children_under_16": [5200, 4100],
            "has_play_space": [True, False],
        },
        geometry=[west, east],
        crs="EPSG:4326",
    )


@pytest.fixture
def make_point() -> Callable[..., dict[str, Any]]:
    """Build a valid risk-point Feature; keyword arguments override properties."""

    def build(lon: float = 107.05, lat: float = 20.95, **properties: Any) -> dict[str, Any]:
        props = {
            "point_id": "QN-0001",
            "name": "Bến đò Rừng Lim",
            "water_type": "river",
            "risk_level": "high",
        }
        props.update(properties)
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props,
        }

    return build


@pytest.fixture
def feature_collection() -> Callable[..., dict[str, Any]]:
    """Wrap features in a FeatureCollection dict."""

    def wrap(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": list(features), **members}

    return wrap


@pytest.fixture
def geodata_dir(tmp_path: Path, province: Polygon, communes: gpd.GeoDataFrame) -> Path:
    """A geodata folder holding the test province and communes (as the CLI's --geodata)."""
    folder = tmp_path / "geodata"
    folder.mkdir()
    outline = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"province_id": "P-01", "name": "Quảng Ninh (thử)"},
                "geometry": province.__geo_interface__,
            }
        ],
    }
    (folder / "province.geojson").write_text(json.dumps(outline, ensure_ascii=False), encoding="utf-8")
    communes.to_file(folder / "communes.geojson", driver="GeoJSON")
    return folder
