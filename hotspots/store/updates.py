"""Reports about a point already stored: a field user's "same place" report, kept in the point's history.

A new report within :data:`~hotspots.config.SAME_PLACE_M` of a stored point may be that
point again; when the reporter says it is, the report is attached to the point as an update
instead of making a second point. The point's fields do not change: the report (notes, who
reported, the photos' SHA-256) is one history row with action ``report``, and its photos are
stored with the point in the same transaction (:func:`hotspots.store.photos.store_photos`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from hotspots.errors import StoreError, ValidationError
from hotspots.formats import Photo
from hotspots.i18n import coded_error, make_problem
from hotspots.schema import MAPPED_STATUSES, RISK_POINTS
from hotspots.store.engine import Database
from hotspots.store.history import log
from hotspots.store.permissions import User, require
from hotspots.store.photos import checked_photos, store_photos
from hotspots.store.points import point_row
from hotspots.store.values import now
from hotspots.validation import clean_text

_RISK: Final = RISK_POINTS.name
#: The history action of a report attached to a stored point.
REPORT_ACTION: Final = "report"


def add_report_update(
    db: Database, folder: Path, point_id: str, *, notes: str, photos: Sequence[Photo] = (), user: User
) -> None:
    """Attach a field report to a stored risk point (see :meth:`hotspots.store.Store.add_report_update`).

    ``folder`` is the store's photos folder.
    """
    actor = require(user, "report")
    by = actor.display_name
    point_id = str(point_id)
    text = clean_text(notes, field="notes", feature_id=point_id)
    ready = checked_photos(photos)  # every photo read again from its bytes, once per hash
    if not text and not ready:
        raise ValidationError([make_problem("say_what_reported", field="notes", feature_id=point_id)])

    def work(conn: sa.Connection) -> None:
        current = point_row(conn, point_id)
        require(actor, "report", commune_ids=[current["commune_id"]])
        if current["status"] not in MAPPED_STATUSES:
            raise coded_error(
                StoreError, "report_point_not_mapped", point_id=point_id, status=current["status"]
            )
        when = now()
        hashes = store_photos(conn, folder, point_id, ready, user=by, when=when)
        new = {"notes": text, "reporter": by, "photos": hashes}
        log(conn, _RISK, point_id, REPORT_ACTION, "report", {}, new, by, when)

    db.transaction(work, write=True)
