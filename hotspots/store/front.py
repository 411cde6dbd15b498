"""The store of record's front: :func:`open_store` and the :class:`Store` whose methods pages and CLI call.

One code path over SQLAlchemy Core serves SQLite (the default file) and
PostgreSQL (see :mod:`hotspots.store.engine`). Risk points live in their own
table; the other six layers in one ``features`` table (see
:mod:`hotspots.store.migrations`). Nothing is ever deleted, and every change
appends exactly one history row per changed feature inside the transaction that
makes it.

Reads return GeoDataFrames in EPSG:4326 with the schema's columns, shaped like
:func:`hotspots.formats.load_geodata_layer`. Every write takes the acting
:class:`~hotspots.store.User`, which only a login makes (:meth:`Store.authenticate`,
:meth:`Store.user_for_email`), and is refused with a
:class:`~hotspots.errors.PermissionDeniedError` when the user's roles or communes
do not allow it (see :mod:`hotspots.store.permissions`); the history records the
user's display name. Writes go through
:func:`hotspots.validation.validate_features` against the points already stored
and the stored province and communes. Each method hands over to the module of
its concern: :mod:`~hotspots.store.points`, :mod:`~hotspots.store.layers`,
:mod:`~hotspots.store.inspections`, :mod:`~hotspots.store.imports`,
:mod:`~hotspots.store.history`, :mod:`~hotspots.store.backup`, and accounts to
:mod:`~hotspots.store.users`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from hotspots.config import GEODATA_DIR
from hotspots.formats import Photo
from hotspots.schema import RISK_POINTS, get_layer_schema
from hotspots.store import imports, inspections, layers, plans, points, updates, users
from hotspots.store import photos as photo_store
from hotspots.store.backup import backup as write_backup
from hotspots.store.engine import BUSY_DEADLINE_S, Database, create_engine, resolve_url, revision
from hotspots.store.history import read_history
from hotspots.store.imports import ImportResult, ImportSource
from hotspots.store.permissions import User, require
from hotspots.store.spatial import grant_readonly
from hotspots.validation import ValidationReport

_RISK: Final = RISK_POINTS.name


def open_store(
    url: str | None = None,
    *,
    seed: bool = True,
    upgrade: bool = True,
    seed_from: Path | str | None = None,
    photo_dir: Path | str | None = None,
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
    photo_dir
        Folder of the photos' files (default: ``photos/`` beside a SQLite file, else in the
        data directory; see :mod:`hotspots.store.photos`).

    Returns
    -------
    Store
        Safe to share between threads and to open in several processes at once.

    Raises
    ------
    StoreError
        If the URL is not SQLite or PostgreSQL, or the database cannot be reached, or the
        photos folder lies inside the web-served ``static/`` folder.

    Examples
    --------
    >>> store = open_store("sqlite:///:memory:", seed=False)  # doctest: +SKIP
    >>> store.read_layer("risk_points").crs.to_string()  # doctest: +SKIP
    'EPSG:4326'
    """
    store = Store(create_engine(resolve_url(url)), photo_dir=photo_dir)
    try:
        if upgrade:
            store.upgrade()
        if seed:
            imports.seed_if_empty(store._db, GEODATA_DIR if seed_from is None else Path(seed_from))
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
        (default :data:`~hotspots.store.BUSY_DEADLINE_S`).
    photo_dir
        Folder of the photos' files (default: :func:`hotspots.store.photos.photo_folder`).
    """

    def __init__(
        self, engine: sa.Engine, *, busy_deadline_s: float | None = None, photo_dir: Path | str | None = None
    ) -> None:
        self.engine = engine
        self._db = Database(engine, BUSY_DEADLINE_S if busy_deadline_s is None else busy_deadline_s)
        #: Where the photos' files are (never inside the web-served ``static/``).
        folder = photo_store.photo_folder(engine.url) if photo_dir is None else photo_dir
        self.photo_dir = photo_store.checked_folder(folder)
        # The stored province and communes, read again when another process imports new ones.
        self._geography = layers.GeographyCache()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @property
    def url(self) -> str:
        """Database URL with the password hidden."""
        return self._db.url

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.backend

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def upgrade(self) -> list[int]:
        """Bring the tables to the newest schema version; safe to call any time.

        Returns
        -------
        list of int
            Migration versions applied now; empty when already up to date.
        """
        return self._db.upgrade()

    # ------------------------------------------------------------------ reads

    def revision(self) -> int:
        """Return a number that changes whenever anything in the store changes.

        It is the newest history row's id: every write appends one, in any
        process. Caches of layers read from the store are keyed on it.
        """
        return self._db.transaction(revision)

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
        filters = {"statuses": statuses, "commune_ids": commune_ids, "include_retired": include_retired}
        if schema.name == _RISK:
            return points.read_risk_points(self._db, **filters)
        return layers.read_other_layer(self._db, schema, **filters)

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
            ``inspection``, ``photo``, ``report``), ``what``, ``old`` and ``new`` (dicts of the values
            before and after; ``old`` is ``None`` when the feature was created),
            ``reason``.

        Raises
        ------
        StoreError
            If there is no such feature.
        """
        return read_history(self._db, point_id, layer=layer)

    def inspections(self, point_id: str) -> pd.DataFrame:
        """Return the inspections of one risk point, oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``inspection_id``, ``point_id``, ``inspected_on`` (ISO date),
            ``inspector``, ``findings``, ``mitigations``, ``recorded_at``, ``recorded_by``,
            ``measures`` (list of :data:`hotspots.schema.MITIGATIONS`, empty for none).

        Raises
        ------
        StoreError
            If there is no such risk point.
        """
        return inspections.list_inspections(self._db, point_id)

    # ------------------------------------------------------------------ writes

    def add_risk_point(
        self,
        properties: Mapping[str, Any],
        *,
        lon: float,
        lat: float,
        user: User,
        photos: Sequence[Photo] = (),
    ) -> str:
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
            Who reports it (permission ``report``, in their communes); recorded in the history.
        photos
            Photos of the place, read with :func:`hotspots.formats.read_photo`: stored with
            the point, in the same transaction (see :meth:`attach_photos`).

        Returns
        -------
        str
            The point's id.

        Raises
        ------
        ValidationError
            With every problem found: missing or wrong fields, outside the
            province, a near duplicate of a stored point, an id already used;
            or a photo that is not a usable JPEG or PNG.
        StoreError
            If ``properties`` sets a status other than ``pending``, or a photo's file
            cannot be written.
        PermissionDeniedError
            If the user may not report, or not in the point's commune.
        """
        require(user, "report")  # before any photo is decoded
        ready = photo_store.checked_photos(photos)
        folder = self.photo_dir

        def attach(conn: sa.Connection, point_id: str, by: str, when: str) -> None:
            photo_store.store_photos(conn, folder, point_id, ready, user=by, when=when)

        options = {"lon": lon, "lat": lat, "user": user, "then": attach if ready else None}
        return points.add_risk_point(self._db, self._geography, properties, **options)

    def edit_risk_point(self, point_id: str, changes: Mapping[str, Any], *, user: User) -> None:
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
            Who edits (permission ``review``, in the point's old and new commune);
            recorded in the history.

        Raises
        ------
        StoreError
            If there is no such point or the id or status is in ``changes``.
        SchemaError
            If a key is neither a field nor one of the point's properties.
        ValidationError
            If the edited point is invalid.
        PermissionDeniedError
            If the user may not edit points, or not in that commune.
        """
        points.edit_risk_point(self._db, self._geography, point_id, changes, user=user)

    def set_status(self, point_id: str, status: str, *, user: User, reason: str = "") -> None:
        """Move a risk point along its life cycle (see ``schema.STATUS_TRANSITIONS``).

        Parameters
        ----------
        point_id
            Id of the point.
        status
            New status.
        user
            Who decides (permission ``review``, in the point's commune); recorded in the history.
        reason
            Why (shown in the history).

        Raises
        ------
        SchemaError
            If ``status`` is not a status at all.
        StoreError
            If there is no such point, or the change is not allowed from its
            current status; the message names the allowed ones.
        PermissionDeniedError
            If the user may not review, or not in the point's commune.
        """
        points.set_status(self._db, point_id, status, user=user, reason=reason)

    def set_status_many(self, point_ids: Sequence[str], status: str, *, user: User, reason: str = "") -> int:
        """Move several risk points to one status at once (approve or reject a selection): all, or none.

        Every point is checked before anything is written, in one transaction: it exists, the
        user may review in its commune, and its status may move to ``status``. Each point
        changed gets its own history row, as :meth:`set_status` writes it.

        Parameters
        ----------
        point_ids
            Ids of the points (repeats count once); an empty list changes nothing.
        status
            New status of every point.
        user
            Who decides (permission ``review``, in each point's commune); recorded in the history.
        reason
            Why (shown in each point's history); required, not blank, for ``rejected``.

        Returns
        -------
        int
            How many points changed.

        Raises
        ------
        SchemaError
            If ``status`` is not a status at all.
        StoreError
            If a rejection has no reason (code ``rejection_needs_reason``).
        ValidationError
            If any point is unknown, outside the user's communes or may not move to ``status``
            (code ``status_many_refused``): nothing is written, the message names the points that
            failed and its problems say why, one per point.
        PermissionDeniedError
            If the user may not review at all.
        """
        return points.set_status_many(self._db, point_ids, status, user=user, reason=reason)

    def review_queue(self, *, commune_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        """Return the points awaiting review, with who reported each one and when.

        Parameters
        ----------
        commune_ids
            Keep the points of these communes (``None``: every pending point).

        Returns
        -------
        geopandas.GeoDataFrame
            The columns of :meth:`read_layer`, then ``created_at`` (when the point was
            reported or imported, a timezone-aware UTC timestamp) and ``created_by`` (the
            display name of who reported or imported it), then ``geometry``; sorted by id.
        """
        return points.read_review_queue(self._db, commune_ids=commune_ids)

    def record_inspection(
        self,
        point_id: str,
        *,
        inspected_on: date | str,
        findings: str,
        mitigations: str = "",
        measures: Sequence[str] = (),
        mark_mitigated: bool = False,
        user: User,
    ) -> int:
        """Record a site inspection of a risk point and update its ``last_inspected``.

        ``last_inspected`` only moves forward: recording an older inspection
        keeps the newer date. One transaction: the inspection, the point's new
        ``last_inspected`` (and status, with ``mark_mitigated``) and one history row
        telling both (action ``inspection``).

        Parameters
        ----------
        point_id
            Id of the point.
        inspected_on
            Day of the visit (``date`` or ``YYYY-MM-DD``); not in the future.
        findings
            What was found.
        mitigations
            Notes: what was done or recommended (fence, sign, rescue pole...).
        measures
            Measures in place, each one of :data:`hotspots.schema.MITIGATIONS`
            (stored in that order, without repeats).
        mark_mitigated
            Also move the point to ``mitigated``, by the rule of :meth:`set_status`
            (``schema.STATUS_TRANSITIONS``: from ``active`` only); needs the permission
            ``review`` as well.
        user
            Who inspected and records it (permission ``inspect``, in the point's
            commune): their display name is the inspector.

        Returns
        -------
        int
            Id of the inspection.

        Raises
        ------
        ValidationError
            If the date, a text or a measure is missing or wrong (every problem at once;
            an unknown measure: code ``unknown_measures``, naming it and the allowed ones).
        StoreError
            If there is no such point, or (``mark_mitigated``) its status may not move
            to ``mitigated`` (code ``status_change_forbidden``).
        PermissionDeniedError
            If the user may not inspect (or, with ``mark_mitigated``, review), or not in
            the point's commune.
        """
        return inspections.record_inspection(
            self._db,
            point_id,
            inspected_on=inspected_on,
            findings=findings,
            mitigations=mitigations,
            measures=measures,
            mark_mitigated=mark_mitigated,
            user=user,
        )

    def add_report_update(
        self, point_id: str, *, notes: str, photos: Sequence[Photo] = (), user: User
    ) -> None:
        """Attach a new field report to a stored risk point: "the same place", not a new point.

        The point's fields stay as they are; the report becomes one history row (action
        ``report``: the notes, the reporter's display name and the photos' SHA-256), written
        in one transaction with the photos (stored as :meth:`attach_photos` stores them).

        Parameters
        ----------
        point_id
            Id of the point reported again (on the map: pending, active or mitigated).
        notes
            What the reporter says; checked like a point's notes (at most
            :data:`~hotspots.config.MAX_TEXT_LENGTH` characters, trimmed).
        photos
            Photos read with :func:`hotspots.formats.read_photo`.
        user
            Who reports (permission ``report``, in the point's commune); recorded in the history.

        Raises
        ------
        ValidationError
            If the notes are too long, there are neither notes nor photos, or a photo is
            not a usable JPEG or PNG.
        StoreError
            If there is no such point, it is no longer on the map (retired, rejected), or a
            photo's file cannot be written.
        PermissionDeniedError
            If the user may not report, or not in the point's commune.
        """
        updates.add_report_update(self._db, self.photo_dir, point_id, notes=notes, photos=photos, user=user)

    # ------------------------------------------------------------------ photos

    def attach_photos(self, point_id: str, photos: Sequence[Photo], *, user: User) -> list[str]:
        """Attach photos to a stored risk point, in one transaction with one history row each.

        Each file is stored once, named by its SHA-256, in :attr:`photo_dir`; a photo the
        point already has is not attached again.

        Parameters
        ----------
        point_id
            Id of the point (any status).
        photos
            Photos read with :func:`hotspots.formats.read_photo` (read again here: the
            store keeps only real JPEG and PNG photos within the limits).
        user
            Who adds them (permission ``report``, in the point's commune); recorded in the
            history (action ``photo``, new values ``sha256`` and ``filename``).

        Returns
        -------
        list of str
            The SHA-256 of the photos given, without repeats, in order.

        Raises
        ------
        ValidationError
            If a photo is not a usable JPEG or PNG (coded ``photo_*``).
        StoreError
            If there is no such point, or a file cannot be written (``photo_not_saved``).
        PermissionDeniedError
            If the user may not report, or not in the point's commune.
        """
        return photo_store.attach_photos(self._db, self.photo_dir, point_id, photos, user=user)

    def photos(self, point_id: str) -> pd.DataFrame:
        """Return the photos of one risk point, oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``sha256``, ``filename`` (the user's file name, as text),
            ``mime``, ``width``, ``height``, ``size_bytes``, ``lon`` and ``lat`` (where the
            photo was taken, from its EXIF; NaN without), ``added_at`` (UTC ISO 8601),
            ``added_by``.

        Raises
        ------
        StoreError
            If there is no such risk point.
        """
        return photo_store.list_photos(self._db, point_id)

    def photo_bytes(self, sha256: str) -> bytes:
        """Return the bytes of a stored photo, by its SHA-256.

        Raises
        ------
        StoreError
            Coded ``photo_name_invalid`` unless ``sha256`` is 64 hexadecimal digits,
            ``unknown_photo`` when the store has no such photo, ``photo_file_missing``
            when its file is gone from :attr:`photo_dir`.
        """
        return photo_store.photo_bytes(self._db, self.photo_dir, sha256)

    def photo_index(self) -> dict[str, list[str]]:
        """Return the SHA-256 of each point's photos, oldest first, by point id (for the map).

        Points without photos are left out.
        """
        return photo_store.photo_index(self._db)

    # ------------------------------------------------------------------ files

    def preview_import(
        self, source: ImportSource, *, filename: str | None = None, layer: str = _RISK
    ) -> ValidationReport:
        """Read and validate a file against the store without writing anything.

        Features already in the store count as valid (an import skips them; one
        warning says how many); new points near a stored one are rejected.

        Parameters
        ----------
        source
            Path of the file, or its bytes (an upload).
        filename
            The file's name; required with bytes (its extension picks the format:
            GeoJSON, CSV, KML, GPX, GeoPackage, Excel).
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
        StoreError
            If bytes come without ``filename``.
        """
        return imports.preview_import(self._db, self._geography, source, filename=filename, layer=layer)

    def import_file(
        self,
        source: ImportSource,
        *,
        filename: str | None = None,
        layer: str = _RISK,
        user: User,
        skip_invalid: bool = False,
        rejected_out: Path | str | None = None,
        approved: bool = False,
    ) -> ImportResult:
        """Import a file into the store: all of it, or (with ``skip_invalid``) its valid part.

        One transaction: either every new feature is stored with its history row,
        or nothing is. Features already in the store (same id, or same name at
        the same place, rounded to about a metre) are skipped, so importing a
        file twice adds nothing the second time; stored features are never
        overwritten (edit them instead).

        Imported risk points wait for review: without ``approved`` every one is
        stored ``pending``, whatever status the file gives it (the history row
        says which status the file gave).

        Parameters
        ----------
        source
            Path of the file, or its bytes (an upload).
        filename
            The file's name; required with bytes (its extension picks the format).
            With a path, the name recorded in the history instead of the path's.
        layer
            Layer the file holds.
        user
            Who imports; recorded in the history. Reports (risk points held for
            review) need the permission ``report``; ``approved`` risk points and
            every other layer need ``import_approved``; a user limited to some
            communes imports only features of those communes.
        skip_invalid
            Store the valid features even if some are rejected; the rejected
            ones are listed as CSV with their reasons (``ImportResult.rejected_csv``).
        rejected_out
            Where to write the rejected features' CSV; default
            ``<file>-rejected.csv`` beside a file, no file for bytes.
        approved
            Risk points only: an officer's explicit choice to store them with the
            file's statuses (``active`` when the file gives none), skipping review.

        Returns
        -------
        ImportResult
            Counts, the rejected features' CSV (and its path), how many points wait for review.

        Raises
        ------
        ValidationError
            If any feature is invalid and ``skip_invalid`` is false (nothing is
            imported), or the file as a whole is (even with ``skip_invalid``).
        UnreadableFileError, CRSError
            If the file cannot be read at all.
        StoreError
            If bytes come without ``filename``.
        PermissionDeniedError
            If the user may not import this (approved, this layer, these communes).
        """
        return imports.import_file(
            self._db,
            self._geography,
            source,
            filename=filename,
            layer=layer,
            user=user,
            skip_invalid=skip_invalid,
            rejected_out=rejected_out,
            approved=approved,
        )

    def backup(self, out: Path | str) -> Path:
        """Write a consistent copy of the store while the app keeps running.

        SQLite: ``VACUUM INTO`` a new file (a compact, ordinary SQLite database).
        PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``).
        The photo files are copied beside it, to ``<file>.photos/``.

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
        return write_backup(self._db, out, photo_dir=self.photo_dir)

    def grant_readonly(self, role: str) -> tuple[str, ...]:
        """Let a PostgreSQL role read the layer views (QGIS), and nothing else of the store.

        Maintenance like :meth:`backup`: whoever holds the database URL may run it.

        Parameters
        ----------
        role
            An existing database role (``CREATE ROLE qgis_office LOGIN PASSWORD '...'``).

        Returns
        -------
        tuple of str
            The views the role may now read (``layer_risk_points``, ``layer_communes``...).

        Raises
        ------
        StoreError
            If the store is SQLite, or there is no such role.
        """
        return self._db.transaction(lambda conn: grant_readonly(conn, role), write=True)

    # ------------------------------------------------------------------ accounts

    def authenticate(
        self,
        name: str,
        password: str,
        *,
        configured: Mapping[str, Mapping[str, Any]] | None = None,
        demo_allowed: bool = False,
        at: datetime | None = None,
    ) -> User:
        """Log in: check a name and password and return the :class:`~hotspots.store.User`.

        A wrong password counts one failed login; after
        :data:`~hotspots.config.LOCKOUT_AFTER_FAILURES` in a row the account is
        locked for :data:`~hotspots.config.LOCKOUT_MINUTES` minutes (the failure
        that locks it already says so). A success resets the count. An unknown
        name is checked against a dummy hash, so it takes as long as a wrong password.

        Parameters
        ----------
        name
            Login name (any case; surrounding spaces ignored).
        password
            The password as typed.
        configured
            Accounts configured beside the app (the ``[users]`` table of
            Streamlit's secrets, as a plain mapping); they win over stored
            accounts of the same name.
        demo_allowed
            Let demonstration accounts (``demo = true`` in ``configured``) in:
            only while the sample data is loaded.
        at
            The moment of the attempt (default: now); tests move the clock.

        Returns
        -------
        User
            What every write of the store takes.

        Raises
        ------
        AuthenticationError
            Coded ``unknown_account``, ``wrong_password`` (with the attempts left),
            ``account_locked`` (with the minutes left) or ``demo_account_off``.
        StoreError
            If a configured account is unusable (no bcrypt hash, unknown role...).
        """
        options = {"configured": configured, "demo_allowed": demo_allowed, "at": at}
        return users.authenticate(self._db, name, password, **options)

    def user_for_email(
        self,
        email: str,
        *,
        configured: Mapping[str, Mapping[str, Any]] | None = None,
        demo_allowed: bool = False,
        at: datetime | None = None,
    ) -> User:
        """Return the user of an address an identity provider vouched for (single sign-on).

        The app's page calls this after Streamlit's ``st.login`` with ``st.user.email``:
        the provider checked the password, the store says what the person may do.

        Parameters
        ----------
        email
            The address (any case).
        configured, demo_allowed, at
            As for :meth:`authenticate`.

        Raises
        ------
        AuthenticationError
            Coded ``unknown_email`` when no account has that address,
            ``account_locked`` or ``demo_account_off``.
        """
        options = {"configured": configured, "demo_allowed": demo_allowed, "at": at}
        return users.user_for_email(self._db, email, **options)

    def add_user(
        self,
        name: str,
        *,
        password: str,
        roles: Iterable[str],
        communes: Iterable[str] | None = None,
        display_name: str | None = None,
        email: str | None = None,
        user: User,
        configured: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """Add an account with a bcrypt hash of its password; return its login name.

        Parameters
        ----------
        name
            Login name: 2 to 64 lower-case letters, digits, ``.``, ``_``, ``@`` or ``-``.
        password
            At least :data:`~hotspots.config.MIN_PASSWORD_LENGTH` characters; only its hash is kept.
        roles
            Some of ``field``, ``officer``, ``planner``, ``admin``.
        communes
            Commune ids the account is limited to; ``None`` for the whole province.
        display_name
            The name recorded in the history (default: ``name``); unique.
        email
            Address for single sign-on; unique.
        user
            The acting admin (permission ``manage_users``, no commune limit).
        configured
            Accounts configured beside the app: their names are taken.

        Raises
        ------
        PermissionDeniedError
            If ``user`` may not manage users.
        StoreError
            If the name, display name or e-mail is taken or invalid, a role or
            commune unknown, or the password too short or too long.
        """
        return users.add_user(
            self._db,
            name,
            password=password,
            roles=roles,
            communes=communes,
            display_name=display_name,
            email=email,
            user=user,
            configured=configured,
        )

    def add_first_admin(
        self, name: str, *, password: str, display_name: str | None = None, email: str | None = None
    ) -> str:
        """Add the first admin of a store that has none yet (``python -m hotspots users add``).

        Raises
        ------
        StoreError
            If the store already has an admin (who then adds the others), or as :meth:`add_user`.
        """
        options = {"password": password, "display_name": display_name, "email": email}
        return users.add_first_admin(self._db, name, **options)

    def unlock_user(self, name: str, *, user: User) -> None:
        """End an account's lock-out and forget its failed logins.

        Raises
        ------
        PermissionDeniedError
            If ``user`` may not manage users.
        StoreError
            If the store has no account of that name.
        """
        users.unlock_user(self._db, name, user=user)

    def users(self, *, configured: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
        """Return every account (stored, and ``configured``), sorted by name; never a password hash.

        Returns
        -------
        pandas.DataFrame
            Columns ``name``, ``display_name``, ``email``, ``roles``, ``communes``
            (``None``: the whole province), ``source`` (``store`` or ``secrets``),
            ``demo``, ``failed_attempts``, ``locked_until`` (UTC ISO text or ``None``),
            ``locked`` (locked now).
        """
        return users.list_users(self._db, configured=configured)

    # ------------------------------------------------------------------ planned sites

    def add_planned_sites(
        self,
        layer: str,
        sites: gpd.GeoDataFrame,
        *,
        user: User,
        organiser: str | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        capacity: int | None = None,
    ) -> list[str]:
        """Store chosen sites as planned swimming classes or rescue trainings; return their ids.

        One transaction: every site is stored, with status ``planned``, a fresh id
        (``SC-0041``...) and one history row (action ``plan``), or none is. What each
        record holds is said in :mod:`hotspots.store.plans`.

        Parameters
        ----------
        layer
            ``swim_classes`` or ``rescue_trainings``.
        sites
            Points (any CRS; none means EPSG:4326), such as
            :attr:`hotspots.analysis.SitingPlan.sites`: ``commune_id``, ``commune_name`` and
            what each newly covers are kept; ``name``, ``organiser``, ``capacity`` or
            ``venue_type`` columns win over the defaults.
        user
            Who plans (permission ``plan``, the planner role, in the sites' communes).
        organiser
            Who will run them; default *Chưa phân công* (not assigned yet).
        start_date, end_date
            The season (a training takes place on its first day); default 1 June to
            15 August of this year.
        capacity
            Children a class takes (default 30).

        Returns
        -------
        list[str]
            The new records' ids, in the order of ``sites``.

        Raises
        ------
        PermissionDeniedError
            If the user may not plan, or not in a site's commune.
        ValidationError
            If a site is invalid (outside the province, on top of a stored venue...).
        StoreError
            If the layer cannot be planned, there is no site, the season ends before it
            starts, or the capacity is not a whole number of 1 or more.
        """
        season = {"start_date": start_date, "end_date": end_date}
        options = {"organiser": organiser, "capacity": capacity, **season}
        return plans.add_planned_sites(self._db, self._geography, layer, sites, user=user, **options)

    def edit_planned_site(self, layer: str, site_id: str, changes: Mapping[str, Any], *, user: User) -> None:
        """Change a planned site's name, organiser, dates or capacity; the old values stay in its history.

        Parameters
        ----------
        layer
            ``swim_classes`` or ``rescue_trainings``.
        site_id
            Id of the planned site.
        changes
            New values of the fields of :data:`hotspots.store.plans.EDITABLE_FIELDS`.
        user
            Who edits (permission ``plan``, in the site's commune).

        Raises
        ------
        SchemaError
            If a key cannot be edited.
        StoreError
            If there is no such site, or it is not planned (held, or cancelled).
        ValidationError
            If the edited record is invalid (an end before its start...).
        PermissionDeniedError
            If the user may not plan, or not in the site's commune.
        """
        plans.edit_planned_site(self._db, self._geography, layer, site_id, changes, user=user)

    def drop_planned_site(self, layer: str, site_id: str, *, user: User, reason: str = "") -> None:
        """Drop a planned site: its status becomes ``cancelled`` (it stays in the store, with its history).

        Raises
        ------
        StoreError
            If there is no such site, or it is not planned.
        PermissionDeniedError
            If the user may not plan, or not in the site's commune.
        """
        plans.drop_planned_site(self._db, layer, site_id, user=user, reason=reason)
