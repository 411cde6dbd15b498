"""The layers other than risk points, and what every write is validated against.

The six other layers (communes, water, province, swim classes, rescue trainings,
play spaces) live in one ``features`` table with the geometry as GeoJSON text and
the properties as JSON. The stored province and communes are the geography every
write is checked against (:class:`GeographyCache`), together with the stored
features of the layer (:func:`stored`), through
:func:`hotspots.validation.validate_features`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import geopandas as gpd
import shapely
import sqlalchemy as sa

from hotspots.config import NEAR_DUPLICATE_M, WGS84
from hotspots.errors import SchemaError
from hotspots.formats import field_default
from hotspots.i18n import coded_error
from hotspots.schema import LAYERS, RISK_POINTS, LayerSchema
from hotspots.store.engine import Database
from hotspots.store.migrations import features, risk_points
from hotspots.store.values import (
    METRES_PER_DEGREE,
    clean_ids,
    columns_of,
    content_hash,
    db_value,
    extra_properties,
    json_column,
    layer_frame,
    plain,
)
from hotspots.validation import ReferenceData, validate_features

_GEOGRAPHY_LAYERS: Final = ("province", "communes")


def read_other_layer(
    db: Database,
    schema: LayerSchema,
    *,
    statuses: Iterable[str] | None = None,
    commune_ids: Iterable[str] | None = None,
    include_retired: bool = False,
) -> gpd.GeoDataFrame:
    """Return a layer kept in the ``features`` table (see :meth:`hotspots.store.Store.read_layer`).

    Raises
    ------
    SchemaError
        If communes are asked of a layer not split by commune, or statuses of any of these layers.
    """
    communes = clean_ids(commune_ids)
    check_commune_filter(schema, communes)
    if statuses is not None or include_retired:
        raise coded_error(SchemaError, "layer_without_status", layer=schema.name)
    return db.transaction(lambda conn: read_features(conn, schema, commune_ids=communes))


def check_commune_filter(schema: LayerSchema, commune_ids: Sequence[str] | None) -> None:
    """Raise a coded SchemaError if communes are asked of a layer that is not split by commune."""
    if commune_ids is not None and "commune_id" not in schema.field_names:
        with_communes = ", ".join(n for n, s in LAYERS.items() if "commune_id" in s.field_names)
        raise coded_error(SchemaError, "layer_without_communes", layer=schema.name, layers=with_communes)


def read_features(
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
    ids, names, commune_column, properties, extras, geometries = columns_of(
        conn.execute(query.order_by(features.c.feature_id)).all(), 6
    )
    properties = json_column(properties)
    # For the communes layer the id field is commune_id itself: the id must win.
    columns = {"name": names, "commune_id": commune_column, schema.id_field: ids}
    for f in schema.fields:
        if f.name not in columns:
            # A field added to the schema after a feature was stored takes its default.
            columns[f.name] = [p.get(f.name, field_default(f)) for p in properties]
    geometry = gpd.GeoSeries(shapely.from_geojson(list(geometries)), crs=WGS84)
    return layer_frame(schema, columns, json_column(extras), geometry)


def stored(
    conn: sa.Connection, schema: LayerSchema, *, near: tuple[float, float] | None = None
) -> gpd.GeoDataFrame:
    """Return the stored features of a layer as id, content hash and geometry (what validation compares).

    ``near`` keeps the risk points in a box a few times the near-duplicate
    distance around a place (validation measures the exact distance).
    """
    if schema.name == RISK_POINTS.name:
        query = sa.select(
            risk_points.c.point_id, risk_points.c.content_hash, risk_points.c.lon, risk_points.c.lat
        )
        if near is not None:
            lon, lat = near
            dlat = 4 * NEAR_DUPLICATE_M / METRES_PER_DEGREE
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


class GeographyCache:
    """The stored province outline and communes, read again only when another import changed them.

    One per :class:`~hotspots.store.Store`; safe to share between threads (a stale
    read at worst reads the layers once more).
    """

    def __init__(self) -> None:
        # (revision of the two layers, their reference data)
        self._cached: tuple[tuple, ReferenceData] | None = None

    def reference(self, conn: sa.Connection) -> ReferenceData:
        """Return the stored province outline and communes (``None`` when absent).

        ``None`` lets validation fall back to the shipped outline.
        """
        query = (
            sa.select(features.c.layer, sa.func.count(), sa.func.max(features.c.import_id))
            .where(features.c.layer.in_(_GEOGRAPHY_LAYERS))
            .group_by(features.c.layer)
            .order_by(features.c.layer)
        )
        revision = tuple(tuple(row) for row in conn.execute(query))
        cached = self._cached
        if cached is None or cached[0] != revision:
            outline = read_features(conn, LAYERS["province"]).geometry.to_numpy()
            province = (
                None if outline.size == 0 else outline[0] if outline.size == 1 else shapely.union_all(outline)
            )
            communes = read_features(conn, LAYERS["communes"])
            reference = ReferenceData(province=province, communes=communes if len(communes) else None)
            cached = self._cached = (revision, reference)
        return cached[1]


def validated(
    conn: sa.Connection,
    geography: GeographyCache,
    schema: LayerSchema,
    candidates: list[dict],
    existing: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Validate features against ``existing`` and the stored geography; return the valid frame.

    Raises
    ------
    ValidationError
        With every problem, if any feature is invalid.
    """
    reference = geography.reference(conn).with_existing(existing)
    report = validate_features(candidates, layer=schema.name, reference=reference)
    report.raise_for_errors()
    return report.valid


def feature_record(
    schema: LayerSchema, row: Mapping[str, Any], *, user: str, now: str, import_id: int | None
) -> dict:
    """Turn one validated row of a layer other than risk points into a ``features`` row."""
    values = {f.name: db_value(f, row.get(f.name)) for f in schema.fields}
    geometry = row["geometry"]
    return {
        "layer": schema.name,
        "feature_id": values.pop(schema.id_field),
        "name": values.pop("name"),
        "commune_id": values.pop("commune_id", None),
        "properties": {k: plain(v) for k, v in values.items()},
        "extra": extra_properties(schema, row),
        "geometry": shapely.to_geojson(geometry),
        "content_hash": content_hash(row.get("name"), geometry),
        "version": 1,
        "import_id": import_id,
        "created_at": now,
        "created_by": user,
        "updated_at": now,
        "updated_by": user,
    }


def feature_view(record: Mapping[str, Any], schema: LayerSchema) -> dict:
    """Return a ``features`` row as one flat JSON-ready dict, as its history records it."""
    view = {schema.id_field: record["feature_id"], "name": record["name"]}
    if record["commune_id"] is not None:
        view["commune_id"] = record["commune_id"]
    view.update(record["properties"])
    view.update(record["extra"])
    return view
