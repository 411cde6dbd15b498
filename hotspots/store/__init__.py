"""The store of record: SQLite by default, PostgreSQL when shared, with history."""

from __future__ import annotations

from hotspots.store import migrations
from hotspots.store.core import (
    BUSY_DEADLINE_S,
    DATABASE_URL_ENV,
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_FILE_NAME,
    ImportResult,
    Store,
    open_store,
)

__all__ = [
    "BUSY_DEADLINE_S",
    "DATABASE_URL_ENV",
    "SQLITE_BUSY_TIMEOUT_MS",
    "SQLITE_FILE_NAME",
    "ImportResult",
    "Store",
    "migrations",
    "open_store",
]
