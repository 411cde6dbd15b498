"""Tables of the store of record and the ordered, versioned migrations that create them.

The database carries a ``schema_version`` table with one row per migration
applied. :func:`upgrade` applies, in order and in the caller's transaction, every
migration the database has not seen yet, so running it twice changes nothing.
A migration is a plain function of a SQLAlchemy :class:`~sqlalchemy.engine.Connection`;
a later change to the tables is a new function appended to :data:`MIGRATIONS`,
never an edit of an old one.

Tables (the same on SQLite and PostgreSQL):

``risk_points``
    One row per risk point: a typed column for every field of
    :data:`hotspots.schema.RISK_POINTS` (``hazards`` as a JSON list), ``lon`` and
    ``lat`` (WGS 84 degrees), ``extra`` (JSON object of the properties the schema
    does not declare), ``content_hash`` (name and coordinates rounded to about a
    metre: an import skips a feature already stored under another id),
    ``version`` (1 when added, +1 per change), who and when created and last
    updated, and the import that brought it.
``features``
    Every other layer (communes, water, province, swim classes, rescue trainings,
    play spaces): ``layer`` and ``feature_id`` as key, ``name``, ``commune_id``,
    the schema properties as a JSON object (dates as ISO text), ``extra``, the
    geometry as GeoJSON text, ``content_hash`` and ``version``.
``history``
    Append-only log: one row per change of one feature: who, when (UTC ISO 8601),
    action, what, and the old and new values as JSON objects.
``inspections``
    Site inspections of risk points (date, inspector, findings, mitigations), and
    from version 4 ``measures``: the measures in place (JSON list of
    :data:`hotspots.schema.MITIGATIONS`; ``[]`` for the inspections recorded before).
``imports``
    One row per file imported: layer, file name and SHA-256, user, counts.
``sequences``
    Next free number per id prefix, so new ids are allocated without scanning.
``users`` (version 2)
    Accounts that may change the store: login name, display name, e-mail (for
    single sign-on), bcrypt password hash (never the password), roles and
    communes (JSON lists; communes ``NULL`` for the whole province), where the
    account is defined (``store``, or ``secrets`` for an account of the app's
    secrets whose failed logins are counted here), the failed-login count and
    the end of a lock-out.
``photos`` (version 3)
    Photos of risk points: one row per photo of one point (the same photo may be
    attached to several points, once each): ``point_id``, ``sha256`` of the file
    (its file is ``<sha256>.<jpg|png>`` in the photos folder beside the database,
    see :mod:`hotspots.store.photos`), the user's original ``filename`` (text only),
    ``mime``, ``width``, ``height``, ``size_bytes``, ``lon``/``lat`` from the
    photo's EXIF GPS tags (``NULL`` without them), who added it and when.
``geom`` and the ``layer_*`` views (version 5, PostgreSQL only)
    A PostGIS geometry column (SRID 4326, GiST index) on ``risk_points`` and
    ``features`` that the database computes itself, and one read-only view per
    layer for QGIS (see :mod:`hotspots.store.spatial`). The tables below do not
    list ``geom``: the store never writes it, and SQLite has none.
``schema_version``
    Migrations applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from hotspots.errors import StoreError
from hotspots.i18n import coded_error
from hotspots.schema import RISK_POINTS, FieldKind
from hotspots.store.spatial import add_postgis, drop_views_sql

#: JSON stored as text on SQLite and as ``jsonb`` on PostgreSQL.
JSON: Final = sa.JSON().with_variant(JSONB(), "postgresql")

_SQL_TYPES: Final[dict[FieldKind, Callable[[], sa.types.TypeEngine]]] = {
    "str": sa.Text,
    "enum": sa.Text,
    "int": sa.Integer,
    "float": sa.Float,
    "bool": sa.Boolean,
    "date": sa.Date,
    "list": lambda: JSON,
}

metadata: Final = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _audit_columns() -> list[sa.Column]:
    """Return who/when columns shared by the feature tables."""
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False, index=True),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id"), nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
    ]


schema_version: Final = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.Text, nullable=False),
)

imports: Final = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("layer", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.Text, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("skipped_existing", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.Text, nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
)

risk_points: Final = sa.Table(
    "risk_points",
    metadata,
    *(
        sa.Column(
            f.name,
            _SQL_TYPES[f.kind](),
            primary_key=f.name == RISK_POINTS.id_field,
            nullable=not f.required and f.name != "status",
        )
        for f in RISK_POINTS.fields
    ),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("extra", JSON, nullable=False),
    *_audit_columns(),
    # The map filters by status and commune; add_risk_point looks for near neighbours by lon/lat.
    sa.Index(None, "status", "commune_id"),
    sa.Index(None, "commune_id"),
    sa.Index(None, "lon", "lat"),
)

features: Final = sa.Table(
    "features",
    metadata,
    sa.Column("layer", sa.Text, primary_key=True),
    sa.Column("feature_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("commune_id", sa.Text, nullable=True),
    sa.Column("properties", JSON, nullable=False),
    sa.Column("extra", JSON, nullable=False),
    sa.Column("geometry", sa.Text, nullable=False),
    *_audit_columns(),
    sa.Index(None, "layer", "commune_id"),
)

history: Final = sa.Table(
    "history",
    metadata,
    sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("layer", sa.Text, nullable=False),
    sa.Column("feature_id", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("old", JSON, nullable=True),
    sa.Column("new", JSON, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index(None, "layer", "feature_id"),
)


def _version_1_inspection_columns() -> list[sa.Column]:
    """Return new columns of ``inspections`` as version 1 made them (a column belongs to one table)."""
    return [
        sa.Column("inspection_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("point_id", sa.Text, sa.ForeignKey("risk_points.point_id"), nullable=False, index=True),
        sa.Column("inspected_on", sa.Date, nullable=False),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("mitigations", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
    ]


inspections: Final = sa.Table(
    "inspections",
    metadata,
    *_version_1_inspection_columns(),
    # Added by version 4 (_add_inspection_measures); version 1 made the table without it.
    sa.Column("measures", JSON, nullable=False, server_default=sa.text("'[]'")),
)

sequences: Final = sa.Table(
    "sequences",
    metadata,
    sa.Column("prefix", sa.Text, primary_key=True),
    sa.Column("next_number", sa.Integer, nullable=False),
)

users: Final = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=True, unique=True),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("roles", JSON, nullable=False),
    sa.Column("communes", JSON, nullable=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.Text, nullable=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

photos: Final = sa.Table(
    "photos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("point_id", sa.Text, sa.ForeignKey("risk_points.point_id"), nullable=False),
    sa.Column("sha256", sa.Text, nullable=False, index=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("mime", sa.Text, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("added_at", sa.Text, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    # A photo is attached to a point once; the map lists the photos of each point.
    sa.UniqueConstraint("point_id", "sha256"),
)


@dataclass(frozen=True)
class Migration:
    """One step of the database schema.

    Parameters
    ----------
    version
        Position in the chain, starting at 1, without gaps.
    description
        What the step does, recorded in ``schema_version``.
    apply
        Function of an open connection inside the caller's transaction.
    """

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _create_initial_tables(conn: sa.Connection) -> None:
    # The version-1 tables as version 1 made them: a later migration alters them, never this one.
    tables = [imports, risk_points, features, history, sequences]
    metadata.create_all(conn, tables=tables)
    _version_1_inspections().create(conn)


def _version_1_inspections() -> sa.Table:
    """Return ``inspections`` exactly as version 1 made it, frozen (version 4 adds ``measures``)."""
    frozen = sa.MetaData(naming_convention=metadata.naming_convention)
    risk_points.to_metadata(frozen)  # the target of its foreign key
    return sa.Table("inspections", frozen, *_version_1_inspection_columns())


def _create_users(conn: sa.Connection) -> None:
    users.create(conn)


def _create_photos(conn: sa.Connection) -> None:
    photos.create(conn)


def _add_inspection_measures(conn: sa.Connection) -> None:
    # The inspections recorded before get no measures ([]); JSON text on SQLite, jsonb on PostgreSQL.
    kind = JSON.compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE inspections ADD COLUMN measures {kind} NOT NULL DEFAULT '[]'"))


def _add_postgis(conn: sa.Connection) -> None:
    # PostgreSQL: extension, generated geom columns, GiST indexes, layer views. SQLite: nothing.
    add_postgis(conn)


# The layer views read risk_points and features: PostgreSQL refuses to drop those tables under them.
sa.event.listen(metadata, "before_drop", sa.DDL(drop_views_sql()).execute_if(dialect="postgresql"))


#: Every migration, in order. Append; never edit or reorder an applied one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "risk points, features, history, inspections, imports, sequences", _create_initial_tables),
    Migration(2, "users: accounts, bcrypt password hashes, roles, communes, lock-out", _create_users),
    Migration(3, "photos: photos of risk points, files named by their SHA-256", _create_photos),
    Migration(4, "inspections: measures in place (JSON list of mitigations)", _add_inspection_measures),
    Migration(5, "PostGIS: geometry columns, GiST indexes, read-only layer views", _add_postgis),
)


def upgrade(conn: sa.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the migrations the database has not seen yet, in order.

    Runs inside the caller's transaction, which must hold the store's write lock
    (two processes must not upgrade at once). Idempotent.

    Parameters
    ----------
    conn
        Open connection inside a write transaction.
    migrations
        The chain to apply; the default is the library's.

    Returns
    -------
    list of int
        Versions applied now (empty when the database was up to date).

    Raises
    ------
    StoreError
        If the database was written by a newer version of the app, or the chain has gaps.
    """
    _check_chain(migrations)
    schema_version.create(conn, checkfirst=True)
    current = current_version(conn)
    latest = latest_version(migrations)
    if current > latest:
        raise coded_error(StoreError, "schema_too_new", current=current, latest=latest)
    applied = []
    for migration in migrations:
        if migration.version <= current:
            continue
        migration.apply(conn)
        conn.execute(
            schema_version.insert().values(
                version=migration.version,
                description=migration.description,
                applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
        applied.append(migration.version)
    return applied


def current_version(conn: sa.Connection) -> int:
    """Return the highest migration applied, 0 for an empty database."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Return the version a fully upgraded database has."""
    return migrations[-1].version if migrations else 0


def _check_chain(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise coded_error(StoreError, "migrations_with_gaps", versions=versions)
