"""Values between the store's rows, GeoJSON-like features and layer frames, and the checks every write makes.

Plain JSON-ready values (:func:`plain`), typed column values (:func:`db_value`), the
fingerprint that recognises a feature stored under another id (:func:`content_hash`),
and :func:`layer_frame`, which shapes rows read back into a frame exactly as the file
loaders shape a layer.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from shapely.geometry import mapping

from hotspots.config import MAX_TEXT_LENGTH, WGS84
from hotspots.errors import Problem, StoreError, ValidationError
from hotspots.i18n import coded_error, make_problem, message
from hotspots.schema import Field, LayerSchema
from hotspots.validation import typed_column

#: Row chunk for bulk inserts: SQLite binds at most 32,766 parameters per statement.
INSERT_CHUNK: Final = 1_000
#: Length of a degree of latitude, for quick boxes around a place.
METRES_PER_DEGREE: Final = 111_320.0


def feature(properties: Mapping[str, Any], geometry: shapely.Geometry) -> dict:
    """Return a GeoJSON-like feature for validation (missing values left out)."""
    props = {str(k): v for k, v in ((k, plain(v)) for k, v in properties.items()) if v is not None}
    return {"type": "Feature", "properties": props, "geometry": mapping(geometry)}


def frame_features(frame: gpd.GeoDataFrame) -> list[dict]:
    """Return a layer frame's rows as GeoJSON-like features."""
    columns = [c for c in frame.columns if c not in ("geometry", "source_index")]
    records = frame[columns].to_dict("records")
    return [feature(record, geom) for record, geom in zip(records, frame.geometry, strict=True)]


def extra_properties(schema: LayerSchema, row: Mapping[str, Any]) -> dict:
    """Properties the schema does not declare, without missing values."""
    known = {*schema.field_names, "geometry", "source_index"}
    extra = {}
    for key, value in row.items():
        if key in known:
            continue
        value = plain(value)
        if value is not None:
            extra[str(key)] = value
    return extra


def db_value(field: Field, value: Any) -> Any:
    """Convert a validated value to what the typed column stores (``None`` when missing)."""
    value = plain(value)
    if value is None:
        return [] if field.kind == "list" else None
    if field.kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if field.kind == "list":
        return [str(v) for v in value]
    if field.kind == "int":
        return int(value)
    if field.kind == "float":
        return float(value)
    if field.kind == "bool":
        return bool(value)
    return str(value)


def plain(value: Any) -> Any:
    """Return ``value`` as plain JSON-ready Python (dates as ISO text, ``None`` when missing)."""
    # The common cases first: this runs for every value of every row of an import.
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple | np.ndarray | pd.api.extensions.ExtensionArray):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight and value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return plain(value.item())
    return value


def content_hash(name: Any, geometry: shapely.Geometry) -> str:
    """Fingerprint of a feature without id: its name and its coordinates rounded to about a metre."""
    text = unicodedata.normalize("NFC", " ".join(str(name or "").split())).casefold()
    if geometry.geom_type == "Point":
        where = f"{geometry.x:.5f},{geometry.y:.5f}"
    else:
        where = shapely.set_precision(shapely.normalize(geometry), 1e-5).wkt
    return hashlib.sha256(f"{text}|{where}".encode()).hexdigest()


def clean_id(value: Any) -> str | None:
    """Return an id as stripped text, ``None`` when missing or blank."""
    value = plain(value)
    text = str(value).strip() if value is not None else ""
    return text or None


def clean_ids(values: Iterable[str] | None) -> list[str] | None:
    """Return a filter of ids as a list of text (one id alone is accepted too)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values]


def coordinates(lon: Any, lat: Any) -> tuple[float, float]:
    """Return longitude and latitude as finite floats.

    Raises
    ------
    ValidationError
        If either is not a finite number.
    """
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y)):
        problem = make_problem("coordinates_not_numbers", field="geometry", lon=repr(lon), lat=repr(lat))
        raise ValidationError([problem])
    return x, y


def bounded_text(text: str, label: str) -> str:
    """Return ``text``; raise a coded StoreError if it is longer than the store accepts."""
    text = str(text or "")
    if len(text) > MAX_TEXT_LENGTH:
        params = {"label": label, "length": len(text), "limit": MAX_TEXT_LENGTH}
        raise coded_error(StoreError, "text_too_long_store", **params)
    return text


def refusal(problems: Sequence[Problem], code: str, **params: object) -> ValidationError:
    """Return a ValidationError with every problem, summed up by a catalogue message (its code kept)."""
    return ValidationError(problems, summary=message(code, **params)).with_code(code, params)


def now() -> str:
    """Return the current UTC time as ISO 8601 text with milliseconds (history and audit columns)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def chunks(rows: list[dict]) -> Iterator[list[dict]]:
    """Split rows into bulk-insert chunks of :data:`INSERT_CHUNK`."""
    for start in range(0, len(rows), INSERT_CHUNK):
        yield rows[start : start + INSERT_CHUNK]


def as_text(column: sa.Column, kind: str) -> sa.ColumnElement:
    """Read dates and JSON lists as text: one bulk conversion beats one per value."""
    return sa.cast(column, sa.Text).label(column.name) if kind in ("date", "list") else column


def columns_of(rows: Sequence[sa.Row], width: int) -> list[list]:
    """Turn result rows into columns (``width`` empty lists when there are no rows)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def json_column(texts: Sequence[str | None]) -> list:
    """Decode a column of JSON texts in one parse (missing values become ``None``)."""
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")


def layer_frame(
    schema: LayerSchema, columns: Mapping[str, list], extras: Sequence[Mapping], geometry: Any
) -> gpd.GeoDataFrame:
    """Assemble a layer frame shaped exactly as the loaders shape it (see ``conform_columns``).

    Schema fields in order with their dtypes, then the extra properties
    (object columns, alphabetical), then ``geometry``.
    """
    # The store keeps lists as JSON text; decoded, every column takes the validator's dtypes.
    data = {
        f.name: typed_column(f, json_column(columns[f.name]) if f.kind == "list" else columns[f.name])
        for f in schema.fields
    }
    for name in sorted({k for e in extras if e for k in e} - set(data) - {"geometry"}):
        data[name] = pd.Series([e.get(name) if e else None for e in extras], dtype=object)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(geometry)))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84).values, crs=WGS84)
