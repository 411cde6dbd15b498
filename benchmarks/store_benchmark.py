"""Store of record: adds per second and filtered-read latency at 1,000 to 100,000 points.

Runs on SQLite (a temporary file) and, when ``HOTSPOTS_TEST_POSTGRES_URL`` names a
server (see scripts/start_test_postgres.sh), on PostgreSQL in a database created
for the run and dropped afterwards. Each store gets the shipped province and
communes, then N synthetic risk points on a 200 m grid inside the province with
a realistic mix of statuses, imported in one file. Prints one table of medians.

Usage::

    .venv/bin/python benchmarks/store_benchmark.py [--sizes 1000 10000 100000] [--adds 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _app_server import fresh_postgres_database

from hotspots.config import GEODATA_DIR
from hotspots.formats import load_province
from hotspots.store import open_store

STATUSES = ("active",) * 12 + ("pending",) * 4 + ("mitigated",) * 2 + ("retired", "rejected")
GRID_DEG = 0.002  # about 200 m: far from the 5 m near-duplicate distance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--adds", type=int, default=100, help="points added one by one per store")
    parser.add_argument("--reads", type=int, default=7, help="repeats of each read")
    args = parser.parse_args()

    grid = _grid_inside_province(max(args.sizes) + args.adds)
    backends = [("SQLite", _sqlite_url)]
    if os.environ.get("HOTSPOTS_TEST_POSTGRES_URL"):
        backends.append(("PostgreSQL", _postgres_url))
    else:
        print("(PostgreSQL skipped: set HOTSPOTS_TEST_POSTGRES_URL, see scripts/start_test_postgres.sh)")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        for size in args.sizes:
            points = _write_points(tmp_dir / f"points-{size}.geojson", grid[:size])
            for name, make_url in backends:
                with make_url(tmp_dir, size) as url:
                    rows.append((name, size, *_measure(url, points, grid[size:], args.adds, args.reads)))
                    print(f"  done: {name} at {size:,} points", file=sys.stderr)

    print()
    print(
        "| back-end | points | import (points/s) | add median (ms) | adds/s | filtered read median (ms) "
        "| rows returned | full map read median (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, size, import_rate, add_ms, read_ms, read_rows, full_ms in rows:
        print(
            f"| {name} | {size:,} | {import_rate:,.0f} | {add_ms:.1f} | {1000 / add_ms:,.0f} | "
            f"{read_ms:.1f} | {read_rows:,} | {full_ms:.1f} |"
        )
    print()
    print(
        "filtered read: read_layer('risk_points', commune_ids=<3 communes>, statuses=['active', 'pending'])"
    )
    print("full map read: read_layer('risk_points') (pending, active and mitigated points)")


BENCHMARK_PASSWORD = "benchmark-only-password"


def _measure(url: str, points: Path, free: np.ndarray, adds: int, reads: int) -> tuple:
    with open_store(url, seed=False) as store:
        # Every write acts as a logged-in account: the benchmark's own admin of its fresh store.
        store.add_first_admin("benchmark", password=BENCHMARK_PASSWORD)
        user = store.authenticate("benchmark", BENCHMARK_PASSWORD)
        for layer in ("province", "communes"):
            store.import_file(GEODATA_DIR / f"{layer}.geojson", layer=layer, user=user)
        started = time.perf_counter()
        # Approved: the file's mix of statuses is kept (an unapproved import stores every point pending).
        added = store.import_file(points, user=user, approved=True).added
        import_rate = added / (time.perf_counter() - started)

        add_times = []
        for i, (lon, lat) in enumerate(free[:adds]):
            properties = {"name": f"Điểm mới {i}", "water_type": "pond", "risk_level": "high"}
            add_times.append(
                _timed(lambda p=properties, x=lon, y=lat: store.add_risk_point(p, lon=x, lat=y, user=user))
            )

        communes = sorted(store.read_layer("communes")["commune_id"])[:3]
        filtered = [
            _timed(
                lambda: store.read_layer("risk_points", commune_ids=communes, statuses=["active", "pending"])
            )
            for _ in range(reads)
        ]
        returned = len(store.read_layer("risk_points", commune_ids=communes, statuses=["active", "pending"]))
        full = [_timed(lambda: store.read_layer("risk_points")) for _ in range(reads)]
    return (
        import_rate,
        statistics.median(add_times) * 1000,
        statistics.median(filtered) * 1000,
        returned,
        statistics.median(full) * 1000,
    )


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _grid_inside_province(count: int) -> np.ndarray:
    """Centres of a 200 m grid inside the shipped province outline, shuffled."""
    outline = load_province()
    west, south, east, north = outline.bounds
    xs, ys = np.meshgrid(np.arange(west, east, GRID_DEG), np.arange(south, north, GRID_DEG))
    xy = np.column_stack([xs.ravel(), ys.ravel()])
    shapely.prepare(outline)
    inside = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]
    if len(inside) < count:
        msg = f"only {len(inside):,} grid points fit in the province; ask for fewer"
        raise SystemExit(msg)
    return np.random.default_rng(7).permutation(inside)[:count]


def _write_points(path: Path, xy: np.ndarray) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {
                "point_id": f"QN-{i + 1:06d}",
                "name": f"Ao số {i + 1}",
                "water_type": "pond",
                "risk_level": "black_spot" if i % 60 == 0 else "high",
                "hazards": ["deep_water"],
                "status": STATUSES[i % len(STATUSES)],
            },
            "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
        }
        for i, (x, y) in enumerate(xy)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path


@contextmanager
def _sqlite_url(tmp_dir: Path, size: int) -> Iterator[str]:
    yield f"sqlite:///{tmp_dir / f'bench-{size}.sqlite'}"


@contextmanager
def _postgres_url(tmp_dir: Path, size: int) -> Iterator[str]:
    with fresh_postgres_database(os.environ["HOTSPOTS_TEST_POSTGRES_URL"], f"hotspots_bench_{size}") as url:
        yield url


if __name__ == "__main__":
    main()
