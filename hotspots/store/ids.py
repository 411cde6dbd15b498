"""Ids of stored features: the next free ``PREFIX-0001``, and the error for an id the store lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa

from hotspots.errors import StoreError
from hotspots.i18n import coded_error
from hotspots.schema import LAYERS, RISK_POINTS, LayerSchema
from hotspots.store.migrations import features, risk_points, sequences

_RISK: Final = RISK_POINTS.name


def allocate_ids(conn: sa.Connection, schema: LayerSchema, count: int) -> list[str]:
    """Reserve ``count`` fresh ids ``PREFIX-0001``... (caller holds the write lock)."""
    if count == 0:
        return []
    prefix = schema.id_prefix
    start = conn.execute(sa.select(sequences.c.next_number).where(sequences.c.prefix == prefix)).scalar()
    if start is None:
        start = 1
        conn.execute(sequences.insert().values(prefix=prefix, next_number=1))
    taken = _existing_ids(conn, schema, [format_id(prefix, n) for n in range(start, start + count)])
    while taken:
        # Only ids written outside the store (another format of the same number) can collide.
        start += 1
        taken = _existing_ids(conn, schema, [format_id(prefix, n) for n in range(start, start + count)])
    conn.execute(sequences.update().where(sequences.c.prefix == prefix).values(next_number=start + count))
    return [format_id(prefix, n) for n in range(start, start + count)]


def note_ids(conn: sa.Connection, schema: LayerSchema, ids: Iterable[str]) -> None:
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


def format_id(prefix: str, number: int) -> str:
    """Return the id of a number, e.g. ``QN-0042``."""
    return f"{prefix}-{number:04d}"


def unknown_feature(layer: str, feature_id: str) -> StoreError:
    """Return the coded error for an id the store does not hold (naming what ids look like)."""
    example = format_id(LAYERS[layer].id_prefix, 1)
    if layer == _RISK:
        return coded_error(StoreError, "unknown_point", id=feature_id, example=example)
    return coded_error(StoreError, "unknown_feature", layer=layer, id=feature_id, example=example)


def _existing_ids(conn: sa.Connection, schema: LayerSchema, ids: list[str]) -> set[str]:
    if schema.name == _RISK:
        query = sa.select(risk_points.c.point_id).where(risk_points.c.point_id.in_(ids))
    else:
        query = sa.select(features.c.feature_id).where(
            features.c.layer == schema.name, features.c.feature_id.in_(ids)
        )
    return set(conn.execute(query).scalars())
