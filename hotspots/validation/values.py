"""Field values: one normaliser per field kind (text, enum, list, date, bool, int, float), labels, aliases.

Each normaliser takes a value as typed and returns the value in the schema's form with the
problems found (``Issue``: severity, message code, message values), so every reader and form
applies the same rules. Property keys are matched to fields by name or by alias.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np

from hotspots.config import MAX_TEXT_LENGTH
from hotspots.formats import split_items
from hotspots.i18n import Phrase
from hotspots.schema import Field, LayerSchema, get_layer_schema

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
#: One problem found by a value normaliser: (severity, message code, message values).
Issue = tuple[str, str, dict[str, Any]]
NO_PROBLEMS: Final[tuple[Issue, ...]] = ()

_RESERVED_COLUMNS: Final = frozenset({"geometry", "source_index"})
_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "có", "co", "đúng", "dung", "x", "t"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "0", "không", "khong", "sai", "f"})
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z]*)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_KEY_SEPARATORS = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class FieldRules:
    """A layer's field rules, compiled once: key matching and one normaliser per field."""

    schema: LayerSchema
    key_to_field: dict[str, str]
    normalisers: dict[str, Callable[[Any], tuple[Any, tuple[Issue, ...]]]]


@cache
def field_rules(layer: str) -> FieldRules:
    """Return the field rules of a layer (built once per layer): aliases and normalisers."""
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
    return FieldRules(schema=schema, key_to_field=key_to_field, normalisers=normalisers)


def match_keys(keys: tuple[str, ...], rules: FieldRules) -> list[tuple[str, str | None]]:
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


def normalise_date(value: Any) -> tuple[Any, tuple[Issue, ...]]:
    """Read a date as the schema stores it: ISO ``YYYY-MM-DD`` text.

    Accepts date and datetime objects, ISO ``YYYY-MM-DD`` (a time after it is ignored) and the
    day-first forms Vietnamese offices write: ``DD/MM/YYYY``, ``D/M/YYYY``, ``DD-MM-YYYY``,
    ``DD.MM.YYYY``. The day must exist (no 31/04, no 29/02 outside leap years).

    Returns
    -------
    tuple
        The ISO text (``None`` when refused) and the problems found.
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d") if isinstance(
            value, dt.datetime
        ) else value.isoformat(), NO_PROBLEMS
    if not isinstance(value, str):
        return None, (("error", "not_date_kind", {"kind": kind_name(value)}),)
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST_DATE.fullmatch(text)
        if not match:
            return None, (("error", "not_date", {"value": show(value)}),)
        day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return None, (("error", "bad_month", {"value": show(value), "month": month}),)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        params = {"value": show(value), "month_name": Phrase(f"month.{month}"), "year": year, "days": days}
        return None, (("error", "bad_day", params),)
    return f"{year:04d}-{month:02d}-{day:02d}", NO_PROBLEMS


def show(value: Any, limit: int = 40) -> str:
    """Quote a value for a one-line message, shortened and without line breaks."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def kind_name(value: Any) -> Phrase | str:
    """Name the kind of a JSON value, translated; any other Python type by its type name."""
    names = {dict: "object", list: "list", str: "text", bool: "bool", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return Phrase(f"kind.{name}")
    return Phrase("kind.number") if isinstance(value, numbers.Number) else type(value).__name__


# --------------------------------------------------------------------------------------
# Private helpers: the normalisers and the label lookup


def _normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[Issue, ...]]]:
    if f.kind == "enum":
        return _enum_normaliser(f)
    if f.kind == "list":
        return _list_normaliser(f)
    simple = {"str": _text, "date": normalise_date, "bool": _bool, "int": _int, "float": _float}[f.kind]
    if f.minimum is None:
        return simple
    minimum = f.minimum

    def bounded(value: Any) -> tuple[Any, tuple[Issue, ...]]:
        number, problems = simple(value)
        if number is not None and number < minimum:
            return None, (("error", "below_minimum", {"minimum": minimum, "value": number}),)
        return number, problems

    return bounded


def _text(value: Any) -> tuple[Any, tuple[Issue, ...]]:
    if type(value) is not str and isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None, (("error", "not_text", {"kind": kind_name(value)}),)
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > MAX_TEXT_LENGTH:
        return None, (("error", "text_too_long", {"length": len(text), "limit": MAX_TEXT_LENGTH}),)
    problems: list[Issue] = []
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        problems.append(("warning", "control_chars", {}))
    if _HTML.search(text):
        problems.append(("warning", "html_like", {}))
    return text, tuple(problems) or NO_PROBLEMS


def _enum_normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[Issue, ...]]]:
    lookup = _label_lookup(f.allowed)
    hint = _labels_hint(f.allowed)

    def normalise(value: Any) -> tuple[Any, tuple[Issue, ...]]:
        if isinstance(value, str):
            found = _lookup(value, lookup)
            if found is not None:
                return found, NO_PROBLEMS
        params = {"value": show(value), "allowed": ", ".join(f.allowed), "hint": hint}
        return None, (("error", "not_allowed", params),)

    return normalise


def _list_normaliser(f: Field) -> Callable[[Any], tuple[Any, tuple[Issue, ...]]]:
    lookup = _label_lookup(f.allowed) if f.allowed else {}
    hint = _labels_hint(f.allowed)

    def normalise(value: Any) -> tuple[Any, tuple[Issue, ...]]:
        items = split_items(value)
        if items is None:
            return None, (("error", "not_list", {"kind": kind_name(value)}),)
        out: list[str] = []
        unknown: list[str] = []
        for item in items:
            if not isinstance(item, str):
                unknown.append(show(item))
                continue
            found = _lookup(item, lookup) if lookup else unicodedata.normalize("NFC", item).strip()
            if found is None:
                unknown.append(show(item))
            elif found and found not in out:
                out.append(found)
        if unknown:
            params = {"items": ", ".join(unknown), "allowed": ", ".join(f.allowed), "hint": hint}
            return None, (("error", "items_not_allowed", params),)
        return out, NO_PROBLEMS

    return normalise


def _bool(value: Any) -> tuple[Any, tuple[Issue, ...]]:
    if isinstance(value, bool | np.bool_):
        return bool(value), NO_PROBLEMS
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value), NO_PROBLEMS
    if isinstance(value, str):
        word = unicodedata.normalize("NFC", value).strip().casefold()
        if word in _TRUE_WORDS:
            return True, NO_PROBLEMS
        if word in _FALSE_WORDS:
            return False, NO_PROBLEMS
    return None, (("error", "not_yes_no", {"value": show(value)}),)


def _int(value: Any) -> tuple[Any, tuple[Issue, ...]]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return int(value), NO_PROBLEMS
    number, problems = _float(value)
    if number is None:
        return None, problems
    if not number.is_integer():
        return None, (("error", "not_whole", {"value": show(value)}),)
    return int(number), NO_PROBLEMS


def _float(value: Any) -> tuple[Any, tuple[Issue, ...]]:
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None, (("error", "not_number", {"value": show(value)}),)
    else:
        return None, (("error", "not_number_kind", {"kind": kind_name(value)}),)
    if not math.isfinite(number):
        return None, (("error", "not_finite", {"value": show(value)}),)
    return number, NO_PROBLEMS


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
