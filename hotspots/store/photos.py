"""Photos of risk points in the store: files named by their SHA-256 beside the database, rows and history.

A photo's bytes are a file ``<sha256>.<jpg|png>`` in the store's photos folder: for a SQLite
store the folder ``photos/`` beside the database file, for PostgreSQL (or an in-memory SQLite)
``photos/`` in the data directory (``HOTSPOTS_DATA_DIR``, default ``data/``). The folder is
never inside the web-served ``static/`` folder (refused), so a photo is only ever handed out
by the store (:func:`photo_bytes`), by its hash, never by a name the user chose.

Files are written first, each to a temporary file in the same folder and then renamed
(:func:`os.replace`, atomic), inside the transaction that records them: the rows of the
``photos`` table (see :mod:`hotspots.store.migrations`) and one history row per photo (action
``photo``) are committed together with whatever else that transaction does, or not at all.
Being named by their content, files are never overwritten with other bytes: writing the same
photo twice, or again after a rolled-back transaction, is harmless (at worst a file no row
names stays in the folder).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd
import sqlalchemy as sa

from hotspots.config import DATA_DIR, PROJECT_ROOT
from hotspots.errors import StoreError
from hotspots.formats import PHOTO_FORMATS, Photo, read_photo
from hotspots.i18n import coded_error
from hotspots.schema import RISK_POINTS
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.migrations import photos as photos_table
from hotspots.store.permissions import User, require
from hotspots.store.points import point_row
from hotspots.store.values import now

_RISK: Final = RISK_POINTS.name
#: Name of the photos folder beside the database (or in the data directory).
PHOTO_FOLDER_NAME: Final = "photos"
#: The folder the web server hands to anyone (Streamlit's static file serving): never for photos.
SERVED_DIR: Final = PROJECT_ROOT / "static"
#: The history action of a photo attached to a point.
PHOTO_ACTION: Final = "photo"
#: Columns of :func:`list_photos`, in order.
PHOTO_COLUMNS: Final = (
    "id",
    "sha256",
    "filename",
    "mime",
    "width",
    "height",
    "size_bytes",
    "lon",
    "lat",
    "added_at",
    "added_by",
)
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_EXTENSIONS: Final = dict(PHOTO_FORMATS.values())


def photo_folder(url: sa.URL) -> Path:
    """Return the photos folder of the store at ``url`` (see the module's docstring); not created yet.

    Raises
    ------
    StoreError
        Coded ``photo_folder_served`` if that folder lies inside the web-served ``static/``.
    """
    database = url.database or ""
    if (
        url.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and "mode=memory" not in database
    ):
        base = Path(database).parent
    else:
        base = Path(os.environ.get("HOTSPOTS_DATA_DIR", DATA_DIR))
    return checked_folder(base / PHOTO_FOLDER_NAME)


def checked_folder(folder: Path | str) -> Path:
    """Return ``folder`` made absolute; refuse one inside the web-served ``static/`` folder.

    Raises
    ------
    StoreError
        Coded ``photo_folder_served``.
    """
    resolved, served = Path(folder).resolve(), SERVED_DIR.resolve()
    if resolved == served or served in resolved.parents:
        raise coded_error(StoreError, "photo_folder_served", folder=str(resolved), served=str(served))
    return resolved


def checked_photos(photos: Sequence[Photo]) -> list[Photo]:
    """Read every photo again from its own bytes, once per SHA-256, in the order given.

    The store keeps only what :func:`hotspots.formats.read_photo` accepts, whoever built the
    :class:`~hotspots.formats.Photo` (its hash, format and size are recomputed).

    Raises
    ------
    ValidationError
        As :func:`~hotspots.formats.read_photo`.
    """
    unique: dict[str, Photo] = {}
    for photo in photos:
        checked = read_photo(photo.data, photo.filename)
        unique.setdefault(checked.sha256, checked)
    return list(unique.values())


def attach_photos(
    db: Database, folder: Path, point_id: str, photos: Sequence[Photo], *, user: User
) -> list[str]:
    """Attach photos to a stored risk point; return their SHA-256.

    See :meth:`hotspots.store.Store.attach_photos`.
    """
    actor = require(user, "report")
    point_id = str(point_id)
    ready = checked_photos(photos)

    def work(conn: sa.Connection) -> list[str]:
        require(actor, "report", commune_ids=[point_row(conn, point_id)["commune_id"]])
        return store_photos(conn, folder, point_id, ready, user=actor.display_name, when=now())

    return db.transaction(work, write=True)


def store_photos(
    conn: sa.Connection, folder: Path, point_id: str, photos: Sequence[Photo], *, user: str, when: str
) -> list[str]:
    """Write the photos' files, then their rows and history, in the caller's write transaction.

    The caller has checked the photos (:func:`checked_photos`) and the user's permission.
    A photo already attached to the point is not attached again.

    Parameters
    ----------
    conn
        Open connection inside a write transaction.
    folder
        The store's photos folder (created when missing).
    point_id
        The risk point, already stored (in this transaction or before).
    photos
        Checked photos.
    user, when
        Display name of who attaches them, and the time (UTC ISO 8601), for the rows and the history.

    Returns
    -------
    list of str
        The SHA-256 of every photo given, without repeats, in order.

    Raises
    ------
    StoreError
        Coded ``photo_not_saved`` if a file cannot be written (the transaction then stores nothing).
    """
    unique = list({photo.sha256: photo for photo in photos}.values())
    if not unique:
        return []
    write_files(folder, unique)
    hashes = [photo.sha256 for photo in unique]
    query = sa.select(photos_table.c.sha256).where(
        photos_table.c.point_id == point_id, photos_table.c.sha256.in_(hashes)
    )
    attached = set(conn.execute(query).scalars())
    new = [photo for photo in unique if photo.sha256 not in attached]
    if new:
        conn.execute(photos_table.insert(), [_row(point_id, photo, user, when) for photo in new])
    for photo in new:
        shown = {"sha256": photo.sha256, "filename": photo.filename}
        log(conn, _RISK, point_id, PHOTO_ACTION, "photo", None, shown, user, when)
    return hashes


def write_files(folder: Path, photos: Sequence[Photo]) -> None:
    """Write each photo as ``<sha256>.<extension>`` in ``folder``: a temporary file renamed into place.

    Raises
    ------
    StoreError
        Coded ``photo_not_saved`` if the folder or a file cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for photo in photos:
            target = folder / f"{photo.sha256}.{photo.extension}"
            if target.is_file() and target.stat().st_size == len(photo.data):
                continue  # named by its content: the same bytes are already there
            handle, temporary = tempfile.mkstemp(
                dir=folder, prefix=".incoming-", suffix=f".{photo.extension}"
            )
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(photo.data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
    except OSError as exc:
        raise coded_error(
            StoreError, "photo_not_saved", folder=str(folder), detail=exc.strerror or str(exc)
        ) from exc


def list_photos(db: Database, point_id: str) -> pd.DataFrame:
    """Return the photos of one risk point, oldest first (see :meth:`hotspots.store.Store.photos`).

    Raises
    ------
    StoreError
        If there is no such risk point.
    """
    point_id = str(point_id)

    def work(conn: sa.Connection) -> list[dict]:
        point_row(conn, point_id)  # a point that does not exist: the coded error, not an empty list
        columns = [photos_table.c[name] for name in PHOTO_COLUMNS]
        query = sa.select(*columns).where(photos_table.c.point_id == point_id).order_by(photos_table.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]

    rows = db.transaction(work)
    frame = pd.DataFrame(rows, columns=list(PHOTO_COLUMNS))
    return frame.astype({"lon": float, "lat": float}) if len(frame) else frame


def photo_bytes(db: Database, folder: Path, sha256: str) -> bytes:
    """Return the bytes of a stored photo (see :meth:`hotspots.store.Store.photo_bytes`).

    Raises
    ------
    StoreError
        Coded ``photo_name_invalid`` unless ``sha256`` is 64 hexadecimal digits (no path can
        be slipped in), ``unknown_photo`` when no point has that photo, ``photo_file_missing``
        when its file is gone.
    """
    text = str(sha256).strip().lower()
    if not _SHA256.fullmatch(text):
        raise coded_error(StoreError, "photo_name_invalid", value=str(sha256)[:80])
    query = sa.select(photos_table.c.mime).where(photos_table.c.sha256 == text).limit(1)
    mime = db.transaction(lambda conn: conn.execute(query).scalar())
    if mime is None:
        raise coded_error(StoreError, "unknown_photo", sha256=text)
    path = folder / f"{text}.{_EXTENSIONS[mime]}"
    try:
        return path.read_bytes()
    except OSError:
        raise coded_error(StoreError, "photo_file_missing", sha256=text, folder=str(folder)) from None


def photo_index(db: Database) -> dict[str, list[str]]:
    """Return the SHA-256 of every point's photos, oldest first, by point id (points without photos left out).

    See :meth:`hotspots.store.Store.photo_index`.
    """
    query = sa.select(photos_table.c.point_id, photos_table.c.sha256).order_by(photos_table.c.id)
    index: dict[str, list[str]] = {}
    for point_id, sha256 in db.transaction(lambda conn: conn.execute(query).all()):
        index.setdefault(point_id, []).append(sha256)
    return index


def _row(point_id: str, photo: Photo, user: str, when: str) -> dict:
    lon, lat = photo.location if photo.location is not None else (None, None)
    return {
        "point_id": point_id,
        "sha256": photo.sha256,
        "filename": photo.filename,
        "mime": photo.mime,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": len(photo.data),
        "lon": lon,
        "lat": lat,
        "added_at": when,
        "added_by": user,
    }
