"""Constants shared across the library: reference systems, paths and limits.

Per-user choices (radius, filters, language) are never module globals: every
Streamlit session shares module state. They are arguments of the functions
that use them; the defaults below are only defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

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

#: Months from a risk point's last inspection to its next one, and for a black spot (special monitoring).
INSPECTION_INTERVAL_MONTHS: Final = 12
BLACK_SPOT_INSPECTION_INTERVAL_MONTHS: Final = 3

#: Points this far outside the province outline are still accepted (the outline is simplified
#: and coastal risk points sit on the shore or just off it).
COASTAL_TOLERANCE_M: Final = 1_000
#: Two risk points closer than this are probably the same place entered twice.
NEAR_DUPLICATE_M: Final = 5.0

#: Input limits: a file, a text field and JSON nesting.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_TEXT_LENGTH: Final = 2_000
MAX_JSON_DEPTH: Final = 64

#: Failed logins in a row that lock an account, and for how long (a success resets the count).
LOCKOUT_AFTER_FAILURES: Final = 5
LOCKOUT_MINUTES: Final = 15
#: bcrypt work factor of new password hashes (2**12 rounds: about a quarter of a second).
PASSWORD_HASH_ROUNDS: Final = 12
#: Shortest password accepted for a new account; bcrypt reads at most 72 bytes of one.
MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_BYTES: Final = 72
