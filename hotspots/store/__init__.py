"""The store of record: SQLite by default, PostgreSQL when shared, with history."""

from __future__ import annotations

from hotspots.store import migrations
from hotspots.store.engine import (
    BUSY_DEADLINE_S,
    DATABASE_URL_ENV,
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_FILE_NAME,
)
from hotspots.store.front import Store, open_store
from hotspots.store.imports import ImportResult, ImportSource
from hotspots.store.permissions import ACTIONS, ROLE_ACTIONS, ROLES, User, least_role

__all__ = [
    "ACTIONS",
    "BUSY_DEADLINE_S",
    "DATABASE_URL_ENV",
    "ROLES",
    "ROLE_ACTIONS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "SQLITE_FILE_NAME",
    "ImportResult",
    "ImportSource",
    "Store",
    "User",
    "least_role",
    "migrations",
    "open_store",
]
