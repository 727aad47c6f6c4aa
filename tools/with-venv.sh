#!/usr/bin/env bash
# Runs a command inside the project's Python virtualenv, creating it on first use.
# The venv lives in the user cache, keyed by the hash of jobs/spark/requirements.lock,
# so a warm machine reuses it and a changed lock gets a fresh one.
#   tools/with-venv.sh pytest jobs/spark/tests
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nfe-lake}"
LOCK="$ROOT/jobs/spark/requirements.lock"
PY="${LAKE_BASE_PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "with-venv: python3 not found on PATH; install CPython >= 3.11" >&2; exit 127
fi
HASH="$( (cat "$LOCK"; "$PY" -c 'import sys; print(sys.version_info[:2])') | sha256sum | cut -c1-12)"
VENV="$CACHE/venvs/spark-$HASH"
create_venv() {
  [ -f "$VENV/.complete" ] && return 0
  echo "with-venv: creating $VENV (first run downloads pyspark, ~320 MB)" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  # pip's own download cache makes a rebuilt venv fast; no second wheel store is kept
  "$VENV/bin/pip" install --quiet -r "$LOCK" >&2
  touch "$VENV/.complete"
}
if [ ! -f "$VENV/.complete" ]; then
  mkdir -p "$CACHE/venvs"
  # one creator at a time: concurrent first runs wait instead of deleting each other's work
  exec 9>"$CACHE/venvs/.create.lock"
  flock 9
  create_venv
  flock -u 9
  exec 9>&-
fi
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" PYTHONDONTWRITEBYTECODE=1
export LAKE_IVY_DIR="$CACHE/ivy"
exec "$@"
