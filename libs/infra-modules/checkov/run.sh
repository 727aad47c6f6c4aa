#!/usr/bin/env bash
# Policy gate: synthesise the prod-like (dev) environment and scan it with checkov.
# Zero failed checks; every skip is in checkov/skips.yaml with its reason.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$(cd "$here/.." && pwd)"
venv="${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nfe-lake}/venvs/checkov"
lock="$here/requirements.lock"

# idempotent: (re)create the venv only when the pinned version is not what is installed
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s "$lock" "$venv/requirements.lock"; then
  echo "checkov: installing $(cat "$lock") into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$lock"
  cp "$lock" "$venv/requirements.lock"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "checkov: synthesising config/lake.dev.json" >&2
(cd "$lib" && LAKE_CONFIG=config/lake.dev.json CDKTF_OUTDIR="$out/cdktf.out" npx tsx src/main.ts)
"$venv/bin/checkov" --config-file "$here/skips.yaml" --directory "$out/cdktf.out/stacks" --framework terraform_json --skip-download --compact --quiet
