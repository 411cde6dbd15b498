"""Database engines of the store: the URL, SQLite and PostgreSQL set-up, and transactions that retry.

- **SQLite** by default, in ``DATA_DIR/hotspots.sqlite`` (``HOTSPOTS_DATA_DIR``
  moves it), in WAL mode with a busy timeout and foreign keys on. Write
  transactions start with ``BEGIN IMMEDIATE``, so a transaction that reads the
  store (next free id, near duplicates) and then writes holds the only write
  lock from its first statement. WAL with ``synchronous=NORMAL`` survives a
  killed process with every committed transaction intact; a power cut may lose
  the last commits but never corrupts the file.
- **PostgreSQL** when ``HOTSPOTS_DATABASE_URL`` (or the ``url`` argument) names
  one, e.g. ``postgresql+psycopg://user:password@host:5432/hotspots``. Write
  transactions take one transaction-scoped advisory lock, the same single-writer
  rule as SQLite, so id allocation and duplicate checks cannot race.

When the database is busy (SQLite "database is locked", PostgreSQL
serialization failures) the whole transaction is retried with bounded,
jittered exponential backoff; users only see an error once the store has been
busy for a full minute.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hotspots.config import DATA_DIR
from hotspots.errors import StoreError
from hotspots.i18n import coded_error
from hotspots.store import migrations
from hotspots.store.migrations import features, history, risk_points

#: Environment variable naming the database; unset means the default SQLite file.
DATABASE_URL_ENV: Final = "HOTSPOTS_DATABASE_URL"
#: File name of the default SQLite store inside the data directory.
SQLITE_FILE_NAME: Final = "hotspots.sqlite"
#: How long a write keeps retrying while the database is busy before the user sees an error.
BUSY_DEADLINE_S: Final = 60.0
#: How long SQLite itself waits for a lock before reporting "database is locked".
SQLITE_BUSY_TIMEOUT_MS: Final = 5_000

_T = TypeVar("_T")
#: Any 32-bit number works; it only has to be the same in every process using the database.
_PG_LOCK_KEY: Final = 0x686F7473  # "hots"


@dataclass
class Database:
    """One database and how to run a transaction on it.

    Parameters
    ----------
    engine
        SQLAlchemy engine made by :func:`create_engine` (SQLite pragmas and
        transaction hooks installed).
    busy_deadline_s
        How long a transaction is retried while the database is busy.
    """

    engine: sa.Engine
    busy_deadline_s: float = BUSY_DEADLINE_S

    @property
    def url(self) -> str:
        """Database URL with the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def transaction(
        self,
        work: Callable[[sa.Connection], _T],
        *,
        write: bool = False,
        plain: bool = False,
    ) -> _T:
        """Run ``work`` in one transaction, retrying the whole of it while the database is busy.

        Parameters
        ----------
        work
            Function of the open connection; its result is returned.
        write
            Take the store's write lock first (SQLite ``BEGIN IMMEDIATE``,
            PostgreSQL advisory lock).
        plain
            Run outside any transaction (for statements SQLite refuses inside
            one, such as ``VACUUM``).

        Raises
        ------
        StoreError
            If the database cannot be used, or stayed busy past the deadline.
        """
        deadline = time.monotonic() + self.busy_deadline_s
        delay = 0.02
        while True:
            try:
                with self.engine.connect() as conn:
                    if plain:
                        return work(conn)
                    conn.execution_options(hotspots_write=write)
                    with conn.begin():
                        if write and self.backend == "postgresql":
                            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                        return work(conn)
            except sa.exc.DBAPIError as exc:
                if not _is_busy(exc):
                    raise _store_error(exc, self.url) from exc
                if time.monotonic() + delay > deadline:
                    raise coded_error(StoreError, "database_busy", seconds=self.busy_deadline_s) from exc
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 1.0)

    def upgrade(self) -> list[int]:
        """Apply pending schema migrations; return the versions applied now."""
        current = self.transaction(migrations.current_version)
        if current == migrations.latest_version():
            return []
        return self.transaction(migrations.upgrade, write=True)


def resolve_url(url: str | None) -> sa.URL:
    """Turn the argument, the environment or the default into a SQLAlchemy URL.

    Raises
    ------
    StoreError
        If the URL is neither SQLite nor PostgreSQL.
    """
    text = url or os.environ.get(DATABASE_URL_ENV) or None
    if text is None:
        data_dir = Path(os.environ.get("HOTSPOTS_DATA_DIR", DATA_DIR))
        data_dir.mkdir(parents=True, exist_ok=True)
        return sa.URL.create("sqlite", database=str(data_dir / SQLITE_FILE_NAME))
    try:
        parsed = make_url(text)
    except sa.exc.ArgumentError:
        parsed = None
    backend = parsed.get_backend_name() if parsed is not None else ""
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.drivername == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return parsed
    raise coded_error(StoreError, "unsupported_database_url", url=text)


def create_engine(url: sa.URL) -> sa.Engine:
    """Create the engine; on SQLite, install the pragmas and explicit BEGIN statements."""
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, json_serializer=json_dumps, pool_pre_ping=True)
    engine = sa.create_engine(
        url,
        json_serializer=json_dumps,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Python's sqlite3 would BEGIN lazily and DEFERRED; take control of BEGIN instead.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # IMMEDIATE takes the write lock now: a read-then-write transaction cannot deadlock
        # on lock upgrade, and waits (busy_timeout) instead of failing half way.
        immediate = conn.get_execution_options().get("hotspots_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def revision(conn: sa.Connection) -> int:
    """Return the newest history row's number: it changes whenever anything in the store changes."""
    return conn.execute(sa.select(sa.func.max(history.c.history_id))).scalar() or 0


def is_empty(conn: sa.Connection) -> bool:
    """Whether the store holds no feature of any layer."""
    return not any(
        conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
        for t in (risk_points, features)
    )


def json_dumps(value: object) -> str:
    """Serialise JSON columns; Vietnamese stays readable in the database (and in backups)."""
    return json.dumps(value, ensure_ascii=False)


def _is_busy(exc: sa.exc.DBAPIError) -> bool:
    """Whether the error means "try again later": SQLite locked/busy, PostgreSQL serialization."""
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return True
    text = str(exc.orig).lower()
    return isinstance(exc.orig, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _store_error(exc: sa.exc.DBAPIError, url: str) -> StoreError:
    """Word a database failure for the user (the driver's text stays in the chain)."""
    first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    return coded_error(StoreError, "database_unusable", url=url, detail=first_line)
