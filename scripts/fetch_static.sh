#!/usr/bin/env bash
# Fetch Leaflet and the map plugins from the npm registry into static/vendor/ (git-ignored),
# where Streamlit serves them so the map works without internet. Idempotent: packages
# already unpacked are skipped. The list of packages lives in hotspots/maps/assets.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" -m hotspots.maps.assets fetch "$@"
