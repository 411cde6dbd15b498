#!/usr/bin/env bash
# Run every check: install what is missing, lint, then the whole pytest suite
# (unit, property, AppTest, the PostgreSQL store suite and the headless-Chromium browser test).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --build-deps

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser test"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium >/dev/null
fi

if [ -z "${HOTSPOTS_TEST_POSTGRES_URL:-}" ]; then
  if url=$(bash scripts/start_test_postgres.sh); then
    export HOTSPOTS_TEST_POSTGRES_URL="$url"
  else
    echo "==> no PostgreSQL server could be started: the PostgreSQL store tests will be skipped"
  fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
