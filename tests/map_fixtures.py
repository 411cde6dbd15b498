"""Small hand-made layers near Hạ Long for the coverage, commune, map and page tests.

Distances are chosen with wide margins (at latitude 21°, 0.001° of longitude is
about 104 m and 0.001° of latitude about 111 m), so the expected coverage with
the default reach (swimming 3,000 m, rescue 2,000 m) is:

=====  ===========  ============  =======  ===========
point  commune      risk level    status   coverage
=====  ===========  ============  =======  ===========
QN-1   CM-1         high          active   rescue_only
QN-2   CM-1         medium        active   swim_only
QN-3   CM-2         high          active   both
QN-4   CM-3         black_spot    active   neither
QN-5   CM-3         black_spot    active   neither
QN-6   (missing)    low           pending  neither
=====  ===========  ============  =======  ===========

QN-6 has no commune_id and lies in CM-2. QN-5's name is a script tag. CM-3 has no
play space.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point, box

WGS84 = "EPSG:4326"

EXPECTED_STATUS = {
    "QN-1": "rescue_only",
    "QN-2": "swim_only",
    "QN-3": "both",
    "QN-4": "neither",
    "QN-5": "neither",
    "QN-6": "neither",
}
SCRIPT_NAME = "<script>alert('x')</script> Hồ"


def risk_points() -> gpd.GeoDataFrame:
    rows = [
        (
            "QN-1",
            "Bến đò Hà Lầm",
            "river",
            "high",
            ["deep_water"],
            "CM-1",
            "active",
            "2025-03-01",
            (107.05, 20.951),
        ),
        (
            "QN-2",
            "Ao làng Cao Xanh",
            "pond",
            "medium",
            ["no_fence"],
            "CM-1",
            "active",
            "2025-04-12",
            (107.051, 21.0),
        ),
        ("QN-3", "Bãi tắm Bãi Cháy", "sea", "high", [], "CM-2", "active", None, (107.151, 21.001)),
        (
            "QN-4",
            "Hồ Yên Lập",
            "lake_reservoir",
            "black_spot",
            ["deep_water", "steep_bank"],
            "CM-3",
            "active",
            "2025-05-20",
            (107.25, 21.05),
        ),
        (
            "QN-5",
            SCRIPT_NAME,
            "pit_quarry",
            "black_spot",
            ["no_warning_sign"],
            "CM-3",
            "active",
            "2025-01-02",
            (107.26, 20.95),
        ),
        (
            "QN-6",
            "Suối Đá Bạc",
            "stream",
            "low",
            ["flash_flood"],
            None,
            "pending",
            "2024-12-31",
            (107.12, 21.05),
        ),
    ]
    return gpd.GeoDataFrame(
        {
            "point_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "water_type": [r[2] for r in rows],
            "risk_level": [r[3] for r in rows],
            "hazards": [r[4] for r in rows],
            "commune_id": [r[5] for r in rows],
            "status": [r[6] for r in rows],
            "last_inspected": [r[7] for r in rows],
            "source": ["test"] * len(rows),
        },
        geometry=[Point(*r[8]) for r in rows],
        crs=WGS84,
    )


def swim_classes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "class_id": ["SC-001", "SC-002"],
            "name": ["Lớp bơi Hồng Gai", "Lớp bơi Bãi Cháy & <b>bạn</b>"],
            "venue_type": ["pool", "sea_beach"],
            "organiser": ["Đoàn thanh niên", "Hội Chữ thập đỏ"],
            "start_date": ["2025-06-01", "2025-06-15"],
            "end_date": ["2025-06-30", "2025-07-15"],
            "capacity": [40, 30],
            "participants": [38, 25],
            "commune_id": ["CM-1", "CM-2"],
        },
        geometry=[Point(107.05, 21.0), Point(107.15, 21.0)],
        crs=WGS84,
    )


def rescue_trainings() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "training_id": ["RT-001", "RT-002"],
            "name": ["Tập huấn cứu đuối Hà Lầm", "Tập huấn sơ cứu Bãi Cháy"],
            "organiser": ["Trạm y tế", "Hội Chữ thập đỏ"],
            "date": ["2025-05-10", "2025-05-11"],
            "participants": [25, 40],
            "audience": ["parents", "community"],
            "commune_id": ["CM-1", "CM-2"],
        },
        geometry=[Point(107.05, 20.95), Point(107.15, 21.0)],
        crs=WGS84,
    )


def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "commune_id": ["CM-1", "CM-2", "CM-3"],
            "name": ["Phường Hồng Gai", "Phường Bãi Cháy", "Xã Quảng La"],
            "unit_type": ["phường", "phường", "xã"],
            "children_under_16": [4000, 2000, 1000],
            "has_play_space": [True, True, False],
            "illustrative": [True, True, True],
        },
        geometry=[
            box(107.0, 20.9, 107.1, 21.1),
            box(107.1, 20.9, 107.2, 21.1),
            box(107.2, 20.9, 107.3, 21.1),
        ],
        crs=WGS84,
    )


def play_spaces() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "play_space_id": ["PS-001", "PS-002"],
            "name": ["Sân chơi Hồng Gai", "Nhà văn hoá Bãi Cháy"],
            "kind": ["playground", "cultural_house"],
            "commune_id": ["CM-1", "CM-2"],
        },
        geometry=[Point(107.04, 21.02), Point(107.14, 21.02)],
        crs=WGS84,
    )


def water() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "water_id": ["W-1", "W-2"],
            "name": ["Sông Diễn Vọng", "Hồ Yên Lập"],
            "water_type": ["river", "lake_reservoir"],
            "illustrative": [True, True],
            "source": ["test", "test"],
        },
        geometry=[LineString([(107.0, 21.06), (107.3, 21.08)]), box(107.24, 21.04, 107.27, 21.06)],
        crs=WGS84,
    )


def province() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"province_id": ["P-22"], "name": ["Quảng Ninh"], "source": ["test"]},
        geometry=[box(107.0, 20.9, 107.3, 21.1)],
        crs=WGS84,
    )


def layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer by schema name."""
    return {
        "risk_points": risk_points(),
        "swim_classes": swim_classes(),
        "rescue_trainings": rescue_trainings(),
        "play_spaces": play_spaces(),
        "communes": communes(),
        "water": water(),
        "province": province(),
    }


def write_geodata(directory: Path) -> Path:
    """Write :func:`layers` as ``<name>.geojson`` files, as in ``geodata/``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in layers().items():
        frame.to_file(directory / f"{name}.geojson", driver="GeoJSON")
    return directory
