#!/usr/bin/env bash
# npm start: set up whatever is missing (scripts/setup.sh), then open JupyterLab on the course
# map, notebooks/00-start-here.ipynb, listening on 127.0.0.1 only. Jupyter prints the URL (with its token) to open.
# Extra arguments go to `jupyter lab`, e.g.: npm start -- --port=9999 --no-browser
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bash "$REPO/scripts/setup.sh"
cd "$REPO"

args=(--ServerApp.ip=127.0.0.1)
[ -f notebooks/00-start-here.ipynb ] && args=(notebooks/00-start-here.ipynb "${args[@]}")
# Jupyter refuses to run as root without this (CI and containers run as root).
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec "$REPO/.venv/bin/jupyter" lab "${args[@]}" "$@"
