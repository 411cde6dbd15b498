"""Coordinates typed by hand: decimal point or comma, degrees-minutes-seconds, pasted pairs, headings."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Final

from hotspots.errors import ValidationError
from hotspots.formats.cells import is_blank
from hotspots.i18n import Phrase, make_problem

#: Column headings read as latitude, longitude, or both ("21.0123, 107.0456", as Google Maps
#: copies them), compared without accents, case, spaces or underscores.
LATITUDE_NAMES: Final = ("lat", "latitude", "vĩ độ", "y", "lat dd", "latitude dd")
LONGITUDE_NAMES: Final = ("lon", "lng", "long", "longitude", "kinh độ", "x", "lon dd", "longitude dd")
LAT_LON_NAMES: Final = ("tọa độ", "toạ độ", "coordinates", "coords", "lat lon", "lat lng", "latlon")

_DMS_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DMS_BODY = re.compile(r"[\d.,\s°º˚'′’‘\"″”“:dDmMsS]+")
# Upper case only: a lower-case "s" marks seconds (12.5s), not south.
_HEMISPHERE = re.compile(r"^\s*([NSEW])\s*(.*?)\s*$|^\s*(.*?)\s*([NSEW])\s*$")
# Two values in one cell ("21.0123, 107.0456"): a separator followed by more digits.
_PAIR_SEPARATOR = re.compile(r"\d\s*[;,]?\s+[-+NSEW]?\d|\d[;,]\s*[-+NSEW]?\d+[.,°]")


def parse_lat_lon(latitude: object, longitude: object = None) -> tuple[float, float]:
    r"""Read a latitude and a longitude typed by hand, as the table readers do.

    Accepts a decimal point or a decimal comma (``21,0123``), degrees-minutes-seconds
    (``21°00'12.5"N``), and both values pasted into ``latitude`` as Google Maps copies
    them (``21.0123, 107.0456``) when ``longitude`` is empty. Whether the place lies
    in the province is the validator's job, not this function's.

    Parameters
    ----------
    latitude, longitude
        The two values as typed (text or numbers).

    Returns
    -------
    tuple of float
        ``(latitude, longitude)`` in degrees.

    Raises
    ------
    ValidationError
        Naming each value that is missing or not a coordinate, with the accepted forms.

    Examples
    --------
    >>> parse_lat_lon("21,0123", "107°2'44\"E")
    (21.0123, 107.04555555555555)
    """
    if is_blank(longitude) and not is_blank(latitude) and _PAIR_SEPARATOR.search(str(latitude).strip()):
        lat, lon = parse_pair(latitude)
    else:
        lat, lon = parse_coordinate(latitude), parse_coordinate(longitude)
    problems = []
    for field, value, example in (("latitude", lat, "21.0123"), ("longitude", lon, "107.0456")):
        name = Phrase(f"word.{field}")
        if value is None:
            problems.append(make_problem("lat_lon_missing", field=field, name=name, example=example))
        elif not isinstance(value, float) or not math.isfinite(value):
            problems.append(
                make_problem(
                    "lat_lon_invalid",
                    field=field,
                    name=name,
                    value=repr(str(value)[:40]),
                    example=example,
                    example_comma=example.replace(".", ","),
                )
            )
    if problems:
        raise ValidationError(problems, "The coordinates cannot be read")
    return lat, lon


def parse_coordinate(cell: Any) -> float | str | None:
    """Read one coordinate: a number, decimal comma, or degrees-minutes-seconds text.

    Returns the number, ``None`` for an empty cell, or the original text when it is not a
    coordinate (the validator then reports it).
    """
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int | float):
        return float(cell)
    text = unicodedata.normalize("NFC", str(cell)).strip()
    plain = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        return float(plain)
    except ValueError:
        pass
    dms = _parse_dms(text)
    return text if dms is None else dms


def parse_pair(cell: Any) -> tuple[float | str | None, float | str | None]:
    """Split a "latitude, longitude" cell (Google Maps order) into its two coordinates."""
    if is_blank(cell):
        return None, None
    parts = [p for p in re.split(r"[;,\s]+", str(cell).strip()) if p]
    if len(parts) != 2:
        return str(cell), str(cell)
    return parse_coordinate(parts[0]), parse_coordinate(parts[1])


def coordinate_columns(columns: Sequence[str]) -> tuple[int | None, int | None, int | None]:
    """Find the latitude, longitude and latitude-longitude pair columns among table headings.

    Returns
    -------
    tuple
        Positions of the latitude, longitude and pair columns, ``None`` for each one not found;
        the pair column is only looked for when latitude or longitude is missing.
    """
    keys = [_plain_key(c) for c in columns]

    def find(names: Sequence[str]) -> int | None:
        wanted = {_plain_key(n) for n in names}
        return next((k for k, key in enumerate(keys) if key in wanted), None)

    lat, lon = find(LATITUDE_NAMES), find(LONGITUDE_NAMES)
    pair = find(LAT_LON_NAMES) if lat is None or lon is None else None
    return lat, lon, pair


def _parse_dms(text: str) -> float | None:
    """Degrees, minutes and seconds, e.g. 21°00'12.5"N, 21 0 12.5 or N 21°0.2'."""
    match = _HEMISPHERE.match(text)
    hemisphere = ""
    body = text
    if match and (match.group(1) or match.group(4)):
        hemisphere = (match.group(1) or match.group(4)).upper()
        body = match.group(2) if match.group(1) else match.group(3)
    sign = 1.0
    if body.startswith("-"):
        sign, body = -1.0, body[1:]
    if not body or not _DMS_BODY.fullmatch(body):
        return None
    parts = [float(p.replace(",", ".")) for p in _DMS_NUMBER.findall(body)]
    if not 1 <= len(parts) <= 3 or any(p >= 60 for p in parts[1:]):
        return None
    value = sum(p / 60**k for k, p in enumerate(parts))
    if hemisphere in ("S", "W"):
        sign = -sign
    return sign * value


def _plain_key(text: str) -> str:
    """Compare headings without accents, case, spaces, underscores or a bracketed unit."""
    text = re.sub(
        r"\(.*?\)|\[.*?\]", "", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    )
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.]+", " ", text.casefold()).strip()
