"""A layer frame's columns: the schema's order, and one dtype per field kind, for every layer frame."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.schema import Field, get_layer_schema

_LIST_SEPARATORS = re.compile(r"[;,]")


def conform_columns(gdf: gpd.GeoDataFrame, *, layer: str) -> gpd.GeoDataFrame:
    """Give a layer's GeoDataFrame the schema's columns, order and dtypes.

    Missing optional fields are added with their defaults. Fields come first in schema order,
    then the other columns in their order, then ``geometry``. Dtypes: ``int`` → ``Int64``,
    ``float`` → ``float64``, ``bool`` → ``bool``, ``list`` → Python lists, dates → ISO text,
    other text → ``str``.

    Parameters
    ----------
    gdf
        Features of the layer (for example as read by pyogrio).
    layer
        Name of the layer.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame; ``gdf`` is not modified.
    """
    schema = get_layer_schema(layer)
    out = gdf.copy()
    for f in schema.fields:
        if f.name not in out.columns:
            out[f.name] = [field_default(f)] * len(out)
        out[f.name] = _column_as(f, out[f.name])
    geometry_name = out.geometry.name
    others = [c for c in out.columns if c not in schema.field_names and c != geometry_name]
    out = out[[*schema.field_names, *others, geometry_name]]
    if geometry_name != "geometry":
        out = out.rename_geometry("geometry")
    return out


def typed_column(f: Field, values: Sequence[Any], *, index: pd.Index | None = None) -> pd.Series:
    """Type a field's normalised values with the dtype of its kind (the dtypes of every layer frame).

    Parameters
    ----------
    f
        The schema field.
    values
        Normalised Python values, ``None`` when missing (a missing ``bool`` takes the default).
    index
        Index of the result.

    Returns
    -------
    pandas.Series
        ``Int64`` (int), ``float64`` (float), ``bool`` (or ``boolean`` when a value stays
        missing), object of Python lists (list), ``str`` otherwise (missing is NaN).
    """
    if f.kind == "int":
        return pd.Series(pd.array(list(values), dtype="Int64"), index=index)
    if f.kind == "float":
        return pd.Series([math.nan if v is None else v for v in values], index=index, dtype="float64")
    if f.kind == "bool":
        filled = [f.default if v is None else v for v in values]
        return pd.Series(filled, index=index, dtype="boolean" if None in filled else "bool")
    if f.kind == "list":
        return pd.Series([[] if v is None else v for v in values], index=index, dtype=object)
    return pd.Series(list(values), index=index, dtype="str")


def field_default(f: Field) -> Any:
    """Return the value a missing field takes: its default (a fresh list for list fields)."""
    return list(f.default) if isinstance(f.default, tuple) else f.default


def is_missing(value: Any) -> bool:
    """Tell whether a property value is missing: None, NA, NaT, a float NaN, or blank text."""
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is int or kind is list:
        return False
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return False


def split_items(value: Any) -> list[Any] | None:
    """Return the items of a list value: a list, a JSON list in text, or text split at ``;`` or ``,``.

    Returns ``None`` when the value is neither a sequence nor text.
    """
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return parsed
    return [part for part in _LIST_SEPARATORS.split(text) if part.strip()]


def _column_as(f: Field, column: pd.Series) -> pd.Series:
    """Convert one column of trusted data to the Python values of its field kind, then type it."""
    if f.kind == "date" and pd.api.types.is_datetime64_any_dtype(column):
        column = column.dt.strftime("%Y-%m-%d")
    convert: Callable[[Any], Any] = {
        "int": int,
        "float": float,
        "bool": bool,
        "list": lambda v: [str(x) for x in (split_items(v) or [])],
    }.get(f.kind, _as_text)
    missing = _is_missing_list if f.kind == "list" else is_missing
    values = [field_default(f) if missing(v) else convert(v) for v in column]
    return typed_column(f, values, index=column.index)


def _is_missing_list(value: Any) -> bool:
    return not isinstance(value, list | tuple | np.ndarray) and is_missing(value)


def _as_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
