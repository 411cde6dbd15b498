#!/usr/bin/env bash
# Run every check: install what is missing, lint, then the whole pytest suite
# (unit, property, AppTest, the PostgreSQL store suite and the headless-Chromium browser tests).
#
# In CI (CI=true, which CI services set and .ci/run makes sure of) nothing may be left out: when
# Chromium or the PostgreSQL server cannot be installed or started the run stops here with an error,
# and HOTSPOTS_REQUIRE_ALL=1 makes pytest fail any browser or PostgreSQL test that would skip
# (tests/strict_skips.py). On a developer's machine those tests skip instead, and a banner says so
# at the start and at the end of the run.
set -euo pipefail
cd "$(dirname "$0")/.."

strict=0
case "${CI:-}" in true | TRUE | True | 1 | yes) strict=1 ;; esac
if [ "$strict" = 1 ]; then export HOTSPOTS_REQUIRE_ALL=1; fi

missing=()
banner() {
  [ "${#missing[@]}" -gt 0 ] || return 0
  local rule
  rule=$(printf '!%.0s' $(seq 1 100))
  echo "$rule"
  for line in "${missing[@]}"; do echo "!!  $line"; done
  echo "!!  This run does not check everything; CI (CI=true) fails on this."
  echo "$rule"
}
# In CI: stop with an error. Elsewhere: remember it for the banners.
cannot() {
  if [ "$strict" = 1 ]; then
    echo "ERROR: $1." >&2
    echo "ERROR: CI=true: the browser and PostgreSQL tests may not be skipped, so the run stops here." >&2
    exit 1
  fi
  missing+=("$1: those tests will be SKIPPED")
}
trap banner EXIT

bash scripts/setup.sh --build-deps

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests"
  if ! { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >/dev/null; } ||
    ! command -v chromium >/dev/null 2>&1; then
    cannot "Debian's chromium could not be installed (apt-get install chromium)"
  fi
fi

if ! command -v pdftotext >/dev/null 2>&1; then
  echo "==> installing Debian's poppler-utils: the sheet tests read the PDFs back (pdftotext, pdftoppm)"
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q poppler-utils >/dev/null
fi

if [ -z "${HOTSPOTS_TEST_POSTGRES_URL:-}" ]; then
  if url=$(bash scripts/start_test_postgres.sh); then
    export HOTSPOTS_TEST_POSTGRES_URL="$url"
  else
    cannot "no PostgreSQL server could be started (scripts/start_test_postgres.sh)"
  fi
fi
banner

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
