"""Coordinates typed by hand (decimal comma, degrees-minutes-seconds, pasted pairs, headings) or from GPS.

A phone's GPS answers through the browser's geolocation; :func:`read_geolocation` reads that answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
#: The browser's geolocation error codes (W3C Geolocation API), and 0 for a browser without it.
GEOLOCATION_ERRORS: Final = {
    0: "location_unsupported",
    1: "location_denied",
    2: "location_unavailable",
    3: "location_timeout",
}
# How browsers say a page not served over HTTPS may not ask: Chrome "Only secure origins are
# allowed", Safari "Origin does not have permission...", Firefox "...insecure...".
_INSECURE_WORDS = re.compile(r"secure (origin|context)|insecure|origin does not have permission", re.I)


@dataclass(frozen=True)
class GeoFix:
    """A place the phone's GPS gave: WGS 84 degrees, and how sure it is.

    Attributes
    ----------
    lat, lon
        Latitude and longitude in degrees.
    accuracy_m
        The radius, in metres, the true place lies within (95 % confidence, as the
        browser reports it); ``None`` when the browser gave none.
    """

    lat: float
    lon: float
    accuracy_m: float | None = None


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


def read_geolocation(result: object, *, secure_context: bool | None = None) -> GeoFix | None:
    """Read what the browser's geolocation answered (``streamlit_js_eval.get_geolocation``).

    Parameters
    ----------
    result
        The component's value: ``None`` while the browser has not answered yet;
        ``{"coords": {"latitude", "longitude", "accuracy", ...}, "timestamp"}`` on success;
        ``{"error": {"code", "message"}}`` when the browser refused (code 1 permission
        denied, also for a page not on HTTPS; 2 position unavailable; 3 timeout; 0 no
        geolocation in this browser).
    secure_context
        The page's ``window.isSecureContext`` when known: ``False`` means the address is
        neither ``https://`` nor ``localhost``, so the browser never asks (this is said
        even before the geolocation answers).

    Returns
    -------
    GeoFix or None
        The place and its accuracy; ``None`` while there is no answer yet.

    Raises
    ------
    ValidationError
        With one coded problem saying why there is no place: ``location_insecure``,
        ``location_denied``, ``location_unavailable``, ``location_timeout``,
        ``location_unsupported``, or ``location_unreadable`` for an answer of another shape.

    Examples
    --------
    >>> read_geolocation({"coords": {"latitude": 20.95, "longitude": 107.08, "accuracy": 12.4}})
    GeoFix(lat=20.95, lon=107.08, accuracy_m=12.4)
    """
    if secure_context is False:
        raise ValidationError([make_problem("location_insecure")])
    if result is None:
        return None
    if not isinstance(result, Mapping):
        raise ValidationError([make_problem("location_unreadable")])
    error = result.get("error")
    if error is not None:
        error = error if isinstance(error, Mapping) else {}
        text = str(error.get("message") or "")
        code = GEOLOCATION_ERRORS.get(error.get("code"), "location_unreadable")  # type: ignore[arg-type]
        if code == "location_denied" and _INSECURE_WORDS.search(text):
            code = "location_insecure"
        raise ValidationError([make_problem(code)])
    coords = result.get("coords")
    coords = coords if isinstance(coords, Mapping) else {}
    lat, lon, accuracy = (_finite(coords.get(k)) for k in ("latitude", "longitude", "accuracy"))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        raise ValidationError([make_problem("location_unreadable")])
    return GeoFix(lat=lat, lon=lon, accuracy_m=accuracy if accuracy is not None and accuracy >= 0 else None)


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


def _finite(value: object) -> float | None:
    """Return a finite number as a float (not a bool); ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _plain_key(text: str) -> str:
    """Compare headings without accents, case, spaces, underscores or a bracketed unit."""
    text = re.sub(
        r"\(.*?\)|\[.*?\]", "", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    )
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.]+", " ", text.casefold()).strip()
