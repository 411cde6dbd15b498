"""Every error the store raises has a catalogue code, so pages can show it in Vietnamese."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_store import ACTOR, add, write_province

from hotspots.errors import SchemaError, StoreError
from hotspots.i18n import PROBLEM_MESSAGES, problem_message
from hotspots.store import open_store

STORE_PACKAGE = Path(__file__).resolve().parent.parent / "hotspots" / "store"
#: Functions whose first argument is a catalogue code.
_CODE_FIRST = {"make_problem", "message"}


def _modules() -> dict[str, ast.Module]:
    return {
        path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(STORE_PACKAGE.glob("*.py"))
    }


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _is_coded(expr: ast.expr | None) -> bool:
    """``coded_error(...)``, or ``<error>.with_code(...)``: an exception that keeps its catalogue code."""
    return isinstance(expr, ast.Call) and _called(expr) in ("coded_error", "with_code")


def _coded_helpers(modules: dict[str, ast.Module]) -> set[str]:
    """Functions of the store whose every ``return`` hands back a coded exception."""
    helpers = set()
    for tree in modules.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
                if returns and all(_is_coded(r.value) for r in returns):
                    helpers.add(node.name)
    return helpers


def test_every_raise_in_the_store_is_coded():
    modules = _modules()
    helpers = _coded_helpers(modules)
    assert {"unknown_feature", "refusal", "_store_error"} <= helpers
    checked, offenders = 0, []
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue  # a bare ``raise`` passes on what was caught
            checked += 1
            exc = node.exc
            called = _called(exc) if isinstance(exc, ast.Call) else None
            # ValidationError carries problems, which only make_problem builds (see the next test).
            if _is_coded(exc) or called in helpers or called == "ValidationError":
                continue
            offenders.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []
    assert checked >= 25


def test_the_store_builds_problems_and_messages_from_catalogue_codes_only():
    """No ``Problem(...)`` by hand, and every code named in the store is in the catalogue."""
    codes, by_hand = set(), []
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = _called(node)
            if called == "Problem":
                by_hand.append(f"{name}:{node.lineno}")
            position = {"coded_error": 1, "refusal": 1}.get(called, 0 if called in _CODE_FIRST else None)
            if position is None:
                continue
            code = node.args[position]
            if isinstance(code, ast.Name) and code.id == "code":
                continue  # a helper passing its caller's code on (the caller is checked)
            assert isinstance(code, ast.Constant), f"{name}:{node.lineno}: the code must be literal"
            codes.add(code.value)
    assert by_hand == []
    assert {"backup_exists", "database_busy", "edit_status_forbidden", "import_held_for_review"} <= codes
    assert sorted(codes - set(PROBLEM_MESSAGES)) == []


@pytest.fixture
def sqlite_store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False) as opened:
        opened.import_file(write_province(tmp_path), layer="province", user=ACTOR)
        yield opened


def test_a_backup_that_exists_is_refused_in_vietnamese(sqlite_store, tmp_path):
    first = sqlite_store.backup(tmp_path / "copy.sqlite")
    with pytest.raises(StoreError, match="already exists") as caught:
        sqlite_store.backup(first)
    assert caught.value.code == "backup_exists"
    assert problem_message(caught.value, "vi") == (
        f"Tệp sao lưu {first} đã có; hãy chọn tên khác (bản sao lưu không bao giờ bị ghi đè)."
    )


def test_an_edit_of_the_status_or_of_unknown_fields_is_refused_in_vietnamese(sqlite_store):
    point_id = add(sqlite_store, 1)
    with pytest.raises(StoreError, match="use set_status") as caught:
        sqlite_store.edit_risk_point(point_id, {"status": "active"}, user=ACTOR)
    assert caught.value.code == "edit_status_forbidden"
    assert problem_message(caught.value, "vi") == (
        "Không thể sửa 'status' của QN-0001 ở đây: hãy dùng chức năng đổi trạng thái."
    )
    with pytest.raises(SchemaError) as caught:
        sqlite_store.edit_risk_point(point_id, {"colour": "red", "depth": 3}, user=ACTOR)
    assert caught.value.code == "edit_unknown_fields"
    text = problem_message(caught.value, "vi")
    assert text.startswith(
        "Không thể sửa colour, depth của QN-0001; các trường sửa được: commune_id, hazards"
    )


def test_an_unsupported_database_url_is_refused_in_vietnamese():
    with pytest.raises(StoreError) as caught:
        open_store("mysql://u:p@localhost/x", seed=False)
    assert problem_message(caught.value, "vi") == (
        "Không dùng được địa chỉ kho dữ liệu 'mysql://u:p@localhost/x'. Hãy dùng "
        "sqlite:///path/to/hotspots.sqlite hoặc postgresql+psycopg://user:password@host:5432/database."
    )
