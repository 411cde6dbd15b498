"""CI may not skip the browser and PostgreSQL tests: the rule of tests/strict_skips.py, run for real.

Each test runs pytest in a subprocess, on a tiny test file or on the project's own tests
with Chromium or the PostgreSQL server out of reach, with and without ``HOTSPOTS_REQUIRE_ALL``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.strict_skips import POSTGRES_VARIABLE, REQUIRE_ALL_VARIABLE

ROOT = Path(__file__).resolve().parent.parent

TINY_TESTS = """
import pytest

@pytest.mark.browser
def test_needs_a_browser():
    pytest.skip("chromium is not installed")

@pytest.mark.postgres
def test_needs_a_database():
    pytest.skip("no PostgreSQL server")

def test_skips_for_another_reason():
    pytest.skip("the sample is not built")

def test_runs():
    assert True
"""
TINY_INI = """[pytest]
markers =
    browser: needs Chromium
    postgres: needs PostgreSQL
"""


def _pytest(args: list[str], *, cwd: Path, strict: bool, **env_changes: str | None):
    env = {key: value for key, value in os.environ.items() if key != REQUIRE_ALL_VARIABLE}
    if strict:
        env[REQUIRE_ALL_VARIABLE] = "1"
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text(TINY_INI)
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS)
    return tmp_path


def test_without_the_variable_missing_tools_skip_with_a_banner(tiny):
    run = _pytest(["-p", "tests.strict_skips", "test_tiny.py"], cwd=tiny, strict=False, PYTHONPATH=str(ROOT))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 3 skipped" in run.stdout
    assert "1 test(s) needing Debian's chromium (apt-get install chromium) did not run" in run.stdout
    assert "1 test(s) needing a PostgreSQL server" in run.stdout
    assert "they were SKIPPED: this run did not check everything (CI fails on this)" in run.stdout


def test_with_the_variable_a_missing_browser_or_database_fails_the_run(tiny):
    run = _pytest(["-p", "tests.strict_skips", "test_tiny.py"], cwd=tiny, strict=True, PYTHONPATH=str(ROOT))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 failed, 1 passed, 1 skipped" in run.stdout
    assert "FAILED test_tiny.py::test_needs_a_browser" in run.stdout
    assert "FAILED test_tiny.py::test_needs_a_database" in run.stdout
    # Other skips stay skips: only a missing browser or database is a CI failure.
    assert "SKIPPED [1] test_tiny.py:13: the sample is not built" in run.stdout
    assert (
        f"{REQUIRE_ALL_VARIABLE}=1 (CI): this test needs Debian's chromium (apt-get install chromium)"
        " and may not skip; it skipped: chromium is not installed"
    ) in run.stdout


@pytest.mark.slow
def test_the_browser_test_fails_in_ci_when_chromium_is_not_on_the_path(tmp_path):
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    args = ["tests/test_browser.py", "-k", "test_map_fits_a_phone"]
    strict = _pytest(args, cwd=ROOT, strict=True, PATH=str(empty_path))
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "1 error" in strict.stdout, strict.stdout
    assert "may not skip; it skipped: Debian's chromium is not installed" in strict.stdout
    assert "MISSING: Debian's chromium" in strict.stdout  # the banner at the start
    relaxed = _pytest(args, cwd=ROOT, strict=False, PATH=str(empty_path))
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "1 skipped" in relaxed.stdout
    assert "1 test(s) needing Debian's chromium (apt-get install chromium) did not run" in relaxed.stdout


@pytest.mark.slow
def test_a_postgresql_store_test_fails_in_ci_without_a_server():
    args = ["tests/test_store.py", "-k", "test_new_points_cannot_skip_the_pending_status and postgresql"]
    strict = _pytest(args, cwd=ROOT, strict=True, **{POSTGRES_VARIABLE: None})
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "1 error" in strict.stdout, strict.stdout
    assert "may not skip; it skipped: no PostgreSQL server: set HOTSPOTS_TEST_POSTGRES_URL" in strict.stdout


def _sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of scripts/test.sh beside stand-ins: set-up does nothing, apt-get and PostgreSQL fail.

    PATH holds only the few programs the script needs, so ``chromium`` is not found.
    """
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / "scripts" / "test.sh").write_text((ROOT / "scripts" / "test.sh").read_text())
    stubs = {
        project / "scripts" / "setup.sh": "exit 0",
        project / "scripts" / "start_test_postgres.sh": "echo 'cannot start PostgreSQL' >&2; exit 1",
        project / ".venv" / "bin" / "ruff": "exit 0",
        project
        / ".venv"
        / "bin"
        / "python": 'echo "pytest ran: HOTSPOTS_REQUIRE_ALL=${HOTSPOTS_REQUIRE_ALL:-}"',
        tmp_path / "bin" / "apt-get": "echo 'apt-get: no network' >&2; exit 100",
    }
    (tmp_path / "bin").mkdir()
    for path, body in stubs.items():
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)
    for program in ("bash", "seq", "id", "dirname"):
        (tmp_path / "bin" / program).symlink_to(shutil.which(program))
    env = {"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path)}
    return project, env


def test_the_test_script_stops_in_ci_when_chromium_cannot_be_installed(tmp_path):
    project, env = _sandbox(tmp_path)
    run = subprocess.run(
        ["bash", "scripts/test.sh"], cwd=project, env={**env, "CI": "true"}, capture_output=True, text=True
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ERROR: Debian's chromium could not be installed (apt-get install chromium)." in run.stderr
    assert "pytest ran" not in run.stdout


def test_the_test_script_stops_in_ci_when_postgresql_cannot_start(tmp_path):
    project, env = _sandbox(tmp_path)
    (tmp_path / "bin" / "chromium").symlink_to(shutil.which("true"))
    run = subprocess.run(
        ["bash", "scripts/test.sh"], cwd=project, env={**env, "CI": "true"}, capture_output=True, text=True
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ERROR: no PostgreSQL server could be started (scripts/start_test_postgres.sh)." in run.stderr
    assert "pytest ran" not in run.stdout


def test_the_test_script_skips_loudly_outside_ci(tmp_path):
    project, env = _sandbox(tmp_path)
    run = subprocess.run(["bash", "scripts/test.sh"], cwd=project, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    chromium_line = (
        "!!  Debian's chromium could not be installed (apt-get install chromium): those tests will be SKIPPED"
    )
    # The banner before pytest and again at the very end.
    before, ran, after = run.stdout.partition("pytest ran: HOTSPOTS_REQUIRE_ALL=\n")
    assert ran, run.stdout
    for part in (before, after):
        assert chromium_line in part
        assert "!!  no PostgreSQL server could be started (scripts/start_test_postgres.sh)" in part


def test_the_test_script_runs_pytest_strictly_in_ci_when_everything_is_there(tmp_path):
    project, env = _sandbox(tmp_path)
    (tmp_path / "bin" / "chromium").symlink_to(shutil.which("true"))
    env.update(CI="true", HOTSPOTS_TEST_POSTGRES_URL="postgresql+psycopg://u:p@127.0.0.1:5432/db")
    run = subprocess.run(["bash", "scripts/test.sh"], cwd=project, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "pytest ran: HOTSPOTS_REQUIRE_ALL=1"
    assert "!!" not in run.stdout  # no banner: nothing was left out
