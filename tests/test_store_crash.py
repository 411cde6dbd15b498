"""Crash safety: an import killed with SIGKILL half way leaves no trace and no damage.

A child process imports 20,000 points into a SQLite store and is killed while
it writes them, ten times (over the same file while the kills come before the
commit, over a new one after an import got through). After each kill the database
passes ``PRAGMA integrity_check`` and every import is wholly there or wholly
absent (points, history rows and the import's own record).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from shapely.geometry import Point
from test_store import ACTOR, point_properties, write_geojson, write_province

from hotspots.store import open_store

REPO = Path(__file__).resolve().parent.parent
ROWS = 20_000
RUNS = 10
LON0, LAT0 = 106.95, 20.9

#: The child flags the moment the first point is written, then keeps importing until killed.
CHILD = """
import sys
import sqlalchemy as sa
from hotspots.store import open_store
from tests.auth_kit import make_user

url, path = sys.argv[1], sys.argv[2]
store = open_store(url, seed=False)
seen = []

@sa.event.listens_for(store.engine, "before_cursor_execute")
def flag(conn, cursor, statement, parameters, context, executemany):
    if not seen and statement.startswith("INSERT INTO risk_points"):
        seen.append(True)
        print("writing", flush=True)

result = store.import_file(path, user=make_user("crash", "admin", display_name="crash test"))
print(f"done {result.added}", flush=True)
"""


def write_run(path: Path, run: int) -> Path:
    """20,000 points with ids and places (10 m from the other runs') of their own."""
    features = []
    for i in range(ROWS):
        lon = LON0 + 0.001 * (i % 200)
        lat = LAT0 + 0.001 * (i // 200) + 0.0001 * run
        features.append((point_properties(i, point_id=f"QN-{run * 100_000 + i:07d}"), Point(lon, lat)))
    return write_geojson(path, features)


def state_of(database: Path, run: int) -> tuple[int, int, int]:
    """Points, history rows and import records of one run's file."""
    first, last = f"QN-{run * 100_000:07d}", f"QN-{run * 100_000 + ROWS - 1:07d}"
    with closing(sqlite3.connect(database)) as conn:
        points = conn.execute(
            "SELECT count(*) FROM risk_points WHERE point_id BETWEEN ? AND ?", (first, last)
        ).fetchone()[0]
        history = conn.execute(
            "SELECT count(*) FROM history WHERE layer = 'risk_points' AND feature_id BETWEEN ? AND ?",
            (first, last),
        ).fetchone()[0]
        imports = conn.execute(
            "SELECT count(*) FROM imports WHERE file_name = ?", (f"run-{run}.geojson",)
        ).fetchone()[0]
    return points, history, imports


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_an_import_killed_half_way_is_wholly_absent_and_the_file_stays_sound(tmp_path):
    database = tmp_path / "crash.sqlite"
    url = f"sqlite:///{database}"
    with open_store(url, seed=False) as store:
        store.import_file(write_province(tmp_path), layer="province", user=ACTOR)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    killed_mid_write = 0
    run = 1
    path = write_run(tmp_path / f"run-{run}.geojson", run)
    for attempt in range(RUNS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        line = child.stdout.readline().strip()
        assert line == "writing", f"the child stopped before writing: {line!r}"
        # Spread over the write (about 1.5 s for 20,000 points and their history), commit included.
        time.sleep(0.12 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        with closing(sqlite3.connect(database)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        points, history, imports = state_of(database, run)
        assert (points, history, imports) in {(0, 0, 0), (ROWS, ROWS, 1)}
        if points:  # it finished before the kill: the next attempt needs points not stored yet
            run += 1
            path = write_run(tmp_path / f"run-{run}.geojson", run)
        else:
            killed_mid_write += 1
    assert killed_mid_write >= 1

    # The store still works after ten crashes: the same file now goes in whole.
    with open_store(url, seed=False) as store:
        assert store.import_file(path, user=ACTOR).added == ROWS
    assert state_of(database, run) == (ROWS, ROWS, 1)
