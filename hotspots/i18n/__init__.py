"""Translations (Vietnamese and English) and locale formatting.

The text itself lives in ``catalogues/vi.toml`` and ``catalogues/en.toml``; this package reads
them and formats numbers, shares, distances and dates the local way.
"""

from hotspots.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    SECTIONS,
    catalogue,
    check_language,
)
from hotspots.i18n.problems import (
    PROBLEM_MESSAGES,
    Phrase,
    coded_error,
    field_label,
    make_problem,
    message,
    problem_message,
    problem_of_error,
    problem_text,
    rejection_reasons,
)
from hotspots.i18n.text import (
    DATE_FORMATS,
    ENUMERATIONS,
    TRANSLATIONS,
    format_date,
    format_distance,
    format_number,
    format_share,
    label,
    t,
)

__all__ = [
    "DATE_FORMATS",
    "DEFAULT_LANGUAGE",
    "ENUMERATIONS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "PROBLEM_MESSAGES",
    "SECTIONS",
    "TRANSLATIONS",
    "Phrase",
    "catalogue",
    "check_language",
    "coded_error",
    "field_label",
    "format_date",
    "format_distance",
    "format_number",
    "format_share",
    "label",
    "make_problem",
    "message",
    "problem_message",
    "problem_of_error",
    "problem_text",
    "rejection_reasons",
    "t",
]
