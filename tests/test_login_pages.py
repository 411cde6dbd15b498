"""Logging in under AppTest: the menu each role sees, forbidden addresses, messages, admins, secrets, SSO."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

from __future__ import annotations

import contextlib
import functools

import bcrypt
import pytest
import streamlit.testing.v1.local_script_runner as local_runner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest

from hotspots.errors import AuthenticationError
from hotspots.i18n import t
from pages._common import DATA_DIR_VARIABLE, URL_PATHS, store
from tests import map_fixtures as fx
from tests.auth_kit import FAST_ROUNDS, PASSWORD, add_account, log_in, log_in_as
from tests.test_pages import APP, TIMEOUT_S, app, fresh_store  # noqa: F401  (pytest fixtures)

#: The addresses in the menu of each role ("" is the map; phan-tich the analysis, ke-hoach planning).
MENUS = {
    None: ["", "xa-phuong", "phan-tich"],
    "field": ["", "xa-phuong", "bao-diem", "phan-tich"],
    "officer": ["", "xa-phuong", "bao-diem", "duyet-kiem-tra", "phan-tich"],
    "planner": ["", "xa-phuong", "bao-diem", "duyet-kiem-tra", "phan-tich", "ke-hoach"],
    "admin": ["", "xa-phuong", "bao-diem", "duyet-kiem-tra", "phan-tich", "ke-hoach"],
}


@pytest.fixture
def sent(monkeypatch):
    """Every message the app's runs send to the browser, in order."""
    messages = []

    def parse(batch, parse=local_runner.parse_tree_from_messages):
        messages.extend(batch)
        return parse(batch)

    monkeypatch.setattr(local_runner, "parse_tree_from_messages", parse)
    return messages


def _menu(sent) -> list[str]:
    """The addresses the last navigation shows in its menu (hidden pages stay registered)."""
    (last, *_) = [m.navigation for m in reversed(sent) if m.HasField("navigation")]
    assert [p.url_pathname for p in last.app_pages] == list(URL_PATHS.values())
    return [p.url_pathname for p in last.app_pages if not p.is_hidden]


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_exactly_its_pages(app, sent, role):
    if role is not None:
        log_in_as(app, f"nguoi_{role}", role)
    app.run()
    assert _menu(sent) == MENUS[role]


def test_logging_out_hides_the_pages_again(app, sent):
    log_in_as(app, "an", "field", display_name="Nguyễn Văn An", communes=["CM-2"])
    captions = [c.value for c in app.sidebar.caption]
    assert "Đăng nhập với tên Nguyễn Văn An (cán bộ hiện trường)" in captions
    assert "Chỉ ở xã, phường: CM-2" in captions
    app.sidebar.button(key="logout").click().run()
    assert _menu(sent) == MENUS[None]
    assert not [c for c in app.sidebar.caption if c.value.startswith("Đăng nhập với tên")]
    assert app.sidebar.text_input(key="login_name").value == ""


def _first_visit(monkeypatch, address, **seed):
    """Open ``/<address>`` as the first visit of a fresh server (see test_app_shell)."""
    monkeypatch.setattr(local_runner, "RerunData", functools.partial(RerunData, page_name=address))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in seed.items():
        setattr(at, key, value)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))


@pytest.mark.parametrize(
    ("address", "title", "needed"),
    [
        ("duyet-kiem-tra", "Duyệt và kiểm tra", "Hãy đăng nhập với vai trò cán bộ duyệt để dùng trang này."),
        (
            "bao-diem",
            "Báo điểm nguy cơ mới",
            "Hãy đăng nhập với vai trò cán bộ hiện trường để dùng trang này.",
        ),
    ],
)
def test_a_forbidden_address_shows_only_the_login_prompt(geodata, monkeypatch, sent, address, title, needed):
    at = _first_visit(monkeypatch, address)
    assert "page_not_found" not in [m.WhichOneof("type") for m in sent]
    assert [x.value for x in at.main.title] == [title]
    assert [w.value for w in at.main.warning] == [needed]
    # The login form, and nothing of the page: no table, no map, no other field or button.
    assert [w.key for w in at.main.text_input] == ["gate_name", "gate_password"]
    assert [b.key for b in at.main.button] == ["gate_submit"]
    assert not at.main.dataframe and not at.main.subheader and not at.main.selectbox
    assert not at.main.get("iframe") and not at.main.get("file_uploader")


def test_the_login_prompt_logs_in_and_opens_the_page(geodata, monkeypatch):
    at = _first_visit(monkeypatch, "duyet-kiem-tra")
    add_account(store(), "cuong", "officer", display_name="Cán bộ Lê Văn Cường")
    log_in(at, "cuong", form="gate")
    assert [x.value for x in at.main.title] == ["Duyệt và kiểm tra"]
    assert at.main.subheader[0].value == "Điểm chờ duyệt (1)"
    assert "Cán bộ thực hiện: Cán bộ Lê Văn Cường" in at.main.caption[0].value


def test_a_logged_in_user_without_the_role_is_told_whom_to_log_in_as(app):
    log_in_as(app, "an", "field", display_name="Nguyễn Văn An")
    app.switch_page("pages/review.py").run()
    assert [w.value for w in app.main.warning] == [
        "Tài khoản Nguyễn Văn An không dùng được trang này: hãy đăng nhập với vai trò cán bộ duyệt."
    ]
    assert not [b for b in app.button if b.key == "review_approve"]


@pytest.mark.parametrize(
    ("lang", "name", "password", "expected"),
    [
        (
            "vi",
            "khach",
            PASSWORD,
            "Không đăng nhập được: Không có tài khoản tên 'khach'. Hãy kiểm tra tên đăng nhập.",
        ),
        (
            "vi",
            "an",
            "sai-mat-khau",
            "Không đăng nhập được: Sai mật khẩu của tài khoản 'an'. "
            "Còn 4 lần thử trước khi tài khoản bị khoá 15 phút.",
        ),
        (
            "en",
            "khach",
            PASSWORD,
            "Could not log in: There is no account named 'khach'. Check the user name.",
        ),
        (
            "en",
            "an",
            "sai-mat-khau",
            "Could not log in: Wrong password for the account 'an'. "
            "4 attempt(s) left before the account is locked for 15 minutes.",
        ),
    ],
)
def test_a_refused_login_says_why_in_the_chosen_language(app, lang, name, password, expected):
    add_account(store(), "an", "field")
    app.sidebar.segmented_control(key="lang").set_value(lang).run()
    log_in(app, name, password)
    assert [e.value for e in app.sidebar.error] == [expected]
    assert "_user" not in app.session_state


def test_a_locked_account_is_told_so_even_with_the_right_password(app):
    add_account(store(), "an", "field")
    for _ in range(5):
        log_in(app, "an", "sai-mat-khau")
    log_in(app, "an", PASSWORD)
    assert [e.value for e in app.sidebar.error] == [
        "Không đăng nhập được: Tài khoản 'an' đang bị khoá vì nhập sai mật khẩu 5 lần liên tiếp. "
        "Hãy thử lại sau 15 phút, hoặc nhờ quản trị viên mở khoá."
    ]
    assert "_user" not in app.session_state


def test_no_page_asks_for_a_name_the_history_records_the_logged_in_one(app):
    log_in_as(app, "cuong", "officer", display_name="Cán bộ Lê Văn Cường")
    for page in ("pages/report.py", "pages/review.py"):
        app.switch_page(page).run()
        keys = {w.key for w in app.text_input}
        assert not keys & {"report_reporter", "review_user", "review_inspector"}
    (queue,) = [d for d in app.dataframe if (d.key or "").startswith("review_queue_table")]
    app.session_state[queue.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    app.button(key="review_approve").click().run()
    assert store().history("QN-6").iloc[-1][["action", "user"]].tolist() == ["status", "Cán bộ Lê Văn Cường"]


def test_a_commune_officer_sees_only_their_communes_points(app):
    log_in_as(app, "canbo_hg", "officer", display_name="Cán bộ Hồng Gai", communes=["CM-1"])
    app.switch_page("pages/review.py").run()
    assert app.main.subheader[0].value == "Điểm chờ duyệt (0)"
    assert app.selectbox(key="review_point").options == [
        "QN-1 – Bến đò Hà Lầm (Đang theo dõi)",
        "QN-2 – Ao làng Cao Xanh (Đang theo dõi)",
    ]


# ---------------------------------------------------------------------- admins


def _users_tables(at):
    columns = ["name", "display_name", "roles", "communes", "source", "locked"]
    return [d.value for d in at.dataframe if d.value.columns.tolist() == columns]


def test_an_admin_lists_adds_and_unlocks_users(app):
    log_in_as(app, "quantri", "admin", display_name="Trần Văn Hùng")
    add_account(store(), "an", "field")
    for _ in range(5):  # each failure counts; the fifth locks
        with contextlib.suppress(AuthenticationError):
            store().authenticate("an", "sai")
    app.switch_page("pages/review.py").run()
    (table,) = _users_tables(app)
    assert table.values.tolist() == [
        ["an", "an", "cán bộ hiện trường", "Toàn tỉnh", "Kho dữ liệu", True],
        ["quantri", "Trần Văn Hùng", "quản trị viên", "Toàn tỉnh", "Kho dữ liệu", False],
    ]
    app.text_input(key="users_name").input("canbo_bc")
    app.text_input(key="users_display_name").input("Phạm Thu Hà")
    app.text_input(key="users_password").input("mat-khau-moi-1")
    app.multiselect(key="users_roles").set_value(["officer"])
    app.multiselect(key="users_communes").set_value(["CM-2"])
    app.button(key="users_add").click().run()
    assert [s.value for s in app.success] == ["Đã thêm người dùng canbo_bc."]
    user = store().authenticate("canbo_bc", "mat-khau-moi-1")
    assert (user.display_name, user.roles, user.communes) == ("Phạm Thu Hà", {"officer"}, {"CM-2"})
    app.selectbox(key="users_unlock_pick").set_value("an")
    app.button(key="users_unlock").click().run()
    assert [s.value for s in app.success] == ["Đã mở khoá tài khoản an."]
    assert store().authenticate("an", PASSWORD).name == "an"


def test_an_officer_has_no_users_section(app):
    log_in_as(app, "cuong", "officer")
    app.switch_page("pages/review.py").run()
    assert not _users_tables(app)
    assert not [e for e in app.expander if e.label == "Người dùng"]


def test_a_refused_new_user_says_why(app):
    log_in_as(app, "quantri", "admin")
    app.switch_page("pages/review.py").run()
    app.text_input(key="users_name").input("canbo_bc")
    app.text_input(key="users_password").input("ngan")
    app.multiselect(key="users_roles").set_value(["field"])
    app.button(key="users_add").click().run()
    assert [e.value for e in app.error] == ["Không lưu được:\n- Mật khẩu cần ít nhất 8 ký tự."]


# ---------------------------------------------------------------------- secrets and single sign-on


def _secrets_users():
    hashed = bcrypt.hashpw(b"mat-khau-thu-01", bcrypt.gensalt(FAST_ROUNDS)).decode()
    return {
        "demo_canbo": {
            "password_hash": hashed,
            "roles": ["officer"],
            "demo": True,
            "display_name": "Cán bộ thử",
        },
        "canbo_tinh": {"password_hash": hashed, "roles": ["officer"], "email": "cuong@quangninh.gov.vn"},
    }


def test_accounts_of_the_secrets_log_in_and_the_sidebar_says_demo_accounts_are_on(app):
    app.secrets["users"] = _secrets_users()
    app.run()
    assert [w.value for w in app.sidebar.warning] == [
        "Tài khoản thử đang bật vì ứng dụng đang dùng dữ liệu mẫu: demo_canbo. "
        "Mật khẩu ghi trong README; các tài khoản này không dùng được với dữ liệu thật."
    ]
    log_in(app, "demo_canbo", "mat-khau-thu-01")
    assert "Đăng nhập với tên Cán bộ thử (cán bộ duyệt)" in [c.value for c in app.sidebar.caption]


def test_single_sign_on_maps_the_providers_address_to_an_account(app):
    app.secrets["users"] = _secrets_users()
    app.secrets["auth"] = {"redirect_uri": "http://example.invalid/oauth2callback", "cookie_secret": "x"}
    app.user = {"is_logged_in": True, "email": "Cuong@QuangNinh.gov.vn"}
    app.run()
    assert "Đăng nhập với tên canbo_tinh (cán bộ duyệt)" in [c.value for c in app.sidebar.caption]
    app.switch_page("pages/review.py").run()
    assert app.main.subheader[0].value == "Điểm chờ duyệt (1)"


def test_single_sign_on_of_an_address_without_account_is_refused(app):
    app.secrets["auth"] = {"redirect_uri": "http://example.invalid/oauth2callback", "cookie_secret": "x"}
    app.user = {"is_logged_in": True, "email": "la@example.com"}
    app.run()
    assert [e.value for e in app.sidebar.error] == [
        "Không đăng nhập được: Địa chỉ la@example.com chưa được cấp tài khoản trong ứng dụng. "
        "Hãy nhờ quản trị viên thêm."
    ]
    assert "_user" not in app.session_state


def test_the_office_account_button_without_authlib_says_what_to_install(app):
    app.secrets["auth"] = {"redirect_uri": "http://example.invalid/oauth2callback", "cookie_secret": "x"}
    app.user = {"is_logged_in": False}
    app.run()
    button = app.sidebar.button(key="login_sso")
    assert button.label == t("login.sso", "vi") == "Đăng nhập bằng tài khoản cơ quan"
    button.click().run()
    assert not app.exception
    assert [e.value for e in app.sidebar.error] == [t("login.sso_missing", "vi")]


def test_without_an_auth_section_the_app_ignores_who_streamlit_thinks_is_logged_in(app):
    add_account(store(), "an", "field", email="an@quangninh.gov.vn")
    app.user = {"is_logged_in": True, "email": "an@quangninh.gov.vn"}
    app.run()
    assert "_user" not in app.session_state
    assert not [b for b in app.sidebar.button if b.key == "login_sso"]
