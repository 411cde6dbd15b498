"""The translation table: complete in both languages, used everywhere, and pages hold no literal UI text."""

import ast
import importlib
import re
import string
from datetime import date
from pathlib import Path

import pytest

from hotspots.errors import SchemaError
from hotspots.i18n import (
    ENUMERATIONS,
    LANGUAGES,
    SECTIONS,
    TRANSLATIONS,
    catalogue,
    format_date,
    format_distance,
    format_number,
    format_share,
    label,
    t,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
CODE_FILES = [*PAGE_FILES, *sorted((ROOT / "hotspots").rglob("*.py"))]
#: Keyword arguments of Streamlit calls that a user reads.
UI_KEYWORDS = {"label", "help", "placeholder", "title", "page_title", "body", "caption", "x_label", "y_label"}
#: Streamlit calls that show text (``st.x``, ``st.sidebar.x``, ``column.x``...).
UI_CALLS = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "write",
    "text",
    "metric",
    "button",
    "download_button",
    "selectbox",
    "multiselect",
    "slider",
    "toggle",
    "checkbox",
    "radio",
    "segmented_control",
    "pills",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "expander",
    "badge",
    "tabs",
    "popover",
    "Page",
    "bar_chart",
    "dataframe",
    "table",
    "Column",
    "NumberColumn",
    "ProgressColumn",
    "TextColumn",
    "set_page_config",
    "text_input",
    "number_input",
    "file_uploader",
}


def _placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("section", SECTIONS)
def test_both_catalogues_have_the_same_keys_in_the_same_order(section):
    keys = {lang: list(catalogue(lang)[section]) for lang in LANGUAGES}
    assert keys["vi"] == keys["en"]
    assert all(text.strip() for lang in LANGUAGES for text in catalogue(lang)[section].values())


def test_a_catalogue_that_disagrees_is_caught(tmp_path, monkeypatch):
    module = importlib.import_module("hotspots.i18n.catalogue")

    for lang in LANGUAGES:
        text = (module.CATALOGUE_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        if lang == "en":
            text = text.replace('"app.title" =', '"app.renamed" =')
        (tmp_path / f"{lang}.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(module, "CATALOGUE_DIR", tmp_path)
    module.catalogue.cache_clear()
    try:
        assert list(catalogue("vi")["ui"]) != list(catalogue("en")["ui"])
    finally:
        module.catalogue.cache_clear()


@pytest.mark.parametrize("key", sorted(TRANSLATIONS))
def test_every_key_has_every_language_with_the_same_placeholders(key):
    texts = TRANSLATIONS[key]
    assert set(texts) == set(LANGUAGES)
    assert all(texts[lang].strip() for lang in LANGUAGES)
    assert _placeholders(texts["vi"]) == _placeholders(texts["en"])


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, values in ENUMERATIONS.items() for v in values])
def test_every_enumeration_value_has_a_label(field, value):
    assert f"{field}.{value}" in TRANSLATIONS


def test_vietnamese_text_keeps_its_diacritics():
    assert t("label.no_play_space", "vi") == "Chưa có điểm vui chơi"
    assert t("label.no_play_space", "en") == "No play space"


def test_placeholders_are_filled():
    assert t("map.title", "en", province="Quảng Ninh") == "Drowning-risk hotspots – Quảng Ninh"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: t("legend.title", "fr"), "the app speaks: vi, en"),
        (lambda: t("legend.titel", "vi"), "No text for 'legend.titel'"),
        (lambda: label("water_type", "sea", "de"), "the app speaks"),
    ],
)
def test_unknown_language_or_key_is_an_error(call, message):
    with pytest.raises(SchemaError, match=message):
        call()


def test_unknown_enumeration_value_is_shown_as_is():
    assert label("water_type", "lagoon", "vi") == "lagoon"


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (format_number, (1234567, "vi"), "1.234.567"),
        (format_number, (1234567, "en"), "1,234,567"),
        (format_distance, (850.4, "vi"), "850 m"),
        (format_distance, (2450, "vi"), "2,5 km"),
        (format_distance, (2450, "en"), "2.5 km"),
        (format_distance, (float("nan"), "en"), "—"),
        (format_share, (0.5, "vi"), "50 %"),
        (format_share, (0.125, "en"), "12%"),
        (format_share, (None, "en"), "—"),
        (format_date, (date(2025, 3, 4), "vi"), "04/03/2025"),
        (format_date, (date(2025, 3, 4), "en"), "04 Mar 2025"),
    ],
)
def test_locale_formatting(function, args, expected):
    assert function(*args) == expected


def _used_keys(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "t"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: p.name)
def test_every_key_used_in_the_code_exists(path):
    missing = sorted(set(_used_keys(path)) - set(TRANSLATIONS))
    assert not missing


def _literal_ui_strings(source):
    """Literal texts passed to Streamlit calls where a user would read them."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in UI_CALLS:
            continue
        candidates = list(node.args) + [k.value for k in node.keywords if k.arg in UI_KEYWORDS]
        for arg in candidates:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            else:
                continue
            # Page files ("pages/map.py") and column names are not read by users.
            if re.search(r"[^\W\d_]{2,}", text) and not text.endswith(".py") and "_" not in text:
                found.append(text)
    return found


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_pages_hold_no_literal_ui_text(path):
    assert _literal_ui_strings(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('st.title("Bản đồ")', ["Bản đồ"]),
        ('st.sidebar.slider(t("x", lang), 0, 10, help="Metres")', ["Metres"]),
        ('st.metric(f"Points {n}", 3)', ["Points "]),
        ('st.title(t("map.title", lang))', []),
        ('st.Page("pages/map.py", title=t("nav.map", lang))', []),
        ('st.multiselect(t("a", lang), options, key="filter_status")', []),
        ('st.session_state.get("lang", "vi")', []),
    ],
)
def test_the_literal_text_check_can_fail(source, expected):
    assert _literal_ui_strings(source) == expected
