"""Who may do what: every store write × every role, commune limits, and users nobody can forge.

The store refuses, whoever calls it (a page, the command line, a notebook), a write the
acting user's roles or communes do not allow; the expected rights below are written out
from the field-to-office issue, not derived from the library's own table.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
from pathlib import Path

import pytest

from hotspots.errors import PermissionDeniedError, StoreError
from hotspots.i18n import problem_message
from hotspots.store import ACTIONS, ROLES, User, least_role, open_store
from hotspots.store.permissions import SYSTEM, require
from tests.auth_kit import add_account, make_user

ROOT = Path(__file__).resolve().parent.parent
#: A point in each commune of the conftest province (CM-001 west of 107.1 E, CM-002 east).
WEST, EAST = (107.05, 20.95), (107.15, 21.00)
#: What each role may do, as the issue states it (field < officer < planner < admin).
FIELD = {"add_risk_point", "import_report"}
OFFICER = FIELD | {"edit_risk_point", "set_status", "record_inspection", "import_approved", "import_layer"}
ALLOWED = {
    None: set(),
    "field": FIELD,
    "officer": OFFICER,
    "planner": OFFICER,
    "admin": OFFICER | {"add_user", "unlock_user"},
}
WRITES = sorted(ALLOWED["admin"])


def _point(name: str) -> dict:
    return {"name": name, "water_type": "pond", "risk_level": "high"}


def _points_file(path: Path, *places: tuple[float, float], first: int = 100) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"point_id": f"QN-{first + i:04d}", **_point(f"Ao thử {first + i}")},
            "geometry": {"type": "Point", "coordinates": list(place)},
        }
        for i, place in enumerate(places)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path, geodata_dir):
    """A store with the conftest province and its two communes, one pending point in each commune."""
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False) as opened:
        admin = make_user("quantri", "admin")
        opened.import_file(geodata_dir / "province.geojson", layer="province", user=admin)
        opened.import_file(geodata_dir / "communes.geojson", layer="communes", user=admin)
        opened.add_risk_point(_point("Ao phía tây"), lon=WEST[0], lat=WEST[1], user=admin)
        opened.add_risk_point(_point("Ao phía đông"), lon=EAST[0], lat=EAST[1], user=admin)
        add_account(opened, "khoa", "field")
        yield opened


def _write(store, name: str, user: object, tmp_path: Path) -> None:
    """Make the write ``name`` as ``user``, on the point in the west commune (QN-0001)."""
    if name == "add_risk_point":
        store.add_risk_point(_point("Ao mới"), lon=WEST[0] + 0.01, lat=WEST[1], user=user)
    elif name == "edit_risk_point":
        store.edit_risk_point("QN-0001", {"notes": "Bờ sụt"}, user=user)
    elif name == "set_status":
        store.set_status("QN-0001", "active", user=user)
    elif name == "record_inspection":
        store.record_inspection("QN-0001", inspected_on="2025-06-01", findings="Chưa có rào", user=user)
    elif name in ("import_report", "import_approved"):
        path = _points_file(tmp_path / f"{name}.geojson", (WEST[0] + 0.02, WEST[1]))
        store.import_file(path, user=user, approved=name == "import_approved")
    elif name == "import_layer":
        store.import_file(tmp_path / "geodata" / "communes.geojson", layer="communes", user=user)
    elif name == "add_user":
        store.add_user("moi", password="mật-khẩu-mới-1", roles=["field"], user=user)
    elif name == "unlock_user":
        store.unlock_user("khoa", user=user)
    else:
        raise AssertionError(name)


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_every_write_is_allowed_to_exactly_the_roles_that_may(store, tmp_path, role, write):
    user = make_user(f"nguoi_{role}", role) if role else None
    before = (store.revision(), len(store.users()))
    if write in ALLOWED[role]:
        _write(store, write, user, tmp_path)
        return
    with pytest.raises(PermissionDeniedError) as caught:
        _write(store, write, user, tmp_path)
    assert caught.value.code == ("login_required" if role is None else "permission_denied")
    assert (store.revision(), len(store.users())) == before


@pytest.mark.parametrize(
    ("role", "may_plan"), [("field", False), ("officer", False), ("planner", True), ("admin", True)]
)
def test_planning_is_reserved_for_planners_and_admins(role, may_plan):
    user = make_user(f"nguoi_{role}", role)
    assert user.may("plan") is may_plan
    if may_plan:
        assert require(user, "plan") is user
    else:
        with pytest.raises(PermissionDeniedError, match="may not plan swimming classes") as caught:
            require(user, "plan")
        assert problem_message(caught.value, "vi") == (
            f"Tài khoản 'nguoi_{role}' không được lập kế hoạch lớp dạy bơi và lịch: "
            "việc này cần vai trò cán bộ kế hoạch."
        )


def test_the_roles_and_what_to_log_in_as():
    assert ROLES == ("field", "officer", "planner", "admin")
    assert ACTIONS == ("report", "review", "inspect", "import_approved", "plan", "manage_users")
    assert {a: least_role(a) for a in ACTIONS} == {
        "report": "field",
        "review": "officer",
        "inspect": "officer",
        "import_approved": "officer",
        "plan": "planner",
        "manage_users": "admin",
    }


def test_several_roles_add_up():
    user = make_user("kiemnhiem", "field", "planner")
    assert user.actions == {"report", "review", "inspect", "import_approved", "plan"}


def test_a_refusal_says_why_in_both_languages(store):
    with pytest.raises(PermissionDeniedError) as caught:
        store.set_status("QN-0001", "active", user=make_user("khoa", "field"))
    assert str(caught.value) == (
        "The account 'khoa' may not approve, reject, change the status of or edit risk points: "
        "that needs the role officer."
    )
    assert problem_message(caught.value, "vi") == (
        "Tài khoản 'khoa' không được duyệt, từ chối, đổi trạng thái hay sửa điểm nguy cơ: "
        "việc này cần vai trò cán bộ duyệt."
    )


# ---------------------------------------------------------------------- communes


@pytest.fixture
def commune_officer():
    return make_user("canbo_tay", "officer", display_name="Cán bộ phía tây", communes=("CM-001",))


def test_a_commune_officer_reviews_and_inspects_their_communes_points(store, commune_officer):
    store.set_status("QN-0001", "active", user=commune_officer)
    store.record_inspection("QN-0001", inspected_on="2025-06-01", findings="Đã rào", user=commune_officer)
    assert store.history("QN-0001")["user"].tolist()[-2:] == ["Cán bộ phía tây", "Cán bộ phía tây"]


@pytest.mark.parametrize(
    "write",
    [
        lambda s, u: s.set_status("QN-0002", "active", user=u),
        lambda s, u: s.set_status("QN-0002", "rejected", user=u, reason="trùng"),
        lambda s, u: s.record_inspection("QN-0002", inspected_on="2025-06-01", findings="x", user=u),
        lambda s, u: s.edit_risk_point("QN-0002", {"notes": "x"}, user=u),
        # Moving a point of their commune into the other one.
        lambda s, u: s.edit_risk_point("QN-0001", {"lon": EAST[0] + 0.01, "lat": EAST[1]}, user=u),
        lambda s, u: s.add_risk_point(_point("Ao mới"), lon=EAST[0] + 0.01, lat=EAST[1], user=u),
    ],
    ids=["approve", "reject", "inspect", "edit", "move-out", "add"],
)
def test_a_commune_officer_is_refused_outside_their_commune(store, commune_officer, write):
    before = store.revision()
    with pytest.raises(PermissionDeniedError) as caught:
        write(store, commune_officer)
    assert caught.value.code == "outside_communes"
    assert "CM-001" in str(caught.value) and "not in CM-002" in str(caught.value)
    assert store.revision() == before


def test_the_commune_refusal_in_vietnamese(store, commune_officer):
    with pytest.raises(PermissionDeniedError) as caught:
        store.set_status("QN-0002", "active", user=commune_officer)
    assert problem_message(caught.value, "vi") == (
        "Tài khoản 'canbo_tay' chỉ được duyệt, từ chối, đổi trạng thái hay sửa điểm nguy cơ "
        "ở xã, phường CM-001; không được ở CM-002."
    )


def test_a_provincial_officer_reviews_every_commune(store):
    provincial = make_user("canbo_tinh", "officer")
    store.set_status("QN-0001", "active", user=provincial)
    store.set_status("QN-0002", "active", user=provincial)
    assert set(store.read_layer("risk_points", statuses=["active"])["point_id"]) == {"QN-0001", "QN-0002"}


def test_a_commune_limited_import_is_all_or_nothing(store, tmp_path):
    reporter = make_user("canbo_xa", "field", communes=("CM-001",))
    mixed = _points_file(tmp_path / "mixed.geojson", (WEST[0] + 0.02, WEST[1]), (EAST[0] + 0.02, EAST[1]))
    before = store.revision()
    with pytest.raises(PermissionDeniedError, match="not in CM-002"):
        store.import_file(mixed, user=reporter, skip_invalid=True)
    assert store.revision() == before
    own = _points_file(tmp_path / "own.geojson", (WEST[0] + 0.02, WEST[1]), first=200)
    assert store.import_file(own, user=reporter).added == 1


def test_a_commune_limited_admin_cannot_manage_users(store):
    admin = make_user("quantri_xa", "admin", communes=("CM-001",))
    with pytest.raises(PermissionDeniedError) as caught:
        store.add_user("moi", password="mật-khẩu-mới-1", roles=["field"], user=admin)
    assert caught.value.code == "provincial_only"
    store.set_status("QN-0001", "active", user=admin)  # their commune's points they review


# ---------------------------------------------------------------------- users nobody can forge


@pytest.mark.parametrize("typed", ["Nguyễn Văn An", "", None, {"name": "quantri", "roles": ["admin"]}])
def test_a_typed_name_is_nobody(store, typed):
    with pytest.raises(PermissionDeniedError) as caught:
        store.set_status("QN-0001", "active", user=typed)
    assert caught.value.code == "login_required"
    assert problem_message(caught.value, "vi") == (
        "Hãy đăng nhập để duyệt, từ chối, đổi trạng thái hay sửa điểm nguy cơ: "
        "mỗi thay đổi ghi lại người thực hiện."
    )


def test_a_user_cannot_be_built_or_copied_with_more_rights(store):
    field = make_user("khoa", "field")
    with pytest.raises(PermissionDeniedError) as caught:
        User("quantri", "Quản trị", frozenset({"admin"}))
    assert caught.value.code == "user_not_issued"
    with pytest.raises(PermissionDeniedError, match="does not come from a login"):
        dataclasses.replace(field, roles=frozenset({"admin"}))
    with pytest.raises(PermissionDeniedError, match="does not come from a login"):
        dataclasses.replace(field, communes=None, _seal=SYSTEM._seal)
    forged = copy.copy(field)
    object.__setattr__(forged, "roles", frozenset({"admin"}))
    with pytest.raises(PermissionDeniedError, match="does not come from a login"):
        store.set_status("QN-0001", "active", user=forged)
    assert store.read_layer("risk_points", statuses=["pending"])["point_id"].tolist() == [
        "QN-0001",
        "QN-0002",
    ]


def _names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return names


FACES = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "hotspots" / "cli").glob("*.py")),
]


@pytest.mark.parametrize("path", FACES, ids=lambda p: p.name)
def test_pages_and_the_command_line_never_make_a_user_themselves(path):
    # A user comes from authenticate() or user_for_email(); the store's own SYSTEM stays inside it.
    forbidden = {"SYSTEM", "issue_user", "hotspots.store.permissions", "hotspots.store.users", "_seal"}
    assert not _names_used(path) & forbidden


def test_the_system_user_is_not_exported():
    import hotspots.store

    assert "SYSTEM" not in hotspots.store.__all__
    assert not hasattr(hotspots.store, "SYSTEM")


def test_an_unknown_action_or_role_is_refused():
    with pytest.raises(StoreError, match="no permission 'fly'"):
        require(make_user("khoa", "field"), "fly")
    with pytest.raises(StoreError, match="Unknown role"):
        make_user("khach", "guest")
