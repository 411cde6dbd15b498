"""Benchmark: map building and coverage, ours against the naive ways, at 891 / 10,000 / 100,000 points.

Run: ``.venv/bin/python benchmarks/map_and_coverage.py [--sizes 891 10000 100000] [--repeats 5]``

* Map: Python time to build the folium map and render its HTML, and the HTML's size.
  "ours" is :func:`hotspots.maps.build_map` with the risk points only (compact JSON,
  canvas markers in one cluster, popups assembled in the browser); "ours + sample" adds the
  shipped sample's province, communes, water and facilities as the app shows them; "naive" is
  one ``folium.Marker`` with a popup per point in a ``MarkerCluster``.
* Coverage: nearest facility and distance for every point against 5,000 facilities.
  "ours" is :func:`hotspots.analysis.nearest_facilities` (STRtree in UTM 48N); "naive" is
  pairwise haversine in numpy, chunked to bound memory.

Points are random in the province's bounding box, named after the shipped sample's points
(their length drives the map's size); medians of ``--repeats`` runs (one run for
the naive map above 20,000 points: it takes tens of seconds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely

# Run as a script from anywhere: the package lives one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotspots.analysis import coverage_table, nearest_facilities
from hotspots.config import GEODATA_DIR
from hotspots.schema import HAZARDS, LAYERS, WATER_TYPES

BBOX = (106.40, 20.70, 108.10, 21.70)  # west, south, east, north of Quảng Ninh
FACILITIES = 5_000
EARTH_RADIUS_M = 6_371_008.8
CHUNK = 2_000
NAIVE_MAP_ONCE_ABOVE = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[891, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(2025)
    background = _sample_background()
    swim = _facilities(rng, FACILITIES)
    rows = []
    for n in args.sizes:
        points = _risk_points(rng, n, background)
        table = coverage_table(points, swim.iloc[:40], swim.iloc[40:65])
        repeats = args.repeats if n <= 10_000 else max(3, args.repeats // 2)

        ours_s, ours_bytes = _map_time(lambda table=table: _our_map(table, {}), repeats)
        layers = {k: v for k, v in background.items() if k != "names"}
        full_s, full_bytes = _map_time(lambda table=table, layers=layers: _our_map(table, layers), repeats)
        naive_repeats = 1 if n > NAIVE_MAP_ONCE_ABOVE else repeats
        naive_s, naive_bytes = _map_time(lambda points=points: _naive_map(points), naive_repeats)

        cov_s = _median(lambda points=points: nearest_facilities(points, swim, prefix="s"), repeats)
        naive_cov_s = _median(lambda points=points: _naive_nearest(points, swim), max(1, repeats // 2))
        agreement = _agreement(points, swim)
        rows.append(
            (n, ours_s, ours_bytes, full_s, full_bytes, naive_s, naive_bytes, cov_s, naive_cov_s, agreement)
        )
        print(f"done {n:,} points", flush=True)
    _print_table(rows, args.repeats)


def _our_map(table: gpd.GeoDataFrame, layers: dict) -> str:
    from hotspots.maps import build_map

    fmap = build_map(
        table,
        layers,
        lang="vi",
        swim_radius_m=3000,
        rescue_radius_m=2000,
        asset_base_url="/app/static/vendor",
    )
    return fmap.get_root().render()


def _naive_map(points: gpd.GeoDataFrame) -> str:
    fmap = folium.Map(location=[21.1, 107.3], zoom_start=9)
    cluster = folium.plugins.MarkerCluster().add_to(fmap)
    for name, kind, geometry in zip(points["name"], points["water_type"], points.geometry, strict=True):
        folium.Marker(
            [geometry.y, geometry.x], popup=folium.Popup(f"<b>{name}</b><br>{kind}", max_width=300)
        ).add_to(cluster)
    return fmap.get_root().render()


def _naive_nearest(points: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    lat1 = np.radians(points.geometry.y.to_numpy())[:, None]
    lon1 = np.radians(points.geometry.x.to_numpy())[:, None]
    lat2 = np.radians(facilities.geometry.y.to_numpy())[None, :]
    lon2 = np.radians(facilities.geometry.x.to_numpy())[None, :]
    nearest = np.empty(len(points), dtype=int)
    distance = np.empty(len(points))
    for start in range(0, len(points), CHUNK):
        stop = start + CHUNK
        a = (
            np.sin((lat2 - lat1[start:stop]) / 2) ** 2
            + np.cos(lat1[start:stop]) * np.cos(lat2) * np.sin((lon2 - lon1[start:stop]) / 2) ** 2
        )
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
        nearest[start:stop] = metres.argmin(axis=1)
        distance[start:stop] = metres[np.arange(len(metres)), nearest[start:stop]]
    return nearest, distance


def _agreement(points: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> str:
    """Same nearest facility, and distance within 0.5 % (UTM 48N against the sphere)."""
    ours = nearest_facilities(points, facilities, prefix="s")
    index, distance = _naive_nearest(points, facilities)
    same = (ours["s_id"].to_numpy() == facilities["class_id"].to_numpy()[index]).mean()
    close = (np.abs(ours["s_distance_m"].to_numpy() - distance) <= 0.005 * distance + 1).mean()
    return f"{same:.1%} / {close:.1%}"


def _map_time(build: Callable[[], str], repeats: int) -> tuple[float, int]:
    html = build()  # warm-up (template compilation), and the size
    return _median(build, repeats), len(html.encode("utf-8"))


def _median(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _risk_points(rng: np.random.Generator, n: int, background: dict) -> gpd.GeoDataFrame:
    west, south, east, north = BBOX
    communes = background.get("communes")
    commune_ids = communes["commune_id"].to_numpy() if communes is not None else np.array([None])
    # Real names from the sample when there is one: their length drives the map's size.
    names = background.get("names")
    names = rng.choice(names, n) if names is not None else [f"Điểm nguy cơ số {i}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "point_id": [f"QN-{i:06d}" for i in range(n)],
            "name": names,
            "water_type": rng.choice(WATER_TYPES, n),
            "risk_level": rng.choice(["black_spot", "high"], n, p=[14 / 891, 1 - 14 / 891]),
            "hazards": [list(rng.choice(HAZARDS, rng.integers(0, 4), replace=False)) for _ in range(n)],
            "commune_id": rng.choice(commune_ids, n),
            "status": "active",
            "last_inspected": "2025-06-30",
        },
        geometry=shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs="EPSG:4326",
    )


def _facilities(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    west, south, east, north = BBOX
    return gpd.GeoDataFrame(
        {"class_id": [f"SC-{i:05d}" for i in range(n)], "name": [f"Lớp bơi số {i}" for i in range(n)]},
        geometry=shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs="EPSG:4326",
    )


def _sample_background() -> dict:
    if not (GEODATA_DIR / "communes.geojson").exists():
        print("note: geodata/ has no sample; 'ours + sample' is built without background layers")
        return {}
    from hotspots.formats import load_geodata_layer

    layers = {name: load_geodata_layer(name) for name in LAYERS if name != "risk_points"}
    return {**layers, "names": load_geodata_layer("risk_points")["name"].to_numpy()}


def _print_table(rows: list[tuple], repeats: int) -> None:
    print()
    print(
        f"Map: Python build + render (median of up to {repeats}); coverage against {FACILITIES:,} facilities"
    )
    header = (
        f"{'points':>8} | {'ours s':>7} {'ours MB':>8} | {'+sample s':>9} {'+sample MB':>10} | "
        f"{'naive s':>8} {'naive MB':>9} | {'time ×':>7} {'size ×':>7} | "
        f"{'cov ours s':>10} {'cov naive s':>11} {'cov ×':>7} | {'same / ±0.5 %':>15}"
    )
    print(header)
    print("-" * len(header))
    for n, ours_s, ours_b, full_s, full_b, naive_s, naive_b, cov_s, naive_cov_s, agreement in rows:
        print(
            f"{n:>8,} | {ours_s:>7.3f} {ours_b / 1e6:>8.2f} | {full_s:>9.3f} {full_b / 1e6:>10.2f} | "
            f"{naive_s:>8.2f} {naive_b / 1e6:>9.2f} | {naive_s / ours_s:>6.1f}× {naive_b / ours_b:>6.1f}× | "
            f"{cov_s:>10.4f} {naive_cov_s:>11.3f} {naive_cov_s / cov_s:>6.0f}× | {agreement:>15}"
        )
    print("time × and size ×: naive ÷ ours (points only); cov ×: naive ÷ ours.")


if __name__ == "__main__":
    main()
