"""Backups of the store while the app keeps running: SQLite ``VACUUM INTO``, PostgreSQL ``pg_dump``.

The photos are files beside the database (named by their SHA-256): a backup copies them too,
into ``<backup>.photos/``. A photo's file is written before its row, so every photo the copied
database refers to is on disk when the files are copied after it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from hotspots.errors import StoreError
from hotspots.i18n import coded_error
from hotspots.store.engine import Database

#: Beside a backup file ``x``, the folder ``x.photos`` holds the store's photos.
PHOTOS_SUFFIX: Final = ".photos"


def backup(db: Database, out: Path | str, *, photo_dir: Path | None = None) -> Path:
    """Write a consistent copy of the store; return the file (see :meth:`hotspots.store.Store.backup`).

    The photos in ``photo_dir`` (if it holds any) are copied to ``<file>.photos/``.

    Raises
    ------
    StoreError
        If ``out`` already exists, or PostgreSQL's ``pg_dump`` is missing or fails.
    """
    as_directory = str(out).endswith(("/", os.sep))
    out = Path(out)
    if as_directory or out.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        suffix = ".sqlite" if db.backend == "sqlite" else ".dump"
        out = out / f"hotspots-{stamp}{suffix}"
    if out.exists():
        raise coded_error(StoreError, "backup_exists", path=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if db.backend == "sqlite":
        # VACUUM refuses to run in a transaction: use the driver connection, in autocommit.
        vacuum = "VACUUM INTO ?"
        db.transaction(
            lambda conn: conn.connection.driver_connection.execute(vacuum, (str(partial),)), plain=True
        )
    else:
        _pg_dump(db.engine.url, partial)
    partial.replace(out)
    if photo_dir is not None:
        _copy_photos(Path(photo_dir), out.with_name(out.name + PHOTOS_SUFFIX))
    return out


def _copy_photos(photo_dir: Path, target: Path) -> None:
    """Copy the stored photo files (not the temporary ones of a write in flight) to ``target``."""
    files = [f for f in photo_dir.glob("*.*") if f.is_file() and not f.name.startswith(".")]
    if not files:
        return
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for file in files:
        shutil.copy2(file, partial / file.name)
    partial.replace(target)


def _pg_dump(url: sa.URL, out: Path) -> None:
    """Dump a PostgreSQL database with ``pg_dump`` (the password goes through the environment)."""
    program = shutil.which("pg_dump")
    if program is None:
        raise coded_error(StoreError, "pg_dump_missing")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    # PostGIS belongs to the superuser who created it: its comment and its reference table of
    # coordinate systems would fail to restore for the store's own role (the target has PostGIS already).
    postgis = ["--no-comments", "--exclude-table-data=*.spatial_ref_sys"]
    command = [program, "--format=custom", "--no-owner", *postgis, f"--file={out}", f"--dbname={target}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        stderr = result.stderr.strip()
        detail = stderr.splitlines()[-1] if stderr else f"exit {result.returncode}"
        raise coded_error(StoreError, "pg_dump_failed", detail=detail)
