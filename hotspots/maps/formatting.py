"""Texts of the map's popups and tooltips: translated, HTML-escaped, dates as the user writes them."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from hotspots.i18n import DATE_FORMATS, label, t


def facility_popup(row: dict, *, kind: str, lang: str) -> str:
    """Return the escaped HTML popup of one swimming class (``kind="swim"``) or rescue training.

    Parameters
    ----------
    row
        The facility's properties (missing fields read as unknown).
    kind
        ``"swim"`` or ``"rescue"``.
    lang
        Language of the headings and labels.
    """
    if kind == "swim":
        fields = [
            ("popup.venue_type", label("venue_type", row.get("venue_type"), lang)),
            ("popup.organiser", row.get("organiser")),
            (
                "popup.dates",
                f"{date_text(row.get('start_date'), lang)} – {date_text(row.get('end_date'), lang)}",
            ),
            ("popup.capacity", number_text(row.get("capacity"))),
            ("popup.participants", number_text(row.get("participants"))),
        ]
    else:
        fields = [
            ("popup.organiser", row.get("organiser")),
            ("popup.date", date_text(row.get("date"), lang)),
            ("popup.audience", label("audience", row.get("audience"), lang)),
            ("popup.participants", number_text(row.get("participants"))),
        ]
    cells = "".join(
        f"<tr><th>{html.escape(t(key, lang))}</th><td>{html.escape(_text(value, lang))}</td></tr>"
        for key, value in fields
    )
    title = html.escape(_text(row.get("name"), lang))
    return f'<div class="hs-popup"><div class="hs-title">{title}</div><table>{cells}</table></div>'


def is_missing(value: object) -> bool:
    """Whether ``value`` is ``None`` or a scalar NA (``NaN``, ``NaT``, ``pd.NA``)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def number_text(value: object) -> str:
    """Write whole numbers without a decimal part; ``""`` when missing."""
    if is_missing(value):
        return ""
    return str(int(value)) if isinstance(value, int | float | np.integer | np.floating) else str(value)


def date_text(value: object, lang: str) -> str:
    """Write the date in the language's format (DD/MM/YYYY in Vietnamese); ``""`` when missing."""
    stamp = pd.to_datetime(value, errors="coerce") if value is not None else pd.NaT
    return "" if pd.isna(stamp) else stamp.strftime(DATE_FORMATS[lang])


def _text(value: object, lang: str) -> str:
    return t("popup.unknown", lang) if is_missing(value) or value == "" else str(value)
