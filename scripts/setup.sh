#!/usr/bin/env bash
# Make this checkout ready to run the notebooks, doing only what is missing or out of date:
#   1. check for Node.js 20+ (saying so when it is not a tested 20, 22, 24 or 26) and npm (and
#      Python 3.9+ while there is no .venv yet), saying exactly what to install when one is missing;
#   2. npm ci           when node_modules is missing or older than package-lock.json;
#   3. npm run build    when dist/ is missing or older than a file in src/ (or tsconfig.json);
#   4. scripts/jupyter-env.sh: the .venv with Jupyter and the project-local tslab kernelspec
#      (it skips pip itself while requirements.txt is unchanged).
# A second run installs and builds nothing and takes a second or two.
# Shared by npm start (scripts/start.sh), npm run notebooks and npm run test:e2e.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO"
PY="${PYTHON:-python3}"

say() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

# 1. Prerequisites.
NODE_HINT="Install Node.js 24 or 26 LTS: https://nodejs.org/en/download (or: nvm install 24; Debian 13's apt-get install nodejs npm gives Node 20)"
command -v node >/dev/null 2>&1 || die "node not found. $NODE_HINT"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "Node.js $(node --version) is too old: 20 or newer is needed. $NODE_HINT"
# The versions CI tests (package.json's engines); another one may well work, so only say so.
node -e 'process.exit([20, 22, 24, 26].includes(Number(process.versions.node.split(".")[0])) ? 0 : 1)' \
  || say "Node.js $(node --version) is not one of the tested versions (20, 22, 24, 26); going on."
command -v npm >/dev/null 2>&1 || die "npm not found. It comes with Node.js; on Debian/Ubuntu: apt-get install npm. $NODE_HINT"
if [ ! -x .venv/bin/python ]; then
  # jupyter-env.sh checks this too, but only after npm ci: fail before a long install instead.
  command -v "$PY" >/dev/null 2>&1 \
    || die "'$PY' not found. Install Python 3.9+ first, e.g.: apt-get install python3 python3-venv python3-pip"
fi

# 2. npm packages. npm ci writes node_modules/.package-lock.json last, so it marks a finished install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (node_modules is missing or older than package-lock.json)"
  npm ci --no-audit --no-fund
fi

# 3. The library the notebooks import from ../dist. tsc rewrites every output file on each build.
if [ ! -f dist/index.js ] || [ tsconfig.json -nt dist/index.js ] \
   || [ -n "$(find src -newer dist/index.js -print -quit)" ]; then
  say "npm run build (dist/ is missing or older than src/)"
  # tsc emits even when it reports errors: drop the marker so that the next run builds again.
  npm run --silent build || { rm -f dist/index.js; die "npm run build failed (see above)"; }
fi

# 4. Python side: .venv, Jupyter, the tslab kernelspec.
bash scripts/jupyter-env.sh
