#!/usr/bin/env bash
# npm start: set up whatever is missing (scripts/setup.sh), then open JupyterLab on the course
# map, notebooks/00-start-here.ipynb, listening on 127.0.0.1 only. Jupyter prints the URL (with its
# token) to open; that URL opens the course map itself, not the Launcher.
# Extra arguments go to `jupyter lab`, e.g.: npm start -- --port=9999 --no-browser
# Stopping it with Ctrl-C or SIGTERM (as a process manager does) stops JupyterLab and its kernels.
# MP_START_SKIP_SETUP=1 skips the setup step (the test of this script sets it).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
[ "${MP_START_SKIP_SETUP:-0}" = 1 ] || bash "$REPO/scripts/setup.sh"
cd "$REPO"

args=(--ServerApp.ip=127.0.0.1)
# Naming the course map makes notebooks/ the root of Jupyter's file browser; the URL Jupyter prints
# (and the browser opens) is its default_url, the Launcher unless it is the course map too.
[ -f notebooks/00-start-here.ipynb ] && args=(notebooks/00-start-here.ipynb --LabApp.default_url=/lab/tree/00-start-here.ipynb "${args[@]}")
# Jupyter refuses to run as root without this (CI and containers run as root).
[ "$(id -u)" = 0 ] && args+=(--allow-root)

# Not exec: `npm start` runs this script under `sh -c`, and npm passes a SIGTERM on to that shell
# only, which dies of it and would leave JupyterLab and its kernels running, orphaned. So JupyterLab
# runs as a child here, and it is told to stop (SIGTERM: it shuts its kernels down, then exits)
# when this script gets SIGTERM, SIGINT or SIGHUP, or when the shell that started it is gone.
"$REPO/.venv/bin/jupyter" lab "${args[@]}" "$@" &
jupyter=$!
starter=$PPID
stop() {
  trap - TERM INT HUP
  kill -TERM "$jupyter" 2>/dev/null || true
  wait "$jupyter" || true
  exit "$1"
}
trap 'stop 143' TERM
trap 'stop 130' INT
trap 'stop 129' HUP
while kill -0 "$jupyter" 2>/dev/null; do
  kill -0 "$starter" 2>/dev/null || stop 143
  # A wait, not a plain sleep, so that a trap runs at once.
  sleep 1 & wait $! || true
done
wait "$jupyter"
