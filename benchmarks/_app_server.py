"""Shared by the app benchmarks: synthetic risk points, a seeded store and a ``streamlit run`` on it.

Not a benchmark itself. :func:`risk_points` spreads N points over the sample province
(``browser_map.py`` draws them in a bare page, ``app_speed.py`` stores them);
:func:`seed_store` fills a fresh store with the sample plus such points through the library;
:func:`app_server` starts ``streamlit run app.py`` on a store of its own;
:func:`fresh_postgres_database` makes a throwaway database on a PostgreSQL server.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

PROJECT = Path(__file__).resolve().parent.parent
# Run as a script from anywhere: the package (and tests/, for the benchmark's accounts) live one folder up.
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

# The browser tests' own helpers (they fail with the end of the server's log).
from tests.browser_kit import free_port, wait_until_healthy  # noqa: E402

#: Share of black spots among synthetic points (as at national scale).
BLACK_SPOT_SHARE = 0.016
#: Synthetic points stored keep at least this far from every other point (near duplicates are refused).
MIN_SPACING_M = 10.0
#: Points per imported file: keeps each file well under the store's upload limit.
IMPORT_CHUNK = 20_000


def sample_background(geodata_dir: Path | None = None) -> dict:
    """The sample's layers but its risk points, and the points' names (to name synthetic points)."""
    from hotspots.config import GEODATA_DIR
    from hotspots.formats import load_geodata_layer
    from hotspots.schema import LAYERS

    folder = GEODATA_DIR if geodata_dir is None else geodata_dir
    layers = {name: load_geodata_layer(name, folder) for name in LAYERS if name != "risk_points"}
    return {**layers, "names": load_geodata_layer("risk_points", folder)["name"].to_numpy()}


def risk_points(rng: np.random.Generator, n: int, background: dict) -> gpd.GeoDataFrame:
    """``n`` active points uniformly over the province's land, ~1.6 % black spots."""
    from hotspots.config import WGS84
    from hotspots.schema import HAZARDS, WATER_TYPES

    land = shapely.union_all(background["province"].to_crs(WGS84).geometry.to_numpy())
    shapely.prepare(land)
    west, south, east, north = land.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)
        inside = shapely.contains_xy(land, x, y)
        xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
    geometry = gpd.GeoSeries(shapely.points(xs[:n], ys[:n]), crs=WGS84)
    communes = background["communes"].to_crs(WGS84)[["commune_id", "geometry"]]
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=geometry), communes, how="left", predicate="within")
    commune_id = joined[~joined.index.duplicated()]["commune_id"].astype(object)
    black = rng.random(n) < BLACK_SPOT_SHARE
    levels = np.where(black, "black_spot", rng.choice(["high", "medium", "low"], n, p=[0.6, 0.3, 0.1]))
    return gpd.GeoDataFrame(
        {
            "point_id": [f"QN-{i:06d}" for i in range(n)],
            "name": rng.choice(background["names"], n),
            "water_type": rng.choice(WATER_TYPES, n),
            "risk_level": levels,
            "hazards": [list(rng.choice(HAZARDS, rng.integers(0, 4), replace=False)) for _ in range(n)],
            "commune_id": commune_id.where(commune_id.notna(), None).to_numpy(),
            "status": "active",
            "last_inspected": pd.Timestamp("2025-06-30"),
        },
        geometry=geometry,
        crs=WGS84,
    )


def far_apart(points: gpd.GeoSeries, taken: gpd.GeoSeries, metres: float) -> np.ndarray:
    """Which of ``points`` lie at least ``metres`` from every point of ``taken`` and from the earlier ones."""
    from hotspots.config import METRIC_CRS

    mine = points.to_crs(METRIC_CRS).to_numpy()
    keep = np.ones(len(mine), dtype=bool)
    if len(taken):
        near_taken, _ = shapely.STRtree(taken.to_crs(METRIC_CRS).to_numpy()).query(
            mine, predicate="dwithin", distance=metres
        )
        keep[near_taken] = False
    left, right = shapely.STRtree(mine).query(mine, predicate="dwithin", distance=metres)
    later = right > left  # of each close pair, the later point goes
    keep[right[later]] = False
    return keep


def seed_store(url: str, points: int, geodata_dir: Path) -> dict[str, float]:
    """Fill the empty store at ``url`` with the sample, then synthetic points up to ``points`` in all.

    Everything goes through the library: the sample as the app seeds it
    (:func:`hotspots.store.open_store`), the synthetic points as approved imports of
    GeoJSON files by an admin (validated as any upload: near duplicates, province,
    communes), at most :data:`IMPORT_CHUNK` points a file. Synthetic points keep
    :data:`MIN_SPACING_M` from every other point.

    Returns
    -------
    dict
        ``stored`` (active points in the store), ``added``, ``rejected`` and ``seconds`` (the imports).
    """
    from hotspots.formats import to_geojson_bytes
    from hotspots.store import open_store
    from tests.auth_kit import sign_in

    with open_store(url, seed_from=geodata_dir) as store:
        sample = store.read_layer("risk_points")
        result = {"stored": float(len(sample)), "added": 0.0, "rejected": 0.0, "seconds": 0.0}
        extra = points - len(sample)
        if extra <= 0:
            return result
        rng = np.random.default_rng(points)
        candidates = risk_points(rng, extra + extra // 50 + 100, sample_background(geodata_dir))
        candidates = candidates[far_apart(candidates.geometry, sample.geometry, MIN_SPACING_M)].iloc[:extra]
        if len(candidates) < extra:
            sys.exit(
                f"only {len(candidates):,} synthetic points keep {MIN_SPACING_M:g} m apart; ask for fewer"
            )
        admin = sign_in(store, f"benchmark-admin-{secrets.token_hex(3)}", "admin")
        started = time.perf_counter()
        for first in range(0, extra, IMPORT_CHUNK):
            chunk = candidates.iloc[first : first + IMPORT_CHUNK]
            data = to_geojson_bytes(chunk, layer="risk_points")
            name = f"synthetic-{first // IMPORT_CHUNK + 1}.geojson"
            imported = store.import_file(data, filename=name, user=admin, approved=True, skip_invalid=True)
            result["added"] += imported.added
            result["rejected"] += imported.rejected
            print(f"  imported {name}: {imported.added:,} added, {imported.rejected:,} rejected", flush=True)
        result["seconds"] = time.perf_counter() - started
        result["stored"] = float(len(store.read_layer("risk_points")))
    return result


@contextlib.contextmanager
def app_server(
    app_dir: Path, store_dir: Path, *, database_url: str | None = None, usage_stats: bool = False
) -> Iterator[tuple[str, Path]]:
    """``streamlit run app.py`` in ``app_dir`` on a free local port; yields (URL, server log).

    The store is the SQLite file in ``store_dir`` or, with ``database_url``, that database
    (photos in ``store_dir`` either way); it is seeded from ``app_dir``'s ``geodata/`` when
    empty. ``usage_stats`` turns on ``browser.gatherUsageStats``, which makes Streamlit send its
    page profiles (script run time, slowest commands) over the websocket.
    """
    from hotspots.store import DATABASE_URL_ENV

    env = {key: value for key, value in os.environ.items() if key != DATABASE_URL_ENV}
    env.update(HOTSPOTS_DATA_DIR=str(store_dir), PYTHONPATH=str(app_dir))
    env.pop("HOTSPOTS_GEODATA_DIR", None)
    if database_url is not None:
        env[DATABASE_URL_ENV] = database_url
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", str(usage_stats).lower(), "--server.fileWatcherType", "none"]
    log = Path(store_dir) / "server.log"
    options = {"cwd": app_dir, "env": env, "stderr": subprocess.STDOUT}
    with log.open("w") as out, subprocess.Popen(command, stdout=out, **options) as process:
        try:
            wait_until_healthy(url, process, log, timeout_s=90)
            yield url, log
        finally:
            process.terminate()  # leaving the Popen waits for the server to stop


@contextlib.contextmanager
def fresh_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database ``<prefix>_<random>`` on the server of ``server_url``, dropped afterwards: its URL.

    The role of ``server_url`` must be allowed to create databases (``scripts/start_test_postgres.sh``
    makes such a role, and puts PostGIS into ``template1``, which new databases copy).
    """
    base = sa.make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{secrets.token_hex(3)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
