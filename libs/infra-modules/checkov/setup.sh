#!/usr/bin/env bash
# Installs the pinned checkov into its own venv in the user cache (idempotent) and prints its path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nfe-lake}/venvs/checkov"
lock="$here/requirements.lock"
# (re)create the venv only when the pinned version is not what is installed
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s "$lock" "$venv/requirements.lock"; then
  echo "checkov: installing $(grep "^checkov==" "$lock") and its pinned dependencies into $venv" >&2
  # a fresh venv, never one made over an older one (ensurepip fails there)
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$lock" >&2
  cp "$lock" "$venv/requirements.lock"
fi
echo "$venv/bin/checkov"
