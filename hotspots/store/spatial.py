"""PostGIS on a shared PostgreSQL store: geometry columns, GiST indexes and read-only layer views.

On PostgreSQL, migration 5 (:func:`add_postgis`) gives ``risk_points`` and
``features`` a ``geom`` column (SRID 4326) that the database itself computes
from ``lon``/``lat`` and from the GeoJSON text (a ``GENERATED ALWAYS ... STORED``
column: the store never writes it, and the SQLAlchemy tables of
:mod:`hotspots.store.migrations` do not list it, so the same tables serve SQLite),
a GiST index on each, and one view per layer of :data:`hotspots.schema.LAYERS`
(``layer_risk_points``, ``layer_communes``, ``layer_water``...) that a GIS office
opens in QGIS, read-only.

A view holds the layer's current features: risk points in
:data:`hotspots.schema.MAPPED_STATUSES` (what the map shows: retired and rejected
points are left out), swimming classes and rescue trainings that are not
cancelled, and every feature of the layers without a status. Its columns are the
layer's schema fields, typed (text, integer, double precision, boolean, date,
text[] for lists), then ``geom``: ``geometry(Point, 4326)`` for point layers,
``geometry(MultiPolygon, 4326)`` for communes and the province, the stored
geometry for water (lines and polygons).

:func:`grant_readonly` lets a database role read the views and nothing else.
On SQLite none of this exists: migration 5 only records its version.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import sqlalchemy as sa

from hotspots.errors import StoreError
from hotspots.formats import field_default
from hotspots.i18n import coded_error
from hotspots.schema import AREA, LAYERS, MAPPED_STATUSES, POINT, RISK_POINTS, Field, LayerSchema

#: Views of the layers are named this prefix and the layer's name: ``layer_risk_points``.
VIEW_PREFIX: Final = "layer_"
#: Spatial reference of every geometry column: WGS 84 longitude/latitude.
SRID: Final = 4326
#: Statuses of swimming classes and rescue trainings that are no longer current (a dropped plan).
ENDED_VENUE_STATUSES: Final = ("cancelled",)
#: The PostgreSQL type of each kind of schema field, as the views show it.
PG_TYPES: Final = {
    "str": "text",
    "enum": "text",
    "int": "integer",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
    "list": "text[]",
}


def view_name(layer: str) -> str:
    """Return the name of the read-only view of ``layer`` (``layer_risk_points``)."""
    return VIEW_PREFIX + layer


def view_names() -> tuple[str, ...]:
    """Return the names of every layer view, in the order of :data:`hotspots.schema.LAYERS`."""
    return tuple(view_name(layer) for layer in LAYERS)


def add_postgis(conn: sa.Connection) -> None:
    """Migration 5: PostGIS geometry columns, GiST indexes and the layer views (nothing on SQLite).

    Parameters
    ----------
    conn
        Open connection inside the upgrade's write transaction.

    Raises
    ------
    StoreError
        If PostGIS is not installed on the server, or the store's role may not create the
        extension (the message says to install ``postgresql-15-postgis-3`` and to run
        ``CREATE EXTENSION postgis`` as a superuser).
    """
    if conn.dialect.name != "postgresql":
        return
    try:
        # Skipped without a rights check when a superuser already created it.
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    except sa.exc.DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else str(state)
        database = conn.engine.url.database or ""
        raise coded_error(StoreError, "postgis_unavailable", database=database, detail=detail) from exc
    # Computed by the database on every insert and update (the functions are IMMUTABLE in PostGIS 3).
    generated = {
        "risk_points": (f"Point, {SRID}", f"ST_SetSRID(ST_MakePoint(lon, lat), {SRID})"),
        "features": (f"Geometry, {SRID}", f"ST_SetSRID(ST_GeomFromGeoJSON(geometry), {SRID})"),
    }
    for table, (kind, value) in generated.items():
        conn.exec_driver_sql(
            f"ALTER TABLE {table} ADD COLUMN geom geometry({kind}) GENERATED ALWAYS AS ({value}) STORED"
        )
    conn.exec_driver_sql("CREATE INDEX ix_risk_points_geom ON risk_points USING gist (geom)")
    conn.exec_driver_sql("CREATE INDEX ix_features_geom ON features USING gist (geom)")
    create_layer_views(conn)


def create_layer_views(conn: sa.Connection) -> None:
    """(Re)create the view of every layer from :data:`hotspots.schema.LAYERS` (PostgreSQL only).

    A later migration that adds a field to a layer calls this again; a view is dropped
    and created anew, so the grants of :func:`grant_readonly` must then be given again.
    """
    conn.exec_driver_sql(drop_views_sql())
    for schema in LAYERS.values():
        conn.exec_driver_sql(f"CREATE VIEW {_ident(view_name(schema.name))} AS {view_select(schema)}")


def drop_views_sql() -> str:
    """Return the statement dropping every layer view (run before the tables are dropped)."""
    return "DROP VIEW IF EXISTS " + ", ".join(_ident(name) for name in view_names())


def view_select(schema: LayerSchema) -> str:
    """Return the ``SELECT`` of the view of one layer: typed schema fields and ``geom``, current only."""
    if schema.name == RISK_POINTS.name:
        columns = [_risk_point_column(f) for f in schema.fields]
        where = f"status IN ({_list(MAPPED_STATUSES)})"
        return f"SELECT {', '.join(columns)}, geom FROM risk_points WHERE {where}"
    columns = [f"{_feature_value(schema, f)} AS {_ident(f.name)}" for f in schema.fields]
    where = f"layer = {_literal(schema.name)}"
    if "status" in schema.field_names:
        status = _feature_value(schema, schema.get("status"))
        where += f" AND COALESCE({status}, '') NOT IN ({_list(ENDED_VENUE_STATUSES)})"
    return f"SELECT {', '.join(columns)}, {_geometry(schema)} AS geom FROM features WHERE {where}"


def grant_readonly(conn: sa.Connection, role: str) -> tuple[str, ...]:
    """Let an existing database role read the layer views, and nothing else of the store.

    The views read the tables with their owner's rights, so the role needs no right on
    the tables themselves.

    Parameters
    ----------
    conn
        Open connection to the store, inside a transaction, as the role owning the views.
    role
        Name of a PostgreSQL role (``CREATE ROLE qgis_doc LOGIN PASSWORD '...'``).

    Returns
    -------
    tuple of str
        The views the role may now read.

    Raises
    ------
    StoreError
        If the store is not on PostgreSQL, or there is no such role.
    """
    if conn.dialect.name != "postgresql":
        raise coded_error(StoreError, "readonly_needs_postgresql")
    found = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if found is None:
        raise coded_error(StoreError, "readonly_role_unknown", role=role)
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {_ident(role)}")
    views = view_names()
    conn.exec_driver_sql(f"GRANT SELECT ON {', '.join(_ident(v) for v in views)} TO {_ident(role)}")
    return views


def _risk_point_column(f: Field) -> str:
    if f.kind == "list":
        return f"ARRAY(SELECT jsonb_array_elements_text({_ident(f.name)})) AS {_ident(f.name)}"
    return _ident(f.name)


def _feature_value(schema: LayerSchema, f: Field) -> str:
    """Return the SQL of one field of a ``features`` row, typed, as the store reads it back."""
    if f.name == schema.id_field:
        return "feature_id"
    if f.name in ("name", "commune_id"):
        return f.name
    key = _literal(f.name)
    if f.kind == "list":
        value = f"ARRAY(SELECT jsonb_array_elements_text(properties->{key}))"
    else:
        value = f"(properties->>{key})::{PG_TYPES[f.kind]}"
    default = field_default(f)
    if default is None:
        return value
    # A feature stored before the field existed takes the default (like the store's reader).
    return f"(CASE WHEN properties->{key} IS NULL THEN {_typed_literal(f, default)} ELSE {value} END)"


def _geometry(schema: LayerSchema) -> str:
    if schema.geometry_types == POINT:
        return f"geom::geometry(Point, {SRID})"
    if schema.geometry_types == AREA:
        return f"ST_Multi(geom)::geometry(MultiPolygon, {SRID})"
    return "geom"


def _typed_literal(f: Field, value: Any) -> str:
    if f.kind == "list":
        return f"ARRAY[{_list(value)}]::text[]" if value else "ARRAY[]::text[]"
    if f.kind == "bool":
        return "TRUE" if value else "FALSE"
    if f.kind in ("int", "float"):
        return f"({float(value) if f.kind == 'float' else int(value)})::{PG_TYPES[f.kind]}"
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{_literal(text)}::{PG_TYPES[f.kind]}"


def _list(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(_literal(str(v)) for v in values)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
