"""Risk points as one compact JSON array for the browser: codes, name tables and fixed-point coordinates."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis import RESCUE_PREFIX, REVIEWED_STATUSES, SWIM_PREFIX, inspections_due
from hotspots.config import WGS84
from hotspots.i18n import DATE_FORMATS, ENUMERATIONS, label, t
from hotspots.maps.display import COORDINATE_DECIMALS
from hotspots.maps.formatting import is_missing

#: Coordinates travel as whole multiples of ``1 / FIXED_POINT`` degrees.
FIXED_POINT: Final = 10**COORDINATE_DECIMALS


class PointRows:
    """Risk points as compact rows for the browser, with every text already HTML-escaped.

    One row per point, fields in :attr:`FIELDS` order. ``lat`` and ``lon`` are whole
    1e-5 degrees (about 1 m) from :attr:`origin`, shorter than decimals. ``kind`` packs
    four codes as bit fields (:attr:`KIND_BITS`: coverage, risk level, status, water
    type, each an index into its label table, the last entry meaning "unknown") and one
    flag, ``overdue`` (1: a reviewed point whose inspection is overdue, see :meth:`from_table`).
    ``hazards`` is a bit mask over the hazard labels. ``commune``, ``inspected``,
    ``swim`` and ``rescue`` index the name tables of :meth:`tables` (``-1``: none);
    distances are whole metres (``-1`` without a facility). Everything is computed
    column-wise: 100,000 points take a fraction of a second.
    """

    FIELDS: Final = (
        "lat",
        "lon",
        "kind",
        "id",
        "name",
        "hazards",
        "commune",
        "inspected",
        "swim",
        "swim_m",
        "rescue",
        "rescue_m",
    )
    #: Bit offset and width of each code packed in ``kind``.
    KIND_BITS: Final = {
        "coverage": (0, 3),
        "risk_level": (3, 3),
        "status": (6, 3),
        "water_type": (9, 4),
        "overdue": (13, 1),
    }

    def __init__(
        self,
        frame: pd.DataFrame,
        tables: dict[str, list[str]],
        origin: tuple[float, float],
        black_spot: np.ndarray,
        pending: np.ndarray | None = None,
        overdue: np.ndarray | None = None,
    ) -> None:
        self._frame = frame
        self._tables = tables
        #: Latitude and longitude the rows' coordinates count from.
        self.origin = origin
        #: Which rows have the risk level ``black_spot`` (reviewed or not: see :attr:`pending`).
        self.black_spot = black_spot
        #: Which rows are reports awaiting review (status ``pending``): drawn apart, never counted.
        self.pending = np.zeros(len(frame), dtype=bool) if pending is None else pending
        #: Which rows are reviewed points whose inspection is overdue (the ``overdue`` bit of ``kind``).
        self.overdue = np.zeros(len(frame), dtype=bool) if overdue is None else overdue

    @classmethod
    def from_table(
        cls, table: gpd.GeoDataFrame, *, communes: gpd.GeoDataFrame, lang: str, today: date | None = None
    ) -> PointRows:
        """Prepare the rows of a coverage table (any CRS) in ``lang``.

        With ``today``, a reviewed point (active or mitigated; any point when the table has
        no status) whose inspection is overdue on that day
        (:func:`hotspots.analysis.inspections_due`) gets the ``overdue`` bit of ``kind``.
        """
        geometry = table.geometry.to_crs(WGS84) if len(table) and table.crs is not None else table.geometry
        coordinates = geometry.to_numpy()
        unknown = html.escape(t("popup.unknown", lang))
        tables: dict[str, list[str]] = {}
        lat, lon = shapely.get_y(coordinates), shapely.get_x(coordinates)
        origin = (float(np.floor(lat.min())), float(np.floor(lon.min()))) if len(table) else (0.0, 0.0)
        kind = np.zeros(len(table), dtype=np.int64)
        codes = {}
        for field, column in (
            ("coverage", "coverage_status"),
            ("risk_level", "risk_level"),
            ("status", "status"),
            ("water_type", "water_type"),
        ):
            values = ENUMERATIONS[field]
            tables[field] = [html.escape(label(field, v, lang)) for v in values] + [unknown]
            codes[field] = _codes(table, column, values)
            kind |= codes[field] << cls.KIND_BITS[field][0]
        columns: dict[str, object] = {
            "lat": np.round((lat - origin[0]) * FIXED_POINT).astype(np.int64),
            "lon": np.round((lon - origin[1]) * FIXED_POINT).astype(np.int64),
            "kind": kind,
            "id": _escaped_text(table, "point_id"),
            "name": _escaped_text(table, "name"),
        }
        tables["hazard"] = [html.escape(label("hazard", v, lang)) for v in ENUMERATIONS["hazard"]]
        columns["hazards"] = _hazard_masks(table)
        commune_names = (
            dict(zip(communes["commune_id"], communes["name"], strict=False)) if len(communes) else {}
        )
        columns["commune"] = _factorize(
            table["commune_id"].map(commune_names) if "commune_id" in table.columns else None,
            tables,
            "commune",
            index=table.index,
        )
        columns["inspected"] = _factorize(_dates(table, lang), tables, "date", index=table.index)
        for prefix, key in ((SWIM_PREFIX, "swim"), (RESCUE_PREFIX, "rescue")):
            columns[key], columns[f"{key}_m"] = _facility_columns(table, prefix, tables, key)
        overdue = _overdue(table, today)
        columns["kind"] = kind | (overdue.astype(np.int64) << cls.KIND_BITS["overdue"][0])
        frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table)))[list(cls.FIELDS)]
        black = _has_value(table, "risk_level", "black_spot")
        pending = _has_value(table, "status", "pending")
        return cls(frame, tables, origin, black, pending, overdue)

    @property
    def latlng(self) -> np.ndarray:
        """``(n, 2)`` array of latitude, longitude."""
        return self._frame[["lat", "lon"]].to_numpy(dtype=float) / FIXED_POINT + np.array(self.origin)

    @property
    def ids(self) -> np.ndarray:
        """The points' ids, HTML-escaped as the rows carry them (the popups' keys)."""
        return self._frame["id"].to_numpy(dtype=object)

    def tables(self) -> dict[str, list[str]]:
        """Labels and names the rows' integer codes point into."""
        return self._tables

    def fingerprint(self) -> str:
        """Return a short hash of the rows, their tables and origin: equal rows, equal fingerprint."""
        digest = hashlib.sha256(pd.util.hash_pandas_object(self._frame, index=False).to_numpy().tobytes())
        digest.update(json.dumps([self._tables, self.origin], ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:20]

    def to_json(self, mask: np.ndarray) -> str:
        """Serialise the rows selected by a boolean ``mask`` as one JSON array."""
        text = self._frame[mask].to_json(orient="values", force_ascii=False)
        # Texts are escaped, so no "<" can close the script; the replace keeps it that way regardless.
        return text.replace("<", "\\u003c")


def point_layers(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which rows of a coverage table each point layer of the map draws, as boolean arrays.

    ``pending``: reports awaiting review, drawn apart whatever their risk level (never as black
    spots, never in the coverage counts); ``black_spots``: the other black spots, markers of their
    own that are never clustered; ``cluster``: every other point. Each row is in exactly one.
    """
    black = _has_value(table, "risk_level", "black_spot")
    pending = _has_value(table, "status", "pending")
    return {"cluster": ~black & ~pending, "black_spots": black & ~pending, "pending": pending}


def _has_value(table: pd.DataFrame, column: str, value: str) -> np.ndarray:
    if column not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return (table[column] == value).to_numpy(dtype=bool)


def _overdue(table: pd.DataFrame, today: date | None) -> np.ndarray:
    """Which rows are reviewed points whose inspection is overdue on ``today`` (none without ``today``)."""
    needed = {"point_id", "risk_level", "last_inspected"}
    if today is None or not len(table) or not needed <= set(table.columns):
        return np.zeros(len(table), dtype=bool)
    due = inspections_due(table[sorted(needed)], today=today)
    late = (due["inspection_status"] == "overdue").to_numpy(dtype=bool)
    if "status" in table.columns:
        late = late & table["status"].isin(REVIEWED_STATUSES).to_numpy(dtype=bool)
    return late


def _dates(table: pd.DataFrame, lang: str) -> pd.Series | None:
    if "last_inspected" not in table.columns:
        return None
    stamps = pd.to_datetime(table["last_inspected"], errors="coerce")
    return stamps.dt.strftime(DATE_FORMATS[lang])


def _factorize(
    values: pd.Series | None, tables: dict[str, list[str]], key: str, *, index: pd.Index
) -> np.ndarray:
    """Integer codes into a new table of distinct escaped texts (``-1`` for missing values)."""
    if values is None:
        tables[key] = []
        return np.full(len(index), -1)
    codes, uniques = pd.factorize(values)
    tables[key] = [html.escape(str(v)) for v in uniques]
    return codes


def _codes(table: pd.DataFrame, column: str, values: Sequence[str]) -> np.ndarray:
    if column not in table.columns:
        return np.full(len(table), len(values), dtype=int)
    codes = pd.Categorical(table[column], categories=list(values)).codes.astype(int)
    # Unknown values point at the extra "unknown" label at the end of the table.
    return np.where(codes < 0, len(values), codes)


def _facility_columns(
    table: pd.DataFrame, prefix: str, tables: dict[str, list[str]], key: str
) -> tuple[np.ndarray, np.ndarray]:
    name_column, distance_column = f"{prefix}_name", f"{prefix}_distance_m"
    if name_column not in table.columns:
        tables[key] = []
        return np.full(len(table), -1), np.full(len(table), -1)
    distances = table[distance_column].to_numpy(dtype=float)
    codes = _factorize(table[name_column].where(~np.isnan(distances), None), tables, key, index=table.index)
    return codes, np.where(np.isnan(distances), -1, np.round(distances)).astype(int)


def _escaped_text(table: pd.DataFrame, column: str) -> np.ndarray:
    """HTML-escape a text column in one pass over the column (missing values become "")."""
    if column not in table.columns:
        return np.full(len(table), "", dtype=object)
    text = table[column].astype("string").fillna("")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.str.replace(char, entity, regex=False)
    return text.to_numpy(dtype=object)


def _hazard_masks(table: pd.DataFrame) -> np.ndarray:
    """Bit mask of each point's hazards (bit i: the i-th hazard of the schema)."""
    if "hazards" not in table.columns or not len(table):
        return np.zeros(len(table), dtype=int)
    hazards = table["hazards"].reset_index(drop=True)
    if hazards.map(lambda v: isinstance(v, str)).any():
        hazards = hazards.map(_as_list)
    bits = {name: 1 << i for i, name in enumerate(ENUMERATIONS["hazard"])}
    exploded = hazards.explode().map(bits).dropna()
    # A hazard listed twice must not carry into the next bit: add distinct bits only.
    pairs = pd.DataFrame({"point": exploded.index, "bit": exploded.to_numpy(dtype=int)}).drop_duplicates()
    masks = pairs.groupby("point")["bit"].sum()
    return masks.reindex(range(len(table)), fill_value=0).to_numpy(dtype=int)


def _as_list(value: object) -> list[str]:
    if is_missing(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return [str(v) for v in json.loads(text)]
            except json.JSONDecodeError:
                pass
        return [part.strip() for part in text.split(",") if part.strip()]
    return [str(v) for v in value]  # type: ignore[union-attr]
