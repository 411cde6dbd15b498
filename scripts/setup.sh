#!/usr/bin/env bash
# Create .venv, install the pinned requirements and fetch the offline map assets.
# Idempotent: a second run only checks. Usage: scripts/setup.sh [--build-deps]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

requirements=(requirements.txt)
if [ "${1:-}" = "--build-deps" ]; then requirements=(requirements-build.txt); fi
stamp=".venv/.installed-$(cat "${requirements[@]}" requirements.txt | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> installing ${requirements[*]}"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "${requirements[@]}"
  # The library itself, editable: `python -m hotspots`, benchmarks and notebooks import it from anywhere.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi

# Leaflet and plugins from the npm registry, served by Streamlit so the map works offline.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  echo "==> installing Debian's npm to fetch the map libraries"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q npm >/dev/null
fi
bash scripts/fetch_static.sh

# A font that covers Vietnamese for the printable sheets (WeasyPrint finds it through fontconfig).
if ! fc-list 2>/dev/null | grep -qi -e "DejaVuSans" -e "NotoSans-"; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  echo "==> installing Debian's fonts-dejavu-core for the printable sheets"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q fonts-dejavu-core fontconfig >/dev/null
fi
