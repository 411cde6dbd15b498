"""Constants shared across the library: reference systems, paths and limits.

Per-user choices (radius, filters, language) are never module globals: every
Streamlit session shares module state. They are arguments of the functions
that use them; the defaults below are only defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from hotspots.errors import HotspotsError

#: Geographic coordinates as exchanged (RFC 7946 GeoJSON): WGS 84 longitude/latitude.
WGS84: Final = "EPSG:4326"
#: Metric CRS for every distance and area: UTM zone 48N covers Quảng Ninh (102°E–108°E).
METRIC_CRS: Final = "EPSG:32648"

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
#: Shipped (sample) data, read-only at run time.
GEODATA_DIR: Final = PROJECT_ROOT / "geodata"
#: Where the default SQLite store lives (git-ignored). Overridable for tests and deployments.
DATA_DIR: Final = Path(os.environ.get("HOTSPOTS_DATA_DIR", PROJECT_ROOT / "data"))

PROVINCE_NAME: Final = "Quảng Ninh"
PROVINCE_NAME_ASCII: Final = "Quang Ninh"

#: Default reach of a swimming class: children walk or cycle to it (README states this).
DEFAULT_SWIM_RADIUS_M: Final = 3_000
#: Default reach of a rescue-training site: trained adults respond within this distance.
DEFAULT_RESCUE_RADIUS_M: Final = 2_000

#: Environment variables that set the two inspection intervals below for a deployment.
INSPECTION_MONTHS_ENV: Final = "HOTSPOTS_INSPECTION_MONTHS"
BLACK_SPOT_INSPECTION_MONTHS_ENV: Final = "HOTSPOTS_BLACK_SPOT_INSPECTION_MONTHS"
#: The longest inspection interval a deployment may set (ten years).
MAX_INSPECTION_MONTHS: Final = 120


def months_setting(name: str, default: int) -> int:
    """Return the whole number of months (1 to :data:`MAX_INSPECTION_MONTHS`) set in variable ``name``.

    Parameters
    ----------
    name
        The environment variable.
    default
        The months when it is unset or blank.

    Raises
    ------
    HotspotsError
        If it is set to anything but a whole number from 1 to :data:`MAX_INSPECTION_MONTHS` (the
        app then refuses to start, naming the variable).
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_INSPECTION_MONTHS:
        msg = f"{name} must be a whole number of months from 1 to {MAX_INSPECTION_MONTHS}; got {text!r}."
        raise HotspotsError(msg)
    return int(text)


#: Months from a risk point's last inspection to its next one, and for a black spot (special monitoring):
#: 12 and 3, unless the deployment sets :data:`INSPECTION_MONTHS_ENV` or
#: :data:`BLACK_SPOT_INSPECTION_MONTHS_ENV`.
INSPECTION_INTERVAL_MONTHS: Final = months_setting(INSPECTION_MONTHS_ENV, 12)
BLACK_SPOT_INSPECTION_INTERVAL_MONTHS: Final = months_setting(BLACK_SPOT_INSPECTION_MONTHS_ENV, 3)
#: The province's time zone: "today" for inspections due is today there, whatever the server's.
LOCAL_TIME_ZONE: Final = "Asia/Ho_Chi_Minh"

#: Points this far outside the province outline are still accepted (the outline is simplified
#: and coastal risk points sit on the shore or just off it).
COASTAL_TOLERANCE_M: Final = 1_000
#: Two risk points closer than this are probably the same place entered twice.
NEAR_DUPLICATE_M: Final = 5.0
#: A new report this close to a stored point asks "same place?" (an update of it, or a new place).
SAME_PLACE_M: Final = 30.0

#: Input limits: a file, a text field and JSON nesting.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_TEXT_LENGTH: Final = 2_000
MAX_JSON_DEPTH: Final = 64
#: Photos of risk points: bytes of one file, and pixels (width × height) it may decode to (an image
#: bomb declares millions more in a few kilobytes); 50 million lets in a 48-megapixel phone camera.
MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
MAX_PHOTO_PIXELS: Final = 50_000_000

#: Failed logins in a row that lock an account, and for how long (a success resets the count).
LOCKOUT_AFTER_FAILURES: Final = 5
LOCKOUT_MINUTES: Final = 15
#: bcrypt work factor of new password hashes (2**12 rounds: about a quarter of a second).
PASSWORD_HASH_ROUNDS: Final = 12
#: Shortest password accepted for a new account; bcrypt reads at most 72 bytes of one.
MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_BYTES: Final = 72
