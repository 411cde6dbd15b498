"""Validation throughput: how long the import boundary takes for 891 to 100,000 risk points.

Run on demand: ``.venv/bin/python benchmarks/validate.py``. Prints the median of several runs
for each size and the time per 1,000 points, all measured in this one run.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import shapely

from hotspots.formats import load_geodata_layer, load_province
from hotspots.validation import ReferenceData, validate_features

SIZES = (891, 10_000, 100_000)
REPEATS = {891: 7, 10_000: 5, 100_000: 3}


def synthetic_features(n: int, province: shapely.Geometry, *, seed: int = 1) -> list[dict]:
    """Return ``n`` valid risk-point features at random places on the province's land."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = province.bounds
    shapely.prepare(province)
    lon: list[float] = []
    lat: list[float] = []
    while len(lon) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(province, x, y)
        lon.extend(x[inside])
        lat.extend(y[inside])
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon[i], 6), round(lat[i], 6)]},
            "properties": {
                "point_id": f"QN-{i + 1:06d}",
                "name": f"Điểm thử {i + 1}",
                "water_type": "pond",
                "risk_level": "high",
                "hazards": ["deep_water"],
                "last_inspected": "15/06/2025",
            },
        }
        for i in range(n)
    ]


def main() -> None:
    province = load_province()
    communes = load_geodata_layer("communes")
    print(f"{'points':>8} {'median s':>9} {'ms / 1,000 points':>18} {'valid':>8}")
    for n in SIZES:
        features = synthetic_features(n, province)
        timings = []
        for _ in range(REPEATS[n]):
            start = time.perf_counter()
            report = validate_features(
                features, reference=ReferenceData(province=province, communes=communes)
            )
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings)
        print(f"{n:>8,} {median:>9.3f} {1000 * median / (n / 1000):>18.2f} {len(report.valid):>8,}")


if __name__ == "__main__":
    main()
