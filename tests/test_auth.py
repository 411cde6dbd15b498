"""Logging in: bcrypt hashes, clear messages, lock-out after five failures, configured accounts, SSO.

Also the accounts' command line (``python -m hotspots users ...``) and ``--as`` on imports.
"""

from __future__ import annotations

import io
import json
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest
import sqlalchemy as sa

from hotspots.cli import commands as cli
from hotspots.config import LOCKOUT_AFTER_FAILURES, LOCKOUT_MINUTES, PASSWORD_HASH_ROUNDS
from hotspots.errors import AuthenticationError, PermissionDeniedError, StoreError
from hotspots.i18n import problem_message
from hotspots.store import migrations, open_store
from hotspots.store import users as accounts
from tests.auth_kit import FAST_ROUNDS, PASSWORD, add_account, make_user

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False) as opened:
        add_account(opened, "an", "field", display_name="Nguyễn Văn An", email="an@quangninh.gov.vn")
        yield opened


def _refusal(store, name, password, **options) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as caught:
        store.authenticate(name, password, **options)
    return caught.value


def _messages(error) -> tuple[str, str]:
    return problem_message(error, "vi"), problem_message(error, "en")


# ---------------------------------------------------------------------- passwords


def test_the_configured_limits():
    assert (LOCKOUT_AFTER_FAILURES, LOCKOUT_MINUTES, PASSWORD_HASH_ROUNDS) == (5, 15, 12)


def test_new_passwords_get_a_bcrypt_hash_of_the_configured_cost(monkeypatch):
    monkeypatch.setattr(accounts, "HASH_ROUNDS", PASSWORD_HASH_ROUNDS)
    hashed = accounts.hash_password("mật-khẩu-tốt-1")
    assert hashed.startswith("$2b$12$") and len(hashed) == 60
    assert bcrypt.checkpw("mật-khẩu-tốt-1".encode(), hashed.encode())


def test_the_store_keeps_only_the_hash(store):
    with store.engine.connect() as conn:
        row = (
            conn.execute(sa.select(migrations.users).where(migrations.users.c.name == "an")).mappings().one()
        )
    assert row["password_hash"].startswith(f"$2b$0{FAST_ROUNDS}$")
    assert PASSWORD not in json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
    assert "password_hash" not in store.users().columns


@pytest.mark.parametrize(
    ("password", "code", "vi"),
    [
        ("ngắn", "password_too_short", "Mật khẩu cần ít nhất 8 ký tự."),
        (
            "ư" * 37,
            "password_too_long",
            "Mật khẩu dài quá 72 byte (bcrypt chỉ đọc ngần ấy); hãy chọn mật khẩu ngắn hơn.",
        ),
    ],
)
def test_a_password_too_short_or_too_long_for_bcrypt_is_refused(store, password, code, vi):
    with pytest.raises(StoreError) as caught:
        add_account(store, "binh", "field", password=password)
    assert (caught.value.code, problem_message(caught.value, "vi")) == (code, vi)
    assert "binh" not in set(store.users()["name"])


# ---------------------------------------------------------------------- logging in


def test_a_login_returns_the_user_of_the_account(store):
    user = store.authenticate("  AN ", PASSWORD)
    assert (user.name, user.display_name, user.roles, user.communes) == (
        "an",
        "Nguyễn Văn An",
        frozenset({"field"}),
        None,
    )


def test_unknown_user_wrong_password_and_locked_account_each_say_so(store):
    unknown = _refusal(store, "khach", PASSWORD)
    assert unknown.code == "unknown_account"
    assert _messages(unknown) == (
        "Không có tài khoản tên 'khach'. Hãy kiểm tra tên đăng nhập.",
        "There is no account named 'khach'. Check the user name.",
    )
    wrong = _refusal(store, "an", "sai-mat-khau", at=T0)
    assert wrong.code == "wrong_password"
    assert _messages(wrong) == (
        "Sai mật khẩu của tài khoản 'an'. Còn 4 lần thử trước khi tài khoản bị khoá 15 phút.",
        "Wrong password for the account 'an'. 4 attempt(s) left before the account is locked for 15 minutes.",
    )
    for _ in range(3):
        _refusal(store, "an", "sai-mat-khau", at=T0)
    locked = _refusal(store, "an", "sai-mat-khau", at=T0)
    assert locked.code == "account_locked"
    assert _messages(locked) == (
        "Tài khoản 'an' đang bị khoá vì nhập sai mật khẩu 5 lần liên tiếp. "
        "Hãy thử lại sau 15 phút, hoặc nhờ quản trị viên mở khoá.",
        "The account 'an' is locked after 5 wrong passwords in a row. "
        "Try again in 15 minute(s), or ask an admin to unlock it.",
    )
    assert len({unknown.code, wrong.code, locked.code}) == 3


def test_five_failures_lock_the_account_until_the_period_ends(store):
    remaining = []
    for minute in range(5):
        remaining.append(_refusal(store, "an", "sai", at=T0 + timedelta(minutes=minute)).code)
    assert remaining == ["wrong_password"] * 4 + ["account_locked"]
    # Locked from the fifth failure (minute 4): even the right password waits 15 minutes.
    still = _refusal(store, "an", PASSWORD, at=T0 + timedelta(minutes=18, seconds=59))
    assert (still.code, still.params["minutes"]) == ("account_locked", 1)
    assert store.users().set_index("name").loc["an", "failed_attempts"] == 5
    user = store.authenticate("an", PASSWORD, at=T0 + timedelta(minutes=19))
    assert user.name == "an"
    assert store.users().set_index("name").loc["an", ["failed_attempts", "locked_until"]].tolist() == [
        0,
        None,
    ]


def test_a_success_resets_the_count(store):
    for _ in range(4):
        _refusal(store, "an", "sai", at=T0)
    store.authenticate("an", PASSWORD, at=T0)
    for _ in range(4):
        assert _refusal(store, "an", "sai", at=T0).code == "wrong_password"


def test_after_a_lock_ends_the_count_starts_again(store):
    for _ in range(5):
        _refusal(store, "an", "sai", at=T0)
    later = _refusal(store, "an", "sai", at=T0 + timedelta(minutes=LOCKOUT_MINUTES))
    assert (later.code, later.params["remaining"]) == ("wrong_password", 4)


def test_an_admin_unlocks_at_once_an_officer_may_not(store):
    for _ in range(5):
        _refusal(store, "an", "sai", at=T0)
    with pytest.raises(PermissionDeniedError):
        store.unlock_user("an", user=make_user("cuong", "officer"))
    store.unlock_user("an", user=make_user("quantri", "admin"))
    assert store.authenticate("an", PASSWORD, at=T0).name == "an"
    with pytest.raises(StoreError, match="no account named 'khach'"):
        store.unlock_user("khach", user=make_user("quantri", "admin"))


def test_an_unknown_name_costs_a_bcrypt_comparison_like_a_wrong_password(store, monkeypatch):
    compared = []
    check = accounts.bcrypt.checkpw
    monkeypatch.setattr(
        accounts.bcrypt,
        "checkpw",
        lambda secret, hashed: compared.append(hashed[:7]) or check(secret, hashed),
    )
    _refusal(store, "khach", PASSWORD)
    _refusal(store, "an", "sai")
    _refusal(store, "an", "x" * 100)  # longer than bcrypt reads: still one comparison
    assert compared == [f"$2b$0{FAST_ROUNDS}$".encode()] * 3


# ---------------------------------------------------------------------- accounts from the secrets


def _configured(**entries):
    hashed = bcrypt.hashpw(b"mat-khau-cau-hinh", bcrypt.gensalt(FAST_ROUNDS)).decode()
    base = {"password_hash": hashed, "roles": ["officer"]}
    return {name: {**base, **entry} for name, entry in entries.items()}


def test_a_configured_account_logs_in_and_counts_its_failures_in_the_store(store):
    configured = _configured(canbo_tinh={"display_name": "Lê Văn Cường", "communes": ["CM-1"]})
    user = store.authenticate("canbo_tinh", "mat-khau-cau-hinh", configured=configured)
    assert (user.display_name, user.roles, user.communes) == ("Lê Văn Cường", {"officer"}, {"CM-1"})
    for _ in range(5):
        _refusal(store, "canbo_tinh", "sai", configured=configured, at=T0)
    assert _refusal(store, "canbo_tinh", "mat-khau-cau-hinh", configured=configured, at=T0).code == (
        "account_locked"
    )
    listed = store.users(configured=configured).set_index("name")
    assert listed.loc["canbo_tinh", ["source", "failed_attempts"]].tolist() == ["secrets", 5]
    assert listed.loc["an", "source"] == "store"
    # Without the configuration the name is nobody's.
    assert _refusal(store, "canbo_tinh", "mat-khau-cau-hinh").code == "unknown_account"


@pytest.mark.parametrize(
    ("entry", "detail"),
    [
        (
            {"password_hash": "mat-khau-cau-hinh"},
            "password_hash phải là mã băm bcrypt (bắt đầu bằng $2b$), không phải mật khẩu",
        ),
        ({"roles": ["boss"]}, "roles phải là danh sách các vai trò: field, officer, planner, admin"),
    ],
)
def test_an_unusable_configured_account_says_what_is_wrong(store, entry, detail):
    with pytest.raises(StoreError) as caught:
        store.authenticate("an", PASSWORD, configured=_configured(hong=entry))
    assert problem_message(caught.value, "vi") == (
        f"Tài khoản 'hong' trong cấu hình (secrets.toml, [users]) không dùng được: {detail}."
    )


def test_a_demo_account_works_only_with_the_sample_data(store):
    configured = _configured(demo_canbo={"demo": True})
    off = _refusal(store, "demo_canbo", "mat-khau-cau-hinh", configured=configured)
    assert (
        problem_message(off, "vi")
        == "Tài khoản thử 'demo_canbo' chỉ dùng được khi ứng dụng đang dùng dữ liệu mẫu."
    )
    user = store.authenticate("demo_canbo", "mat-khau-cau-hinh", configured=configured, demo_allowed=True)
    assert user.demo


def test_the_shipped_example_secrets_hold_bcrypt_hashes_of_the_documented_demo_passwords(store):
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    users = example["users"]
    assert {name: entry["roles"] for name, entry in users.items()} == {
        "demo_hientruong": ["field"],
        "demo_canbo": ["officer"],
        "demo_kehoach": ["planner"],
        "demo_quantri": ["admin"],
    }
    for name, entry in users.items():
        assert entry["demo"] is True
        password = f"{name}-2026"
        assert f"`{name}` | `{password}`" in readme
        user = store.authenticate(name, password, configured=users, demo_allowed=True)
        assert user.roles == set(entry["roles"])


# ---------------------------------------------------------------------- single sign-on


def test_an_address_the_identity_provider_vouched_for_maps_to_its_account(store):
    assert store.user_for_email("AN@quangninh.gov.vn").name == "an"
    configured = _configured(canbo_tinh={"email": "cuong@quangninh.gov.vn"})
    assert store.user_for_email("cuong@quangninh.gov.vn", configured=configured).roles == {"officer"}
    unknown = _refusal_email(store, "la@example.com")
    assert _messages(unknown) == (
        "Địa chỉ la@example.com chưa được cấp tài khoản trong ứng dụng. Hãy nhờ quản trị viên thêm.",
        "No account of the app has the address la@example.com. Ask an admin to add one.",
    )


def test_a_locked_account_is_refused_through_single_sign_on_too(store):
    for _ in range(5):
        _refusal(store, "an", "sai", at=T0)
    with pytest.raises(AuthenticationError, match="is locked"):
        store.user_for_email("an@quangninh.gov.vn", at=T0)
    configured = _configured(canbo_tinh={"email": "cuong@quangninh.gov.vn"})
    for _ in range(5):
        _refusal(store, "canbo_tinh", "sai", configured=configured, at=T0)
    with pytest.raises(AuthenticationError, match="is locked"):
        store.user_for_email("cuong@quangninh.gov.vn", configured=configured, at=T0)


def _refusal_email(store, email):
    with pytest.raises(AuthenticationError) as caught:
        store.user_for_email(email)
    return caught.value


# ---------------------------------------------------------------------- adding accounts


@pytest.mark.parametrize(
    ("name", "details", "code"),
    [
        ("Nguyễn An", {}, "account_name_invalid"),
        ("seed", {}, "account_name_invalid"),
        ("an", {}, "account_name_taken"),
        ("an2", {"display_name": "nguyễn văn an"}, "display_name_taken"),
        ("an3", {"email": "an@quangninh.gov.vn"}, "email_taken"),
        ("an4", {"email": "an.quangninh"}, "email_invalid"),
    ],
)
def test_an_account_needs_its_own_name_display_name_and_address(store, name, details, code):
    with pytest.raises(StoreError) as caught:
        add_account(store, name, "field", **details)
    assert caught.value.code == code
    assert len(store.users()) == 1


def test_communes_must_be_the_stores(store, tmp_path, geodata_dir):
    store.import_file(geodata_dir / "communes.geojson", layer="communes", user=make_user("quantri", "admin"))
    with pytest.raises(StoreError) as caught:
        add_account(store, "xa", "field", communes=["CM-009"])
    assert problem_message(caught.value, "vi") == (
        "Kho dữ liệu không có xã, phường mã CM-009; các mã có: CM-001, CM-002."
    )
    add_account(store, "xa", "field", communes=["CM-002"])
    assert store.users().set_index("name").loc["xa", "communes"] == ["CM-002"]


def test_the_first_admin_is_added_once(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'new.sqlite'}", seed=False) as store:
        store.add_first_admin("quantri", password=PASSWORD, display_name="Trần Văn Hùng")
        assert store.authenticate("quantri", PASSWORD).roles == {"admin"}
        with pytest.raises(StoreError, match="already has an admin"):
            store.add_first_admin("quantri2", password=PASSWORD)


def test_the_users_table_is_migration_2(tmp_path):
    assert migrations.MIGRATIONS[1].version == 2
    assert migrations.MIGRATIONS[1].description.startswith("users:")
    with open_store(f"sqlite:///{tmp_path / 'new.sqlite'}", seed=False) as store:
        assert sa.inspect(store.engine).has_table("users")


# ---------------------------------------------------------------------- command line


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("HOTSPOTS_DATABASE_URL", url)
    return url


def _run(monkeypatch, argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(argv)


def test_cli_adds_the_first_admin_then_users_as_that_admin(cli_store, monkeypatch, capsys):
    first = ["users", "add", "quantri", "--role", "admin", "--display-name", "Trần Văn Hùng"]
    assert _run(monkeypatch, [*first, "--password-stdin"], "mat-khau-quan-tri\n") == 0
    assert "Added quantri (admin)" in capsys.readouterr().out
    officer = ["users", "add", "canbo_xa", "--role", "officer", "--commune", "CM-07", "--as", "quantri"]
    assert _run(monkeypatch, [*officer, "--password-stdin"], "mat-khau-quan-tri\nmat-khau-xa-01\n") == 0
    assert _run(monkeypatch, ["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "canbo_xa              canbo_xa                  officer           CM-07" in out
    assert "quantri               Trần Văn Hùng             admin             whole province" in out
    with open_store(cli_store, seed=False) as store:
        assert store.authenticate("canbo_xa", "mat-khau-xa-01").communes == {"CM-07"}


def test_cli_refuses_a_second_first_admin_and_a_wrong_password(cli_store, monkeypatch, capsys):
    add = ["users", "add", "quantri", "--role", "admin", "--password-stdin"]
    assert _run(monkeypatch, add, "mat-khau-quan-tri\n") == 0
    assert _run(monkeypatch, ["users", "add", "khac", "--role", "admin", "--password-stdin"], "x" * 9) == 2
    assert "already has an admin" in capsys.readouterr().err
    wrong = ["users", "add", "khac", "--role", "field", "--as", "quantri", "--password-stdin"]
    assert _run(monkeypatch, wrong, "sai\nmat-khau-khac-1\n") == 2
    assert "Wrong password for the account 'quantri'" in capsys.readouterr().err
    no_admin = ["users", "add", "khac", "--role", "field", "--password-stdin"]
    assert _run(monkeypatch, no_admin, "mat-khau-khac-1\n") == 2
    assert "name the admin who adds this account with --as" in capsys.readouterr().err


def test_cli_unlocks_an_account(cli_store, monkeypatch, capsys):
    with open_store(cli_store, seed=False) as store:
        store.add_first_admin("quantri", password=PASSWORD)
        add_account(store, "an", "field")
        for _ in range(5):
            _refusal(store, "an", "sai")
    unlock = ["users", "unlock", "an", "--as", "quantri", "--password-stdin"]
    assert _run(monkeypatch, unlock, f"{PASSWORD}\n") == 0
    assert "Unlocked an" in capsys.readouterr().out
    with open_store(cli_store, seed=False) as store:
        assert store.authenticate("an", PASSWORD).name == "an"


def test_cli_import_acts_as_a_user_with_the_needed_role(cli_store, monkeypatch, capsys, geodata_dir):
    with open_store(cli_store, seed=False) as store:
        add_account(store, "an", "field", display_name="Nguyễn Văn An")
    province = ["import", str(geodata_dir / "province.geojson"), "--layer", "province"]
    assert _run(monkeypatch, [*province, "--as", "an", "--password-stdin"], f"{PASSWORD}\n") == 2
    assert "may not import approved data: that needs the role officer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(monkeypatch, province)  # --as is required
    assert "--as" in capsys.readouterr().err
    with open_store(cli_store, seed=False) as store:
        assert store.read_layer("province").empty
