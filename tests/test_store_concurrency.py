"""Many writers at once: no error reaches the user, no id is given twice, nothing is lost.

The process test runs on SQLite and, when a server is configured, on PostgreSQL
(the ``store_url`` fixture of test_store.py).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
import test_store
from test_store import ACTOR, new_point, write_province

from hotspots.errors import StoreError
from hotspots.i18n import problem_message
from hotspots.store import Store, migrations, open_store
from hotspots.store import engine as engine_module
from tests.auth_kit import make_user

# The back-end fixtures of the store suite: SQLite, and PostgreSQL when a server is configured.
postgres_database = test_store.postgres_database
store_url = test_store.store_url

WORKERS = 8
ADDS_PER_WORKER = 100
LON0, LAT0 = 107.0, 20.9


def _worker(url: str, province: str, number: int, start: multiprocessing.Barrier, results) -> None:
    """Open the store (all at once), import the same province file, then add points as fast as possible."""
    try:
        worker = make_user(f"worker{number}", "admin", display_name=f"worker {number}")
        start.wait(timeout=120)
        with open_store(url, seed=False) as store:
            imported = store.import_file(province, layer="province", user=worker).added
            start.wait(timeout=120)
            ids = []
            for i in range(ADDS_PER_WORKER):
                # 200 m by 110 m apart: never near duplicates, all inside the test province.
                lon, lat = LON0 + 0.002 * number, LAT0 + 0.001 * i
                properties = new_point(i, point_id=None, name=f"Điểm của tổ {number} số {i}")
                ids.append(store.add_risk_point(properties, lon=lon, lat=lat, user=worker))
        results.put((number, imported, ids, None))
    except BaseException as exc:  # every failure must reach the test, not die with the child
        results.put((number, 0, [], f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow
def test_eight_processes_adding_at_once_lose_nothing_and_share_no_id(store_url, tmp_path):
    province = write_province(tmp_path)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(store_url, str(province), n, start, results))
        for n in range(WORKERS)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=240) for _ in workers]
    for process in workers:
        process.join(timeout=60)

    errors = [error for *_, error in outcomes if error]
    assert errors == []
    ids = [point_id for _, _, worker_ids, _ in outcomes for point_id in worker_ids]
    assert len(ids) == WORKERS * ADDS_PER_WORKER
    assert sorted(ids) == [f"QN-{n:04d}" for n in range(1, WORKERS * ADDS_PER_WORKER + 1)]
    assert sum(imported for _, imported, _, _ in outcomes) == 1

    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        count = sa.select(sa.func.count())
        assert conn.execute(count.select_from(migrations.risk_points)).scalar() == WORKERS * ADDS_PER_WORKER
        history = migrations.history
        assert (
            conn.execute(count.where(history.c.layer == "risk_points")).scalar() == WORKERS * ADDS_PER_WORKER
        )
        assert conn.execute(count.where(history.c.layer == "province")).scalar() == 1
        applied = conn.execute(count.select_from(migrations.schema_version)).scalar()
        assert applied == migrations.latest_version()
    engine.dispose()


# ---------------------------------------------------------------------- busy SQLite


@pytest.fixture
def impatient_sqlite(tmp_path, monkeypatch):
    """A SQLite store that gives up waiting for a lock after 50 ms, so retries happen quickly."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "busy.sqlite"
    province = write_province(tmp_path)
    with open_store(f"sqlite:///{path}", seed=False) as store:
        store.import_file(province, layer="province", user=ACTOR)
        yield store, path


def _hold_write_lock(path: Path, locked: threading.Event, release: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    locked.set()
    release.wait(timeout=30)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_write_waits_for_a_busy_database_instead_of_failing(impatient_sqlite):
    store, path = impatient_sqlite
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, locked, release))
    holder.start()
    locked.wait(timeout=10)
    # Far longer than SQLite's own 50 ms wait: only the store's retries can get through.
    threading.Timer(0.8, release.set).start()
    point_id = store.add_risk_point(new_point(1, point_id=None), lon=LON0, lat=LAT0, user=ACTOR)
    holder.join()
    assert point_id == "QN-0001"
    assert list(store.read_layer("risk_points")["point_id"]) == ["QN-0001"]


def test_a_database_busy_for_too_long_is_a_clear_store_error(impatient_sqlite):
    patient, path = impatient_sqlite
    store = Store(patient.engine, busy_deadline_s=0.3)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, locked, release))
    holder.start()
    locked.wait(timeout=10)
    try:
        with pytest.raises(StoreError, match=r"stayed busy .* nothing was saved") as caught:
            store.add_risk_point(new_point(1, point_id=None), lon=LON0, lat=LAT0, user=ACTOR)
    finally:
        release.set()
        holder.join()
    assert store.read_layer("risk_points").empty
    assert caught.value.code == "database_busy"
    assert problem_message(caught.value, "vi") == (
        "Kho dữ liệu bận suốt 0 giây (có người đang lưu một thay đổi lớn); chưa có gì được lưu. "
        "Hãy thử lại sau một phút."
    )
