"""Planned sites in the store: swimming classes or rescue trainings a planner adds, edits or drops.

A planned site is an ordinary record of the ``swim_classes`` or ``rescue_trainings`` layer
whose ``status`` is ``planned`` (see :data:`hotspots.schema.VENUE_STATUSES`): it is validated
like any record, gets its id from the store's allocation (``SC-0041``, ``RT-0026``) and one
history row per change. Every write needs the ``plan`` permission (the planner role), in the
communes of the sites (see :mod:`hotspots.store.permissions`).

What a new planned site holds
    ``name`` *Lớp dự kiến – <commune>* (*Tập huấn dự kiến – ...* for a training) unless the
    sites give one; ``organiser`` the one given, else *Chưa phân công* (not assigned yet);
    ``start_date`` / ``end_date`` the season (a training: ``date`` = the season's first day,
    ``participants`` 0); ``capacity`` (kept as an extra property of a training); a class's
    ``venue_type`` :data:`DEFAULT_VENUE_TYPE` unless given; ``status`` ``planned``; and, as
    extra properties, what the site newly covers (:data:`COVERAGE_PROPERTIES`), when the
    sites carry those columns (:attr:`hotspots.analysis.SitingPlan.sites` does).
Editing and dropping
    Only a planned site can be edited (:data:`EDITABLE_FIELDS`) or dropped; dropping sets its
    status to ``cancelled`` (never a deletion), with the reason in its history.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

import geopandas as gpd
import shapely
import sqlalchemy as sa

from hotspots.config import WGS84
from hotspots.errors import SchemaError, StoreError
from hotspots.i18n import coded_error, t
from hotspots.schema import LayerSchema, get_layer_schema
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.ids import allocate_ids, note_ids, unknown_feature
from hotspots.store.layers import GeographyCache, feature_record, feature_view, stored, validated
from hotspots.store.migrations import features
from hotspots.store.permissions import User, require
from hotspots.store.values import bounded_text, clean_id, content_hash, feature, now, plain

#: Layers whose records can be planned.
PLANNABLE_LAYERS: Final = ("swim_classes", "rescue_trainings")
#: Status of a planned site, and of a dropped one.
PLANNED: Final = "planned"
CANCELLED: Final = "cancelled"
#: Kind of venue of a planned swimming class unless the sites say: a portable pool goes anywhere.
DEFAULT_VENUE_TYPE: Final = "portable_pool"
#: Children a planned class takes unless told.
DEFAULT_CAPACITY: Final = 30
#: Columns of the sites kept with each planned site as extra properties (what it newly covers).
COVERAGE_PROPERTIES: Final = (
    "new_risk_points",
    "new_black_spots",
    "new_children",
    "nearest_venue_m",
    "candidate_kind",
)
#: What an edit may change, per layer (a training's ``capacity`` is an extra property).
EDITABLE_FIELDS: Final = {
    "swim_classes": ("name", "organiser", "start_date", "end_date", "capacity"),
    "rescue_trainings": ("name", "organiser", "date", "capacity"),
}
# Names and the unassigned organiser are data: written in the records' language.
_DATA_LANGUAGE: Final = "vi"


def add_planned_sites(
    db: Database,
    geography: GeographyCache,
    layer: str,
    sites: gpd.GeoDataFrame,
    *,
    user: User,
    organiser: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    capacity: int | None = None,
) -> list[str]:
    """Store ``sites`` as planned records of ``layer``; return their ids, in the sites' order.

    See :meth:`hotspots.store.Store.add_planned_sites`.
    """
    actor = require(user, "plan")
    by = actor.display_name
    schema = _plannable(layer)
    if sites is None or not len(sites):
        raise coded_error(StoreError, "plan.no_sites", layer=layer)
    start, end = _season(start_date, end_date)
    places = sites.to_crs(WGS84) if sites.crs is not None else sites.set_crs(WGS84)
    rows = [
        _planned_properties(schema, row, point, organiser=organiser, start=start, end=end, capacity=capacity)
        for row, point in zip(
            places.drop(columns=places.geometry.name).to_dict("records"), places.geometry, strict=True
        )
    ]

    def work(conn: sa.Connection) -> list[str]:
        ids = allocate_ids(conn, schema, len(rows))
        candidates = [
            feature({**props, schema.id_field: fid}, point)
            for props, fid, point in zip(rows, ids, places.geometry, strict=True)
        ]
        valid = validated(conn, geography, schema, candidates, stored(conn, schema))
        require(actor, "plan", commune_ids=[clean_id(c) for c in valid["commune_id"]])
        when = now()
        records = [
            feature_record(schema, row, user=by, now=when, import_id=None) for _, row in valid.iterrows()
        ]
        conn.execute(features.insert(), records)
        note_ids(conn, schema, ids)
        for record in records:
            view = feature_view(record, schema)
            log(conn, layer, record["feature_id"], "plan", "planned site", None, view, by, when)
        return [record["feature_id"] for record in records]

    return db.transaction(work, write=True)


def edit_planned_site(
    db: Database,
    geography: GeographyCache,
    layer: str,
    site_id: str,
    changes: Mapping[str, Any],
    *,
    user: User,
) -> None:
    """Change a planned site's name, organiser, dates or capacity (see :meth:`Store.edit_planned_site`)."""
    actor = require(user, "plan")
    by = actor.display_name
    schema = _plannable(layer)
    changes = dict(changes)
    editable = EDITABLE_FIELDS[layer]
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise coded_error(
            SchemaError,
            "plan.edit_fields",
            fields=", ".join(unknown),
            id=site_id,
            editable=", ".join(editable),
        )
    if "capacity" in changes:
        changes["capacity"] = _capacity(changes["capacity"])

    def work(conn: sa.Connection) -> None:
        current = _planned_row(conn, schema, site_id)
        require(actor, "plan", commune_ids=[current["commune_id"]])
        old_view = feature_view(current, schema)
        merged = {**old_view, **changes}
        existing = stored(conn, schema)
        existing = existing[existing[schema.id_field] != site_id]
        point = shapely.from_geojson(current["geometry"])
        valid = validated(conn, geography, schema, [feature(merged, point)], existing)
        when = now()
        record = feature_record(schema, valid.iloc[0], user=by, now=when, import_id=current["import_id"])
        new_view = feature_view(record, schema)
        changed = sorted(k for k in old_view.keys() | new_view.keys() if old_view.get(k) != new_view.get(k))
        if not changed:
            return
        values = {k: record[k] for k in ("name", "commune_id", "properties", "extra")}
        values["content_hash"] = content_hash(record["name"], point)
        _update(conn, current, values, now=when, user=by)
        old = {k: old_view.get(k) for k in changed}
        new = {k: new_view.get(k) for k in changed}
        log(conn, layer, site_id, "edit", ", ".join(changed), old, new, by, when)

    db.transaction(work, write=True)


def drop_planned_site(db: Database, layer: str, site_id: str, *, user: User, reason: str = "") -> None:
    """Cancel a planned site: its status becomes ``cancelled`` (see :meth:`Store.drop_planned_site`)."""
    actor = require(user, "plan")
    by = actor.display_name
    schema = _plannable(layer)
    reason = bounded_text(reason, "reason")

    def work(conn: sa.Connection) -> None:
        current = _planned_row(conn, schema, site_id)
        require(actor, "plan", commune_ids=[current["commune_id"]])
        when = now()
        properties = {**current["properties"], "status": CANCELLED}
        _update(conn, current, {"properties": properties}, now=when, user=by)
        old_new = ({"status": PLANNED}, {"status": CANCELLED})
        log(conn, layer, site_id, "status", "status", *old_new, by, when, reason)

    db.transaction(work, write=True)


def _planned_properties(
    schema: LayerSchema,
    row: Mapping[str, Any],
    point: shapely.Point,
    *,
    organiser: str | None,
    start: date,
    end: date,
    capacity: int | None,
) -> dict[str, Any]:
    """Return the properties of one new planned site (see "What a new planned site holds")."""
    given = {k: plain(v) for k, v in row.items()}
    commune = given.get("commune_name")
    # Named by its commune, or by where it is when it lies in none.
    place = commune if isinstance(commune, str) and commune.strip() else f"{point.y:.5f}, {point.x:.5f}"
    name = given.get("name") or t(f"plan.record_name.{schema.name}", _DATA_LANGUAGE, place=place)
    who = str(given.get("organiser") or organiser or "").strip() or t("plan.unassigned", _DATA_LANGUAGE)
    chosen = [v for v in (given.get("capacity"), capacity) if v is not None]
    places = _capacity(chosen[0] if chosen else DEFAULT_CAPACITY)
    props: dict[str, Any] = {"name": name, "organiser": who, "status": PLANNED, "capacity": places}
    if given.get("commune_id"):
        props["commune_id"] = given["commune_id"]
    if schema.name == "swim_classes":
        props.update(
            venue_type=given.get("venue_type") or DEFAULT_VENUE_TYPE,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
        )
    else:
        props.update(date=start.isoformat(), participants=0)
    for key in COVERAGE_PROPERTIES:
        value = given.get(key)
        if value is not None:
            props[key] = round(value, 1) if isinstance(value, float) else value
    return props


def _planned_row(conn: sa.Connection, schema: LayerSchema, site_id: str) -> dict:
    """Return the stored row of a planned site; refuse an unknown id or a site not planned."""
    query = sa.select(features).where(features.c.layer == schema.name, features.c.feature_id == site_id)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise unknown_feature(schema.name, site_id)
    status = row["properties"].get("status") or "active"
    if status != PLANNED:
        raise coded_error(StoreError, "plan.not_planned", id=site_id, status=status)
    return dict(row)


def _update(conn: sa.Connection, current: Mapping, values: Mapping[str, Any], *, now: str, user: str) -> None:
    """Write new values of a feature, raising its version (the caller logs the change)."""
    result = conn.execute(
        features.update()
        .where(
            features.c.layer == current["layer"],
            features.c.feature_id == current["feature_id"],
            features.c.version == current["version"],
        )
        .values(**values, version=current["version"] + 1, updated_at=now, updated_by=user)
    )
    if result.rowcount != 1:
        raise coded_error(StoreError, "point_changed_while_saving", point_id=current["feature_id"])


def _plannable(layer: str) -> LayerSchema:
    schema = get_layer_schema(layer)
    if schema.name not in PLANNABLE_LAYERS:
        raise coded_error(StoreError, "plan.not_plannable", layer=layer, layers=", ".join(PLANNABLE_LAYERS))
    return schema


def _season(start: date | None, end: date | None) -> tuple[date, date]:
    """Return the planned dates: the ones given, else this year's default season (1 June – 15 August)."""
    year = date.today().year
    start = start or date(year, 6, 1)
    end = end or date(year, 8, 15)
    if end < start:
        raise coded_error(StoreError, "plan.season_reversed", start=start, end=end)
    return start, end


def _capacity(value: object) -> int:
    """Return a capacity: a whole number of children, 1 or more (else a coded StoreError)."""
    whole = isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer()
    if not whole or value < 1:
        raise coded_error(StoreError, "plan.bad_capacity", value=repr(value))
    return int(value)
