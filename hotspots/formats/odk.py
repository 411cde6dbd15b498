"""Exports of the field form from KoBoToolbox / ODK Central → the app's raw features (CSV, XLSX, GeoJSON).

The field form (``geodata/forms/bao-diem-nguy-co.xlsx``, built from ``odk_form.toml`` by
``python -m sample_build.xlsform``) is filled in offline on phones with KoBoCollect or ODK
Collect; its submissions come back as exports. This module recognises such an export by its
columns and turns it into the features every other reader returns, so the usual validation and
import (pending review) take it as they are:

* group paths are dropped (``group_x/water_type``, ``group_x-water_type`` → ``water_type``) and
  the form's field names become the schema's (``reporter`` → ``source``);
* the geopoint becomes the point: KoBoToolbox's ``_location_latitude`` / ``_location_longitude``,
  ODK Central's ``location-Latitude`` / ``location-Longitude``, or the raw ``"lat lon alt acc"``
  text (the accuracy is kept as ``gps_accuracy_m``); a GeoJSON export's height is dropped;
* multiple choices arrive as space-separated choice names (``deep_water no_fence``) and/or one
  0/1 column per choice (``hazards/deep_water``): both become one list;
* the submission's id (``_uuid``, ``meta/instanceID``, ``KEY``) is kept as the extra property
  ``external_id``; other metadata (``_id``, ``_submission_time``, ``start``, ``deviceid``...) is
  dropped, so that ``_id`` is never taken for the point's id.

The form and this reader share one table, ``odk_form.toml``, whose choices are the schema's allowed
values: a change to the schema changes both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from hotspots.errors import Problem, SchemaError
from hotspots.formats.cells import is_blank, plain_value, unguard_formula
from hotspots.formats.coordinates import coordinate_columns, parse_coordinate
from hotspots.i18n import make_problem
from hotspots.schema import get_layer_schema

_TABLE_PATH: Final = Path(__file__).with_name("odk_form.toml")
# A column's path: groups and the field name, joined by "/" (KoBoToolbox) or "-" (ODK Central).
_PATH_SEPARATORS = re.compile(r"[/-]")
_KOBO_GEOPOINT_PART = re.compile(r"^(.+)_(latitude|longitude|altitude|precision)$")
_CENTRAL_GEOPOINT_PARTS: Final = {
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Altitude": "altitude",
    "Accuracy": "precision",
}
_NOT_CHOSEN: Final = frozenset({"0", "0.0", "false", "no", "không", ""})
_ACCURACY: Final = "gps_accuracy_m"
# Hex digits of a submission's point id: with 40 bits, 10,000 submissions share one by chance
# about once in 20,000 imports (and the validator then names the duplicate id).
_ID_DIGITS: Final = 10


@dataclass(frozen=True)
class FormQuestion:
    """One row of the form's survey sheet.

    Parameters
    ----------
    type
        XLSForm type: ``geopoint``, ``text``, ``select_one``, ``select_multiple``, ``image``,
        ``start``, ``end``.
    name
        The form's field name, and the column of the exports.
    field
        The schema field it fills, ``None`` when it is kept as an extra property (or is the place).
    label, hint
        Keys of the catalogues (``hotspots.i18n``) for its label and hint.
    required
        Whether the form requires an answer.
    appearance, parameters
        XLSForm appearance (``multiline``...) and parameters (``max-pixels=1280``...).
    choice_labels
        Prefix of the choices' labels: ``label(choice_labels, value, lang)``.
    choices
        Its choices: the allowed values of ``field`` in :mod:`hotspots.schema`.
    """

    type: str
    name: str
    field: str | None = None
    label: str | None = None
    hint: str | None = None
    required: bool = False
    appearance: str = ""
    parameters: str = ""
    choice_labels: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def is_select(self) -> bool:
        """Whether the question offers choices (``select_one`` or ``select_multiple``)."""
        return self.type in ("select_one", "select_multiple")


@dataclass(frozen=True)
class FieldForm:
    """The field form and how its exports are read (``odk_form.toml``).

    Parameters
    ----------
    layer
        The layer its submissions go to (``risk_points``).
    form_id, version, title, file, default_language, instance_name
        The form's settings (``title`` is a catalogue key, ``file`` the workbook's name).
    built
        Fixed created/modified stamp of the workbook (a rebuild is byte-identical).
    languages
        Language code → XLSForm language name (``vi`` → ``Tiếng Việt (vi)``).
    questions
        The survey's rows, in order.
    external_id
        Name of the extra property holding the submission's id.
    id_columns, metadata, metadata_groups
        Columns naming the submission's id; other metadata columns and groups, dropped.
    """

    layer: str
    form_id: str
    version: str
    title: str
    file: str
    default_language: str
    built: dt.datetime
    instance_name: str
    languages: dict[str, str]
    questions: tuple[FormQuestion, ...]
    external_id: str
    id_columns: frozenset[str]
    metadata: frozenset[str]
    metadata_groups: frozenset[str]

    @property
    def geopoint(self) -> str:
        """The name of the form's geopoint question (the report's place)."""
        return next(q.name for q in self.questions if q.type == "geopoint")

    def question(self, name: str) -> FormQuestion | None:
        """Return the question called ``name``, or ``None``."""
        return next((q for q in self.questions if q.name == name), None)


def load_field_form(path: Path = _TABLE_PATH) -> FieldForm:
    """Read the form's table and check it against the schema.

    Raises
    ------
    SchemaError
        When a question fills a field the layer does not have, or a choice question names no
        field with allowed values (the table and the schema disagree).
    """
    with path.open("rb") as file:
        table = tomllib.load(file)
    form, export = table["form"], table["export"]
    schema = get_layer_schema(form["layer"])
    questions = []
    for row in table["questions"]:
        question = FormQuestion(**row)
        if question.field is not None:
            allowed = schema.get(question.field).allowed
            if question.is_select and not allowed:
                msg = f"Question '{question.name}' offers choices but field '{question.field}' has none."
                raise SchemaError(msg)
            question = FormQuestion(**{**row, "choices": allowed if question.is_select else ()})
        elif question.is_select:
            msg = f"Question '{question.name}' offers choices but fills no field of the schema."
            raise SchemaError(msg)
        questions.append(question)
    return FieldForm(
        layer=form["layer"],
        form_id=form["form_id"],
        version=form["version"],
        title=form["title"],
        file=form["file"],
        default_language=form["default_language"],
        built=dt.datetime.fromisoformat(form["built"]),
        instance_name=form["instance_name"],
        languages=dict(table["languages"]),
        questions=tuple(questions),
        external_id=export["external_id"],
        id_columns=frozenset(export["id_columns"]),
        metadata=frozenset(export["metadata"]),
        metadata_groups=frozenset(export["metadata_groups"]),
    )


#: The field form for KoBoToolbox / ODK Collect, read once.
FIELD_FORM: Final = load_field_form()
# The properties filled by multiple-choice questions.
_MULTIPLE: Final = frozenset(q.field or q.name for q in FIELD_FORM.questions if q.type == "select_multiple")


def read_form_export(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, layer: str
) -> tuple[list[dict[str, Any]], list[Problem]] | None:
    """Read a table (CSV or XLSX rows) exported from KoBoToolbox or ODK Central, if it is one.

    Parameters
    ----------
    header
        The column headings.
    rows
        The data rows (blank rows are skipped).
    layer
        The layer the file is for: only exports for the form's layer are recognised.

    Returns
    -------
    tuple or None
        ``None`` when the table is not an export of the field form (the usual table reader then
        reads it); else GeoJSON-like features and the problems of single rows (a geopoint text
        that cannot be read: that row has no place, and the validator rejects it).
    """
    if layer != FIELD_FORM.layer:
        return None
    columns = [unicodedata.normalize("NFC", str(h)).strip() for h in header]
    roles = [_role(c) for c in columns]
    if not _is_table_export(columns, roles):
        return None
    features: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for row in rows:
        cells = list(row) + [None] * (len(columns) - len(row))
        if all(is_blank(cell) for cell in cells):
            continue
        pairs = zip(roles, cells[: len(columns)], strict=True)
        properties, place = _record((role, cell) for role, cell in pairs if not is_blank(cell))
        _give_id(properties, [place.get(k) for k in ("latitude", "longitude", "text")])
        geometry = _place_geometry(place, properties, len(features), problems)
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features, problems


def normalise_form_export(features: Any, *, layer: str) -> tuple[Any, list[Problem]]:
    """Normalise the features of a GeoJSON document when it is KoBoToolbox's export of the field form.

    Parameters
    ----------
    features
        The document's features as parsed (anything: what is not a feature is left alone).
    layer
        The layer the file is for.

    Returns
    -------
    tuple
        The features (the same object when the document is not an export of the field form)
        and the problems of single features.
    """
    if layer != FIELD_FORM.layer or not isinstance(features, list):
        return features, []
    keys: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(str(k) for k in properties))
    roles = {key: _role(unicodedata.normalize("NFC", key).strip()) for key in keys}
    if not _is_geojson_export(roles):
        return features, []
    out: list[Any] = []
    problems: list[Problem] = []
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            out.append(feature)
            continue
        given = ((roles[str(k)], v) for k, v in properties.items() if not is_blank(v))
        properties, place = _record(given)
        geometry = feature.get("geometry")
        _give_id(properties, [geometry, *(place.get(k) for k in ("latitude", "longitude", "text"))])
        if _is_point(geometry):
            geometry = {"type": "Point", "coordinates": list(geometry["coordinates"][:2])}
        elif geometry is None:
            geometry = _place_geometry(place, properties, len(out), problems)
        out.append({**feature, "properties": properties, "geometry": geometry})
    return out, problems


# --------------------------------------------------------------------------------------
# Private helpers: what each column is, one record, the place.


@dataclass(frozen=True)
class _Role:
    """What one column of an export holds.

    ``kind``: ``field`` (a question, ``target`` the property it fills), ``choice`` (one 0/1
    column of a multiple choice: ``target`` the property, ``choice`` the choice), ``geo``
    (``target`` a geopoint part: ``latitude``, ``longitude``, ``altitude``, ``precision`` or
    ``text``), ``id`` (the submission's id), ``meta`` (dropped) or ``other`` (kept as it is named).
    """

    kind: str
    target: str
    choice: str = ""
    grouped: bool = False


def _role(column: str) -> _Role:
    """Tell what a column of an export holds, from its name alone."""
    form = FIELD_FORM
    helper = column.startswith("_")
    segments = [s for s in _PATH_SEPARATORS.split(column.lstrip("_")) if s]
    if not segments:
        return _Role("other", column)
    leaf = segments[-1]
    if column in form.id_columns or leaf in form.id_columns:
        return _Role("id", form.external_id)
    if helper:
        match = _KOBO_GEOPOINT_PART.match(leaf)
        if match and match.group(1) == form.geopoint:
            return _Role("geo", match.group(2))
        return _Role("meta", column)
    if len(segments) >= 2 and leaf in _CENTRAL_GEOPOINT_PARTS and segments[-2] == form.geopoint:
        return _Role("geo", _CENTRAL_GEOPOINT_PARTS[leaf])
    if leaf in form.metadata or segments[0] in form.metadata_groups:
        return _Role("meta", column)
    grouped = len(segments) > 1
    if grouped:
        parent = form.question(segments[-2])
        if parent is not None and parent.type == "select_multiple" and leaf in parent.choices:
            return _Role("choice", parent.field or parent.name, choice=leaf, grouped=True)
    if leaf == form.geopoint:
        return _Role("geo", "text", grouped=grouped)
    question = form.question(leaf)
    if question is not None:
        return _Role("field", question.field or question.name, grouped=grouped)
    if leaf.endswith("_URL"):
        attachment = form.question(leaf[: -len("_URL")])
        if attachment is not None and attachment.type == "image":
            return _Role("other", f"{attachment.name}_url")
    return _Role("other", column)


def _is_table_export(columns: list[str], roles: list[_Role]) -> bool:
    """Whether a table is an export of the field form: its geopoint, and signs of the form."""
    parts = {r.target for r in roles if r.kind == "geo"}
    if {"latitude", "longitude"} <= parts:
        return True
    if "text" not in parts:
        return False
    marked = any(r.kind in ("id", "meta", "choice") for r in roles)
    answered = sum(r.kind == "field" for r in roles)
    lat, lon, pair = coordinate_columns(columns)
    generic = pair is not None or (lat is not None and lon is not None)
    return (marked or answered >= 2) and not generic


def _is_geojson_export(roles: dict[str, _Role]) -> bool:
    """Whether GeoJSON properties are those of a KoBoToolbox export: its ``_`` metadata, ids or group paths.

    Plain words (``location``, ``end``, ``email``) are not enough: the app's own files may hold them.
    """
    return any(
        key.startswith("_")
        or r.kind in ("id", "choice")
        or r.grouped
        or (r.kind == "geo" and r.target != "text")
        for key, r in roles.items()
    )


def _record(given: Iterable[tuple[_Role, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Turn one submission's non-blank values into properties, and the parts of its geopoint."""
    properties: dict[str, Any] = {}
    place: dict[str, Any] = {}
    named: dict[str, list[Any]] = {}  # multiple choices given as names, "deep_water no_fence"
    ticked: dict[str, list[Any]] = {}  # multiple choices given as one 0/1 column per choice
    for role, raw in given:
        value = plain_value(unguard_formula(raw))
        if role.kind == "geo":
            place.setdefault(role.target, value)
        elif role.kind == "id":
            properties.setdefault(role.target, str(value).strip().removeprefix("uuid:"))
        elif role.kind == "choice":
            if str(value).strip().casefold() not in _NOT_CHOSEN:
                ticked.setdefault(role.target, []).append(role.choice)
        elif role.kind == "field" and role.target in _MULTIPLE:
            items = value.split() if isinstance(value, str) else value if isinstance(value, list) else [value]
            named.setdefault(role.target, []).extend(items)
        elif role.kind != "meta":
            properties.setdefault(role.target, value)
    for target in dict.fromkeys([*named, *ticked]):
        items: list[Any] = []
        for item in [*named.get(target, []), *ticked.get(target, [])]:
            if item not in items:  # items of a hostile file may be unhashable
                items.append(item)
        properties[target] = items
    return properties, place


def _give_id(properties: dict[str, Any], place: list[Any]) -> None:
    """Give a submission its point id when the export has none: the prefix and 10 hex digits.

    The digits come from the submission's id (``external_id``), else from its name and place, so
    the same submission gets the same id at every import (a second import skips it by id, too).
    Exports carry no point id, and the store refuses rows without one.
    """
    schema = get_layer_schema(FIELD_FORM.layer)
    if not is_blank(properties.get(schema.id_field)):
        return
    key = properties.get(FIELD_FORM.external_id)
    if is_blank(key):
        key = json.dumps([properties.get("name"), *place], ensure_ascii=False, default=str, sort_keys=True)
    digest = hashlib.sha256(str(key).encode("utf-8")).hexdigest()[:_ID_DIGITS].upper()
    properties[schema.id_field] = f"{schema.id_prefix}-{digest}"


def _place_geometry(
    place: dict[str, Any], properties: dict[str, Any], index: int, problems: list[Problem]
) -> dict[str, Any] | None:
    """Return the Point of a submission's geopoint (latitude/longitude columns first, else its text).

    Coordinates that are not numbers are passed on as text, for the validator to report; a geopoint
    text that cannot be read adds a problem, leaves the row without a place and is kept in the
    properties under the geopoint's name (so the rejected row shows it).
    """
    latitude, longitude = place.get("latitude"), place.get("longitude")
    accuracy = place.get("precision")
    if latitude is None and longitude is None and "text" in place:
        read = _read_geopoint_text(place["text"])
        if read is None:
            text = str(place["text"])
            properties[FIELD_FORM.geopoint] = text
            problems.append(
                make_problem(
                    "geopoint_unreadable", index=index, field="geometry", value=repr(text.strip()[:60])
                )
            )
            return None
        latitude, longitude, accuracy = read
    if latitude is None and longitude is None:
        return None
    accuracy = parse_coordinate(accuracy)
    if isinstance(accuracy, float) and math.isfinite(accuracy):
        properties[_ACCURACY] = accuracy
    return {"type": "Point", "coordinates": [parse_coordinate(longitude), parse_coordinate(latitude)]}


def _read_geopoint_text(value: Any) -> tuple[float, float, float | None] | None:
    """Read ODK's geopoint text ``"lat lon alt acc"`` (altitude and accuracy optional)."""
    parts = str(value).split()
    if not 2 <= len(parts) <= 4:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if not all(math.isfinite(n) for n in numbers):
        return None
    return numbers[0], numbers[1], numbers[3] if len(numbers) == 4 else None


def _is_point(geometry: Any) -> bool:
    """Whether a GeoJSON geometry is a Point with a coordinate list (height included or not)."""
    return (
        isinstance(geometry, dict)
        and geometry.get("type") == "Point"
        and isinstance(geometry.get("coordinates"), list)
        and len(geometry["coordinates"]) >= 2
    )
