"""Validation of incoming features: the boundary the rest of the app trusts.

Everything that enters the app (an uploaded file, a form, an import into the store) goes
through :func:`validate_features` or :func:`validate_geojson`. They gather every problem
before reporting, repair what can be repaired safely (with a warning), and return the accepted
features as a GeoDataFrame in EPSG:4326 with the layer's columns in schema order.

Spatial checks (inside the province, swapped latitude/longitude, near-duplicates, commune
lookup) are vectorised with shapely 2 array functions and measured in metres in EPSG:32648.
Only parsing the JSON-like input loops over features in Python.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hotspots.config import (
    COASTAL_TOLERANCE_M,
    GEODATA_DIR,
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    MAX_TEXT_LENGTH,
    METRIC_CRS,
    NEAR_DUPLICATE_M,
    WGS84,
)
from hotspots.errors import Problem, UnreadableFileError, ValidationError
from hotspots.i18n import Phrase, coded_error, make_problem
from hotspots.schema import Field, LayerSchema, get_layer_schema
from hotspots.validation.reference import NO_REFERENCE, ReferenceData

#: Vietnamese (and a few English) words accepted for enum values, per canonical value.
#: A label only applies to fields that allow its value, so "hồ" is ``lake_reservoir`` for
#: ``water_type`` and ``lake`` for ``venue_type``.
VALUE_LABELS: Final[dict[str, tuple[str, ...]]] = {
    "sea": ("biển", "bãi biển", "vịnh"),
    "river": ("sông",),
    "stream": ("suối", "khe suối"),
    "lake_reservoir": ("hồ", "hồ chứa", "hồ chứa nước", "lake", "reservoir"),
    "pond": ("ao",),
    "canal": ("kênh", "mương", "kênh mương"),
    "pit_quarry": ("hố", "hố sâu", "moong", "hố khai thác", "pit", "quarry"),
    "well": ("giếng",),
    "other": ("khác",),
    "black_spot": ("điểm đen", "blackspot"),
    "high": ("cao", "nguy cơ cao"),
    "medium": ("trung bình", "vừa"),
    "low": ("thấp",),
    "pending": ("chờ duyệt", "chờ xác minh"),
    "active": ("đang theo dõi", "hoạt động"),
    "rejected": ("từ chối", "bị từ chối"),
    "mitigated": ("đã khắc phục",),
    "retired": ("ngừng theo dõi",),
    "deep_water": ("nước sâu",),
    "steep_bank": ("bờ dốc",),
    "strong_current": ("nước chảy xiết", "nước xiết", "dòng chảy mạnh"),
    "tidal_flow": ("thủy triều", "thuỷ triều", "triều cường"),
    "slippery_edge": ("bờ trơn", "trơn trượt"),
    "mud_bottom": ("đáy bùn", "bùn lầy"),
    "no_fence": ("không có rào chắn", "không rào chắn"),
    "no_warning_sign": ("không có biển báo", "không biển báo"),
    "no_rescue_equipment": ("không có dụng cụ cứu hộ", "không có phao cứu sinh"),
    "unsupervised_swimming": ("tắm không có người giám sát", "tắm không giám sát"),
    "near_school": ("gần trường học", "gần trường"),
    "near_homes": ("gần khu dân cư", "gần nhà dân"),
    "boat_traffic": ("tàu thuyền qua lại", "tàu thuyền"),
    "flash_flood": ("lũ quét", "lũ ống"),
    "pool": ("bể bơi", "hồ bơi"),
    "portable_pool": ("bể bơi di động", "bể bơi lắp ghép"),
    "river_enclosure": ("khu quây trên sông", "bãi tắm sông"),
    "sea_beach": ("bãi tắm biển",),
    "lake": ("hồ",),
    "children": ("trẻ em", "học sinh"),
    "parents": ("phụ huynh", "cha mẹ"),
    "teachers": ("giáo viên",),
    "community": ("cộng đồng", "người dân"),
    "lifeguards": ("cứu hộ viên", "nhân viên cứu hộ"),
    "playground": ("sân chơi", "khu vui chơi"),
    "cultural_house": ("nhà văn hóa", "nhà văn hoá"),
    "school_yard": ("sân trường",),
    "sports_ground": ("sân thể thao", "sân vận động"),
    "park": ("công viên",),
}

#: Column headings (spreadsheets, KML, GPX) accepted for schema fields, besides the field name
#: itself written in any case or with spaces. Only fields the layer has are matched.
FIELD_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "name": ("tên", "tên điểm", "tên địa điểm", "địa điểm"),
    "water_type": ("loại nước", "loại vùng nước", "loại mặt nước"),
    "risk_level": ("mức độ", "mức độ nguy hiểm", "mức độ nguy cơ", "mức nguy cơ"),
    "hazards": ("nguy cơ", "các nguy cơ", "yếu tố nguy hiểm"),
    "commune_id": ("mã xã",),
    "status": ("trạng thái",),
    "source": ("nguồn",),
    "last_inspected": ("ngày kiểm tra",),
    "notes": ("ghi chú", "mô tả", "description", "desc"),
    "organiser": ("đơn vị tổ chức", "organizer"),
    "start_date": ("ngày bắt đầu",),
    "end_date": ("ngày kết thúc",),
    "capacity": ("số chỗ",),
    "participants": ("số người tham gia",),
    "date": ("ngày",),
    "audience": ("đối tượng",),
    "venue_type": ("loại địa điểm",),
    "kind": ("loại",),
    "children_under_16": ("số trẻ em dưới 16 tuổi", "trẻ em dưới 16"),
    "has_play_space": ("có điểm vui chơi", "có sân chơi"),
    "unit_type": ("loại đơn vị",),
    "illustrative": ("minh họa", "minh hoạ"),
}
#: Headings read as the layer's id field, whatever it is called (point_id, class_id...).
ID_ALIASES: Final = ("id", "mã", "mã điểm")

#: Columns of :attr:`ValidationReport.rejected`.
REJECTED_COLUMNS: Final = ("source_index", "feature_id", "reasons", "properties", "lon", "lat")

_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "có", "co", "đúng", "dung", "x", "t"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "0", "không", "khong", "sai", "f"})
_GEOMETRY_DEPTH: Final = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_GEOMETRY_TYPES: Final = frozenset({*_GEOMETRY_DEPTH, "GeometryCollection"})
_RESERVED_COLUMNS: Final = frozenset({"geometry", "source_index"})
# Points closer than this share a grid cell and are within NEAR_DUPLICATE_M of each other
# (cell diagonal < NEAR_DUPLICATE_M), which keeps the pair search linear on hostile files.
_CELL_M: Final = NEAR_DUPLICATE_M / math.sqrt(2) * 0.99
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z]*)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_KEY_SEPARATORS = re.compile(r"[\s_\-]+")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LIST_SEPARATORS = re.compile(r"[;,]")
#: One problem found by a value normaliser: (severity, message code, message values).
_Issue = tuple[str, str, dict[str, Any]]
_NO_PROBLEMS: Final[tuple[_Issue, ...]] = ()


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


def validate_geojson(
    data: bytes | str | Mapping[str, Any] | Sequence[Any],
    *,
    layer: str = "risk_points",
    reference: ReferenceData = NO_REFERENCE,
    tolerance_m: float = COASTAL_TOLERANCE_M,
    crs: str | None = None,
) -> ValidationReport:
    """Validate a GeoJSON document given as bytes, text or already-parsed JSON.

    Parameters
    ----------
    data
        The document. Bytes are decoded (UTF-8 with or without BOM, UTF-16, else legacy
        Vietnamese Windows-1258 with a warning). A bare Feature, a bare geometry or a JSON list
        of features is accepted and wrapped, with a warning.
    layer, reference, tolerance_m
        As in :func:`validate_features`.
    crs
        Reference system of the coordinates when the document has no legacy ``crs`` member.

    Returns
    -------
    ValidationReport
        Accepted features, every problem and the rejected features.

    Raises
    ------
    UnreadableFileError
        When the bytes are not JSON at all (the message gives line and column), are empty,
        nest deeper than ``MAX_JSON_DEPTH`` or exceed ``MAX_FILE_BYTES``.
    SchemaError
        When ``layer`` is not a known layer.
    """
    schema = get_layer_schema(layer)
    file_problems: list[Problem] = []
    if isinstance(data, bytes | bytearray | memoryview | str):
        data, file_problems = parse_json(data)
    features, declared_crs, shape_problems = _unwrap_geojson(data)
    file_problems.extend(shape_problems)
    return _validate(
        features,
        schema=schema,
        reference=reference,
        tolerance_m=tolerance_m,
        crs=declared_crs if declared_crs is not None else crs,
        file_problems=file_problems,
    )


def validate_features(
    features: Iterable[Any],
    *,
    layer: str = "risk_points",
    reference: ReferenceData = NO_REFERENCE,
    tolerance_m: float = COASTAL_TOLERANCE_M,
    crs: str | None = None,
) -> ValidationReport:
    """Check GeoJSON-like features against a layer's schema and the map.

    Parameters
    ----------
    features
        GeoJSON-like Feature dicts (``{"type": "Feature", "geometry": ..., "properties": ...}``).
    layer
        Name of the layer in :data:`hotspots.schema.LAYERS`.
    reference
        The province, its communes and the features already stored
        (:class:`~hotspots.validation.ReferenceData`); by default the shipped province outline.
    tolerance_m
        How far outside the province outline a feature may lie, in metres (coasts and the
        simplified outline).
    crs
        Reference system of the coordinates (anything pyproj accepts). ``None`` means
        longitude/latitude WGS 84; anything else is converted, with a warning.

    Returns
    -------
    ValidationReport
        Accepted features, every problem and the rejected features.

    Raises
    ------
    SchemaError
        When ``layer`` is not a known layer.
    """
    schema = get_layer_schema(layer)
    return _validate(
        list(features),
        schema=schema,
        reference=reference,
        tolerance_m=tolerance_m,
        crs=crs,
        file_problems=[],
    )


def parse_json(data: bytes | bytearray | memoryview | str) -> tuple[Any, list[Problem]]:
    """Parse JSON text or bytes safely, with messages a field worker understands.

    Parameters
    ----------
    data
        The document; bytes are decoded with :func:`decode_text`.

    Returns
    -------
    tuple
        The parsed value and the whole-file warnings (for example an encoding conversion).

    Raises
    ------
    UnreadableFileError
        Empty, too large, nested deeper than ``MAX_JSON_DEPTH`` (checked before parsing, so a
        hostile file cannot exhaust the stack) or not JSON (with line and column).
    """
    problems: list[Problem] = []
    if isinstance(data, str):
        check_file_size(len(data.encode("utf-8", "surrogatepass")))
        text = data
    else:
        raw = bytes(data)
        check_file_size(len(raw))
        text, problems = decode_text(raw)
    if not text.strip():
        raise coded_error(UnreadableFileError, "file_empty")
    depth = json_nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise coded_error(UnreadableFileError, "json_too_deep", depth=depth, limit=MAX_JSON_DEPTH)
    try:
        return json.loads(text), problems
    except json.JSONDecodeError as exc:
        params = {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        raise coded_error(UnreadableFileError, "json_invalid_at", **params) from None
    except (ValueError, RecursionError) as exc:
        raise coded_error(UnreadableFileError, "json_invalid", error=exc) from None


def decode_text(raw: bytes) -> tuple[str, list[Problem]]:
    """Decode the bytes of a text file: UTF-8 (BOM or not), UTF-16, else Windows-1258.

    Parameters
    ----------
    raw
        The file's bytes.

    Returns
    -------
    tuple
        The text (NFC-normalised when it was converted from Windows-1258, whose Vietnamese
        letters are written as base letter plus tone mark) and a warning when it was not UTF.

    Raises
    ------
    UnreadableFileError
        When no supported encoding can decode the bytes.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_or_refuse(raw, "utf-16"), []
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    # UTF-16 without a byte-order mark: ASCII characters leave a zero byte beside them.
    head = raw[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return _decode_or_refuse(raw, "utf-16-le"), []
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return _decode_or_refuse(raw, "utf-16-be"), []
    text = unicodedata.normalize("NFC", _decode_or_refuse(raw, "cp1258"))
    return text, [make_problem("not_utf8", severity="warning")]


def check_file_size(n_bytes: int) -> None:
    """Refuse input larger than ``MAX_FILE_BYTES``.

    Raises
    ------
    UnreadableFileError
        With the size and the limit in MB.
    """
    if n_bytes > MAX_FILE_BYTES:
        size_mb, limit_mb = n_bytes / 1024 / 1024, MAX_FILE_BYTES / 1024 / 1024
        raise coded_error(UnreadableFileError, "file_too_large", size_mb=size_mb, limit_mb=limit_mb)


def json_nesting_depth(text: str) -> int:
    """Return the deepest bracket nesting of JSON text without parsing it.

    Brackets inside strings are ignored. Runs in C-speed passes (regular expressions and
    numpy), so a 50 MB file of ``[`` is measured in well under a second without recursion.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii")
    deepest, depth = 0, 0
    chunk = 1 << 20
    for start in range(0, len(brackets), chunk):
        codes = np.frombuffer(brackets[start : start + chunk], dtype=np.uint8)
        steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int64)
        running = depth + np.cumsum(steps)
        deepest = max(deepest, int(running.max()))
        depth = int(running[-1])
    return deepest


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
            out[f.name] = [_default(f)] * len(out)
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


# --------------------------------------------------------------------------------------
# Private helpers: the pipeline


class _Log:
    """Problems found so far, and which features have an error."""

    def __init__(self, file_problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(file_problems)
        self.bad: set[int] = set()
        self.reasons: dict[int, list[str]] = {}

    @property
    def file_errors(self) -> list[Problem]:
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
        self.add("warning", code, None, None, field, **params)

    def file_error(self, code: str, field: str | None = None, **params: Any) -> None:
        self.add("error", code, None, None, field, **params)

    def sorted(self) -> tuple[Problem, ...]:
        return tuple(sorted(self.problems, key=lambda p: -1 if p.index is None else p.index))


@dataclass(frozen=True)
class _Rules:
    """A layer's field rules, compiled once: key matching and one normaliser per field."""

    schema: LayerSchema
    key_to_field: dict[str, str]
    normalisers: dict[str, Callable[[Any], tuple[Any, tuple[_Issue, ...]]]]


@dataclass
class _Parsed:
    """Column-wise result of parsing every feature."""

    ids: list[str | None]
    records: list[dict[str, Any]]
    extras: list[dict[str, Any]]
    raw_properties: list[Any]
    geoms: np.ndarray
    geometry_ok: np.ndarray


def _validate(
    features: list[Any],
    *,
    schema: LayerSchema,
    reference: ReferenceData,
    tolerance_m: float,
    crs: Any,
    file_problems: list[Problem],
) -> ValidationReport:
    province, communes, existing = reference.province, reference.communes, reference.existing
    log = _Log(file_problems)
    if features is None:
        features = []
    elif not features:
        log.file_error("no_features")
    transformer = _source_transformer(crs, log)
    parsed = _parse_all(features, _rules(schema.name), log)
    if log.file_errors:
        # Unknown CRS or no features: the places cannot be checked, the values still are.
        parsed.geometry_ok[:] = False
    elif transformer is not None and parsed.geometry_ok.any():
        ok = parsed.geometry_ok
        parsed.geoms[ok] = shapely.transform(parsed.geoms[ok], _apply(transformer))
    _check_places(parsed, schema=schema, province=province, tolerance_m=tolerance_m, log=log)
    if schema.is_point_layer:
        _check_near_duplicates(parsed, existing=existing, id_field=schema.id_field, log=log)
    _check_ids(parsed, schema=schema, existing=existing, log=log)
    if "commune_id" in schema.field_names and communes is not None:
        _check_communes(parsed, communes=communes, tolerance_m=tolerance_m, log=log)
    _check_date_order(parsed, schema=schema, log=log)
    return _report(parsed, schema=schema, log=log)


def _unwrap_geojson(data: Any) -> tuple[list[Any] | None, Any, list[Problem]]:
    """Find the features (and a legacy ``crs`` member) in parsed GeoJSON."""
    if isinstance(data, list):
        return data, None, [make_problem("json_list", severity="warning")]
    if not isinstance(data, dict):
        return None, None, [make_problem("json_not_geojson", kind=type(data).__name__)]
    kind = data.get("type")
    declared_crs = data.get("crs")
    if kind == "Feature":
        return [data], declared_crs, [make_problem("single_feature", severity="warning")]
    if isinstance(kind, str) and kind in _GEOMETRY_TYPES:
        warning = make_problem("bare_geometry_file", severity="warning", kind=kind)
        feature = {"type": "Feature", "geometry": data, "properties": {}}
        return [feature], declared_crs, [warning]
    features = data.get("features")
    if not isinstance(features, list):
        shown = _show(kind) if kind is not None else Phrase("kind.no_type")
        return None, None, [make_problem("not_feature_collection", shown=shown)]
    return features, declared_crs, []


def _source_transformer(crs: Any, log: _Log) -> pyproj.Transformer | None:
    """Return a transformer to WGS 84 for a declared CRS, or None when already lon/lat."""
    if crs is None:
        return None
    name = _crs_name(crs)
    try:
        source = pyproj.CRS.from_user_input(name) if name is not None else None
    except pyproj.exceptions.CRSError:
        source = None
    if source is None:
        log.file_error("unknown_crs", field="crs", crs=_show(name if name else crs))
        return None
    if _is_wgs84(source):
        return None
    log.file_warning("crs_converted", field="crs", crs=source.to_string(), crs_name=source.name)
    return _transformer(source.to_wkt(), WGS84)


def _crs_name(crs: Any) -> str | None:
    """Return the CRS text of a legacy GeoJSON ``crs`` member (or of a plain string)."""
    if isinstance(crs, str):
        return crs
    if isinstance(crs, pyproj.CRS):
        return crs.to_wkt()
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        props = crs["properties"]
        if crs.get("type") == "name" and isinstance(props.get("name"), str):
            return props["name"]
        if str(crs.get("type", "")).lower() == "epsg" and isinstance(props.get("code"), int | str):
            return f"EPSG:{props['code']}"
    return None


def _parse_all(features: list[Any], rules: _Rules, log: _Log) -> _Parsed:
    n = len(features)
    parsed = _Parsed(
        ids=[None] * n,
        records=[{}] * n,
        extras=[{}] * n,
        raw_properties=[None] * n,
        geoms=np.full(n, None, dtype=object),
        geometry_ok=np.zeros(n, dtype=bool),
    )
    point_xy = np.full((n, 2), np.nan)
    is_point = np.zeros(n, dtype=bool)
    key_cache: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
    for i, feature in enumerate(features):
        feature, props, geometry, feature_problems = _split_feature(feature)
        given, extras = _sort_properties(props, rules, key_cache)
        fid = _feature_id(given.get(rules.schema.id_field), feature)
        if fid is not None and _is_missing(given.get(rules.schema.id_field)):
            given[rules.schema.id_field] = fid  # the GeoJSON "id" member stands in for the id property
        parsed.ids[i] = fid
        parsed.raw_properties[i] = props
        for severity, code, params in feature_problems:
            log.add(severity, code, i, fid, None, **params)
        parsed.records[i] = _normalise_properties(given, rules, i, fid, log)
        parsed.extras[i] = extras
        result = _parse_geometry(geometry, rules.schema, i, fid, log)
        if isinstance(result, tuple):
            point_xy[i] = result
            is_point[i] = True
        elif result is not None:
            parsed.geoms[i] = result
            parsed.geometry_ok[i] = True
    if is_point.any():
        parsed.geoms[is_point] = shapely.points(point_xy[is_point])
        parsed.geometry_ok[is_point] = True
    return parsed


def _split_feature(feature: Any) -> tuple[Any, dict[str, Any], Any, list[_Issue]]:
    """Return (feature, properties, geometry, problems) for one item of the feature list."""
    problems: list[_Issue] = []
    if not isinstance(feature, dict):
        problems.append(("error", "not_a_feature", {"kind": _kind(feature)}))
        return {}, {}, None, problems
    kind = feature.get("type")
    if isinstance(kind, str) and kind in _GEOMETRY_DEPTH and "geometry" not in feature:
        problems.append(("warning", "bare_geometry_feature", {"kind": kind}))
        return {}, {}, feature, problems
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        problems.append(("error", "bad_properties", {"kind": _kind(props)}))
        props = {}
    return feature, props, feature.get("geometry"), problems


def _feature_id(value: Any, feature: Any) -> str | None:
    """Return the feature's id for messages: the id property, else the GeoJSON ``id`` member."""
    for candidate in (value, feature.get("id") if isinstance(feature, dict) else None):
        if isinstance(candidate, str) and candidate.strip():
            return unicodedata.normalize("NFC", candidate.strip())[:100]
        if isinstance(candidate, numbers.Integral) and not isinstance(candidate, bool):
            return str(candidate)
    return None


def _sort_properties(
    props: dict[str, Any], rules: _Rules, key_cache: dict[tuple[str, ...], list[tuple[str, str | None]]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split properties into schema fields (matched by name or alias) and extra properties."""
    keys = tuple(str(k) for k in props)
    plan = key_cache.get(keys)
    if plan is None:
        plan = key_cache[keys] = _match_keys(keys, rules)
    given: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for (key, field_name), value in zip(plan, props.values(), strict=True):
        if field_name is None:
            extras[key] = value
        else:
            given[field_name] = value
    return given, extras


def _normalise_properties(
    given: dict[str, Any], rules: _Rules, index: int, fid: str | None, log: _Log
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for f in rules.schema.fields:
        value = given.get(f.name)
        if _is_missing(value):
            if f.required and f.default is None:
                log.add("error", "required_missing", index, fid, f.name, name=f.name)
            record[f.name] = _default(f)
            continue
        value, problems = rules.normalisers[f.name](value)
        for severity, code, params in problems:
            log.add(severity, code, index, fid, f.name, **params)
        record[f.name] = value
    return record


def _match_keys(keys: tuple[str, ...], rules: _Rules) -> list[tuple[str, str | None]]:
    """Map each property key to a schema field (exact name first, then aliases) or None."""
    taken = {k for k in keys if k in rules.schema.field_names}
    plan: list[tuple[str, str | None]] = []
    for key in keys:
        if key in rules.schema.field_names:
            plan.append((key, key))
            continue
        field_name = rules.key_to_field.get(_key(key))
        if field_name is not None and field_name not in taken:
            taken.add(field_name)
            plan.append((key, field_name))
        elif key in _RESERVED_COLUMNS:
            plan.append((f"{key}_property", None))
        else:
            plan.append((key, None))
    return plan


@cache
def _rules(layer: str) -> _Rules:
    schema = get_layer_schema(layer)
    key_to_field: dict[str, str] = {}
    for f in schema.fields:
        for alias in FIELD_ALIASES.get(f.name, ()):
            key_to_field[_key(alias)] = f.name
    for alias in ID_ALIASES:
        key_to_field[_key(alias)] = schema.id_field
    for f in schema.fields:
        key_to_field[_key(f.name)] = f.name
    normalisers = {f.name: _normaliser(f) for f in schema.fields}
    return _Rules(schema=schema, key_to_field=key_to_field, normalisers=normalisers)


def _parse_geometry(raw: Any, schema: LayerSchema, index: int, fid: str | None, log: _Log) -> Any:
    """Parse one GeoJSON geometry.

    Returns ``(x, y)`` for a valid point, a shapely geometry for other valid shapes, or None
    when the geometry is rejected (the problems are logged).
    """
    if raw is None:
        log.add("error", "geometry_null", index, fid, "geometry")
        return None
    if not isinstance(raw, dict):
        log.add("error", "geometry_not_object", index, fid, "geometry", kind=_kind(raw))
        return None
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in _GEOMETRY_TYPES:
        accepted = " or ".join(schema.geometry_types)
        log.add(
            "error", "unknown_geometry_type", index, fid, "geometry", shown=_show(kind), accepted=accepted
        )
        return None
    single_point = kind == "MultiPoint" and schema.is_point_layer
    if kind not in schema.geometry_types and not single_point:
        accepted = " or ".join(schema.geometry_types)
        log.add(
            "error",
            "wrong_geometry_type",
            index,
            fid,
            "geometry",
            kind=kind,
            layer=schema.name,
            accepted=accepted,
        )
        return None
    notes: dict[str, tuple[str, dict[str, Any]]] = {}
    coords = _clean_coordinates(raw.get("coordinates"), _GEOMETRY_DEPTH[kind], notes)
    for code, (severity, params) in notes.items():
        log.add(severity, code, index, fid, "geometry", **params)
    if coords is None or any(severity == "error" for severity, _ in notes.values()):
        return None
    if single_point:
        if len(coords) != 1:
            log.add("error", "multipoint_many", index, fid, "geometry", count=len(coords))
            return None
        log.add("warning", "multipoint_one", index, fid, "geometry")
        coords, kind = coords[0], "Point"
    if kind == "Point":
        return coords[0], coords[1]
    return _build_shape(kind, coords, index, fid, log)


def _clean_coordinates(value: Any, depth: int, notes: dict[str, tuple[str, dict[str, Any]]]) -> Any:
    """Check coordinates nested ``depth`` lists deep; numbers become floats, heights are dropped.

    The depth comes from the geometry type (at most 3), so hostile nesting cannot recurse deeply.
    """
    if depth == 0:
        return _clean_position(value, notes)
    if not isinstance(value, list | tuple) or not value:
        notes["coordinates_not_nested"] = ("error", {})
        return None
    out = []
    for item in value:
        cleaned = _clean_coordinates(item, depth - 1, notes)
        if cleaned is None:
            return None
        out.append(cleaned)
    return out


def _clean_position(value: Any, notes: dict[str, tuple[str, dict[str, Any]]]) -> tuple[float, float] | None:
    if not isinstance(value, list | tuple) or len(value) < 2:
        notes["position_needs_two"] = ("error", {})
        return None
    numbers_: list[float] = []
    for item in value[:2]:
        if type(item) is float or type(item) is int:
            number = float(item)
        elif item is None:
            notes["coordinate_missing"] = ("error", {})
            return None
        elif isinstance(item, bool) or not isinstance(item, numbers.Real | str):
            notes["coordinate_not_number"] = ("error", {"value": _show(item)})
            return None
        elif isinstance(item, str):
            try:
                number = float(item.strip())
            except ValueError:
                notes["coordinate_not_number"] = ("error", {"value": _show(item)})
                return None
            notes["coordinates_as_text"] = ("warning", {})
        else:
            number = float(item)
        if math.isnan(number):
            notes["coordinate_nan"] = ("error", {})
            return None
        if math.isinf(number):
            notes["coordinate_infinite"] = ("error", {})
            return None
        numbers_.append(number)
    if len(value) > 2:
        notes["height_dropped"] = ("warning", {})
    return numbers_[0], numbers_[1]


def _build_shape(kind: str, coords: Any, index: int, fid: str | None, log: _Log) -> shapely.Geometry | None:
    try:
        geom = shapely.geometry.shape({"type": kind, "coordinates": coords})
    except (ValueError, TypeError, shapely.errors.GEOSException):
        log.add("error", "shape_cannot_draw", index, fid, "geometry", kind=kind)
        return None
    if geom.is_empty:
        log.add("error", "shape_empty", index, fid, "geometry", kind=kind)
        return None
    if not geom.is_valid and kind in ("Polygon", "MultiPolygon"):
        repaired = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        if repaired.is_empty:
            log.add("error", "shape_no_area", index, fid, "geometry", kind=kind)
            return None
        log.add("warning", "outline_repaired", index, fid, "geometry")
        return repaired
    return geom


def _check_places(
    parsed: _Parsed, *, schema: LayerSchema, province: shapely.Geometry | None, tolerance_m: float, log: _Log
) -> None:
    """Range, swapped latitude/longitude and inside-the-province checks, vectorised."""
    ok = np.flatnonzero(parsed.geometry_ok)
    if ok.size == 0:
        return
    bounds = shapely.bounds(parsed.geoms[ok])
    in_range = _in_degree_range(bounds)
    metres = (np.abs(bounds) > 180).any(axis=1)
    if schema.name != "province" and province is None:
        province = _default_province()
        if province is None:
            log.file_warning("no_province_outline")
    check_province = schema.name != "province" and province is not None and not province.is_empty
    near = np.zeros(ok.size, dtype=bool)
    swapped = np.zeros(ok.size, dtype=bool)
    distance_km = np.full(ok.size, np.nan)
    if check_province:
        outline = _province_outline(province)
        idx = np.flatnonzero(in_range)
        near[idx] = _near_outline(_to_metric(parsed.geoms[ok[idx]]), outline, tolerance_m)
        # A swapped point often has latitude > 90 (Vietnam's longitudes are > 100), so try the
        # swap before calling the coordinates projected.
        candidates = np.flatnonzero(~near)
        flipped = shapely.transform(parsed.geoms[ok[candidates]], lambda xy: xy[:, ::-1])
        flip_range = _in_degree_range(shapely.bounds(flipped))
        keep = candidates[flip_range]
        swapped[keep] = _near_outline(_to_metric(flipped[flip_range]), outline, tolerance_m)
        far = np.flatnonzero(in_range & ~near & ~swapped)
        far_metric = _to_metric(parsed.geoms[ok[far]])
        measurable = np.isfinite(shapely.bounds(far_metric)).all(axis=1)
        if measurable.any():
            _, dist = outline.tree.query_nearest(
                far_metric[measurable], return_distance=True, all_matches=False
            )
            distance_km[far[measurable]] = dist / 1000
    accepted = in_range & (near | (not check_province))
    for j in np.flatnonzero(~accepted):
        i = ok[j]
        parsed.geometry_ok[i] = False
        fid = parsed.ids[i]
        x, y = (float(c) for c in shapely.get_coordinates(parsed.geoms[i])[0])
        params: dict[str, Any] = {"x": x, "y": y}
        if swapped[j]:
            code = "swapped"
        elif metres[j]:
            code = "projected_coordinates"
        elif not in_range[j]:
            code, params = "impossible_latitude", {"y": y}
        elif np.isfinite(distance_km[j]):
            code = "outside_province"
            params.update(distance_km=float(distance_km[j]), tolerance_m=tolerance_m)
        else:
            code = "outside_province_far"
            params.update(tolerance_m=tolerance_m)
        log.add("error", code, int(i), fid, "geometry", **params)


def _in_degree_range(bounds: np.ndarray) -> np.ndarray:
    """Tell which bounding boxes (minx, miny, maxx, maxy) are valid longitudes and latitudes."""
    return (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)


def _check_near_duplicates(
    parsed: _Parsed, *, existing: gpd.GeoDataFrame | None, id_field: str, log: _Log
) -> None:
    """Points closer than NEAR_DUPLICATE_M to an earlier point or to a stored point."""
    ok = np.flatnonzero(parsed.geometry_ok)
    metric = _to_metric(parsed.geoms[ok])
    xy = shapely.get_coordinates(metric)
    # Without a province outline a point may lie where UTM 48N is undefined (infinite).
    finite = np.isfinite(xy).all(axis=1)
    ok, metric, xy = ok[finite], metric[finite], xy[finite]
    if ok.size == 0:
        return
    found: dict[int, tuple[int, float]] = {}
    # Every point in a grid cell is within NEAR_DUPLICATE_M of the cell's first point; only
    # each cell's first point needs a tree search, so the number of pairs stays linear.
    cells = np.floor(xy / _CELL_M).astype(np.int64)
    _, first, inverse = np.unique(cells, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    cell_first = first[inverse]
    for j in np.flatnonzero(cell_first != np.arange(xy.shape[0])):
        found[int(j)] = (int(cell_first[j]), float(np.hypot(*(xy[j] - xy[cell_first[j]]))))
    tree = shapely.STRtree(metric)
    reps, others = tree.query(metric[first], predicate="dwithin", distance=NEAR_DUPLICATE_M)
    reps = first[reps]
    earlier = others < reps
    reps, others = reps[earlier], others[earlier]
    dist = np.hypot(*(xy[reps] - xy[others]).T)
    close = dist < NEAR_DUPLICATE_M
    for j, k, d in sorted(
        zip(reps[close], others[close], dist[close], strict=True), key=lambda t: (t[0], t[1])
    ):
        found.setdefault(int(j), (int(k), float(d)))
    for j, (k, d) in sorted(found.items()):
        i, other = int(ok[j]), int(ok[k])
        other_id = parsed.ids[other]
        who = Phrase("who.feature_id", {"number": other + 1, "id": other_id}) if other_id else None
        _log_near(log, d, who or Phrase("who.feature", {"number": other + 1}), i, parsed.ids[i])
    if existing is not None and len(existing):
        _check_near_existing(parsed, ok, metric, existing, id_field, log)


def _check_near_existing(
    parsed: _Parsed, ok: np.ndarray, metric: np.ndarray, existing: gpd.GeoDataFrame, id_field: str, log: _Log
) -> None:
    stored = _as_wgs84(existing)
    points = stored.geometry.values
    usable = np.flatnonzero(~(shapely.is_missing(points) | shapely.is_empty(points)))
    if usable.size == 0:
        return
    stored_metric = _to_metric(np.asarray(points)[usable])
    tree = shapely.STRtree(stored_metric)
    new, old = tree.query(metric, predicate="dwithin", distance=NEAR_DUPLICATE_M)
    dist = shapely.distance(metric[new], stored_metric[old])
    stored_ids = list(existing[id_field]) if id_field in existing.columns else None
    reported: set[int] = set()
    for j, k, d in zip(new, old, dist, strict=True):
        if d >= NEAR_DUPLICATE_M or j in reported:
            continue
        reported.add(int(j))
        stored_id = stored_ids[usable[k]] if stored_ids is not None else None
        who = Phrase("who.stored_id", {"id": stored_id}) if stored_id else Phrase("who.stored")
        i = int(ok[j])
        _log_near(log, float(d), who, i, parsed.ids[i])


def _log_near(log: _Log, distance_m: float, who: Phrase, index: int, fid: str | None) -> None:
    if distance_m < 0.05:
        log.add("error", "same_place", index, fid, "geometry", who=who)
        return
    log.add(
        "error", "too_close", index, fid, "geometry", distance_m=distance_m, who=who, min_m=NEAR_DUPLICATE_M
    )


def _check_ids(parsed: _Parsed, *, schema: LayerSchema, existing: gpd.GeoDataFrame | None, log: _Log) -> None:
    first_seen: dict[str, int] = {}
    stored = set()
    if existing is not None and schema.id_field in existing.columns:
        stored = {str(v) for v in existing[schema.id_field].dropna()}
    for i, record in enumerate(parsed.records):
        fid = record.get(schema.id_field)
        if not isinstance(fid, str) or not fid:
            continue
        if fid in first_seen:
            log.add("error", "duplicate_id", i, fid, schema.id_field, id=fid, other=first_seen[fid] + 1)
        else:
            first_seen[fid] = i
        if fid in stored:
            log.add("error", "id_already_stored", i, fid, schema.id_field, id=fid)


def _check_communes(parsed: _Parsed, *, communes: gpd.GeoDataFrame, tolerance_m: float, log: _Log) -> None:
    """Fill a missing commune_id from the map; refuse a commune_id the map does not know."""
    if "commune_id" not in communes.columns:
        return
    communes = _as_wgs84(communes)
    ids = [str(v) for v in communes["commune_id"]]
    names = [str(v) for v in communes["name"]] if "name" in communes.columns else [""] * len(ids)
    known = set(ids)
    missing: list[int] = []
    for i, record in enumerate(parsed.records):
        commune_id = record.get("commune_id")
        if commune_id is None:
            if parsed.geometry_ok[i]:
                missing.append(i)
        elif commune_id not in known:
            examples = ", ".join(f"{c} ({n})" for c, n in list(zip(ids, names, strict=True))[:5])
            params = {"value": _show(commune_id), "count": len(known), "examples": examples}
            log.add("error", "unknown_commune", i, parsed.ids[i], "commune_id", **params)
    if not missing:
        return
    rows = np.array(missing)
    points = shapely.point_on_surface(parsed.geoms[rows])
    geometries = np.asarray(communes.geometry.values)
    found = np.full(rows.size, -1)
    pos, commune = shapely.STRtree(geometries).query(points, predicate="within")
    found[pos[::-1]] = commune[::-1]  # the first commune wins where communes overlap
    lost = np.flatnonzero(found < 0)
    if lost.size:
        metric_tree = shapely.STRtree(_to_metric(geometries))
        pos, commune = metric_tree.query_nearest(
            _to_metric(points[lost]), max_distance=tolerance_m, all_matches=False
        )
        found[lost[pos]] = commune
    for i, k in zip(rows.tolist(), found.tolist(), strict=True):
        fid = parsed.ids[i]
        if k < 0:
            log.add("warning", "no_commune_found", i, fid, "commune_id")
            continue
        parsed.records[i]["commune_id"] = ids[k]
        log.add("warning", "commune_filled", i, fid, "commune_id", commune_id=ids[k], name=names[k])


def _check_date_order(parsed: _Parsed, *, schema: LayerSchema, log: _Log) -> None:
    if not {"start_date", "end_date"} <= set(schema.field_names):
        return
    for i, record in enumerate(parsed.records):
        start, end = record.get("start_date"), record.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            log.add("error", "end_before_start", i, parsed.ids[i], "end_date", end=end, start=start)


def _report(parsed: _Parsed, *, schema: LayerSchema, log: _Log) -> ValidationReport:
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


def _rejected_frame(parsed: _Parsed, bad: np.ndarray, log: _Log, file_errors: list[Problem]) -> pd.DataFrame:
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


# --------------------------------------------------------------------------------------
# Private helpers: values


def _normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[_Issue, ...]]]:
    if f.kind == "enum":
        return _enum_normaliser(f)
    if f.kind == "list":
        return _list_normaliser(f)
    simple = {"str": _text, "date": _date, "bool": _bool, "int": _int, "float": _float}[f.kind]
    if f.minimum is None:
        return simple
    minimum = f.minimum

    def bounded(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
        number, problems = simple(value)
        if number is not None and number < minimum:
            return None, (("error", "below_minimum", {"minimum": minimum, "value": number}),)
        return number, problems

    return bounded


def _text(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
    if type(value) is not str and isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None, (("error", "not_text", {"kind": _kind(value)}),)
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > MAX_TEXT_LENGTH:
        return None, (("error", "text_too_long", {"length": len(text), "limit": MAX_TEXT_LENGTH}),)
    problems: list[_Issue] = []
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        problems.append(("warning", "control_chars", {}))
    if _HTML.search(text):
        problems.append(("warning", "html_like", {}))
    return text, tuple(problems) or _NO_PROBLEMS


def _enum_normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[_Issue, ...]]]:
    lookup = _label_lookup(f.allowed)
    hint = _labels_hint(f.allowed)

    def normalise(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
        if isinstance(value, str):
            found = _lookup(value, lookup)
            if found is not None:
                return found, _NO_PROBLEMS
        params = {"value": _show(value), "allowed": ", ".join(f.allowed), "hint": hint}
        return None, (("error", "not_allowed", params),)

    return normalise


def _list_normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[_Issue, ...]]]:
    lookup = _label_lookup(f.allowed) if f.allowed else {}
    hint = _labels_hint(f.allowed)

    def normalise(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
        items = _as_items(value)
        if items is None:
            return None, (("error", "not_list", {"kind": _kind(value)}),)
        out: list[str] = []
        unknown: list[str] = []
        for item in items:
            if not isinstance(item, str):
                unknown.append(_show(item))
                continue
            found = _lookup(item, lookup) if lookup else unicodedata.normalize("NFC", item).strip()
            if found is None:
                unknown.append(_show(item))
            elif found and found not in out:
                out.append(found)
        if unknown:
            params = {"items": ", ".join(unknown), "allowed": ", ".join(f.allowed), "hint": hint}
            return None, (("error", "items_not_allowed", params),)
        return out, _NO_PROBLEMS

    return normalise


def _as_items(value: Any) -> list[Any] | None:
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


def _date(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d") if isinstance(
            value, dt.datetime
        ) else value.isoformat(), _NO_PROBLEMS
    if not isinstance(value, str):
        return None, (("error", "not_date_kind", {"kind": _kind(value)}),)
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST_DATE.fullmatch(text)
        if not match:
            return None, (("error", "not_date", {"value": _show(value)}),)
        day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return None, (("error", "bad_month", {"value": _show(value), "month": month}),)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        params = {"value": _show(value), "month_name": Phrase(f"month.{month}"), "year": year, "days": days}
        return None, (("error", "bad_day", params),)
    return f"{year:04d}-{month:02d}-{day:02d}", _NO_PROBLEMS


def _bool(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
    if isinstance(value, bool | np.bool_):
        return bool(value), _NO_PROBLEMS
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value), _NO_PROBLEMS
    if isinstance(value, str):
        word = unicodedata.normalize("NFC", value).strip().casefold()
        if word in _TRUE_WORDS:
            return True, _NO_PROBLEMS
        if word in _FALSE_WORDS:
            return False, _NO_PROBLEMS
    return None, (("error", "not_yes_no", {"value": _show(value)}),)


def _int(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return int(value), _NO_PROBLEMS
    number, problems = _float(value)
    if number is None:
        return None, problems
    if not number.is_integer():
        return None, (("error", "not_whole", {"value": _show(value)}),)
    return int(number), _NO_PROBLEMS


def _float(value: Any) -> tuple[Any, tuple[_Issue, ...]]:
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None, (("error", "not_number", {"value": _show(value)}),)
    else:
        return None, (("error", "not_number_kind", {"kind": _kind(value)}),)
    if not math.isfinite(number):
        return None, (("error", "not_finite", {"value": _show(value)}),)
    return number, _NO_PROBLEMS


def _label_lookup(allowed: Sequence[str]) -> dict[str, str]:
    """Keys accepted for each allowed value: the value, its labels, and both without accents."""
    exact: dict[str, str] = {}
    plain: dict[str, set[str]] = {}
    for value in allowed:
        for word in (value, *VALUE_LABELS.get(value, ())):
            exact.setdefault(_key(word), value)
            plain.setdefault(_plain(_key(word)), set()).add(value)
    lookup = {k: next(iter(v)) for k, v in plain.items() if len(v) == 1}
    lookup.update(exact)  # words written with their accents always win over accent-less ones
    return lookup


def _lookup(value: str, lookup: dict[str, str]) -> str | None:
    key = _key(value)
    found = lookup.get(key)
    return found if found is not None else lookup.get(_plain(key))


def _labels_hint(allowed: Sequence[str]) -> Phrase | str:
    examples = [f"'{VALUE_LABELS[v][0]}'" for v in allowed if VALUE_LABELS.get(v)][:3]
    return Phrase("hint.vietnamese_words", {"examples": ", ".join(examples)}) if examples else ""


def _key(text: str) -> str:
    return _KEY_SEPARATORS.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _default(f: Field) -> Any:
    return list(f.default) if isinstance(f.default, tuple) else f.default


def _is_missing(value: Any) -> bool:
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


def _column_as(f: Field, column: pd.Series) -> pd.Series:
    """Convert one column of trusted data to the Python values of its field kind, then type it."""
    if f.kind == "date" and pd.api.types.is_datetime64_any_dtype(column):
        column = column.dt.strftime("%Y-%m-%d")
    convert: Callable[[Any], Any] = {
        "int": int,
        "float": float,
        "bool": bool,
        "list": lambda v: [str(x) for x in (_as_items(v) or [])],
    }.get(f.kind, _as_text)
    missing = _is_missing_list if f.kind == "list" else _is_missing
    values = [_default(f) if missing(v) else convert(v) for v in column]
    return typed_column(f, values, index=column.index)


def _is_missing_list(value: Any) -> bool:
    return not isinstance(value, list | tuple | np.ndarray) and _is_missing(value)


def _as_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


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


def _show(value: Any, limit: int = 40) -> str:
    """Quote a value for a one-line message, shortened and without line breaks."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def _kind(value: Any) -> Phrase | str:
    """Name the kind of a JSON value, translated; any other Python type by its type name."""
    names = {dict: "object", list: "list", str: "text", bool: "bool", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return Phrase(f"kind.{name}")
    return Phrase("kind.number") if isinstance(value, numbers.Number) else type(value).__name__


# --------------------------------------------------------------------------------------
# Private helpers: reference systems and the province


@dataclass(frozen=True, eq=False)
class _Outline:
    """A province outline prepared for metric distance queries."""

    metric: shapely.Geometry
    tree: shapely.STRtree


def _near_outline(geoms: np.ndarray, outline: _Outline, tolerance_m: float) -> np.ndarray:
    """Tell whether each metric geometry lies within ``tolerance_m`` of the outline."""
    # Far from zone 48N the projection is undefined (infinite coordinates): such places are far.
    finite = np.flatnonzero(np.isfinite(shapely.bounds(geoms)).all(axis=1))
    near = np.zeros(len(geoms), dtype=bool)
    # A prepared intersects test is fast; the slower distance test only runs for the few
    # geometries outside the outline itself. Shapely uses the prepared outline only when it is
    # the first argument.
    near[finite] = shapely.intersects(outline.metric, geoms[finite])
    rest = finite[~near[finite]]
    if rest.size:
        near[rest] = shapely.dwithin(outline.metric, geoms[rest], tolerance_m)
    return near


@lru_cache(maxsize=4)
def _province_outline(province: shapely.Geometry) -> _Outline:
    metric = _to_metric(np.array([province], dtype=object))[0]
    shapely.prepare(metric)
    parts = shapely.get_parts(metric)
    return _Outline(metric=metric, tree=shapely.STRtree(parts))


def _default_province() -> shapely.Geometry | None:
    """Load the shipped province outline, or return None when the sample data is not there."""
    if not (GEODATA_DIR / "province.geojson").exists():
        return None
    from hotspots.formats import load_province  # io imports this module; import on use

    return load_province(GEODATA_DIR)


@cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _apply(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return project


def _to_metric(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, _apply(_transformer(WGS84, METRIC_CRS)))


def _is_wgs84(crs: pyproj.CRS) -> bool:
    return crs.equals(pyproj.CRS(WGS84), ignore_axis_order=True)


def _as_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None or _is_wgs84(pyproj.CRS(gdf.crs)):
        return gdf
    return gdf.to_crs(WGS84)


def _decode_or_refuse(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise coded_error(UnreadableFileError, "text_unreadable") from None
