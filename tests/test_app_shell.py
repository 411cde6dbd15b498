"""The app shell: every advertised address opens its page, also first after a restart; the sidebar."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

import ast
import functools
import re
from pathlib import Path

import pytest
import streamlit.testing.v1.local_script_runner as local_runner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.source_util import page_icon_and_name
from streamlit.testing.v1 import AppTest

import app as shell
from hotspots.i18n import t
from pages._common import DATA_DIR_VARIABLE, URL_PATHS
from tests import map_fixtures as fx
from tests.test_pages import APP, TIMEOUT_S, app, fresh_store  # noqa: F401  (pytest fixtures)

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
#: Each page's address and the title it shows.
TITLES = {
    "map": "Điểm nguy cơ đuối nước – Quảng Ninh",
    "communes": "Ưu tiên theo xã, phường",
    "report": "Báo điểm nguy cơ mới",
    "review": "Duyệt và kiểm tra",
    "analysis": "Phân tích điểm nóng nguy cơ",
    "plan": "Lập kế hoạch lớp học",
}
SAMPLE_BADGE = f":orange-badge[:material/science: {t('app.sample_badge', 'vi')}]"


def test_the_map_is_the_default_page_at_the_root():
    assert shell.DEFAULT_PAGE == "map"
    assert URL_PATHS["map"] == ""
    assert set(URL_PATHS) == set(shell.PAGE_ICONS) == set(TITLES)


def test_every_other_address_is_its_own_and_never_a_page_files_name():
    others = [path for name, path in URL_PATHS.items() if name != shell.DEFAULT_PAGE]
    assert others == ["xa-phuong", "bao-diem", "duyet-kiem-tra", "phan-tich", "ke-hoach"]
    # Streamlit's legacy pages/ mode would run such a file by itself right after a restart.
    assert not {page_icon_and_name(PAGES / f"{name}.py")[1] for name in URL_PATHS} & set(others)


@pytest.mark.parametrize("name", [n for n in URL_PATHS if n != "map"])
def test_each_address_has_a_file_streamlits_legacy_mode_serves_there_which_runs_the_app(name):
    entry = PAGES / f"{URL_PATHS[name]}.py"
    assert page_icon_and_name(entry)[1] == URL_PATHS[name]
    tree = ast.parse(entry.read_text(encoding="utf-8"))
    imports = [(n.module, [a.name for a in n.names]) for n in tree.body if isinstance(n, ast.ImportFrom)]
    calls = [
        ast.unparse(n.value) for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
    ]
    assert (imports, calls) == ([("app", ["main"])], ["main()"])


def test_the_readme_advertises_exactly_the_addresses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    advertised = set(re.findall(r"http://localhost:8501(/[\w-]*)", readme))
    assert advertised == {f"/{path}" for path in URL_PATHS.values()}


def _first_visit(monkeypatch, address):
    """Open ``/<address>`` as the first visitor after a restart; the run's messages to the browser.

    AppTest starts every run as a fresh server does: Streamlit has not yet seen st.navigation,
    so it is in its legacy ``pages/`` mode. The browser asks for a page by its address.
    """
    sent = []

    def parse(messages, parse=local_runner.parse_tree_from_messages):
        sent.extend(messages)
        return parse(messages)

    monkeypatch.setattr(local_runner, "RerunData", functools.partial(RerunData, page_name=address))
    monkeypatch.setattr(local_runner, "parse_tree_from_messages", parse)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    kinds = [m.WhichOneof("type") for m in sent]
    menus = [[p.url_pathname for p in m.navigation.app_pages] for m in sent if m.HasField("navigation")]
    return at, "page_not_found" in kinds, menus[-1] if menus else None


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))


@pytest.mark.parametrize("name", list(URL_PATHS))
def test_every_address_opened_first_after_a_restart_shows_its_page_in_the_shell_without_a_dialog(
    geodata, monkeypatch, name
):
    at, not_found, menu = _first_visit(monkeypatch, URL_PATHS[name])
    assert not not_found
    assert [title.value for title in at.title] == [TITLES[name]]
    assert menu == list(URL_PATHS.values())
    assert at.sidebar.segmented_control(key="lang").value == "vi"


@pytest.mark.parametrize("file_name", ["review", "report", "map", "communes", "common"])
def test_a_page_files_own_name_gets_the_shell_never_the_bare_page(geodata, monkeypatch, file_name):
    # Not an address (so Streamlit says "Page not found" and opens the map), but the page file
    # that Streamlit's legacy mode runs there must not be shown without navigation or sidebar.
    at, not_found, menu = _first_visit(monkeypatch, file_name)
    assert not_found
    assert menu == list(URL_PATHS.values())
    assert [title.value for title in at.title] == [TITLES["map"]]
    assert at.sidebar.segmented_control(key="lang").value == "vi"


def test_an_unknown_address_is_caught_by_the_first_visit_check(geodata, monkeypatch):
    _, not_found, _ = _first_visit(monkeypatch, "ban-do")
    assert not_found


def test_sidebar_shows_the_sample_badge_and_the_data_date(app):
    assert SAMPLE_BADGE in [m.value for m in app.sidebar.markdown]
    captions = [c.value for c in app.sidebar.caption]
    assert captions[:2] == ["Dữ liệu cập nhật đến 20/05/2025", "6 điểm nguy cơ đã tải"]


def test_surveyed_data_shows_no_sample_badge(tmp_path, monkeypatch):
    folder = tmp_path / "geodata"
    folder.mkdir()
    for name, frame in fx.layers().items():
        if "illustrative" in frame.columns:
            frame = frame.assign(illustrative=False)
        frame.to_file(folder / f"{name}.geojson", driver="GeoJSON")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    assert not [m for m in at.sidebar.markdown if t("app.sample_badge", "vi") in m.value]
    assert "Dữ liệu cập nhật đến 20/05/2025" in [c.value for c in at.sidebar.caption]
