"""GeoJSON documents and feature lists: the entry points that validate features against a layer.

Everything that enters the app (an uploaded file, a form, an import into the store) goes
through :func:`validate_features` or :func:`validate_geojson`. They gather every problem
before reporting, repair what can be repaired safely (with a warning), and return the accepted
features as a GeoDataFrame in EPSG:4326 with the layer's columns in schema order. Only parsing
the JSON-like input loops over features in Python; the spatial checks are vectorised.
"""

from __future__ import annotations

import numbers
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely

from hotspots.config import COASTAL_TOLERANCE_M
from hotspots.errors import Problem
from hotspots.formats import field_default, is_missing, normalise_form_export, parse_json
from hotspots.i18n import Phrase, make_problem
from hotspots.schema import LayerSchema, get_layer_schema
from hotspots.validation.geometry import (
    GEOMETRY_DEPTH,
    GEOMETRY_TYPES,
    apply_transformer,
    parse_geometry,
    source_transformer,
)
from hotspots.validation.places import check_communes, check_ids, check_near_duplicates, check_places
from hotspots.validation.records import check_date_order
from hotspots.validation.reference import NO_REFERENCE, ReferenceData
from hotspots.validation.report import ParsedFeatures, ProblemLog, ValidationReport, build_report
from hotspots.validation.values import FieldRules, Issue, field_rules, kind_name, match_keys, show


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
    features, export_problems = normalise_form_export(features, layer=schema.name)  # KoBoToolbox's export
    file_problems.extend(export_problems)
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


# --------------------------------------------------------------------------------------
# Private helpers: the pipeline


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
    log = ProblemLog(file_problems)
    if features is None:
        features = []
    elif not features:
        log.file_error("no_features")
    transformer = source_transformer(crs, log)
    parsed = _parse_all(features, field_rules(schema.name), log)
    if log.file_errors:
        # Unknown CRS or no features: the places cannot be checked, the values still are.
        parsed.geometry_ok[:] = False
    elif transformer is not None and parsed.geometry_ok.any():
        ok = parsed.geometry_ok
        parsed.geoms[ok] = shapely.transform(parsed.geoms[ok], apply_transformer(transformer))
    check_places(parsed, schema=schema, province=province, tolerance_m=tolerance_m, log=log)
    if schema.is_point_layer:
        check_near_duplicates(parsed, existing=existing, id_field=schema.id_field, log=log)
    check_ids(parsed, schema=schema, existing=existing, log=log)
    if "commune_id" in schema.field_names and communes is not None:
        check_communes(parsed, communes=communes, tolerance_m=tolerance_m, log=log)
    check_date_order(parsed, schema=schema, log=log)
    return build_report(parsed, schema=schema, log=log)


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
    if isinstance(kind, str) and kind in GEOMETRY_TYPES:
        warning = make_problem("bare_geometry_file", severity="warning", kind=kind)
        feature = {"type": "Feature", "geometry": data, "properties": {}}
        return [feature], declared_crs, [warning]
    features = data.get("features")
    if not isinstance(features, list):
        shown = show(kind) if kind is not None else Phrase("kind.no_type")
        return None, None, [make_problem("not_feature_collection", shown=shown)]
    return features, declared_crs, []


def _parse_all(features: list[Any], rules: FieldRules, log: ProblemLog) -> ParsedFeatures:
    n = len(features)
    parsed = ParsedFeatures(
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
        if fid is not None and is_missing(given.get(rules.schema.id_field)):
            given[rules.schema.id_field] = fid  # the GeoJSON "id" member stands in for the id property
        parsed.ids[i] = fid
        parsed.raw_properties[i] = props
        for severity, code, params in feature_problems:
            log.add(severity, code, i, fid, None, **params)
        parsed.records[i] = _normalise_properties(given, rules, i, fid, log)
        parsed.extras[i] = extras
        result = parse_geometry(geometry, rules.schema, i, fid, log)
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


def _split_feature(feature: Any) -> tuple[Any, dict[str, Any], Any, list[Issue]]:
    """Return (feature, properties, geometry, problems) for one item of the feature list."""
    problems: list[Issue] = []
    if not isinstance(feature, dict):
        problems.append(("error", "not_a_feature", {"kind": kind_name(feature)}))
        return {}, {}, None, problems
    kind = feature.get("type")
    if isinstance(kind, str) and kind in GEOMETRY_DEPTH and "geometry" not in feature:
        problems.append(("warning", "bare_geometry_feature", {"kind": kind}))
        return {}, {}, feature, problems
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        problems.append(("error", "bad_properties", {"kind": kind_name(props)}))
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
    props: dict[str, Any], rules: FieldRules, key_cache: dict[tuple[str, ...], list[tuple[str, str | None]]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split properties into schema fields (matched by name or alias) and extra properties."""
    keys = tuple(str(k) for k in props)
    plan = key_cache.get(keys)
    if plan is None:
        plan = key_cache[keys] = match_keys(keys, rules)
    given: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for (key, field_name), value in zip(plan, props.values(), strict=True):
        if field_name is None:
            extras[key] = value
        else:
            given[field_name] = value
    return given, extras


def _normalise_properties(
    given: dict[str, Any], rules: FieldRules, index: int, fid: str | None, log: ProblemLog
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for f in rules.schema.fields:
        value = given.get(f.name)
        if is_missing(value):
            if f.required and f.default is None:
                log.add("error", "required_missing", index, fid, f.name, name=f.name)
            record[f.name] = field_default(f)
            continue
        value, problems = rules.normalisers[f.name](value)
        for severity, code, params in problems:
            log.add(severity, code, index, fid, f.name, **params)
        record[f.name] = value
    return record
