#!/usr/bin/env bash
# Set up the Python/Jupyter side of the project, repo-locally and idempotently:
#   - ./.venv (python3 -m venv) with requirements.txt installed
#   - the tslab kernelspec in .venv/share/jupyter/kernels/tslab/kernel.json: `node` (the first on
#     PATH) runs this checkout's node_modules/.bin/tslab with scripts/kernel-preload.js loaded first
# Nothing is installed globally and npm packages are not touched (run `npm ci` yourself).
# A second run is fast: pip is skipped while the stamp's hash of requirements.txt matches.
#
# Usage: scripts/jupyter-env.sh        (env: PYTHON=python3.11 to pick an interpreter)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$REPO/.venv"
REQ="$REPO/requirements.txt"
STAMP="$VENV/.requirements.sha256"
TSLAB="$REPO/node_modules/.bin/tslab"
PRELOAD="$REPO/scripts/kernel-preload.js"
KDIR="$VENV/share/jupyter/kernels/tslab"
PY="${PYTHON:-python3}"

die() { echo "jupyter-env: $*" >&2; exit 1; }

# 1. Prerequisites, each with the exact fix.
command -v "$PY" >/dev/null 2>&1 \
  || die "'$PY' not found. Install Python 3.9+ first, e.g.: apt-get install python3 python3-venv python3-pip"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
  || die "$("$PY" -V 2>&1) is too old; Python 3.9+ is needed (e.g. apt-get install python3 python3-venv)"
[ -x "$TSLAB" ] \
  || die "$TSLAB is missing: run npm ci first (in $REPO)"
[ -f "$REQ" ] || die "$REQ is missing"

# 2. The venv (recreated if broken, e.g. its python was removed or moved).
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 \
    || die "'$PY' ($PYVER) lacks the venv/ensurepip modules. Install them: apt-get install python3-venv (or python$PYVER-venv)"
  echo "jupyter-env: creating $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "$PY -m venv failed. On Debian/Ubuntu: apt-get install python3-venv (or python$PYVER-venv)"
fi
"$VENV/bin/python" -m pip --version >/dev/null 2>&1 \
  || die "pip is missing in $VENV. On Debian/Ubuntu: apt-get install python3-venv python3-pip, then rm -rf $VENV and rerun"

# 3. Requirements, skipped when the stamp matches.
hash_req() { "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$REQ"; }
WANT="$(hash_req)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "jupyter-env: requirements.txt unchanged, skipping pip"
else
  echo "jupyter-env: installing requirements.txt into $VENV"
  rm -f "$STAMP"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQ"
  echo "$WANT" > "$STAMP"
fi

# 4. The project-local kernelspec (rewritten every run: cheap, and follows a moved checkout).
mkdir -p "$KDIR"
# "node", not an absolute path: the kernel runs on the Node first on PATH, as tslab's own
# `#!/usr/bin/env node` does (CI puts each tested Node version first in turn).
"$VENV/bin/python" - "$TSLAB" "$PRELOAD" "$KDIR/kernel.json" <<'PYEOF'
import json, sys
tslab, preload, out = sys.argv[1], sys.argv[2], sys.argv[3]
spec = {
    "argv": ["node", "--require", preload, tslab, "kernel", "--config-path", "{connection_file}"],
    "display_name": "TypeScript",
    "language": "typescript",
}
text = json.dumps(spec, indent=1) + "\n"
try:
    old = open(out).read()
except FileNotFoundError:
    old = None
if old != text:
    with open(out, "w") as f:
        f.write(text)
PYEOF

# 5. Check that Jupyter in the venv finds it (the venv's share/jupyter is on its data path).
"$VENV/bin/jupyter" kernelspec list --json 2>/dev/null \
  | "$VENV/bin/python" -c 'import json,sys; d=json.load(sys.stdin)["kernelspecs"]; sys.exit(0 if "tslab" in d else 1)' \
  || die "jupyter in $VENV does not list the tslab kernelspec"
echo "jupyter-env: ready. Kernel 'tslab' -> $TSLAB"
echo "jupyter-env: e.g. $VENV/bin/jupyter lab   or   $VENV/bin/pytest"
