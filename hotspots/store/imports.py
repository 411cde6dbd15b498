"""Importing files into the store: all or nothing, or the valid part with the rest listed; never twice.

A file (a path, or an upload's bytes with its name) is read and validated
outside the write lock, against a snapshot of the store, and checked again
under the lock only if the store changed meanwhile. Features already stored
(same id, or same name at the same place) are skipped, so importing a file
twice adds nothing the second time. Imported risk points wait for review as
``pending`` unless the import is explicitly approved. Seeding an empty store
from the shipped layers is an import too (its statuses are kept).

This module is the store's only reader of files (``read_layer_file`` and
``read_layer_bytes`` of :mod:`hotspots.validation`).
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from hotspots.config import NEAR_DUPLICATE_M
from hotspots.errors import StoreError
from hotspots.formats import file_sha256, load_geodata_layer
from hotspots.i18n import coded_error, make_problem, message
from hotspots.schema import LAYERS, RISK_POINTS, LayerSchema, get_layer_schema
from hotspots.store.engine import Database, is_empty, json_dumps, revision
from hotspots.store.history import history_row
from hotspots.store.ids import allocate_ids, note_ids
from hotspots.store.layers import GeographyCache, feature_record, feature_view, stored
from hotspots.store.migrations import features, history, imports, risk_points
from hotspots.store.permissions import SYSTEM, User, require
from hotspots.store.points import point_record, point_view
from hotspots.store.values import (
    METRES_PER_DEGREE,
    chunks,
    clean_id,
    content_hash,
    frame_features,
    now,
    plain,
    refusal,
)
from hotspots.validation import (
    ReferenceData,
    ValidationReport,
    read_layer_bytes,
    read_layer_file,
    validate_features,
)

_RISK: Final = RISK_POINTS.name

#: What :meth:`hotspots.store.Store.import_file` reads: a file's path, or an upload's bytes.
ImportSource = str | os.PathLike[str] | bytes


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
        CSV file listing the rejected features with their reasons, if one was written.
    rejected_csv
        The same CSV as bytes (UTF-8 with BOM), ``None`` when nothing was rejected;
        an upload's page offers it for download.
    pending_review
        Risk points added as ``pending``: they wait for review before they count
        as active. Without ``approved`` every added risk point.
    """

    added: int
    skipped_existing: int
    rejected: int
    rejected_path: Path | None = None
    rejected_csv: bytes | None = None
    pending_review: int = 0


@dataclass(frozen=True)
class _Source:
    """A file to import: its name (for the history and the format) and its path or bytes."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def read(self, schema: LayerSchema, reference: ReferenceData) -> ValidationReport:
        if self.data is not None:
            return read_layer_bytes(self.data, filename=self.name, layer=schema.name, reference=reference)
        return read_layer_file(self.path, layer=schema.name, reference=reference)

    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else file_sha256(self.path)

    def rejected_path(self, rejected_out: Path | str | None) -> Path | None:
        """Where the rejected rows go: ``rejected_out``, else beside a file; nowhere for bytes."""
        if rejected_out:
            return Path(rejected_out)
        return None if self.path is None else self.path.with_name(f"{self.path.stem}-rejected.csv")


def preview_import(
    db: Database,
    geography: GeographyCache,
    source: ImportSource,
    *,
    filename: str | None = None,
    layer: str = _RISK,
) -> ValidationReport:
    """Read and validate a file against the store, writing nothing.

    See :meth:`hotspots.store.Store.preview_import`.
    """
    _, report, _ = _check(db, geography, _source(source, filename), get_layer_schema(layer))
    return report


def import_file(
    db: Database,
    geography: GeographyCache,
    source: ImportSource,
    *,
    filename: str | None = None,
    layer: str = _RISK,
    user: User,
    skip_invalid: bool = False,
    rejected_out: Path | str | None = None,
    approved: bool = False,
) -> ImportResult:
    """Import a file in one transaction (see :meth:`hotspots.store.Store.import_file`).

    Reports (risk points held for review) need the ``report`` permission;
    approved risk points and every other layer need ``import_approved``; a user
    limited to some communes imports only features of those communes.
    """
    schema = get_layer_schema(layer)
    action = "report" if schema.name == _RISK and not approved else "import_approved"
    actor = require(user, action)
    by = actor.display_name
    upload = _source(source, filename)
    # Reading and checking a large file takes seconds: do it outside the write lock, against
    # a snapshot, and compare with the store again under the lock only if it changed since.
    first, report, seen = _check(db, geography, upload, schema)
    digest = upload.sha256()

    def work(conn: sa.Connection) -> ImportResult:
        checked = report
        if revision(conn) != seen:
            checked = _against_store(conn, geography, schema, first)
        _refuse_errors(checked, upload.name, skip_invalid=skip_invalid)
        new = checked.valid[_is_new(checked.valid, stored(conn, schema), schema)]
        communes = new["commune_id"] if "commune_id" in new.columns else [None] * len(new)
        require(actor, action, commune_ids=[clean_id(c) for c in communes])
        skipped = len(checked.valid) - len(new)
        rejected_csv = rejected_path = None
        if len(checked.rejected):
            rejected_csv = _rejected_csv(checked.rejected)
            rejected_path = upload.rejected_path(rejected_out)
            if rejected_path is not None:
                # Written inside the transaction: if it cannot be written, nothing is imported.
                rejected_path.parent.mkdir(parents=True, exist_ok=True)
                rejected_path.write_bytes(rejected_csv)
        counts = (len(new), skipped, len(checked.rejected))
        import_id = _record_import(conn, schema, upload.name, digest, counts, user=by)
        reasons = None
        if schema.name == _RISK and not approved:
            new, reasons = _held_for_review(new)
        pending = int((new["status"] == "pending").sum()) if schema.name == _RISK else 0
        options = {"user": by, "action": "import", "what": upload.name, "import_id": import_id}
        insert_new(conn, schema, new, reasons=reasons, **options)
        return ImportResult(
            added=len(new),
            skipped_existing=skipped,
            rejected=len(checked.rejected),
            rejected_path=rejected_path,
            rejected_csv=rejected_csv,
            pending_review=pending,
        )

    return db.transaction(work, write=True)


def seed_if_empty(db: Database, folder: Path) -> None:
    """Fill an empty store with the layers of ``folder`` (all in one transaction), statuses as shipped."""
    if not db.transaction(is_empty):
        return
    frames = {}
    for name in LAYERS:
        if (folder / f"{name}.geojson").exists():
            frames[name] = load_geodata_layer(name, folder)

    def work(conn: sa.Connection) -> None:
        if not is_empty(conn):
            return  # another process seeded it while we read the files
        for name, frame in frames.items():
            schema = get_layer_schema(name)
            file_name = f"{folder.name}/{name}.geojson"
            digest = file_sha256(folder / f"{name}.geojson")
            counts = (len(frame), 0, 0)
            import_id = _record_import(conn, schema, file_name, digest, counts, user=SYSTEM.name)
            options = {"user": SYSTEM.name, "action": "seed", "what": file_name, "import_id": import_id}
            insert_new(conn, schema, frame, **options)

    db.transaction(work, write=True)


def insert_new(
    conn: sa.Connection,
    schema: LayerSchema,
    frame: gpd.GeoDataFrame,
    *,
    user: str,
    action: str,
    what: str,
    import_id: int,
    reasons: Sequence[str] | None = None,
) -> None:
    """Insert validated new features and one history row each, allocating missing ids.

    ``reasons`` (one per row of ``frame``) go to the history rows' ``reason``.
    """
    if frame.empty:
        return
    rows = frame.to_dict("records")
    missing = [i for i, row in enumerate(rows) if clean_id(row.get(schema.id_field)) is None]
    for i, new_id in zip(missing, allocate_ids(conn, schema, len(missing)), strict=True):
        rows[i][schema.id_field] = new_id
    when = now()
    if schema.name == _RISK:
        table = risk_points
        records = [point_record(r, user=user, now=when, import_id=import_id) for r in rows]
        views = [(r["point_id"], point_view(r)) for r in records]
    else:
        table = features
        records = [feature_record(schema, r, user=user, now=when, import_id=import_id) for r in rows]
        views = [(r["feature_id"], feature_view(r, schema)) for r in records]
    reasons = reasons if reasons is not None else [""] * len(views)
    log = [
        history_row(schema.name, fid, action, what, None, view, user, when, reason)
        for (fid, view), reason in zip(views, reasons, strict=True)
    ]
    for chunk in chunks(records):
        conn.execute(table.insert(), chunk)
    for chunk in chunks(log):
        conn.execute(history.insert(), chunk)
    note_ids(conn, schema, [fid for fid, _ in views])


def _source(source: ImportSource, filename: str | None) -> _Source:
    """Name the file to import; bytes need ``filename`` (its extension picks the format)."""
    if isinstance(source, bytes | bytearray | memoryview):
        name = Path(str(filename or "").strip()).name
        if not name:
            raise coded_error(StoreError, "upload_needs_filename")
        return _Source(name=name, data=bytes(source))
    path = Path(source)
    return _Source(name=Path(filename).name if filename else path.name, path=path)


def _check(
    db: Database, geography: GeographyCache, upload: _Source, schema: LayerSchema
) -> tuple[ValidationReport, ValidationReport, int]:
    """Read and check a file, then against the store; return both reports and the store's revision."""
    reference = db.transaction(geography.reference)
    first = upload.read(schema, reference)

    def against_store(conn: sa.Connection) -> tuple[int, ValidationReport]:
        return revision(conn), _against_store(conn, geography, schema, first)

    seen, report = db.transaction(against_store)
    return first, report, seen


def _against_store(
    conn: sa.Connection, geography: GeographyCache, schema: LayerSchema, first: ValidationReport
) -> ValidationReport:
    """Check a file's valid features against the store; return one report in the file's numbering.

    Features already stored stay valid (an import skips them). New points
    that lie near a stored one are validated again with the stored points as
    ``existing``, which rejects near duplicates; ids cannot clash, since a
    feature whose id is stored counts as already stored.
    """
    in_store = stored(conn, schema)
    is_new = _is_new(first.valid, in_store, schema)
    suspects = first.valid[is_new & _near_stored(first.valid, in_store)] if schema.is_point_layer else []
    second = None
    if len(suspects):
        reference = geography.reference(conn).with_existing(in_store)
        second = validate_features(frame_features(suspects), layer=schema.name, reference=reference)
    rechecked = suspects["source_index"].to_numpy() if len(suspects) else np.array([], dtype=int)
    return _merge_reports(first, int((~is_new).sum()), second, rechecked)


def _held_for_review(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Make every risk point of an unapproved import ``pending``; say why where the file said otherwise."""
    given = [str(s) for s in frame["status"]]
    reasons = ["" if s == "pending" else message("import_held_for_review", status=s) for s in given]
    return frame.assign(status="pending"), reasons


def _is_new(valid: gpd.GeoDataFrame, in_store: gpd.GeoDataFrame, schema: LayerSchema) -> np.ndarray:
    """Mark features not in the store yet: neither their id nor their name and place is stored."""
    stored_ids = set(in_store[schema.id_field])
    stored_hashes = set(in_store["content_hash"])
    rows = zip(valid[schema.id_field], valid["name"], valid.geometry, strict=True)
    return np.array(
        [clean_id(i) not in stored_ids and content_hash(n, g) not in stored_hashes for i, n, g in rows],
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


def _near_stored(frame: gpd.GeoDataFrame, in_store: gpd.GeoDataFrame) -> np.ndarray:
    """Mark points within a few near-duplicate distances of a stored point (a quick test in degrees)."""
    if frame.empty or in_store.empty:
        return np.zeros(len(frame), dtype=bool)
    points = frame.geometry.to_numpy()
    highest = float(np.abs(shapely.get_y(points)).max())
    # Degrees of longitude shrink towards the poles: the margin is generous in every direction.
    margin = 4 * NEAR_DUPLICATE_M / METRES_PER_DEGREE / max(math.cos(math.radians(min(highest, 89.0))), 0.01)
    tree = shapely.STRtree(in_store.geometry.to_numpy())
    hits, _ = tree.query(points, predicate="dwithin", distance=margin)
    near = np.zeros(len(frame), dtype=bool)
    near[hits] = True
    return near


def _refuse_errors(report: ValidationReport, file_name: str, *, skip_invalid: bool) -> None:
    """Raise ValidationError unless the file is importable (with ``skip_invalid``: in part)."""
    file_errors = [p for p in report.errors if p.index is None]
    if not report.errors or (skip_invalid and not file_errors):
        return
    counts = {"file": file_name, "count": len(report.errors)}
    if file_errors:
        raise refusal(report.problems, "import_refused", **counts)
    raise refusal(report.problems, "import_refused_rows", **counts, rejected=len(report.rejected))


def _record_import(
    conn: sa.Connection,
    schema: LayerSchema,
    file_name: str,
    digest: str,
    counts: tuple[int, int, int],
    *,
    user: str,
) -> int:
    """Append the import's own row (file, digest, counts, who, when); return its id."""
    added, skipped, rejected = counts
    result = conn.execute(
        imports.insert().values(
            layer=schema.name,
            file_name=file_name,
            file_sha256=digest,
            added=added,
            skipped_existing=skipped,
            rejected=rejected,
            imported_at=now(),
            imported_by=user,
        )
    )
    return result.inserted_primary_key[0]


def _rejected_csv(rejected: pd.DataFrame) -> bytes:
    """Return rejected features with their reasons as UTF-8 CSV (with the BOM Excel needs)."""
    frame = rejected.copy()
    for column in frame.columns:
        frame[column] = frame[column].map(
            lambda v: json_dumps(plain(v)) if isinstance(v, (list, tuple, dict)) else v
        )
    return frame.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")
