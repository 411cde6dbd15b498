"""What validation found: the problem log kept while checking, the parsed features, and the report.

:class:`ValidationReport` is what every reader and validator returns: the accepted features,
every problem, and one row per rejected feature with its reasons.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.config import WGS84
from hotspots.errors import Problem, ValidationError
from hotspots.formats import typed_column
from hotspots.i18n import make_problem
from hotspots.schema import LayerSchema

#: Columns of :attr:`ValidationReport.rejected`.
REJECTED_COLUMNS: Final = ("source_index", "feature_id", "reasons", "properties", "lon", "lat")


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """What validation found in one batch of features.

    Parameters
    ----------
    layer
        Name of the layer the features were checked against.
    valid
        Accepted (possibly repaired) features in EPSG:4326: the layer's fields in schema
        order, then any extra properties (kept, never dropped), then ``source_index`` (0-based
        position in the input) and ``geometry``.
    problems
        Every error and warning, whole-file problems first, then in input order.
    rejected
        One row per rejected feature: ``source_index``, ``feature_id``, ``reasons`` (the error
        messages joined by "; "), ``properties`` (the input properties as JSON text), ``lon``,
        ``lat`` (NaN when the feature has no usable location).
    """

    layer: str
    valid: gpd.GeoDataFrame
    problems: tuple[Problem, ...]
    rejected: pd.DataFrame

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that rejected a feature or the whole file."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems that were repaired; the features were kept."""
        return tuple(p for p in self.problems if p.severity != "error")

    @property
    def ok(self) -> bool:
        """Whether there is no error at all (warnings allowed)."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`~hotspots.errors.ValidationError` listing every error, if any.

        Raises
        ------
        ValidationError
            When at least one feature, or the file as a whole, has an error.
        """
        if self.errors:
            total = len(self.valid) + len(self.rejected)
            summary = (
                f"{len(self.errors)} problem(s) found in layer '{self.layer}': "
                f"{len(self.rejected)} of {total} feature(s) rejected"
            )
            raise ValidationError(self.errors, summary)


class ProblemLog:
    """Problems found so far, and which features have an error."""

    def __init__(self, file_problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(file_problems)
        self.bad: set[int] = set()
        self.reasons: dict[int, list[str]] = {}

    @property
    def file_errors(self) -> list[Problem]:
        """Errors about the whole file (they reject every feature)."""
        return [p for p in self.problems if p.index is None and p.severity == "error"]

    def add(
        self, severity: str, code: str, index: Any, fid: str | None, field: str | None, **params: Any
    ) -> None:
        """Record the problem ``code`` of the catalogue (hotspots.i18n), filled with ``params``."""
        index = None if index is None else int(index)
        problem = make_problem(code, index=index, feature_id=fid, field=field, severity=severity, **params)
        self.problems.append(problem)
        if severity == "error" and index is not None:
            self.bad.add(index)
            text = problem.message
            self.reasons.setdefault(index, []).append(f"{field}: {text}" if field else text)

    def file_warning(self, code: str, field: str | None = None, **params: Any) -> None:
        """Record a warning about the whole file."""
        self.add("warning", code, None, None, field, **params)

    def file_error(self, code: str, field: str | None = None, **params: Any) -> None:
        """Record an error about the whole file."""
        self.add("error", code, None, None, field, **params)

    def sorted(self) -> tuple[Problem, ...]:
        """Return every problem, whole-file ones first, then in input order."""
        return tuple(sorted(self.problems, key=lambda p: -1 if p.index is None else p.index))


@dataclass
class ParsedFeatures:
    """Column-wise result of parsing every feature."""

    ids: list[str | None]
    records: list[dict[str, Any]]
    extras: list[dict[str, Any]]
    raw_properties: list[Any]
    geoms: np.ndarray
    geometry_ok: np.ndarray


def build_report(parsed: ParsedFeatures, *, schema: LayerSchema, log: ProblemLog) -> ValidationReport:
    """Split the parsed features into accepted and rejected ones, as the layer's typed frame."""
    n = len(parsed.records)
    file_errors = log.file_errors
    if file_errors:
        bad = np.ones(n, dtype=bool)
    else:
        bad = np.zeros(n, dtype=bool)
        bad[list(log.bad)] = True
    keep = np.flatnonzero(~bad)
    records = [parsed.records[i] for i in keep]
    columns: dict[str, Any] = {f.name: typed_column(f, [r[f.name] for r in records]) for f in schema.fields}
    extra_names: dict[str, None] = {}
    for i in keep:
        extra_names.update(dict.fromkeys(parsed.extras[i]))
    for name in extra_names:
        # Extras keep their Python values (an int stays an int), so they are object columns.
        columns[name] = pd.Series([parsed.extras[i].get(name) for i in keep], dtype=object)
    columns["source_index"] = pd.Series(keep, dtype="int64")
    valid = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(parsed.geoms[keep], crs=WGS84))
    return ValidationReport(
        layer=schema.name,
        valid=valid,
        problems=log.sorted(),
        rejected=_rejected_frame(parsed, np.flatnonzero(bad), log, file_errors),
    )


# --------------------------------------------------------------------------------------
# Private helpers: the rejected rows


def _rejected_frame(
    parsed: ParsedFeatures, bad: np.ndarray, log: ProblemLog, file_errors: list[Problem]
) -> pd.DataFrame:
    file_reasons = [p.message for p in file_errors]
    rows = []
    for i in bad:
        geom = parsed.geoms[i]
        lon = lat = math.nan
        if geom is not None and not geom.is_empty:
            lon, lat = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
        rows.append(
            {
                "source_index": int(i),
                "feature_id": parsed.ids[i],
                "reasons": "; ".join([*file_reasons, *log.reasons.get(int(i), [])]),
                "properties": json.dumps(
                    _jsonable(parsed.raw_properties[i]), ensure_ascii=False, default=str
                ),
                "lon": float(lon),
                "lat": float(lat),
            }
        )
    frame = pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))
    return frame.astype({"source_index": "int64", "lon": "float64", "lat": "float64"})


def _jsonable(value: Any) -> Any:
    """Replace NaN and numpy values so the result is valid JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value
