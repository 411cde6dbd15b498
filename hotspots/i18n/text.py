"""Interface text and locale formatting: :func:`t`, enumeration labels, numbers, shares, distances, dates.

Every text a user reads — labels, legend, popup headings, metric names, messages —
comes from :func:`t`. The language is always an argument (a Streamlit session
keeps it in its own state); nothing here remembers a current language.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Final

from hotspots.errors import SchemaError
from hotspots.i18n.catalogue import check_language, section
from hotspots.schema import (
    HAZARDS,
    MITIGATIONS,
    PLAY_SPACE_KINDS,
    POINT_STATUSES,
    RESCUE_AUDIENCES,
    RISK_LEVELS,
    SWIM_VENUE_TYPES,
    UNIT_TYPES,
    WATER_TYPES,
)

#: How dates are written in each language (``strftime`` codes).
DATE_FORMATS: Final = {"vi": "%d/%m/%Y", "en": "%d %b %Y"}

#: Enumerations whose values have a label in the table (key ``"<field>.<value>"``).
ENUMERATIONS: Final = {
    "water_type": WATER_TYPES,
    "risk_level": RISK_LEVELS,
    "status": POINT_STATUSES,
    "hazard": HAZARDS,
    "mitigation": MITIGATIONS,
    "coverage": ("both", "swim_only", "rescue_only", "neither"),
    "venue_type": SWIM_VENUE_TYPES,
    "audience": RESCUE_AUDIENCES,
    "play_kind": PLAY_SPACE_KINDS,
    "unit_type": UNIT_TYPES,
    "basemap": ("none", "osm", "satellite"),
}

#: ``{key: {language: text}}`` for every key of the ``[ui]`` sections; the single source of UI text.
TRANSLATIONS: Final[dict[str, dict[str, str]]] = section("ui")


def t(key: str, lang: str, **values: object) -> str:
    """Return the text for ``key`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key
        A key of :data:`TRANSLATIONS`, e.g. ``"legend.title"``.
    lang
        ``"vi"`` or ``"en"``.
    **values
        Values for the placeholders in the text.

    Raises
    ------
    SchemaError
        For an unknown language or key.
    """
    check_language(lang)
    try:
        text = TRANSLATIONS[key][lang]
    except KeyError:
        msg = f"No text for '{key}' in the translation table (hotspots/i18n/catalogues/*.toml)."
        raise SchemaError(msg) from None
    return text.format(**values) if values else text


def label(field: str, value: object, lang: str) -> str:
    """Return the label of one value of an enumeration, e.g. ``label("water_type", "sea", "vi")``.

    A value without a label (data from a newer schema, say) is shown as it is
    rather than hiding the point.
    """
    key = f"{field}.{value}"
    if key in TRANSLATIONS:
        return t(key, lang)
    check_language(lang)
    return str(value)


def format_number(value: float, lang: str, *, decimals: int = 0) -> str:
    """Format a number the local way: ``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    check_language(lang)
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_share(share: float | None, lang: str) -> str:
    """Format a share (0–1) as a whole percentage; ``—`` when undefined."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        check_language(lang)
        return "—"
    return f"{format_number(100 * share, lang)} %" if lang == "vi" else f"{format_number(100 * share, lang)}%"


def format_distance(metres: float | None, lang: str) -> str:
    """Format a distance: metres below 1 km, kilometres with one decimal above; ``—`` when unknown."""
    if metres is None or math.isnan(metres):
        check_language(lang)
        return "—"
    if metres < 1000:
        return f"{format_number(metres, lang)} m"
    return f"{format_number(metres / 1000, lang, decimals=1)} km"


def format_date(value: date | None, lang: str) -> str:
    """Format a date: ``14/03/2025`` in Vietnamese, ``14 Mar 2025`` in English; ``—`` when unknown."""
    check_language(lang)
    return "—" if value is None else value.strftime(DATE_FORMATS[lang])
