"""Cell values shared by the readers and writers: blanks, plain Python values, the formula guard."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

# Spreadsheets run cells starting with these as formulas (CSV injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def guard_formula(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula; plain numbers pass.

    Every table export (CSV, XLSX) passes its text cells through this guard.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unguard_formula(value: Any) -> Any:
    """Undo :func:`guard_formula` when reading a table back."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def is_blank(value: Any) -> bool:
    """Tell whether a cell is empty: missing, or text of only spaces."""
    return is_na(value) or (isinstance(value, str) and not value.strip())


def is_na(value: Any) -> bool:
    """Tell whether a value is absent: None, NaN, NA or NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def plain_value(value: Any) -> Any:
    """Turn numpy and pandas scalars into Python ones; dates and times into ISO text."""
    if isinstance(value, np.ndarray):
        return [plain_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_value(value: Any) -> Any:
    """Make a value JSON-ready: NaN and NA → None, numpy → Python, dates → ISO text."""
    if isinstance(value, list | tuple | np.ndarray):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if is_na(value):
        return None
    return plain_value(value)


def map_text(column: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """Apply ``function`` to the text values of a column, leaving other values alone."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return column
    values = [function(v) if isinstance(v, str) else v for v in column]
    return pd.Series(values, index=column.index, dtype=column.dtype)
