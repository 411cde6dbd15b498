"""The append-only history: one row per change of one feature, written in the changing transaction.

Nothing is ever deleted from the store: points that are rejected or retired leave
the map but stay in the store, and every change appends exactly one row per
changed feature to ``history`` inside the transaction that makes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd
import sqlalchemy as sa

from hotspots.schema import get_layer_schema
from hotspots.store.engine import Database
from hotspots.store.ids import unknown_feature
from hotspots.store.migrations import history

#: Columns of :func:`read_history`, in order.
HISTORY_COLUMNS: Final = ("history_id", "point_id", "at", "user", "action", "what", "old", "new", "reason")


def read_history(db: Database, feature_id: str, *, layer: str) -> pd.DataFrame:
    """Return every change of one feature, oldest first (see :meth:`hotspots.store.Store.history`).

    Raises
    ------
    SchemaError
        If the layer is unknown.
    StoreError
        If there is no such feature.
    """
    get_layer_schema(layer)
    query = (
        sa.select(history)
        .where(history.c.layer == layer, history.c.feature_id == feature_id)
        .order_by(history.c.history_id)
    )
    rows = db.transaction(lambda conn: conn.execute(query).mappings().all())
    if not rows:
        raise unknown_feature(layer, feature_id)
    frame = pd.DataFrame([dict(r) for r in rows])
    frame = frame.rename(columns={"feature_id": "point_id"}).drop(columns="layer")
    return frame[list(HISTORY_COLUMNS)]


def log(
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
    """Append one history row (see :func:`history_row`)."""
    conn.execute(
        history.insert(), [history_row(layer, feature_id, action, what, old, new, user, now, reason)]
    )


def history_row(
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
    """Return one ``history`` row.

    Parameters
    ----------
    layer, feature_id
        Which feature changed.
    action
        ``add``, ``import``, ``seed``, ``edit``, ``status`` or ``inspection``.
    what
        What changed, in a few words (the fields, the file's name...).
    old, new
        The values before and after; ``old`` is ``None`` when the feature was created.
    user, now
        Who, and when (UTC ISO 8601).
    reason
        Why, when somebody said so.
    """
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
