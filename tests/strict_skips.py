"""No silent skips: tests that need Chromium or PostgreSQL fail in CI when either is missing.

Registered as a plugin by ``tests/conftest.py``. A test marked ``browser`` or ``postgres``
skips when Debian's ``chromium`` or the PostgreSQL test server
(``HOTSPOTS_TEST_POSTGRES_URL``) is missing. On a developer's machine that is allowed,
but said loudly: a banner in the header of the run and another at its end. With
``HOTSPOTS_REQUIRE_ALL=1`` (set by ``scripts/test.sh`` when ``CI=true``, i.e. by
``.ci/run``) such a skip is turned into a failure, so a CI run without them cannot pass.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

#: Set to 1 to make a skipped browser or PostgreSQL test fail.
REQUIRE_ALL_VARIABLE = "HOTSPOTS_REQUIRE_ALL"
#: Markers of the tests that need a tool from outside Python, and what that tool is.
REQUIRED = {
    "browser": "Debian's chromium (apt-get install chromium)",
    "postgres": "a PostgreSQL server (scripts/start_test_postgres.sh, then HOTSPOTS_TEST_POSTGRES_URL)",
}
#: Where the PostgreSQL tests find their server.
POSTGRES_VARIABLE = "HOTSPOTS_TEST_POSTGRES_URL"

_SKIPPED = pytest.StashKey[dict[str, list[str]]]()


def require_all() -> bool:
    """Whether missing tools fail the run (``HOTSPOTS_REQUIRE_ALL`` set to anything but 0 or empty)."""
    return os.environ.get(REQUIRE_ALL_VARIABLE, "").strip() not in ("", "0")


def missing_tools() -> list[str]:
    """The markers whose tool is missing on this machine, as far as can be told before running."""
    missing = []
    if shutil.which("chromium") is None:
        missing.append("browser")
    if not os.environ.get(POSTGRES_VARIABLE):
        missing.append("postgres")
    return missing


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SKIPPED] = {marker: [] for marker in REQUIRED}


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = missing_tools()
    if not missing:
        return []
    if require_all():
        verdict = f"{REQUIRE_ALL_VARIABLE}=1: the tests that need them will FAIL"
    else:
        verdict = "the tests that need them will be SKIPPED (CI fails on this)"
    return _banner(["MISSING: " + REQUIRED[marker] for marker in missing] + [verdict])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    if not report.skipped or hasattr(report, "wasxfail"):
        return report
    needed = [marker for marker in REQUIRED if item.get_closest_marker(marker) is not None]
    if not needed:
        return report
    reason = _skip_reason(report)
    for marker in needed:
        item.config.stash[_SKIPPED][marker].append(item.nodeid)
    if require_all():
        tools = " and ".join(REQUIRED[marker] for marker in needed)
        report.outcome = "failed"
        report.longrepr = (
            f"{REQUIRE_ALL_VARIABLE}=1 (CI): this test needs {tools} and may not skip; it skipped: {reason}"
        )
    return report


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = config.stash.get(_SKIPPED, {})
    lines = [
        f"{len(nodeids)} test(s) needing {REQUIRED[marker]} did not run"
        for marker, nodeids in skipped.items()
        if nodeids
    ]
    if not lines:
        return
    if require_all():
        lines.append(f"{REQUIRE_ALL_VARIABLE}=1: they are counted as FAILED")
    else:
        lines.append("they were SKIPPED: this run did not check everything (CI fails on this)")
    for line in _banner(lines):
        terminalreporter.write_line(line, red=True, bold=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _banner(lines: list[str]) -> list[str]:
    rule = "!" * 100
    return [rule, *(f"!!  {line}" for line in lines), rule]
