"""Schema migrations and backups of the store (SQLite ``VACUUM INTO``, PostgreSQL ``pg_dump``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
import test_store
from test_store import ACTOR, add, count_rows, run_cli

from hotspots.errors import StoreError
from hotspots.store import Store, migrations, open_store

# The back-end fixtures of the store suite: SQLite, and PostgreSQL when a server is configured.
postgres_database = test_store.postgres_database
store_url = test_store.store_url
store = test_store.store
cli_url = test_store.cli_url


# ---------------------------------------------------------------------- migrations


def test_upgrade_is_idempotent(store_url):
    with open_store(store_url, seed=False, upgrade=False) as store:
        assert store.upgrade() == list(range(1, migrations.latest_version() + 1))
        assert store.upgrade() == []
    with open_store(store_url, seed=False) as store:
        assert count_rows(store, "schema_version") == migrations.latest_version()


def test_a_new_migration_is_applied_once_and_recorded(store):
    def add_colour(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE features ADD COLUMN colour TEXT")

    new = migrations.latest_version() + 1
    chain = (*migrations.MIGRATIONS, migrations.Migration(new, "feature colour", add_colour))
    with store.engine.begin() as conn:
        assert migrations.upgrade(conn, chain) == [new]
    with store.engine.begin() as conn:
        assert migrations.upgrade(conn, chain) == []
        columns = {c["name"] for c in sa.inspect(conn).get_columns("features")}
    assert "colour" in columns
    with pytest.raises(StoreError, match=f"schema version {new} but this version of the app only knows"):
        store.upgrade()


def test_a_chain_with_gaps_is_refused(store):
    chain = (*migrations.MIGRATIONS, migrations.Migration(4, "skips 3", lambda conn: None))
    with store.engine.begin() as conn, pytest.raises(StoreError, match="without gaps"):
        migrations.upgrade(conn, chain)


# ---------------------------------------------------------------------- backup


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in migrations.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def test_backup_is_a_store_with_the_same_counts(store, store_url, tmp_path, request):
    for i in range(1, 6):
        add(store, i)
    store.record_inspection("QN-0002", inspected_on="2025-01-01", findings="OK", user=ACTOR)
    out = store.backup(tmp_path / "backups" / "copy.db")
    assert out.exists()
    if store.backend == "sqlite":
        restored = f"sqlite:///{out}"
        with closing(sqlite3.connect(out)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    else:
        restored = request.getfixturevalue("restored_postgres")
        _pg_restore(out, sa.make_url(restored))
    assert table_counts(restored) == table_counts(store_url)
    with open_store(restored, seed=False) as copy:
        assert list(copy.read_layer("risk_points")["point_id"]) == [f"QN-{i:04d}" for i in range(1, 6)]


@pytest.fixture
def restored_postgres(postgres_database: sa.URL) -> str:
    """An empty database beside the run's one, for restoring a dump; dropped afterwards."""
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    target = postgres_database.set(database=f"{postgres_database.database}_restored")
    admin = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    yield target.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


def _pg_restore(dump: Path, target: sa.URL) -> None:
    plain = target.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": str(target.password or "")}
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(dump)], check=True, env=env)


def test_backup_never_overwrites_and_names_files_in_a_directory(store, tmp_path):
    first = store.backup(tmp_path)
    assert first.parent == tmp_path
    assert first.name.startswith("hotspots-")
    assert store.backup(f"{tmp_path}/new folder/").parent == tmp_path / "new folder"
    with pytest.raises(StoreError, match="already exists"):
        store.backup(first)


def test_postgresql_backup_without_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    # No server needed: the store looks for pg_dump before it connects.
    store = Store(sa.create_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(StoreError, match="needs the pg_dump program"):
        store.backup(tmp_path / "x.dump")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------- command line


def test_cli_db_upgrade_and_backup(cli_url, tmp_path, capsys):
    assert run_cli(["db", "upgrade"]) == 0
    assert "applied 1" in capsys.readouterr().out
    assert run_cli(["db", "upgrade"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    out = tmp_path / "backup.db"
    assert run_cli(["db", "backup", str(out)]) == 0
    assert f"Backup written to {out}" in capsys.readouterr().out
    assert run_cli(["db", "backup", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
