"""The translation catalogues: one TOML file per language in ``catalogues/``, read once.

A translator edits ``catalogues/vi.toml`` or ``catalogues/en.toml`` without reading Python.
Each file has the same sections and keys in the same order (``tests/test_i18n.py`` checks):

- ``[ui]``: interface text (labels, headings, page messages);
- ``[problems]``: messages about data, files and the store, by code;
- ``[where]``: how a problem says where it is;
- ``[severities]``: severity words other than "error";
- ``[field_words]``: names of stored fields that have no label in ``[ui]``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Final

from hotspots.errors import SchemaError

#: Supported languages, the default first.
LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"
#: How each language names itself in the language switch.
LANGUAGE_NAMES: Final = {"vi": "Tiếng Việt", "en": "English"}

CATALOGUE_DIR: Final = Path(__file__).resolve().parent / "catalogues"
SECTIONS: Final = ("ui", "problems", "where", "severities", "field_words")


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """Return the catalogue of ``lang`` as ``{section: {key: text}}``, in file order.

    Raises
    ------
    SchemaError
        For an unknown language, or a catalogue file that is missing, unreadable or lacks a section.
    """
    check_language(lang)
    path = CATALOGUE_DIR / f"{lang}.toml"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"The translation catalogue {path} cannot be read: {exc}"
        raise SchemaError(msg) from None
    missing = [section for section in SECTIONS if section not in data]
    if missing:
        msg = f"The translation catalogue {path} has no section(s): {', '.join(missing)}."
        raise SchemaError(msg)
    return {section: dict(data[section]) for section in SECTIONS}


def section(name: str) -> dict[str, dict[str, str]]:
    """Return one section of every catalogue as ``{key: {language: text}}``."""
    keys = catalogue(DEFAULT_LANGUAGE)[name]
    return {key: {lang: catalogue(lang)[name].get(key, "") for lang in LANGUAGES} for key in keys}


def check_language(lang: str) -> None:
    """Raise :class:`SchemaError` unless ``lang`` is one of :data:`LANGUAGES`."""
    if lang not in LANGUAGES:
        msg = f"Unknown language '{lang}'; the app speaks: {', '.join(LANGUAGES)}."
        raise SchemaError(msg)
