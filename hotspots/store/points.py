"""Risk points in the store: reading them, adding a reported one, editing it, moving its status.

Risk points live in their own table with a typed column per schema field,
``lon``/``lat`` and a JSON ``extra`` column (see :mod:`hotspots.store.migrations`).
A new point always starts ``pending``; its status then moves only along
:data:`hotspots.schema.STATUS_TRANSITIONS`. Every change appends one history row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import Point

from hotspots.config import WGS84
from hotspots.errors import HotspotsError, SchemaError, StoreError, ValidationError
from hotspots.i18n import coded_error, make_problem, problem_of_error
from hotspots.schema import MAPPED_STATUSES, POINT_STATUSES, RISK_POINTS
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.ids import allocate_ids, note_ids, unknown_feature
from hotspots.store.layers import GeographyCache, check_commune_filter, stored, validated
from hotspots.store.migrations import risk_points
from hotspots.store.permissions import User, require
from hotspots.store.values import (
    as_text,
    bounded_text,
    clean_id,
    clean_ids,
    columns_of,
    content_hash,
    coordinates,
    db_value,
    extra_properties,
    feature,
    json_column,
    layer_frame,
    now,
    plain,
    refusal,
)
from hotspots.validation import check_transition

_RISK: Final = RISK_POINTS.name
#: Columns of a risk point that only the store writes; an edit never sets them.
_AUDIT: Final = ("version", "created_at", "created_by", "updated_at", "updated_by", "import_id")


def read_risk_points(
    db: Database,
    *,
    statuses: Iterable[str] | None = None,
    commune_ids: Iterable[str] | None = None,
    include_retired: bool = False,
) -> gpd.GeoDataFrame:
    """Return risk points as a layer frame (see :meth:`hotspots.store.Store.read_layer`).

    Raises
    ------
    SchemaError
        If a status is unknown.
    """
    communes = clean_ids(commune_ids)
    check_commune_filter(RISK_POINTS, communes)
    wanted = _wanted_statuses(statuses, include_retired=include_retired)
    return db.transaction(lambda conn: select_points(conn, statuses=wanted, commune_ids=communes))


def select_points(
    conn: sa.Connection,
    *,
    statuses: Sequence[str] | None = None,
    commune_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Select risk points (all when no filter) as a layer GeoDataFrame."""
    fields = [as_text(risk_points.c[f.name], f.kind) for f in RISK_POINTS.fields]
    extra = sa.cast(risk_points.c.extra, sa.Text)
    query = sa.select(*fields, risk_points.c.lon, risk_points.c.lat, extra).order_by(risk_points.c.point_id)
    if statuses is not None:
        query = query.where(risk_points.c.status.in_(statuses))
    if commune_ids is not None:
        query = query.where(risk_points.c.commune_id.in_(commune_ids))
    values = columns_of(conn.execute(query).all(), len(fields) + 3)
    columns = dict(zip(RISK_POINTS.field_names, values, strict=False))
    geometry = gpd.points_from_xy(values[-3], values[-2], crs=WGS84)
    return layer_frame(RISK_POINTS, columns, json_column(values[-1]), geometry)


def add_risk_point(
    db: Database,
    geography: GeographyCache,
    properties: Mapping[str, Any],
    *,
    lon: float,
    lat: float,
    user: User,
    then: Callable[[sa.Connection, str, str, str], object] | None = None,
) -> str:
    """Add a reported risk point as ``pending``; return its id.

    ``then(conn, point_id, user, when)``, when given, runs in the same transaction once the
    point is stored (its photos): the point and what ``then`` writes are stored together or
    not at all. See :meth:`hotspots.store.Store.add_risk_point`.
    """
    actor = require(user, "report")
    by = actor.display_name
    props = dict(properties)
    if props.get("status") not in (None, "", "pending"):
        raise coded_error(StoreError, "new_point_not_pending", status=props["status"])
    props["status"] = "pending"
    lon, lat = coordinates(lon, lat)

    def work(conn: sa.Connection) -> str:
        given = clean_id(props.get(RISK_POINTS.id_field))
        if given is not None and find_point(conn, given) is not None:
            problem = make_problem("id_taken", feature_id=given, field=RISK_POINTS.id_field, id=given)
            raise ValidationError([problem])
        point_id = given or allocate_ids(conn, RISK_POINTS, 1)[0]
        candidate = feature({**props, RISK_POINTS.id_field: point_id}, Point(lon, lat))
        near = stored(conn, RISK_POINTS, near=(lon, lat))
        valid = validated(conn, geography, RISK_POINTS, [candidate], near)
        require(actor, "report", commune_ids=[clean_id(valid.iloc[0]["commune_id"])])
        when = now()
        record = point_record(valid.iloc[0], user=by, now=when)
        conn.execute(risk_points.insert(), [record])
        note_ids(conn, RISK_POINTS, [point_id])
        log(conn, _RISK, point_id, "add", "new risk point", None, point_view(record), by, when)
        if then is not None:
            then(conn, point_id, by, when)
        return point_id

    return db.transaction(work, write=True)


def edit_risk_point(
    db: Database, geography: GeographyCache, point_id: str, changes: Mapping[str, Any], *, user: User
) -> None:
    """Change fields of a risk point, keeping the old values in its history.

    See :meth:`hotspots.store.Store.edit_risk_point`.
    """
    actor = require(user, "review")
    by = actor.display_name
    changes = dict(changes)
    if RISK_POINTS.id_field in changes:
        raise coded_error(StoreError, "edit_id_forbidden", key=RISK_POINTS.id_field, point_id=point_id)
    if "status" in changes:
        raise coded_error(StoreError, "edit_status_forbidden", key="status", point_id=point_id)

    def work(conn: sa.Connection) -> None:
        current = point_row(conn, point_id)
        require(actor, "review", commune_ids=[current["commune_id"]])
        old_view = point_view(current)
        editable = {*RISK_POINTS.field_names, "lon", "lat", *current["extra"]} - {"status"}
        unknown = sorted(set(changes) - editable)
        if unknown:
            fields, allowed = ", ".join(unknown), ", ".join(sorted(editable))
            raise coded_error(
                SchemaError, "edit_unknown_fields", fields=fields, point_id=point_id, editable=allowed
            )
        merged = {**old_view, **changes}
        lon, lat = coordinates(merged.pop("lon"), merged.pop("lat"))
        moved = (lon, lat) != (current["lon"], current["lat"])
        if moved and "commune_id" not in changes and geography.reference(conn).communes is not None:
            merged["commune_id"] = None  # let validation find the commune at the new place
        existing = stored(conn, RISK_POINTS, near=(lon, lat))
        existing = existing[existing[RISK_POINTS.id_field] != point_id]
        valid = validated(conn, geography, RISK_POINTS, [feature(merged, Point(lon, lat))], existing)
        require(actor, "review", commune_ids=[clean_id(valid.iloc[0]["commune_id"])])
        when = now()
        record = point_record(valid.iloc[0], user=by, now=when)
        new_view = point_view(record)
        changed = sorted(k for k in old_view.keys() | new_view.keys() if old_view.get(k) != new_view.get(k))
        if not changed:
            return
        update_point(conn, current, {k: v for k, v in record.items() if k not in _AUDIT}, now=when, user=by)
        old = {k: old_view.get(k) for k in changed}
        new = {k: new_view.get(k) for k in changed}
        log(conn, _RISK, point_id, "edit", ", ".join(changed), old, new, by, when)

    db.transaction(work, write=True)


def _status_change(user: User, status: str, reason: str) -> tuple[User, str]:
    """Check what every status change needs before the database is read: the right and the status."""
    actor = require(user, "review")
    if status not in POINT_STATUSES:
        raise coded_error(SchemaError, "unknown_status", status=status, statuses=", ".join(POINT_STATUSES))
    return actor, bounded_text(reason, "reason")


def _check_reason(status: str, reason: str) -> None:
    """Refuse a rejection without a reason: it tells the reporter why, whoever asks for it and however.

    Checked once the change itself is allowed, so that a change not allowed at all says so.
    """
    if status == "rejected" and not reason.strip():
        raise coded_error(StoreError, "rejection_needs_reason")


def set_status(db: Database, point_id: str, status: str, *, user: User, reason: str = "") -> None:
    """Move a risk point along its life cycle (see :meth:`hotspots.store.Store.set_status`)."""
    actor, reason = _status_change(user, status, reason)
    by = actor.display_name

    def work(conn: sa.Connection) -> None:
        current = point_row(conn, point_id)
        require(actor, "review", commune_ids=[current["commune_id"]])
        old = current["status"]
        check_transition(old, status, point_id=point_id)
        _check_reason(status, reason)
        when = now()
        update_point(conn, current, {"status": status}, now=when, user=by)
        old_new = ({"status": old}, {"status": status})
        log(conn, _RISK, point_id, "status", "status", *old_new, by, when, reason)

    db.transaction(work, write=True)


def set_status_many(
    db: Database, point_ids: Sequence[str], status: str, *, user: User, reason: str = ""
) -> int:
    """Move several risk points to one status in one transaction: all of them, or none.

    See :meth:`hotspots.store.Store.set_status_many`.
    """
    actor, reason = _status_change(user, status, reason)
    by = actor.display_name
    wanted = list(dict.fromkeys(str(point_id) for point_id in point_ids))
    if not wanted:
        return 0

    def work(conn: sa.Connection) -> int:
        rows = {row["point_id"]: row for row in _point_rows(conn, wanted)}
        problems = []
        for point_id in wanted:
            try:
                current = rows.get(point_id)
                if current is None:
                    raise unknown_feature(_RISK, point_id)
                require(actor, "review", commune_ids=[current["commune_id"]])
                check_transition(current["status"], status, point_id=point_id)
            except HotspotsError as error:
                problems.append(problem_of_error(error, feature_id=point_id))
        if problems:
            failed = [p.feature_id for p in problems]
            raise refusal(problems, "status_many_refused", count=len(failed), ids=", ".join(failed))
        _check_reason(status, reason)
        when = now()
        for point_id in wanted:
            current = rows[point_id]
            update_point(conn, current, {"status": status}, now=when, user=by)
            old_new = ({"status": current["status"]}, {"status": status})
            log(conn, _RISK, point_id, "status", "status", *old_new, by, when, reason)
        return len(wanted)

    return db.transaction(work, write=True)


def read_review_queue(db: Database, *, commune_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Return the pending risk points with who reported each and when.

    See :meth:`hotspots.store.Store.review_queue`.
    """
    communes = clean_ids(commune_ids)
    check_commune_filter(RISK_POINTS, communes)

    def work(conn: sa.Connection) -> gpd.GeoDataFrame:
        frame = select_points(conn, statuses=("pending",), commune_ids=communes)
        query = sa.select(risk_points.c.point_id, risk_points.c.created_at, risk_points.c.created_by).where(
            risk_points.c.status == "pending"
        )
        audit = {row.point_id: (row.created_at, row.created_by) for row in conn.execute(query)}
        ids = list(frame["point_id"])
        frame.insert(
            len(frame.columns) - 1,
            "created_at",
            pd.to_datetime([audit[i][0] for i in ids], utc=True, format="ISO8601"),
        )
        frame.insert(
            len(frame.columns) - 1, "created_by", pd.Series([audit[i][1] for i in ids], dtype=object)
        )
        return frame

    return db.transaction(work)


def _point_rows(conn: sa.Connection, point_ids: list[str]) -> list[dict]:
    """Return the stored rows of the given risk points (those that exist)."""
    query = sa.select(risk_points).where(risk_points.c.point_id.in_(point_ids))
    return [dict(row) for row in conn.execute(query).mappings()]


def find_point(conn: sa.Connection, point_id: str) -> dict | None:
    """Return the stored row of a risk point, ``None`` when there is none."""
    row = conn.execute(sa.select(risk_points).where(risk_points.c.point_id == point_id)).mappings().first()
    return dict(row) if row is not None else None


def point_row(conn: sa.Connection, point_id: str) -> dict:
    """Return the stored row of a risk point; raise the coded StoreError when there is none."""
    row = find_point(conn, point_id)
    if row is None:
        raise unknown_feature(_RISK, point_id)
    return row


def point_record(row: Mapping[str, Any], *, user: str, now: str, import_id: int | None = None) -> dict:
    """Turn one validated risk-point row into a ``risk_points`` row."""
    record = {f.name: db_value(f, row.get(f.name)) for f in RISK_POINTS.fields}
    geometry = row["geometry"]
    record.update(
        lon=float(geometry.x),
        lat=float(geometry.y),
        extra=extra_properties(RISK_POINTS, row),
        content_hash=content_hash(record["name"], geometry),
        version=1,
        import_id=import_id,
        created_at=now,
        created_by=user,
        updated_at=now,
        updated_by=user,
    )
    return record


def point_view(record: Mapping[str, Any]) -> dict:
    """Return a risk point as one flat JSON-ready dict: fields, extra properties, lon, lat."""
    view = {f.name: plain(record[f.name]) for f in RISK_POINTS.fields}
    view.update({k: plain(v) for k, v in record["extra"].items() if k not in view})
    view.update(lon=record["lon"], lat=record["lat"])
    return view


def update_point(
    conn: sa.Connection, current: Mapping, values: Mapping[str, Any], *, now: str, user: str
) -> None:
    """Write new values of a risk point, raising its version (the caller logs the change).

    Raises
    ------
    StoreError
        If the row changed since ``current`` was read (never under the write lock).
    """
    # Under the write lock nobody else changes the row; the version check guards against bugs.
    result = conn.execute(
        risk_points.update()
        .where(risk_points.c.point_id == current["point_id"], risk_points.c.version == current["version"])
        .values(**values, version=current["version"] + 1, updated_at=now, updated_by=user)
    )
    if result.rowcount != 1:
        raise coded_error(StoreError, "point_changed_while_saving", point_id=current["point_id"])


def _wanted_statuses(statuses: Iterable[str] | None, *, include_retired: bool) -> tuple[str, ...]:
    if statuses is None:
        return POINT_STATUSES if include_retired else MAPPED_STATUSES
    wanted = tuple(dict.fromkeys(statuses))
    unknown = [s for s in wanted if s not in POINT_STATUSES]
    if unknown:
        raise coded_error(
            SchemaError, "unknown_status", status="', '".join(unknown), statuses=", ".join(POINT_STATUSES)
        )
    return wanted
