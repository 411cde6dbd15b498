"""Store of record: risk points, their history and inspections, and the other layers, in SQL.

One code path over SQLAlchemy Core serves two back-ends:

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

Layout (see :mod:`hotspots.store.migrations` for the columns): risk points live in
their own table with a typed column per schema field, ``lon``/``lat`` and a JSON
``extra`` column; the other six layers live in one ``features`` table with the
geometry as GeoJSON text and the properties as JSON. Nothing is ever deleted:
points that are rejected or retired leave the map but stay in the store, and
every change appends exactly one row per changed feature to ``history`` inside
the transaction that makes it.

Reads return GeoDataFrames in EPSG:4326 with the schema's columns, shaped like
:func:`hotspots.io.load_geodata_layer`. Writes go through
:func:`hotspots.validation.validate_features` against the points already stored
and the stored province and communes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from shapely.geometry import Point, mapping
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hotspots.config import DATA_DIR, GEODATA_DIR, MAX_TEXT_LENGTH, NEAR_DUPLICATE_M, WGS84
from hotspots.errors import SchemaError, StoreError, ValidationError
from hotspots.formats import file_sha256, load_geodata_layer, read_layer_file
from hotspots.i18n import Phrase, coded_error, make_problem
from hotspots.schema import (
    LAYERS,
    MAPPED_STATUSES,
    POINT_STATUSES,
    RISK_POINTS,
    STATUS_TRANSITIONS,
    Field,
    LayerSchema,
    get_layer_schema,
)
from hotspots.store import migrations
from hotspots.store.migrations import features, history, imports, inspections, risk_points, sequences
from hotspots.validation import ReferenceData, ValidationReport, typed_column, validate_features

#: Environment variable naming the database; unset means the default SQLite file.
DATABASE_URL_ENV: Final = "HOTSPOTS_DATABASE_URL"
#: File name of the default SQLite store inside the data directory.
SQLITE_FILE_NAME: Final = "hotspots.sqlite"
#: How long a write keeps retrying while the database is busy before the user sees an error.
BUSY_DEADLINE_S: Final = 60.0
#: How long SQLite itself waits for a lock before reporting "database is locked".
SQLITE_BUSY_TIMEOUT_MS: Final = 5_000

_T = TypeVar("_T")
_RISK: Final = RISK_POINTS.name
_GEOGRAPHY_LAYERS: Final = ("province", "communes")
#: Row chunk for bulk inserts: SQLite binds at most 32,766 parameters per statement.
_INSERT_CHUNK: Final = 1_000
#: Any 32-bit number works; it only has to be the same in every process using the database.
_PG_LOCK_KEY: Final = 0x686F7473  # "hots"
_METRES_PER_DEGREE: Final = 111_320.0


@dataclass(frozen=True)
class ImportResult:
    """Outcome of :meth:`Store.import_file`.

    Parameters
    ----------
    added
        Features written to the store.
    skipped_existing
        Valid features already in the store (same id, or same name at the same
        place); a second import of the same file skips them all.
    rejected
        Features that failed validation (only non-zero with ``skip_invalid``).
    rejected_path
        CSV file listing the rejected features with their reasons, if any.
    """

    added: int
    skipped_existing: int
    rejected: int
    rejected_path: Path | None = None


def open_store(
    url: str | None = None,
    *,
    seed: bool = True,
    upgrade: bool = True,
    seed_from: Path | str | None = None,
) -> Store:
    """Open the store of record, creating and upgrading its tables when needed.

    Parameters
    ----------
    url
        SQLAlchemy database URL. ``None`` uses ``HOTSPOTS_DATABASE_URL`` when set,
        else the SQLite file ``hotspots.sqlite`` in the data directory
        (``HOTSPOTS_DATA_DIR``, default ``data/``). ``postgresql://`` URLs use psycopg 3.
    seed
        Fill an empty store with the shipped sample layers from ``geodata/``.
    upgrade
        Apply pending schema migrations first (``False`` leaves that to
        :meth:`Store.upgrade`, as ``python -m hotspots db upgrade`` does).
    seed_from
        Folder of ``<layer>.geojson`` files to seed an empty store from
        (default ``geodata/``, the shipped sample); layers without a file stay empty.

    Returns
    -------
    Store
        Safe to share between threads and to open in several processes at once.

    Raises
    ------
    StoreError
        If the URL is not SQLite or PostgreSQL, or the database cannot be reached.

    Examples
    --------
    >>> store = open_store("sqlite:///:memory:", seed=False)  # doctest: +SKIP
    >>> store.read_layer("risk_points").crs.to_string()  # doctest: +SKIP
    'EPSG:4326'
    """
    store = Store(_create_engine(_resolve_url(url)))
    try:
        if upgrade:
            store.upgrade()
        if seed:
            store._seed_if_empty(GEODATA_DIR if seed_from is None else Path(seed_from))
    except BaseException:
        store.close()
        raise
    return store


class Store:
    """The store of record over one database; create it with :func:`open_store`.

    Parameters
    ----------
    engine
        SQLAlchemy engine made by :func:`open_store` (SQLite pragmas and
        transaction hooks installed).
    busy_deadline_s
        How long a transaction is retried while the database is busy
        (default :data:`BUSY_DEADLINE_S`).
    """

    def __init__(self, engine: sa.Engine, *, busy_deadline_s: float | None = None) -> None:
        self.engine = engine
        self._busy_deadline_s = BUSY_DEADLINE_S if busy_deadline_s is None else busy_deadline_s
        # (revision, province outline, communes), refreshed when another process imports new ones.
        self._geography: tuple[tuple, ReferenceData] | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @property
    def url(self) -> str:
        """Database URL with the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # ------------------------------------------------------------------ schema

    def upgrade(self) -> list[int]:
        """Bring the tables to the newest schema version; safe to call any time.

        Returns
        -------
        list of int
            Migration versions applied now; empty when already up to date.
        """
        current = self._transaction(migrations.current_version)
        if current == migrations.latest_version():
            return []
        return self._transaction(migrations.upgrade, write=True)

    # ------------------------------------------------------------------ reads

    def revision(self) -> int:
        """Return a number that changes whenever anything in the store changes.

        It is the newest history row's id: every write appends one, in any
        process. Caches of layers read from the store are keyed on it.
        """
        return self._transaction(_revision)

    def read_layer(
        self,
        name: str,
        *,
        statuses: Iterable[str] | None = None,
        commune_ids: Iterable[str] | None = None,
        include_retired: bool = False,
    ) -> gpd.GeoDataFrame:
        """Return one layer as a GeoDataFrame in EPSG:4326 with the schema's columns.

        Parameters
        ----------
        name
            Layer name from :data:`hotspots.schema.LAYERS`.
        statuses
            Risk points only: keep these statuses. ``None`` keeps the statuses
            shown on the map (pending, active, mitigated).
        commune_ids
            Keep features of these communes (for ``communes``: these communes).
        include_retired
            Risk points only, with ``statuses=None``: also return points that
            left the map (retired and rejected).

        Returns
        -------
        geopandas.GeoDataFrame
            Schema fields in order, then extra properties, then ``geometry``;
            sorted by id.

        Raises
        ------
        SchemaError
            If the layer or a status is unknown, or statuses (communes) are
            asked of a layer without them.
        """
        schema = get_layer_schema(name)
        communes = _clean_ids(commune_ids)
        if communes is not None and "commune_id" not in schema.field_names:
            with_communes = ", ".join(n for n, s in LAYERS.items() if "commune_id" in s.field_names)
            msg = f"Layer '{name}' is not split by commune; commune filters apply to: {with_communes}."
            raise SchemaError(msg)
        if schema.name != _RISK:
            if statuses is not None or include_retired:
                msg = f"Only risk points have a status; layer '{name}' has none."
                raise SchemaError(msg)
            return self._transaction(lambda conn: _read_features(conn, schema, commune_ids=communes))
        wanted = _wanted_statuses(statuses, include_retired=include_retired)
        return self._transaction(lambda conn: _read_points(conn, statuses=wanted, commune_ids=communes))

    def history(self, point_id: str, *, layer: str = _RISK) -> pd.DataFrame:
        """Return every change of one feature, oldest first.

        Parameters
        ----------
        point_id
            Id of the risk point (or of the feature of ``layer``).
        layer
            Layer of the feature.

        Returns
        -------
        pandas.DataFrame
            Columns ``history_id``, ``point_id``, ``at`` (UTC ISO 8601), ``user``,
            ``action`` (``add``, ``import``, ``seed``, ``edit``, ``status``,
            ``inspection``), ``what``, ``old`` and ``new`` (dicts of the values
            before and after; ``old`` is ``None`` when the feature was created),
            ``reason``.

        Raises
        ------
        StoreError
            If there is no such feature.
        """
        get_layer_schema(layer)
        query = (
            sa.select(history)
            .where(history.c.layer == layer, history.c.feature_id == point_id)
            .order_by(history.c.history_id)
        )
        rows = self._transaction(lambda conn: conn.execute(query).mappings().all())
        if not rows:
            raise _unknown_feature(layer, point_id)
        frame = pd.DataFrame([dict(r) for r in rows])
        frame = frame.rename(columns={"feature_id": "point_id"}).drop(columns="layer")
        return frame[["history_id", "point_id", "at", "user", "action", "what", "old", "new", "reason"]]

    def inspections(self, point_id: str) -> pd.DataFrame:
        """Return the inspections of one risk point, oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``inspection_id``, ``point_id``, ``inspected_on`` (ISO date),
            ``inspector``, ``findings``, ``mitigations``, ``recorded_at``, ``recorded_by``.

        Raises
        ------
        StoreError
            If there is no such risk point.
        """

        def work(conn: sa.Connection) -> list[dict]:
            _point_row(conn, point_id)
            query = (
                sa.select(inspections)
                .where(inspections.c.point_id == point_id)
                .order_by(inspections.c.inspected_on, inspections.c.inspection_id)
            )
            return [dict(r) for r in conn.execute(query).mappings()]

        frame = pd.DataFrame(self._transaction(work), columns=[c.name for c in inspections.columns])
        frame["inspected_on"] = frame["inspected_on"].map(lambda d: d.isoformat())
        return frame

    # ------------------------------------------------------------------ writes

    def add_risk_point(self, properties: Mapping[str, Any], *, lon: float, lat: float, user: str) -> str:
        """Add a reported risk point, with status ``pending``, and return its id.

        Parameters
        ----------
        properties
            Schema fields (``name``, ``water_type``, ``risk_level`` required;
            ``hazards``, ``commune_id``, ``notes``...) and any extra properties.
            Without ``point_id`` the next free id (``QN-0892``...) is allocated.
        lon, lat
            WGS 84 degrees.
        user
            Who reports it; recorded in the history.

        Returns
        -------
        str
            The point's id.

        Raises
        ------
        ValidationError
            With every problem found: missing or wrong fields, outside the
            province, a near duplicate of a stored point, an id already used.
        StoreError
            If ``properties`` sets a status other than ``pending``.
        """
        user = _require_user(user)
        props = dict(properties)
        if props.get("status") not in (None, "", "pending"):
            raise coded_error(StoreError, "new_point_not_pending", status=props["status"])
        props["status"] = "pending"
        lon, lat = _coordinates(lon, lat)

        def work(conn: sa.Connection) -> str:
            given = _clean_id(props.get(RISK_POINTS.id_field))
            if given is not None and _find_point(conn, given) is not None:
                problem = make_problem("id_taken", feature_id=given, field=RISK_POINTS.id_field, id=given)
                raise ValidationError([problem])
            point_id = given or _allocate_ids(conn, RISK_POINTS, 1)[0]
            candidate = _feature({**props, RISK_POINTS.id_field: point_id}, Point(lon, lat))
            valid = self._validated(
                conn, RISK_POINTS, [candidate], _stored(conn, RISK_POINTS, near=(lon, lat))
            )
            now = _now()
            record = _point_record(valid.iloc[0], user=user, now=now)
            conn.execute(risk_points.insert(), [record])
            _note_ids(conn, RISK_POINTS, [point_id])
            _log(conn, _RISK, point_id, "add", "new risk point", None, _point_view(record), user, now)
            return point_id

        return self._transaction(work, write=True)

    def edit_risk_point(self, point_id: str, changes: Mapping[str, Any], *, user: str) -> None:
        """Change fields of a risk point; the old values stay in its history.

        Parameters
        ----------
        point_id
            Id of the point.
        changes
            New values of schema fields, of extra properties the point already
            has, or ``lon``/``lat`` to move it (its commune is then looked up
            again unless ``commune_id`` is given too). The id and the status
            cannot be edited (see :meth:`set_status`).
        user
            Who edits; recorded in the history.

        Raises
        ------
        StoreError
            If there is no such point or the id or status is in ``changes``.
        SchemaError
            If a key is neither a field nor one of the point's properties.
        ValidationError
            If the edited point is invalid.
        """
        user = _require_user(user)
        changes = dict(changes)
        for key, hint in ((RISK_POINTS.id_field, "ids never change"), ("status", "use set_status")):
            if key in changes:
                msg = f"Cannot edit '{key}' of {point_id}: {hint}."
                raise StoreError(msg)

        def work(conn: sa.Connection) -> None:
            current = _point_row(conn, point_id)
            old_view = _point_view(current)
            editable = {*RISK_POINTS.field_names, "lon", "lat", *current["extra"]} - {"status"}
            unknown = sorted(set(changes) - editable)
            if unknown:
                fields = ", ".join(sorted(editable))
                msg = f"Cannot edit {', '.join(unknown)} of {point_id}; editable: {fields}."
                raise SchemaError(msg)
            merged = {**old_view, **changes}
            lon, lat = _coordinates(merged.pop("lon"), merged.pop("lat"))
            moved = (lon, lat) != (current["lon"], current["lat"])
            has_communes = self._geography_layers(conn).communes is not None
            if moved and "commune_id" not in changes and has_communes:
                merged["commune_id"] = None  # let validation find the commune at the new place
            existing = _stored(conn, RISK_POINTS, near=(lon, lat))
            existing = existing[existing[RISK_POINTS.id_field] != point_id]
            valid = self._validated(conn, RISK_POINTS, [_feature(merged, Point(lon, lat))], existing)
            now = _now()
            record = _point_record(valid.iloc[0], user=user, now=now)
            new_view = _point_view(record)
            changed = sorted(
                k for k in old_view.keys() | new_view.keys() if old_view.get(k) != new_view.get(k)
            )
            if not changed:
                return
            audit = ("version", "created_at", "created_by", "updated_at", "updated_by", "import_id")
            values = {k: v for k, v in record.items() if k not in audit}
            _update_point(conn, current, values, now=now, user=user)
            old = {k: old_view.get(k) for k in changed}
            new = {k: new_view.get(k) for k in changed}
            _log(conn, _RISK, point_id, "edit", ", ".join(changed), old, new, user, now)

        self._transaction(work, write=True)

    def set_status(self, point_id: str, status: str, *, user: str, reason: str = "") -> None:
        """Move a risk point along its life cycle (see ``schema.STATUS_TRANSITIONS``).

        Parameters
        ----------
        point_id
            Id of the point.
        status
            New status.
        user
            Who decides; recorded in the history.
        reason
            Why (shown in the history).

        Raises
        ------
        SchemaError
            If ``status`` is not a status at all.
        StoreError
            If there is no such point, or the change is not allowed from its
            current status; the message names the allowed ones.
        """
        user = _require_user(user)
        if status not in POINT_STATUSES:
            raise coded_error(
                SchemaError, "unknown_status", status=status, statuses=", ".join(POINT_STATUSES)
            )
        reason = _bounded_text(reason, "reason")

        def work(conn: sa.Connection) -> None:
            current = _point_row(conn, point_id)
            old = current["status"]
            allowed = STATUS_TRANSITIONS[old]
            if status not in allowed:
                options = ", ".join(f"'{s}'" for s in allowed) if allowed else Phrase("status.final_none")
                params = {"point_id": point_id, "old": old, "status": status, "options": options}
                raise coded_error(StoreError, "status_change_forbidden", **params)
            now = _now()
            _update_point(conn, current, {"status": status}, now=now, user=user)
            _log(
                conn,
                _RISK,
                point_id,
                "status",
                "status",
                {"status": old},
                {"status": status},
                user,
                now,
                reason,
            )

        self._transaction(work, write=True)

    def record_inspection(
        self,
        point_id: str,
        *,
        inspected_on: date | str,
        inspector: str,
        findings: str,
        mitigations: str = "",
        user: str,
    ) -> int:
        """Record a site inspection of a risk point and update its ``last_inspected``.

        ``last_inspected`` only moves forward: recording an older inspection
        keeps the newer date.

        Parameters
        ----------
        point_id
            Id of the point.
        inspected_on
            Day of the visit (``date`` or ``YYYY-MM-DD``); not in the future.
        inspector
            Who inspected.
        findings
            What was found.
        mitigations
            What was done or recommended (fence, sign, rescue pole...).
        user
            Who records it.

        Returns
        -------
        int
            Id of the inspection.

        Raises
        ------
        ValidationError
            If the date or a text is missing or wrong (every problem at once).
        StoreError
            If there is no such point.
        """
        user = _require_user(user)
        day, texts = _inspection_fields(point_id, inspected_on, inspector, findings, mitigations)

        def work(conn: sa.Connection) -> int:
            current = _point_row(conn, point_id)
            now = _now()
            result = conn.execute(
                inspections.insert().values(
                    point_id=point_id, inspected_on=day, recorded_at=now, recorded_by=user, **texts
                )
            )
            inspection_id = result.inserted_primary_key[0]
            previous = current["last_inspected"]
            latest = max(d for d in (previous, day) if d is not None)
            _update_point(conn, current, {"last_inspected": latest}, now=now, user=user)
            old = {"last_inspected": _plain(previous)}
            new = {
                "last_inspected": latest.isoformat(),
                "inspection": {"inspection_id": inspection_id, "inspected_on": day.isoformat(), **texts},
            }
            _log(conn, _RISK, point_id, "inspection", f"inspection of {day.isoformat()}", old, new, user, now)
            return inspection_id

        return self._transaction(work, write=True)

    # ------------------------------------------------------------------ files

    def preview_import(self, path: Path | str, *, layer: str = _RISK) -> ValidationReport:
        """Read and validate a file against the store without writing anything.

        Features already in the store count as valid (an import skips them; one
        warning says how many); new points near a stored one are rejected.

        Parameters
        ----------
        path
            GeoJSON (or any format :func:`hotspots.io.read_layer_file` reads).
        layer
            Layer the file holds.

        Returns
        -------
        ValidationReport
            Valid features, rejected ones with reasons, every problem.

        Raises
        ------
        UnreadableFileError, CRSError
            If the file cannot be read at all.
        """
        _, report, _ = self._check_file(Path(path), get_layer_schema(layer))
        return report

    def import_file(
        self,
        path: Path | str,
        *,
        layer: str = _RISK,
        user: str,
        skip_invalid: bool = False,
        rejected_out: Path | str | None = None,
    ) -> ImportResult:
        """Import a file into the store: all of it, or (with ``skip_invalid``) its valid part.

        One transaction: either every new feature is stored with its history row,
        or nothing is. Features already in the store (same id, or same name at
        the same place, rounded to about a metre) are skipped, so importing a
        file twice adds nothing the second time; stored features are never
        overwritten (edit them instead).

        Parameters
        ----------
        path
            The file.
        layer
            Layer the file holds.
        user
            Who imports; recorded in the history.
        skip_invalid
            Store the valid features even if some are rejected; the rejected
            ones go to ``rejected_out`` as CSV with their reasons.
        rejected_out
            Where to write the rejected features; default ``<file>-rejected.csv``
            beside the file.

        Returns
        -------
        ImportResult
            Counts and the path of the rejected-features file.

        Raises
        ------
        ValidationError
            If any feature is invalid and ``skip_invalid`` is false (nothing is
            imported), or the file as a whole is (even with ``skip_invalid``).
        UnreadableFileError, CRSError
            If the file cannot be read at all.
        """
        user = _require_user(user)
        path = Path(path)
        schema = get_layer_schema(layer)
        # Reading and checking a large file takes seconds: do it outside the write lock, against
        # a snapshot, and compare with the store again under the lock only if it changed since.
        first, report, revision = self._check_file(path, schema)
        digest = file_sha256(path)

        def work(conn: sa.Connection) -> ImportResult:
            checked = report
            if _revision(conn) != revision:
                checked = self._against_store(conn, schema, first)
            _refuse_errors(checked, path, skip_invalid=skip_invalid)
            new = checked.valid[_is_new(checked.valid, _stored(conn, schema), schema)]
            skipped = len(checked.valid) - len(new)
            rejected_path = None
            if len(checked.rejected):
                # Written inside the transaction: if it cannot be written, nothing is imported.
                rejected_path = Path(rejected_out or path.with_name(f"{path.stem}-rejected.csv"))
                _write_rejected(checked.rejected, rejected_path)
            counts = (len(new), skipped, len(checked.rejected))
            import_id = _record_import(conn, schema, path.name, digest, counts, user=user)
            _insert_new(conn, schema, new, user=user, action="import", what=path.name, import_id=import_id)
            return ImportResult(len(new), skipped, len(checked.rejected), rejected_path)

        return self._transaction(work, write=True)

    def backup(self, out: Path | str) -> Path:
        """Write a consistent copy of the store while the app keeps running.

        SQLite: ``VACUUM INTO`` a new file (a compact, ordinary SQLite database).
        PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``).

        Parameters
        ----------
        out
            File to create, or a directory (existing, or written with a trailing
            ``/``) to create a timestamped file in.

        Returns
        -------
        pathlib.Path
            The backup file.

        Raises
        ------
        StoreError
            If ``out`` already exists, or PostgreSQL's ``pg_dump`` is missing or fails.
        """
        as_directory = str(out).endswith(("/", os.sep))
        out = Path(out)
        if as_directory or out.is_dir():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            suffix = ".sqlite" if self.backend == "sqlite" else ".dump"
            out = out / f"hotspots-{stamp}{suffix}"
        if out.exists():
            msg = f"Backup file {out} already exists; choose another name (backups are never overwritten)."
            raise StoreError(msg)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)
        if self.backend == "sqlite":
            # VACUUM refuses to run in a transaction: use the driver connection, in autocommit.
            vacuum = "VACUUM INTO ?"
            self._transaction(
                lambda conn: conn.connection.driver_connection.execute(vacuum, (str(partial),)), plain=True
            )
        else:
            _pg_dump(self.engine.url, partial)
        partial.replace(out)
        return out

    # ------------------------------------------------------------------ internals

    def _seed_if_empty(self, folder: Path) -> None:
        """Fill an empty store with the layers of ``folder`` (all in one transaction)."""
        if not self._transaction(_is_empty):
            return
        frames = {}
        for name in LAYERS:
            if (folder / f"{name}.geojson").exists():
                frames[name] = load_geodata_layer(name, folder)

        def work(conn: sa.Connection) -> None:
            if not _is_empty(conn):
                return  # another process seeded it while we read the files
            for name, frame in frames.items():
                schema = get_layer_schema(name)
                file_name = f"{folder.name}/{name}.geojson"
                digest = file_sha256(folder / f"{name}.geojson")
                import_id = _record_import(conn, schema, file_name, digest, (len(frame), 0, 0), user="seed")
                _insert_new(
                    conn, schema, frame, user="seed", action="seed", what=file_name, import_id=import_id
                )

        self._transaction(work, write=True)

    def _check_file(self, path: Path, schema: LayerSchema) -> tuple[ValidationReport, ValidationReport, int]:
        """Read and check a file, then against the store; return both reports and the store's revision."""
        reference = self._transaction(self._geography_layers)
        first = read_layer_file(path, layer=schema.name, reference=reference)

        def against_store(conn: sa.Connection) -> tuple[int, ValidationReport]:
            return _revision(conn), self._against_store(conn, schema, first)

        revision, report = self._transaction(against_store)
        return first, report, revision

    def _against_store(
        self, conn: sa.Connection, schema: LayerSchema, first: ValidationReport
    ) -> ValidationReport:
        """Check a file's valid features against the store; return one report in the file's numbering.

        Features already stored stay valid (an import skips them). New points
        that lie near a stored one are validated again with the stored points as
        ``existing``, which rejects near duplicates; ids cannot clash, since a
        feature whose id is stored counts as already stored.
        """
        stored = _stored(conn, schema)
        is_new = _is_new(first.valid, stored, schema)
        suspects = first.valid[is_new & _near_stored(first.valid, stored)] if schema.is_point_layer else []
        second = None
        if len(suspects):
            reference = self._geography_layers(conn).with_existing(stored)
            second = validate_features(_features(suspects), layer=schema.name, reference=reference)
        rechecked = suspects["source_index"].to_numpy() if len(suspects) else np.array([], dtype=int)
        return _merge_reports(first, int((~is_new).sum()), second, rechecked)

    def _validated(
        self, conn: sa.Connection, schema: LayerSchema, candidates: list[dict], existing: gpd.GeoDataFrame
    ) -> gpd.GeoDataFrame:
        """Validate features against ``existing`` and the stored geography; raise on any error."""
        reference = self._geography_layers(conn).with_existing(existing)
        report = validate_features(candidates, layer=schema.name, reference=reference)
        report.raise_for_errors()
        return report.valid

    def _geography_layers(self, conn: sa.Connection) -> ReferenceData:
        """Return the stored province outline and communes (``None`` when absent), cached.

        ``None`` lets validation fall back to the shipped outline.
        """
        query = (
            sa.select(features.c.layer, sa.func.count(), sa.func.max(features.c.import_id))
            .where(features.c.layer.in_(_GEOGRAPHY_LAYERS))
            .group_by(features.c.layer)
            .order_by(features.c.layer)
        )
        revision = tuple(tuple(row) for row in conn.execute(query))
        cached = self._geography
        if cached is None or cached[0] != revision:
            outline = _read_features(conn, LAYERS["province"]).geometry.to_numpy()
            province = (
                None if outline.size == 0 else outline[0] if outline.size == 1 else shapely.union_all(outline)
            )
            communes = _read_features(conn, LAYERS["communes"])
            reference = ReferenceData(province=province, communes=communes if len(communes) else None)
            cached = self._geography = (revision, reference)
        return cached[1]

    def _transaction(
        self,
        work: Callable[[sa.Connection], _T],
        *,
        write: bool = False,
        plain: bool = False,
    ) -> _T:
        """Run ``work`` in one transaction, retrying the whole of it while the database is busy.

        ``write`` takes the store's write lock first (SQLite ``BEGIN IMMEDIATE``,
        PostgreSQL advisory lock); ``plain`` runs outside any transaction (for
        statements SQLite refuses inside one, such as ``VACUUM``).
        """
        deadline = time.monotonic() + self._busy_deadline_s
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
                    msg = (
                        f"The database stayed busy for {self._busy_deadline_s:.0f} s (someone is saving "
                        "a large change); nothing was saved. Try again in a minute."
                    )
                    raise StoreError(msg) from exc
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 1.0)


# ---------------------------------------------------------------------- engine


def _resolve_url(url: str | None) -> sa.URL:
    """Turn the argument, the environment or the default into a SQLAlchemy URL."""
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
    msg = (
        f"Unsupported database URL '{text}'. Use sqlite:///path/to/hotspots.sqlite or "
        "postgresql+psycopg://user:password@host:5432/database."
    )
    raise StoreError(msg)


def _create_engine(url: sa.URL) -> sa.Engine:
    """Create the engine; on SQLite, install the pragmas and explicit BEGIN statements."""
    dumps = _json_dumps
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, json_serializer=dumps, pool_pre_ping=True)
    engine = sa.create_engine(
        url,
        json_serializer=dumps,
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


def _is_busy(exc: sa.exc.DBAPIError) -> bool:
    """Whether the error means "try again later": SQLite locked/busy, PostgreSQL serialization."""
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return True
    text = str(exc.orig).lower()
    return isinstance(exc.orig, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _store_error(exc: sa.exc.DBAPIError, url: str) -> StoreError:
    """Word a database failure for the user (the driver's text stays in the chain)."""
    first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    msg = f"The database at {url} cannot be used: {first_line}"
    return StoreError(msg)


def _json_dumps(value: object) -> str:
    # Vietnamese stays readable in the database (and in backups).
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------- reading rows


def _wanted_statuses(statuses: Iterable[str] | None, *, include_retired: bool) -> tuple[str, ...]:
    if statuses is None:
        return POINT_STATUSES if include_retired else MAPPED_STATUSES
    wanted = tuple(dict.fromkeys(statuses))
    unknown = [s for s in wanted if s not in POINT_STATUSES]
    if unknown:
        msg = f"Unknown status {', '.join(map(repr, unknown))}; statuses are: {', '.join(POINT_STATUSES)}."
        raise SchemaError(msg)
    return wanted


def _read_points(
    conn: sa.Connection,
    *,
    statuses: Sequence[str] | None = None,
    commune_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Select risk points (all when no filter) as a layer GeoDataFrame."""
    fields = [_as_text(risk_points.c[f.name], f.kind) for f in RISK_POINTS.fields]
    extra = sa.cast(risk_points.c.extra, sa.Text)
    query = sa.select(*fields, risk_points.c.lon, risk_points.c.lat, extra).order_by(risk_points.c.point_id)
    if statuses is not None:
        query = query.where(risk_points.c.status.in_(statuses))
    if commune_ids is not None:
        query = query.where(risk_points.c.commune_id.in_(commune_ids))
    values = _columns(conn.execute(query).all(), len(fields) + 3)
    columns = dict(zip(RISK_POINTS.field_names, values, strict=False))
    geometry = gpd.points_from_xy(values[-3], values[-2], crs=WGS84)
    return _layer_frame(RISK_POINTS, columns, _json_column(values[-1]), geometry)


def _read_features(
    conn: sa.Connection, schema: LayerSchema, *, commune_ids: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """Select the features of one layer kept in the ``features`` table as a layer GeoDataFrame."""
    query = sa.select(
        features.c.feature_id,
        features.c.name,
        features.c.commune_id,
        sa.cast(features.c.properties, sa.Text),
        sa.cast(features.c.extra, sa.Text),
        features.c.geometry,
    ).where(features.c.layer == schema.name)
    if commune_ids is not None:
        key = features.c.feature_id if schema.id_field == "commune_id" else features.c.commune_id
        query = query.where(key.in_(commune_ids))
    ids, names, commune_column, properties, extras, geometries = _columns(
        conn.execute(query.order_by(features.c.feature_id)).all(), 6
    )
    properties = _json_column(properties)
    # For the communes layer the id field is commune_id itself: the id must win.
    columns = {"name": names, "commune_id": commune_column, schema.id_field: ids}
    for f in schema.fields:
        if f.name not in columns:
            columns[f.name] = [p.get(f.name) for p in properties]
    geometry = gpd.GeoSeries(shapely.from_geojson(list(geometries)), crs=WGS84)
    return _layer_frame(schema, columns, _json_column(extras), geometry)


def _as_text(column: sa.Column, kind: str) -> sa.ColumnElement:
    """Read dates and JSON lists as text: one bulk conversion beats one per value."""
    return sa.cast(column, sa.Text).label(column.name) if kind in ("date", "list") else column


def _columns(rows: Sequence[sa.Row], width: int) -> list[list]:
    """Turn result rows into columns (``width`` empty lists when there are no rows)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _json_column(texts: Sequence[str | None]) -> list:
    """Decode a column of JSON texts in one parse (missing values become ``None``)."""
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")


def _stored(
    conn: sa.Connection, schema: LayerSchema, *, near: tuple[float, float] | None = None
) -> gpd.GeoDataFrame:
    """Return the stored features of a layer as id, content hash and geometry (what validation compares).

    ``near`` keeps the risk points in a box a few times the near-duplicate
    distance around a place (validation measures the exact distance).
    """
    if schema.name == _RISK:
        query = sa.select(
            risk_points.c.point_id, risk_points.c.content_hash, risk_points.c.lon, risk_points.c.lat
        )
        if near is not None:
            lon, lat = near
            dlat = 4 * NEAR_DUPLICATE_M / _METRES_PER_DEGREE
            dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
            query = query.where(
                risk_points.c.lon.between(lon - dlon, lon + dlon),
                risk_points.c.lat.between(lat - dlat, lat + dlat),
            )
        rows = conn.execute(query).all()
        geometry = gpd.points_from_xy([r[2] for r in rows], [r[3] for r in rows], crs=WGS84)
    else:
        query = sa.select(features.c.feature_id, features.c.content_hash, features.c.geometry).where(
            features.c.layer == schema.name
        )
        rows = conn.execute(query).all()
        geometry = gpd.GeoSeries(shapely.from_geojson([r[2] for r in rows]), crs=WGS84)
    data = {schema.id_field: [r[0] for r in rows], "content_hash": [r[1] for r in rows]}
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WGS84)


def _layer_frame(
    schema: LayerSchema, columns: Mapping[str, list], extras: Sequence[Mapping], geometry: Any
) -> gpd.GeoDataFrame:
    """Assemble a layer frame shaped exactly as the loaders shape it (see ``conform_columns``).

    Schema fields in order with their dtypes, then the extra properties
    (object columns, alphabetical), then ``geometry``.
    """
    # The store keeps lists as JSON text; decoded, every column takes the validator's dtypes.
    data = {
        f.name: typed_column(f, _json_column(columns[f.name]) if f.kind == "list" else columns[f.name])
        for f in schema.fields
    }
    for name in sorted({k for e in extras if e for k in e} - set(data) - {"geometry"}):
        data[name] = pd.Series([e.get(name) if e else None for e in extras], dtype=object)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(geometry)))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84).values, crs=WGS84)


def _find_point(conn: sa.Connection, point_id: str) -> dict | None:
    row = conn.execute(sa.select(risk_points).where(risk_points.c.point_id == point_id)).mappings().first()
    return dict(row) if row is not None else None


def _point_row(conn: sa.Connection, point_id: str) -> dict:
    row = _find_point(conn, point_id)
    if row is None:
        raise _unknown_feature(_RISK, point_id)
    return row


def _unknown_feature(layer: str, feature_id: str) -> StoreError:
    example = _format_id(LAYERS[layer].id_prefix, 1)
    if layer == _RISK:
        return coded_error(StoreError, "unknown_point", id=feature_id, example=example)
    return coded_error(StoreError, "unknown_feature", layer=layer, id=feature_id, example=example)


def _is_empty(conn: sa.Connection) -> bool:
    return not any(
        conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
        for t in (risk_points, features)
    )


def _revision(conn: sa.Connection) -> int:
    """Return the newest history row's number: it changes whenever anything in the store changes."""
    return conn.execute(sa.select(sa.func.max(history.c.history_id))).scalar() or 0


# ---------------------------------------------------------------------- writing rows


def _point_record(row: Mapping[str, Any], *, user: str, now: str, import_id: int | None = None) -> dict:
    """Turn one validated risk-point row into a ``risk_points`` row."""
    record = {f.name: _db_value(f, row.get(f.name)) for f in RISK_POINTS.fields}
    geometry = row["geometry"]
    record.update(
        lon=float(geometry.x),
        lat=float(geometry.y),
        extra=_extra_properties(RISK_POINTS, row),
        content_hash=_content_hash(record["name"], geometry),
        version=1,
        import_id=import_id,
        created_at=now,
        created_by=user,
        updated_at=now,
        updated_by=user,
    )
    return record


def _feature_record(
    schema: LayerSchema, row: Mapping[str, Any], *, user: str, now: str, import_id: int | None
) -> dict:
    """Turn one validated row of another layer into a ``features`` row."""
    values = {f.name: _db_value(f, row.get(f.name)) for f in schema.fields}
    geometry = row["geometry"]
    return {
        "layer": schema.name,
        "feature_id": values.pop(schema.id_field),
        "name": values.pop("name"),
        "commune_id": values.pop("commune_id", None),
        "properties": {k: _plain(v) for k, v in values.items()},
        "extra": _extra_properties(schema, row),
        "geometry": shapely.to_geojson(geometry),
        "content_hash": _content_hash(row.get("name"), geometry),
        "version": 1,
        "import_id": import_id,
        "created_at": now,
        "created_by": user,
        "updated_at": now,
        "updated_by": user,
    }


def _point_view(record: Mapping[str, Any]) -> dict:
    """Return a risk point as one flat JSON-ready dict: fields, extra properties, lon, lat."""
    view = {f.name: _plain(record[f.name]) for f in RISK_POINTS.fields}
    view.update({k: _plain(v) for k, v in record["extra"].items() if k not in view})
    view.update(lon=record["lon"], lat=record["lat"])
    return view


def _feature_view(record: Mapping[str, Any], schema: LayerSchema) -> dict:
    view = {schema.id_field: record["feature_id"], "name": record["name"]}
    if record["commune_id"] is not None:
        view["commune_id"] = record["commune_id"]
    view.update(record["properties"])
    view.update(record["extra"])
    return view


def _update_point(
    conn: sa.Connection, current: Mapping, values: Mapping[str, Any], *, now: str, user: str
) -> None:
    # Under the write lock nobody else changes the row; the version check guards against bugs.
    result = conn.execute(
        risk_points.update()
        .where(risk_points.c.point_id == current["point_id"], risk_points.c.version == current["version"])
        .values(**values, version=current["version"] + 1, updated_at=now, updated_by=user)
    )
    if result.rowcount != 1:
        msg = f"Risk point {current['point_id']} changed while it was being saved; try again."
        raise StoreError(msg)


def _insert_new(
    conn: sa.Connection,
    schema: LayerSchema,
    frame: gpd.GeoDataFrame,
    *,
    user: str,
    action: str,
    what: str,
    import_id: int,
) -> None:
    """Insert validated new features and one history row each, allocating missing ids."""
    if frame.empty:
        return
    rows = frame.to_dict("records")
    missing = [i for i, row in enumerate(rows) if _clean_id(row.get(schema.id_field)) is None]
    for i, new_id in zip(missing, _allocate_ids(conn, schema, len(missing)), strict=True):
        rows[i][schema.id_field] = new_id
    now = _now()
    if schema.name == _RISK:
        table = risk_points
        records = [_point_record(r, user=user, now=now, import_id=import_id) for r in rows]
        views = [(r["point_id"], _point_view(r)) for r in records]
    else:
        table = features
        records = [_feature_record(schema, r, user=user, now=now, import_id=import_id) for r in rows]
        views = [(r["feature_id"], _feature_view(r, schema)) for r in records]
    log = [_history_row(schema.name, fid, action, what, None, view, user, now) for fid, view in views]
    for chunk in _chunks(records):
        conn.execute(table.insert(), chunk)
    for chunk in _chunks(log):
        conn.execute(history.insert(), chunk)
    _note_ids(conn, schema, [fid for fid, _ in views])


def _is_new(valid: gpd.GeoDataFrame, stored: gpd.GeoDataFrame, schema: LayerSchema) -> np.ndarray:
    """Mark features not in the store yet: neither their id nor their name and place is stored."""
    stored_ids = set(stored[schema.id_field])
    stored_hashes = set(stored["content_hash"])
    rows = zip(valid[schema.id_field], valid["name"], valid.geometry, strict=True)
    return np.array(
        [_clean_id(i) not in stored_ids and _content_hash(n, g) not in stored_hashes for i, n, g in rows],
        dtype=bool,
    )


def _merge_reports(
    first: ValidationReport, skipped: int, second: ValidationReport | None, rechecked: np.ndarray
) -> ValidationReport:
    """Combine a file's report with the second check of some of its features against the store.

    ``second`` numbers features by position in ``rechecked`` (their ``source_index``
    in the file); the result uses the file's numbering and moves the features
    that failed the second check from valid to rejected.
    """
    problems = list(first.problems)
    valid, rejected = first.valid, first.rejected
    if second is not None and second.errors:
        for problem in second.errors:
            if problem.index is not None:
                problems.append(replace(problem, index=int(rechecked[problem.index])))
        later = second.rejected.assign(source_index=rechecked[second.rejected["source_index"].to_numpy()])
        rejected = pd.concat([rejected, later]) if len(rejected) else later
        rejected = rejected.sort_values("source_index").reset_index(drop=True)
        valid = valid[~valid["source_index"].isin(later["source_index"])].reset_index(drop=True)
    if skipped:
        problems.append(make_problem("already_in_store", severity="warning", count=skipped))
    problems.sort(key=lambda p: -1 if p.index is None else p.index)
    return ValidationReport(layer=first.layer, valid=valid, problems=tuple(problems), rejected=rejected)


def _near_stored(frame: gpd.GeoDataFrame, stored: gpd.GeoDataFrame) -> np.ndarray:
    """Mark points within a few near-duplicate distances of a stored point (a quick test in degrees)."""
    if frame.empty or stored.empty:
        return np.zeros(len(frame), dtype=bool)
    points = frame.geometry.to_numpy()
    highest = float(np.abs(shapely.get_y(points)).max())
    # Degrees of longitude shrink towards the poles: the margin is generous in every direction.
    margin = 4 * NEAR_DUPLICATE_M / _METRES_PER_DEGREE / max(math.cos(math.radians(min(highest, 89.0))), 0.01)
    hits, _ = shapely.STRtree(stored.geometry.to_numpy()).query(points, predicate="dwithin", distance=margin)
    near = np.zeros(len(frame), dtype=bool)
    near[hits] = True
    return near


def _refuse_errors(report: ValidationReport, path: Path, *, skip_invalid: bool) -> None:
    """Raise ValidationError unless the file is importable (with ``skip_invalid``: in part)."""
    file_errors = [p for p in report.errors if p.index is None]
    if not report.errors or (skip_invalid and not file_errors):
        return
    summary = f"{path.name}: {len(report.errors)} problem(s); nothing was imported"
    if not file_errors:
        summary += (
            f" ({len(report.rejected)} feature(s) rejected; skip invalid features to import the others)"
        )
    raise ValidationError(report.problems, summary=summary)


def _record_import(
    conn: sa.Connection,
    schema: LayerSchema,
    file_name: str,
    digest: str,
    counts: tuple[int, int, int],
    *,
    user: str,
) -> int:
    added, skipped, rejected = counts
    result = conn.execute(
        imports.insert().values(
            layer=schema.name,
            file_name=file_name,
            file_sha256=digest,
            added=added,
            skipped_existing=skipped,
            rejected=rejected,
            imported_at=_now(),
            imported_by=user,
        )
    )
    return result.inserted_primary_key[0]


def _log(
    conn: sa.Connection,
    layer: str,
    feature_id: str,
    action: str,
    what: str,
    old: Mapping | None,
    new: Mapping | None,
    user: str,
    now: str,
    reason: str = "",
) -> None:
    conn.execute(
        history.insert(), [_history_row(layer, feature_id, action, what, old, new, user, now, reason)]
    )


def _history_row(
    layer: str,
    feature_id: str,
    action: str,
    what: str,
    old: Mapping | None,
    new: Mapping | None,
    user: str,
    now: str,
    reason: str = "",
) -> dict:
    return {
        "layer": layer,
        "feature_id": feature_id,
        "at": now,
        "user": user,
        "action": action,
        "what": what,
        "old": dict(old) if old is not None else None,
        "new": dict(new) if new is not None else None,
        "reason": reason,
    }


def _allocate_ids(conn: sa.Connection, schema: LayerSchema, count: int) -> list[str]:
    """Reserve ``count`` fresh ids ``PREFIX-0001``... (caller holds the write lock)."""
    if count == 0:
        return []
    prefix = schema.id_prefix
    start = conn.execute(sa.select(sequences.c.next_number).where(sequences.c.prefix == prefix)).scalar()
    if start is None:
        start = 1
        conn.execute(sequences.insert().values(prefix=prefix, next_number=1))
    taken = _existing_ids(conn, schema, [_format_id(prefix, n) for n in range(start, start + count)])
    while taken:
        # Only ids written outside the store (another format of the same number) can collide.
        start += 1
        taken = _existing_ids(conn, schema, [_format_id(prefix, n) for n in range(start, start + count)])
    conn.execute(sequences.update().where(sequences.c.prefix == prefix).values(next_number=start + count))
    return [_format_id(prefix, n) for n in range(start, start + count)]


def _note_ids(conn: sa.Connection, schema: LayerSchema, ids: Iterable[str]) -> None:
    """Move the id sequence past numbered ids that were just stored."""
    pattern = re.compile(rf"{re.escape(schema.id_prefix)}-(\d+)")
    numbers = [int(m.group(1)) for i in ids if (m := pattern.fullmatch(i))]
    if not numbers:
        return
    highest = max(numbers)
    row = conn.execute(
        sa.select(sequences.c.next_number).where(sequences.c.prefix == schema.id_prefix)
    ).scalar()
    if row is None:
        conn.execute(sequences.insert().values(prefix=schema.id_prefix, next_number=highest + 1))
    elif row <= highest:
        conn.execute(
            sequences.update().where(sequences.c.prefix == schema.id_prefix).values(next_number=highest + 1)
        )


def _existing_ids(conn: sa.Connection, schema: LayerSchema, ids: list[str]) -> set[str]:
    if schema.name == _RISK:
        query = sa.select(risk_points.c.point_id).where(risk_points.c.point_id.in_(ids))
    else:
        query = sa.select(features.c.feature_id).where(
            features.c.layer == schema.name, features.c.feature_id.in_(ids)
        )
    return set(conn.execute(query).scalars())


def _format_id(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), _INSERT_CHUNK):
        yield rows[start : start + _INSERT_CHUNK]


# ---------------------------------------------------------------------- values


def _feature(properties: Mapping[str, Any], geometry: shapely.Geometry) -> dict:
    """Return a GeoJSON-like feature for validation (missing values left out)."""
    props = {str(k): v for k, v in ((k, _plain(v)) for k, v in properties.items()) if v is not None}
    return {"type": "Feature", "properties": props, "geometry": mapping(geometry)}


def _features(frame: gpd.GeoDataFrame) -> list[dict]:
    """Return a layer frame's rows as GeoJSON-like features."""
    columns = [c for c in frame.columns if c not in ("geometry", "source_index")]
    records = frame[columns].to_dict("records")
    return [_feature(record, geom) for record, geom in zip(records, frame.geometry, strict=True)]


def _extra_properties(schema: LayerSchema, row: Mapping[str, Any]) -> dict:
    """Properties the schema does not declare, without missing values."""
    known = {*schema.field_names, "geometry", "source_index"}
    extra = {}
    for key, value in row.items():
        if key in known:
            continue
        plain = _plain(value)
        if plain is not None:
            extra[str(key)] = plain
    return extra


def _db_value(field: Field, value: Any) -> Any:
    """Convert a validated value to what the typed column stores (``None`` when missing)."""
    value = _plain(value)
    if value is None:
        return [] if field.kind == "list" else None
    if field.kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if field.kind == "list":
        return [str(v) for v in value]
    if field.kind == "int":
        return int(value)
    if field.kind == "float":
        return float(value)
    if field.kind == "bool":
        return bool(value)
    return str(value)


def _plain(value: Any) -> Any:
    """Return ``value`` as plain JSON-ready Python (dates as ISO text, ``None`` when missing)."""
    # The common cases first: this runs for every value of every row of an import.
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple | np.ndarray | pd.api.extensions.ExtensionArray):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight and value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def _content_hash(name: Any, geometry: shapely.Geometry) -> str:
    """Fingerprint of a feature without id: its name and its coordinates rounded to about a metre."""
    text = unicodedata.normalize("NFC", " ".join(str(name or "").split())).casefold()
    if geometry.geom_type == "Point":
        where = f"{geometry.x:.5f},{geometry.y:.5f}"
    else:
        where = shapely.set_precision(shapely.normalize(geometry), 1e-5).wkt
    return hashlib.sha256(f"{text}|{where}".encode()).hexdigest()


def _clean_id(value: Any) -> str | None:
    value = _plain(value)
    text = str(value).strip() if value is not None else ""
    return text or None


def _clean_ids(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values]


def _coordinates(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y)):
        problem = make_problem("coordinates_not_numbers", field="geometry", lon=repr(lon), lat=repr(lat))
        raise ValidationError([problem])
    return x, y


def _require_user(user: str) -> str:
    text = str(user or "").strip()
    if not text:
        raise coded_error(StoreError, "user_required")
    return _bounded_text(text, "user")


def _bounded_text(text: str, label: str) -> str:
    text = str(text or "")
    if len(text) > MAX_TEXT_LENGTH:
        params = {"label": label, "length": len(text), "limit": MAX_TEXT_LENGTH}
        raise coded_error(StoreError, "text_too_long_store", **params)
    return text


def _inspection_fields(
    point_id: str, inspected_on: date | str, inspector: str, findings: str, mitigations: str
) -> tuple[date, dict[str, str]]:
    """Check an inspection's date and texts, gathering every problem."""
    problems = []
    day = None
    if isinstance(inspected_on, datetime):
        day = inspected_on.date()
    elif isinstance(inspected_on, date):
        day = inspected_on
    else:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(str(inspected_on).strip())
    where = {"feature_id": point_id}
    if day is None:
        problems.append(
            make_problem("inspection_bad_date", field="inspected_on", value=inspected_on, **where)
        )
    elif day > datetime.now(UTC).date() + timedelta(days=1):
        problems.append(make_problem("date_in_future", field="inspected_on", day=day.isoformat(), **where))
    texts = {"inspector": inspector, "findings": findings, "mitigations": mitigations}
    for label, text in texts.items():
        text = str(text or "").strip()
        texts[label] = text
        if not text and label != "mitigations":
            code = "say_who_inspected" if label == "inspector" else "say_what_found"
            problems.append(make_problem(code, field=label, **where))
        if len(text) > MAX_TEXT_LENGTH:
            problems.append(make_problem("at_most_chars", field=label, limit=MAX_TEXT_LENGTH, **where))
    if problems:
        raise ValidationError(problems, summary=f"The inspection of {point_id} was not recorded")
    return day, texts


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# ---------------------------------------------------------------------- files


def _write_rejected(rejected: pd.DataFrame, out: Path) -> None:
    """Write rejected features with their reasons as UTF-8 CSV (Excel opens it with the BOM)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = rejected.copy()
    for column in frame.columns:
        frame[column] = frame[column].map(
            lambda v: _json_dumps(_plain(v)) if isinstance(v, (list, tuple, dict)) else v
        )
    frame.to_csv(out, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)


def _pg_dump(url: sa.URL, out: Path) -> None:
    """Dump a PostgreSQL database with ``pg_dump`` (the password goes through the environment)."""
    program = shutil.which("pg_dump")
    if program is None:
        msg = (
            "Backing up a PostgreSQL store needs the pg_dump program, which is not installed here "
            "(Debian: apt-get install postgresql-client). Nothing was written."
        )
        raise StoreError(msg)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [program, "--format=custom", "--no-owner", f"--file={out}", f"--dbname={target}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        detail = (
            result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        )
        msg = f"pg_dump failed, no backup was written: {detail}"
        raise StoreError(msg)
